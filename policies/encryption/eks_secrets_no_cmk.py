"""EKS cluster does not envelope-encrypt Kubernetes secrets with a customer managed KMS key.

## Why
Kubernetes Secrets (service account tokens, database passwords, TLS keys) are stored in the
cluster's etcd. With `encryption_config` for `secrets` and a customer managed key, the API server
envelope-encrypts them with a key whose policy you control: a copy of etcd, or of an etcd backup,
is useless without `kms:Decrypt`, and you can cut access by disabling the key.

Since March 2025 EKS envelope-encrypts all Kubernetes API data by default on Kubernetes 1.28 and
later, with an AWS owned key that you can neither audit nor revoke; older clusters and versions
have only the disk encryption of the etcd volumes. Hence low severity: the finding is about who
controls the key. Reported: no `encryption_config`, or none whose `resources` include `secrets`
with a `provider.key_arn`.

## Differences from Checkov
Checkov's CKV_AWS_58 fails terraform-aws-eks's `aws_eks_cluster.this` only as instantiated by
the `disabled_eks` test call (`create = false`): its `count` is 0 there and no cluster exists. In
every call that creates the cluster, `encryption_config` comes from the variable's defaults
(`resources = ["secrets"]`, the module's own KMS key), which iaclint evaluates and passes.

## Fix
Add `encryption_config { resources = ["secrets"] provider { key_arn = aws_kms_key.eks.arn } }`.
It can be added to an existing cluster but never removed.

## Example
```hcl
# bad
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = aws_iam_role.eks.arn
  vpc_config {
    subnet_ids = var.private_subnets
  }
}

# good
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = aws_iam_role.eks.arn
  vpc_config {
    subnet_ids = var.private_subnets
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

from ._values import is_blank


@policy(id="IAC-ENC-020", name="eks-secrets-no-cmk", severity=Severity.LOW, family="encryption",
        applies_to=("aws_eks_cluster",), equivalents=("CKV_AWS_58", "AVD-AWS-0039"),
        precision="high")
def eks_secrets_no_cmk(resource, options):
    configs = resource.blocks("encryption_config")
    if not configs:
        yield resource.finding("EKS cluster has no encryption_config: Kubernetes secrets are not "
                               "envelope-encrypted with a customer managed KMS key")
        return
    for config in configs:
        resources = config.get("resources")
        if isinstance(resources, Unknown):
            raise UnknownValue(resources)
        if resources is None:
            # The provider requires resources: a null here is a value the evaluator could not
            # produce, not a configuration to judge.
            raise UnknownValue(Unknown("encryption_config.resources", "no value, but the provider "
                                       "requires one", config.span("resources")))
        if isinstance(resources, list) and "secrets" in resources:
            if is_blank(config.get("provider.key_arn")):
                yield config.finding("EKS encryption_config for secrets has no provider.key_arn")
            return
    first = configs[0]
    yield first.finding("EKS encryption_config does not include \"secrets\" in resources",
                        at="resources" if first.get("resources") is not None else None)
