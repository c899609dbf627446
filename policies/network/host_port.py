"""Container port bound to a port of the node (hostPort).

## Why
A `hostPort` opens the port on every node the pod lands on, outside the Service and
NetworkPolicy model: it is reachable from anything that can reach the node, it pins the pod to
nodes where the port is free, and it makes the node's address part of the application's attack
surface.

## Fix
Drop `hostPort` and publish the port with a Service (`ClusterIP`, or `LoadBalancer` /
`NodePort` / an Ingress when it must be reachable from outside the cluster).

## Example
```yaml
# bad
ports:
  - containerPort: 8080
    hostPort: 8080
# good
ports:
  - containerPort: 8080
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from .._k8s import describe


@policy(id="IAC-NET-005", name="host-port", severity=Severity.MEDIUM, family="network",
        applies_to=("k8s:workload",), equivalents=("CKV_K8S_26", "AVD-KSV-0024"), cwe=668,
        precision="very-high")
def host_port(resource, options):
    for container in resource.containers():
        for port in container.blocks("ports"):
            host = port.get("hostPort")
            if isinstance(host, int) and not isinstance(host, bool) and host != 0:
                yield port.finding(f"{describe(container)} binds port {host} on the node (hostPort)",
                                   at="hostPort")
