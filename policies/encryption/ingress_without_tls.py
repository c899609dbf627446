"""Ingress serves hosts over plain HTTP (no TLS for them).

## Why
An Ingress without a `tls` section, or whose `tls` entries do not cover some of its hosts, has
the controller serve those hosts over unencrypted HTTP: session cookies, credentials and
personal data cross the network in clear text and can be read or altered on the way.

## Fix
Add a `spec.tls` entry whose `hosts` cover every host of `spec.rules`, with a certificate in
`secretName` (cert-manager can issue and renew it). TLS terminated by the cloud load balancer
through an annotation (`networking.gke.io/managed-certificates`,
`alb.ingress.kubernetes.io/certificate-arn`, ...) also counts.

## Example
```yaml
# bad
spec:
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
# good
spec:
  tls:
    - hosts: [shop.example.com]
      secretName: shop-example-com-tls
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

# Annotations through which a cloud load balancer terminates TLS without spec.tls.
TLS_ANNOTATIONS = (
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "alb.ingress.kubernetes.io/certificate-arn",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
)


def _tls_by_annotation(annotations) -> bool:
    if not isinstance(annotations, dict):
        return False
    if any(isinstance(annotations.get(k), str) and annotations[k].strip() for k in TLS_ANNOTATIONS):
        return True
    # AWS Load Balancer Controller: an HTTPS listener discovers its ACM certificate by host.
    ports = annotations.get("alb.ingress.kubernetes.io/listen-ports")
    return isinstance(ports, str) and "HTTPS" in ports.upper()


def _covers(pattern: str, host: str) -> bool:
    pattern, host = pattern.strip().lower().rstrip("."), host.strip().lower().rstrip(".")
    if pattern == host:
        return True
    # A wildcard matches exactly one DNS label, as in certificates.
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return False


@policy(id="IAC-ENC-007", name="ingress-without-tls", severity=Severity.MEDIUM, family="encryption",
        applies_to=("Ingress",), cwe=319, precision="high")
def ingress_without_tls(resource, options):
    spec = resource.node("spec")
    if spec is None:
        return
    rules = spec.blocks("rules")
    if not rules or _tls_by_annotation(resource.get("metadata.annotations")):
        return
    name = resource.get("metadata.name") or resource.name
    tls = spec.blocks("tls")
    if not tls:
        yield spec.finding(f'Ingress "{name}" has rules but no tls section: it serves them over plain HTTP',
                           at="rules")
        return
    patterns: list[str] = []
    for entry in tls:
        hosts = entry.get("hosts")
        if not hosts:  # a tls entry without hosts is the controller's default certificate for all
            return
        if isinstance(hosts, list):
            patterns.extend(h for h in hosts if isinstance(h, str))
    seen = set()
    for rule in rules:
        host = rule.get("host")
        if not isinstance(host, str) or not host.strip() or host in seen:
            continue
        seen.add(host)
        if not any(_covers(p, host) for p in patterns):
            yield rule.finding(f'Ingress "{name}": host {host} is not covered by any tls entry '
                               "(served over plain HTTP)", at="host")
