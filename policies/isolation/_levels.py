"""Isolation levels and trust tiers: how far each workload is from its neighbours, and how far it
must be.

One derivation serves the policies (IAC-ISO-040 and up) and the ``iaclint isolation`` inventory,
so the two can never disagree. :func:`inventory` turns a project into :class:`Workload` rows, each
with a level, a trust tier, the floor that tier needs, and the evidence (file, line, attribute,
value, why) behind every verdict.

Levels, lowest first: ``host`` (no real boundary), ``container`` (a shared kernel), ``hardened``
(a shared kernel behind the Pod Security Standards restricted controls), ``sandboxed`` (a
user-space kernel: gVisor), ``vm`` (its own kernel behind a hypervisor: Kata, Firecracker,
Fargate, plain VMs), ``dedicated`` (single-tenant hardware). A level that a value nobody can know
would decide is a range (``low``..``high``, shown as ``unknown``), never a guess.

The engine reaches this module through :func:`inventory` only (the ``iaclint isolation`` command
calls it); it never learns a resource type.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from operator import itemgetter

from iaclint.model import KIND_GROUPS, Node, Record, Resource, Unknown, UnknownValue, raised_at

from .._k8s import container_capabilities, describe, effective, is_fragment, is_windows
from ._ecs import container_definitions, label as ecs_label

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable

__all__ = [
    "LEVELS", "TIERS", "DEFAULT_FLOORS", "TRUST_KEY", "TERRAFORM_TRUST_KEYS", "TERRAFORM_TYPES",
    "Evidence", "Settings", "Workload", "Placement", "inventory", "trust_markers", "runtime_class_of",
    "separation", "rank", "tier_value", "K8S_TYPES", "READS",
]

LEVELS = ("host", "container", "hardened", "sandboxed", "vm", "dedicated")
_RANK = {name: i for i, name in enumerate(LEVELS)}
#: Trust tiers, least strict first: when several sources name a tier, the strictest wins.
TIERS = ("standard", "sensitive", "untrusted")
_STRICTNESS = {name: i for i, name in enumerate(TIERS)}
DEFAULT_FLOORS = {"untrusted": "sandboxed", "sensitive": "hardened"}

#: Label or annotation on a Kubernetes workload or Namespace.
TRUST_KEY = "iaclint.io/trust"
#: Tag (AWS, Azure) or label (GCP: its label keys cannot hold ``:``) on a Terraform resource.
TERRAFORM_TRUST_KEYS = ("iaclint:trust", "iaclint-trust")
#: Where a Terraform resource keeps its tags or labels (GKE node pools: inside ``node_config``).
_TF_LABEL_MAPS = ("tags", "labels", "resource_labels", "node_labels", "node_config.labels",
                  "node_config.resource_labels")


def rank(level: str) -> int:
    return _RANK[level]


# -- evidence -------------------------------------------------------------------------------
class Evidence:
    """One fact behind a verdict: where it is written, what it says, and why it matters."""

    __slots__ = ("file", "line", "path", "value", "why")

    def __init__(self, file: str, line: int, path: str, value: Any, why: str):
        self.file, self.line, self.path, self.value, self.why = file, line, path, value, why

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "path": self.path, "value": _plain(self.value),
                "why": self.why}


_MISSING = object()


def _path_text(path: tuple) -> str:
    """``spec.containers[0].securityContext``; keys with dots or slashes in brackets."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif any(ch in str(part) for ch in "./ :"):
            out += f'["{part}"]'
        else:
            out += f".{part}" if out else str(part)
    return out


def _value_at(resource: Resource, path: tuple) -> Any:
    value: Any = resource.value
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return None
    return value


def _evidence(resource: Resource, path: tuple, why: str, value: Any = _MISSING) -> Evidence:
    if value is _MISSING:
        value = _value_at(resource, path) if path else None
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(x, (dict, list)) for x in value)):
            value = None  # a block: its position says enough
    return Evidence(resource.file, resource.span_of(tuple(path)).line, _path_text(path), value, why)


def _plain(value: Any) -> Any:
    if isinstance(value, Unknown):
        return f"(unknown) {value.expression}".rstrip()
    if isinstance(value, str) and len(value) > 120:
        return value[:117] + "..."
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value)


def _unknown_in(value: Any) -> Unknown | None:
    """The first Unknown inside ``value``, if any."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        for v in value.values():
            u = _unknown_in(v)
            if u is not None:
                return u
    elif isinstance(value, list):
        for v in value:
            u = _unknown_in(v)
            if u is not None:
                return u
    return None


# -- settings (the ``[isolation]`` config table) --------------------------------------------------
class Settings(Record):
    """The ``[isolation]`` table, as a hashable value (a project remembers its inventory per
    settings): ``floors`` ``((tier, level), ...)``, ``namespaces`` ``((glob, tier), ...)``,
    ``selectors`` ``((((key, value), ...), tier), ...)`` and ``runtime_classes``
    ``((name or handler, level), ...)``. A :class:`~iaclint.model.Record`."""

    __slots__ = ()

    def __new__(cls, floors: tuple = tuple(sorted(DEFAULT_FLOORS.items())), namespaces: tuple = (),
                selectors: tuple = (), runtime_classes: tuple = ()):
        return tuple.__new__(cls, (floors, namespaces, selectors, runtime_classes))

    floors = property(itemgetter(0))
    namespaces = property(itemgetter(1))
    selectors = property(itemgetter(2))
    runtime_classes = property(itemgetter(3))

    @classmethod
    def from_options(cls, options: dict | None) -> "Settings":
        """Read the ``[isolation]`` table (handed to isolation policies as their options)."""
        options = options or {}
        floors = dict(DEFAULT_FLOORS)
        for tier, level in (options.get("floors") or {}).items():
            if tier not in ("untrusted", "sensitive") or level not in _RANK:
                raise ValueError(f"isolation.floors.{tier} = {level!r}: tiers untrusted, sensitive; "
                                 f"levels {', '.join(LEVELS)}")
            floors[tier] = level
        namespaces = []
        for pattern, tier in (options.get("namespaces") or {}).items():
            if tier not in _STRICTNESS:
                raise ValueError(f"isolation.namespaces.{pattern} = {tier!r}: one of {', '.join(TIERS)}")
            namespaces.append((str(pattern), tier))
        selectors = []
        for i, rule in enumerate(options.get("selectors") or ()):
            labels, tier = rule.get("match-labels"), rule.get("tier")
            if not isinstance(labels, dict) or not labels or tier not in _STRICTNESS:
                raise ValueError(f"isolation.selectors[{i}] needs match-labels (a table) and a tier")
            selectors.append((tuple(sorted((str(k), str(v)) for k, v in labels.items())), tier))
        classes = []
        for name, level in (options.get("runtime-classes") or {}).items():
            if level not in _RANK:
                raise ValueError(f"isolation.runtime-classes.{name} = {level!r}: one of {', '.join(LEVELS)}")
            classes.append((str(name), level))
        return cls(tuple(sorted(floors.items())), tuple(namespaces), tuple(selectors), tuple(sorted(classes)))

    def floor(self, tier: str) -> str | None:
        return dict(self.floors).get(tier)


# -- the workload row -----------------------------------------------------------------------------
class Toleration:
    __slots__ = ("key", "operator", "value", "effect")

    def __init__(self, key: str, operator: str, value: str, effect: str):
        self.key, self.operator, self.value, self.effect = key, operator, value, effect


class Placement:
    """Which nodes a Kubernetes workload may land on, as far as its manifest says.

    ``terms``: node-label constraints, a list of alternatives (required node affinity terms,
    each ANDed with the nodeSelector); each constraint is ``(key, operator, values)``.
    """

    __slots__ = ("terms", "tolerations", "evidence", "anchor")

    def __init__(self, terms: list, tolerations: list, evidence: list, anchor: tuple):
        self.terms, self.tolerations, self.evidence, self.anchor = terms, tolerations, evidence, anchor

    @property
    def confined(self) -> bool:
        """Every alternative asks for a label value or a label's presence (NotIn only excludes)."""
        return all(any(op in ("In", "Exists") for _, op, _ in term) for term in self.terms)

    def repelling_tolerations(self) -> list[Toleration]:
        """Tolerations of a named NoSchedule/NoExecute taint: evidence that its nodes are tainted."""
        return [t for t in self.tolerations if t.key and t.effect in ("NoSchedule", "NoExecute")]

    @property
    def signature(self) -> tuple:
        """What :func:`separation` reads of this placement: equal signatures, equal answers."""
        return (tuple(tuple(term) for term in self.terms),
                tuple((t.key, t.operator, t.value, t.effect) for t in self.tolerations))


