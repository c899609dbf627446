"""SNS topic without server-side encryption (no kms_master_key_id).

## Why
SNS stores each message until every subscription has received it, retries included. Without
`kms_master_key_id` a topic has no server-side encryption at all: SNS does not encrypt topics by
default. Notifications often carry more than their name suggests (order details, alerts with
hostnames and user data, events fanned out to queues). With a KMS key, publishers and the
services that deliver to encrypted queues also need permission on the key.

## Fix
Set `kms_master_key_id` to a customer managed key (or `alias/aws/sns`, the AWS managed key; a
customer managed key is needed when other AWS services such as EventBridge or CloudWatch alarms
publish to the topic, because the AWS managed key's policy cannot grant them access).

## Example
```hcl
# bad
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

# good
resource "aws_sns_topic" "alerts" {
  name              = "alerts"
  kms_master_key_id = aws_kms_key.sns.id
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import is_blank


@policy(id="IAC-ENC-016", name="sns-topic-unencrypted", severity=Severity.MEDIUM,
        family="encryption", applies_to=("aws_sns_topic",),
        equivalents=("CKV_AWS_26", "AVD-AWS-0095"), cwe=311, precision="high")
def sns_topic_unencrypted(resource, options):
    key = resource.get("kms_master_key_id")
    if key is None:
        yield resource.finding("SNS topic is not encrypted at rest: kms_master_key_id is not set "
                               "(SNS does not encrypt topics by default)")
    elif is_blank(key):
        yield resource.finding('SNS topic is not encrypted at rest (kms_master_key_id = "")',
                               at="kms_master_key_id")
