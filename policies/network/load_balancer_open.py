"""LoadBalancer Service reachable from any address on the internet.

## Why
A Service of `type: LoadBalancer` asks the cloud provider for an external load balancer. Unless
`loadBalancerSourceRanges` restricts the client addresses (or the load balancer is internal),
anyone on the internet can connect to the backing pods: admin consoles, databases and internal
APIs end up published by accident.

## Fix
List the client networks in `spec.loadBalancerSourceRanges`, or make the load balancer internal
with your provider's annotation (for example `networking.gke.io/load-balancer-type: Internal`,
`service.beta.kubernetes.io/aws-load-balancer-scheme: internal`,
`service.beta.kubernetes.io/azure-load-balancer-internal: "true"`). A deliberately public
entry point (a website's frontend) is a legitimate exception: suppress it with a reason.

## Example
```yaml
# bad
spec:
  type: LoadBalancer
# good
spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
    - 203.0.113.0/24
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

WORLD = frozenset({"0.0.0.0/0", "::/0", "0::0/0"})
LEGACY_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"

# annotation -> the values (lower case) that make the load balancer internal; None: any value
# except "false" (the AWS in-tree annotation historically took "0.0.0.0/0" or "true").
INTERNAL = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": None,
    "service.beta.kubernetes.io/aws-load-balancer-scheme": {"internal"},
    "networking.gke.io/load-balancer-type": {"internal"},
    "cloud.google.com/load-balancer-type": {"internal"},
    "service.beta.kubernetes.io/azure-load-balancer-internal": {"true"},
    "service.beta.kubernetes.io/oci-load-balancer-internal": {"true"},
    "service.beta.kubernetes.io/openstack-internal-load-balancer": {"true"},
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": {"intranet"},
    "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": {"private"},
}


def _internal(annotations) -> bool:
    if not isinstance(annotations, dict):
        return False
    for key, accepted in INTERNAL.items():
        value = annotations.get(key)
        if value is None or isinstance(value, (dict, list)):
            continue
        text = str(value).strip().lower()
        if (text not in ("", "false")) if accepted is None else (text in accepted):
            return True
    return False


@policy(id="IAC-NET-006", name="load-balancer-open", severity=Severity.MEDIUM, family="network",
        applies_to=("Service",), cwe=284, precision="high")
def load_balancer_open(resource, options):
    spec = resource.node("spec")
    if spec is None or spec.get("type") != "LoadBalancer":
        return
    annotations = resource.get("metadata.annotations")
    if _internal(annotations):
        return
    name = resource.get("metadata.name") or resource.name
    ranges = spec.get("loadBalancerSourceRanges")
    if isinstance(ranges, list) and ranges:
        for i, cidr in enumerate(ranges):
            if isinstance(cidr, str) and cidr.strip() in WORLD:
                yield spec.finding(f'LoadBalancer Service "{name}" allows clients from {cidr.strip()}',
                                   at=("loadBalancerSourceRanges", i))
        return
    legacy = annotations.get(LEGACY_RANGES) if isinstance(annotations, dict) else None
    if isinstance(legacy, str) and legacy.strip():
        cidrs = [c.strip() for c in legacy.split(",")]
        if any(c in WORLD for c in cidrs):
            yield resource.finding(f'LoadBalancer Service "{name}" allows clients from anywhere '
                                   f"({LEGACY_RANGES})", at=("metadata", "annotations", LEGACY_RANGES))
        return
    yield spec.finding(f'LoadBalancer Service "{name}" is reachable from any address '
                       "(no loadBalancerSourceRanges, not internal)", at="type")