class Workload:
    __slots__ = ("resource", "kind", "name", "namespace", "address", "line", "low", "high", "evidence",
                 "anchor", "unknowns", "tier", "tier_evidence", "tier_unknown", "floor", "placement",
                 "runtime_class", "settings")

    def __init__(self, resource: Resource, kind: str, name: str, namespace: str, address: str, line: int,
                 low: str, high: str, evidence: list,
                 anchor: tuple,                        # where a finding about the level points
                 unknowns: list | None = None,         # what leaves the level (or tier) open
                 tier: str = "standard", tier_evidence: list | None = None,
                 tier_unknown: Unknown | None = None, floor: str | None = None,
                 placement: Placement | None = None, runtime_class: "RuntimeRef | None" = None,
                 settings: "Settings | None" = None):
        self.resource, self.kind, self.name, self.namespace = resource, kind, name, namespace
        self.address, self.line, self.low, self.high = address, line, low, high
        self.evidence, self.anchor = evidence, anchor
        self.unknowns = [] if unknowns is None else unknowns
        self.tier = tier
        self.tier_evidence = [] if tier_evidence is None else tier_evidence
        self.tier_unknown, self.floor, self.placement = tier_unknown, floor, placement
        self.runtime_class, self.settings = runtime_class, settings

    @property
    def file(self) -> str:
        return self.resource.file

    @property
    def level(self) -> str:
        return self.low if self.low == self.high else "unknown"

    @property
    def tier_shown(self) -> str:
        return self.tier if self.tier_unknown is None else "unknown"

    def below(self, tier: str) -> Any:
        """Whether this workload is a ``tier`` workload below that tier's floor.

        True or False when that can be known; otherwise the Unknown that keeps it open (an unknown
        tag map may hold a stricter tier; an unknown value may decide the level).
        """
        floor = self.settings.floor(tier)
        if floor is None:
            return False
        if self.tier_unknown is None and self.tier != tier:
            return False
        if self.tier_unknown is not None and _STRICTNESS[tier] < _STRICTNESS[self.tier]:
            return False  # sources are read strictest-wins: the tier cannot fall
        if rank(self.low) >= rank(floor):
            return False
        if self.tier_unknown is not None:
            return self.tier_unknown
        if rank(self.high) < rank(floor):
            return True
        return self.unknowns[0] if self.unknowns else Unknown(
            self.address, "the isolation level cannot be known", self.resource.span_of(self.anchor))

    @property
    def below_floor(self) -> bool | None:
        """True when surely below its floor, False when surely not, None when it cannot be known."""
        verdicts = [self.below(t) for t in TIERS]
        if any(v is True for v in verdicts):
            return True
        if any(isinstance(v, Unknown) for v in verdicts):
            return None
        return False

    def to_dict(self) -> dict:
        return {
            "address": self.address, "kind": self.kind, "name": self.name, "namespace": self.namespace,
            "file": self.file, "line": self.line, "level": self.level,
            "level_range": [self.low, self.high], "tier": self.tier_shown,
            "floor": self.floor, "below_floor": self.below_floor,
            "evidence": [e.to_dict() for e in self.evidence],
            "tier_evidence": [e.to_dict() for e in self.tier_evidence],
        }


class _Verdict:
    """Collects level evidence: a base level, raises, ranges from Unknowns, and host facts."""

    def __init__(self, resource: Resource, anchor: tuple = ()):
        self.resource = resource
        self.low = self.high = "container"
        self.evidence: list[Evidence] = []
        self.unknowns: list[Unknown] = []
        self.host: list[tuple] = []
        self.maybe_host = False
        self.anchor = anchor
        self.open: list[Evidence] = []  # the evidence of what cannot be known

    def base(self, level: str, ev: Evidence | None = None) -> None:
        self.low = self.high = level
        if ev is not None:
            self.evidence.append(ev)

    def at_least(self, level: str, ev: Evidence) -> None:
        raised = rank(level) > rank(self.low)
        if raised:
            self.low = level
        if rank(level) > rank(self.high):
            self.high = level
        if raised:  # the evidence that decides comes first
            self.evidence.insert(0, ev)
        else:
            self.evidence.append(ev)

    def between(self, low: str, high: str, unknown: Unknown, ev: Evidence) -> None:
        """A level somewhere in ``low``..``high``, decided by a value nobody can know."""
        if rank(low) > rank(self.low):
            self.low = low
        if rank(high) > rank(self.high):
            self.high = high
        self.unknowns.append(unknown)
        self.evidence.append(ev)
        self.open.append(ev)

    def hostile(self, path: tuple, ev: Evidence) -> None:
        self.host.append(path)
        self.evidence.append(ev)

    def perhaps_hostile(self, unknown: Unknown, ev: Evidence) -> None:
        self.maybe_host = True
        self.unknowns.append(unknown)
        self.evidence.append(ev)
        self.open.append(ev)

    def bounds(self) -> tuple[str, str]:
        if self.host:
            return "host", "host"
        return ("host" if self.maybe_host else self.low), self.high

    def workload(self, **kw) -> Workload:
        low, high = self.bounds()
        res = self.resource
        anchor = self.host[0] if self.host else self.anchor
        if self.host:  # the host facts decide: list them first
            hosts = [e for e in self.evidence if e.why.startswith("host:")]
            self.evidence = hosts + [e for e in self.evidence if not e.why.startswith("host:")]
        elif low != high:  # what cannot be known decides: list it first
            self.evidence = self.open + [e for e in self.evidence if e not in self.open]
        values = dict(kind=res.type, name=res.name, namespace="", address=res.address,
                      line=res.header.line)
        values.update(kw)
        return Workload(resource=res, low=low, high=high, evidence=self.evidence, anchor=anchor,
                        unknowns=list(self.unknowns), **values)


# -- Kubernetes: RuntimeClasses -------------------------------------------------------------------
_SANDBOX_HANDLERS = ("runsc", "gvisor")
_CONTAINER_HANDLERS = ("runc", "crun", "youki", "nvidia", "nvidia-cdi", "nvidia-legacy")


def _handler_level(handler: str) -> str | None:
    h = handler.strip().lower()
    if h in _SANDBOX_HANDLERS or h.startswith(("runsc-", "gvisor-")):
        return "sandboxed"
    if h == "kata" or h.startswith("kata-") or h == "kata_containers":
        return "vm"
    if h in _CONTAINER_HANDLERS:
        return "container"
    return None


