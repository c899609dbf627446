"""Pod shares the node's process or IPC namespace (hostPID / hostIPC).

## Why
With `hostPID: true` the pod sees every process on the node: it can read their environment
and command lines (where secrets often sit), `ptrace` them given the capability, and enter their
namespaces through `/proc/<pid>/root`. With `hostIPC: true` it can read and write the shared
memory and message queues of every process on the node.

This is the *Host Namespaces* control of the Pod Security Standards **baseline** profile (its
third field, `hostNetwork`, is `host-network`, IAC-NET-004).

## Fix
Remove `hostPID` and `hostIPC` (both default to `false`). To share processes between the
containers of one pod, use `shareProcessNamespace: true`, which stays inside the pod.

## Example
```yaml
# bad
spec:
  hostPID: true
  hostIPC: true
# good
spec:
  shareProcessNamespace: true
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE

NAMESPACES = (("hostPID", "process"), ("hostIPC", "IPC"))


@policy(id="IAC-ISO-003", name="host-namespaces", severity=Severity.HIGH, family="isolation",
        applies_to=("k8s:workload",),
        equivalents=("CKV_K8S_17", "CKV_K8S_18", "AVD-KSV-0010", "AVD-KSV-0008"), cwe=668,
        precision="very-high", tags=(PSS_BASELINE,))
def host_namespaces(resource, options):
    spec = resource.pod_spec()
    if spec is None:
        return
    for key, what in NAMESPACES:
        if spec.get(key) is True:
            yield spec.finding(f"pod shares the node's {what} namespace ({key}: true)", at=key)
