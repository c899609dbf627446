"""S3 bucket with no server-side encryption configuration of its own.

## Why
Since January 2023 S3 encrypts every new object with SSE-S3 (an AWS-owned key), so a bucket
without any configuration is not stored in clear. What it lacks is a key you control: with
SSE-KMS the key policy is a second gate in front of the data (a leaked role that can read the
bucket still needs `kms:Decrypt`), key use is logged in CloudTrail, and a bucket whose
encryption is written in the code cannot silently drift when the account default changes.

Since AWS provider v4 the configuration usually lives in a separate
`aws_s3_bucket_server_side_encryption_configuration` resource. iaclint follows the reference
from that resource's `bucket` to the bucket (directly, through locals, variables or module
outputs, or by the bucket's literal name), so a bucket encrypted that way is never reported. The
inline `server_side_encryption_configuration` block of provider v3 counts too. When an SSE
configuration names a bucket that cannot be known statically, the check is skipped for the
buckets it might cover, and counted as skipped.

## Fix
Add an `aws_s3_bucket_server_side_encryption_configuration` for the bucket, with
`sse_algorithm = "aws:kms"` and a customer managed key.

## Example
```hcl
# bad
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

# good
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = aws_s3_bucket.reports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.reports.arn
    }
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

SSE = "aws_s3_bucket_server_side_encryption_configuration"


@policy(id="IAC-ENC-060", name="s3-encryption-not-declared", severity=Severity.LOW, family="encryption",
        applies_to=("aws_s3_bucket", SSE), scope="project",
        equivalents=("CKV_AWS_19", "CKV_AWS_145", "AVD-AWS-0088", "AVD-AWS-0132"), cwe=311,
        precision="high")
def s3_encryption_not_declared(project, options):
    configs = project.of_type(SSE)
    by_name = {}
    unresolved = []  # SSE configurations whose bucket we could neither follow nor read
    for sse in configs:
        name = sse.get("bucket")
        if isinstance(name, str):
            by_name.setdefault((sse.meta.get("root"), name), []).append(sse)
        elif not project.references(sse, "aws_s3_bucket", via="bucket"):
            unresolved.append(sse)
    for bucket in project.of_type("aws_s3_bucket"):
        yield from project.guarded(_check(project, bucket, by_name, unresolved), bucket)


def _check(project, bucket, by_name, unresolved):
    if bucket.get("server_side_encryption_configuration"):
        return  # provider v3 inline configuration
    if project.referrers(bucket, SSE, via="bucket"):
        return
    name = bucket.get("bucket")
    if isinstance(name, str) and by_name.get((bucket.meta.get("root"), name)):
        return
    for sse in unresolved:
        if sse.meta.get("root") == bucket.meta.get("root"):
            sse.get("bucket") == ""  # raises UnknownValue: it may encrypt this bucket
    yield bucket.finding("S3 bucket declares no server-side encryption: only S3's default SSE-S3 "
                         "with an AWS-owned key applies")
