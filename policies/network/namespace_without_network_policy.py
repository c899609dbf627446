"""Workloads that no NetworkPolicy isolates: any pod in the cluster can connect to them.

## Why
Kubernetes lets every pod connect to every other pod until a NetworkPolicy selects it. A pod
that no ingress NetworkPolicy selects accepts connections from any pod of any namespace: one
compromised pod (a vulnerable web front end, a poisoned dependency) can then reach every
database, cache and admin port in the cluster. A default-deny policy per namespace, plus
policies that allow the expected flows, turns the flat network into segments.

How it is decided, from the manifests in the scan (kustomize and Helm output included once
rendered):

- A workload is any pod-creating kind (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob,
  ...) in its `metadata.namespace`, `default` when unset. Pods with `hostNetwork: true` are left
  out: NetworkPolicies do not apply to them (`host-network` reports those).
- A `networking.k8s.io` NetworkPolicy selects a workload when it is in the same namespace and
  its `podSelector` matches the pod template's labels (`matchLabels` and `matchExpressions` with
  `In`, `NotIn`, `Exists`, `DoesNotExist`; an empty selector selects every pod of the
  namespace). It isolates ingress unless its `policyTypes` leaves `Ingress` out.
- Policies of other engines are trusted without reading their selectors: a namespaced Calico or
  Cilium policy covers its whole namespace, and a cluster-wide one (`GlobalNetworkPolicy`,
  `CiliumClusterwideNetworkPolicy`, `AdminNetworkPolicy`, `BaselineAdminNetworkPolicy`) covers
  everything, so nothing is reported.

Each workload that no isolating policy selects gets its own finding, at the workload, naming its
namespace, so that each can be suppressed on its own (a public web front end that is meant to
accept any connection). A namespace without any isolating policy reports every workload in it,
and the message says the namespace has none: the fix is then one default-deny policy for the
namespace. That includes a scan with no NetworkPolicy anywhere: the manifests as written leave
the namespace flat; if policies are managed elsewhere (a platform repository, a policy
controller), ignore the policy in that repository's configuration (`ignore = ["IAC-NET-027"]`)
or suppress the findings with that reason.

## Differences from Checkov
CKV2_K8S_6 also reports each pod (a workload's pod template counts as one) that no NetworkPolicy
selects, but its matching is coarser: it compares `matchLabels` only, in any namespace, treats a
selector with `matchExpressions` alone as selecting every pod, and counts `Egress`-only
policies. iaclint matches within the namespace, evaluates `matchExpressions`, counts only
policies that isolate ingress, skips host-network pods and strategic-merge patches, and trusts
Calico and Cilium policies. Checkov never checks a pod template that has neither labels nor a name (a bare
Job); iaclint does.

## Fix
Add a default-deny ingress policy to the namespace, then allow the flows each workload needs:

## Example
```yaml
# good: every pod of the namespace is isolated for ingress...
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
# ...and the front end may reach the API
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-from-frontend
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: api}
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: frontend}
```
"""

from __future__ import annotations

from collections import Counter, defaultdict

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import is_fragment

NETWORK_POLICY = "NetworkPolicy"
NAMESPACED_OTHER = ("CiliumNetworkPolicy",)
CLUSTER_WIDE = ("GlobalNetworkPolicy", "CiliumClusterwideNetworkPolicy", "AdminNetworkPolicy",
                "BaselineAdminNetworkPolicy")


@policy(id="IAC-NET-027", name="namespace-without-network-policy", severity=Severity.MEDIUM,
        family="network", applies_to=("k8s:workload", NETWORK_POLICY) + NAMESPACED_OTHER + CLUSTER_WIDE,
        equivalents=("CKV2_K8S_6",), cwe=284, scope="project", precision="medium")
def namespace_without_network_policy(project, options):
    if project.of_type(*CLUSTER_WIDE):
        return  # a cluster-wide policy engine decides; its selectors are not evaluated here
    policies: dict[str, list] = defaultdict(list)
    covered: set[str] = set()
    for res in project.of_type(NETWORK_POLICY, *NAMESPACED_OTHER):
        api = res.get("apiVersion")
        if res.type == NETWORK_POLICY and isinstance(api, str) and api.startswith("networking.k8s.io/"):
            spec = res.node("spec")
            if spec is not None and _isolates_ingress(spec):
                policies[_namespace(res)].append((res, spec))
        else:
            covered.add(_namespace(res))  # Calico / Cilium: trusted for the whole namespace
    workloads: dict[str, list] = defaultdict(list)
    for res in project.of_type("k8s:workload"):
        if res.type == "PodTemplate" or not _receives_pod_traffic(res):
            continue
        workloads[_namespace(res)].append(res)
    for namespace in sorted(workloads):
        if namespace in covered:
            continue
        isolating = policies.get(namespace, [])
        index = _Index(isolating)
        names = _names(isolating) if isolating else None
        for workload in sorted(workloads[namespace], key=lambda r: (r.file, r.header.line)):
            yield from project.guarded(_workload_findings(workload, namespace, index, names), workload)


