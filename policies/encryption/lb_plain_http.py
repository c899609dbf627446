"""Load balancer listener serves plain HTTP instead of redirecting to HTTPS.

## Why
An `HTTP` listener that forwards requests sends them, cookies, tokens and form posts included,
in clear between the client and the load balancer: anyone on the path (public Wi-Fi, a
compromised router, an ISP) can read and change them. Users who type the bare host name land
there first, so the listener must answer with a redirect to HTTPS, not with the application.

Not reported: a listener whose default action redirects to `HTTPS`, and one whose default action
is a `fixed-response` (a static reply that carries no application data).

## Fix
Serve the application on an `HTTPS` listener with a certificate, and make the `HTTP` listener's
default action a `redirect` with `protocol = "HTTPS"` and `status_code = "HTTP_301"`.

## Example
```hcl
# bad
resource "aws_lb_listener" "web" {
  port     = 80
  protocol = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

# good
resource "aws_lb_listener" "web" {
  port     = 80
  protocol = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-ENC-004", name="lb-plain-http", severity=Severity.HIGH, family="encryption",
        applies_to=("aws_lb_listener", "aws_alb_listener"),
        equivalents=("CKV_AWS_2", "CKV2_AWS_20", "AVD-AWS-0054"), cwe=319, precision="high")
def lb_plain_http(resource, options):
    protocol = resource.get("protocol")
    if protocol is None or str(protocol).upper() != "HTTP":
        return
    kinds = []
    for action in resource.blocks("default_action"):
        kind = action.get("type")
        if kind == "fixed-response":
            return
        if kind == "redirect":
            target = action.get("redirect.protocol")
            if target is not None and str(target).upper() == "HTTPS":
                return
            kinds.append(f"a redirect that keeps {target if target is not None else 'the protocol'}")
            continue
        kinds.append(str(kind))
    port = resource.get("port")
    where = f" on port {port}" if isinstance(port, (int, str)) else ""
    what = f"default action: {', then '.join(kinds)}" if kinds else "no default action"
    yield resource.finding(f"HTTP listener{where} serves traffic unencrypted ({what}); redirect it to "
                           "HTTPS", at="protocol")
