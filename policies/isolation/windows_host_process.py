"""Windows pod or container runs as a HostProcess container.

## Why
A Windows HostProcess container is not isolated at all: it runs directly on the node as a
process, with the node's network, file system and devices, under a node account such as
`NT AUTHORITY\\SYSTEM`. It is the Windows counterpart of a privileged Linux container with the
host's namespaces, and anything that compromises it owns the node.

This is the *HostProcess* control of the Pod Security Standards **baseline** profile:
`windowsOptions.hostProcess` must be unset or `false` at the pod and at every container (init
and ephemeral ones included).

## Fix
Run the workload as an ordinary Windows container. Node agents that need the node (CNI, CSI,
log and metric collectors) belong in a dedicated namespace with a reviewed exception.

## Example
```yaml
# bad
securityContext:
  windowsOptions:
    hostProcess: true
    runAsUserName: "NT AUTHORITY\\\\SYSTEM"
# good
securityContext:
  windowsOptions:
    runAsUserName: ContainerUser
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE, explicit_settings


@policy(id="IAC-ISO-016", name="windows-host-process", severity=Severity.CRITICAL, family="isolation",
        applies_to=("k8s:workload",), equivalents=("AVD-KSV-0103",), cwe=250, precision="very-high",
        tags=(PSS_BASELINE,))
def windows_host_process(resource, options):
    spec = resource.pod_spec()
    for setting in explicit_settings(spec, resource.containers(), "windowsOptions.hostProcess"):
        if setting.value is True:
            yield resource.finding(f"{setting.owner} runs as a Windows HostProcess container "
                                   "(windowsOptions.hostProcess: true): no isolation from the node",
                                   at=setting.path)
