"""The VPC's default security group allows traffic (rules written in, or AWS's rules left in place).

## Why
Every resource launched in a VPC without an explicit security group (an instance started by
hand, a Lambda function or an endpoint created in a hurry) lands in the default security group.
Rules on it are applied silently to things nobody reviewed, and the group cannot be deleted, so
a rule added "temporarily" tends to stay. CIS AWS Foundations asks for the default security group
to restrict all traffic, so that every resource has to be placed in a purpose-built group.

AWS creates the default group of every VPC with rules that allow all traffic between its
members and all egress. With Terraform, an `aws_default_security_group` without `ingress` and
`egress` blocks removes every rule from the default group: that is the recommended shape and is
not reported. Two cases are reported (low severity):

- an `aws_default_security_group` with `ingress` or `egress` rules, at its first rule;
- an `aws_vpc` that no `aws_default_security_group` of the same configuration manages (its
  `vpc_id` refers to the VPC, directly or through locals, variables and module outputs): the
  default group keeps AWS's rules. It is reported at the VPC's header. The configuration is the
  root module the VPC is evaluated in, with every module that root calls, so a module that creates
  the VPC and a root that manages its default group are seen together; a module scanned without
  its callers is judged alone. When an `aws_default_security_group` there names a VPC that cannot
  be known (`vpc_id` from a data source or an unset variable), the VPCs it might manage are not
  judged (the skip is counted). If the default group is managed elsewhere (another
  configuration, a Config rule that strips it), suppress the finding at the VPC with that reason.

A VPC whose managing `aws_default_security_group` has rules is reported once, at those rules, not
again at the VPC.

## Differences from Checkov
CKV2_AWS_12 reports the `aws_vpc` in both cases (no managing default group, or one with rules);
iaclint reports the second case once, at the default group's rule, where the fix is. On
terraform-aws-vpc Checkov reports the module's `aws_vpc.this` in every call it evaluates, those
that keep the module's defaults included, though the module then manages that VPC's default
group with no rules (`manage_default_security_group = true`, empty rule lists, the rules written
as `dynamic` blocks). iaclint evaluates the `dynamic` blocks and the `count`, and reports that VPC
only in a call that sets `manage_default_security_group = false`, where AWS's rules stay.
Checkov also fails a VPC whose default group gets rules from separate `aws_security_group_rule`
or `aws_vpc_security_group_ingress_rule` / `_egress_rule` resources; iaclint does not read those
here yet.

## Fix
Manage the default group of every VPC with an `aws_default_security_group` that has no
`ingress` and `egress` blocks (Terraform then removes every rule from it), and attach
purpose-built security groups to your resources.

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

# bad: no aws_default_security_group for this VPC, AWS's rules stay
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

# good: the VPC's default group is managed, with no rules at all
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}
```
"""

from __future__ import annotations

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

DEFAULT_SG = "aws_default_security_group"
VPC = "aws_vpc"


@policy(id="IAC-NET-009", name="default-security-group-rules", severity=Severity.LOW,
        family="network", applies_to=(DEFAULT_SG, VPC), scope="project",
        equivalents=("CKV2_AWS_12", "AVD-AWS-0173"), cwe=284, precision="medium")
def default_security_group_rules(project, options):
    groups = project.of_type(DEFAULT_SG)
    for group in groups:
        yield from project.guarded(_rules(group), group)
    # Default groups whose VPC could not be followed: any VPC of their configuration may be theirs.
    unresolved: dict = {}
    for group in groups:
        vpc_id = group.get("vpc_id")
        if isinstance(vpc_id, Unknown) and not project.references(group, VPC, via="vpc_id"):
            unresolved.setdefault(group.meta.get("root"), []).append(vpc_id)
    for vpc in project.of_type(VPC):
        yield from project.guarded(_unmanaged(project, vpc, unresolved.get(vpc.meta.get("root"), ())), vpc)


def _rules(group):
    ingress, egress = group.blocks("ingress"), group.blocks("egress")
    if not ingress and not egress:
        return
    counts = " and ".join(f"{len(rules)} {kind} rule{'s' if len(rules) != 1 else ''}"
                          for kind, rules in (("ingress", ingress), ("egress", egress)) if rules)
    yield group.finding(f"the default security group has {counts}: resources launched without a "
                        "security group get them", at=(ingress or egress)[0])


def _unmanaged(project, vpc, unresolved):
    if project.referrers(vpc, DEFAULT_SG, via="vpc_id"):
        return  # managed: its rules, if any, are reported at the aws_default_security_group
    for vpc_id in unresolved:
        raise UnknownValue(vpc_id)  # that default group may be this VPC's
    yield vpc.finding("no aws_default_security_group manages this VPC's default security group: it keeps "
                      "AWS's rules (all traffic between its members, all egress), which resources launched "
                      "without a security group get")
