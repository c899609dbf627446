"""GKE cluster nodes get public IP addresses (not a private cluster).

## Why
Unless `private_cluster_config.enable_private_nodes = true`, every GKE node gets an external IP
address. The nodes run the kubelet, every pod's containers, and whatever `hostPort` or
`NodePort` a workload opens; with public addresses, one permissive firewall rule (or a default
network's `allow-ssh` rule) exposes them all to the internet. Private nodes reach the internet
through Cloud NAT and are reachable only from inside the VPC.

## Fix
Create the cluster with private nodes (`private_cluster_config { enable_private_nodes = true }`
and a `master_ipv4_cidr_block` for standard clusters), and give it a Cloud NAT for outbound
traffic. Private nodes cannot be switched on in place on older clusters: plan a migration.

## Example
```hcl
# bad
resource "google_container_cluster" "main" {
  name     = "main"
  location = "europe-west1"
}

# good
resource "google_container_cluster" "main" {
  name     = "main"
  location = "europe-west1"
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool


@policy(id="IAC-NET-023", name="gke-public-nodes", severity=Severity.MEDIUM, family="network",
        applies_to=("google_container_cluster",),
        equivalents=("CKV_GCP_25", "CKV_GCP_64", "AVD-GCP-0059"), cwe=668, precision="high")
def gke_public_nodes(resource, options):
    configs = resource.blocks("private_cluster_config")
    if not configs:
        yield resource.finding("the cluster's nodes get public IP addresses (no private_cluster_config)")
        return
    config = configs[0]
    value = as_bool(config.get("enable_private_nodes"))
    if value is True:
        return
    if "enable_private_nodes" in config:
        yield config.finding("enable_private_nodes = false: the cluster's nodes get public IP addresses",
                             at="enable_private_nodes")
    else:
        yield config.finding("the cluster's nodes get public IP addresses (private_cluster_config does "
                             "not set enable_private_nodes)", at=config)
