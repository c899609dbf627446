"""EBS volume created without encryption at rest.

## Why
An unencrypted EBS volume keeps its data, and every snapshot taken from it, in clear on AWS
storage: a snapshot shared by mistake, copied to another account or made public exposes it
whole, and nothing but IAM stands between the data and anyone who can read the snapshot.
Encryption with KMS costs nothing measurable and adds the key policy as a second gate.

`encrypted` defaults to `false`. A volume restored from `snapshot_id` takes the snapshot's
encryption, so it is not reported: the snapshot decides. Accounts that turn on EBS encryption by
default (`aws_ebs_encryption_by_default`) encrypt new volumes anyway; this policy cannot see that
account setting, so say `encrypted = true` in the code, where reviewers can see it.

## Differences from Checkov
Checkov's CKV2_AWS_2 reports the same unencrypted volumes when an `aws_volume_attachment`
attaches them to an instance; iaclint reports every unencrypted volume, attached or not (a
detached volume and its snapshots hold the data just the same). CKV2_AWS_2 also fails a volume
restored from a snapshot that does not write `encrypted = true`; iaclint leaves that one to the
snapshot, as said above.

## Fix
Set `encrypted = true`, and `kms_key_id` to a customer managed key when you need to control who
can use the key.

## Example
```hcl
# bad
resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
}

# good
resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
  encrypted         = true
  kms_key_id        = aws_kms_key.ebs.arn
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-ENC-001", name="ebs-unencrypted", severity=Severity.HIGH, family="encryption",
        applies_to=("aws_ebs_volume",), equivalents=("CKV_AWS_3", "CKV2_AWS_2", "AVD-AWS-0026"), cwe=311,
        precision="high")
def ebs_unencrypted(resource, options):
    if resource.get("snapshot_id") is not None:
        return  # restored from a snapshot: it inherits the snapshot's encryption
    encrypted = resource.get("encrypted")
    if encrypted is None:
        yield resource.finding("EBS volume is not encrypted: encrypted is not set and defaults to false")
    elif not (encrypted is True or encrypted == "true"):
        yield resource.finding(f"EBS volume is not encrypted (encrypted = {_hcl(encrypted)})", at="encrypted")


def _hcl(value) -> str:
    return "false" if value is False else f"{value!r}".replace("'", '"')
