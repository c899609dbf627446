"""DynamoDB table encrypted with an AWS owned or AWS managed key, not a customer managed key.

## Why
Every DynamoDB table is encrypted at rest; the question is who controls the key. With the
default AWS owned key, nothing but IAM on the table stands between a principal and the data, and
KMS logs nothing. With `server_side_encryption { enabled = true }` and no `kms_key_arn`, the AWS
managed key `aws/dynamodb` is used: logged, but its policy cannot be changed. A customer managed
key lets the key policy limit who can decrypt (a second gate that survives an over-broad IAM
policy), lets you revoke access by disabling the key, and is required by many compliance
baselines for regulated data. Low severity: the data is encrypted either way.

## Fix
Add `server_side_encryption { enabled = true, kms_key_arn = aws_kms_key.x.arn }`. The key can
be changed on an existing table without downtime.

## Example
```hcl
# bad
resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
  attribute {
    name = "id"
    type = "S"
  }
}

# good
resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
  attribute {
    name = "id"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.dynamodb.arn
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl, is_blank, is_true


@policy(id="IAC-ENC-018", name="dynamodb-table-no-cmk", severity=Severity.LOW,
        family="encryption", applies_to=("aws_dynamodb_table",),
        equivalents=("CKV_AWS_119", "AVD-AWS-0025"), precision="high")
def dynamodb_table_no_cmk(resource, options):
    blocks = resource.blocks("server_side_encryption")
    if not blocks:
        yield resource.finding("DynamoDB table is encrypted with an AWS owned key: no "
                               "server_side_encryption block with a customer managed kms_key_arn")
        return
    sse = blocks[0]
    enabled = sse.get("enabled")
    if enabled is None or not is_true(enabled):
        where = "enabled" if enabled is not None else None
        what = f"enabled = {hcl(enabled)}" if enabled is not None else "enabled is not set"
        yield sse.finding(f"DynamoDB table is encrypted with an AWS owned key ({what})", at=where)
    elif is_blank(sse.get("kms_key_arn")):
        yield sse.finding("DynamoDB table is encrypted with the AWS managed key aws/dynamodb: "
                          "server_side_encryption has no kms_key_arn")
