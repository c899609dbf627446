"""Container does not drop ALL capabilities, or adds one the restricted profile forbids.

## Why
Even without `capabilities.add`, a container starts with the runtime's default set: `CHOWN`,
`DAC_OVERRIDE`, `FOWNER`, `SETUID`, `SETGID`, `NET_BIND_SERVICE`, `KILL`, `MKNOD`, `SETPCAP`,
`SYS_CHROOT` and more (`NET_RAW` too, on older runtimes). They let root in the container
bypass file permissions, change file owners, forge packets and create device nodes; each one
is a step an exploit can use. Most applications need none of them.

This is the *Capabilities* control of the Pod Security Standards **restricted** profile: every
container (init and ephemeral ones included) must list `ALL` in `capabilities.drop`, spelled
exactly so (Pod Security admission rejects `all`), and may add back only `NET_BIND_SERVICE`.
Adding a capability outside the baseline set is reported by `added-capabilities` instead;
Windows pods are exempt, as in the standard.

This covers Checkov's CKV_K8S_28 (NET_RAW) too: a container that does not drop `ALL` keeps
`NET_RAW` on every runtime that grants it, and is reported here. A container that drops
`NET_RAW` but not `ALL` is still reported (Checkov passes it): it keeps the rest of the default
set.

## Fix
Drop everything and add back only what the process needs (usually nothing; `NET_BIND_SERVICE`
to listen on a port below 1024 as non-root).

## Example
```yaml
# bad
containers:
  - name: web
    image: nginx:1.27
# good
containers:
  - name: web
    image: nginx:1.27
    securityContext:
      capabilities:
        drop: [ALL]
        add: [NET_BIND_SERVICE]
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_RESTRICTED, describe, is_fragment, is_windows
from .added_capabilities import BASELINE

ALLOWED_ADD = "NET_BIND_SERVICE"


@policy(id="IAC-ISO-009", name="capabilities-not-dropped", severity=Severity.LOW, family="isolation",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_37", "CKV_K8S_28", "AVD-KSV-0003", "AVD-KSV-0106"),
        cwe=250, precision="high", tags=(PSS_RESTRICTED,))
def capabilities_not_dropped(resource, options):
    spec = resource.pod_spec()
    containers = resource.containers()
    if is_windows(spec, containers):
        return
    for container in containers:
        label = describe(container)
        caps = container.node("securityContext.capabilities")
        drop = caps.get("drop") if caps is not None else None
        drops = [d for d in drop if isinstance(d, str)] if isinstance(drop, list) else []
        if "ALL" not in drops:
            near = next((d for d in drops if d.strip().upper() in ("ALL", "CAP_ALL")), None)
            if near is not None:
                yield caps.finding(f'{label} drops "{near}": Pod Security admission only accepts '
                                   'the exact name ALL', at=("drop", drops.index(near)))
            elif drop is not None:
                shown = ", ".join(drops) or "nothing"
                yield caps.finding(f"{label} drops {shown} but not ALL: it keeps the runtime's other "
                                   "default capabilities", at="drop")
            elif not is_fragment(container):
                yield container.finding(f"{label} does not drop ALL capabilities: it keeps the "
                                        "runtime's default set (CHOWN, DAC_OVERRIDE, SETUID, ...)")
        added = caps.get("add") if caps is not None else None
        if not isinstance(added, list):
            continue
        for i, cap in enumerate(added):
            if not isinstance(cap, str) or cap == ALLOWED_ADD:
                continue
            name = cap.strip().upper()
            name = name[4:] if name.startswith("CAP_") else name
            if name == ALLOWED_ADD:
                yield caps.finding(f'{label} adds "{cap}": Pod Security admission only accepts the '
                                   f"exact name {ALLOWED_ADD}", at=("add", i))
            elif name in BASELINE:  # the others are added-capabilities' (IAC-ISO-008) findings
                yield caps.finding(f"{label} adds capability {name}: the restricted profile allows "
                                   f"adding only {ALLOWED_ADD}", at=("add", i))
