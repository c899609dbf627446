"""Containers run without a seccomp profile (no RuntimeDefault or Localhost applies to them).

## Why
Kubernetes does not apply the container runtime's default seccomp profile unless asked: a
container whose pod and own `securityContext` set no `seccompProfile` runs `Unconfined`, with
every system call open to it (the kubelet's `--seccomp-default` changes that, but it is off by
default and a manifest cannot rely on it). The default profile blocks the calls most kernel
exploits need; see `seccomp-unconfined`.

This is the *Seccomp* control of the Pod Security Standards **restricted** profile: the pod's
`seccompProfile.type` must be `RuntimeDefault` or `Localhost`, or else every container (init
and ephemeral ones included) must set it itself. The check reads effective values: a container
inherits the pod's profile unless it sets its own. It is reported once per pod, where the pod's
profile belongs. An explicit `Unconfined` is `seccomp-unconfined`'s finding, not this one. The
legacy `seccomp.security.alpha.kubernetes.io` annotations do not count: kubelets ignore them
since Kubernetes 1.25. Windows pods are exempt, as in the standard.

## Differences from Checkov
Checkov's CKV_K8S_31 also fails kustomize patches that delete an object
(`$patch: delete`, as in microservices-demo's `delete-loadgenerator.patch.yaml`), reading them as
Deployments without a pod spec. Such a patch creates nothing, and iaclint does not report it.

## Fix
Set the profile once for the whole pod:
`spec.securityContext.seccompProfile.type: RuntimeDefault`.

## Example
```yaml
# bad
spec:
  containers:
    - name: web
      image: nginx:1.27
# good
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: web
      image: nginx:1.27
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_RESTRICTED, describe, effective, is_fragment, is_windows, pod_annotations
from .seccomp_unconfined import CONTAINER_ANNOTATION, POD_ANNOTATION


@policy(id="IAC-ISO-011", name="seccomp-profile-not-set", severity=Severity.LOW, family="isolation",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_31", "AVD-KSV-0030"), cwe=693,
        precision="high", tags=(PSS_RESTRICTED,))
def seccomp_profile_not_set(resource, options):
    spec = resource.pod_spec()
    containers = resource.containers()
    if spec is None or is_windows(spec, containers):
        return
    missing = [c for c in containers if not is_fragment(c) and _profile_type(c, spec) is None]
    if not missing:
        return
    labels = ", ".join(describe(c) for c in missing)
    verb = "has" if len(missing) == 1 else "have"
    message = (f"{labels} {verb} no seccomp profile (Unconfined unless the node's kubelet defaults to "
               "RuntimeDefault): set the pod's securityContext.seccompProfile.type to RuntimeDefault")
    annotations, _ = pod_annotations(resource)
    if POD_ANNOTATION in annotations or any(k.startswith(CONTAINER_ANNOTATION) for k in annotations):
        message += " (the legacy seccomp annotations are ignored since Kubernetes 1.25)"
    context = spec.node("securityContext")
    if context is not None:
        yield context.finding(message)
    else:
        yield spec.finding(message)


def _profile_type(container, spec):
    """The seccomp profile type the container gets: its own profile, else the pod's."""
    profile = effective(container, spec, "seccompProfile").value
    return profile.get("type") if isinstance(profile, dict) else None
