"""EKS managed node group with SSH open to the whole internet.

## Why
When an `aws_eks_node_group` sets `remote_access.ec2_ssh_key` without
`source_security_group_ids`, EKS creates a security group for the nodes that accepts SSH
(port 22) from `0.0.0.0/0`. Every worker node, which holds the kubelet's credentials and the
secrets of the pods it runs, is then one leaked or brute-forced key away from a takeover, and
the rule does not appear anywhere in the Terraform code.

## Fix
Drop `remote_access` and reach nodes with Systems Manager Session Manager, or list the
security groups allowed to connect (a bastion's) in `remote_access.source_security_group_ids`.

## Example
```hcl
# bad
remote_access {
  ec2_ssh_key = "ops"
}

# good
remote_access {
  ec2_ssh_key               = "ops"
  source_security_group_ids = [aws_security_group.bastion.id]
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import items


@policy(id="IAC-NET-012", name="eks-node-group-ssh-open", severity=Severity.HIGH, family="network",
        applies_to=("aws_eks_node_group",), equivalents=("CKV_AWS_100",), cwe=284,
        precision="high")
def eks_node_group_ssh_open(resource, options):
    for access in resource.blocks("remote_access"):
        if items(access.get("source_security_group_ids")):
            continue
        key = access.get("ec2_ssh_key")
        if key is None or key == "":
            continue
        yield access.finding("remote_access sets an SSH key without source_security_group_ids: EKS "
                             "opens port 22 on the nodes to 0.0.0.0/0", at=access)
