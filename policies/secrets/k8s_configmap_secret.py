"""Credential stored in a Kubernetes ConfigMap.

## Why
A ConfigMap is not a secret store: RBAC roles commonly grant read access to ConfigMaps to
people and controllers that may not read Secrets, their contents are shown by `kubectl
describe`, logged by audit policies that redact Secrets, and not covered by encryption at rest
for Secrets. A password in a ConfigMap is also in the repository the manifest comes from.

Reported: a `data` entry whose key says secret (`DB_PASSWORD`, `api-key`) with a chosen-looking
literal value, and any entry, including whole configuration files (`application.properties`,
`config.yaml`), that holds a provider credential (AWS keys, GitHub, Slack, Stripe tokens,
Google API keys, private keys, JWTs, URLs with a password) or a `password=...` style
assignment of a chosen-looking literal. Placeholders and tokens a deploy step substitutes
(`GOOGLE_API_KEY: GOOGLE_API_KEY_VAL`) are not reported.

## Fix
Move the value into a Secret (created out of band, or by External Secrets / Sealed Secrets)
and mount or reference it (`secretKeyRef`, a projected volume); keep only non-secret settings
in the ConfigMap. Rotate the exposed credential.

## Example
```yaml
# bad
kind: ConfigMap
data:
  DB_PASSWORD: "Zq8#mP2v!rT5"
# good
kind: ConfigMap
data:
  DB_HOST: db.internal
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import substitution_token
from ._detect import check_value, scan_text


@policy(id="IAC-SEC-006", name="k8s-configmap-secret", severity=Severity.HIGH, family="secrets",
        applies_to=("ConfigMap",), equivalents=("AVD-KSV-0109",), cwe=312, precision="high")
def k8s_configmap_secret(resource, options):
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
