"""A workload names a RuntimeClass that no scanned manifest defines and no known runtime explains.

## Why
`runtimeClassName` decides the isolation boundary of the pod: `gvisor` puts a user-space kernel
in front of the node's, a Kata class gives the pod its own kernel in a VM, `runc` gives neither.
A name that no scanned `RuntimeClass` defines and that is not a platform's well-known class
(GKE's `gvisor`, AKS's `kata-vm-isolation`, `kata-*`, `runsc`) cannot be rated, so the workload's
level is shown as `unknown` and its floor cannot be checked. It may also be a typo: the API
server rejects a pod whose RuntimeClass does not exist.

## Fix
Scan the `RuntimeClass` manifest together with the workload, rename it to a well-known class, or
rate it in the config: `[isolation.runtime-classes] my-class = "vm"` (a class name or a handler).

## Example
```yaml
# bad: defined nowhere in the scan
spec:
  runtimeClassName: secure
# good
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: secure}
handler: kata-qemu
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._levels import READS, inventory


@policy(id="IAC-ISO-044", name="runtime-class-unknown", severity=Severity.LOW, family="isolation",
        scope="project", applies_to=READS, precision="high")
def runtime_class_unknown(project, options):
    for w in inventory(project, options):
        rc = w.runtime_class
        if rc is not None and rc.source == "unknown":
            yield w.resource.finding(
                f"runtimeClassName {rc.name!r} is not defined by a scanned RuntimeClass and is not a well-known "
                "runtime: its isolation level cannot be rated", at=rc.path)
