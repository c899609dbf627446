"""Container allows privilege escalation (allowPrivilegeEscalation not false).

## Why
Unless `allowPrivilegeEscalation: false` is set, the container's processes run without the
kernel's `no_new_privs` flag: a setuid binary or file capability in the image (or planted by
an attacker) can raise a process to more privileges than the container was started with. A
container that is privileged or has `CAP_SYS_ADMIN` can always escalate, whatever the field says.

This is the *Privilege Escalation* control of the Pod Security Standards **restricted** profile,
which exempts Windows pods (they have neither setuid nor `no_new_privs`); so does this check.

## Fix
Set `securityContext.allowPrivilegeEscalation: false` on every container, init and ephemeral
containers included (it has no pod-level default), and do not run it privileged or with
`SYS_ADMIN`.

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
      allowPrivilegeEscalation: false
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import (PSS_RESTRICTED, container_capabilities, describe, is_fragment, is_privileged,
                    is_windows)

ESCALATING_CAPABILITIES = frozenset({"SYS_ADMIN", "ALL"})


@policy(id="IAC-ISO-002", name="privilege-escalation", severity=Severity.MEDIUM, family="isolation",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_20", "AVD-KSV-0001"), cwe=269,
        precision="high", tags=(PSS_RESTRICTED,))
def privilege_escalation(resource, options):
    spec = resource.pod_spec()
    containers = resource.containers()
    if is_windows(spec, containers):  # no setuid, no no_new_privs: the field does not apply
        return
    for container in containers:
        label = describe(container)
        allowed = container.get("securityContext.allowPrivilegeEscalation")
        cause = None
        if is_privileged(container):
            cause = ("runs privileged", container.path + ("securityContext", "privileged"))
        else:
            caps = [(c, p) for c, p in container_capabilities(container, "add") if c in ESCALATING_CAPABILITIES]
            if caps:
                cause = (f"adds {caps[0][0]}", caps[0][1])
        if allowed is True:
            yield container.finding(f"{label} sets allowPrivilegeEscalation: true",
                                    at="securityContext.allowPrivilegeEscalation")
        elif allowed is False:
            if cause is not None:  # the API server refuses this combination; say why anyway
                yield resource.finding(f"{label} can escalate privileges: it {cause[0]}, which overrides "
                                       "allowPrivilegeEscalation: false", at=cause[1])
        elif cause is not None:
            yield resource.finding(f"{label} can escalate privileges: it {cause[0]} and does not set "
                                   "allowPrivilegeEscalation: false", at=cause[1])
        elif not is_fragment(container):
            yield container.finding(f"{label} does not set allowPrivilegeEscalation: false")
