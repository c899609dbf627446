"""Pod or container sets a custom SELinux type, user or role.

## Why
On SELinux nodes (RHEL, Fedora CoreOS, OpenShift) every container process runs in the
`container_t` domain, with a per-pod category pair that keeps pods out of each other's files.
Choosing another type changes what the kernel lets the process touch: `spc_t` ("super
privileged container") is unconfined, `unconfined_t` is what it says, and types written for
host daemons reach host files. Setting the SELinux `user` or `role` selects a different
identity in the policy altogether. Only `level` (the categories) is safe to set.

This is the *SELinux* control of the Pod Security Standards **baseline** profile: at the pod and
at every container (init and ephemeral ones included), `seLinuxOptions.type` may be empty or
one of `container_t`, `container_init_t`, `container_kvm_t` and `container_engine_t`
(Kubernetes 1.31+); `user` and `role` must not be set.

## Fix
Remove `type`, `user` and `role` from `seLinuxOptions` (keep `level` if you assign categories).
A workload that really needs host access belongs in a dedicated namespace with a reviewed
exception.

## Example
```yaml
# bad
securityContext:
  seLinuxOptions:
    type: spc_t
# good
securityContext:
  seLinuxOptions:
    level: "s0:c123,c456"
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE, explicit_settings

ALLOWED_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
WHY = {"spc_t": "a super-privileged, unconfined container", "unconfined_t": "no SELinux confinement"}


@policy(id="IAC-ISO-013", name="selinux-custom-options", severity=Severity.MEDIUM, family="isolation",
        applies_to=("k8s:workload",), equivalents=("AVD-KSV-0025",), cwe=693, precision="very-high",
        tags=(PSS_BASELINE,))
def selinux_custom_options(resource, options):
    spec = resource.pod_spec()
    for setting in explicit_settings(spec, resource.containers(), "seLinuxOptions"):
        opts = setting.value
        if not isinstance(opts, dict):
            continue
        kind = opts.get("type")
        if isinstance(kind, str) and kind not in ALLOWED_TYPES:
            why = WHY.get(kind, "outside the container types")
            yield resource.finding(f"{setting.owner} sets SELinux type {kind} ({why})",
                                   at=setting.path + ("type",))
        for field in ("user", "role"):
            value = opts.get(field)
            if isinstance(value, str) and value:
                yield resource.finding(f"{setting.owner} sets SELinux {field} {value}: only type and "
                                       "level may be chosen", at=setting.path + (field,))
