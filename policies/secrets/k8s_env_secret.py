"""Secret written as a literal environment variable in a workload.

## Why
An `env` entry with a literal `value` puts the secret in the manifest, so in Git history, in
every copy of the repository and CI log, and in the object stored by the API server, where
anyone who can read the Deployment (far more people than can read Secrets) sees it.

## Fix
Store the value in a Secret (created out of band, or by an external-secrets / sealed-secrets
operator) and reference it with `valueFrom.secretKeyRef`; then rotate the exposed credential.

## Example
```yaml
# bad
env:
  - name: DB_PASSWORD
    value: "Zq8#mP2v!rT5"
# good
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef:
        name: db
        key: password
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import describe, substitution_token
from ._detect import check_value


@policy(id="IAC-SEC-002", name="k8s-env-secret", severity=Severity.HIGH, family="secrets",
        applies_to=("k8s:workload",), cwe=798, precision="high")
def k8s_env_secret(resource, options):
    for container in resource.containers():
        for var in container.blocks("env"):
            name, value = var.get("name"), var.get("value")
            if not isinstance(name, str) or not isinstance(value, str) or substitution_token(name, value):
                continue
            secret = check_value(name, value)
            if secret is not None:
                yield var.finding(f"{describe(container)} sets {name} to a literal {secret.kind} "
                                  f"({secret.masked})", at="value")
