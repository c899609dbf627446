"""Secret stored in an SSM parameter of type String instead of SecureString.

## Why
A `String` or `StringList` parameter is stored and returned unencrypted: anyone with
`ssm:GetParameter` on it, or `ssm:DescribeParameters` plus read access through the console,
reads the value, it is not protected by a KMS key policy, and it appears in clear in CloudTrail
data events, the Terraform state and plan output. A `SecureString` is encrypted with KMS and is
only returned decrypted to callers allowed to use the key.

Reported: an `aws_ssm_parameter` of type `String` or `StringList` whose name says it holds a
secret (`/app/prod/db_password`, `.../api-key`) or whose value has a credential's own shape (AWS
keys, tokens, private keys, URLs with a password), whatever the value's origin: a generated
`random_password` stored as `String` is still stored in clear. Names that point at a secret
(`/app/db_password_arn`, `.../secret-name`) are not reported.

## Fix
Set `type = "SecureString"` (optionally with `key_id` for a customer managed key), or keep the
secret in Secrets Manager. Rotate the value if the parameter was readable by more people than
the secret's owners.

## Example
```hcl
# bad
resource "aws_ssm_parameter" "db_password" {
  name  = "/app/prod/db_password"
  type  = "String"
  value = random_password.db.result
}

# good
resource "aws_ssm_parameter" "db_password" {
  name  = "/app/prod/db_password"
  type  = "SecureString"
  value = random_password.db.result
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._detect import find_shapes, secret_name

PLAIN_TYPES = ("String", "StringList")


@policy(id="IAC-SEC-017", name="ssm-parameter-plaintext-secret", severity=Severity.MEDIUM,
        family="secrets", applies_to=("aws_ssm_parameter",), cwe=312, precision="high")
def ssm_parameter_plaintext_secret(resource, options):
    kind = resource.get("type")
    if not isinstance(kind, str) or kind not in PLAIN_TYPES:
        return
    name = resource.get("name")
    value = resource.get("value")
    if isinstance(value, str):
        hits = find_shapes(value)
        if hits:
            yield resource.finding(f"SSM parameter of type {kind} holds a {hits[0].kind} "
                                   f'({hits[0].masked}) in clear; use type = "SecureString"', at="type")
            return
    if isinstance(name, str) and secret_name(name.rstrip("/").rsplit("/", 1)[-1]):
        yield resource.finding(f'SSM parameter "{name}" is named like a secret but is a plain {kind}: '
                               'its value is stored and returned unencrypted; use type = "SecureString"',
                               at="type")
