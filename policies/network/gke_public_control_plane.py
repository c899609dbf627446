"""GKE control plane endpoint reachable from any address on the internet.

## Why
The Kubernetes API server is the cluster's control plane: whoever reaches it with a token, a
leaked kubeconfig or an exploit for the API server can take the whole cluster. A GKE cluster's
endpoint is public unless `private_cluster_config.enable_private_endpoint = true`, and without
`master_authorized_networks_config` it accepts connections from every address on the internet,
leaving authentication as the only barrier.

Reported: a public endpoint without `master_authorized_networks_config`, or whose
`cidr_blocks` include `0.0.0.0/0`. An authorized-networks block without any CIDR is
restrictive (only Google-internal and, when `gcp_public_cidrs_access_enabled` is set, Google
Cloud addresses) and is not reported.

## Fix
List the networks that need the API (offices, CI runners, a VPN) in
`master_authorized_networks_config`, or make the endpoint private
(`enable_private_endpoint = true`) and reach it from inside the VPC.

## Example
```hcl
# bad
resource "google_container_cluster" "main" {
  name = "main"
}

# good
resource "google_container_cluster" "main" {
  name = "main"
  master_authorized_networks_config {
    cidr_blocks {
      cidr_block   = "203.0.113.0/24"
      display_name = "office"
    }
  }
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool, world_cidrs


@policy(id="IAC-NET-024", name="gke-public-control-plane", severity=Severity.MEDIUM, family="network",
        applies_to=("google_container_cluster",),
        equivalents=("CKV_GCP_18", "CKV_GCP_20", "AVD-GCP-0053", "AVD-GCP-0061"), cwe=284,
        precision="high")
def gke_public_control_plane(resource, options):
    for config in resource.blocks("private_cluster_config"):
        if as_bool(config.get("enable_private_endpoint")) is True:
            return
    networks = resource.blocks("master_authorized_networks_config")
    if not networks:
        yield resource.finding("the GKE control plane endpoint is public and accepts any address "
                               "(no master_authorized_networks_config)")
        return
    for block in networks[0].blocks("cidr_blocks"):
        world = world_cidrs(block.get("cidr_block"))
        if world:
            yield block.finding(f"the GKE control plane's authorized networks include {world[0]}",
                                at="cidr_block")
