"""Secret values committed in a Kubernetes Secret manifest.

## Why
A Secret manifest in the repository is the secret in the repository: base64 is an encoding,
not encryption, and whoever can read the repository, its forks, clones and CI logs can read
the value.

Reported: every real value under `data` (decoded) and `stringData` of a `Secret`. Not reported:
empty values, placeholders (`changeme`, `${SMTP_USER}`, `<set by the pipeline>`, `REPLACE_ME`,
`DB_PASSWORD_VAL`), the public certificate of a TLS Secret (its private key is reported),
service-account token Secrets (the token controller fills them) and encrypted kinds such as
`SealedSecret` (a different kind). Messages show no part of the value.

## Fix
Keep real values out of Git: create Secrets out of band, or commit them encrypted (Sealed
Secrets, SOPS) or as references (External Secrets Operator, the Secrets Store CSI driver).
Then rotate every value that was committed.

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

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import substitution_token
from ._detect import is_placeholder, mask

SKIPPED_TYPES = frozenset({"kubernetes.io/service-account-token"})


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
    if not v or is_placeholder(v):
        return False
    # A certificate (tls.crt, ca.crt) or a public key is public; a private key is not.
    if "PRIVATE KEY" in v:
        return True
    return not ("-----BEGIN CERTIFICATE-----" in v or "-----BEGIN PUBLIC KEY-----" in v
                or v.startswith(("ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-")))


def _secret(resource):
    kind = resource.get("type")
    if isinstance(kind, str) and kind in SKIPPED_TYPES:  # a type that is no string: no type (Opaque)
        return
    name = resource.get("metadata.name")
    name = name if isinstance(name, str) and name else resource.name
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


@policy(id="IAC-SEC-005", name="k8s-committed-secret", severity=Severity.HIGH, family="secrets",
        applies_to=("Secret",), cwe=540, precision="high")
def k8s_committed_secret(resource, options):
    yield from _secret(resource)
