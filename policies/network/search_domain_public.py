"""OpenSearch / Elasticsearch domain with a public endpoint (no `vpc_options`).

## Why
A domain created without `vpc_options` gets an endpoint on the internet. Whether a request is
served is then decided only by the domain's access policy (and fine-grained access control when
it is on): a policy that allows `*`, an IP condition written for an old office range, or a
mistake in a later edit exposes the cluster's indices, which usually hold logs, customer data or
both. Public Elasticsearch clusters are among the most common sources of data leaks. A domain
cannot be moved into a VPC after creation: the choice is made once, here.

## Fix
Create the domain inside the VPC with `vpc_options` (private subnets and a security group that
admits only the clients), and reach dashboards through a VPN, a bastion or a proxy with
authentication.

## Example
```hcl
# bad
resource "aws_opensearch_domain" "logs" {
  domain_name = "logs"
}

# good
resource "aws_opensearch_domain" "logs" {
  domain_name = "logs"
  vpc_options {
    subnet_ids         = [aws_subnet.private_a.id]
    security_group_ids = [aws_security_group.logs.id]
  }
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import items

KIND = {"aws_opensearch_domain": "OpenSearch", "aws_elasticsearch_domain": "Elasticsearch"}


@policy(id="IAC-NET-010", name="search-domain-public", severity=Severity.MEDIUM, family="network",
        applies_to=("aws_opensearch_domain", "aws_elasticsearch_domain"),
        equivalents=("CKV_AWS_137",), cwe=284, precision="high")
def search_domain_public(resource, options):
    kind = KIND.get(resource.type, "search")
    options_blocks = resource.blocks("vpc_options")
    if not options_blocks:
        yield resource.finding(f"{kind} domain has no vpc_options: its endpoint is on the internet, "
                               "guarded only by the access policy")
        return
    block = options_blocks[0]
    if "subnet_ids" in block and not items(block.get("subnet_ids")):
        yield block.finding(f"{kind} domain's vpc_options has no subnets: its endpoint is on the "
                            "internet", at="subnet_ids")
