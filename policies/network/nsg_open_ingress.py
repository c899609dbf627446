"""Azure network security group rule allows inbound traffic from the internet to a sensitive port.

## Why
An NSG rule with `access = "Allow"`, `direction = "Inbound"` and a source of `*`, `Internet`,
`Any` or `0.0.0.0/0` on SSH, RDP, a database, the Docker API or another service from the
family's sensitive-port table (shared with `open-ingress`) puts that service in front of every
scanner on the internet; RDP and SSH exposed this way are the most common way into Azure
virtual machines. A rule on every port (`destination_port_range = "*"`) exposes all of them at
once.

Both `azurerm_network_security_rule` and the inline `security_rule` blocks of
`azurerm_network_security_group` are checked; ports are compared as ranges (`"20-30"`,
`destination_port_ranges`), `*` meaning every port. Protocols without ports (ICMP, ESP, AH) are
not reported. Inside one `azurerm_network_security_group`, rules are evaluated in `priority`
order as Azure does: ports that a `Deny` rule with a lower priority number already blocks for the
internet are not reported.

## Fix
Allow the port only from the networks that need it (a VPN gateway's range, a bastion subnet, the
`VirtualNetwork` tag), or use Azure Bastion / just-in-time VM access instead of opening SSH and
RDP.

## Example
```hcl
# bad
security_rule {
  name                       = "ssh"
  priority                   = 100
  direction                  = "Inbound"
  access                     = "Allow"
  protocol                   = "Tcp"
  source_port_range          = "*"
  destination_port_range     = "22"
  source_address_prefix      = "*"
  destination_address_prefix = "*"
}

# good
security_rule {
  name                       = "ssh"
  priority                   = 100
  direction                  = "Inbound"
  access                     = "Allow"
  protocol                   = "Tcp"
  source_port_range          = "*"
  destination_port_range     = "22"
  source_address_prefix      = "10.10.0.0/24" # the bastion subnet
  destination_address_prefix = "*"
}
```
"""

from __future__ import annotations

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

from ._net import MAX_PORT, as_port, as_text, describe_ports, is_world, parse_range, subtract

WORLD_TAGS = ("*", "internet", "any")
ALL_PROTOCOLS = ("*", "asterisk")
PORT_PROTOCOLS = {"tcp": "TCP", "udp": "UDP"}
SOURCES = ("source_address_prefix", "source_address_prefixes")
PORTS = ("destination_port_range", "destination_port_ranges")


@policy(id="IAC-NET-015", name="nsg-open-ingress", severity=Severity.HIGH, family="network",
        applies_to=("azurerm_network_security_rule", "azurerm_network_security_group"),
        equivalents=("CKV_AZURE_9", "CKV_AZURE_10", "AVD-AZU-0048", "AVD-AZU-0050", "AVD-AZU-0074"),
        cwe=284, precision="high")
def nsg_open_ingress(resource, options):
    if "security_rule" not in resource:  # azurerm_network_security_rule
        yield from _check(resource, denies=())
        return
    rules = resource.blocks("security_rule")
    denies = [r for r in rules if _is(r, "access", "deny") and _is(r, "direction", "inbound")]
    for rule in rules:
        yield from _check(rule, denies)


def _is(rule, key, expected) -> bool:
    return as_text(rule.get(key)) == expected


def _check(rule, denies):
    if not (_is(rule, "access", "allow") and _is(rule, "direction", "inbound")):
        return
    source = _world_source(rule)
    if source is None:
        return
    key, value = source
    protocol = _protocol(rule)
    if protocol is None:
        return
    ranges = _port_ranges(rule)
    if not ranges:
        return
    priority = as_port(rule.get("priority"))
    blocked = [_blocked(d, protocol, priority) for d in denies if d is not rule]
    open_ranges = subtract(ranges, [b for group in blocked for b in group])
    if not open_ranges:
        return
    name = rule.get("name")
    label = f'NSG rule "{name}"' if isinstance(name, str) and name else "NSG rule"
    if protocol == "*" and (0, MAX_PORT) in open_ranges:
        yield rule.finding(f"{label} allows inbound from {value} on all protocols and all ports", at=key)
        return
    exposures = [text for low, high in open_ranges
                 if (text := describe_ports(low, high, "" if protocol == "*" else protocol)) is not None]
    if exposures:
        yield rule.finding(f"{label} allows inbound from {value} to {'; '.join(exposures)}", at=key)


def _world_source(rule) -> tuple[str, str] | None:
    """(attribute, value) of the first source that means "anyone on the internet"."""
    unknown = None
    for key in SOURCES:
        values = rule.get(key)
        if isinstance(values, Unknown):
            unknown = values
            continue
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, Unknown):
                unknown = value
            elif isinstance(value, str) and (value.strip().lower() in WORLD_TAGS or is_world(value)):
                return key, value.strip()
    if unknown is not None:
        raise UnknownValue(unknown)
    return None


def _protocol(rule) -> str | None:
    """``*``, ``TCP`` or ``UDP``; None for protocols without ports."""
    protocol = as_text(rule.get("protocol"))
    if protocol in ALL_PROTOCOLS:
        return "*"
    return PORT_PROTOCOLS.get(protocol)


def _port_ranges(rule) -> list[tuple[int, int]]:
    """The destination port intervals; a known exposure wins over an unknown sibling."""
    out, unknown = [], None
    for key in PORTS:
        values = rule.get(key)
        if isinstance(values, Unknown):
            unknown = values
            continue
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, Unknown):
                unknown = value
                continue
            parsed = parse_range(value)
            if parsed == "*":
                out.append((0, MAX_PORT))
            elif parsed is not None:
                out.append(parsed)
    if unknown is not None and not any(describe_ports(a, b) for a, b in out):
        raise UnknownValue(unknown)
    return out


def _blocked(deny, protocol, priority) -> list[tuple[int, int]]:
    """The ports a Deny rule blocks for the internet before a rule of ``priority``."""
    try:
        deny_priority = as_port(deny.get("priority"))
        if priority is None or deny_priority is None or deny_priority >= priority:
            return []
        if _world_source(deny) is None:
            return []
        deny_protocol = _protocol(deny)
        if deny_protocol != "*" and deny_protocol != protocol:
            return []
        return _port_ranges(deny)
    except UnknownValue:
        return []  # an unknown Deny rule cannot be relied on to block anything
