"""Azure database firewall rules: the resource types and how their address range is read."""

from __future__ import annotations

import ipaddress

from iaclint.model import Unknown, UnknownValue

# Server-level firewall rules of Azure's database services; "0.0.0.0 - 0.0.0.0" has the special
# meaning "Allow Azure services" on every one of them.
DATABASE_FIREWALL_RULES = (
    "azurerm_sql_firewall_rule",
    "azurerm_mssql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
    "azurerm_synapse_firewall_rule",
)


def address_range(resource) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address, str, str] | None:
    """(start, end, start text, end text) of a firewall rule, or None when it is not IPv4.

    Redis Cache rules name the attributes ``start_ip`` / ``end_ip``; the others
    ``start_ip_address`` / ``end_ip_address``.
    """
    start_key = "start_ip_address" if "start_ip_address" in resource else "start_ip"
    end_key = "end_ip_address" if "end_ip_address" in resource else "end_ip"
    start, end = resource.get(start_key), resource.get(end_key)
    for value in (start, end):
        if isinstance(value, Unknown):
            raise UnknownValue(value)
    if not isinstance(start, str) or not isinstance(end, str):
        return None
    try:
        first = ipaddress.IPv4Address(start.strip())
        last = ipaddress.IPv4Address(end.strip())
    except ValueError:
        return None
    return first, last, start.strip(), end.strip()
