"""SQS queue with server-side encryption turned off (sqs_managed_sse_enabled = false, no KMS key).

## Why
Messages wait in a queue until they are consumed, up to 14 days. With server-side encryption
turned off they are stored unencrypted; SQS-managed (SSE-SQS) or KMS (SSE-KMS) encryption costs
nothing noticeable.

Since October 2022 SQS encrypts new queues with SSE-SQS by default, and current AWS provider
releases leave `sqs_managed_sse_enabled` to the service when it is not written (provider releases
of 2022 documented a default of `false`). So only an explicit `sqs_managed_sse_enabled = false`
on a queue without `kms_master_key_id` is reported: that is a queue whose author turned
encryption off.

## Fix
Remove `sqs_managed_sse_enabled = false` (or set it to `true`), or set `kms_master_key_id` to use
a KMS key (a customer managed key when SNS or other AWS services must send to the queue).

## Example
```hcl
# bad
resource "aws_sqs_queue" "orders" {
  name                    = "orders"
  sqs_managed_sse_enabled = false
}

# good
resource "aws_sqs_queue" "orders" {
  name                    = "orders"
  sqs_managed_sse_enabled = true
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl, is_blank, is_false


@policy(id="IAC-ENC-017", name="sqs-queue-encryption-disabled", severity=Severity.MEDIUM,
        family="encryption", applies_to=("aws_sqs_queue",),
        equivalents=("CKV_AWS_27", "AVD-AWS-0096"), cwe=311, precision="high")
def sqs_queue_encryption_disabled(resource, options):
    if not is_blank(resource.get("kms_master_key_id")):
        return  # SSE-KMS
    sse = resource.get("sqs_managed_sse_enabled")
    if sse is not None and is_false(sse):
        yield resource.finding(f"SQS queue is not encrypted at rest (sqs_managed_sse_enabled = {hcl(sse)} "
                               "and no kms_master_key_id)", at="sqs_managed_sse_enabled")
