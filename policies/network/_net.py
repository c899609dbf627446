"""What the network policies share: the sensitive-port table, port intervals, "the whole internet".

Every firewall-like policy (AWS security groups and NACLs, Azure NSGs, GCP firewalls) compares
the ports a rule opens with :data:`SENSITIVE_PORTS` as intervals: a rule for ``20-25`` is
reported once, naming the services it covers, and a port range is never expanded port by port.
"""

from __future__ import annotations

import math

from iaclint.model import Unknown, UnknownValue

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, Iterable

# (first port, last port, service): ports whose service must not face the internet. Web ports
# (80, 443) are not here: serving them to the internet is usually the point.
SENSITIVE_PORTS = (
    (20, 21, "FTP"),
    (22, 22, "SSH"),
    (23, 23, "Telnet"),
    (135, 135, "MS RPC"),
    (137, 139, "NetBIOS"),
    (445, 445, "SMB"),
    (1433, 1434, "MSSQL"),
    (1521, 1521, "Oracle"),
    (2049, 2049, "NFS"),
    (2181, 2181, "ZooKeeper"),
    (2375, 2376, "Docker API"),
    (2379, 2380, "etcd"),
    (3306, 3306, "MySQL"),
    (3389, 3389, "RDP"),
    (5432, 5432, "PostgreSQL"),
    (5601, 5601, "Kibana"),
    (5900, 5900, "VNC"),
    (5984, 5984, "CouchDB"),
    (6379, 6379, "Redis"),
    (6443, 6443, "Kubernetes API"),
    (9042, 9042, "Cassandra"),
    (9092, 9092, "Kafka"),
    (9200, 9200, "Elasticsearch"),
    (9300, 9300, "Elasticsearch transport"),
    (10250, 10250, "kubelet"),
    (10255, 10255, "kubelet read-only"),
    (11211, 11211, "memcached"),
    (27017, 27019, "MongoDB"),
)

MAX_PORT = 65535
MAX_NAMED = 4  # services named in one message; the rest are counted


