"""Cloud SQL instance authorizes connections from the whole internet.

## Why
`authorized_networks` lists the addresses allowed to connect to a Cloud SQL instance's public IP.
An entry of `0.0.0.0/0` lets every address on the internet reach the database engine directly:
its login becomes the only barrier against credential stuffing, brute force and exploits of the
engine. It is usually added to "make the connection work" from a laptop or a CI runner.

Not reported when the instance has no public IP (`ipv4_enabled = false`): authorized networks
only apply to it.

## Fix
Remove the entry; connect through the Cloud SQL Auth Proxy or a connector (IAM-authorized,
encrypted), through a private IP, or list the specific networks that need the instance.

## Example
```hcl
# bad
ip_configuration {
  authorized_networks {
    name  = "anyone"
    value = "0.0.0.0/0"
  }
}

# good
ip_configuration {
  ipv4_enabled    = false
  private_network = google_compute_network.main.id
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool, world_cidrs


@policy(id="IAC-NET-021", name="cloudsql-open-to-world", severity=Severity.HIGH, family="network",
        applies_to=("google_sql_database_instance",), equivalents=("CKV_GCP_11", "AVD-GCP-0017"),
        cwe=284, precision="very-high")
def cloudsql_open_to_world(resource, options):
    for settings in resource.blocks("settings"):
        for ip in settings.blocks("ip_configuration"):
            if as_bool(ip.get("ipv4_enabled")) is False:
                continue
            for network in ip.blocks("authorized_networks"):
                world = world_cidrs(network.get("value"))
                if world:
                    name = network.get("name")
                    named = f' ("{name}")' if isinstance(name, str) and name else ""
                    yield network.finding(f"authorized network{named} {world[0]} lets the whole internet "
                                          "connect to the instance's public IP", at="value")