# RuntimeClasses that platforms create themselves, so manifests name them without defining them.
# GKE Sandbox's ``gvisor`` class also pins its pods to the sandbox node pools (label and taint).
_WELL_KNOWN: dict[str, dict] = {
    "gvisor": {"handler": "gvisor", "where": "GKE Sandbox",
               "node_selector": {"sandbox.gke.io/runtime": "gvisor"},
               "tolerations": [Toleration("sandbox.gke.io/runtime", "Equal", "gvisor", "NoSchedule")]},
    "runsc": {"handler": "runsc", "where": "gVisor"},
    "kata-mshv-vm-isolation": {"handler": "kata-mshv-vm-isolation", "where": "AKS Pod Sandboxing (preview)"},
    "kata-vm-isolation": {"handler": "kata-vm-isolation", "where": "AKS Pod Sandboxing"},
    "runc": {"handler": "runc", "where": "the default runtime"},
}


class RuntimeRef:
    __slots__ = ("name", "path", "level", "source", "evidence", "node_selector", "tolerations")

    def __init__(self, name: str,
                 path: tuple,                        # where runtimeClassName is written in the workload
                 level: str | None,                  # None: nobody can say
                 source: str,                        # "scanned", "well-known", "config", "unknown"
                 evidence: list,
                 node_selector: dict | None = None,  # key -> (value, Evidence)
                 tolerations: list | None = None):   # [(Toleration, Evidence)]
        self.name, self.path, self.level, self.source, self.evidence = name, path, level, source, evidence
        self.node_selector = {} if node_selector is None else node_selector
        self.tolerations = [] if tolerations is None else tolerations


def runtime_class_of(ctx: "_Context", res: Resource) -> RuntimeRef | None:
    spec = res.pod_spec()
    if spec is None:
        return None
    name = spec.get("runtimeClassName")
    if not isinstance(name, str) or not name.strip():
        return None
    return ctx.runtime_class(name.strip(), spec.path + ("runtimeClassName",), res)


# -- Kubernetes: the restricted profile -----------------------------------------------------------
_RESTRICTED_WHY = ("every container meets the restricted profile: non-root, no privilege escalation, ALL "
                   "capabilities dropped, seccomp RuntimeDefault or Localhost, read-only root filesystem")

_ROOT_SOCKETS = (
    "/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
    "/run/k3s/containerd/containerd.sock", "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock",
    "/var/run/dockershim.sock", "/run/podman/podman.sock", "/var/run/podman/podman.sock",
)


def _socket_dirs() -> frozenset[str]:
    out = set()
    for sock in _ROOT_SOCKETS:
        d = sock.rsplit("/", 1)[0]
        while d not in ("", "/var"):
            out.add(d)
            d = d.rsplit("/", 1)[0]
    return frozenset(out)


_SOCKET_DIRS = _socket_dirs()


def _normal_path(path: str) -> str:
    parts = [p for p in path.strip().split("/") if p not in ("", ".")]
    return "/" + "/".join(parts)


def host_path_kind(path: str) -> str | None:
    """Why mounting ``path`` from the node removes the boundary: the root, or a runtime socket."""
    p = _normal_path(path)
    if p == "/":
        return "the node's root filesystem"
    if p in _ROOT_SOCKETS:
        return f"the container runtime socket {p}"
    if p in _SOCKET_DIRS:
        return f"{p}, which holds the container runtime socket"
    return None


def _restricted_misses(res: Resource, spec: Node, containers: list[Node]) -> list[Evidence]:
    """Evidence of every restricted control a workload misses (empty: it is hardened)."""
    misses: list[Evidence] = []
    for vol in spec.blocks("volumes"):
        if "hostPath" in vol.value:
            misses.append(_evidence(res, vol.path + ("hostPath",), f"not hardened: volume "
                                    f"{vol.get('name')!r} mounts a path from the node (hostPath)",
                                    vol.get("hostPath.path")))
    for c in containers:
        who = describe(c)
        for port in c.blocks("ports"):
            if port.get("hostPort") not in (None, 0):
                misses.append(_evidence(res, port.path + ("hostPort",), f"not hardened: {who} binds a host port"))
        non_root = effective(c, spec, "runAsNonRoot")
        user = effective(c, spec, "runAsUser")
        uid = user.value if isinstance(user.value, int) and not isinstance(user.value, bool) else None
        if uid == 0:
            misses.append(_evidence(res, user.path, f"not hardened: {who} runs as root (runAsUser: 0)"))
        elif non_root.value is not True and not (uid and uid > 0):
            misses.append(_evidence(res, c.path, f"not hardened: {who} may run as root "
                                    "(no runAsNonRoot, no non-zero runAsUser)", None))
        ape = c.get("securityContext.allowPrivilegeEscalation")
        if ape is not False:
            at = c.path + (("securityContext", "allowPrivilegeEscalation") if ape is not None else ())
            misses.append(_evidence(res, at, f"not hardened: {who} does not set allowPrivilegeEscalation: false",
                                    ape))
        drops = {name for name, _ in container_capabilities(c, "drop")}
        adds = [(name, p) for name, p in container_capabilities(c, "add") if name != "NET_BIND_SERVICE"]
        if "ALL" not in drops:
            misses.append(_evidence(res, c.path + (("securityContext", "capabilities") if c.get(
                "securityContext.capabilities") is not None else ()),
                f"not hardened: {who} does not drop ALL capabilities", None))
        for name, p in adds:
            misses.append(_evidence(res, p, f"not hardened: {who} adds capability {name}"))
        seccomp = effective(c, spec, "seccompProfile")
        kind = seccomp.value.get("type") if isinstance(seccomp.value, dict) else None
        if kind not in ("RuntimeDefault", "Localhost"):
            at = seccomp.path + ("type",) if seccomp.path else c.path
            misses.append(_evidence(res, at, f"not hardened: {who} has no seccomp profile "
                                    "RuntimeDefault or Localhost", kind))
        ro = c.get("securityContext.readOnlyRootFilesystem")
        if ro is not True:
            at = c.path + (("securityContext", "readOnlyRootFilesystem") if ro is not None else ())
            misses.append(_evidence(res, at, f"not hardened: {who} has a writable root filesystem", ro))
    return misses


def _k8s_labels(node: Node | None, key: str) -> dict:
    if node is None:
        return {}
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def _pod_labels(res: Resource) -> dict:
    labels = dict(_k8s_labels(res.node("metadata"), "labels"))
    labels.update(_k8s_labels(res.pod_metadata(), "labels"))
    return labels