class _Index:
    """A namespace's policy selectors, each filed under labels a pod must carry to be selected.

    A selector that requires ``app: api`` (in ``matchLabels``, or ``app In [api]``) cannot select
    a pod without that label, so a workload is matched only against the selectors filed under its
    own labels and those that require none (empty, ``NotIn`` or ``Exists`` only, unreadable): one
    pass per workload, not one per workload and policy (2,000 apps with a policy each in one
    namespace took 8 s). Each selector is filed under its rarest requirement in the namespace, so
    a label every policy repeats (a Helm release's ``app.kubernetes.io/instance``) does not put
    them all in one place.
    """

    def __init__(self, policies: list):
        self.by_label: dict[tuple, list] = defaultdict(list)
        self.others: list = []
        filed = [(selector, _requirements(selector)) for selector in
                 (spec.get("podSelector") for _res, spec in policies)]
        counts = Counter(label for _selector, options in filed for option in options or () for label in option)
        for selector, options in filed:
            if options is None:
                self.others.append(selector)
                continue
            rarest = min(options, key=lambda option: sum(counts[label] for label in option))
            for label in dict.fromkeys(rarest):
                self.by_label[label].append(selector)

    def selects(self, labels: dict) -> bool:
        """Whether any selector of the namespace selects a pod with ``labels``."""
        if any(_selects(selector, labels) for selector in self.others):
            return True
        by_label = self.by_label
        return any(_selects(selector, labels)
                   for key, value in labels.items() for selector in by_label.get((key, str(value)), ()))


def _requirements(selector) -> list[list[tuple]] | None:
    """Sets of ``(label, value)`` such that a pod the selector selects carries one of each set:
    one set per ``matchLabels`` pair and per ``In`` expression (read in the order
    :func:`_selects` reads them), or None when there is no such set to file it under."""
    if not isinstance(selector, dict):
        return None
    match = selector.get("matchLabels")
    if match is not None and not isinstance(match, dict):
        return None  # unreadable: selects every pod
    options = [[(key, str(value))] for key, value in (match or {}).items()]
    expressions = selector.get("matchExpressions")
    if isinstance(expressions, list):
        for expr in expressions:
            if not isinstance(expr, dict):
                break  # unreadable: whatever follows is not read
            key, values = expr.get("key"), expr.get("values")
            if expr.get("operator") == "In" and isinstance(key, str):
                options.append([(key, str(v)) for v in values] if isinstance(values, list) else [])
    return options or None


def _names(policies: list, shown: int = 5) -> str:
    """The namespace's isolating policies for a message, the first few by name."""
    names = sorted({str(res.get("metadata.name") or res.name) for res, _spec in policies})
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _workload_findings(workload, namespace, index: _Index, names: str | None):
    if names is None:
        yield workload.finding(f'{_label(workload)} in namespace "{namespace}" accepts connections from any '
                               "pod: the namespace has no NetworkPolicy that restricts ingress")
        return
    if index.selects(_labels(workload)):
        return
    yield workload.finding(f'{_label(workload)} in namespace "{namespace}" is not selected by any ingress '
                           f"NetworkPolicy (the namespace has: {names}): any pod can connect")


def _namespace(res) -> str:
    namespace = res.get("metadata.namespace")
    return namespace.strip() if isinstance(namespace, str) and namespace.strip() else "default"


def _label(res) -> str:
    return f'{res.type} "{res.get("metadata.name") or res.name}"'


def _receives_pod_traffic(workload) -> bool:
    spec = workload.pod_spec()
    if spec is None or spec.get("hostNetwork") is True:
        return False
    containers = workload.containers()
    return bool(containers) and not all(is_fragment(c) for c in containers)


def _labels(workload) -> dict:
    meta = workload.pod_metadata()
    labels = meta.get("labels") if meta is not None else None
    return labels if isinstance(labels, dict) else {}


def _isolates_ingress(spec) -> bool:
    types = spec.get("policyTypes")
    if not isinstance(types, list) or not types:
        return True  # Ingress is always implied when policyTypes is not given
    return any(isinstance(t, str) and t.strip().lower() == "ingress" for t in types)


def _selects(selector, labels: dict) -> bool:
    """Whether a label selector matches ``labels``; anything unreadable counts as a match.

    Counting an unreadable selector as a match can only hide a finding, never invent one.
    """
    if not isinstance(selector, dict):
        return True  # no selector, or not a mapping: every pod of the namespace / unreadable
    match = selector.get("matchLabels")
    if match is not None:
        if not isinstance(match, dict):
            return True
        for key, value in match.items():
            if key not in labels or str(labels[key]) != str(value):
                return False
    expressions = selector.get("matchExpressions")
    if expressions is not None:
        if not isinstance(expressions, list):
            return True
        for expr in expressions:
            if not isinstance(expr, dict):
                return True
            if not _expression(expr, labels):
                return False
    return True


def _expression(expr: dict, labels: dict) -> bool:
    key, operator = expr.get("key"), expr.get("operator")
    values = expr.get("values")
    values = [str(v) for v in values] if isinstance(values, list) else []
    if not isinstance(key, str) or not isinstance(operator, str):
        return True
    if operator == "In":
        return key in labels and str(labels[key]) in values
    if operator == "NotIn":
        return key not in labels or str(labels[key]) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return True  # an operator Kubernetes would reject: do not guess