# -- values as Terraform would read them ----------------------------------------------------------
def as_bool(value: Any) -> bool | None:
    """A Terraform bool: ``true``/``false`` or the strings Terraform converts; None otherwise.

    An Unknown raises :class:`UnknownValue` (the check cannot be decided).
    """
    if isinstance(value, Unknown):
        raise UnknownValue(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_port(value: Any) -> int | None:
    """A port number written as a number or a numeric string; None when it is neither."""
    if isinstance(value, Unknown):
        raise UnknownValue(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value == int(value)):
        return None  # 1e999 is infinite: no port (and int() of it would raise)
    try:
        return int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        return None


def as_text(value: Any) -> str | None:
    """A string (numbers are written as text too), stripped and lower-cased; None otherwise."""
    if isinstance(value, Unknown):
        raise UnknownValue(value)
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        return None
    return str(value).strip().lower()


def items(value: Any) -> list:
    """A list attribute as a list: a single value counts as one item, None as none."""
    if isinstance(value, Unknown):
        raise UnknownValue(value)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# -- addresses ------------------------------------------------------------------------------------
_WORLD = frozenset({"0.0.0.0/0", "::/0"})


def is_world(cidr: Any) -> bool:
    """Whether ``cidr`` matches every address (``0.0.0.0/0``, ``::/0``, ``0::0/0``)."""
    if not isinstance(cidr, str):
        return False
    text = cidr.strip()
    if text in _WORLD:
        return True
    _address, slash, prefix = text.partition("/")
    if not slash or (prefix.isascii() and prefix.isdigit() and int(prefix) != 0):
        return False  # one address, or a prefix that leaves addresses out (valid or not)
    # Other spellings of a zero prefix (``0::0/0``, ``10.0.0.0/00``, a netmask ``/0.0.0.0``) are
    # read by ipaddress, imported only then: importing it costs a scan ~2 ms.
    import ipaddress
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


def world_sources(rule, cidr_keys) -> tuple[str, str] | None:
    """("0.0.0.0/0 and ::/0", the first attribute holding one) for a rule open to the world, or None.

    ``cidr_keys`` are the rule's CIDR attributes (``cidr_blocks``/``ipv6_cidr_blocks`` or
    ``cidr_ipv4``/``cidr_ipv6``); the attribute is where a finding points.
    """
    world, at = [], None
    for key in cidr_keys:
        found = world_cidrs(rule.get(key))
        if found and at is None:
            at = key
        world.extend(found)
    if not world:
        return None
    return " and ".join(dict.fromkeys(world)), at


def world_cidrs(values: Any) -> list[str]:
    """The CIDRs among ``values`` that match every address.

    A known world CIDR is enough on its own; when none is known and some value is Unknown, the
    answer is not known either and :class:`UnknownValue` is raised.
    """
    if isinstance(values, Unknown):
        raise UnknownValue(values)
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    found, unknown = [], None
    for value in values:
        if isinstance(value, Unknown):
            unknown = value
        elif is_world(value):
            found.append(value.strip())
    if not found and unknown is not None:
        raise UnknownValue(unknown)
    return found


# AWS security group and network ACL rules: "-1"/"all" is every protocol (and port); TCP and UDP
# by name or number have ports; other protocols (icmp, esp, gre...) have none.
AWS_ALL_PROTOCOLS = ("-1", "all")
AWS_PORT_PROTOCOLS = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP"}


def aws_rule_ports(rule, protocol_key: str = "protocol") -> tuple[str, tuple[int, int] | None]:
    """An AWS rule's protocol label (``ALL``, ``TCP``, ``UDP``, or ``""`` for a protocol without
    ports) and its ``from_port``..``to_port``, None when a port is not a number. ``ALL`` opens
    every port."""
    protocol = as_text(rule.get(protocol_key))
    if protocol in AWS_ALL_PROTOCOLS:
        return "ALL", (0, MAX_PORT)
    label = AWS_PORT_PROTOCOLS.get(protocol)
    if label is None:
        return "", None
    low, high = as_port(rule.get("from_port")), as_port(rule.get("to_port"))
    if low is None or high is None:
        return label, None
    return label, (low, high)


# -- ports ----------------------------------------------------------------------------------------
def sensitive_hits(low: int, high: int) -> list[tuple[int, int, str]]:
    """The rows of :data:`SENSITIVE_PORTS` that overlap ``low..high``, clipped to it."""
    return [(max(a, low), min(b, high), name) for a, b, name in SENSITIVE_PORTS if a <= high and low <= b]


def covers_all(low: int, high: int) -> bool:
    return low <= 1 and high >= MAX_PORT


def describe_ports(low: int, high: int, protocol: str = "") -> str | None:
    """How a rule opening ``low..high`` is described when it matters, or None when it does not.

    ``"all TCP ports (0-65535)"``, ``"port 22 (SSH)"``, ``"UDP port 11211 (memcached)"``,
    ``"ports 20-25, which include 20-21 (FTP), 22 (SSH), 23 (Telnet)"``; ``protocol`` is the
    label (``TCP``, ``UDP``) and is left out of single ports and ranges when it is TCP.
    """
    if covers_all(low, high):
        return f"all {protocol + ' ' if protocol else ''}ports ({low}-{high})"
    hits = sensitive_hits(low, high)
    if not hits:
        return None
    proto = f"{protocol} " if protocol and protocol != "TCP" else ""
    if low == high:
        return f"{proto}port {low} ({hits[0][2]})"
    covered = ", ".join(f"{span(a, b)} ({name})" for a, b, name in hits[:MAX_NAMED])
    more = f" and {len(hits) - MAX_NAMED} more sensitive services" if len(hits) > MAX_NAMED else ""
    return f"{proto}ports {low}-{high}, which include {covered}{more}"


def span(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}-{b}"


def parse_range(text: Any) -> tuple[int, int] | None | str:
    """A port written as text: ``"22"`` -> (22, 22), ``"20-30"`` -> (20, 30), ``"*"`` -> "*".

    None when it is not a port at all. Numbers are accepted as well as strings.
    """
    if isinstance(text, Unknown):
        raise UnknownValue(text)
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int):
        return (text, text) if 0 <= text <= MAX_PORT else None
    if not isinstance(text, str):
        return None
    t = text.strip()
    if t == "*":
        return "*"
    low, sep, high = t.partition("-")
    try:
        a = int(low.strip())
        b = int(high.strip()) if sep else a
    except ValueError:
        return None
    if a < 0 or b > MAX_PORT or a > b:
        return None
    return a, b


def first_exposure(ranges: Iterable[tuple[int, int]], protocol: str = "") -> str | None:
    """The description of the widest exposure among ``ranges`` (all ports beats a sensitive port)."""
    described = []
    for low, high in ranges:
        text = describe_ports(low, high, protocol)
        if text is not None:
            if covers_all(low, high):
                return text
            described.append(text)
    return "; ".join(described) if described else None


def subtract(ranges: list[tuple[int, int]], blocked: Iterable) -> list[tuple[int, int]]:
    """``ranges`` minus the ``blocked`` intervals (None entries are ignored), as intervals."""
    remaining = list(ranges)
    for interval in blocked:
        if interval is None:
            continue
        a, b = interval
        out = []
        for low, high in remaining:
            if b < low or a > high:
                out.append((low, high))
                continue
            if low < a:
                out.append((low, a - 1))
            if b < high:
                out.append((b + 1, high))
        remaining = out
    return remaining
