"""EC2 instance, launch template or launch configuration with a public IP address.

## Why
`associate_public_ip_address = true` gives the instance (or every instance started from the
template) an address on the internet. From then on the security group is the only thing between
its services and every scanner on the internet, and instances tend to collect services over
time: an SSH daemon, a metrics agent, a debug port. Instances that serve the public normally sit
behind a load balancer; instances that only need to reach out use a NAT gateway.

## Fix
Set `associate_public_ip_address = false` (or leave it unset in a private subnet), put the
instance in a private subnet behind a load balancer or NAT gateway, and use Session Manager
instead of SSH over the internet.

## Example
```hcl
# bad
resource "aws_instance" "app" {
  ami                         = var.ami
  instance_type               = "t3.micro"
  associate_public_ip_address = true
}

# good
resource "aws_instance" "app" {
  ami                         = var.ami
  instance_type               = "t3.micro"
  subnet_id                   = aws_subnet.private.id
  associate_public_ip_address = false
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool

KIND = {"aws_instance": "the instance", "aws_launch_template": "instances started from the template",
        "aws_launch_configuration": "instances started from the launch configuration"}


@policy(id="IAC-NET-014", name="instance-public-ip", severity=Severity.LOW, family="network",
        applies_to=("aws_instance", "aws_launch_template", "aws_launch_configuration"),
        equivalents=("CKV_AWS_88", "AVD-AWS-0009"), cwe=668, precision="medium")
def instance_public_ip(resource, options):
    who = KIND.get(resource.type, "the instance")
    # aws_launch_template: per network interface, where the value is a string "true"/"false".
    for interface in resource.blocks("network_interfaces"):
        if as_bool(interface.get("associate_public_ip_address")) is True:
            yield interface.finding(f"associate_public_ip_address = true: {who} get a public IP address",
                                    at="associate_public_ip_address")
    if as_bool(resource.get("associate_public_ip_address")) is True:
        verb = "gets" if resource.type == "aws_instance" else "get"
        yield resource.finding(f"associate_public_ip_address = true: {who} {verb} a public IP address",
                               at="associate_public_ip_address")
