"""Pod shares the node's network namespace (hostNetwork: true).

## Why
With `hostNetwork: true` the pod's containers use the node's network stack: they can bind any
port on the node's interfaces, reach services that listen only on localhost (the kubelet's
read-only port, node-local daemons, cloud metadata endpoints without hop limits), sniff traffic
with `NET_RAW`, and bypass NetworkPolicies, which select pod addresses, not node addresses.

## Fix
Remove `hostNetwork` (it defaults to `false`) and expose ports through a Service. Node agents
that genuinely need the host network (CNI plugins, kube-proxy) belong in a dedicated,
tightly-controlled namespace; suppress the finding there with a reason.

## Example
```yaml
# bad
spec:
  hostNetwork: true
  containers:
    - name: web
      image: nginx:1.27
# good
spec:
  containers:
    - name: web
      image: nginx:1.27
```
"""

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-NET-004", name="host-network", severity=Severity.HIGH, family="network",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_19", "AVD-KSV-0009"), cwe=668,
        precision="very-high")
def host_network(resource, options):
    spec = resource.pod_spec()
    if spec is not None and spec.get("hostNetwork") is True:
        yield spec.finding("pod shares the node's network namespace (hostNetwork: true)",
                           at="hostNetwork")
