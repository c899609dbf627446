"""Pod mounts the API token of its namespace's default service account without needing it.

## Why
Unless told otherwise, Kubernetes mounts a token for the pod's service account into every
container, at `/var/run/secrets/kubernetes.io/serviceaccount/token`. Anyone who gets code
execution or a file-read in the pod can use it against the API server, with whatever the
account is allowed to do; and permissions granted to `default` (by a Helm chart, an operator, a
`RoleBinding` to `system:serviceaccounts`) reach every pod that did not pick an account. Most
application pods never call the Kubernetes API and should not carry a credential for it.

Reported: pods that run as the namespace's `default` service account (no
`serviceAccountName`, or `default`) and do not set `automountServiceAccountToken: false`, when
the scan does not contain that namespace's `default` ServiceAccount with
`automountServiceAccountToken: false` either. Pods that name their own service account are not
reported: a dedicated account usually exists because the pod calls the API (operators,
controllers, workload identity). Strategic-merge patches without a complete container are not
reported. Low severity: a token is a credential, not a privilege; what it grants is decided by
RBAC. Not part of the Pod Security Standards (it is in the CIS Kubernetes benchmark).

## Fix
Set `automountServiceAccountToken: false` in the pod spec, or once on the namespace's `default`
ServiceAccount. A pod that does call the API should get its own ServiceAccount with a narrow
Role.

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


@policy(id="IAC-ISO-020", name="service-account-token-automount", severity=Severity.LOW,
        family="isolation", applies_to=("k8s:workload", "ServiceAccount"), scope="project",
        equivalents=("CKV_K8S_38", "AVD-KSV-0036"), cwe=522, precision="low")
def service_account_token_automount(project, options):
    opted_out = set()  # namespaces whose default ServiceAccount does not automount
    for account in project.of_type("ServiceAccount"):
        if account.get("metadata.name") == "default" and account.get("automountServiceAccountToken") is False:
            opted_out.add(_namespace(account))
    for workload in project.of_type("k8s:workload"):
        yield from project.guarded(_check(workload, opted_out), workload)


def _namespace(resource) -> str:
    namespace = resource.get("metadata.namespace")
    return namespace if isinstance(namespace, str) else ""


def _check(workload, opted_out):
    spec = workload.pod_spec()
    if spec is None:
        return
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if isinstance(account, str) and account != "default":
        return  # a dedicated account: the pod most likely calls the API
    mount = spec.get("automountServiceAccountToken")
    if mount is False:
        return
    containers = workload.containers()
    if not containers or all(is_fragment(c) for c in containers):
        return  # a patch: the object it is merged into decides
    if mount is True:
        yield spec.finding("the pod mounts the API token of the default service account "
                           "(automountServiceAccountToken: true)", at="automountServiceAccountToken")
        return
    if _namespace(workload) in opted_out:
        return
    yield spec.finding("the pod mounts the API token of the default service account: set "
                       "automountServiceAccountToken: false unless it calls the Kubernetes API")
