"""CloudTrail trail does not encrypt its log files with a KMS key (kms_key_id not set).

## Why
A trail's log files record every API call in the account or organization: who did what, from
which address, on which resource. Without `kms_key_id` they are protected only by the bucket's
default encryption (SSE-S3), so anyone who can read the bucket, and log buckets are often shared
across an organization and with tooling, can read them. With SSE-KMS, reading a log also needs
`kms:Decrypt` on the trail's key, whose policy you control, and every decryption is itself
logged. The CIS AWS Foundations Benchmark requires it.

## Fix
Create a customer managed key whose policy lets CloudTrail encrypt (`kms:GenerateDataKey*` for
`cloudtrail.amazonaws.com`, scoped with `aws:SourceArn`) and your readers decrypt, then set
`kms_key_id` to its ARN.

## Example
```hcl
# bad
resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
}

# good
resource "aws_cloudtrail" "main" {
  name           = "main"
  s3_bucket_name = aws_s3_bucket.trail.id
  kms_key_id     = aws_kms_key.trail.arn
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import is_blank


@policy(id="IAC-ENC-019", name="cloudtrail-no-cmk", severity=Severity.MEDIUM, family="encryption",
        applies_to=("aws_cloudtrail",), equivalents=("CKV_AWS_35", "AVD-AWS-0015"),
        precision="high")
def cloudtrail_no_cmk(resource, options):
    key = resource.get("kms_key_id")
    if key is None:
        yield resource.finding("CloudTrail log files are not encrypted with a KMS key: kms_key_id is "
                               "not set (only the bucket's SSE-S3 protects them)")
    elif is_blank(key):
        yield resource.finding('CloudTrail log files are not encrypted with a KMS key (kms_key_id = "")',
                               at="kms_key_id")
