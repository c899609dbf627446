"""GKE nodes ask for the legacy metadata endpoints (disable-legacy-endpoints = "false").

## Why
The Compute Engine metadata server's legacy `v0.1` and `v1beta1` endpoints answer without the
`Metadata-Flavor: Google` header that the `v1` endpoint requires. That header is what stops a
server-side request forgery or an open proxy in a pod from reading the node's metadata,
including its service account token: with the legacy endpoints on, a plain `GET` is enough.

GKE turns them off by default since 1.12 (the `disable-legacy-endpoints` node metadata key
defaults to `"true"`) and Google has since shut them down on current Compute Engine hosts, so
only an explicit `"false"` is reported: it asks for the unauthenticated endpoints, and it
usually travels with other copied legacy settings worth a look. Low severity for that reason.
Checked in node pools, in a cluster's inline `node_pool` blocks, and in its own `node_config`
unless `remove_default_node_pool = true`.

## Fix
Remove the key from `node_config.metadata`, or set it to `"true"`.

## Example
```hcl
# bad
node_config {
  metadata = {
    disable-legacy-endpoints = "false"
  }
}

# good
node_config {
  metadata = {
    disable-legacy-endpoints = "true"
  }
}
```
"""

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

from ._gke import node_configs, tf_bool

KEY = "disable-legacy-endpoints"


@policy(id="IAC-ISO-028", name="gke-legacy-metadata-endpoints", severity=Severity.LOW,
        family="isolation", applies_to=("google_container_cluster", "google_container_node_pool"),
        equivalents=("AVD-GCP-0048",), cwe=306, precision="very-high")
def gke_legacy_metadata_endpoints(resource, options):
    for node_config in node_configs(resource):
        if isinstance(node_config.get("metadata"), Unknown):
            raise UnknownValue(node_config.get("metadata"))
        metadata = node_config.node("metadata")
        if metadata is None or KEY not in metadata.value:
            continue
        if tf_bool(metadata.value[KEY]) is False:
            yield metadata.finding(f"node metadata {KEY} = \"false\" turns on the legacy metadata "
                                   "endpoints, which answer without the Metadata-Flavor header", at=KEY)
