"""Secret values committed in a Kubernetes manifest (a Secret's data, or a ConfigMap).

## Why
A Secret manifest in the repository is the secret in the repository: base64 is an encoding,
not encryption, and whoever can read the repository, its forks, clones and CI logs can read
the value. A ConfigMap is worse: it is not even treated as sensitive by RBAC, audit logging or
encryption at rest.

## Fix
Keep real values out of Git: create Secrets out of band, or commit them encrypted (Sealed
Secrets, SOPS) or as references (External Secrets Operator, the Secrets Store CSI driver).
Move credentials out of ConfigMaps into Secrets. Then rotate every value that was committed.

## Example
```yaml
# bad
kind: Secret
data:
  password: UzNjcjN0UGFzc3cwcmQh
# good
kind: SealedSecret
spec:
  encryptedData:
    password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq...
```
"""

import base64
import binascii
import re

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import substitution_token
from ._detect import check_value, is_placeholder, mask, scan_text

SKIPPED_TYPES = frozenset({"kubernetes.io/service-account-token"})
# Values people commit to be replaced at deploy time.
_FILL_ME = re.compile(r"(?i)^(?:replace[_\-\s]?me|to[_\-\s]?be[_\-\s]?replaced|fill[_\-\s]?me(?:[_\-\s]?in)?|"
                      r"set[_\-\s]?me|insert[_\-\s]?\w*[_\-\s]?here|change[_\-\s]?this)$")


def _decode(raw: str) -> str:
    """The text behind a ``data`` value; the raw text when it is not base64 after all."""
    compact = "".join(raw.split())
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return raw
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return compact  # a keystore or DER key: real bytes, so mask the encoded form


def _real(value: str) -> bool:
    v = value.strip()
    if not v or is_placeholder(v) or _FILL_ME.match(v):
        return False
    # A certificate (tls.crt, ca.crt) is public; its private key is not.
    return not ("-----BEGIN CERTIFICATE-----" in v and "PRIVATE KEY" not in v)


def _secret(resource):
    if resource.get("type") in SKIPPED_TYPES:
        return
    name = resource.get("metadata.name") or resource.name
    for section, encoded in (("data", True), ("stringData", False)):
        values = resource.get(section)
        if not isinstance(values, dict):
            continue
        for key, raw in values.items():
            if not isinstance(raw, str):
                continue
            text = _decode(raw) if encoded else raw
            if _real(text) and not substitution_token(str(key), text):
                yield resource.finding(f'Secret "{name}" commits the value of {section}.{key} '
                                       f"({mask(text.strip())})", at=(section, key))


def _config_map(resource):
    name = resource.get("metadata.name") or resource.name
    values = resource.get("data")
    if not isinstance(values, dict):
        return
    for key, value in values.items():
        if not isinstance(value, str) or substitution_token(str(key), value):
            continue
        found = scan_text(value) or ([s] if (s := check_value(str(key), value)) else [])
        if found:
            secret = found[0]
            yield resource.finding(f'ConfigMap "{name}" holds a {secret.kind} in data.{key} '
                                   f"({secret.masked}): ConfigMaps are not secret", at=("data", key))


# One policy, two kinds: a Secret's every real value counts, a ConfigMap's only when it looks
# like a credential.
CHECKS = {"Secret": _secret, "ConfigMap": _config_map}


@policy(id="IAC-SEC-005", name="k8s-committed-secret", severity=Severity.HIGH, family="secrets",
        applies_to=tuple(CHECKS), equivalents=("AVD-KSV-0109",), cwe=540,
        precision="high")
def k8s_committed_secret(resource, options):
    yield from CHECKS[resource.type](resource)
