"""Symmetric KMS key without automatic key rotation (enable_key_rotation not true).

## Why
With automatic rotation, KMS creates new key material every year (or every
`rotation_period_in_days`) and encrypts new data with it, while keeping the old material to
decrypt what it already protected. It bounds how much data depends on one piece of key material
and is what the CIS AWS Foundations Benchmark and PCI DSS expect. `enable_key_rotation` defaults
to `false`.

Only keys that support automatic rotation are judged: symmetric encryption keys
(`customer_master_key_spec` / `key_spec` missing or `SYMMETRIC_DEFAULT`) whose key material KMS
generates. Asymmetric and HMAC keys, and keys in a custom key store (`custom_key_store_id`,
`xks_key_id`), cannot be rotated automatically and are not reported; imported key material is a
different resource (`aws_kms_external_key`).

## Fix
Set `enable_key_rotation = true` (optionally `rotation_period_in_days`, 90 to 2560 days).

## Example
```hcl
# bad
resource "aws_kms_key" "data" {
  description = "data"
}

# good
resource "aws_kms_key" "data" {
  description         = "data"
  enable_key_rotation = true
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl, is_blank, is_true


@policy(id="IAC-ENC-021", name="kms-key-rotation-disabled", severity=Severity.MEDIUM,
        family="encryption", applies_to=("aws_kms_key",),
        equivalents=("CKV_AWS_7", "AVD-AWS-0065"), cwe=324, precision="high")
def kms_key_rotation_disabled(resource, options):
    for key in ("customer_master_key_spec", "key_spec"):
        spec = resource.get(key)
        if spec is not None and str(spec).upper() != "SYMMETRIC_DEFAULT":
            return  # asymmetric or HMAC: no automatic rotation
    if not (is_blank(resource.get("custom_key_store_id")) and is_blank(resource.get("xks_key_id"))):
        return  # custom key store: no automatic rotation
    rotation = resource.get("enable_key_rotation")
    if rotation is None:
        yield resource.finding("KMS key is not rotated: enable_key_rotation is not set and defaults "
                               "to false")
    elif not is_true(rotation):
        yield resource.finding(f"KMS key is not rotated (enable_key_rotation = {hcl(rotation)})",
                               at="enable_key_rotation")
