"""Sensitive and untrusted workloads can be scheduled onto the same nodes.

## Why
A sensitive workload (payments, a secrets broker, customer data) on the same node as untrusted
code below the `vm` level is one kernel exploit away from it: root on the node reads every pod's
memory, mounted secrets and service account tokens. Running the sensitive workload in a VM does
not help once the node itself is taken; only separating the nodes (or giving the untrusted one
its own kernel) does.

Two workloads are taken to be kept apart when their node selection can never match the same
node (different values of one label in their nodeSelector or required node affinity), or when
one is confined to nodes by a selector and tolerates a NoSchedule/NoExecute taint the other does
not tolerate (the dedicated-node pattern: a label pulls it in, a taint keeps the rest out). The
manifests of one scan are taken to be one cluster. Each pair is reported once, on the untrusted
workload.

## Fix
Put the untrusted workloads on their own labelled and tainted nodes (nodeSelector plus
toleration, or a RuntimeClass `scheduling`), or give them a VM runtime (Kata, Fargate).

## Example
```yaml
# bad: both can land anywhere
kind: Deployment      # untrusted
spec: {template: {spec: {containers: [{name: runner, image: ci/runner:1.4}]}}}
# good: the untrusted one on its own tainted nodes
spec:
  template:
    spec:
      nodeSelector: {pool: untrusted}
      tolerations: [{key: dedicated, operator: Equal, value: untrusted, effect: NoSchedule}]
```
"""

from iaclint.model import Severity, UnknownValue
from iaclint.registry import policy

from ._levels import READS, inventory, rank, separation


@policy(id="IAC-ISO-043", name="sensitive-shares-nodes-with-untrusted", severity=Severity.MEDIUM,
        family="isolation", scope="project", applies_to=READS, cwe=653, precision="medium")
def sensitive_shares_nodes_with_untrusted(project, options):
    rows = [w for w in inventory(project, options) if w.placement is not None]
    sensitive = [w for w in rows if w.tier == "sensitive"]
    if not sensitive:
        return
    for u in rows:
        if u.tier == "untrusted":
            yield from project.guarded(_pairs(u, sensitive), u.resource)


def _pairs(u, sensitive):
    if rank(u.low) >= rank("vm"):
        return  # its own kernel: an escape reaches the hypervisor, not the node
    if rank(u.high) >= rank("vm"):
        raise UnknownValue(u.unknowns[0])
    for s in sensitive:
        if separation(u.placement, s.placement) is None:
            yield u.resource.finding(
                f"untrusted {u.address} (level {u.low}) can be scheduled onto the same nodes as sensitive "
                f"{s.address} ({s.file}:{s.line}): nothing in their node selection keeps them apart",
                at=u.placement.anchor)
