"""Security group ingress from the whole internet to an administration or data port.

## Why
A security group rule that accepts `0.0.0.0/0` or `::/0` on SSH, RDP, a database, a cache, the
Docker or kubelet API or etcd puts that service in front of every scanner on the internet.
These ports are found within minutes of exposure and brute-forced, or exploited directly
when the service has no authentication of its own (Redis, memcached, Elasticsearch, the
Docker daemon, etcd, the kubelet). A rule opening every port (`protocol = "-1"`, or `0-65535`)
exposes all of them at once, and is reported the same way with "all ports" in the message.

Ports are compared as ranges: a rule for `20-25` is reported because it covers 21, 22 and 23.
Web ports (80, 443) are not in the table: serving them to the internet is usually the point.
ICMP and other protocols without ports are not reported.

## Fix
Allow the port only from the networks that need it (an office or VPN range, a load balancer's
or bastion's security group via `source_security_group_id` / `referenced_security_group_id`),
or reach instances through AWS Systems Manager Session Manager instead of opening SSH/RDP.

## Example
```hcl
# bad
ingress {
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}

# good
ingress {
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["10.20.0.0/16"] # the VPN
}
```
"""

from __future__ import annotations

import ipaddress

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

# (first port, last port, service): the sensitive-port table.
SENSITIVE_PORTS = (
    (21, 21, "FTP"),
    (22, 22, "SSH"),
    (23, 23, "Telnet"),
    (135, 135, "MS RPC"),
    (139, 139, "NetBIOS"),
    (445, 445, "SMB"),
    (1433, 1433, "MSSQL"),
    (1521, 1521, "Oracle"),
    (2375, 2376, "Docker API"),
    (2379, 2379, "etcd"),
    (3306, 3306, "MySQL"),
    (3389, 3389, "RDP"),
    (5432, 5432, "PostgreSQL"),
    (5601, 5601, "Kibana"),
    (5900, 5900, "VNC"),
    (6379, 6379, "Redis"),
    (9092, 9092, "Kafka"),
    (9200, 9200, "Elasticsearch"),
    (10250, 10250, "kubelet"),
    (11211, 11211, "memcached"),
    (27017, 27017, "MongoDB"),
)

ALL_PROTOCOLS = ("-1", "all")
PORT_PROTOCOLS = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP"}


@policy(id="IAC-NET-001", name="open-ingress", severity=Severity.HIGH, family="network",
        applies_to=("aws_security_group", "aws_security_group_rule",
                    "aws_vpc_security_group_ingress_rule"),
        equivalents=("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277", "AVD-AWS-0107"),
        cwe=284, precision="high")
def open_ingress(resource, options):
    # aws_security_group: inline ingress blocks
    for rule in resource.blocks("ingress"):
        yield from _check(rule, ("cidr_blocks", "ipv6_cidr_blocks"), "protocol")
    # aws_security_group_rule: one rule, ingress or egress
    if "type" in resource:
        if resource.get("type") == "ingress":
            yield from _check(resource, ("cidr_blocks", "ipv6_cidr_blocks"), "protocol")
    # aws_vpc_security_group_ingress_rule: one source per rule
    elif "ip_protocol" in resource:
        yield from _check(resource, ("cidr_ipv4", "cidr_ipv6"), "ip_protocol")


def _check(rule, cidr_keys, protocol_key):
    world, at = [], None
    for key in cidr_keys:
        found = _world_cidrs(rule.get(key))
        if found and at is None:
            at = key
        world.extend(found)
    if not world:
        return
    source = " and ".join(dict.fromkeys(world))
    protocol = str(rule.get(protocol_key)).strip().lower()
    if protocol in ALL_PROTOCOLS:
        yield rule.finding(f"ingress from {source} on all protocols and all ports", at=at)
        return
    label = PORT_PROTOCOLS.get(protocol)
    if label is None:
        return  # icmp, esp, gre...: no ports
    low, high = _port(rule.get("from_port")), _port(rule.get("to_port"))
    if low is None or high is None:
        return
    if low <= 1 and high >= 65535:
        yield rule.finding(f"ingress from {source} to all {label} ports ({low}-{high})", at=at)
        return
    hits = [(a, b, name) for a, b, name in SENSITIVE_PORTS if a <= high and low <= b]
    if not hits:
        return
    proto = "" if label == "TCP" else f"{label} "
    if low == high:
        yield rule.finding(f"ingress from {source} to {proto}port {low} ({hits[0][2]})", at=at)
        return
    covered = ", ".join(f"{_span(max(a, low), min(b, high))} ({name})" for a, b, name in hits)
    yield rule.finding(f"ingress from {source} to {proto}ports {low}-{high}, which include {covered}",
                       at=at)


def _world_cidrs(values) -> list[str]:
    """The CIDRs among ``values`` that match every address (``0.0.0.0/0``, ``::/0``)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    found, unknown = [], None
    for value in values:
        if isinstance(value, Unknown):
            unknown = value  # judged below: a known world CIDR is enough on its own
        elif isinstance(value, str) and _is_world(value):
            found.append(value.strip())
    if not found and unknown is not None:
        raise UnknownValue(unknown)
    return found


def _is_world(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def _port(value) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _span(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}-{b}"
