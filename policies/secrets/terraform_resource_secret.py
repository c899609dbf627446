"""Passwords, tokens and keys written into Terraform resource arguments, one policy per platform.

Each row of ``ROWS`` is one policy: the arguments that hold a credential on that platform's
resource types (``block.argument`` for nested blocks, ``argument[]`` for a list of secrets,
``argument{}`` for a map whose keys name its secrets). A value is reported when it is a literal
credential: a secret's own shape, or a literal that looks chosen (not a placeholder, a
reference, a path or a setting). A value that comes from a variable whose default holds the
literal is reported at that default (IAC-SEC-011), once; a value whose literal is in a local,
a ``.tfvars`` file or an expression is reported at the argument, saying so.
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._tf import INPUT_TYPES, Origins, holders, value_secret

_WHY = """
## Why
A credential in a `.tf` file is in every clone of the repository, its forks and CI logs, in
the Git history after it is "removed", and in the state file. Anyone who can read the code can
use it, and rotating it means finding every copy. Terraform code should say where the secret
comes from (a generated value, a secret store, a managed secret), not hold it.
"""


class Row:
    """One row of the table (a plain class, as ``encryption/_flags.Flag``: rows are only read)."""

    __slots__ = ("id", "name", "summary", "arguments", "checked", "fix", "example", "severity",
                 "equivalents")

    def __init__(self, id: str, name: str, summary: str, arguments: dict, checked: str, fix: str,
                 example: str, severity: Severity = Severity.HIGH,
                 equivalents: tuple = ("AVD-GEN-0001",)):
        self.id, self.name, self.summary = id, name, summary
        self.arguments = arguments  # resource type -> credential arguments
        self.checked = checked      # the "Checked:" paragraph of the docs
        self.fix, self.example, self.severity, self.equivalents = fix, example, severity, equivalents

    @property
    def doc(self) -> str:
        return (f"{self.summary}\n{_WHY}\nChecked: {self.checked} Placeholders (`changeme`, "
                f"`<password>`, `${{...}}`) and references are not reported; messages show at most a "
                f"provider's public prefix.\n\n## Fix\n{self.fix}\n\n## Example\n{self.example}\n")


ROWS = (
    Row(
        id="IAC-SEC-007", name="aws-resource-hardcoded-secret",
        summary="Password, auth token or private key written into an AWS resource argument.",
        arguments={
            "aws_db_instance": ("password",),
            "aws_rds_cluster": ("master_password",),
            "aws_docdb_cluster": ("master_password",),
            "aws_docdb_elastic_cluster": ("admin_user_password",),
            "aws_redshift_cluster": ("master_password",),
            "aws_redshiftserverless_namespace": ("admin_user_password",),
            "aws_lightsail_database": ("master_password",),
            "aws_elasticache_replication_group": ("auth_token",),
            "aws_elasticache_user": ("passwords[]",),
            "aws_memorydb_user": ("authentication_mode.passwords[]",),
            "aws_mq_broker": ("user.password",),
            "aws_opensearch_domain": ("advanced_security_options.master_user_options.master_user_password",),
            "aws_elasticsearch_domain": ("advanced_security_options.master_user_options.master_user_password",),
            "aws_directory_service_directory": ("password",),
            "aws_dms_endpoint": ("password",),
            "aws_fsx_windows_file_system": ("self_managed_active_directory.password",),
            "aws_fsx_ontap_file_system": ("fsx_admin_password",),
            "aws_fsx_ontap_storage_virtual_machine": ("svm_admin_password",),
            "aws_datasync_location_smb": ("password",),
            "aws_datasync_location_object_storage": ("secret_key",),
            "aws_kinesis_firehose_delivery_stream": ("redshift_configuration.password",
                                                     "splunk_configuration.hec_token",
                                                     "http_endpoint_configuration.access_key"),
            "aws_glue_connection": ("connection_properties{}",),
            "aws_codepipeline": ("stage.action.configuration{}",),
            "aws_codebuild_source_credential": ("token",),
            "aws_amplify_app": ("basic_auth_credentials", "oauth_token", "access_token"),
            "aws_amplify_branch": ("basic_auth_credentials",),
            "aws_api_gateway_api_key": ("value:api_key",),
            "aws_vpn_connection": ("tunnel1_preshared_key", "tunnel2_preshared_key"),
            "aws_iam_server_certificate": ("private_key",),
            "aws_acm_certificate": ("private_key",),
        },
        checked="database master passwords (RDS, Aurora, DocumentDB, Redshift, Lightsail), "
                "ElastiCache and MemoryDB auth tokens and user passwords, Amazon MQ users, "
                "OpenSearch master users, Directory Service, DMS, FSx, DataSync, Firehose "
                "destinations, Glue connection properties, CodePipeline source tokens, CodeBuild "
                "source credentials, Amplify credentials, API Gateway key values, VPN pre-shared "
                "keys, and private keys of imported certificates.",
        fix="Remove the value and rotate it. Let AWS keep the secret: "
            "`manage_master_user_password = true` (RDS, Aurora, Redshift, DocumentDB), or generate "
            "it with `random_password` and store it in Secrets Manager; read existing secrets with "
            "the `aws_secretsmanager_secret_version` data source. Use a CodeStar connection instead "
            "of a GitHub token in pipelines.",
        example="""```hcl
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
```""",
    ),
    Row(
        id="IAC-SEC-008", name="azure-resource-hardcoded-secret",
        summary="Administrator password or shared key written into an Azure resource argument.",
        arguments={
            "azurerm_mssql_server": ("administrator_login_password",),
            "azurerm_sql_server": ("administrator_login_password",),
            "azurerm_mssql_managed_instance": ("administrator_login_password",),
            "azurerm_sql_managed_instance": ("administrator_login_password",),
            "azurerm_postgresql_server": ("administrator_login_password",),
            "azurerm_postgresql_flexible_server": ("administrator_password",),
            "azurerm_mysql_server": ("administrator_login_password",),
            "azurerm_mysql_flexible_server": ("administrator_password",),
            "azurerm_mariadb_server": ("administrator_login_password",),
            "azurerm_synapse_workspace": ("sql_administrator_login_password",),
            "azurerm_linux_virtual_machine": ("admin_password",),
            "azurerm_windows_virtual_machine": ("admin_password",),
            "azurerm_linux_virtual_machine_scale_set": ("admin_password",),
            "azurerm_windows_virtual_machine_scale_set": ("admin_password",),
            "azurerm_virtual_machine": ("os_profile.admin_password",),
            "azurerm_virtual_machine_scale_set": ("os_profile.admin_password",),
            "azurerm_kubernetes_cluster": ("windows_profile.admin_password",),
            "azurerm_dev_test_linux_virtual_machine": ("password",),
            "azurerm_dev_test_windows_virtual_machine": ("password",),
            "azurerm_hdinsight_hadoop_cluster": ("gateway.password",),
            "azurerm_hdinsight_spark_cluster": ("gateway.password",),
            "azurerm_hdinsight_kafka_cluster": ("gateway.password",),
            "azurerm_hdinsight_hbase_cluster": ("gateway.password",),
            "azurerm_hdinsight_interactive_query_cluster": ("gateway.password",),
            "azurerm_automation_credential": ("password",),
            "azurerm_virtual_network_gateway_connection": ("shared_key",),
            "azurerm_vpn_gateway_connection": ("vpn_link.shared_key",),
        },
        checked="administrator passwords of Azure SQL, SQL Managed Instance, PostgreSQL, MySQL, "
                "MariaDB and Synapse, virtual machine and scale set admin passwords (also "
                "`os_profile`), AKS Windows profiles, DevTest Labs VMs, HDInsight gateways, "
                "Automation credentials and VPN connection shared keys.",
        fix="Remove the value and rotate it. Use Microsoft Entra authentication "
            "(`azuread_administrator` with `azuread_authentication_only = true`) for databases and "
            "SSH keys (`admin_ssh_key`, `disable_password_authentication = true`) for Linux VMs; "
            "where a password is unavoidable, generate it with `random_password` and keep it in "
            "Key Vault (`azurerm_key_vault_secret`).",
        example="""```hcl
# bad
resource "azurerm_mssql_server" "main" {
  administrator_login          = "sqladmin"
  administrator_login_password = "H@rdC0ded-Sql-Pass"
}

# good
resource "azurerm_mssql_server" "main" {
  azuread_administrator {
    login_username              = "sql-admins"
    object_id                   = var.sql_admins_group_id
    azuread_authentication_only = true
  }
}
```""",
    ),
    Row(
        id="IAC-SEC-009", name="gcp-resource-hardcoded-secret",
        summary="Password, shared secret or private key written into a Google Cloud resource argument.",
        arguments={
            "google_sql_user": ("password",),
            "google_sql_database_instance": ("root_password",),
            "google_container_cluster": ("master_auth.password",),
            "google_alloydb_cluster": ("initial_user.password",),
            "google_bigquery_connection": ("cloud_sql.credential.password",),
            "google_datastream_connection_profile": ("mysql_profile.password", "postgresql_profile.password",
                                                     "oracle_profile.password", "sql_server_profile.password"),
            "google_compute_vpn_tunnel": ("shared_secret",),
            "google_compute_ssl_certificate": ("private_key",),
            "google_compute_region_ssl_certificate": ("private_key",),
            "google_certificate_manager_certificate": ("self_managed.private_key_pem",),
        },
        checked="Cloud SQL user and root passwords, GKE basic-auth passwords, AlloyDB initial users, "
                "BigQuery Cloud SQL connections, Datastream connection profiles, VPN tunnel shared "
                "secrets and private keys of uploaded certificates.",
        fix="Remove the value and rotate it. Use IAM database authentication "
            "(`type = \"CLOUD_IAM_USER\"` or `CLOUD_IAM_SERVICE_ACCOUNT` for `google_sql_user`), or "
            "generate the password with `random_password` and keep it in Secret Manager; use "
            "Google-managed certificates instead of uploading private keys.",
        example="""```hcl
# bad
resource "google_sql_user" "app" {
  name     = "app"
  instance = google_sql_database_instance.main.name
  password = "Gc9!pL2#xQ7v"
}

# good
resource "google_sql_user" "app" {
  name     = "app@my-project.iam"
  instance = google_sql_database_instance.main.name
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}
```""",
    ),
    Row(
        id="IAC-SEC-010", name="database-user-hardcoded-password",
        summary="Database or broker user password written into a Terraform resource (PostgreSQL, MySQL, MongoDB Atlas, ...).",
        arguments={
            "postgresql_role": ("password",),
            "mysql_user": ("plaintext_password", "password"),
            "mongodbatlas_database_user": ("password",),
            "snowflake_user": ("password",),
            "snowflake_legacy_service_user": ("password",),
            "rabbitmq_user": ("password",),
            "mssql_login": ("password",),
            "mssql_user": ("password",),
            "clickhouse_user": ("password",),
            "cockroach_sql_user": ("password",),
            "elasticstack_elasticsearch_security_user": ("password",),
            "grafana_user": ("password",),
        },
        checked="user and role passwords of the PostgreSQL, MySQL, MongoDB Atlas, Snowflake, "
                "RabbitMQ, SQL Server, ClickHouse, CockroachDB, Elasticsearch and Grafana providers.",
        fix="Remove the value and rotate it. Generate the password with `random_password` (and "
            "store it in a secret store for the applications that need it), or use the database's "
            "IAM or certificate authentication where it has one.",
        example="""```hcl
# bad
resource "postgresql_role" "app" {
  name     = "app"
  login    = true
  password = "Pg7!vR2#kLw9"
}

# good
resource "random_password" "app" {
  length = 32
}

resource "postgresql_role" "app" {
  name     = "app"
  login    = true
  password = random_password.app.result
}
```""",
    ),
)


def _register(row: Row) -> None:
    types = tuple(row.arguments)

    def check(project, options):
        origins = Origins.of(project)
        for resource in project.of_type(*types):
            yield from project.guarded(_resource(resource, row.arguments[resource.type], origins), resource)

    policy(id=row.id, name=row.name, severity=row.severity, family="secrets", applies_to=types + INPUT_TYPES,
           equivalents=row.equivalents, cwe=798, scope="project", precision="high", doc=row.doc)(check)


def _resource(resource, arguments: tuple, origins: Origins):
    for spec in arguments:
        spec, _, alias = spec.partition(":")  # "value:api_key": judge `value` as an API key
        path = spec.rstrip("[]{}")
        for holder, attribute in holders(resource, path):
            value = holder.get(attribute)
            written = holder.written_here(attribute)
            if spec.endswith("[]") and isinstance(value, list):
                candidates = [(attribute, v) for v in value]
            elif spec.endswith("{}") and isinstance(value, dict):
                candidates = [(str(k), v) for k, v in value.items()]
            else:
                candidates = [(attribute, value)]
            for name, candidate in candidates:
                found = value_secret(candidate, alias or name, origins, written, node=holder,
                                     attribute=attribute)
                if found is None:
                    continue
                secret, note = found
                where = path if name == attribute else f"{path}.{name}"
                yield holder.finding(f"hard-coded {secret.kind} in {where}: {secret.masked}{note}",
                                     at=attribute)


for _row in ROWS:
    _register(_row)
