"""TLS endpoints that still accept TLS 1.0 or 1.1: one table, one policy per row (CloudFront, API
Gateway, OpenSearch, Azure Storage, App Service, Azure databases).

Every row is "the minimum TLS version written in attribute X of resource Y must be 1.2 or newer".
Only values written in the code are judged, except where the default itself accepts TLS 1.0
(CloudFront with a custom certificate, OpenSearch domains).
"""

from __future__ import annotations


from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl, is_blank, is_false, is_true

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Callable

APP_SERVICES = (
    "azurerm_app_service", "azurerm_app_service_slot",
    "azurerm_linux_web_app", "azurerm_linux_web_app_slot",
    "azurerm_windows_web_app", "azurerm_windows_web_app_slot",
    "azurerm_function_app", "azurerm_function_app_slot",
    "azurerm_linux_function_app", "azurerm_linux_function_app_slot",
    "azurerm_windows_function_app", "azurerm_windows_function_app_slot",
)


class MinTls:
    """One row of the table (a plain class, as ``_flags.Flag``: rows are only read)."""

    __slots__ = ("id", "name", "applies_to", "paths", "weak", "subject", "advice", "doc",
                 "equivalents", "default", "judged", "severity")

    def __init__(self, id: str, name: str, applies_to: tuple, paths: tuple, weak: dict,
                 subject: str, advice: str, doc: str, equivalents: tuple = (),
                 default: str | None = None, judged: Callable | None = None,
                 severity: Severity = Severity.MEDIUM):
        self.id, self.name, self.applies_to = id, name, applies_to
        self.paths = paths      # each path is judged on its own (site and SCM endpoints)
        self.weak = weak        # value (compared case-insensitively) -> oldest protocol accepted
        self.subject = subject
        self.advice = advice    # what to write instead
        self.doc, self.equivalents = doc, equivalents
        # A weak value the provider uses when the first path is not written, or None.
        self.default = default
        # Whether the resource is judged at all (None: always).
        self.judged = judged
        self.severity = severity


def check(resource, row: MinTls):
    if row.judged is not None and not row.judged(resource):
        return
    weak = {k.lower(): v for k, v in row.weak.items()}
    for n, path in enumerate(row.paths):
        head, _, leaf = path.rpartition(".")
        blocks = resource.blocks(head) if head else [resource]
        if not blocks:
            if n == 0 and row.default is not None:
                yield resource.finding(f"{row.subject} accepts {row.weak[row.default]}: {head} is not set, "
                                       f"so {leaf} defaults to {hcl(row.default)}; {row.advice}")
            continue
        node = blocks[0]
        value = node.get(leaf)
        if value is None:
            if n == 0 and row.default is not None:
                yield node.finding(f"{row.subject} accepts {row.weak[row.default]}: {path} is not set and "
                                   f"defaults to {hcl(row.default)}; {row.advice}")
            continue
        oldest = weak.get(str(value).strip().lower())
        if oldest is not None:
            yield node.finding(f"{row.subject} accepts {oldest} ({path} = {hcl(value)}); {row.advice}",
                               at=leaf)


def _cloudfront_custom_certificate(resource) -> bool:
    enabled = resource.get("enabled")
    if enabled is not None and is_false(enabled):
        return False
    certs = resource.blocks("viewer_certificate")
    if not certs:
        return False
    default_cert = certs[0].get("cloudfront_default_certificate")
    if default_cert is not None and is_true(default_cert):
        return False  # *.cloudfront.net always accepts TLS 1.0: only a custom domain can change it
    return not (is_blank(certs[0].get("acm_certificate_arn"))
                and is_blank(certs[0].get("iam_certificate_id")))


