"""Security group ingress from the whole internet to an administration or data port.

## Why
A security group rule that accepts `0.0.0.0/0` or `::/0` on SSH, RDP, a database, a cache, the
Docker or kubelet API or etcd puts that service in front of every scanner on the internet.
These ports are found within minutes of exposure and brute-forced, or exploited directly
when the service has no authentication of its own (Redis, memcached, Elasticsearch, the
Docker daemon, etcd, the kubelet). A rule opening every port (`protocol = "-1"`, or `0-65535`)
exposes all of them at once, and is reported the same way with "all ports" in the message.

Ports are compared as ranges: a rule for `20-25` is reported because it covers FTP, SSH and
Telnet. The table of sensitive ports is shared by every firewall policy of this family (AWS
security groups and network ACLs, Azure NSGs, GCP firewalls): FTP, SSH, Telnet, MS RPC,
NetBIOS, SMB, MSSQL, Oracle, NFS, ZooKeeper, the Docker API (2375-2376), etcd, MySQL, RDP,
PostgreSQL, Kibana, VNC, CouchDB, Redis, the Kubernetes API (6443), Cassandra, Kafka,
Elasticsearch, the kubelet, memcached and MongoDB. Web ports (80, 443) are not in the table:
serving them to the internet is usually the point. ICMP and other protocols without ports are
not reported.

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

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import aws_rule_ports, describe_ports, world_sources


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
    open_to = world_sources(rule, cidr_keys)
    if open_to is None:
        return
    source, at = open_to
    label, interval = aws_rule_ports(rule, protocol_key)
    if label == "ALL":
        yield rule.finding(f"ingress from {source} on all protocols and all ports", at=at)
        return
    if interval is None:
        return  # icmp, esp, gre... (no ports), or ports that are not numbers
    ports = describe_ports(*interval, label)
    if ports is not None:
        yield rule.finding(f"ingress from {source} to {ports}", at=at)
