"""Container adds Linux capabilities beyond the Pod Security Standards baseline.

## Why
Capabilities split root's power into pieces; the runtime's default set is already generous, and
the Pod Security Standards *baseline* profile allows adding only a few more harmless ones.
Anything else widens what a compromised container can do to the node: `SYS_ADMIN` is nearly
root on the host, `NET_ADMIN` rewrites the node's network, `SYS_PTRACE` reads other processes'
memory, `SYS_MODULE` loads kernel modules, `NET_RAW` forges packets (ARP and DNS spoofing
inside the cluster network), and `ALL` grants every one of them.

This is the *Capabilities* control of the Pod Security Standards **baseline** profile, checked on
every container, init and ephemeral ones included. The restricted profile's stricter rule (drop
`ALL`, add back only `NET_BIND_SERVICE`) is `capabilities-not-dropped`.

## Fix
Remove the capability, or grant a narrower one. Start from `drop: [ALL]` and add back only
what the process needs, for example `NET_BIND_SERVICE` to listen below port 1024.

## Example
```yaml
# bad
securityContext:
  capabilities:
    add: [SYS_ADMIN, NET_RAW]
# good
securityContext:
  capabilities:
    drop: [ALL]
    add: [NET_BIND_SERVICE]
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE, container_capabilities, describe

# What the Pod Security Standards baseline profile lets a container add.
BASELINE = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})
WHY = {
    "SYS_ADMIN": "close to root on the node",
    "NET_ADMIN": "reconfigures networking",
    "SYS_PTRACE": "can trace other processes",
    "SYS_MODULE": "can load kernel modules",
    "NET_RAW": "can forge packets",
    "SYS_RAWIO": "raw access to devices and memory",
    "DAC_READ_SEARCH": "bypasses file read permission checks",
    "BPF": "can load eBPF programs",
    "PERFMON": "can observe kernel performance events",
    "SYS_TIME": "can change the node's clock",
}


@policy(id="IAC-ISO-008", name="added-capabilities", severity=Severity.HIGH, family="isolation",
        applies_to=("k8s:workload",),
        equivalents=("CKV_K8S_25", "CKV_K8S_39", "AVD-KSV-0022", "AVD-KSV-0005"), cwe=250,
        precision="very-high", tags=(PSS_BASELINE,))
def added_capabilities(resource, options):
    for container in resource.containers():
        for cap, path in container_capabilities(container, "add"):
            if cap in BASELINE:
                continue
            why = WHY.get(cap)
            what = "ALL capabilities" if cap == "ALL" else f"capability {cap}"
            yield resource.finding(f"{describe(container)} adds {what}"
                                   + (f" ({why})" if why else ""), at=path)
