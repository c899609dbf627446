"""Secret written as a Terraform input: a variable's default or a module argument.

## Why
A variable default is code: it is committed, reviewed in pull requests, copied into forks and
kept in history forever, and Terraform uses it silently whenever nobody passes a value. A
module argument written as a literal is the same thing one level up. `sensitive = true` hides
the value from plan output, not from the repository. Whoever can read the code has the secret.

Reported: a variable `default` (whole value, or any entry of a map or object default) and a
`module` argument holding a credential: by name (`db_password`, `api_token`, a `password` key
in an object default), by the value's own shape (an AWS key id, a GitHub token, a private key),
or any literal default of a variable marked `sensitive = true`. Placeholders (`changeme`,
`<password>`, `${...}`), references to secret stores, paths and settings
(`http_tokens = "required"`) are not reported. A secret is reported here once: the resource
arguments that use the variable are not reported again.

## Fix
Remove the default (a variable without one must be given a value), mark the variable
`sensitive = true`, and pass the value at plan time from a secret store or the CI's secret
variables (`TF_VAR_db_password`). Better, let the service generate and keep the secret
(`random_password`, `manage_master_user_password = true`). Rotate the value that was committed.

## Example
```hcl
# bad
variable "db_password" {
  type    = string
  default = "Rp7!mQ2#vX9z"
}

# good
variable "db_password" {
  type      = string
  sensitive = true
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._tf import input_secrets


@policy(id="IAC-SEC-011", name="variable-hardcoded-secret", severity=Severity.HIGH, family="secrets",
        applies_to=("variable", "module"), equivalents=("AVD-GEN-0004",), cwe=798, precision="high")
def variable_hardcoded_secret(resource, options):
    reported = set()
    for arg, path, secret in input_secrets(resource):
        if (arg, secret.value) in reported:
            continue
        reported.add((arg, secret.value))
        where = arg + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in path).replace("'", '"')
        what = f"variable {resource.name}" if resource.type == "variable" else f"module {resource.name}"
        yield resource.finding(f"hard-coded {secret.kind} in {what} {where}: {secret.masked}",
                               at=(arg,) + path)
