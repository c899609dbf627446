"""EKS cluster API endpoint open to the whole internet.

## Why
The Kubernetes API server is the cluster's control plane: whoever reaches it with a token, a
leaked kubeconfig or an exploit for the API server can take the whole cluster. EKS makes the
endpoint public by default (`endpoint_public_access = true`) and accepts clients from
`0.0.0.0/0` unless `public_access_cidrs` says otherwise, so a cluster written with the defaults
is reachable by every scanner on the internet, and authentication is the only barrier left.

Reported: a public endpoint whose `public_access_cidrs` is unset, empty (both mean
`0.0.0.0/0`) or contains `0.0.0.0/0`. A public endpoint limited to known ranges, and a private
endpoint, are fine.

## Fix
Set `endpoint_private_access = true` and `endpoint_public_access = false` and reach the API
through the VPC (a VPN, a bastion, a CI runner inside the VPC); or keep the public endpoint and
list the networks that need it in `public_access_cidrs`.

## Example
```hcl
# bad
vpc_config {
  subnet_ids = var.subnet_ids
}

# good
vpc_config {
  subnet_ids              = var.subnet_ids
  endpoint_private_access = true
  endpoint_public_access  = false
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool, items, world_cidrs


@policy(id="IAC-NET-011", name="eks-public-endpoint", severity=Severity.MEDIUM, family="network",
        applies_to=("aws_eks_cluster",), equivalents=("CKV_AWS_38", "AVD-AWS-0041"), cwe=284,
        precision="high")
def eks_public_endpoint(resource, options):
    for config in resource.blocks("vpc_config"):
        if as_bool(config.get("endpoint_public_access", True)) is False:
            continue
        cidrs = config.get("public_access_cidrs")
        if cidrs is not None and items(cidrs):
            world = world_cidrs(cidrs)
            if world:
                yield config.finding(f"the EKS API endpoint is public and accepts clients from {world[0]}",
                                     at="public_access_cidrs")
            continue
        at = "endpoint_public_access" if "endpoint_public_access" in config else None
        node = config if at else resource
        yield node.finding("the EKS API endpoint is public and accepts clients from 0.0.0.0/0 "
                           "(public_access_cidrs is not set)", at=at or config)
