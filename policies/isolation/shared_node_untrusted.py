"""Untrusted workload is not kept off shared nodes.

## Why
An untrusted workload below the `vm` level shares its node's kernel (or, under gVisor, the
node's kernel behind a user-space one) with whatever else the scheduler puts there. If it
escapes, everything on that node is exposed: other tenants' pods, their service account
tokens and secrets, the kubelet's credentials. Dedicated nodes shrink that blast radius to the
untrusted workloads themselves: a node selector (or required node affinity) pulls the workload
onto its own nodes, and a taint on those nodes, which only it tolerates, keeps everything else
off. Either half alone leaves the nodes shared.

A workload with its own kernel (Kata, Fargate: level `vm` or above) does not need it: its
neighbours are separated by the hypervisor, not by node choice.

## Fix
Label and taint a node pool for untrusted work (`pool=untrusted`,
`dedicated=untrusted:NoSchedule`), then give the workload both a `nodeSelector` for the label and
a `toleration` for the taint, or put both in its RuntimeClass's `scheduling`. Or move it to a VM
runtime.

## Example
```yaml
# bad: can land on any node
spec:
  containers: [{name: runner, image: ci/runner:1.4}]
# good: its own nodes, which nothing else tolerates
spec:
  nodeSelector: {pool: untrusted}
  tolerations:
    - {key: dedicated, operator: Equal, value: untrusted, effect: NoSchedule}
  containers: [{name: runner, image: ci/runner:1.4}]
```
"""

from iaclint.model import Severity, UnknownValue
from iaclint.registry import policy

from ._levels import READS, inventory, rank


@policy(id="IAC-ISO-042", name="untrusted-on-shared-nodes", severity=Severity.MEDIUM, family="isolation",
        scope="project", applies_to=READS, cwe=653, precision="medium")
def untrusted_on_shared_nodes(project, options):
    for w in inventory(project, options):
        if w.placement is not None and w.tier == "untrusted":
            yield from project.guarded(_check(w), w.resource)


def _check(w):
    if rank(w.low) >= rank("vm"):
        return  # its own kernel: the hypervisor separates it from its neighbours
    if rank(w.high) >= rank("vm"):
        raise UnknownValue(w.unknowns[0])
    p = w.placement
    tolerated = p.repelling_tolerations()
    if p.confined and tolerated:
        return
    if not p.confined and not tolerated:
        why = "no nodeSelector, required node affinity or RuntimeClass scheduling confines it"
    elif not p.confined:
        why = (f"it tolerates the taint {tolerated[0].key} but no nodeSelector or required node affinity "
               "keeps it on those nodes")
    else:
        why = ("it is pinned by its node selection but tolerates no NoSchedule/NoExecute taint, so nothing "
               "keeps other workloads off its nodes")
    yield w.resource.finding(f"untrusted workload (level {w.low}) can share nodes with other workloads: {why}",
                             at=p.anchor)
