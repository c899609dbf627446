"""Network ACL allows inbound traffic from the whole internet to a sensitive port or every port.

## Why
A network ACL filters every packet entering its subnets. An `allow` rule for `0.0.0.0/0` or
`::/0` on SSH, RDP, a database or the Docker API (the table is shared with `open-ingress`), or on
every port, means the subnet boundary does not protect those services at all: only the
instances' security groups still stand between them and every scanner on the internet, and one
permissive security group is then enough to expose them.

Ports are compared as ranges (`0-1024` covers FTP, SSH, Telnet...). Protocol `-1` / `all`
opens every port whatever `from_port` and `to_port` say. ICMP and other protocols without ports
are not reported, nor are egress rules.

Rules are evaluated in `rule_no` order, as AWS does: inside one `aws_network_acl` (or
`aws_default_network_acl`), an allow rule is not reported for the ports that a `deny` rule with a
lower number already blocks for the whole internet. Standalone `aws_network_acl_rule` resources
are judged one by one.

## Fix
Allow the port only from the networks that need it (the VPC, an office or VPN range), deny the
sensitive ports from `0.0.0.0/0` with a low rule number, and let security groups do the
fine-grained filtering. An allow-all ACL is also what AWS's default ACL does: if you rely on
security groups alone, say so with a suppression and a reason.

## Example
```hcl
# bad
ingress {
  rule_no    = 100
  action     = "allow"
  protocol   = "tcp"
  from_port  = 22
  to_port    = 22
  cidr_block = "0.0.0.0/0"
}

# good
ingress {
  rule_no    = 100
  action     = "allow"
  protocol   = "tcp"
  from_port  = 22
  to_port    = 22
  cidr_block = "10.0.0.0/16"
}
```
"""

from __future__ import annotations

from iaclint.model import Severity, UnknownValue
from iaclint.registry import policy

from ._net import (MAX_PORT, as_bool, as_port, as_text, aws_rule_ports, describe_ports, is_world, subtract,
                   world_cidrs)

FAMILIES = (("cidr_block", "IPv4"), ("ipv6_cidr_block", "IPv6"))


@policy(id="IAC-NET-008", name="nacl-open-ingress", severity=Severity.MEDIUM, family="network",
        applies_to=("aws_network_acl", "aws_default_network_acl", "aws_network_acl_rule"),
        equivalents=("CKV_AWS_229", "CKV_AWS_230", "CKV_AWS_231", "CKV_AWS_232", "CKV_AWS_352",
                     "AVD-AWS-0105"),
        cwe=284, precision="medium")
def nacl_open_ingress(resource, options):
    if "rule_action" in resource or "rule_number" in resource:  # aws_network_acl_rule
        if as_bool(resource.get("egress")) is True:
            return
        yield from _check(resource, "rule_action", "rule_number", denies=())
        return
    rules = resource.blocks("ingress")
    denies = [r for r in rules if as_text(r.get("action")) == "deny"]
    for rule in rules:
        yield from _check(rule, "action", "rule_no", denies)


def _check(rule, action_key, number_key, denies):
    if as_text(rule.get(action_key)) != "allow":
        return
    for cidr_key, family in FAMILIES:
        world = world_cidrs(rule.get(cidr_key))
        if not world:
            continue
        protocol, ports = _ports(rule)
        if ports is None:
            continue
        number = as_port(rule.get(number_key))
        open_ranges = subtract([ports], [_blocked(d, cidr_key, protocol, number) for d in denies])
        label = "" if protocol == "ALL" else protocol
        exposures = [text for low, high in open_ranges
                     if (text := describe_ports(low, high, label)) is not None]
        if not exposures:
            continue
        what = ("on all protocols and all ports" if protocol == "ALL" and open_ranges == [(0, MAX_PORT)]
                else "to " + "; ".join(exposures))
        named = f"rule {number} " if number is not None else ""
        yield rule.finding(f"network ACL {named}allows ingress from {world[0]} {what}", at=cidr_key)


def _ports(rule) -> tuple[str, tuple[int, int] | None]:
    """The rule's protocol label (``ALL``, ``TCP``, ``UDP``) and port interval (None when the
    ports are reversed: no port matches)."""
    label, interval = aws_rule_ports(rule)
    if interval is not None and interval[0] > interval[1]:
        return label, None
    return label, interval


def _blocked(deny, cidr_key, protocol, number) -> tuple[int, int] | None:
    """The ports ``deny`` blocks for the whole internet before a rule numbered ``number``."""
    try:
        deny_number = as_port(deny.get("rule_no"))
        if number is None or deny_number is None or deny_number >= number:
            return None
        if not is_world(deny.get(cidr_key)):
            return None
        deny_protocol, ports = _ports(deny)
    except UnknownValue:
        return None  # an unknown deny rule cannot be relied on to block anything
    if ports is None or (deny_protocol != "ALL" and deny_protocol != protocol):
        return None
    return ports
