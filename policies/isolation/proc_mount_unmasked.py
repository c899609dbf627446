"""Container asks for an unmasked /proc (procMount other than Default).

## Why
The runtime mounts `/proc` in a container with sensitive entries masked (`/proc/kcore`,
`/proc/sysrq-trigger`, `/proc/keys`, `/proc/timer_list`, ...) and others read-only
(`/proc/sys`, `/proc/irq`, `/proc/bus`). `procMount: Unmasked` removes all of that: the
container can read kernel memory layouts and keys, trigger SysRq actions on the node, and write
kernel parameters through `/proc/sys` wherever its capabilities allow.

This is the */proc Mount Type* control of the Pod Security Standards **baseline** profile: the
field must be unset or `Default` on every container (init and ephemeral ones included). The
standard relaxes it (from 1.35) for pods with `hostUsers: false`, whose user namespace keeps the
container's root unprivileged on the node; such pods are not reported here, although the
restricted profile still forbids the field.

## Fix
Remove `procMount` (or set `Default`). Nested container builds that need an unmasked `/proc`
should run in a user namespace (`hostUsers: false`).

## Example
```yaml
# bad
securityContext:
  procMount: Unmasked
# good
securityContext:
  procMount: Default
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE, describe, in_user_namespace


@policy(id="IAC-ISO-015", name="proc-mount-unmasked", severity=Severity.MEDIUM, family="isolation",
        applies_to=("k8s:workload",), equivalents=("AVD-KSV-0027",), cwe=668, precision="very-high",
        tags=(PSS_BASELINE,))
def proc_mount_unmasked(resource, options):
    if in_user_namespace(resource.pod_spec()):
        return
    for container in resource.containers():
        mount = container.get("securityContext.procMount")
        if isinstance(mount, str) and mount != "Default":
            yield container.finding(f"{describe(container)} sets procMount: {mount} (no masked or "
                                    "read-only /proc paths)", at="securityContext.procMount")
