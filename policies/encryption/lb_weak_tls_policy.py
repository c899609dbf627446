"""HTTPS or TLS listener accepts TLS 1.0 or 1.1 (ssl_policy missing or outdated).

## Why
TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on SHA-1 and CBC constructions with known
attacks, and PCI DSS and most compliance baselines forbid them. A listener whose security policy
still offers them lets a downgrade-capable attacker, or an old client, negotiate them.

The listener's `ssl_policy` decides. When it is missing, AWS uses `ELBSecurityPolicy-2016-08`,
which accepts TLS 1.0, so a missing policy is reported at the resource. Reported policies: the
dated ones (`ELBSecurityPolicy-2016-08`, `-2015-05`, ...), `ELBSecurityPolicy-TLS-1-0-*`,
`-TLS-1-1-*`, `-FS-2018-06`, `-FS-1-1-*`, and the TLS 1.3 families that keep 1.0 or 1.1
(`ELBSecurityPolicy-TLS13-1-0-*`, `ELBSecurityPolicy-TLS13-1-1-*`, FIPS and PQ variants included).

## Fix
Set `ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"` (TLS 1.2 and 1.3, AWS's recommended
policy), or `ELBSecurityPolicy-TLS13-1-3-2021-06` when every client speaks TLS 1.3.

## Example
```hcl
# bad
resource "aws_lb_listener" "https" {
  port            = 443
  protocol        = "HTTPS"
  certificate_arn = aws_acm_certificate.web.arn
}

# good
resource "aws_lb_listener" "https" {
  port            = 443
  protocol        = "HTTPS"
  certificate_arn = aws_acm_certificate.web.arn
  ssl_policy      = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}
```
"""

from __future__ import annotations

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

DEFAULT_POLICY = "ELBSecurityPolicy-2016-08"

# Policy name -> the oldest TLS version it accepts (AWS Elastic Load Balancing documentation).
WEAK_POLICIES = {
    "ELBSecurityPolicy-2016-08": "1.0",
    "ELBSecurityPolicy-2015-05": "1.0",
    "ELBSecurityPolicy-TLS-1-0-2015-04": "1.0",
    "ELBSecurityPolicy-TLS-1-1-2017-01": "1.1",
    "ELBSecurityPolicy-FS-2018-06": "1.0",
    "ELBSecurityPolicy-FS-1-1-2019-08": "1.1",
    "ELBSecurityPolicy-TLS13-1-0-2021-06": "1.0",
    "ELBSecurityPolicy-TLS13-1-1-2021-06": "1.1",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04": "1.0",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04": "1.1",
}
# Families the table does not list yet (newer FIPS/PQ variants), by their naming scheme.
_VERSIONED = lazy_re(r"^ELBSecurityPolicy-(?:TLS13-|TLS-|FS-)1-([01])-")
_DATED = lazy_re(r"^ELBSecurityPolicy-(?:FS-)?\d{4}-\d{2}$")


def oldest_tls(name: str) -> str | None:
    """The oldest TLS version below 1.2 that policy ``name`` accepts, or None."""
    if name in WEAK_POLICIES:
        return WEAK_POLICIES[name]
    m = _VERSIONED.match(name)
    if m:
        return f"1.{m.group(1)}"
    if _DATED.match(name):
        return "1.0"
    return None


@policy(id="IAC-ENC-005", name="lb-weak-tls-policy", severity=Severity.HIGH, family="encryption",
        applies_to=("aws_lb_listener", "aws_alb_listener"),
        equivalents=("CKV_AWS_103", "AVD-AWS-0047"), cwe=326, precision="high")
def lb_weak_tls_policy(resource, options):
    protocol = resource.get("protocol")
    if protocol is None or str(protocol).upper() not in ("HTTPS", "TLS"):
        return
    name = resource.get("ssl_policy")
    if name is None:
        yield resource.finding(f"{str(protocol).upper()} listener has no ssl_policy: AWS uses "
                               f"{DEFAULT_POLICY}, which accepts TLS 1.0")
        return
    version = oldest_tls(str(name))
    if version is not None:
        yield resource.finding(f"ssl_policy {name} accepts TLS {version}; use "
                               "ELBSecurityPolicy-TLS13-1-2-2021-06", at="ssl_policy")
