"""Instance metadata reachable from containers: http_put_response_hop_limit is greater than 1.

## Why
A container on an EC2 host is one network hop further from the instance metadata service
(IMDS) than the host itself: its packets cross the container bridge or the pod's network
namespace, which decrements their TTL. The IMDSv2 session token is the answer to a PUT, and
`http_put_response_hop_limit` is the TTL of that answer. With the limit at 1 the token dies on
the way to any container; with 2 or more, every pod or container on the node can get a token and
read what the node reads: the instance role's credentials, the user data, the instance identity.
A compromised workload then acts with the node's role (with the policies EKS nodes usually
carry: pull any image of the account's registries, describe the cluster and the account's EC2
resources, attach network interfaces ...), which steps over the wall between workload and node.
The AWS EKS Best Practices Guide ("Restrict access to the instance profile assigned to the
worker node") asks for a hop limit of 1.

Checked: `aws_launch_template` (which EKS managed node groups, autoscaling groups and instances
launch from), `aws_instance` and `aws_launch_configuration`, where
`metadata_options.http_put_response_hop_limit` is written, directly or through variables,
locals and module inputs, and greater than 1. Not reported: a missing hop limit, a value that
cannot be known (a variable without a default, a data source), and `http_endpoint = "disabled"`
(no metadata service at all). A missing hop limit follows the AMI and the account default,
which the code does not show: 1 for most AMIs, but 2 for an AMI registered with
`imds_support = "v2.0"` (Amazon Linux 2023, for one), so it may be either.

`ec2-imdsv1` (IAC-ISO-006) reports the other exposure of the same block, IMDSv1 (`http_tokens`
not `"required"`), which no hop limit contains; the two can report the same launch template.

## Differences from Checkov
Checkov's CKV_AWS_341 checks launch templates and launch configurations only; an
`aws_instance` that writes its own `metadata_options` is checked here too. On
terraform-aws-eks, Checkov fails the node group modules' launch templates in every call made
through the root module's `node_groups.tf` (`metadata_options = each.value.metadata_options`),
even where the value is the module's `optional(number, 1)` default, or where no template is
created at all (`disabled_eks`, `create = false`; `eks_auto_custom_node_pools`, no node
groups). iaclint evaluates each call: only the `complete` managed node group of
`tests/eks-managed-node-group`, which writes `http_put_response_hop_limit = 2`, is reported.

## Fix
Set `http_put_response_hop_limit = 1` (with `http_tokens = "required"`), and write it even
where it is the default you expect (an `imds_support = "v2.0"` AMI defaults to 2). Pods that
need AWS credentials get a role of their own through IAM Roles for Service Accounts (IRSA) or
EKS Pod Identity instead of borrowing the node's: neither needs the pod to reach the node's
metadata service. A container that only needs the region can be given `AWS_REGION` in its
environment.

## Example
```hcl
# bad
resource "aws_launch_template" "nodes" {
  name_prefix = "nodes-"
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}

# good
resource "aws_launch_template" "nodes" {
  name_prefix = "nodes-"
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}
```
"""

from __future__ import annotations

import math

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

HOP_LIMIT = "http_put_response_hop_limit"


def hop_limit(value) -> int | None:
    """A hop limit as Terraform reads a number (``2``, ``"2"``, ``2.0``); None when it is not a
    whole number (Terraform rejects it); an Unknown raises :class:`UnknownValue`."""
    if isinstance(value, Unknown):
        raise UnknownValue(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return None
        return int(value)
    return value if isinstance(value, int) else None


@policy(id="IAC-ISO-030", name="imds-reachable-from-containers", severity=Severity.MEDIUM,
        family="isolation",
        applies_to=("aws_launch_template", "aws_instance", "aws_launch_configuration"),
        equivalents=("CKV_AWS_341",), cwe=668, precision="high")
def imds_reachable_from_containers(resource, options):
    for metadata in resource.blocks("metadata_options"):
        limit = hop_limit(metadata.get(HOP_LIMIT))
        if limit is None or limit <= 1:
            continue
        endpoint = metadata.get("http_endpoint")
        if endpoint is not None and endpoint == "disabled":
            continue
        yield metadata.finding(f"{HOP_LIMIT} = {limit}: the IMDSv2 token reaches containers on "
                               "the instance, so they can read the instance role's credentials; "
                               "set it to 1", at=HOP_LIMIT)