ROWS = [
    MinTls(
        id="IAC-ENC-033", name="cloudfront-weak-tls", applies_to=("aws_cloudfront_distribution",),
        paths=("viewer_certificate.minimum_protocol_version",),
        weak={"SSLv3": "SSL 3.0", "TLSv1": "TLS 1.0", "TLSv1_2016": "TLS 1.0",
              "TLSv1.1_2016": "TLS 1.1"},
        default="TLSv1", judged=_cloudfront_custom_certificate,
        subject="CloudFront distribution", advice='use "TLSv1.2_2021" or newer',
        equivalents=("CKV_AWS_174", "AVD-AWS-0013"),
        doc='''CloudFront distribution with a custom certificate accepts TLS 1.0 or 1.1 from viewers.

## Why
The viewer certificate's `minimum_protocol_version` is the security policy CloudFront offers to
browsers and API clients. TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on SHA-1 and CBC
constructions with known attacks, and PCI DSS forbids them. With a custom certificate
(`acm_certificate_arn` or `iam_certificate_id`) and no `minimum_protocol_version`, the provider
uses `TLSv1`, which accepts TLS 1.0, so a missing value is reported too.

Not reported: distributions on the default `*.cloudfront.net` certificate
(`cloudfront_default_certificate = true`), where CloudFront always allows TLS 1.0 and the only
fix is a custom domain, and disabled distributions.

## Fix
Set `minimum_protocol_version = "TLSv1.2_2021"` (or a newer policy) in `viewer_certificate`.

## Example
```hcl
# bad
viewer_certificate {
  acm_certificate_arn = aws_acm_certificate.site.arn
  ssl_support_method  = "sni-only"
}

# good
viewer_certificate {
  acm_certificate_arn      = aws_acm_certificate.site.arn
  ssl_support_method       = "sni-only"
  minimum_protocol_version = "TLSv1.2_2021"
}
```
'''),
    MinTls(
        id="IAC-ENC-034", name="api-gateway-domain-weak-tls",
        applies_to=("aws_api_gateway_domain_name",), paths=("security_policy",),
        weak={"TLS_1_0": "TLS 1.0"},
        subject="API Gateway custom domain", advice='use "TLS_1_2" or a SecurityPolicy_TLS13_* policy',
        equivalents=("CKV_AWS_206", "AVD-AWS-0005"),
        doc='''API Gateway custom domain accepts TLS 1.0 (security_policy = "TLS_1_0").

## Why
`TLS_1_0` is a floor, not a version: the domain accepts TLS 1.0 as well as 1.2 and 1.3, so a
client, or an attacker able to force a downgrade, can use a deprecated protocol (RFC 8996) and
its CBC cipher suites. Only an explicit `TLS_1_0` is reported: API Gateway now uses
`TLS_1_2` for a custom domain created without a security policy (it used `TLS_1_0` in 2019-2020,
when the setting was introduced). HTTP and WebSocket API domains
(`aws_apigatewayv2_domain_name`) accept only `TLS_1_2`.

## Fix
Set `security_policy = "TLS_1_2"`, or an enhanced policy such as
`SecurityPolicy_TLS13_1_2_2021_06` (with `endpoint_access_mode`).

## Example
```hcl
# bad
resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = aws_acm_certificate.api.arn
  security_policy          = "TLS_1_0"
}

# good
resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = aws_acm_certificate.api.arn
  security_policy          = "TLS_1_2"
}
```
'''),
    MinTls(
        id="IAC-ENC-035", name="opensearch-weak-tls",
        applies_to=("aws_opensearch_domain", "aws_elasticsearch_domain"),
        paths=("domain_endpoint_options.tls_security_policy",),
        weak={"Policy-Min-TLS-1-0-2019-07": "TLS 1.0"},
        subject="OpenSearch domain", advice='use "Policy-Min-TLS-1-2-PFS-2023-10"',
        default="Policy-Min-TLS-1-0-2019-07",
        equivalents=("CKV_AWS_228", "AVD-AWS-0126"),
        doc='''OpenSearch or Elasticsearch domain endpoint accepts TLS 1.0 (Policy-Min-TLS-1-0-2019-07).

## Why
`Policy-Min-TLS-1-0-2019-07` lets clients of the domain endpoint negotiate TLS 1.0 and 1.1,
deprecated protocols (RFC 8996) with known weaknesses; the domain carries search queries, indexed
documents and, with fine-grained access control, passwords. A missing `tls_security_policy` (or
a missing `domain_endpoint_options` block) is reported too: the provider then sends nothing and
the service applies its default, `Policy-Min-TLS-1-0-2019-07`, which domains keep until the
policy is changed. Say the policy in the code.

## Fix
Set `tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"` (or `Policy-Min-TLS-1-2-2019-07`)
in `domain_endpoint_options`.

## Example
```hcl
# bad
domain_endpoint_options {
  enforce_https       = true
  tls_security_policy = "Policy-Min-TLS-1-0-2019-07"
}

# good
domain_endpoint_options {
  enforce_https       = true
  tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"
}
```
'''),
    MinTls(
        id="IAC-ENC-036", name="storage-account-weak-tls", applies_to=("azurerm_storage_account",),
        paths=("min_tls_version",), weak={"TLS1_0": "TLS 1.0", "TLS1_1": "TLS 1.1"},
        subject="Storage account", advice='use "TLS1_2"',
        equivalents=("CKV_AZURE_44", "AVD-AZU-0011"),
        doc='''Azure storage account accepts TLS 1.0 or 1.1 (min_tls_version TLS1_0 or TLS1_1).

## Why
`min_tls_version = "TLS1_0"` or `"TLS1_1"` lets clients reach blobs, files, queues and tables
with deprecated protocols (RFC 8996), whose known weaknesses a downgrade-capable attacker can use
against the data and the shared access signatures in the requests. Azure Storage is retiring
TLS 1.0 and 1.1 altogether. Only explicit values are reported: the default is `TLS1_2` since
azurerm 3.0 (it was `TLS1_0` in azurerm 2.x, so 2.x code without the argument is weak too).

## Differences from Checkov
Checkov's CKV_AZURE_44 fails every account that does not write `TLS1_2` or `TLS1_3`, including
accounts without the argument. On terragoat (azurerm `>= 2.0.0`, which installs the current
provider) both storage accounts leave it out and get `TLS1_2`: Checkov's two findings are false
positives for any provider from 3.0 on.

## Fix
Set `min_tls_version = "TLS1_2"` (or remove it on azurerm 3.0 and later).

## Example
```hcl
# bad
resource "azurerm_storage_account" "data" {
  name            = "acmedata"
  min_tls_version = "TLS1_0"
}

# good
resource "azurerm_storage_account" "data" {
  name            = "acmedata"
  min_tls_version = "TLS1_2"
}
```
'''),
    MinTls(
        id="IAC-ENC-037", name="app-service-weak-tls", applies_to=APP_SERVICES,
        paths=("site_config.minimum_tls_version", "site_config.min_tls_version",
               "site_config.scm_minimum_tls_version", "site_config.scm_min_tls_version"),
        weak={"1.0": "TLS 1.0", "1.1": "TLS 1.1"},
        subject="App Service app", advice='use "1.2" or "1.3"',
        equivalents=("CKV_AZURE_15", "CKV_AZURE_145", "CKV_AZURE_154", "AVD-AZU-0006"),
        doc='''App Service web app or function app accepts TLS 1.0 or 1.1 (site or SCM endpoint).

## Why
`minimum_tls_version` (`min_tls_version` in the older `azurerm_app_service` and
`azurerm_function_app`) set to `"1.0"` or `"1.1"` lets clients negotiate deprecated protocols
(RFC 8996) on the app's endpoint; the `scm_` variant does the same for the Kudu/SCM endpoint used
for deployments, which carries publishing credentials and code. Only explicit values are
reported: both default to `"1.2"`.

## Fix
Set `minimum_tls_version = "1.2"` (or `"1.3"`) and `scm_minimum_tls_version = "1.2"` in
`site_config`, or remove them.

## Example
```hcl
# bad
site_config {
  minimum_tls_version = "1.0"
}

# good
site_config {
  minimum_tls_version     = "1.2"
  scm_minimum_tls_version = "1.2"
}
```
'''),
    MinTls(
        id="IAC-ENC-038", name="azure-database-weak-tls",
        applies_to=("azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server",
                    "azurerm_mssql_server"),
        paths=("ssl_minimal_tls_version_enforced", "minimum_tls_version"),
        weak={"TLS1_0": "TLS 1.0", "TLS1_1": "TLS 1.1", "1.0": "TLS 1.0", "1.1": "TLS 1.1",
              "Disabled": "TLS 1.0 (no minimum is enforced)"},
        subject="Database server", advice='use "TLS1_2" ("1.2" for SQL Server)',
        equivalents=("CKV_AZURE_52", "CKV_AZURE_54", "CKV_AZURE_147", "CKV2_AZURE_37",
                     "AVD-AZU-0026"),
        doc='''Azure SQL, PostgreSQL, MySQL or MariaDB server accepts TLS 1.0 or 1.1.

## Why
The server's minimum TLS version decides what its clients may negotiate. `TLS1_0` / `TLS1_1`
(`ssl_minimal_tls_version_enforced` on PostgreSQL, MySQL and MariaDB single servers) or `"1.0"`,
`"1.1"` and `"Disabled"` (`minimum_tls_version` on `azurerm_mssql_server`) allow deprecated
protocols (RFC 8996) for logins and query traffic. Only explicit values are reported: the
defaults are `TLS1_2` / `"1.2"` in current azurerm versions. `TLSEnforcementDisabled` goes with
SSL enforcement turned off and is reported by IAC-ENC-028.

## Differences from Checkov
Checkov's CKV_AZURE_52, CKV_AZURE_54 and CKV_AZURE_147 also fail servers that leave the minimum
out. For `azurerm_mssql_server` that is a false positive on azurerm 3.0 and later, whose default
is `"1.2"` (terragoat's seven `mssql` servers, on azurerm `>= 2.0.0`). A PostgreSQL or MySQL
single server with `ssl_enforcement_enabled = false` has no TLS minimum at all, since it accepts
plain connections: iaclint reports that once, as IAC-ENC-028 (which also lists CKV_AZURE_54 and
CKV_AZURE_147 for that reason), where Checkov reports it twice, as SSL enforcement off and as no
TLS minimum (terragoat's `azurerm_mysql_server.example` and `azurerm_postgresql_server.example`).

## Fix
Set `ssl_minimal_tls_version_enforced = "TLS1_2"` (single servers) or
`minimum_tls_version = "1.2"` (SQL Server).

## Example
```hcl
# bad
resource "azurerm_mssql_server" "sql" {
  name                = "acme-sql"
  version             = "12.0"
  minimum_tls_version = "1.0"
}

# good
resource "azurerm_mssql_server" "sql" {
  name                = "acme-sql"
  version             = "12.0"
  minimum_tls_version = "1.2"
}
```
'''),
]


def _register(rows) -> None:
    for row in rows:
        def run(resource, options, _row=row):
            yield from check(resource, _row)
        policy(id=row.id, name=row.name, severity=row.severity, family="encryption",
               applies_to=row.applies_to, equivalents=row.equivalents, cwe=326,
               precision="high", doc=row.doc)(run)


_register(ROWS)
