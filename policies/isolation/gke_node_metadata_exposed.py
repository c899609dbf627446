"""GKE node pool exposes the node's metadata server to pods (GCE_METADATA / EXPOSE).

## Why
`workload_metadata_config { mode = "GCE_METADATA" }` (or the older
`node_metadata = "EXPOSE"`) turns the GKE metadata server off for a node pool: its pods talk to
the Compute Engine metadata server directly and can take the node service account's token and
the instance attributes, even in a cluster where Workload Identity is on for every other pool.
A compromised pod on that pool acts on Google Cloud with the node's identity.

Reported where the mode is written: in a `google_container_node_pool`, in a cluster's inline
`node_pool` blocks, and in a cluster's own `node_config` (its default pool) unless
`remove_default_node_pool = true`. A pool that does not set the mode follows the cluster: it
gets the GKE metadata server when the cluster has Workload Identity, and a cluster without it is
reported by `gke-workload-identity-disabled`, so a missing mode is not reported here (the usual
false positive of scanners that require the block everywhere). `node_metadata = "SECURE"`
(metadata concealment, deprecated) is not reported.

## Differences from Checkov
Checkov's CKV_GCP_69 fails every cluster and node pool that does not write
`mode = "GKE_METADATA"`. In a cluster with Workload Identity that is a false positive: its pools
run the GKE metadata server by default. In a cluster without it (terragoat's
`workload_cluster` and its `custom_node_pool`) every pool exposes the node's metadata server;
iaclint reports that once, on the cluster, as `gke-workload-identity-disabled` (which lists
CKV_GCP_69 too), not again on each pool, and not on a cluster whose default pool is removed.

## Fix
Set `workload_metadata_config { mode = "GKE_METADATA" }` on the pool (or remove the block in a
Workload Identity cluster), and give workloads that need Google APIs their own identity.

## Example
```hcl
# bad
resource "google_container_node_pool" "batch" {
  cluster = google_container_cluster.main.id
  node_config {
    workload_metadata_config {
      mode = "GCE_METADATA"
    }
  }
}

# good
resource "google_container_node_pool" "batch" {
  cluster = google_container_cluster.main.id
  node_config {
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._gke import node_configs

EXPOSED = (("mode", "GCE_METADATA"), ("node_metadata", "EXPOSE"))


@policy(id="IAC-ISO-027", name="gke-node-metadata-exposed", severity=Severity.MEDIUM, family="isolation",
        applies_to=("google_container_cluster", "google_container_node_pool"),
        equivalents=("CKV_GCP_69", "AVD-GCP-0057"), cwe=522, precision="very-high")
def gke_node_metadata_exposed(resource, options):
    for node_config in node_configs(resource):
        for config in node_config.blocks("workload_metadata_config"):
            for key, bad in EXPOSED:
                if config.get(key) == bad:
                    yield config.finding(f"pods on these nodes reach the node's metadata server and "
                                         f"its service account token ({key} = \"{bad}\")", at=key)
