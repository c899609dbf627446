"""GCP firewall rule allows ingress from the whole internet to a sensitive port or every port.

## Why
A `google_compute_firewall` that allows `0.0.0.0/0` (or `::/0`) on SSH, RDP, a database, the
Docker API or another service from the family's sensitive-port table (shared with
`open-ingress`) puts that service in front of every scanner on the internet. A rule without
ports, or with protocol `all`, opens every port at once.

Watch the default: an ingress rule that sets none of `source_ranges`, `source_tags` and
`source_service_accounts` applies to `0.0.0.0/0`. An empty `source_ranges` list (a variable left
at `[]`) behaves the same, and is reported. Ports are compared as ranges (`"20-30"`); rules that
are `disabled`, `EGRESS` rules, `deny` rules and protocols without ports (ICMP, ESP, AH) are
not reported.

## Fix
Restrict `source_ranges` to the networks that need the port (a VPN, an office), use
`source_tags` / `source_service_accounts` for traffic between instances, and use Identity-Aware
Proxy TCP forwarding (`35.235.240.0/20`) instead of opening SSH and RDP to the world.

## Example
```hcl
# bad
resource "google_compute_firewall" "ssh" {
  name    = "allow-ssh"
  network = google_compute_network.main.name
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["0.0.0.0/0"]
}

# good
resource "google_compute_firewall" "ssh" {
  name    = "allow-ssh-from-iap"
  network = google_compute_network.main.name
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["35.235.240.0/20"]
}
```
"""

from __future__ import annotations

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

from ._net import MAX_PORT, as_bool, as_text, describe_ports, items, parse_range, world_cidrs

ALL_PROTOCOLS = ("all",)
PORT_PROTOCOLS = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP", "sctp": "SCTP", "132": "SCTP"}


@policy(id="IAC-NET-020", name="gcp-firewall-open-ingress", severity=Severity.HIGH, family="network",
        applies_to=("google_compute_firewall",),
        equivalents=("CKV_GCP_2", "CKV_GCP_3", "CKV_GCP_75", "CKV_GCP_77", "CKV_GCP_88",
                     "AVD-GCP-0070", "AVD-GCP-0071"),
        cwe=284, precision="high")
def gcp_firewall_open_ingress(resource, options):
    if as_bool(resource.get("disabled")) is True:
        return
    if (as_text(resource.get("direction")) or "ingress") != "ingress":
        return
    source = _world_source(resource)
    if source is None:
        return
    at, shown = source
    name = resource.get("name")
    label = f'firewall "{name}"' if isinstance(name, str) and name else "firewall rule"
    exposures = []
    for allow in resource.blocks("allow"):
        protocol = as_text(allow.get("protocol"))
        if protocol in ALL_PROTOCOLS:
            yield resource.finding(f"{label} allows ingress from {shown} on all protocols and all ports",
                                   at=at)
            return
        proto_label = PORT_PROTOCOLS.get(protocol)
        if proto_label is None:
            continue  # icmp, esp, ah, ipip: no ports
        for low, high in _ports(allow):
            text = describe_ports(low, high, proto_label)
            if text is not None:
                exposures.append(text)
    if exposures:
        yield resource.finding(f"{label} allows ingress from {shown} to {'; '.join(exposures)}", at=at)


def _world_source(resource) -> tuple[str | None, str] | None:
    """(where to point, how to say it) when the rule's sources include the whole internet."""
    ranges = resource.get("source_ranges")
    if ranges is not None and items(ranges):
        world = world_cidrs(ranges)
        return ("source_ranges", world[0]) if world else None
    for key in ("source_tags", "source_service_accounts"):
        if items(resource.get(key)):
            return None
    at = "source_ranges" if ranges is not None else None
    return at, "0.0.0.0/0 (no source_ranges, source_tags or source_service_accounts)"


def _ports(allow) -> list[tuple[int, int]]:
    """The allowed port intervals; no `ports` at all means every port."""
    ports = allow.get("ports")
    if ports is None or (isinstance(ports, list) and not ports):
        return [(0, MAX_PORT)]
    out, unknown = [], None
    for value in items(ports):
        if isinstance(value, Unknown):
            unknown = value
            continue
        parsed = parse_range(value)
        if isinstance(parsed, tuple):
            out.append(parsed)
    if unknown is not None and not any(describe_ports(a, b) for a, b in out):
        raise UnknownValue(unknown)
    return out
