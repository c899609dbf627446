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
manifests of one scan are taken to be one cluster. Each untrusted workload is reported once, naming
how many sensitive workloads it can share nodes with and the first three of them.

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

_NAMED = 3  # sensitive workloads a finding names; it counts the others


@policy(id="IAC-ISO-043", name="sensitive-shares-nodes-with-untrusted", severity=Severity.MEDIUM,
        family="isolation", scope="project", applies_to=READS, cwe=653, precision="medium")
def sensitive_shares_nodes_with_untrusted(project, options):
    rows = [w for w in inventory(project, options) if w.placement is not None]
    # Sensitive workloads grouped by where they may run (in inventory order within a group):
    # whether two workloads can share a node depends on nothing else, so it is decided once per
    # untrusted workload and distinct placement, not once per pair (a cluster of 1,000 untrusted
    # and 1,000 sensitive workloads would be a million decisions, and a million findings).
    groups: dict[tuple, list] = {}
    for order, w in enumerate(rows):
        if w.tier == "sensitive":
            groups.setdefault(w.placement.signature, []).append((order, w))
    if not groups:
        return
    for u in rows:
        if u.tier == "untrusted":
            yield from project.guarded(_shared(u, groups), u.resource)


def _shared(u, groups: dict):
    if rank(u.low) >= rank("vm"):
        return  # its own kernel: an escape reaches the hypervisor, not the node
    if rank(u.high) >= rank("vm"):
        raise UnknownValue(u.unknowns[0])
    near = [group for group in groups.values() if separation(u.placement, group[0][1].placement) is None]
    if not near:
        return
    total = sum(len(group) for group in near)
    named = [w for _order, w in sorted(pair for group in near for pair in group[:_NAMED])[:_NAMED]]
    listed = ", ".join(f"{s.address} ({s.file}:{s.line})" for s in named)
    if total == 1:
        which = f"sensitive {listed}"
    else:
        which = f"{total} sensitive workloads: {listed}" + (f" and {total - _NAMED} more" if total > _NAMED else "")
    yield u.resource.finding(
        f"untrusted {u.address} (level {u.low}) can be scheduled onto the same nodes as {which}: "
        "nothing in their node selection keeps them apart", at=u.placement.anchor)
