"""Pod shares one process namespace between its containers (shareProcessNamespace: true).

## Why
With `shareProcessNamespace: true` every container of the pod sees the others' processes: it
can read their command lines and environments (where credentials often sit), reach their file
systems through `/proc/<pid>/root`, and signal them; with `SYS_PTRACE` it can inspect their
memory. A compromised sidecar (a log forwarder, a proxy, a debug container) then reaches the
secrets of the main application, which separate namespaces would have kept apart. The
infrastructure "pause" process also stops being PID 1, which changes signal handling.

Not part of the Pod Security Standards; reported at low severity because it stays inside the
pod. For sharing the node's namespace, see `host-namespaces`.

## Fix
Remove it (it defaults to `false`). Debug a running pod with an ephemeral container targeting
one container (`kubectl debug --target=<container>`) instead of sharing every namespace for good.

## Example
```yaml
# bad
spec:
  shareProcessNamespace: true
# good
spec:
  containers:
    - name: web
      image: nginx:1.27
```
"""

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-ISO-021", name="share-process-namespace", severity=Severity.LOW, family="isolation",
        applies_to=("k8s:workload",), equivalents=(), cwe=668, precision="very-high")
def share_process_namespace(resource, options):
    spec = resource.pod_spec()
    if spec is not None and spec.get("shareProcessNamespace") is True:
        names = [c.get("name") for c in resource.containers()]
        names = [n for n in names if isinstance(n, str)]
        which = f" ({', '.join(names)})" if len(names) > 1 else ""
        yield spec.finding(f"the pod's containers{which} see each other's processes, environments and "
                           "files (shareProcessNamespace: true)", at="shareProcessNamespace")
