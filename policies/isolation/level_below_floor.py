"""Workloads whose isolation level is below the floor of their trust tier (one row per tier).

The level and the tier come from `_levels.py`, the same derivation the `iaclint isolation`
inventory prints, so a finding here is always a row marked "below floor" there.
"""

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

from ._levels import K8S_TYPES, READS, inventory

_UNTRUSTED_DOC = """Untrusted workload runs below its isolation floor (default: sandboxed).

## Why
A workload marked untrusted (`iaclint.io/trust: untrusted`, the Terraform tag `iaclint:trust`, or
a tier from the `[isolation]` config) runs code nobody vouches for: pull-request builds, customer
plugins, notebooks. In an ordinary container, its only boundary is the node's shared Linux kernel,
well over 300 system calls of attack surface; one kernel bug is a node compromise, and every pod on
that node with it. gVisor answers those calls from a user-space kernel; Kata Containers,
Firecracker and Fargate give the workload its own kernel behind a hypervisor.

## Fix
Run it at the floor or above: on Kubernetes, `runtimeClassName: gvisor` (GKE Sandbox, `runsc`)
or a Kata class (`kata`, `kata-qemu`, `kata-vm-isolation` on AKS), or a Fargate profile on EKS;
on ECS, the Fargate launch type; for a node pool, GKE Sandbox or AKS Kata nodes. Remove anything
that makes it `host` (privileged, host namespaces, the runtime socket): a sandbox cannot contain
a workload that was handed the node. The floor is configurable: `[isolation] floors`.

## Example
```yaml
# bad: untrusted, an ordinary container
metadata:
  labels:
    iaclint.io/trust: untrusted
spec:
  containers: [{name: runner, image: ci/runner:1.4}]
# good: its own kernel
spec:
  runtimeClassName: kata
  containers: [{name: runner, image: ci/runner:1.4}]
```
"""

_SENSITIVE_DOC = """Sensitive workload runs below its isolation floor (default: hardened).

## Why
A workload marked sensitive (payments, secrets brokers, anything holding customer data) shares
the node's kernel with its neighbours. Below the floor it also keeps the defaults that make a
container escape easy: it may run as root, keep capabilities, escalate privileges or write its
own root filesystem. The Pod Security Standards restricted profile closes those doors.

## Fix
Meet the restricted profile in every container: `runAsNonRoot: true`,
`allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]`, `seccompProfile.type:
RuntimeDefault` and `readOnlyRootFilesystem: true`; no hostPath volumes or host ports. Or move it
up further (gVisor, Kata). The floor is configurable: `[isolation] floors`.

## Example
```yaml
# bad
securityContext: {}
# good
securityContext:
  runAsNonRoot: true
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: {drop: [ALL]}
  seccompProfile: {type: RuntimeDefault}
```
"""


def _hint(w, floor: str) -> str:
    if w.low == "host":
        first = next((e.why for e in w.evidence if e.why.startswith("host:")), "host: it is handed the node")
        return "remove what hands it the node: " + first[len("host: "):]
    kind = w.kind
    if kind in K8S_TYPES:
        if floor == "hardened":
            miss = next((e.why for e in w.evidence if e.why.startswith("not hardened: ")), None)
            return "meet the restricted profile" + (f", first: {miss[len('not hardened: '):]}" if miss else "")
        return "give it runtimeClassName: gvisor or a Kata class" if floor == "sandboxed" else \
            "give it a Kata runtimeClassName or a Fargate profile"
    if kind.startswith("aws_ecs_"):
        return "run it on Fargate"
    if kind.startswith("google_container_"):
        return 'use GKE Sandbox (node_config.sandbox_config.sandbox_type = "gvisor")'
    if kind.startswith("azurerm_kubernetes_cluster"):
        return 'use workload_runtime = "KataVmIsolation" and runtimeClassName kata-vm-isolation'
    return "place it on dedicated hardware (dedicated tenancy, a dedicated or sole-tenant host)"


def _check(tier: str):
    def check(project, options):
        for w in inventory(project, options):
            yield from project.guarded(_one(w, tier), w.resource)
    return check


def _one(w, tier: str):
    verdict = w.below(tier)
    if isinstance(verdict, Unknown):
        raise UnknownValue(verdict)
    if verdict is not True:
        return
    floor = w.settings.floor(tier)
    source = w.tier_evidence[0] if w.tier_evidence else None
    where = ""
    if source is not None:
        where = f" (tier: {source.why}" + (f" at {source.file}:{source.line}" if source.line else "") + ")"
    subject = "workload" if w.address == w.resource.address else w.address  # an inline node pool
    yield w.resource.finding(
        f"{tier} {subject} runs at level {w.low}, below its floor {floor}{where}; {_hint(w, floor)}",
        at=w.anchor)


for _id, _name, _tier, _severity, _doc in (
        ("IAC-ISO-040", "untrusted-below-floor", "untrusted", Severity.HIGH, _UNTRUSTED_DOC),
        ("IAC-ISO-041", "sensitive-below-floor", "sensitive", Severity.MEDIUM, _SENSITIVE_DOC)):
    policy(id=_id, name=_name, severity=_severity, family="isolation", scope="project",
           applies_to=READS, cwe=653, precision="high", doc=_doc)(_check(_tier))
