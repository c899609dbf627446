"""Azure Database for PostgreSQL or MySQL flexible server turns off require_secure_transport.

## Why
Flexible servers require TLS for every connection by default: the server parameter
`require_secure_transport` is `ON`. A `azurerm_postgresql_flexible_server_configuration` or
`azurerm_mysql_flexible_server_configuration` that sets it to `OFF` makes the server accept
unencrypted connections again, so logins, queries and results of any client that does not ask
for TLS cross the network in clear, and nothing tells that client it is unprotected.

## Fix
Remove the configuration resource (the default is `ON`), or set its `value` to `"ON"`. Clients
that cannot use TLS should be fixed rather than the server weakened.

## Example
```hcl
# bad
resource "azurerm_postgresql_flexible_server_configuration" "tls" {
  name      = "require_secure_transport"
  server_id = azurerm_postgresql_flexible_server.app.id
  value     = "off"
}

# good: no such resource, or
resource "azurerm_postgresql_flexible_server_configuration" "tls" {
  name      = "require_secure_transport"
  server_id = azurerm_postgresql_flexible_server.app.id
  value     = "on"
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl

OFF = ("off", "0", "false")


@policy(id="IAC-ENC-032", name="azure-flexible-db-secure-transport-off", severity=Severity.HIGH,
        family="encryption",
        applies_to=("azurerm_postgresql_flexible_server_configuration",
                    "azurerm_mysql_flexible_server_configuration"),
        cwe=319, precision="high")
def azure_flexible_db_secure_transport_off(resource, options):
    name = resource.get("name")
    if name is None or str(name).strip().lower() != "require_secure_transport":
        return
    value = resource.get("value")
    if value is not None and str(value).strip().lower() in OFF:
        yield resource.finding("Flexible server accepts unencrypted connections (require_secure_transport "
                               f"= {hcl(value)})", at="value")
