"""EC2 instance or launch template allows IMDSv1 (http_tokens is not "required").

## Why
With IMDSv1 any process that can make the instance send an HTTP GET, typically a server-side
request forgery in a web application or a misconfigured proxy, can read
`http://169.254.169.254/latest/meta-data/iam/security-credentials/` and walk away with the
instance role's credentials (the Capital One breach). IMDSv2 requires a session token obtained
with a PUT and a hop-limited response, which SSRF and open proxies cannot do.

`http_tokens` is `optional` (IMDSv1 allowed) unless the configuration says `required`; a missing
`metadata_options` block leaves it to the AMI and account defaults, which the code does not show,
so it is reported at the resource. Not reported: `http_endpoint = "disabled"` (no metadata
service at all) and an `aws_instance` launched from a `launch_template`, whose metadata options
apply (the template is checked on its own).

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

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-ISO-006", name="ec2-imdsv1", severity=Severity.HIGH, family="isolation",
        applies_to=("aws_instance", "aws_launch_template"),
        equivalents=("CKV_AWS_79", "AVD-AWS-0028", "AVD-AWS-0130"), cwe=1188, precision="high")
def ec2_imdsv1(resource, options):
    blocks = resource.blocks("metadata_options")
    if not blocks:
        if resource.get("launch_template") is not None:
            return  # the launch template's metadata options apply
        yield resource.finding("IMDSv1 is allowed: no metadata_options block, so http_tokens is "
                               "not \"required\"")
        return
    metadata = blocks[0]
    endpoint = metadata.get("http_endpoint")
    if endpoint is not None and endpoint == "disabled":
        return
    tokens = metadata.get("http_tokens")
    if tokens is None:
        yield metadata.finding("IMDSv1 is allowed: metadata_options does not set http_tokens = "
                               "\"required\"")
    elif tokens != "required":
        yield metadata.finding(f"IMDSv1 is allowed: http_tokens = \"{tokens}\"; set it to \"required\"",
                               at="http_tokens")
