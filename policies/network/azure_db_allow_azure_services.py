"""Azure database firewall allows every Azure service ("Allow Azure services", 0.0.0.0 - 0.0.0.0).

## Why
A firewall rule from `0.0.0.0` to `0.0.0.0` is not an empty range: Azure reads it as "allow
access from Azure services and resources", which means every address Azure owns, including
virtual machines, functions and containers of every other Azure customer. Anyone can rent a VM
for a few cents and connect to the server's endpoint: the database login is then the only
barrier, as with a rule for the whole internet, only a little less visible to scanners.

It is reported separately from `azure-db-firewall-open` (with a lower severity) because it is a
deliberate setting in the portal ("Allow Azure services and resources to access this server")
that some managed services need; decide it knowingly.

## Fix
Remove the rule; connect Azure services through a private endpoint or a virtual network rule
(`azurerm_mssql_virtual_network_rule`, VNet integration for flexible servers) and list any
remaining client IP ranges explicitly.

## Example
```hcl
# bad
resource "azurerm_mssql_firewall_rule" "azure" {
  name             = "AllowAllWindowsAzureIps"
  server_id        = azurerm_mssql_server.main.id
  start_ip_address = "0.0.0.0"
  end_ip_address   = "0.0.0.0"
}

# good
resource "azurerm_mssql_virtual_network_rule" "app" {
  name      = "app-subnet"
  server_id = azurerm_mssql_server.main.id
  subnet_id = azurerm_subnet.app.id
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._azure_db import DATABASE_FIREWALL_RULES, address_range

ZERO = 0  # 0.0.0.0


@policy(id="IAC-NET-017", name="azure-db-allow-azure-services", severity=Severity.MEDIUM,
        family="network", applies_to=DATABASE_FIREWALL_RULES,
        equivalents=("CKV2_AZURE_6", "CKV2_AZURE_34"), cwe=284, precision="very-high")
def azure_db_allow_azure_services(resource, options):
    found = address_range(resource)
    if found is None:
        return
    first, last, _start, _end = found
    if first == ZERO and last == ZERO:
        yield resource.finding('firewall rule 0.0.0.0 - 0.0.0.0 means "Allow Azure services": every '
                               "Azure customer's resources can reach the server",
                               at="start_ip_address")
