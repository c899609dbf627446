"""Password, access key or token written into Terraform code.

## Why
A credential in a `.tf` file is in every clone of the repository, in its history forever, in CI
logs and in the state file. Anyone who can read the code can use it, and rotating it means
finding every copy. Terraform code should refer to where the secret lives, not hold it.

Checked: provider credentials (`access_key`, `secret_key`, `token` of `aws`; `client_secret`,
`client_certificate_password` of `azurerm`; `credentials`, `access_token` of `google`; `token`
and `app_auth.pem_file` of `github`), database master passwords (RDS, Aurora, Redshift,
DocumentDB, Azure SQL, PostgreSQL, MySQL, MariaDB), ElastiCache `auth_token`, Amazon MQ
`user.password`, Azure virtual machine `admin_password`, and the `default` of variables. A secret
is reported once, where its literal is written: a variable default that holds a password is
reported at the default, not again at every argument that uses the variable.

A value counts when it has the shape of a provider credential (AWS key id, GitHub token, private
key, ...) or when the attribute's or variable's name says secret and the value is a literal that
looks chosen (inside a map default, a plain word under a key like `http_tokens` is a setting,
unless the variable itself is named like a secret). References (`var.x` without a default,
`random_password.x.result`, data sources), placeholders (`changeme`, `${...}`, `<password>`) and
paths are not reported. The message shows at most the first four characters.

## Fix
Remove the value and rotate it (it is in the history). Pass secrets as variables marked
`sensitive = true` without a default, read them from a secret store
(`aws_secretsmanager_secret_version`, `azurerm_key_vault_secret`), or let the service manage
them (`manage_master_user_password = true` for RDS). Give providers credentials through the
environment or an instance/workload role.

## Example
```hcl
# bad
resource "aws_db_instance" "app" {
  username = "app"
  password = "Zq8!vR2#kLw9"
}

# good
resource "aws_db_instance" "app" {
  username                    = "app"
  manage_master_user_password = true
}
```
"""

from __future__ import annotations

import re

from iaclint.model import Severity, iter_values
from iaclint.registry import policy

from ._detect import check_value, scan_text, secret_name

# Attributes that hold a credential on the types this policy applies to ("block.attribute" for
# nested blocks). The engine picks the types; a name absent from a type is simply not there.
CREDENTIAL_ATTRIBUTES = (
    "access_key", "secret_key", "token",                          # provider aws, github
    "client_secret", "client_certificate_password",               # provider azurerm
    "credentials", "access_token",                                # provider google
    "app_auth.pem_file",                                          # provider github
    "password", "master_password", "auth_token",                  # AWS databases and caches
    "administrator_login_password", "administrator_password",     # Azure databases
    "admin_password", "sql_administrator_login_password",         # Azure VMs, Synapse
    "user.password",                                              # aws_mq_broker
    "os_profile.admin_password",                                  # azurerm_virtual_machine
)
# A plain lowercase word or identifier ("required", "read-only"): a setting, unless the name is
# unmistakably a secret's.
_WORD = re.compile(r"^[a-z]+(?:[_\-][a-z]+)*$")
# May hold a file path instead of the secret itself: only a secret's own shape counts.
PATTERN_ONLY = frozenset({"credentials"})

AZURE_TYPES = (
    "azurerm_mssql_server", "azurerm_sql_server", "azurerm_mssql_managed_instance",
    "azurerm_postgresql_server", "azurerm_postgresql_flexible_server", "azurerm_mysql_server",
    "azurerm_mysql_flexible_server", "azurerm_mariadb_server", "azurerm_synapse_workspace",
    "azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine",
    "azurerm_linux_virtual_machine_scale_set", "azurerm_windows_virtual_machine_scale_set",
    "azurerm_virtual_machine",
)


@policy(id="IAC-SEC-001", name="terraform-hardcoded-credential", severity=Severity.CRITICAL,
        family="secrets",
        applies_to=("provider.aws", "provider.azurerm", "provider.google", "provider.github",
                    "aws_db_instance", "aws_rds_cluster", "aws_redshift_cluster", "aws_docdb_cluster",
                    "aws_elasticache_replication_group", "aws_mq_broker", *AZURE_TYPES, "variable"),
        equivalents=("CKV_AWS_41",), cwe=798, precision="high")
def terraform_hardcoded_credential(resource, options):
    if "default" in resource:  # only a variable block has a default
        yield from _variable(resource)
        return
    for path in CREDENTIAL_ATTRIBUTES:
        block_key, _, attribute = path.rpartition(".")
        holders = resource.blocks(block_key) if block_key else [resource]
        for holder in holders:
            value = holder.get(attribute)
            if value is None or not holder.written_here(attribute):
                continue  # a value from a variable is reported at the variable's literal default
            secret = _find(attribute, value)
            if secret is not None:
                yield holder.finding(f"hard-coded {secret.kind} in {path}: {secret.masked}", at=attribute)


def _variable(resource):
    default = resource.get("default")
    named = secret_name(resource.name)
    for path, value in iter_values(default):
        keys = [p for p in path if isinstance(p, str)]
        name = keys[-1] if keys else resource.name
        secret = _find(name, value)
        if (secret is not None and keys and not named and _find_shape(value) is None
                and _WORD.match(value)):
            # Only a key's name says secret, and the value is a plain word: inside
            # `metadata_options`, `http_tokens = "required"` is a setting, not a token.
            secret = None
        if secret is not None:
            where = "default" + "".join(f"[{p!r}]" for p in path).replace("'", '"')
            yield resource.finding(f"hard-coded {secret.kind} in variable {resource.name} {where}: "
                                   f"{secret.masked}", at="default")


def _find(name, value):
    if name in PATTERN_ONLY:
        return _find_shape(value)
    if not isinstance(value, str):
        return None  # a reference nobody can know, a number, a bool
    return check_value(name, value)


def _find_shape(value):
    """A value that has a credential's own shape (AWS key id, GitHub token, private key...)."""
    if not isinstance(value, str):
        return None
    hits = [s for s in scan_text(value) if not s.kind.endswith(" value")]
    return hits[0] if hits else None
