"""Azure database firewall rules: the resource types and how their address range is read."""

from __future__ import annotations

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


def ipv4(text: str) -> int | None:
    """``text`` as a 32-bit integer, read as ``ipaddress.IPv4Address`` reads a string (four
    ASCII decimal octets of at most 255, no leading zeros, nothing around them), or None.

    Written out: importing ``ipaddress`` costs a scan ~2 ms, more than every rule of most
    projects takes to read.
    """
    parts = text.split(".")
    if len(parts) != 4:
        return None
    number = 0
    for part in parts:
        if not (0 < len(part) <= 3 and part.isascii() and part.isdigit()) or (part[0] == "0" and len(part) > 1):
            return None
        octet = int(part)
        if octet > 255:
            return None
        number = number << 8 | octet
    return number


def address_range(resource) -> tuple[int, int, str, str] | None:
    """(start, end, start text, end text) of a firewall rule, the addresses as integers
    (:func:`ipv4`), or None when it is not IPv4.

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
    start, end = start.strip(), end.strip()
    first, last = ipv4(start), ipv4(end)
    if first is None or last is None:
        return None
    return first, last, start, end
