"""Service of type NodePort opens a port on every node of the cluster.

## Why
A `NodePort` Service opens the same port (30000-32767 by default) on every node, for every
address that can reach a node: other tenants of the network, a load balancer health-check range,
or the internet when nodes have public IPs and the firewall allows the range. Traffic to a node
port is not subject to NetworkPolicies the way pod-to-pod traffic is (the node forwards it), so
it is an easy way around network segmentation, and it makes the node addresses part of the
application's attack surface.

Reported with a low severity: on private nodes behind a restrictive firewall a NodePort is often
harmless, and some ingress set-ups need one.

## Fix
Use a `ClusterIP` Service behind an Ingress or Gateway, or a `LoadBalancer` Service with
`loadBalancerSourceRanges`; if a NodePort is required, restrict the node port range in the
nodes' firewall to the load balancer's addresses.

## Example
```yaml
# bad
spec:
  type: NodePort
  ports:
    - port: 80
      nodePort: 30080
# good
spec:
  type: ClusterIP
  ports:
    - port: 80
```
"""

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-NET-026", name="nodeport-service", severity=Severity.LOW, family="network",
        applies_to=("Service",), cwe=668, precision="very-high")
def nodeport_service(resource, options):
    spec = resource.node("spec")
    if spec is None or spec.get("type") != "NodePort":
        return
    name = resource.get("metadata.name") or resource.name
    fixed = [str(p.get("nodePort")) for p in spec.blocks("ports")
             if isinstance(p.get("nodePort"), int) and not isinstance(p.get("nodePort"), bool)]
    ports = f"port{'s' if len(fixed) > 1 else ''} {', '.join(fixed)}" if fixed else "a port"
    yield spec.finding(f'NodePort Service "{name}" opens {ports} on every node', at="type")
