"""Container runs as root, or may (nothing stops the image's root user).

## Why
A process running as UID 0 inside a container is root on the node's kernel: one container
escape, a writable host mount or a kernel bug away from owning the node. Unless the pod or
container sets `runAsNonRoot: true` or a non-zero `runAsUser`, the image's `USER` decides, and
most images default to root.

This covers the *Running as Non-root* and *Running as Non-root user* controls of the Pod
Security Standards **restricted** profile, with effective values: a container's own
`runAsUser`/`runAsNonRoot` override the pod's. It is a little more lenient than the standard,
which wants `runAsNonRoot: true` even with a non-zero `runAsUser`: a non-zero UID is not root, so
it is not reported. Pods with `hostUsers: false` are skipped, as in the standard (1.35+): their
UID 0 maps to an unprivileged user on the node. Windows pods are skipped too.

## Differences from Checkov
Checkov's CKV_K8S_23 also fails kustomize patches that delete an object
(`$patch: delete`, as in microservices-demo's `delete-loadgenerator.patch.yaml`), reading them as
Deployments without a pod spec. Such a patch creates nothing, and iaclint does not report it.

## Fix
Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod's `securityContext` (containers
inherit it and can override it), and build images with a non-root `USER`.

## Example
```yaml
# bad
spec:
  securityContext:
    runAsUser: 0
# good
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_RESTRICTED, describe, effective, in_user_namespace, is_fragment, is_windows


def _uid(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@policy(id="IAC-ISO-004", name="run-as-root", severity=Severity.MEDIUM, family="isolation",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_23", "AVD-KSV-0012", "AVD-KSV-0105"),
        cwe=250, precision="medium", tags=(PSS_RESTRICTED,))
def run_as_root(resource, options):
    spec = resource.pod_spec()
    containers = resource.containers()
    if spec is None or is_windows(spec, containers) or in_user_namespace(spec):
        return
    # A pod-level runAsUser: 0 reaches several containers: report it once, naming them all.
    root_at: dict[tuple, tuple[str, list[str]]] = {}
    for container in containers:
        user = effective(container, spec, "runAsUser")
        non_root = effective(container, spec, "runAsNonRoot")
        if non_root.value is True:
            continue  # the kubelet refuses to start the container as UID 0
        uid = _uid(user.value)
        if uid == 0:
            root_at.setdefault(user.path, (user.level, []))[1].append(describe(container))
        elif uid is None and not is_fragment(container):
            yield container.finding(f"{describe(container)} may run as root: neither runAsNonRoot: true "
                                    "nor a non-zero runAsUser applies to it (the image's USER decides)")
    for path, (level, labels) in root_at.items():
        where = "the pod's securityContext" if level == "pod" else "its securityContext"
        subject = labels[0] + " runs" if len(labels) == 1 else ", ".join(labels) + " run"
        yield resource.finding(f"{subject} as root (runAsUser: 0 in {where})", at=path)