def _k8s_workload(ctx: "_Context", res: Resource) -> list[Workload]:
    spec = res.pod_spec()
    if spec is None:
        return []  # a patch of replicas or strategy: no pods described here
    containers = res.containers()
    namespace = res.get("metadata.namespace")
    namespace = namespace if isinstance(namespace, str) else ""
    v = _Verdict(res, anchor=spec.path)

    # Anything that hands the workload the node itself.
    for c in containers:
        if c.get("securityContext.privileged") is True:
            v.hostile(c.path + ("securityContext", "privileged"), _evidence(
                res, c.path + ("securityContext", "privileged"), f"host: {describe(c)} runs privileged"))
        for owner in (c, spec):
            if owner.get("securityContext.windowsOptions.hostProcess") is True:
                p = owner.path + ("securityContext", "windowsOptions", "hostProcess")
                v.hostile(p, _evidence(res, p, "host: a Windows HostProcess container runs on the node itself"))
                break
    for key, what in (("hostPID", "process"), ("hostIPC", "IPC"), ("hostNetwork", "network")):
        if spec.get(key) is True:
            v.hostile(spec.path + (key,), _evidence(res, spec.path + (key,),
                                                    f"host: shares the node's {what} namespace"))
    # a name that is no string (Kubernetes rejects it) names no volume
    mounted = {name for c in containers for m in c.blocks("volumeMounts") if isinstance(name := m.get("name"), str)}
    for vol in spec.blocks("volumes"):
        path = vol.get("hostPath.path")
        what = host_path_kind(path) if isinstance(path, str) else None
        if what and isinstance(vol.get("name"), str) and vol.get("name") in mounted:
            p = vol.path + ("hostPath", "path")
            v.hostile(p, _evidence(res, p, f"host: mounts {what}"))

    # The runtime: a RuntimeClass, or Fargate.
    rc = ctx.runtime_class_for(res)
    if rc is not None:
        if rc.level is None:
            u = Unknown(f"runtimeClassName: {rc.name}", "no scanned RuntimeClass or well-known runtime "
                        "says what it runs", res.span_of(rc.path))
            v.between("container", "vm", u, _evidence(
                res, rc.path, f"runtime class {rc.name!r} is not known: its isolation cannot be rated"))
            v.evidence.extend(rc.evidence)
        elif rank(rc.level) > rank("container"):
            v.at_least(rc.level, _evidence(res, rc.path, f"runtime class {rc.name!r}: "
                                           + ("gVisor, a user-space kernel in front of the node's"
                                              if rc.level == "sandboxed" else "its own kernel in a VM")))
            v.evidence.extend(rc.evidence)
        else:
            v.evidence.append(_evidence(res, rc.path, f"runtime class {rc.name!r} runs ordinary containers"))
            v.evidence.extend(rc.evidence)
    if res.type != "DaemonSet":  # Fargate does not run DaemonSets
        ctx.fargate(res, namespace, _pod_labels(res), v)

    # Below a VM the restricted profile makes the difference between container and hardened.
    if not containers or any(is_fragment(c) for c in containers):
        if not v.host and rank(v.low) < rank("vm"):
            u = Unknown("patch", "a patch or fragment: the rest of the pod spec comes from its base",
                        res.span_of(spec.path))
            v.between(v.low, "vm", u, _evidence(
                res, spec.path, "a patch (containers without an image): the base decides the rest", None))
    elif not v.host and rank(v.low) < rank("sandboxed"):
        if is_windows(spec, containers):
            v.evidence.append(_evidence(res, spec.path, "container: a Windows pod; the restricted "
                                        "profile's Linux controls do not apply", None))
        else:
            misses = _restricted_misses(res, spec, containers)
            if misses:
                v.evidence.append(_evidence(res, spec.path, "container: an ordinary container on the "
                                            "node's shared kernel", None))
                v.evidence.extend(misses)
            else:
                v.at_least("hardened", _evidence(res, spec.path, "hardened: " + _RESTRICTED_WHY, None))

    name = res.get("metadata.name")
    w = v.workload(kind=res.type, name=name if isinstance(name, str) else res.name, namespace=namespace)
    w.runtime_class = rc
    w.placement = _placement(res, spec, rc)
    return [w]


# -- Kubernetes: placement -------------------------------------------------------------------------
def _placement(res: Resource, spec: Node, rc: RuntimeRef | None) -> Placement:
    base: list[tuple] = []
    evidence: list[Evidence] = []
    anchor = spec.path
    selector = spec.get("nodeSelector")
    if isinstance(selector, dict):
        for k, val in selector.items():
            if isinstance(val, str):
                base.append((k, "In", frozenset({val})))
        if selector:
            anchor = spec.path + ("nodeSelector",)
            evidence.append(_evidence(res, spec.path + ("nodeSelector",), "node selector", selector))
    node_name = spec.get("nodeName")
    if isinstance(node_name, str) and node_name:
        base.append(("metadata.name", "In", frozenset({node_name})))
        evidence.append(_evidence(res, spec.path + ("nodeName",), "pinned to one node"))
    if rc is not None:
        for k, (val, ev) in rc.node_selector.items():
            base.append((k, "In", frozenset({val})))
            evidence.append(ev)
    terms: list[list[tuple]] = []
    affinity = spec.node("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution")
    if affinity is not None:
        for term in affinity.blocks("nodeSelectorTerms"):
            constraints = list(base)
            for kind, prefix in (("matchExpressions", ""), ("matchFields", "field:")):
                for expr in term.blocks(kind):
                    key, op = expr.get("key"), expr.get("operator")
                    values = expr.get("values") or []
                    if isinstance(key, str) and isinstance(op, str) and isinstance(values, list):
                        key = "metadata.name" if prefix and key == "metadata.name" else prefix + key
                        constraints.append((key, op, frozenset(str(x) for x in values)))
            terms.append(constraints)
        if terms:
            evidence.append(_evidence(res, affinity.path, "required node affinity"))
    if not terms:
        terms = [base]
    tolerations = []
    for t in spec.blocks("tolerations"):
        tol = Toleration(str(t.get("key") or ""), str(t.get("operator") or "Equal"),
                         str(t.get("value") or ""), str(t.get("effect") or ""))
        tolerations.append(tol)
    if spec.get("tolerations"):
        evidence.append(_evidence(res, spec.path + ("tolerations",), "tolerations"))
    if rc is not None:
        for tol, ev in rc.tolerations:
            tolerations.append(tol)
            evidence.append(ev)
    return Placement(terms, tolerations, evidence, anchor)


def _conflict(a: tuple, b: tuple) -> bool:
    """Whether no node can satisfy both constraints (same key)."""
    (ka, oa, va), (kb, ob, vb) = a, b
    if ka != kb:
        return False
    for (o1, v1), (o2, v2) in (((oa, va), (ob, vb)), ((ob, vb), (oa, va))):
        if o1 == "In" and o2 == "In" and not (v1 & v2):
            return True
        if o1 == "In" and o2 == "NotIn" and v1 <= v2:
            return True
        if o1 in ("In", "Exists") and o2 == "DoesNotExist":
            return True
    return False


def _tolerates(tolerations: Iterable[Toleration], taint: Toleration) -> bool:
    for t in tolerations:
        if t.effect and t.effect != taint.effect:
            continue
        if t.operator == "Exists" and not t.key:
            return True
        if t.key == taint.key and (t.operator == "Exists" or t.value == taint.value):
            return True
    return False


def separation(a: Placement, b: Placement) -> str | None:
    """Why two workloads can never share a node, or None when nothing in their manifests says so.

    Separated when every pair of their node-selection alternatives asks for different values of
    one label, or when one is confined to nodes (a selector) and tolerates a NoSchedule/NoExecute
    taint that the other does not tolerate: the usual dedicated-node pattern, a label to pull the
    workload in and a taint to keep everything else out.
    """
    if all(any(_conflict(x, y) for x in ta for y in tb) for ta in a.terms for tb in b.terms):
        keys = sorted({x[0] for ta in a.terms for tb in b.terms for x in ta for y in tb if _conflict(x, y)})
        return f"their node selection never overlaps ({', '.join(keys)})"
    for x, y in ((a, b), (b, a)):
        if not x.confined:
            continue
        for t in x.repelling_tolerations():
            if not _tolerates(y.tolerations, t):
                return f"one is confined to nodes tainted {t.key} ({t.effect}), which the other does not tolerate"
    return None


# -- Terraform -------------------------------------------------------------------------------
def _tf_str(value: Any) -> Any:
    """A string attribute, lower-cased; Unknown stays Unknown; anything else is None."""
    if isinstance(value, Unknown):
        return value
    return value.strip().lower() if isinstance(value, str) else None


