"""Subnet gives every instance launched in it a public IP address.

## Why
With `map_public_ip_on_launch = true`, anything started in the subnet (an instance, a task, a
node of an auto scaling group) gets a public IPv4 address without asking for one. Whether it is
then reachable depends only on its security groups, so one permissive group, or one launched
without thinking, puts a server on the internet. Public subnets are normally for load balancers
and NAT gateways, which get their addresses explicitly.

## Fix
Set `map_public_ip_on_launch = false` (the default), keep instances in private subnets behind a
load balancer or NAT gateway, and give a public address explicitly to the rare instance that
needs one (an Elastic IP on a bastion).

## Example
```hcl
# bad
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}

# good
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool


@policy(id="IAC-NET-013", name="subnet-public-ip", severity=Severity.LOW, family="network",
        applies_to=("aws_subnet", "aws_default_subnet"),
        equivalents=("CKV_AWS_130", "AVD-AWS-0164"), cwe=668, precision="medium")
def subnet_public_ip(resource, options):
    if as_bool(resource.get("map_public_ip_on_launch")) is True:
        yield resource.finding("map_public_ip_on_launch = true: every instance launched in the subnet "
                               "gets a public IP address", at="map_public_ip_on_launch")
