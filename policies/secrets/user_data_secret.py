"""Credential in EC2 user data (instance, launch template or launch configuration).

## Why
User data is not a secret store. Anyone allowed `ec2:DescribeInstanceAttribute` or
`ec2:DescribeLaunchTemplateVersions` reads it in clear, every process on the instance can fetch
it from the metadata service (`/latest/user-data`, no IMDS token needed with IMDSv1), and it is
copied into AMIs, launch template versions, Terraform state and often console logs. A key or
password written there leaks far beyond the instance.

`user_data` and `user_data_base64` are scanned (base64 and gzip are decoded) for provider
credentials (AWS access keys, GitHub, GitLab, Slack and Stripe tokens, private keys, JWTs,
passwords in URLs) and for `PASSWORD=...` style assignments of chosen-looking literals.
User data built with `templatefile()` or `base64encode()` of unknown input cannot be read
statically and is skipped.

## Fix
Remove the secret and rotate it. Give the instance an IAM role (instance profile) instead of
access keys, and have the boot script fetch other secrets at run time from Secrets Manager or
SSM Parameter Store (`aws ssm get-parameter --with-decryption`).

## Example
```hcl
# bad
user_data = <<-EOT
  #!/bin/bash
  export DB_PASSWORD=Zq8vR2kLw9xT
EOT

# good
user_data = <<-EOT
  #!/bin/bash
  export DB_PASSWORD="$(aws ssm get-parameter --name /app/db --with-decryption \
    --query Parameter.Value --output text)"
EOT
```
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib

from iaclint.model import Severity
from iaclint.registry import policy

from ._detect import scan_text

_BASE64 = re.compile(r"^[A-Za-z0-9+/\s]+=*\s*$")


@policy(id="IAC-SEC-004", name="user-data-secret", severity=Severity.HIGH, family="secrets",
        applies_to=("aws_instance", "aws_launch_template", "aws_launch_configuration"),
        equivalents=("CKV_AWS_46", "AVD-AWS-0029", "AVD-AWS-0129"), cwe=798, precision="high")
def user_data_secret(resource, options):
    for key in ("user_data", "user_data_base64"):
        value = resource.get(key)
        if value is None:
            continue
        text = str(value)
        found = {}
        for candidate in (text, _decoded(text)):
            for secret in scan_text(candidate or ""):
                found.setdefault(secret.value, secret)
        if not found:
            continue
        first, *rest = found.values()
        more = f" (and {len(rest)} more)" if rest else ""
        yield resource.finding(f"{key} contains a hard-coded {first.kind}: {first.masked}{more}", at=key)


def _decoded(text: str) -> str | None:
    """The text behind base64 (optionally gzip-compressed) user data, or None."""
    compact = "".join(text.split())
    if len(compact) < 12 or len(compact) % 4 or not _BASE64.match(text):
        return None
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
