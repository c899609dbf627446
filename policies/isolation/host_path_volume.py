"""Pod mounts a directory or file of the node (hostPath volume).

## Why
A `hostPath` volume ties the pod to the node's file system: what it can write, the node and
every later pod on it can read, and what it can read may belong to other tenants (logs of other
pods, caches, keys dropped by agents). A writable `hostPath` also defeats volume quotas and lets
a compromised container plant files the node executes or trusts. The node's most sensitive paths
(runtime sockets, `/`, `/etc`, `/proc`, the kubelet's and etcd's state) are reported, with a
higher severity, by `host-path-sensitive`; this policy reports every other `hostPath`.

This is the *HostPath Volumes* control of the Pod Security Standards **baseline** profile,
which forbids `hostPath` volumes altogether.

## Fix
Use an `emptyDir` for scratch space, a `configMap`/`secret`/`projected` volume for
configuration, or a PersistentVolumeClaim for data. Node agents that truly need a host
directory (log shippers, CSI drivers) belong in a dedicated namespace: mount the narrowest path,
`readOnly: true`, and suppress the finding there with a reason.

## Example
```yaml
# bad
volumes:
  - name: cache
    hostPath:
      path: /data/cache
# good
volumes:
  - name: cache
    emptyDir: {}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE
from .host_path_sensitive import describe_path


@policy(id="IAC-ISO-017", name="host-path-volume", severity=Severity.MEDIUM, family="isolation",
        applies_to=("k8s:workload",), equivalents=("AVD-KSV-0023",), cwe=668, precision="very-high",
        tags=(PSS_BASELINE,))
def host_path_volume(resource, options):
    spec = resource.pod_spec()
    if spec is None:
        return
    mounts = _mounts_by_volume(resource.containers())
    for volume in spec.blocks("volumes"):
        host = volume.node("hostPath")
        if host is None:
            continue
        path = host.get("path")
        if not isinstance(path, str) or not path.strip():
            continue
        if describe_path(path) is not None:
            continue  # host-path-sensitive (IAC-ISO-007) reports it
        name = volume.get("name")
        name = name if isinstance(name, str) else None  # a name that is no string names nothing
        used = mounts.get(name, []) if name is not None else []
        if used and all(used):
            how = "read-only"
        elif used:
            how = "writable"
        else:
            how = "not mounted by any container"
        yield host.finding(f'volume "{name or "?"}" mounts hostPath {path.strip()} from the node '
                           f"({how})", at="path")


def _mounts_by_volume(containers):
    """Volume name -> readOnly flag of each mount of it."""
    mounts: dict[str, list[bool]] = {}
    for container in containers:
        for mount in container.blocks("volumeMounts"):
            name = mount.get("name")
            if isinstance(name, str):
                mounts.setdefault(name, []).append(mount.get("readOnly") is True)
    return mounts
