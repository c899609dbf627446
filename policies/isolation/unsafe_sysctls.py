"""Pod sets a sysctl outside the safe set.

## Why
`securityContext.sysctls` changes kernel parameters for the pod. Only a few are both namespaced
(they change the pod's own network or IPC namespace) and isolated (they cannot starve or weaken
other pods); the rest either change the whole node (`kernel.*`, `vm.*`, `fs.*`) or let one pod
weaken shared kernel defences or exhaust shared memory (`kernel.shm*`, `kernel.msg*`,
`net.core.*`). The kubelet refuses them unless an administrator allows them on the node, which
is exactly the exception to review.

This is the *Sysctls* control of the Pod Security Standards **baseline** profile. Safe:
`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.ip_unprivileged_port_start`,
`net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`
(1.27+), `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
`net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes` (1.29+), `net.ipv4.tcp_rmem`,
`net.ipv4.tcp_wmem` (1.32+), `net.ipv4.tcp_slow_start_after_idle` and
`net.ipv4.tcp_notsent_lowat` (1.37+). Sysctls are written with dots or slashes
(`net/ipv4/tcp_syncookies`); both are understood.

## Fix
Remove the sysctl, or set it on the nodes (node tuning, a DaemonSet of the platform team)
rather than from an application's pod.

## Example
```yaml
# bad
securityContext:
  sysctls:
    - name: kernel.msgmax
      value: "65536"
# good
securityContext:
  sysctls:
    - name: net.ipv4.ip_local_port_range
      value: "1024 65535"
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import PSS_BASELINE

SAFE = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",                                           # 1.27
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",                                              # 1.29
    "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",                                     # 1.32
    "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",           # 1.37
})


def canonical(name: str) -> str:
    """``net/ipv4/conf/eth0.100/forwarding`` -> ``net.ipv4.conf.eth0/100.forwarding``: the
    kubelet accepts slashes as separators, with dots in a slashed name standing for slashes."""
    name = name.strip()
    if "/" in name:
        return ".".join(part.replace(".", "/") for part in name.split("/"))
    return name


@policy(id="IAC-ISO-014", name="unsafe-sysctls", severity=Severity.MEDIUM, family="isolation",
        applies_to=("k8s:workload",), equivalents=("AVD-KSV-0026",), cwe=668, precision="very-high",
        tags=(PSS_BASELINE,))
def unsafe_sysctls(resource, options):
    spec = resource.pod_spec()
    if spec is None:
        return
    for sysctl in spec.blocks("securityContext.sysctls"):
        name = sysctl.get("name")
        if not isinstance(name, str) or not name.strip():
            continue
        if canonical(name) not in SAFE:
            yield sysctl.finding(f"pod sets sysctl {name.strip()}, outside the safe set: it can affect "
                                 "the node or other pods", at="name")
