"""Database instance or cluster reachable from the internet (publicly_accessible = true).

## Why
`publicly_accessible = true` gives an RDS instance, an Aurora cluster instance or a Redshift
cluster a DNS name that resolves to a public IP address. Whenever its subnet has a route to an
internet gateway and a security group lets a source in, the database listens to the internet:
its login becomes the only barrier against credential stuffing, brute force and exploits of the
engine. A database almost never needs that; applications reach it from inside the VPC.

Only an explicit `true` is reported. The AWS provider defaults to `false` for RDS; for Redshift
the default was `true` until provider 6.0, so set it explicitly there.

## Fix
Set `publicly_accessible = false` (or remove it for RDS), keep the database in private subnets,
and reach it from operators' machines through a VPN, a bastion or Session Manager port
forwarding.

## Example
```hcl
# bad
resource "aws_db_instance" "app" {
  publicly_accessible = true
}

# good
resource "aws_db_instance" "app" {
  publicly_accessible  = false
  db_subnet_group_name = aws_db_subnet_group.private.name
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-NET-002", name="public-database", severity=Severity.HIGH, family="network",
        applies_to=("aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster"),
        equivalents=("CKV_AWS_17", "CKV_AWS_87", "AVD-AWS-0180"), cwe=284, precision="high")
def public_database(resource, options):
    value = resource.get("publicly_accessible")
    # Terraform turns the strings "true"/"false" into bools for bool arguments.
    if value is True or value == "true":
        yield resource.finding(
            "publicly_accessible = true: the database gets a public IP address and DNS name",
            at="publicly_accessible")