def _tf_true(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _set_or_unknown(res: Resource, v: _Verdict, path: str, low: str, high: str, why: str) -> bool:
    """Record an Unknown at ``path`` that leaves the level between ``low`` and ``high``."""
    value = res.get(path)
    u = _unknown_in(value)
    if u is None:
        return False
    v.between(low, high, u, _evidence(res, tuple(path.split(".")), why, value))
    return True


_ECS_CONTAINER_LAUNCH = ("EC2", "EXTERNAL", "MANAGED_INSTANCES")


def _ecs_containers(res: Resource, v: _Verdict) -> None:
    """Privileged containers and node mounts inside an ECS task definition (EC2 launch types)."""
    for key, what in (("network_mode", "network"), ("pid_mode", "process"), ("ipc_mode", "IPC")):
        value = _tf_str(res.get(key))
        if isinstance(value, Unknown):
            v.perhaps_hostile(value, _evidence(res, (key,), f"{key} cannot be known: host if it is \"host\"",
                                               value))
        elif value == "host":
            v.hostile((key,), _evidence(res, (key,), f"host: {key} = \"host\" shares the instance's {what} namespace"))
    host_volumes = {}
    for vol in res.blocks("volume"):
        hp = vol.get("host_path")
        name = vol.get("name")  # an Unknown name raises UnknownValue here: the level stays open
        if isinstance(hp, str) and host_path_kind(hp) and isinstance(name, (str, Unknown)):
            host_volumes[name] = (vol, host_path_kind(hp))
    if res.get("container_definitions") is None:
        return
    try:
        defs = container_definitions(res)
    except UnknownValue as exc:
        v.perhaps_hostile(exc.unknown, _evidence(res, ("container_definitions",), "container definitions cannot "
                                                 "be known: privileged containers would make it host",
                                                 exc.unknown))
        return
    for i, cd in enumerate(defs):
        who = ecs_label(cd, i)
        if isinstance(cd.get("privileged"), Unknown):
            v.perhaps_hostile(cd["privileged"], _evidence(res, ("container_definitions",), f"whether {who} runs "
                                                          "privileged cannot be known", cd["privileged"]))
        if cd.get("privileged") is True:
            v.hostile(("container_definitions",), _evidence(
                res, ("container_definitions",), f"host: {who} runs privileged", True))
        points = cd.get("mountPoints")
        if isinstance(points, Unknown):
            raise UnknownValue(points)
        for m in points if isinstance(points, list) else ():  # not a list: ECS rejects the task
            source = m.get("sourceVolume") if isinstance(m, dict) else None
            if isinstance(source, (str, Unknown)) and source in host_volumes:
                vol, what = host_volumes[source]
                v.hostile(vol.path + ("host_path",), _evidence(
                    res, vol.path + ("host_path",), f"host: {who} mounts {what}"))


def _ecs_task_definition(ctx: "_Context", res: Resource) -> list[Workload]:
    v = _Verdict(res, anchor=("requires_compatibilities",) if "requires_compatibilities" in res else ())
    compat = res.get("requires_compatibilities")
    fargate_only = False
    if compat is None:
        v.base("container", _evidence(res, (), "container: no requires_compatibilities: EC2 by default, "
                                      "tasks on a shared instance kernel", None))
    elif _unknown_in(compat) is not None:
        _set_or_unknown(res, v, "requires_compatibilities", "container", "vm",
                        "requires_compatibilities cannot be known: Fargate (vm) or EC2 (container)")
    else:
        values = {str(x).strip().upper() for x in (compat if isinstance(compat, list) else [compat])}
        path = ("requires_compatibilities",)
        if values == {"FARGATE"}:
            fargate_only = True
            v.base("vm", _evidence(res, path, "vm: Fargate runs each task in its own Firecracker microVM"))
        elif values & set(_ECS_CONTAINER_LAUNCH):
            v.base("container", _evidence(res, path, "container: may run on EC2 instances, sharing their "
                                          "kernel with other tasks"))
        else:
            u = Unknown(f"requires_compatibilities = {sorted(values)}", "launch types not known to iaclint",
                        res.span_of(path))
            v.between("container", "vm", u, _evidence(res, path, "launch types not known to iaclint"))
    if not fargate_only:  # Fargate refuses privileged containers, host namespaces and host paths
        _ecs_containers(res, v)
    return [v.workload()]


def _ecs_launch(ctx: "_Context", res: Resource, v: _Verdict) -> None:
    lt = _tf_str(res.get("launch_type"))
    if isinstance(lt, Unknown):
        _set_or_unknown(res, v, "launch_type", "container", "vm",
                        "launch_type cannot be known: FARGATE (vm) or EC2 (container)")
        return
    if lt == "fargate":
        v.base("vm", _evidence(res, ("launch_type",), "vm: Fargate runs each task in its own Firecracker microVM"))
        return
    if lt in ("ec2", "external", "managed_instances"):
        v.base("container", _evidence(res, ("launch_type",), "container: tasks share an instance's kernel"))
        return
    strategies = res.get("capacity_provider_strategy")
    if _unknown_in(strategies) is not None:
        _set_or_unknown(res, v, "capacity_provider_strategy", "container", "vm",
                        "capacity_provider_strategy cannot be known")
        return
    if strategies:
        _capacity_providers(res, v, res.blocks("capacity_provider_strategy"), res)
        return
    default = ctx.ecs_cluster_default(res)
    if default is None:
        u = Unknown("launch_type", "no launch_type or capacity provider strategy, and the cluster's default "
                    "strategy is not in the scan", res.header)
        v.between("container", "vm", u, _evidence(res, (), "no launch_type or capacity_provider_strategy: "
                                                  "the cluster's default decides, and it is not in the scan", None))
    elif default == []:
        v.base("container", _evidence(res, (), "container: no launch_type, capacity provider strategy or "
                                      "cluster default, so tasks launch on EC2", None))
    else:
        holder, blocks = default
        _capacity_providers(res, v, blocks, holder)


def _capacity_providers(res: Resource, v: _Verdict, blocks: list[Node], holder: Resource) -> None:
    names = [b.get("capacity_provider") for b in blocks]
    u = next((n for n in names if isinstance(n, Unknown)), None)
    ev_path = blocks[0].path if blocks else ()
    if u is not None:
        v.between("container", "vm", u, _evidence(holder, ev_path, "a capacity provider cannot be known"))
        return
    if names and all(isinstance(n, str) and n.upper() in ("FARGATE", "FARGATE_SPOT") for n in names):
        v.base("vm", _evidence(holder, ev_path, "vm: only Fargate capacity providers: one microVM per task"))
    else:
        v.base("container", _evidence(holder, ev_path, "container: an EC2 capacity provider: tasks share "
                                      "an instance's kernel"))


def _ecs_service(ctx: "_Context", res: Resource) -> list[Workload]:
    anchor = ("launch_type",) if "launch_type" in res else (
        ("capacity_provider_strategy",) if "capacity_provider_strategy" in res else ())
    v = _Verdict(res, anchor=anchor)
    _ecs_launch(ctx, res, v)
    for td in ctx.references(res, "aws_ecs_task_definition", "task_definition"):
        sub = _Verdict(td)
        _ecs_containers(td, sub)
        if sub.host:
            v.hostile(("task_definition",), _evidence(res, ("task_definition",), f"host: runs task definition "
                                                      f"{td.address}, which is host-level", None))
            v.evidence.extend(e for e in sub.evidence if e.why.startswith("host:"))
        elif sub.maybe_host and not (v.low == v.high == "vm"):
            v.perhaps_hostile(sub.unknowns[0], _evidence(res, ("task_definition",), f"task definition "
                                                         f"{td.address} may be host-level", None))
    return [v.workload()]


def _eks_fargate_profile(ctx: "_Context", res: Resource) -> list[Workload]:
    v = _Verdict(res, anchor=())
    v.base("vm", _evidence(res, (), "vm: pods this profile selects run on Fargate, one Firecracker "
                           "microVM per pod", None))
    return [v.workload()]


def _gke_pool(res: Resource, node_config: Node | None, v: _Verdict) -> None:
    if node_config is None:
        v.base("container", _evidence(res, v.anchor, "container: no GKE Sandbox (sandbox_config): pods share "
                                      "the node's kernel", None))
        return
    kind = _tf_str(node_config.get("sandbox_config.sandbox_type"))
    sb_path = node_config.path + ("sandbox_config", 0, "sandbox_type")
    if isinstance(kind, Unknown):
        v.between("container", "sandboxed", kind, _evidence(res, sb_path, "sandbox_type cannot be known", kind))
    elif kind == "gvisor":
        v.base("sandboxed", _evidence(res, sb_path, "sandboxed: GKE Sandbox runs pods under gVisor"))
    else:
        v.base("container", _evidence(res, node_config.path, "container: no GKE Sandbox "
                                      "(sandbox_config { sandbox_type = \"gvisor\" }): pods share the node's kernel",
                                      None))
    for key in ("node_group", "sole_tenant_config"):
        if node_config.get(key) is not None:
            v.evidence.append(_evidence(res, node_config.path + (key,), "sole-tenant nodes: dedicated hardware, "
                                        "but the pods on a node still share its kernel (level unchanged)"))


def _gke_node_pool(ctx: "_Context", res: Resource) -> list[Workload]:
    nc = res.node("node_config")
    v = _Verdict(res, anchor=nc.path if nc is not None else ())
    _gke_pool(res, nc, v)
    return [v.workload()]


def _gke_cluster(ctx: "_Context", res: Resource) -> list[Workload]:
    out = []
    autopilot = _tf_true(res.get("enable_autopilot"))
    if autopilot is True:
        v = _Verdict(res, anchor=("enable_autopilot",))
        v.base("container", _evidence(res, ("enable_autopilot",), "container: Autopilot pods share node "
                                      "kernels unless they ask for runtimeClassName: gvisor"))
        return [v.workload()]
    if _tf_true(res.get("remove_default_node_pool")) is not True:
        nc = res.node("node_config")
        v = _Verdict(res, anchor=nc.path if nc is not None else ())
        _gke_pool(res, nc, v)
        out.append(v.workload())
    for i, pool in enumerate(res.blocks("node_pool")):
        nc = pool.node("node_config")
        v = _Verdict(res, anchor=nc.path if nc is not None else pool.path)
        _gke_pool(res, nc, v)
        pool_name = pool.get("name")
        label = pool_name if isinstance(pool_name, str) else str(i)
        out.append(v.workload(address=f"{res.address}.node_pool[{label}]", name=f"{res.name}/{label}",
                              line=res.span_of(pool.path).line))
    return out


_KATA_RUNTIMES = ("katamshvvmisolation", "katavmisolation")


def _aks_runtime(res: Resource, pool: Node, v: _Verdict) -> None:
    runtime = _tf_str(pool.get("workload_runtime"))
    path = pool.path + ("workload_runtime",)
    if isinstance(runtime, Unknown):
        v.between("container", "vm", runtime, _evidence(res, path, "workload_runtime cannot be known", runtime))
    elif runtime in _KATA_RUNTIMES:
        v.base("vm", _evidence(res, path, "vm: AKS Pod Sandboxing: pods with runtimeClassName "
                               "kata-vm-isolation (kata-mshv-vm-isolation) get their own Kata VM; other pods "
                               "on this pool are ordinary containers"))
    else:
        v.base("container", _evidence(res, path if runtime else pool.path, "container: pods share the "
                                      "node's kernel (no workload_runtime = \"KataVmIsolation\")",
                                      pool.get("workload_runtime")))
    for key in ("host_group_id",):
        if pool.get(key) is not None:
            v.evidence.append(_evidence(res, pool.path + (key,), "dedicated hosts: the pods on a node still "
                                        "share its kernel (level unchanged)"))


def _aks_node_pool(ctx: "_Context", res: Resource) -> list[Workload]:
    v = _Verdict(res, anchor=("workload_runtime",) if "workload_runtime" in res else ())
    _aks_runtime(res, res, v)
    return [v.workload()]


def _aks_cluster(ctx: "_Context", res: Resource) -> list[Workload]:
    pool = res.node("default_node_pool")
    if pool is None:
        return []
    v = _Verdict(res, anchor=pool.path + (("workload_runtime",) if "workload_runtime" in pool else ()))
    _aks_runtime(res, pool, v)
    name = pool.get("name")
    label = name if isinstance(name, str) else "default"
    return [v.workload(address=f"{res.address}.default_node_pool", name=f"{res.name}/{label}")]


def _dedicated_attrs(res: Resource, v: _Verdict, checks: tuple) -> None:
    """``checks``: (path, test, why) where test(value) says whether the value means dedicated."""
    v.base("vm", _evidence(res, (), "vm: its own kernel behind the cloud's hypervisor", None))
    seen: set[int] = set()
    for path, test, why in checks:
        value = res.get(path)
        if value is None:
            continue
        try:
            hit = test(value)
        except UnknownValue:
            hit = False
        if hit:
            v.at_least("dedicated", _evidence(res, _node_path(res, path), why))
            v.anchor = _node_path(res, path)
            continue
        u = _unknown_in(value)
        if u is not None and id(u) not in seen:  # a dynamic block nobody can know: said once
            seen.add(id(u))
            v.between("vm", "dedicated", u, _evidence(res, _node_path(res, path), f"{path} cannot be known: "
                                                      "dedicated if it names a dedicated host", value))


def _node_path(res: Resource, dotted: str) -> tuple:
    """The concrete path (with list positions of nested blocks) of a dotted attribute."""
    node: Node = res
    parts = dotted.split(".")
    for part in parts[:-1]:
        nxt = node.node(part)
        if nxt is None:
            return tuple(parts)
        node = nxt
    return node.path + (parts[-1],)


def _is_dedicated_tenancy(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in ("dedicated", "host")


def _is_set(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _aws_instance(ctx, res):
    v = _Verdict(res)
    _dedicated_attrs(res, v, (
        ("tenancy", _is_dedicated_tenancy, "dedicated: tenancy on single-tenant hardware"),
        ("host_id", _is_set, "dedicated: placed on a Dedicated Host"),
        ("host_resource_group_arn", _is_set, "dedicated: placed through a host resource group"),
    ))
    return [v.workload()]


def _aws_launch_template(ctx, res):
    v = _Verdict(res)
    _dedicated_attrs(res, v, (
        ("placement.tenancy", _is_dedicated_tenancy, "dedicated: tenancy on single-tenant hardware"),
        ("placement.host_id", _is_set, "dedicated: placed on a Dedicated Host"),
        ("placement.host_resource_group_arn", _is_set, "dedicated: placed through a host resource group"),
    ))
    return [v.workload()]


def _aws_launch_configuration(ctx, res):
    v = _Verdict(res)
    _dedicated_attrs(res, v, (
        ("placement_tenancy", _is_dedicated_tenancy, "dedicated: tenancy on single-tenant hardware"),
    ))
    return [v.workload()]


def _sole_tenant_affinities(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(a, dict) and str(a.get("operator", "")).upper() == "IN" for a in items)


def _gce_instance(ctx, res):
    v = _Verdict(res)
    _dedicated_attrs(res, v, (
        ("scheduling.node_affinities", _sole_tenant_affinities,
         "dedicated: node affinity places it on sole-tenant nodes"),
    ))
    return [v.workload()]


def _gce_node_group(ctx, res):
    v = _Verdict(res)
    v.base("dedicated", _evidence(res, (), "dedicated: sole-tenant nodes for the VMs that select them", None))
    return [v.workload()]


def _azure_vm(ctx, res):
    v = _Verdict(res)
    _dedicated_attrs(res, v, (
        ("dedicated_host_id", _is_set, "dedicated: placed on an Azure Dedicated Host"),
        ("dedicated_host_group_id", _is_set, "dedicated: placed in an Azure Dedicated Host group"),
    ))
    return [v.workload()]


def _azure_scale_set(ctx, res):
    v = _Verdict(res)
    _dedicated_attrs(res, v, (
        ("host_group_id", _is_set, "dedicated: placed in an Azure Dedicated Host group"),
    ))
    return [v.workload()]


_TERRAFORM: dict[str, Callable] = {
    "aws_ecs_task_definition": _ecs_task_definition,
    "aws_ecs_service": _ecs_service,
    "aws_eks_fargate_profile": _eks_fargate_profile,
    "google_container_node_pool": _gke_node_pool,
    "google_container_cluster": _gke_cluster,
    "azurerm_kubernetes_cluster_node_pool": _aks_node_pool,
    "azurerm_kubernetes_cluster": _aks_cluster,
    "aws_instance": _aws_instance,
    "aws_launch_template": _aws_launch_template,
    "aws_launch_configuration": _aws_launch_configuration,
    "google_compute_instance": _gce_instance,
    "google_compute_instance_template": _gce_instance,
    "google_compute_node_group": _gce_node_group,
    "azurerm_linux_virtual_machine": _azure_vm,
    "azurerm_windows_virtual_machine": _azure_vm,
    "azurerm_linux_virtual_machine_scale_set": _azure_scale_set,
    "azurerm_windows_virtual_machine_scale_set": _azure_scale_set,
}
TERRAFORM_TYPES = tuple(sorted(_TERRAFORM))
K8S_TYPES = tuple(sorted(KIND_GROUPS["k8s:workload"]))
#: Every type the derivation reads: what a policy built on :func:`inventory` declares in applies_to
#: (the engine evaluates only the Terraform types that selected policies read).
READS = ("k8s:workload", "RuntimeClass", "Namespace") + TERRAFORM_TYPES + (
    "aws_ecs_cluster", "aws_ecs_cluster_capacity_providers")


# -- trust ------------------------------------------------------------------------------------------
def trust_markers(res: Resource) -> list[tuple[tuple, Any]]:
    """``(path, value)`` of every trust marker a resource carries (labels, annotations, tags)."""
    out: list[tuple[tuple, Any]] = []
    if res.source == "kubernetes":
        nodes = [res.node("metadata")]
        pod_meta = res.pod_metadata() if res.meta.get("pod_spec_path") else None
        if pod_meta is not None and pod_meta.path != ("metadata",):
            nodes.append(pod_meta)
        for node in nodes:
            if node is None:
                continue
            for kind in ("labels", "annotations"):
                values = node.get(kind)
                if isinstance(values, dict) and TRUST_KEY in values:
                    out.append((node.path + (kind, TRUST_KEY), values[TRUST_KEY]))
        return out
    for dotted in _TF_LABEL_MAPS:
        node_path = _node_path(res, dotted)
        values = _value_at(res, node_path)
        if isinstance(values, Unknown):
            out.append((node_path, values))
            continue
        if not isinstance(values, dict):
            continue
        for key in TERRAFORM_TRUST_KEYS + (TRUST_KEY,):
            if key in values:
                out.append((node_path + (key,), values[key]))
    return out


def tier_value(value: Any) -> str | None:
    """The tier a marker's value names, or None when it names none."""
    if isinstance(value, str) and value.strip().lower() in _STRICTNESS:
        return value.strip().lower()
    return None


def _label_maps(res: Resource) -> dict:
    """The labels config selectors match: Kubernetes object and pod labels, Terraform tags/labels."""
    if res.source == "kubernetes":
        return _pod_labels(res)
    merged: dict = {}
    for dotted in _TF_LABEL_MAPS:
        values = _value_at(res, _node_path(res, dotted))
        if isinstance(values, dict):
            merged.update({k: v for k, v in values.items() if isinstance(v, str)})
    return merged


def _assign_tier(ctx: "_Context", w: Workload) -> None:
    res = w.resource
    found: list[tuple[str, Evidence]] = []
    for path, value in trust_markers(res):
        if isinstance(value, Unknown) or _unknown_in(value) is not None:
            if w.tier_unknown is None:
                w.tier_unknown = _unknown_in(value)
            w.tier_evidence.append(_evidence(res, path, "a tag or label that cannot be known may hold a "
                                             "trust marker", value))
            continue
        tier = tier_value(value)
        if tier is not None:
            found.append((tier, _evidence(res, path, f"{path[-1]} on the {'workload' if res.source == 'kubernetes' else 'resource'}")))
    if res.source == "kubernetes" and w.namespace:
        for ns in ctx.namespaces.get(w.namespace, ()):
            for path, value in trust_markers(ns):
                tier = tier_value(value)
                if tier is not None:
                    found.append((tier, _evidence(ns, path, f"{path[-1]} on Namespace {w.namespace}")))
        for pattern, tier in ctx.settings.namespaces:
            if fnmatchcase(w.namespace, pattern):
                found.append((tier, Evidence("(config)", 0, f"isolation.namespaces.{pattern}", tier,
                                             f"config maps namespace {pattern} to {tier}")))
    if ctx.settings.selectors:
        labels = _label_maps(res)
        for i, (match, tier) in enumerate(ctx.settings.selectors):
            if all(labels.get(k) == val for k, val in match):
                found.append((tier, Evidence("(config)", 0, f"isolation.selectors[{i}]", dict(match),
                                             f"config selector matches its labels: {tier}")))
    if found:
        w.tier = max((t for t, _ in found), key=_STRICTNESS.__getitem__)
        # The strictest source first: it is the one that decides.
        w.tier_evidence[:0] = [e for t, e in found if t == w.tier] + [e for t, e in found if t != w.tier]
    if w.tier == TIERS[-1]:
        w.tier_unknown = None  # nothing an unknown marker says could make it stricter
    w.settings = ctx.settings
    w.floor = ctx.settings.floor(w.tier)


# -- the project context ---------------------------------------------------------------------------
class _Context:
    def __init__(self, project, settings: Settings):
        self.project = project
        self.settings = settings
        self.classes: dict[str, list[Resource]] = {}
        for rc in project.of_type("RuntimeClass"):
            name = rc.get("metadata.name")
            if isinstance(name, str):
                self.classes.setdefault(name, []).append(rc)
        self.namespaces: dict[str, list[Resource]] = {}
        for ns in project.of_type("Namespace"):
            name = ns.get("metadata.name")
            if isinstance(name, str):
                self.namespaces.setdefault(name, []).append(ns)
        self.configured = dict(settings.runtime_classes)
        self._fargate: list | None = None
        self._rc_cache: dict[str, RuntimeRef] = {}

    # RuntimeClasses -----------------------------------------------------------------------
    def runtime_class_for(self, res: Resource) -> RuntimeRef | None:
        return runtime_class_of(self, res)

    def runtime_class(self, name: str, path: tuple, res: Resource) -> RuntimeRef:
        cached = self._rc_cache.get(name)
        if cached is None:
            cached = self._rc_cache[name] = self._resolve(name)
        return RuntimeRef(name, path, cached.level, cached.source, cached.evidence,
                          cached.node_selector, cached.tolerations)

    def _resolve(self, name: str) -> RuntimeRef:
        if name in self.configured:
            level = self.configured[name]
            return RuntimeRef(name, (), level, "config", [Evidence(
                "(config)", 0, f"isolation.runtime-classes.{name}", level, f"config rates it {level}")])
        defined = self.classes.get(name)
        if defined:
            levels, evidence, selector, tolerations = set(), [], {}, []
            for rc in defined:
                handler = rc.get("handler")
                level = None
                if isinstance(handler, str):
                    level = self.configured.get(handler) or _handler_level(handler)
                levels.add(level)
                evidence.append(_evidence(rc, ("handler",), f"RuntimeClass {name} runs handler {handler!r}"
                                          + ("" if level else ", which iaclint cannot rate")))
                sched = rc.node("scheduling")
                if sched is not None:
                    ns = sched.get("nodeSelector")
                    if isinstance(ns, dict):
                        for k, val in ns.items():
                            if isinstance(val, str):
                                selector[k] = (val, _evidence(rc, sched.path + ("nodeSelector", k),
                                                              f"RuntimeClass {name} schedules onto {k}={val}"))
                    for t in sched.blocks("tolerations"):
                        tolerations.append((Toleration(str(t.get("key") or ""), str(t.get("operator") or "Equal"),
                                                       str(t.get("value") or ""), str(t.get("effect") or "")),
                                            _evidence(rc, t.path, f"RuntimeClass {name} tolerates {t.get('key')}")))
            level = levels.pop() if len(levels) == 1 else None
            return RuntimeRef(name, (), level, "scanned", evidence, selector, tolerations)
        known = _WELL_KNOWN.get(name)
        level = _handler_level(known["handler"] if known else name)
        if level is not None:
            where = known["where"] if known else ("Kata Containers" if level == "vm" else "gVisor"
                                                  if level == "sandboxed" else "a standard runtime")
            ev = Evidence("(well-known)", 0, f"runtimeClassName {name}", name,
                          f"{name} is {where}'s RuntimeClass name (not defined in the scanned files)")
            selector = {k: (val, ev) for k, val in (known or {}).get("node_selector", {}).items()}
            tolerations = [(t, ev) for t in (known or {}).get("tolerations", ())]
            return RuntimeRef(name, (), level, "well-known", [ev], selector, tolerations)
        return RuntimeRef(name, (), None, "unknown", [])

    # Fargate ------------------------------------------------------------------------------
    def fargate(self, res: Resource, namespace: str, labels: dict, v: _Verdict) -> None:
        if self._fargate is None:
            self._fargate = []
            for prof in self.project.of_type("aws_eks_fargate_profile"):
                selectors = prof.get("selector")
                if _unknown_in(selectors) is not None and not isinstance(selectors, list):
                    self._fargate.append((prof, None, _unknown_in(selectors)))
                    continue
                for sel in prof.blocks("selector"):
                    self._fargate.append((prof, sel, None))
        maybe: set[int] = set()
        for prof, sel, unknown in self._fargate:
            if id(prof) in maybe:
                continue  # one open question per profile is enough
            if sel is None:
                v.between(v.low, "vm", unknown, _evidence(prof, ("selector",), f"Fargate profile {prof.address} "
                                                          "selects pods by values that cannot be known"))
                continue
            verdict = _fargate_match(sel, namespace, labels)
            if verdict is True:
                v.at_least("vm", _evidence(prof, sel.path, f"vm: Fargate profile {prof.address} selects it: "
                                           "one Firecracker microVM per pod", None))
                return
            if isinstance(verdict, Unknown):
                maybe.add(id(prof))
                v.between(v.low, "vm", verdict, _evidence(prof, sel.path, f"Fargate profile {prof.address} "
                                                          f"may select it: {verdict.reason}", None))

    # ECS ----------------------------------------------------------------------------------
    def references(self, res: Resource, type_: str, via: str) -> list[Resource]:
        refs = getattr(self.project, "references", None)
        return refs(res, type_, via=via) if refs is not None else []

    def ecs_cluster_default(self, service: Resource):
        """The cluster's default capacity provider strategy: None if unknown, [] if none, else blocks."""
        clusters = self.references(service, "aws_ecs_cluster", "cluster")
        if len(clusters) != 1:
            return None
        cluster = clusters[0]
        referrers = getattr(self.project, "referrers", None)
        holders = referrers(cluster, "aws_ecs_cluster_capacity_providers", via="cluster_name") if referrers else []
        for holder in [cluster] + holders:
            blocks = holder.blocks("default_capacity_provider_strategy")
            if blocks:
                return holder, blocks
        return []


def _fargate_match(sel: Node, namespace: str, labels: dict) -> Any:
    """True, False, or an Unknown when the selector's values cannot be known."""
    pattern = sel.get("namespace")
    if isinstance(pattern, Unknown):
        return pattern
    if not isinstance(pattern, str):
        return False
    if not namespace and pattern.strip("*"):  # "*" selects every namespace, named or not
        return Unknown("metadata.namespace", f"the manifest names no namespace and the profile selects "
                       f"namespace {pattern}", sel.resource.span_of(sel.path))
    if namespace and not fnmatchcase(namespace, pattern):
        return False
    wanted = sel.get("labels")
    if isinstance(wanted, Unknown):
        return wanted
    for key, value in (wanted or {}).items():
        if isinstance(value, Unknown):
            return value
        if not any(fnmatchcase(str(k), str(key)) and isinstance(v, str) and fnmatchcase(v, str(value))
                   for k, v in labels.items()):
            return False
    return True


# -- the inventory ------------------------------------------------------------------------------
def inventory(project, options: dict | None = None) -> list[Workload]:
    """Every workload of the project with its level, tier, floor and evidence (made once per
    project and settings: four policies read it)."""
    settings = Settings.from_options(options)
    return project.remembered((inventory, settings), lambda: _build(project, settings))


def _build(project, settings: Settings) -> list[Workload]:
    ctx = _Context(project, settings)
    out: list[Workload] = []
    for res in project.of_type("k8s:workload", *TERRAFORM_TYPES):
        derive = _TERRAFORM.get(res.type) if res.source == "terraform" else (
            _k8s_workload if res.source == "kubernetes" else None)
        if derive is None:
            continue
        try:
            rows = derive(ctx, res)
        except UnknownValue as exc:  # a block list nobody can know: the level stays open
            v = _Verdict(res)
            v.between("host", "dedicated", exc.unknown, _evidence(res, (), "a value that decides the level "
                                                                    "cannot be known", exc.unknown))
            rows = [v.workload()]
        except Exception as exc:  # noqa: BLE001 - one workload this code cannot read, not the project
            # A shape nobody wrote a test for: this workload's level stays open (never guessed, and
            # every check that needs it skipped and counted), the rest of the project is rated.
            u = Unknown(res.address, f"iaclint could not read this workload ({type(exc).__name__}: {exc} at "
                        f"{raised_at(exc)})", res.header)
            v = _Verdict(res)
            v.between("host", "dedicated", u, _evidence(res, (), "the workload could not be read: its level "
                                                        "is not rated", u))
            rows = [v.workload()]
        for w in rows:
            _assign_tier(ctx, w)
            out.append(w)
    out.sort(key=lambda w: (w.file, w.line, w.address))
    return out
