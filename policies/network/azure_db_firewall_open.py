"""Azure database or cache firewall rule open to the whole internet.

## Why
A server-level firewall rule from `0.0.0.0` to `255.255.255.255` lets every address on the
internet reach the server's endpoint: the database login becomes the only barrier against
credential stuffing, brute force and exploits of the engine. Such a rule is usually added to
get a connection working from a laptop or a CI runner, and stays.

Reported: a rule whose range covers every public IPv4 address (from `1.0.0.0` or lower to
`223.255.255.255` or higher), on SQL Database, PostgreSQL, MySQL and MariaDB servers (single and
flexible), Synapse workspaces and Azure Cache for Redis. The special rule `0.0.0.0 - 0.0.0.0`
("Allow Azure services") is a different decision with its own policy,
`azure-db-allow-azure-services`.

## Fix
List the client addresses that need the server (an office, a NAT gateway's outbound IP, a CI
runner's range), or turn public network access off and use a private endpoint.

## Example
```hcl
# bad
resource "azurerm_mssql_firewall_rule" "anyone" {
  server_id        = azurerm_mssql_server.main.id
  start_ip_address = "0.0.0.0"
  end_ip_address   = "255.255.255.255"
}

# good
resource "azurerm_mssql_firewall_rule" "office" {
  server_id        = azurerm_mssql_server.main.id
  start_ip_address = "203.0.113.0"
  end_ip_address   = "203.0.113.255"
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._azure_db import DATABASE_FIREWALL_RULES, address_range, ipv4

FIRST_PUBLIC = ipv4("1.0.0.0")
LAST_PUBLIC = ipv4("223.255.255.255")  # the end of unicast space


@policy(id="IAC-NET-016", name="azure-db-firewall-open", severity=Severity.HIGH, family="network",
        applies_to=DATABASE_FIREWALL_RULES + ("azurerm_redis_firewall_rule",),
        equivalents=("CKV_AZURE_11", "CKV2_AZURE_26", "AVD-AZU-0029"), cwe=284, precision="very-high")
def azure_db_firewall_open(resource, options):
    found = address_range(resource)
    if found is None:
        return
    first, last, start, end = found
    if first <= FIRST_PUBLIC and last >= LAST_PUBLIC:
        at = "start_ip_address" if "start_ip_address" in resource else "start_ip"
        yield resource.finding(f"firewall rule allows {start} - {end}: the whole internet can reach "
                               "the server", at=at)
