"""Security group egress to the whole internet on every port.

## Why
An egress rule that allows all protocols (or every TCP/UDP port) to `0.0.0.0/0` or `::/0` lets
anything running behind the security group connect anywhere: a compromised instance can fetch
its second stage, reach a command-and-control server on any port, and exfiltrate data without
going through a proxy or a NAT that logs it. Restricting egress is defence in depth: it does not
stop an intrusion, it limits what the intruder can do next, which is why this is reported with
a low severity.

Only explicit rules are reported: a Terraform-managed `aws_security_group` without `egress`
blocks has no egress rule at all (Terraform removes the default allow-all rule AWS adds). Egress
to a single port or to a restricted range (`443` to the world for package mirrors, anything to
the VPC) is not reported.

## Fix
Allow only the destinations and ports the workload needs: HTTPS to the internet through a NAT
or proxy, the database port to the database's security group, and VPC endpoints (with their
prefix lists) for AWS APIs.

## Example
```hcl
# bad
egress {
  from_port   = 0
  to_port     = 0
  protocol    = "-1"
  cidr_blocks = ["0.0.0.0/0"]
}

# good
egress {
  from_port   = 443
  to_port     = 443
  protocol    = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_text, aws_rule_ports, covers_all, world_sources


@policy(id="IAC-NET-007", name="open-egress", severity=Severity.LOW, family="network",
        applies_to=("aws_security_group", "aws_security_group_rule",
                    "aws_vpc_security_group_egress_rule"),
        equivalents=("CKV_AWS_382", "AVD-AWS-0104"), cwe=284, precision="medium")
def open_egress(resource, options):
    for rule in resource.blocks("egress"):
        yield from _check(rule, ("cidr_blocks", "ipv6_cidr_blocks"), "protocol")
    if "type" in resource:
        if as_text(resource.get("type")) == "egress":
            yield from _check(resource, ("cidr_blocks", "ipv6_cidr_blocks"), "protocol")
    elif "ip_protocol" in resource:
        yield from _check(resource, ("cidr_ipv4", "cidr_ipv6"), "ip_protocol")


def _check(rule, cidr_keys, protocol_key):
    open_to = world_sources(rule, cidr_keys)
    if open_to is None:
        return
    target, at = open_to
    label, interval = aws_rule_ports(rule, protocol_key)
    if label == "ALL":
        yield rule.finding(f"egress to {target} on all protocols and all ports", at=at)
        return
    if interval is not None and covers_all(*interval):
        yield rule.finding(f"egress to {target} on all {label} ports ({interval[0]}-{interval[1]})", at=at)
