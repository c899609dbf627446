"""CloudFront fetches from a custom origin over plain HTTP (origin_protocol_policy http-only).

## Why
With `origin_protocol_policy = "http-only"` every request CloudFront forwards to the origin
(cookies, `Authorization` headers, form posts) and every response crosses the internet between
the edge and the origin in clear, even when viewers use HTTPS: the padlock in the browser covers
only the first hop. `match-viewer` does the same for every viewer request made over HTTP, so it
is reported when a cache behavior that targets the origin lets viewers use HTTP
(`viewer_protocol_policy = "allow-all"`).

Not reported: S3 website endpoints (`*.s3-website-<region>.amazonaws.com`,
`*.s3-website.<region>.amazonaws.com`), which only speak HTTP; serve the bucket through its REST
endpoint with origin access control instead if its content is not public. A distribution with
`enabled = false` serves nothing and is not judged.

## Fix
Set `origin_protocol_policy = "https-only"` with `origin_ssl_protocols = ["TLSv1.2"]`, and give
the origin a certificate that matches its `domain_name`.

## Example
```hcl
# bad
origin {
  domain_name = "app.internal.example.com"
  origin_id   = "app"
  custom_origin_config {
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "http-only"
    origin_ssl_protocols   = ["TLSv1.2"]
  }
}

# good
origin {
  domain_name = "app.internal.example.com"
  origin_id   = "app"
  custom_origin_config {
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "https-only"
    origin_ssl_protocols   = ["TLSv1.2"]
  }
}
```
"""

from __future__ import annotations

import re

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

from ._values import is_false

# S3 website endpoints: bucket.s3-website-us-east-1.amazonaws.com, bucket.s3-website.eu-west-3.amazonaws.com
_S3_WEBSITE = lazy_re(r"\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(\.cn)?\.?$", re.IGNORECASE)


def _viewers_may_use_http(resource, origin_id) -> bool:
    for key in ("default_cache_behavior", "ordered_cache_behavior"):
        for behavior in resource.blocks(key):
            if behavior.get("target_origin_id") == origin_id:
                viewer = behavior.get("viewer_protocol_policy")
                if viewer is not None and str(viewer).strip().lower() == "allow-all":
                    return True
    return False


@policy(id="IAC-ENC-023", name="cloudfront-origin-http", severity=Severity.MEDIUM,
        family="encryption", applies_to=("aws_cloudfront_distribution",),
        equivalents=("CKV2_AWS_72",), cwe=319, precision="high")
def cloudfront_origin_http(resource, options):
    enabled = resource.get("enabled")
    if enabled is not None and is_false(enabled):
        return
    for origin in resource.blocks("origin"):
        config = origin.node("custom_origin_config")
        if config is None:
            continue
        protocol = config.get("origin_protocol_policy")
        if protocol is None:
            continue
        protocol = str(protocol).strip().lower()
        if protocol not in ("http-only", "match-viewer"):
            continue
        domain = origin.get("domain_name")
        # str() of an Unknown domain raises: it may be an S3 website endpoint, so no verdict.
        if domain is not None and _S3_WEBSITE.search(str(domain).strip()):
            continue  # S3 website endpoints speak only HTTP
        name = origin.get("origin_id")
        label = f'origin "{name}"' if isinstance(name, str) else "origin"
        if protocol == "http-only":
            yield config.finding(f'CloudFront {label} is fetched over plain HTTP (origin_protocol_policy '
                                 '= "http-only")', at="origin_protocol_policy")
        elif _viewers_may_use_http(resource, name):
            yield config.finding(f'CloudFront {label} is fetched over plain HTTP for HTTP viewers '
                                 '(origin_protocol_policy = "match-viewer" and a cache behavior allows '
                                 'HTTP)', at="origin_protocol_policy")
