"""Encryption in transit switched off: one table, one policy per row (OpenSearch node-to-node and
HTTPS, Azure Storage HTTPS, App Service HTTPS, Azure Database SSL enforcement).

Every row is "boolean X of resource Y must be true". A missing switch is reported only where the
provider's default lets plain text through.
"""

from __future__ import annotations

from iaclint.model import Severity, Unknown, UnknownValue

from ._flags import Flag, register
from ._values import is_false, is_true

APP_SERVICES = (
    "azurerm_app_service", "azurerm_app_service_slot",
    "azurerm_linux_web_app", "azurerm_linux_web_app_slot",
    "azurerm_windows_web_app", "azurerm_windows_web_app_slot",
    "azurerm_function_app", "azurerm_function_app_slot",
    "azurerm_linux_function_app", "azurerm_linux_function_app_slot",
    "azurerm_windows_function_app", "azurerm_windows_function_app_slot",
)


def _word(word):
    return lambda v: isinstance(v, str) and v.strip().lower() == word


def _several_nodes(domain) -> bool:
    """Whether an OpenSearch domain has more than one node: data nodes (``instance_count``,
    default 1), dedicated masters or UltraWarm nodes. An Unknown count raises UnknownValue."""
    config = domain.blocks("cluster_config")
    if not config:
        return False
    config = config[0]
    count = config.get("instance_count")
    if isinstance(count, Unknown):
        raise UnknownValue(count)
    if _number(count) > 1:
        return True
    return any(is_true(config.get(switch)) for switch in ("dedicated_master_enabled", "warm_enabled"))


def _number(value) -> float:
    """A number as Terraform converts it (``3``, ``"3"``); 0 for anything else (not judged)."""
    if isinstance(value, bool):
        return 0
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0


