"""Managed Kubernetes cluster without network policy enforcement (GKE, AKS).

## Why
Kubernetes NetworkPolicy objects only work when the cluster runs something that enforces them.
Without it, every pod can connect to every other pod in every namespace, NetworkPolicies that
are applied are silently ignored, and one compromised pod can reach every database, cache and
internal API of the cluster.

GKE enforces them with `network_policy { enabled = true }` (Calico), with Dataplane V2
(`datapath_provider = "ADVANCED_DATAPATH"`), and always on Autopilot clusters. AKS enforces them
when `network_profile.network_policy` is `azure`, `calico` or `cilium`, or with the Cilium data
plane (`network_data_plane = "cilium"`).

## Fix
GKE: create clusters with Dataplane V2 (`datapath_provider = "ADVANCED_DATAPATH"`) or enable
`network_policy` (and the `network_policy_config` add-on). AKS: set
`network_profile { network_policy = "azure" }` (or `calico`, or the Cilium data plane). Then
ship a default-deny NetworkPolicy in every namespace.

## Example
```hcl
# bad
resource "google_container_cluster" "main" {
  name = "main"
}

# good
resource "google_container_cluster" "main" {
  name              = "main"
  datapath_provider = "ADVANCED_DATAPATH"
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool, as_text

AKS_POLICIES = ("azure", "calico", "cilium")


@policy(id="IAC-NET-025", name="cluster-network-policy-disabled", severity=Severity.MEDIUM,
        family="network", applies_to=("google_container_cluster", "azurerm_kubernetes_cluster"),
        equivalents=("CKV_GCP_12", "CKV_AZURE_7", "AVD-GCP-0056", "AVD-AZU-0043"), cwe=284,
        precision="high")
def cluster_network_policy_disabled(resource, options):
    if resource.type == "azurerm_kubernetes_cluster":
        yield from _aks(resource)
    else:
        yield from _gke(resource)


def _gke(cluster):
    if as_bool(cluster.get("enable_autopilot")) is True:
        return
    if as_text(cluster.get("datapath_provider")) == "advanced_datapath":
        return
    policies = cluster.blocks("network_policy")
    if policies and as_bool(policies[0].get("enabled")) is True:
        return
    if policies and "enabled" in policies[0]:
        yield policies[0].finding("network_policy.enabled = false and no Dataplane V2: NetworkPolicies "
                                  "are not enforced, every pod can reach every pod", at="enabled")
        return
    yield cluster.finding("no network policy enforcement (network_policy, Dataplane V2 or Autopilot): "
                          "NetworkPolicies are not enforced, every pod can reach every pod",
                          at=policies[0] if policies else None)


def _aks(cluster):
    profiles = cluster.blocks("network_profile")
    if profiles:
        profile = profiles[0]
        if as_text(profile.get("network_data_plane")) == "cilium":
            return
        value = profile.get("network_policy")
        if as_text(value) in AKS_POLICIES:
            return
        if value is not None:
            yield profile.finding(f'network_policy = "{value}" is not a network policy engine: '
                                  "NetworkPolicies are not enforced", at="network_policy")
            return
    yield cluster.finding("no network_profile.network_policy: NetworkPolicies are not enforced, every "
                          "pod can reach every pod", at=profiles[0] if profiles else None)
