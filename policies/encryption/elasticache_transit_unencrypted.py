"""ElastiCache replication group accepts unencrypted connections (in-transit encryption off or
"preferred").

## Why
Without in-transit encryption, every command and every cached value (session tokens, personal
data, query results copied from encrypted databases), and the `AUTH` token itself, crosses the
VPC in clear between clients and nodes and between primary and replicas, where anything that can
capture packets in the subnets reads it. `transit_encryption_enabled` defaults to `false`.
`transit_encryption_mode = "preferred"`, the migration step between
the two, accepts both encrypted and unencrypted connections and is reported too.

A secondary cluster of a global datastore (`global_replication_group_id`) takes the global
datastore's settings and is not judged.

## Fix
Set `transit_encryption_enabled = true` and, once every client connects with TLS,
`transit_encryption_mode = "required"` (the default when encryption is enabled at creation).
Engine 7.0.5 and later can switch an existing group in place through `preferred`; older engines
need a new replication group.

## Example
```hcl
# bad
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id = "sessions"
  description          = "sessions"
  node_type            = "cache.r7g.large"
}

# good
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "sessions"
  node_type                  = "cache.r7g.large"
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl, is_true


@policy(id="IAC-ENC-029", name="elasticache-transit-unencrypted", severity=Severity.MEDIUM,
        family="encryption", applies_to=("aws_elasticache_replication_group",),
        equivalents=("CKV_AWS_30", "AVD-AWS-0051"), cwe=319, precision="high")
def elasticache_transit_unencrypted(resource, options):
    if resource.get("global_replication_group_id") is not None:
        return
    enabled = resource.get("transit_encryption_enabled")
    if enabled is None:
        yield resource.finding("ElastiCache replication group accepts unencrypted connections: "
                               "transit_encryption_enabled is not set and defaults to false")
        return
    if not is_true(enabled):
        yield resource.finding("ElastiCache replication group accepts unencrypted connections "
                               f"(transit_encryption_enabled = {hcl(enabled)})",
                               at="transit_encryption_enabled")
        return
    mode = resource.get("transit_encryption_mode")
    if mode is not None and str(mode).strip().lower() == "preferred":
        yield resource.finding("ElastiCache replication group still accepts unencrypted connections "
                               '(transit_encryption_mode = "preferred")', at="transit_encryption_mode")