FLAGS = [
    Flag(
        id="IAC-ENC-024", name="opensearch-node-to-node-unencrypted", severity=Severity.MEDIUM,
        applies_to=("aws_opensearch_domain", "aws_elasticsearch_domain"),
        paths=("node_to_node_encryption.enabled",),
        subject="OpenSearch domain", problem="sends data between its nodes unencrypted",
        missing=lambda r: "defaults to false", judged=_several_nodes, cwe=319,
        equivalents=("CKV_AWS_6", "AVD-AWS-0043"),
        doc='''OpenSearch or Elasticsearch domain without node-to-node encryption.

## Why
A domain's nodes exchange shard data, replicas and search results all the time. Without
node-to-node encryption that traffic crosses the VPC in clear, where anything that can capture
packets in the subnets (a compromised instance, a traffic mirror session) reads the indexed data.
Fine-grained access control requires it. When the `node_to_node_encryption` block is missing,
encryption is off (the provider's documented default).

A single-node domain (`instance_count` 1, its default, without dedicated masters or UltraWarm
nodes) is not reported: there is no traffic between nodes to encrypt. Raise the count and the
finding appears.

## Fix
Add `node_to_node_encryption { enabled = true }` (OpenSearch, or Elasticsearch 6.0 or later;
OpenSearch and Elasticsearch 6.7+ can enable it in place).

## Example
```hcl
# bad
resource "aws_opensearch_domain" "logs" {
  domain_name    = "logs"
  engine_version = "OpenSearch_2.13"
}

# good
resource "aws_opensearch_domain" "logs" {
  domain_name    = "logs"
  engine_version = "OpenSearch_2.13"
  node_to_node_encryption {
    enabled = true
  }
}
```
'''),
    Flag(
        id="IAC-ENC-025", name="opensearch-https-not-enforced", severity=Severity.HIGH,
        applies_to=("aws_opensearch_domain", "aws_elasticsearch_domain"),
        paths=("domain_endpoint_options.enforce_https",),
        subject="OpenSearch domain", problem="accepts plain HTTP (HTTPS is not enforced)", cwe=319,
        equivalents=("CKV_AWS_83", "AVD-AWS-0046"),
        doc='''OpenSearch or Elasticsearch domain accepts plain HTTP (enforce_https = false).

## Why
With `enforce_https = false` the domain endpoint answers plain HTTP: queries, indexed documents
and the credentials of HTTP basic authentication (fine-grained access control's internal users)
travel in clear between clients and the domain.

Only an explicit `enforce_https = false` is reported. Inside `domain_endpoint_options` the
provider defaults `enforce_https` to `true`; when the whole block is missing nothing is sent and
the service decides, which the AWS documentation does not state, so nothing is reported.

## Fix
Set `enforce_https = true` in `domain_endpoint_options`, with a `tls_security_policy` of
`Policy-Min-TLS-1-2-2019-07` or newer.

## Example
```hcl
# bad
resource "aws_opensearch_domain" "search" {
  domain_name = "search"
  domain_endpoint_options {
    enforce_https = false
  }
}

# good
resource "aws_opensearch_domain" "search" {
  domain_name = "search"
  domain_endpoint_options {
    enforce_https       = true
    tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"
  }
}
```
'''),
    Flag(
        id="IAC-ENC-026", name="storage-account-https-not-enforced", severity=Severity.HIGH,
        applies_to=("azurerm_storage_account",),
        paths=("https_traffic_only_enabled", "enable_https_traffic_only"),
        subject="Storage account", problem="accepts plain HTTP", cwe=319,
        equivalents=("CKV_AZURE_3", "AVD-AZU-0008"),
        doc='''Azure storage account accepts plain HTTP (HTTPS-only traffic turned off).

## Why
With secure transfer turned off, blob, file, queue and table requests are accepted over plain
HTTP: their data, and the shared access signatures in their URLs, can be read and replayed by
anyone on the path. File shares accept SMB connections without encryption too.

Only an explicit `false` is reported: the argument defaults to `true`. It is called
`enable_https_traffic_only` up to azurerm 3.x and `https_traffic_only_enabled` from 4.0 (late
3.x releases accept both); either spelling is read.

Accounts that serve NFS (Blob NFS 3.0, Azure Files NFS shares without encryption in transit)
need secure transfer off; the finding is still true of their REST endpoints. Keep such accounts
dedicated to NFS, reachable only from private networks, and suppress the finding there with that
reason.

## Fix
Remove the argument or set it to `true`. Clients that still use `http://` endpoints must switch
to `https://`.

## Example
```hcl
# bad
resource "azurerm_storage_account" "data" {
  name                       = "acmedata"
  https_traffic_only_enabled = false
}

# good
resource "azurerm_storage_account" "data" {
  name                       = "acmedata"
  https_traffic_only_enabled = true
  min_tls_version            = "TLS1_2"
}
```
'''),
    Flag(
        id="IAC-ENC-027", name="app-service-https-not-enforced", severity=Severity.HIGH,
        applies_to=APP_SERVICES, paths=("https_only",),
        subject="App Service app", problem="serves plain HTTP",
        missing=lambda r: "defaults to false", cwe=319,
        equivalents=("CKV_AZURE_14", "CKV_AZURE_70", "CKV_AZURE_153", "AVD-AZU-0004", "AVD-AZU-0072"),
        doc='''App Service web app or function app serves plain HTTP (https_only not true).

## Why
Every App Service app answers on `http://` unless `https_only = true` makes it redirect to
HTTPS. Session cookies, bearer tokens and form posts sent over that first plain request can be
read and changed by anyone on the path, and a redirect that is not enforced by the platform is
easy to lose in application code. `https_only` defaults to `false` for every app and slot
resource (`azurerm_linux_web_app`, `azurerm_windows_web_app`, function apps, their slots and the
older `azurerm_app_service` / `azurerm_function_app`).

## Fix
Set `https_only = true` (and keep `site_config.minimum_tls_version` at `"1.2"` or above).

## Example
```hcl
# bad
resource "azurerm_linux_web_app" "shop" {
  name                = "shop"
  resource_group_name = azurerm_resource_group.app.name
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.app.id
  site_config {}
}

# good
resource "azurerm_linux_web_app" "shop" {
  name                = "shop"
  resource_group_name = azurerm_resource_group.app.name
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.app.id
  https_only          = true
  site_config {}
}
```
'''),
    Flag(
        id="IAC-ENC-028", name="azure-database-ssl-not-enforced", severity=Severity.HIGH,
        applies_to=("azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server"),
        paths=("ssl_enforcement_enabled", "ssl_enforcement"),
        subject="Database server", problem="does not enforce SSL",
        off=lambda v: is_false(v) or _word("disabled")(v),
        on=lambda v: is_true(v) or _word("enabled")(v), cwe=319,
        equivalents=("CKV_AZURE_28", "CKV_AZURE_29", "CKV_AZURE_47", "CKV_AZURE_54", "CKV_AZURE_147",
                     "AVD-AZU-0020"),
        doc='''Azure Database for PostgreSQL, MySQL or MariaDB (single server) does not enforce SSL.

## Why
With SSL enforcement off the server accepts unencrypted connections: logins, queries and result
sets cross the network in clear, and a client misconfigured to skip TLS is never told. These
single-server resources are retired by Azure (and removed from azurerm 4.0), but legacy code
still creates them.

Reported: `ssl_enforcement_enabled = false`, and the azurerm 2.x argument
`ssl_enforcement = "Disabled"`. The argument is required in azurerm 3.x, so a missing one is not
judged.

## Differences from Checkov
A server with SSL enforcement off has no TLS minimum either: it accepts plain connections.
Checkov reports that twice, as SSL enforcement off (CKV_AZURE_28/29/47) and as a TLS minimum
that is not TLS 1.2 (CKV_AZURE_54 for MySQL, CKV_AZURE_147 for PostgreSQL); iaclint reports the
one cause once, here, which is why those two ids are listed too. A server that enforces SSL with
an old minimum is reported by IAC-ENC-038.

## Fix
Set `ssl_enforcement_enabled = true` and `ssl_minimal_tls_version_enforced = "TLS1_2"`; better,
migrate to a flexible server, which requires secure transport by default.

## Example
```hcl
# bad
resource "azurerm_postgresql_server" "app" {
  name                    = "app-pg"
  sku_name                = "GP_Gen5_2"
  ssl_enforcement_enabled = false
}

# good
resource "azurerm_postgresql_server" "app" {
  name                             = "app-pg"
  sku_name                         = "GP_Gen5_2"
  ssl_enforcement_enabled          = true
  ssl_minimal_tls_version_enforced = "TLS1_2"
}
```
'''),
]

register(FLAGS, __name__)
