"""CloudFront cache behavior serves viewers over plain HTTP (viewer_protocol_policy = "allow-all").

## Why
With `allow-all`, CloudFront answers `http://` requests with content instead of redirecting
them: pages, cookies, tokens and form posts travel in clear between the viewer and the edge,
where anyone on the path (public Wi-Fi, a hostile network) can read and change them, inject
scripts into the page or strip later redirects. Every cache behavior counts: the default one and
each `ordered_cache_behavior`, which may serve a path (`/api/*`, `/login*`) that matters more
than the rest.

A distribution with `enabled = false` serves nothing and is not reported.

## Fix
Set `viewer_protocol_policy = "redirect-to-https"` (or `"https-only"` for APIs whose clients
never use `http://`) in every cache behavior, and consider an HSTS header with a response headers
policy.

## Example
```hcl
# bad
default_cache_behavior {
  target_origin_id       = "web"
  viewer_protocol_policy = "allow-all"
}

# good
default_cache_behavior {
  target_origin_id       = "web"
  viewer_protocol_policy = "redirect-to-https"
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import is_false


@policy(id="IAC-ENC-022", name="cloudfront-viewer-http", severity=Severity.HIGH,
        family="encryption", applies_to=("aws_cloudfront_distribution",),
        equivalents=("CKV_AWS_34", "AVD-AWS-0012"), cwe=319, precision="high")
def cloudfront_viewer_http(resource, options):
    enabled = resource.get("enabled")
    if enabled is not None and is_false(enabled):
        return
    behaviors = [("default_cache_behavior", b) for b in resource.blocks("default_cache_behavior")]
    behaviors += [("ordered_cache_behavior", b) for b in resource.blocks("ordered_cache_behavior")]
    for label, behavior in behaviors:
        policy_value = behavior.get("viewer_protocol_policy")
        if policy_value is not None and str(policy_value).strip().lower() == "allow-all":
            pattern = behavior.get("path_pattern")
            where = f"{label} {pattern}" if isinstance(pattern, str) else label
            yield behavior.finding(f'CloudFront {where} serves plain HTTP (viewer_protocol_policy = '
                                   '"allow-all"); redirect viewers to HTTPS', at="viewer_protocol_policy")
