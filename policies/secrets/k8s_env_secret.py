"""Secret written into a workload's container spec: a literal `env` value or a command-line argument.

## Why
An `env` entry with a literal `value`, or a `--password=...` in a container's `command` or
`args`, puts the secret in the manifest, so in Git history, in every copy of the repository
and CI log, and in the object stored by the API server, where anyone who can read the
Deployment (far more people than can read Secrets) sees it. Command lines are also visible to
every process on the node (`ps`) and often logged.

Reported: `env` values whose name says secret (`DB_PASSWORD`, `API_KEY`) with a chosen-looking
literal, any `env` value with a credential's own shape (AWS keys, tokens, private keys, URLs
with a password), and credentials in `command`/`args`: `--password=x`, `--token x`,
`-api-key=x`, `curl -u user:pass`, `mysql -px`, including inside `sh -c '...'` scripts.
References (`$(DB_PASSWORD)`, `valueFrom`), placeholders and tokens a deploy step substitutes
(`GOOGLE_API_KEY: GOOGLE_API_KEY_VAL`) are not reported.

## Fix
Store the value in a Secret (created out of band, or by an external-secrets / sealed-secrets
operator) and reference it with `valueFrom.secretKeyRef`; in arguments, refer to the variable
(`--password=$(DB_PASSWORD)`) or have the program read a mounted file. Then rotate the
exposed credential.

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
from ._shell import argv_or_script_secrets


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
        yield from _command_line(container)


def _command_line(container):
    command, args = container.get("command"), container.get("args")
    words = [w for part in (command, args) if isinstance(part, list) for w in part]
    if not words or not all(isinstance(w, str) for w in words):
        return
    found = argv_or_script_secrets(words if isinstance(command, list) else [""] + words)
    if found:
        first, *rest = found
        more = f" (and {len(rest)} more)" if rest else ""
        at = "args" if isinstance(args, list) and any(first.value in w for w in args) else "command"
        yield container.finding(f"{describe(container)} passes a literal {first.kind} on its command line "
                                f"({first.masked}){more}", at=at)
