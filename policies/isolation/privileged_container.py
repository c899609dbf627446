"""Container runs privileged.

## Why
A privileged container gets every Linux capability, all host devices under `/dev`, and no
seccomp or AppArmor confinement: root inside it is root on the node. Escaping takes one
command (mount the host disk, load a kernel module), and from the node every other pod's
secrets are within reach.

This is the *Privileged Containers* control of the Pod Security Standards **baseline** profile,
checked on every container, init and ephemeral ones included.

## Fix
Remove `privileged: true` (the default is `false`) and grant only the specific capabilities
the workload needs with `capabilities.add`. Device access can usually go through a device
plugin instead.

## Example
```yaml
# bad
securityContext:
  privileged: true
# good
securityContext:
  privileged: false
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE, describe


@policy(id="IAC-ISO-001", name="privileged-container", severity=Severity.CRITICAL, family="isolation",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_16", "AVD-KSV-0017"), cwe=250,
        precision="very-high", tags=(PSS_BASELINE,))
def privileged_container(resource, options):
    for container in resource.containers():
        if container.get("securityContext.privileged") is True:
            yield container.finding(f"{describe(container)} runs privileged",
                                    at="securityContext.privileged")
