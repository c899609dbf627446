"""AKS cluster API server reachable from any address on the internet.

## Why
The Kubernetes API server is the cluster's control plane: whoever reaches it with a token, a
leaked kubeconfig or an exploit for the API server can take the whole cluster. An AKS cluster
that is not private and has no authorized IP ranges accepts API connections from every address
on the internet, leaving authentication as the only barrier.

Reported: a cluster without `private_cluster_enabled = true` whose
`api_server_access_profile.authorized_ip_ranges` (or the older `api_server_authorized_ip_ranges`)
is unset, empty or contains `0.0.0.0/0`.

## Fix
Make the cluster private (`private_cluster_enabled = true`) and reach the API through the
virtual network, or list the networks that need the API (offices, CI runners, a VPN) in
`api_server_access_profile.authorized_ip_ranges`.

## Example
```hcl
# bad
resource "azurerm_kubernetes_cluster" "main" {
  name = "main"
}

# good
resource "azurerm_kubernetes_cluster" "main" {
  name = "main"
  api_server_access_profile {
    authorized_ip_ranges = ["203.0.113.0/24"]
  }
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool, items, world_cidrs


@policy(id="IAC-NET-019", name="aks-public-api", severity=Severity.MEDIUM, family="network",
        applies_to=("azurerm_kubernetes_cluster",), equivalents=("CKV_AZURE_6", "AVD-AZU-0041"),
        cwe=284, precision="high")
def aks_public_api(resource, options):
    if as_bool(resource.get("private_cluster_enabled")) is True:
        return
    profiles = resource.blocks("api_server_access_profile")
    candidates = [(p, "authorized_ip_ranges") for p in profiles]
    candidates.append((resource, "api_server_authorized_ip_ranges"))  # provider 3.38 and older
    for node, key in candidates:
        ranges = node.get(key)
        if ranges is None or not items(ranges):
            continue
        world = world_cidrs(ranges)
        if world:
            yield node.finding("the AKS API server is public and its authorized IP ranges include "
                               f"{world[0]}", at=key)
        return
    yield resource.finding("the AKS API server is public and accepts any address (no authorized IP "
                           "ranges, not a private cluster)", at=profiles[0] if profiles else None)
