"""Kinesis data stream stores records without server-side encryption.

## Why
A stream keeps every record for its whole retention period (24 hours by default, up to a year):
events, clickstreams, change data captured from databases. With `encryption_type = "NONE"`, the
default, those records sit unencrypted in the service's storage; with `KMS`, reading them also
needs the key, and the key policy and CloudTrail's KMS events add a gate and an audit trail.
Server-side encryption can be turned on for an existing stream without downtime (only records
written afterwards are encrypted).

## Fix
Set `encryption_type = "KMS"` and `kms_key_id` (a customer managed key, or `alias/aws/kinesis`).

## Example
```hcl
# bad
resource "aws_kinesis_stream" "events" {
  name = "events"
  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }
}

# good
resource "aws_kinesis_stream" "events" {
  name            = "events"
  encryption_type = "KMS"
  kms_key_id      = aws_kms_key.streams.arn
  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl


@policy(id="IAC-ENC-015", name="kinesis-stream-unencrypted", severity=Severity.MEDIUM,
        family="encryption", applies_to=("aws_kinesis_stream",),
        equivalents=("CKV_AWS_43", "AVD-AWS-0064"), cwe=311, precision="high")
def kinesis_stream_unencrypted(resource, options):
    kind = resource.get("encryption_type")
    if kind is None:
        yield resource.finding('Kinesis stream is not encrypted at rest: encryption_type is not set '
                               'and defaults to "NONE"')
    elif str(kind).upper() != "KMS":
        yield resource.finding(f"Kinesis stream is not encrypted at rest (encryption_type = {hcl(kind)})",
                               at="encryption_type")
