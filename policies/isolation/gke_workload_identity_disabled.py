"""GKE cluster without Workload Identity: pods can take the node's Google credentials.

## Why
Without Workload Identity, every pod can call the Compute Engine metadata server of its node
(`169.254.169.254`) and receive an access token for the node's service account, plus the
instance attributes (on old node versions, `kube-env` with the kubelet's bootstrap credentials).
Any pod an attacker gets into then acts on Google Cloud with the node's identity, often the
Compute Engine default service account with broad project roles, and all pods on a node share
one identity. With Workload Identity, node pools run the GKE metadata server, which hides the
node's credentials and gives each Kubernetes service account only the Google identity bound to
it.

Reported: a `google_container_cluster` without a `workload_identity_config` block with a
`workload_pool`. Autopilot clusters always have Workload Identity and are not reported. Node
pools that opt out explicitly in a cluster that has it are `gke-node-metadata-exposed`'s
findings.

## Differences from Checkov
Checkov has no Workload Identity check; its CKV_GCP_69 ("GKE metadata server enabled") fails a
cluster without it, since the GKE metadata server needs Workload Identity, and is listed here
for that. Checkov also fails each of such a cluster's node pools (reported once here, on the
cluster), and clusters that do run the GKE metadata server without writing `GKE_METADATA` in
`node_config`: clusters with Workload Identity, where it is the default, and Autopilot clusters,
which always have it (microservices-demo's `my_cluster`). Those are false positives.

## Fix
Add `workload_identity_config { workload_pool = "<project>.svc.id.goog" }`; node pools created
afterwards use the GKE metadata server (existing ones need
`workload_metadata_config { mode = "GKE_METADATA" }`), and give pods that call Google APIs their
own Kubernetes service account bound to a narrow Google service account.

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
  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._gke import is_autopilot


@policy(id="IAC-ISO-026", name="gke-workload-identity-disabled", severity=Severity.MEDIUM,
        family="isolation", applies_to=("google_container_cluster",), equivalents=("CKV_GCP_69",), cwe=522,
        precision="high")
def gke_workload_identity_disabled(resource, options):
    if is_autopilot(resource):
        return
    blocks = resource.blocks("workload_identity_config")
    if not blocks:
        yield resource.finding("Workload Identity is off (no workload_identity_config): every pod can "
                               "get the node service account's token from the metadata server")
        return
    config = blocks[0]
    pool = config.get("workload_pool")
    if pool is None:
        pool = config.get("identity_namespace")  # google provider before 4.0
    if pool is None or pool == "":
        yield config.finding("workload_identity_config has no workload_pool: Workload Identity is off "
                             "and every pod can get the node service account's token")
