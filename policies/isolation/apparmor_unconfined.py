"""Pod or container turns AppArmor off (Unconfined profile or annotation "unconfined").

## Why
On nodes with AppArmor (Ubuntu, Debian, COS, Bottlerocket), the runtime confines every
container with its default profile, which denies writes to `/proc` and `/sys` files that
reconfigure the kernel, mounting filesystems and tracing other processes. An `unconfined`
container loses that layer: several container escapes that the default profile stops (writing
`/proc/sys/kernel/core_pattern`, `release_agent` in cgroup v1) work again.

This is the *AppArmor* control of the Pod Security Standards **baseline** profile. Both ways
of asking are checked: the `appArmorProfile.type` field (Kubernetes 1.30+), at the pod and at
every container (init and ephemeral ones included), must be `RuntimeDefault` or `Localhost`;
the older `container.apparmor.security.beta.kubernetes.io/<container>` annotation, still
honoured and still checked by admission, must be `runtime/default` or `localhost/<profile>`.

## Fix
Remove the override to get the runtime's default profile, or write a `Localhost` profile that
allows exactly what the workload needs.

## Example
```yaml
# bad
metadata:
  annotations:
    container.apparmor.security.beta.kubernetes.io/web: unconfined
# good
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE, explicit_settings, pod_annotations

ALLOWED = ("RuntimeDefault", "Localhost")
ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


@policy(id="IAC-ISO-012", name="apparmor-unconfined", severity=Severity.MEDIUM, family="isolation",
        applies_to=("k8s:workload",), equivalents=("AVD-KSV-0002",), cwe=693, precision="very-high",
        tags=(PSS_BASELINE,))
def apparmor_unconfined(resource, options):
    spec = resource.pod_spec()
    for setting in explicit_settings(spec, resource.containers(), "appArmorProfile.type"):
        if setting.value not in ALLOWED:
            yield resource.finding(f"{setting.owner} sets appArmorProfile.type: {setting.value} "
                                   "(no AppArmor confinement)", at=setting.path)
    annotations, path = pod_annotations(resource)
    for key, value in annotations.items():
        if not isinstance(key, str) or not key.startswith(ANNOTATION) or not isinstance(value, str):
            continue
        if value and value != "runtime/default" and not value.startswith("localhost/"):
            container = key[len(ANNOTATION):]
            yield resource.finding(f'annotation {key}: {value} runs container "{container}" without '
                                   "AppArmor confinement", at=path + (key,))
