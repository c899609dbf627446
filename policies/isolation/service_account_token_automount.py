"""Pod mounts a service account API token that it does not need.

## Why
Unless told otherwise, Kubernetes mounts a token for the pod's service account into every
container, at `/var/run/secrets/kubernetes.io/serviceaccount/token`. Anyone who gets code
execution or a file-read in the pod can use it against the API server, with whatever the
account is allowed to do; and permissions granted to `default` (by a Helm chart, an operator, a
`RoleBinding` to `system:serviceaccounts`) reach every pod that did not pick an account. Most
application pods never call the Kubernetes API and should not carry a credential for it.

Reported, unless the pod sets `automountServiceAccountToken: false`:

- pods that run as the namespace's `default` service account (no `serviceAccountName`, or
  `default`), when the scan does not contain that namespace's `default` ServiceAccount with
  `automountServiceAccountToken: false`;
- pods that name their own service account when the scan defines that ServiceAccount (same
  namespace) without `automountServiceAccountToken: false` and no RoleBinding or
  ClusterRoleBinding of the scan grants it anything (as itself, or through the groups
  `system:serviceaccounts`, `system:serviceaccounts:<namespace>`, `system:authenticated`): the
  pod has no permission to call the API with, so the token is only a credential to steal. Cloud
  workload identity (GKE, EKS, Azure) does not need it: it brings its own token.

Not reported: a dedicated account that some binding in the scan grants permissions to (the pod
most likely calls the API), or that the scan does not define (its RBAC lives elsewhere).
Strategic-merge patches without a complete container are not reported. Low severity: a token
is a credential, not a privilege; what it grants is decided by RBAC. Not part of the Pod
Security Standards (it is in the CIS Kubernetes benchmark).

## Differences from Checkov
Checkov's CKV_K8S_38 reports every pod that does not set `automountServiceAccountToken: false`,
whatever its account. iaclint does not report a dedicated account that a binding in the scan
grants permissions to: it usually exists because the pod calls the API. When it does not (on
kubernetes-goat, `hunger-check-deployment` runs as `big-monolith-sa`, whose Role reads every
resource of its namespace), what to fix is the account and its Role, not only the mount.
Checkov also reports kustomize patches that delete a Deployment (`$patch: delete`); iaclint
does not, having no container to judge.

## Fix
Set `automountServiceAccountToken: false` in the pod spec, or once on the ServiceAccount (the
namespace's `default` one, or the pod's own). A pod that does call the API should get its own
ServiceAccount with a narrow Role.

## Example
```yaml
# bad
spec:
  containers:
    - name: web
      image: nginx:1.27
# good
spec:
  automountServiceAccountToken: false
  containers:
    - name: web
      image: nginx:1.27
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import is_fragment

# Groups every service account (of a namespace) belongs to: a binding to one grants them all.
_ALL_ACCOUNTS = ("system:serviceaccounts", "system:authenticated")


@policy(id="IAC-ISO-020", name="service-account-token-automount", severity=Severity.LOW,
        family="isolation",
        applies_to=("k8s:workload", "ServiceAccount", "RoleBinding", "ClusterRoleBinding"), scope="project", equivalents=("CKV_K8S_38", "AVD-KSV-0036"), cwe=522, precision="low")
def service_account_token_automount(project, options):
    accounts: dict[tuple[str, str], list] = {}  # (namespace, name) -> the scan's ServiceAccounts
    for account in project.of_type("ServiceAccount"):
        name = account.get("metadata.name")
        if isinstance(name, str):
            accounts.setdefault((_namespace(account), name), []).append(account)
    bound = _bound(project)
    for workload in project.of_type("k8s:workload"):
        yield from project.guarded(_check(workload, accounts, bound), workload)


def _namespace(resource) -> str:
    namespace = resource.get("metadata.namespace")
    return namespace if isinstance(namespace, str) else ""


def _bound(project) -> set:
    """Who the scan's RoleBindings and ClusterRoleBindings grant something to: (namespace, name)
    of service accounts, (namespace, "*") for every account of a namespace, ("*", "*") for all."""
    bound = set()
    for binding in project.of_type("RoleBinding", "ClusterRoleBinding"):
        for subject in binding.blocks("subjects"):
            kind, name = subject.get("kind"), subject.get("name")
            if not isinstance(name, str):
                continue
            if kind == "ServiceAccount":
                namespace = subject.get("namespace")
                bound.add((namespace if isinstance(namespace, str) else _namespace(binding), name))
            elif kind == "Group" and name in _ALL_ACCOUNTS:
                bound.add(("*", "*"))
            elif kind == "Group" and name.startswith("system:serviceaccounts:"):
                bound.add((name.split(":", 2)[2], "*"))
    return bound


def _check(workload, accounts, bound):
    spec = workload.pod_spec()
    if spec is None:
        return
    mount = spec.get("automountServiceAccountToken")
    if mount is False:
        return
    containers = workload.containers()
    if not containers or all(is_fragment(c) for c in containers):
        return  # a patch: the object it is merged into decides
    namespace = _namespace(workload)
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if isinstance(account, str) and account != "default":
        yield from _dedicated(spec, mount, namespace, account, accounts, bound)
        return
    if mount is True:
        yield spec.finding("the pod mounts the API token of the default service account "
                           "(automountServiceAccountToken: true)", at="automountServiceAccountToken")
        return
    if any(a.get("automountServiceAccountToken") is False for a in accounts.get((namespace, "default"), ())):
        return
    yield spec.finding("the pod mounts the API token of the default service account: set "
                       "automountServiceAccountToken: false unless it calls the Kubernetes API")


def _dedicated(spec, mount, namespace, account, accounts, bound):
    defined = accounts.get((namespace, account))
    if not defined:
        return  # defined elsewhere: its permissions are not known here
    if mount is not True and any(a.get("automountServiceAccountToken") is False for a in defined):
        return
    if {(namespace, account), (namespace, "*"), ("*", "*")} & bound:
        return  # granted permissions: the pod most likely calls the API
    yield spec.finding(f"the pod mounts the API token of service account {account!r}, which no RoleBinding "
                       "or ClusterRoleBinding in the scan grants anything: set "
                       "automountServiceAccountToken: false unless it calls the Kubernetes API",
                       at="automountServiceAccountToken" if mount is True else None)
