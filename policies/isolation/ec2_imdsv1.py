"""EC2 instance, launch template or launch configuration allows IMDSv1 (http_tokens is not "required").

## Why
With IMDSv1 any process that can make the instance send an HTTP GET, typically a server-side
request forgery in a web application or a misconfigured proxy, can read
`http://169.254.169.254/latest/meta-data/iam/security-credentials/` and walk away with the
instance role's credentials (the Capital One breach). IMDSv2 requires a session token obtained
with a PUT and a hop-limited response, which SSRF and open proxies cannot do.

Checked: `aws_instance`, `aws_launch_template` (which EKS managed node groups, autoscaling
groups and instances launch from) and `aws_launch_configuration`. `http_tokens` is `optional`
(IMDSv1 allowed) unless the configuration says `required`; a missing `metadata_options` block
or `http_tokens` leaves it to the AMI (`imds_support = "v2.0"`) and the account default, which
the code usually does not show, so it is reported. When the same root module
has an `aws_ec2_instance_metadata_defaults` with `http_tokens = "required"`, the account default
requires tokens and only explicit `optional` settings are reported. Not reported either:
`http_endpoint = "disabled"` (no metadata service at all) and an `aws_instance` launched from a
`launch_template`, whose metadata options apply (the template is checked on its own).

## Differences from Checkov
Checkov's CKV_AWS_79 fails the launch templates of terraform-aws-eks's node group modules,
but only as instantiated by the `disabled_eks` test call (`create = false`), where their `count`
is 0 and nothing is created; with any call that creates them, `metadata_options` comes from the
variable's `optional(string, "required")` default, which iaclint evaluates and passes.

## Fix
Add `metadata_options { http_tokens = "required" }`, and keep `http_put_response_hop_limit = 1`
unless containers on the host need the metadata service (then 2). Check first that the software
on the instance uses an AWS SDK recent enough for IMDSv2 (all current ones are).

## Example
```hcl
# bad
resource "aws_instance" "app" {
  ami           = data.aws_ami.app.id
  instance_type = "t3.micro"
}

# good
resource "aws_instance" "app" {
  ami           = data.aws_ami.app.id
  instance_type = "t3.micro"
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

INSTANCE_TYPES = ("aws_instance", "aws_launch_template", "aws_launch_configuration")


@policy(id="IAC-ISO-006", name="ec2-imdsv1", severity=Severity.HIGH, family="isolation",
        applies_to=INSTANCE_TYPES + ("aws_ec2_instance_metadata_defaults",), scope="project",
        equivalents=("CKV_AWS_79", "AVD-AWS-0028", "AVD-AWS-0130"), cwe=1188, precision="high")
def ec2_imdsv1(project, options):
    # The account-level default of http_tokens, when the scan sets one: "required", another
    # string, or Unknown (then settings left to the default cannot be judged).
    # It counts only inside its own root module: another root is another state, and often another
    # account or region.
    account_default = {}
    for defaults in project.of_type("aws_ec2_instance_metadata_defaults"):
        tokens = defaults.get("http_tokens")
        if isinstance(tokens, (str, Unknown)):
            account_default.setdefault(defaults.meta.get("root"), tokens)
    for resource in project.of_type(*INSTANCE_TYPES):
        yield from project.guarded(_check(resource, account_default.get(resource.meta.get("root"))),
                                   resource)


def _requires_tokens(account_default) -> bool:
    if isinstance(account_default, Unknown):
        raise UnknownValue(account_default)
    return account_default == "required"


def _check(resource, account_default):
    blocks = resource.blocks("metadata_options")
    if not blocks:
        if resource.get("launch_template") is not None:
            return  # the launch template's metadata options apply
        if _requires_tokens(account_default):
            return
        yield resource.finding("IMDSv1 is allowed: no metadata_options block, so http_tokens is "
                               "not \"required\" (unless the AMI or the account default requires it)")
        return
    metadata = blocks[0]
    endpoint = metadata.get("http_endpoint")
    if endpoint is not None and endpoint == "disabled":
        return
    tokens = metadata.get("http_tokens")
    if tokens is None:
        if _requires_tokens(account_default):
            return
        yield metadata.finding("IMDSv1 is allowed: metadata_options does not set http_tokens = "
                               "\"required\" (unless the AMI or the account default requires it)")
    elif tokens != "required":
        yield metadata.finding(f"IMDSv1 is allowed: http_tokens = \"{tokens}\"; set it to \"required\"",
                               at="http_tokens")
