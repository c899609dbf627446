"""The VPC's default security group allows traffic.

## Why
Every resource launched in a VPC without an explicit security group (an instance started by
hand, a Lambda function or an endpoint created in a hurry) lands in the default security group.
Rules on it are applied silently to things nobody reviewed, and the group cannot be deleted, so
a rule added "temporarily" tends to stay. CIS AWS Foundations asks for the default security group
to restrict all traffic, so that every resource has to be placed in a purpose-built group.

With Terraform, an `aws_default_security_group` without `ingress` and `egress` blocks removes
every rule from the default group: that is the recommended shape and is not reported.

## Fix
Remove the `ingress` and `egress` blocks from `aws_default_security_group` (which leaves the group
empty) and attach purpose-built security groups to your resources.

## Example
```hcl
# bad
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
  ingress {
    protocol  = "-1"
    self      = true
    from_port = 0
    to_port   = 0
  }
}

# good: no rules at all
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-NET-009", name="default-security-group-rules", severity=Severity.LOW,
        family="network", applies_to=("aws_default_security_group",),
        equivalents=("CKV2_AWS_12", "AVD-AWS-0173"), cwe=284, precision="very-high")
def default_security_group_rules(resource, options):
    ingress, egress = resource.blocks("ingress"), resource.blocks("egress")
    if not ingress and not egress:
        return
    counts = " and ".join(f"{len(rules)} {kind} rule{'s' if len(rules) != 1 else ''}"
                          for kind, rules in (("ingress", ingress), ("egress", egress)) if rules)
    yield resource.finding(f"the default security group has {counts}: resources launched without a "
                           "security group get them", at=(ingress or egress)[0])
