"""What Kubernetes policies share: which container is which, and the effective security context.

A pod's ``securityContext`` sets defaults for its containers; a container's own
``securityContext`` overrides them field by field (``runAsUser``, ``runAsNonRoot``,
``seccompProfile``, ...). :func:`effective` implements that once, and says where the winning
value is written so a finding can point at it.
"""

from __future__ import annotations

from operator import itemgetter

from iaclint.lazyre import lazy_re
from iaclint.model import Node, Record

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any

# Fields a container can set that fall back to the pod's securityContext when it does not.
POD_DEFAULTED = frozenset({
    "runAsUser", "runAsGroup", "runAsNonRoot", "seLinuxOptions", "seccompProfile",
    "windowsOptions", "appArmorProfile",
})

_KIND_WORDS = {"initContainers": "init container", "containers": "container",
               "ephemeralContainers": "ephemeral container"}

# Tags of policies that implement a control of the Pod Security Standards, by profile.
PSS_BASELINE = "pss-baseline"
PSS_RESTRICTED = "pss-restricted"


class Setting(Record):
    """A security-context field as the container sees it.

    ``value`` is None when neither the container nor the pod sets it; ``level`` is
    ``container``, ``pod`` or ``""``; ``path`` is where the value is written (for ``at=``).
    A :class:`~iaclint.model.Record`.
    """

    __slots__ = ()

    def __new__(cls, value: Any, level: str = "", path: tuple = ()):
        return tuple.__new__(cls, (value, level, path))

    value = property(itemgetter(0))
    level = property(itemgetter(1))
    path = property(itemgetter(2))


def effective(container: Node, pod_spec: Node | None, key: str) -> Setting:
    """The value of ``securityContext.<key>`` for ``container``: its own, else the pod's."""
    own = container.node("securityContext")
    if own is not None and key in own.value and own.value[key] is not None:
        return Setting(own.value[key], "container", own.path + (key,))
    if key in POD_DEFAULTED and pod_spec is not None:
        pod = pod_spec.node("securityContext")
        if pod is not None and key in pod.value and pod.value[key] is not None:
            return Setting(pod.value[key], "pod", pod.path + (key,))
    return Setting(None)


def container_kind(container: Node) -> str:
    """``container``, ``init container`` or ``ephemeral container``."""
    for part in reversed(container.path):
        if isinstance(part, str):
            return _KIND_WORDS.get(part, "container")
    return "container"


def describe(container: Node) -> str:
    """``container "web"``, ``init container "migrate"``: how messages name a container."""
    name = container.get("name")
    label = f'"{name}"' if isinstance(name, str) and name else f"#{container.path[-1]}"
    return f"{container_kind(container)} {label}"


def container_capabilities(container: Node, which: str) -> list[tuple[str, tuple]]:
    """``(CAPABILITY, path)`` for each entry of ``securityContext.capabilities.<which>``,
    normalised to upper case without a ``CAP_`` prefix (the runtime accepts both)."""
    caps = container.node("securityContext.capabilities")
    if caps is None:
        return []
    items = caps.value.get(which)
    if not isinstance(items, list):
        return []
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str) and item.strip():
            name = item.strip().upper()
            out.append((name[4:] if name.startswith("CAP_") else name, caps.path + (which, i)))
    return out


def is_fragment(container: Node) -> bool:
    """A container without an image: a strategic-merge patch or an unfinished template.

    Its missing fields come from the object it is merged into, so "X is not set" cannot be
    judged from it; what it does set still counts.
    """
    return "image" not in container.value


def is_privileged(container: Node) -> bool:
    return container.get("securityContext.privileged") is True


def is_windows(pod_spec: Node | None, containers: list[Node] = ()) -> bool:
    """Whether the pod targets Windows nodes, where Linux user ids and privileges do not apply."""
    if pod_spec is None:
        return False
    os_name = pod_spec.get("os.name")
    if isinstance(os_name, str) and os_name.lower() == "windows":
        return True
    selector = pod_spec.get("nodeSelector")
    if isinstance(selector, dict):
        for key in ("kubernetes.io/os", "beta.kubernetes.io/os"):
            value = selector.get(key)
            if isinstance(value, str) and value.lower() == "windows":
                return True
    if isinstance(pod_spec.get("securityContext.windowsOptions"), dict):
        return True
    return any(isinstance(c.get("securityContext.windowsOptions"), dict) for c in containers)


_UPPER_TOKEN = lazy_re(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


def substitution_token(name: str, value: str) -> bool:
    """Whether ``value`` is a token standing for the real value, swapped in at deploy time.

    ``GOOGLE_API_KEY: GOOGLE_API_KEY_VAL`` is filled in by sed, envsubst or a kustomize
    replacement: an upper-case token that repeats the variable's own name is not a credential.
    """
    if not isinstance(name, str) or not isinstance(value, str):
        return False
    v = value.strip()
    return bool(_UPPER_TOKEN.match(v)) and name.strip().upper().replace("-", "_").replace(".", "_") in v


class Explicit(Record):
    """A security-context field written at one level: the pod's or one container's.

    Pod Security admission judges each written value on its own, whatever overrides it, so the
    checks that follow it read these instead of :func:`effective`. ``container`` is None for the
    pod's own ``securityContext``. A :class:`~iaclint.model.Record`, as :class:`Setting`.
    """

    __slots__ = ()

    def __new__(cls, value: Any, path: tuple, container: Node | None = None):
        return tuple.__new__(cls, (value, path, container))

    value = property(itemgetter(0))
    path = property(itemgetter(1))
    container = property(itemgetter(2))

    @property
    def owner(self) -> str:
        """``the pod`` or ``container "web"``: who wrote the value, for messages."""
        return "the pod" if self.container is None else describe(self.container)


def explicit_settings(pod_spec: Node | None, containers: list[Node], key: str) -> list[Explicit]:
    """Every value written at ``securityContext.<key>`` (dotted allowed): the pod's, then each
    container's, in order. Missing and null values are left out."""
    found: list[Explicit] = []
    owners: list[tuple[Node, Node | None]] = []
    if pod_spec is not None:
        owners.append((pod_spec, None))
    owners.extend((c, c) for c in containers)
    for node, container in owners:
        context = node.node("securityContext")
        if context is None:
            continue
        value = context.get(key)
        if value is not None:
            found.append(Explicit(value, context.path + tuple(key.split(".")), container))
    return found


def pod_annotations(resource) -> tuple[dict, tuple]:
    """The annotations of the pods a workload creates, and their path (``{}`` when none)."""
    meta = resource.pod_metadata()
    if meta is None:
        return {}, ()
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict):
        return {}, ()
    return annotations, meta.path + ("annotations",)


def in_user_namespace(pod_spec: Node | None) -> bool:
    """``hostUsers: false``: the pod's UIDs map to unprivileged ones on the node (KEP-127)."""
    return pod_spec is not None and pod_spec.get("hostUsers") is False
