"""Pod uses a volume type outside the restricted profile's list.

## Why
Volume types other than the core ones bypass the PersistentVolume layer, where an administrator
decides which storage a namespace may reach. An inline `nfs`, `iscsi`, `rbd`, `cephfs` or
`glusterfs` volume connects the node to any server the pod names, with the node's network
position and, for some, credentials the node holds; `awsElasticBlockStore` or
`gcePersistentDisk` attach any disk the node's cloud identity can see; `flexVolume` runs a
driver binary on the node; `gitRepo` runs `git` on the node against a repository the pod
chooses, the path of CVE-2018-11235 and CVE-2024-10220 (code execution as root on the node).

This is the *Volume Types* control of the Pod Security Standards **restricted** profile: only
`configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image` (1.33+),
`persistentVolumeClaim`, `projected` and `secret` are allowed. `hostPath` is reported by
`host-path-volume` and `host-path-sensitive` instead.

## Fix
Reach external storage through a PersistentVolumeClaim (an administrator-made PersistentVolume
or a StorageClass with a CSI driver); replace `gitRepo` with an init container that clones into
an `emptyDir`.

## Example
```yaml
# bad
volumes:
  - name: shared
    nfs:
      server: 10.0.0.5
      path: /exports
# good
volumes:
  - name: shared
    persistentVolumeClaim:
      claimName: shared
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_RESTRICTED

ALLOWED = frozenset({"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                     "persistentVolumeClaim", "projected", "secret"})
NOT_A_TYPE = frozenset({"name"})
ELSEWHERE = frozenset({"hostPath"})  # host-path-volume / host-path-sensitive


@policy(id="IAC-ISO-018", name="restricted-volume-types", severity=Severity.LOW, family="isolation",
        applies_to=("k8s:workload",), equivalents=("AVD-KSV-0028",), cwe=668, precision="very-high",
        tags=(PSS_RESTRICTED,))
def restricted_volume_types(resource, options):
    spec = resource.pod_spec()
    if spec is None:
        return
    for volume in spec.blocks("volumes"):
        name = volume.get("name") or "?"
        for key, value in volume.value.items():
            if key in ALLOWED or key in NOT_A_TYPE or key in ELSEWHERE or value is None:
                continue
            yield volume.finding(f'volume "{name}" uses the {key} volume type, outside the restricted '
                                 "profile's list (reach storage through a PersistentVolumeClaim)", at=key)
