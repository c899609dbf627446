"""Container's root filesystem is writable (readOnlyRootFilesystem is not true).

## Why
With a writable root filesystem, an attacker who gets code execution in the container can
replace the application's binaries and libraries, drop tools and persistence (a web shell, a
cron entry, a modified `ld.so.preload`) and keep them for the life of the container. A
read-only root makes every change go to a volume you chose to mount, where it is visible and
limited, and leaves the image as it was built.

Not part of the Pod Security Standards (it is in the CIS Kubernetes benchmark and most
hardening guides). The field has no pod-level default, so every container (init and ephemeral
ones included) is checked on its own. Windows containers are skipped: the field is not
supported there.

## Fix
Set `readOnlyRootFilesystem: true` and mount an `emptyDir` wherever the process must write
(`/tmp`, caches, PID files).

## Example
```yaml
# bad
containers:
  - name: web
    image: nginx:1.27
# good
containers:
  - name: web
    image: nginx:1.27
    securityContext:
      readOnlyRootFilesystem: true
    volumeMounts:
      - {name: tmp, mountPath: /tmp}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import describe, is_fragment, is_windows


@policy(id="IAC-ISO-019", name="writable-root-filesystem", severity=Severity.LOW, family="isolation",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_22", "AVD-KSV-0014"), cwe=732,
        precision="high")
def writable_root_filesystem(resource, options):
    spec = resource.pod_spec()
    containers = resource.containers()
    if is_windows(spec, containers):
        return
    for container in containers:
        value = container.get("securityContext.readOnlyRootFilesystem")
        if value is False:
            yield container.finding(f"{describe(container)} sets readOnlyRootFilesystem: false",
                                    at="securityContext.readOnlyRootFilesystem")
        elif value is None and not is_fragment(container):
            yield container.finding(f"{describe(container)} has a writable root filesystem "
                                    "(readOnlyRootFilesystem is not set)")
