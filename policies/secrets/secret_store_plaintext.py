"""Secret store filled from a literal in the code (Secrets Manager, Key Vault, Vault, GitHub secrets, ...).

## Why
Putting a value into Secrets Manager, Key Vault, Secret Manager, Vault, a Kubernetes Secret or
a GitHub Actions secret protects it at its destination; writing that value into the Terraform
code that creates the secret publishes it at the source. It is in every clone of the
repository, its history, its CI logs and the state file, readable by far more people than the
store's access policy allows.

Checked: `aws_secretsmanager_secret_version` (`secret_string`, `secret_binary`),
`aws_ssm_parameter` of type `SecureString` (`value`), `azurerm_key_vault_secret`,
`google_secret_manager_secret_version`, `kubernetes_secret` (`data`, `binary_data`),
`vault_generic_secret` and `vault_kv_secret*` (`data_json`), GitHub Actions, Dependabot and
Codespaces secrets (`plaintext_value`), Azure DevOps secret variables, Terraform Cloud
variables marked `sensitive`, and GitLab CI variables marked `masked`. A JSON value is read
key by key (a `username` or `host` next to the password is not a secret); a plain value counts
when it is a literal that looks like a credential. Values from `random_password`, data sources,
variables without a default and placeholders are not reported; a value whose literal is a
variable default is reported at that default (IAC-SEC-011).

## Fix
Do not give the value in the code. Generate it (`random_password.x.result`), let the service
create it (`manage_master_user_password`), or create the secret resource without a value and
set it out of band (`aws secretsmanager put-secret-value`, `gh secret set`), with
`lifecycle { ignore_changes = [secret_string] }`. Rotate every value that was committed.

## Example
```hcl
# bad
resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({ username = "app", password = "Zq8!vR2#kLw9" })
}

# good
resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({ username = "app", password = random_password.db.result })
}
```
"""

from __future__ import annotations

from iaclint.model import Severity, iter_values
from iaclint.registry import policy

from ._detect import Secret, _literal_ok, check_value, find_shapes, is_placeholder, json_value
from ._tf import COMPUTED_NOTE, INPUT_TYPES, Origins, holders

# type -> (where the value is, how to read it). "whole": the value is the secret; "each": a map
# whose every value is secret (a Kubernetes Secret's data); "json": a JSON document read by key.
STORES = {
    "aws_secretsmanager_secret_version": (("secret_string", "json"), ("secret_binary", "whole")),
    "aws_ssm_parameter": (("value", "json"),),
    "azurerm_key_vault_secret": (("value", "json"),),
    "google_secret_manager_secret_version": (("secret_data", "json"),),
    "kubernetes_secret": (("data", "each"), ("binary_data", "each")),
    "kubernetes_secret_v1": (("data", "each"), ("binary_data", "each")),
    "vault_generic_secret": (("data_json", "json"),),
    "vault_kv_secret": (("data_json", "json"),),
    "vault_kv_secret_v2": (("data_json", "json"),),
    "github_actions_secret": (("plaintext_value", "whole"),),
    "github_actions_environment_secret": (("plaintext_value", "whole"),),
    "github_actions_organization_secret": (("plaintext_value", "whole"),),
    "github_dependabot_secret": (("plaintext_value", "whole"),),
    "github_dependabot_organization_secret": (("plaintext_value", "whole"),),
    "github_codespaces_secret": (("plaintext_value", "whole"),),
    "azuredevops_variable_group": (("variable.secret_value", "whole"),),
    "tfe_variable": (("value", "whole"),),
    "gitlab_project_variable": (("value", "whole"),),
    "gitlab_group_variable": (("value", "whole"),),
    "gitlab_instance_variable": (("value", "whole"),),
}


def _applies(resource) -> bool:
    """Whether the resource is a secret at all (some types hold secrets only when marked)."""
    t = resource.type
    if t == "aws_ssm_parameter":
        return resource.get("type") == "SecureString"
    if t == "tfe_variable":
        return resource.get("sensitive") in (True, "true")
    if t.startswith("gitlab_"):
        return resource.get("masked") in (True, "true")
    return True


@policy(id="IAC-SEC-012", name="secret-store-plaintext", severity=Severity.HIGH, family="secrets",
        applies_to=tuple(STORES) + INPUT_TYPES, equivalents=("AVD-GIT-0002",), cwe=798, scope="project",
        precision="high")
def secret_store_plaintext(project, options):
    origins = Origins.of(project)
    for resource in project.of_type(*STORES):
        yield from project.guarded(_check(resource, origins), resource)


def _check(resource, origins):
    if not _applies(resource):
        return
    for path, how in STORES[resource.type]:
        for holder, attribute in holders(resource, path):
            value = holder.get(attribute)
            written = holder.written_here(attribute)
            found = [(where, secret) for where, secret in _stored(attribute, value, how)
                     if written or not origins.reported_elsewhere(secret, holder, attribute)]
            if not found:
                continue
            (where, secret), rest = found[0], found[1:]
            more = f" and {', '.join(w for w, _s in rest)}" if rest else ""
            note = "" if written else COMPUTED_NOTE
            yield holder.finding(f"{resource.type} is given a literal {secret.kind} in {where}{more} "
                                 f"({secret.masked}){note}: the secret is in the code, not only in the store",
                                 at=attribute)


def _stored(attribute: str, value, how: str):
    """``(where, secret)`` for the secrets in a stored value."""
    if how == "each":
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str) and item.strip() and not is_placeholder(item):
                    yield f"{attribute}.{key}", Secret("secret value", item.strip())
        return
    if not isinstance(value, str) or not value.strip():
        return
    hits = find_shapes(value)
    if hits:
        yield attribute, hits[0]
        return
    document = json_value(value) if how == "json" else None
    if isinstance(document, (dict, list)):
        for path, leaf in iter_values(document):
            keys = [p for p in path if isinstance(p, str)]
            secret = check_value(keys[-1], leaf) if keys else None
            if secret is not None:
                yield f"{attribute} key {'.'.join(keys)}", secret
                return
        return
    if _literal_ok(value, True):
        yield attribute, Secret("secret value", value.strip())
