"""Pod or container turns seccomp off (seccompProfile type Unconfined).

## Why
Seccomp filters the system calls a container may make. The runtime's default profile blocks
the ones containers have no business with and that kernel exploits favour (`unshare` of user
namespaces, `keyctl`, `bpf`, `ptrace` on older kernels, `mount`, kernel module loading).
`Unconfined` removes the filter, so every kernel bug reachable through those calls is one step
from a container escape (CVE-2022-0185 through `fsconfig`, CVE-2022-0492 through `unshare`).

This is the *Seccomp* control of the Pod Security Standards **baseline** profile: a profile
written at the pod or at any container (init and ephemeral ones included) must be
`RuntimeDefault` or `Localhost`. A pod-level `Unconfined` is reported even when every
container overrides it, because admission rejects the pod all the same. The legacy annotations
`seccomp.security.alpha.kubernetes.io/pod` and
`container.seccomp.security.alpha.kubernetes.io/<name>` are reported when they say anything but
`runtime/default`, `docker/default` or `localhost/...`: clusters before 1.25 honour them.
Not setting a profile at all is the restricted profile's concern (`seccomp-profile-not-set`).

## Fix
Use `RuntimeDefault`, or a `Localhost` profile that allows the extra calls the workload needs
(the Security Profiles Operator can record one), instead of switching seccomp off.

## Example
```yaml
# bad
securityContext:
  seccompProfile:
    type: Unconfined
# good
securityContext:
  seccompProfile:
    type: RuntimeDefault
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE, describe, explicit_settings, pod_annotations

ALLOWED = ("RuntimeDefault", "Localhost")
POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"


def allowed_annotation(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


@policy(id="IAC-ISO-010", name="seccomp-unconfined", severity=Severity.MEDIUM, family="isolation",
        applies_to=("k8s:workload",), equivalents=("AVD-KSV-0104",), cwe=693,
        precision="very-high", tags=(PSS_BASELINE,))
def seccomp_unconfined(resource, options):
    spec = resource.pod_spec()
    containers = resource.containers()
    for setting in explicit_settings(spec, containers, "seccompProfile.type"):
        if setting.value in ALLOWED:
            continue
        if setting.container is None:
            own = {id(c) for c in containers if c.get("securityContext.seccompProfile.type") is not None}
            heirs = [describe(c) for c in containers if id(c) not in own]
            reach = (f"it applies to {', '.join(heirs)}" if heirs else
                     "every container overrides it, but Pod Security admission rejects the pod anyway")
            yield resource.finding(f"the pod's seccompProfile.type is {setting.value}: {reach}",
                                   at=setting.path)
        else:
            yield resource.finding(f"{setting.owner} sets seccompProfile.type: {setting.value} "
                                   "(no system call filter)", at=setting.path)
    annotations, path = pod_annotations(resource)
    value = annotations.get(POD_ANNOTATION)
    if isinstance(value, str) and not allowed_annotation(value):
        yield resource.finding(f"legacy annotation {POD_ANNOTATION}: {value} switches seccomp off "
                               "for the pod (clusters before 1.25)", at=path + (POD_ANNOTATION,))
    for container in containers:
        name = container.get("name")
        key = CONTAINER_ANNOTATION + name if isinstance(name, str) else None
        value = annotations.get(key) if key else None
        if isinstance(value, str) and not allowed_annotation(value):
            yield resource.finding(f"legacy annotation {key}: {value} switches seccomp off for "
                                   f"{describe(container)} (clusters before 1.25)", at=path + (key,))
