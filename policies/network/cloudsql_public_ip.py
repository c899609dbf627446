"""Cloud SQL instance has a public IP address.

## Why
With `ipv4_enabled = true`, which is the default when `ip_configuration` does not say otherwise,
the instance gets an address on the internet. Connections still need an authorized network or
the Cloud SQL Auth Proxy, but the engine is one `authorized_networks` entry away from the
internet, and the instance is discoverable by scanners. Applications inside Google Cloud reach a
private IP just as well.

Reported with a low severity: on its own a public IP with no authorized networks only accepts
connections through the (IAM-authorized) Auth Proxy and connectors. Authorized networks open to
the world are `cloudsql-open-to-world`.

## Fix
Set `ipv4_enabled = false` and give the instance a private IP (`private_network`, or Private
Service Connect); connect from outside Google Cloud through the Auth Proxy over a VPN.

## Example
```hcl
# bad
settings {
  tier = "db-custom-2-7680"
}

# good
settings {
  tier = "db-custom-2-7680"
  ip_configuration {
    ipv4_enabled    = false
    private_network = google_compute_network.main.id
  }
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool


@policy(id="IAC-NET-022", name="cloudsql-public-ip", severity=Severity.LOW, family="network",
        applies_to=("google_sql_database_instance",), equivalents=("CKV_GCP_60", "AVD-GCP-0017"),
        cwe=668, precision="medium")
def cloudsql_public_ip(resource, options):
    settings_blocks = resource.blocks("settings")
    if not settings_blocks:
        return  # settings is required: a fragment or an unfinished resource
    settings = settings_blocks[0]
    ips = settings.blocks("ip_configuration")
    if not ips:
        yield settings.finding("the instance gets a public IP address (no ip_configuration: "
                               "ipv4_enabled defaults to true)", at=settings)
        return
    ip = ips[0]
    enabled = as_bool(ip.get("ipv4_enabled"))
    if enabled is True:
        yield ip.finding("ipv4_enabled = true: the instance gets a public IP address", at="ipv4_enabled")
    elif ip.get("ipv4_enabled") is None:  # unset or null: the default, true
        yield ip.finding("the instance gets a public IP address (ipv4_enabled defaults to true)", at=ip)
