"""Pod mounts a sensitive host path (runtime socket, host root, /etc, /proc, kubelet state...).

## Why
A `hostPath` volume hands the pod a piece of the node's filesystem. Some pieces are the node
itself: the container runtime socket (`docker.sock`, `containerd.sock`, `crio.sock`) lets the
pod start a privileged container of its choosing; `/`, `/etc`, `/root`, `/home`, `/boot` expose
host credentials and boot files; `/proc`, `/sys` and `/dev` reach the kernel and devices;
`/var/lib/kubelet`, `/etc/kubernetes` and `/var/lib/etcd` hold the node's and the cluster's
credentials. Mounting a parent such as `/var` or `/var/lib` exposes the same paths. Any of
them is a path to taking over the node, and usually the cluster.

A runtime socket is recognised by its file name wherever it lives (`/run/k3s/containerd/`,
`/var/snap/docker/`, `/run/podman/podman.sock`); `/var/run` is read as `/run`, which it links to.
The container runtimes' data directories (`/var/lib/docker`, `/var/lib/containerd`) hold every
container's files; log shippers' narrower mounts below them (`/var/lib/docker/containers`) are
not reported. Every other `hostPath` is `host-path-volume`'s finding.

This is the *HostPath Volumes* control of the Pod Security Standards **baseline** profile, for
the host paths that matter most.

## Differences from Checkov
Checkov's CKV_K8S_27 looks for one path, `/var/run/docker.sock`; every path above is reported
here. On kubernetes-goat, Checkov passes mounts of `/run/containerd/containerd.sock`, of `/`
and of `/var/lib/etcd`, `/var/lib/kubelet` and `/etc/kubernetes` that iaclint reports: each of
them gives the pod the node, as the Docker socket does.

## Fix
Do not mount these paths. Use a `configMap`, `secret`, `emptyDir`, `projected` or CSI volume
instead. Node agents that truly need one (log shippers, monitoring, security scanners) belong in
a dedicated namespace with a narrow, `readOnly` mount; suppress the finding there with a reason.

## Example
```yaml
# bad
volumes:
  - name: docker
    hostPath:
      path: /var/run/docker.sock
# good
volumes:
  - name: cache
    emptyDir: {}
```
"""

import posixpath

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE

RUNTIME_SOCKETS = {
    "/run/docker.sock": "the Docker daemon socket",
    "/run/dockershim.sock": "the dockershim socket",
    "/run/cri-dockerd.sock": "the cri-dockerd socket",
    "/run/containerd/containerd.sock": "the containerd socket",
    "/run/containerd": "the containerd state directory (with its socket)",
    "/run/crio/crio.sock": "the CRI-O socket",
    "/run/crio": "the CRI-O state directory (with its socket)",
    "/run": "the host's /run directory (container runtime sockets)",
}
HOST_DIRECTORIES = {
    "/": "the host's root filesystem",
    "/etc": "the host's /etc",
    "/proc": "the host's /proc",
    "/sys": "the host's /sys",
    "/dev": "the host's devices (/dev)",
    "/boot": "the host's /boot",
    "/root": "root's home directory on the host",
    "/home": "the host's home directories",
    "/var/lib/kubelet": "the kubelet's state (pod volumes, credentials)",
    "/etc/kubernetes": "the node's Kubernetes configuration and credentials",
    "/var/lib/etcd": "the etcd data directory (every Secret of the cluster)",
    "/var/lib/kubelet/pki": "the kubelet's client and serving keys",
    "/var/lib/docker": "Docker's data directory (every container's files)",
    "/var/lib/containerd": "containerd's data directory (every container's files)",
}
# Runtime sockets by file name, wherever a distribution puts them.
SOCKET_NAMES = {
    "docker.sock": "the Docker daemon socket",
    "containerd.sock": "the containerd socket",
    "crio.sock": "the CRI-O socket",
    "podman.sock": "the Podman socket",
    "cri-dockerd.sock": "the cri-dockerd socket",
    "dockershim.sock": "the dockershim socket",
}


def _normalise(path: str) -> str:
    path = "/" + posixpath.normpath("/" + path.strip()).lstrip("/")  # normpath keeps a leading "//"
    # /var/run is a symlink to /run on every current distribution.
    if path == "/var/run" or path.startswith("/var/run/"):
        path = path[4:]
    return path


# Everything below these is as sensitive as the directory itself (keys, kubeconfigs, data).
WHOLE_SUBTREE = ("/etc/kubernetes", "/var/lib/etcd", "/root", "/var/lib/kubelet/pki")
SENSITIVE = {**RUNTIME_SOCKETS, **HOST_DIRECTORIES}


def describe_path(path: str) -> str | None:
    norm = _normalise(path)
    if norm in SENSITIVE:
        return SENSITIVE[norm]
    socket = SOCKET_NAMES.get(posixpath.basename(norm))
    if socket is not None:
        return socket
    for top in WHOLE_SUBTREE:
        if norm.startswith(top + "/"):
            return f"part of {SENSITIVE[top]}"
    # Mounting a parent directory (/var, /var/lib) exposes the sensitive paths below it.
    below = sorted(p for p in SENSITIVE if p.startswith(norm.rstrip("/") + "/"))
    below = [p for p in below if not any(p.startswith(q + "/") for q in below)]  # topmost only
    if below:
        shown = below[:4] + (["more"] if len(below) > 4 else [])
        return "it contains " + (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0])
    return None


@policy(id="IAC-ISO-007", name="host-path-sensitive", severity=Severity.CRITICAL, family="isolation",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_27", "AVD-KSV-0006"),
        cwe=668, precision="very-high", tags=(PSS_BASELINE,))
def host_path_sensitive(resource, options):
    spec = resource.pod_spec()
    if spec is None:
        return
    for volume in spec.blocks("volumes"):
        host = volume.node("hostPath")
        path = host.get("path") if host is not None else None
        if not isinstance(path, str) or not path.strip():
            continue
        what = describe_path(path)
        if what is not None:
            name = volume.get("name") or "?"
            yield host.finding(f'volume "{name}" mounts hostPath {path.strip()}: {what}', at="path")
