"""Cloud SQL instance accepts unencrypted connections (ssl_mode not ENCRYPTED_ONLY, require_ssl
not true).

## Why
By default a Cloud SQL instance accepts connections with or without TLS
(`ALLOW_UNENCRYPTED_AND_ENCRYPTED`): a client that does not ask for TLS sends its login, queries
and results in clear over the VPC or, with a public IP, the internet. The Cloud SQL Auth Proxy
and the language connectors always encrypt, so this matters for every other client, and it is
exactly those that get misconfigured.

Judged in `settings.ip_configuration`: `ssl_mode = "ENCRYPTED_ONLY"` or
`"TRUSTED_CLIENT_CERTIFICATE_REQUIRED"` passes; so does `require_ssl = true` when `ssl_mode` is
not written (Google provider 5.x; `require_ssl` was removed in 6.0). Anything else, including
nothing at all, is reported.

## Fix
Set `ssl_mode = "ENCRYPTED_ONLY"` (or `"TRUSTED_CLIENT_CERTIFICATE_REQUIRED"` to also require
client certificates; SQL Server supports only `ENCRYPTED_ONLY`) in
`settings { ip_configuration { ... } }`.

## Example
```hcl
# bad
resource "google_sql_database_instance" "app" {
  database_version = "POSTGRES_16"
  settings {
    tier = "db-custom-2-7680"
  }
}

# good
resource "google_sql_database_instance" "app" {
  database_version = "POSTGRES_16"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ssl_mode = "ENCRYPTED_ONLY"
    }
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl, is_true

ENFORCED = ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
DEFAULT = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"


@policy(id="IAC-ENC-031", name="cloud-sql-ssl-not-required", severity=Severity.MEDIUM,
        family="encryption", applies_to=("google_sql_database_instance",),
        equivalents=("CKV_GCP_6", "AVD-GCP-0015"), cwe=319, precision="high")
def cloud_sql_ssl_not_required(resource, options):
    settings = resource.blocks("settings")
    if not settings:
        return  # a clone or an instance managed elsewhere: nothing to judge here
    ip = settings[0].blocks("ip_configuration")
    if not ip:
        yield settings[0].finding(f"Cloud SQL instance accepts unencrypted connections: no "
                                  f"ip_configuration.ssl_mode, so it defaults to {DEFAULT}")
        return
    config = ip[0]
    mode = config.get("ssl_mode")
    if mode is not None:
        if str(mode).strip().upper() not in ENFORCED:
            yield config.finding(f"Cloud SQL instance accepts unencrypted connections (ssl_mode = "
                                 f"{hcl(mode)})", at="ssl_mode")
        return
    require = config.get("require_ssl")
    if require is None:
        yield config.finding(f"Cloud SQL instance accepts unencrypted connections: ssl_mode is not "
                             f"set and defaults to {DEFAULT}")
    elif not is_true(require):
        yield config.finding(f"Cloud SQL instance accepts unencrypted connections (require_ssl = "
                             f"{hcl(require)})", at="require_ssl")
