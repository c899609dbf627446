"""Encryption at rest switched off: one table, one policy per row (EFS, Redshift, ElastiCache,
OpenSearch, DocumentDB, Neptune, DAX).

Every row is "boolean X of resource Y must be true". A missing switch is reported only where the
provider's default is unencrypted; resources that inherit their encryption (restored from a
snapshot, replicas, secondaries of a global cluster) are not judged.
"""

from __future__ import annotations

from iaclint.model import Severity

from ._flags import Flag, register

FALSE_DEFAULT = "defaults to false"


def _redis_default(resource):
    # at_rest_encryption_enabled defaults to false for Redis OSS and to true for Valkey.
    engine = resource.get("engine")
    if engine is None or str(engine).lower() == "redis":
        return "defaults to false for Redis OSS"
    return None


FLAGS = [
    Flag(
        id="IAC-ENC-008", name="efs-unencrypted", severity=Severity.HIGH,
        applies_to=("aws_efs_file_system",), paths=("encrypted",),
        subject="EFS file system", problem="is not encrypted at rest",
        missing=lambda r: FALSE_DEFAULT,
        equivalents=("CKV_AWS_42", "AVD-AWS-0037"),
        doc='''EFS file system created without encryption at rest.

## Why
An unencrypted EFS file system keeps every file, and every AWS Backup recovery point of it, in
clear on AWS storage; with KMS encryption, reading the data also needs the key, and the key
policy and CloudTrail's KMS events become a second gate and an audit trail. `encrypted` defaults
to `false` through the API and Terraform (only the console ticks it for you), and it can only be
chosen when the file system is created.

## Fix
Set `encrypted = true` (and `kms_key_id` for a customer managed key). An existing file system
must be recreated and its data copied (AWS DataSync, or a restore from AWS Backup into a new
encrypted file system).

## Example
```hcl
# bad
resource "aws_efs_file_system" "shared" {
  creation_token = "shared"
}

# good
resource "aws_efs_file_system" "shared" {
  creation_token = "shared"
  encrypted      = true
  kms_key_id     = aws_kms_key.efs.arn
}
```
'''),
    Flag(
        id="IAC-ENC-009", name="redshift-unencrypted", severity=Severity.HIGH,
        applies_to=("aws_redshift_cluster",), paths=("encrypted",),
        subject="Redshift cluster", problem="is not encrypted at rest",
        inherited_from=("snapshot_identifier", "snapshot_arn"),
        equivalents=("CKV_AWS_64",),
        doc='''Redshift cluster created with encryption at rest turned off (encrypted = false).

## Why
An unencrypted Redshift cluster keeps its data blocks, system metadata and every snapshot in
clear; snapshots are the usual way warehouse data leaves an account (shared with another
account, copied to another region). With KMS encryption the key policy is a second gate.

Only an explicit `encrypted = false` is reported: Amazon Redshift encrypts new provisioned
clusters by default since January 2025, and AWS provider 6.0 changed the argument's default from
`false` to `true`. A cluster restored from a snapshot (`snapshot_identifier`, `snapshot_arn`)
takes the snapshot's encryption and is not judged.

## Fix
Remove `encrypted = false` or set `encrypted = true` (with `kms_key_id` for a customer managed
key). Redshift can encrypt an existing cluster in place; it migrates the data, so plan for the
time it takes.

## Example
```hcl
# bad
resource "aws_redshift_cluster" "dwh" {
  cluster_identifier = "dwh"
  node_type          = "ra3.xlplus"
  encrypted          = false
}

# good
resource "aws_redshift_cluster" "dwh" {
  cluster_identifier = "dwh"
  node_type          = "ra3.xlplus"
  encrypted          = true
  kms_key_id         = aws_kms_key.redshift.arn
}
```
'''),
    Flag(
        id="IAC-ENC-010", name="elasticache-at-rest-unencrypted", severity=Severity.MEDIUM,
        applies_to=("aws_elasticache_replication_group",), paths=("at_rest_encryption_enabled",),
        subject="ElastiCache replication group", problem="is not encrypted at rest",
        missing=_redis_default, inherited_from=("global_replication_group_id",),
        equivalents=("CKV_AWS_29", "AVD-AWS-0045"),
        doc='''ElastiCache replication group without encryption at rest (Redis OSS default).

## Why
Without at-rest encryption, what ElastiCache writes to disk (data synced to replicas, swap, and
the backups it exports to S3) is in clear. Cached data is often session tokens, personal data and
query results copied from encrypted databases. The setting can only be chosen at creation: turning
it on later means a backup, a new replication group and a restore.

`at_rest_encryption_enabled` defaults to `false` for the `redis` engine (the provider's default
engine) and to `true` for `valkey`, so a missing argument is reported only for Redis OSS. A
secondary cluster of a global datastore (`global_replication_group_id`) takes the setting of the
global datastore and is not judged. Serverless caches (`aws_elasticache_serverless_cache`) are
always encrypted.

## Fix
Set `at_rest_encryption_enabled = true` (and `kms_key_id` for a customer managed key) when
creating the replication group.

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
  at_rest_encryption_enabled = true
}
```
'''),
    Flag(
        id="IAC-ENC-011", name="opensearch-unencrypted", severity=Severity.HIGH,
        applies_to=("aws_opensearch_domain", "aws_elasticsearch_domain"),
        paths=("encrypt_at_rest.enabled",),
        subject="OpenSearch domain", problem="is not encrypted at rest",
        missing=lambda r: FALSE_DEFAULT,
        equivalents=("CKV_AWS_5", "AVD-AWS-0048"),
        doc='''OpenSearch or Elasticsearch domain without encryption at rest.

## Why
Search domains hold copies of the data they index (logs, documents, customer records), often
more of it than any single source. Without encryption at rest the indices, swap files and
automated snapshots are stored in clear. When the `encrypt_at_rest` block is missing, encryption
is off (the provider's documented default).

Encryption needs OpenSearch, or Elasticsearch 5.1 or later, and an instance type that supports it
(not the old `t2` types): when the finding cannot be fixed in place, it is the instance type or
version that must change.

## Fix
Add `encrypt_at_rest { enabled = true }` (with `kms_key_id` for a customer managed key).
OpenSearch and Elasticsearch 6.7+ can enable it on an existing domain; older versions recreate
the domain.

## Example
```hcl
# bad
resource "aws_opensearch_domain" "logs" {
  domain_name    = "logs"
  engine_version = "OpenSearch_2.13"
}

# good
resource "aws_opensearch_domain" "logs" {
  domain_name    = "logs"
  engine_version = "OpenSearch_2.13"
  encrypt_at_rest {
    enabled = true
  }
}
```
'''),
    Flag(
        id="IAC-ENC-012", name="docdb-unencrypted", severity=Severity.HIGH,
        applies_to=("aws_docdb_cluster",), paths=("storage_encrypted",),
        subject="DocumentDB cluster", problem="is not encrypted at rest",
        missing=lambda r: FALSE_DEFAULT,
        inherited_from=("snapshot_identifier", "global_cluster_identifier",
                        "restore_to_point_in_time"),
        equivalents=("CKV_AWS_74", "AVD-AWS-0021"),
        doc='''DocumentDB cluster without storage encryption.

## Why
An unencrypted DocumentDB cluster keeps its storage, automated backups, snapshots and replicas in
clear; a snapshot shared or copied out exposes every document. `storage_encrypted` defaults to
`false` and can only be chosen when the cluster is created.

Not reported, because the value is inherited: clusters restored from a snapshot
(`snapshot_identifier`) or to a point in time (`restore_to_point_in_time`), and members of a
global cluster (`global_cluster_identifier`), whose encryption the global cluster decides.

## Fix
Set `storage_encrypted = true` (and `kms_key_id` for a customer managed key). For an existing
cluster, restore an encrypted copy of a snapshot.

## Example
```hcl
# bad
resource "aws_docdb_cluster" "catalog" {
  cluster_identifier = "catalog"
}

# good
resource "aws_docdb_cluster" "catalog" {
  cluster_identifier = "catalog"
  storage_encrypted  = true
}
```
'''),
    Flag(
        id="IAC-ENC-013", name="neptune-unencrypted", severity=Severity.HIGH,
        applies_to=("aws_neptune_cluster",), paths=("storage_encrypted",),
        subject="Neptune cluster", problem="is not encrypted at rest",
        missing=lambda r: FALSE_DEFAULT,
        inherited_from=("snapshot_identifier", "replication_source_identifier",
                        "global_cluster_identifier"),
        equivalents=("CKV_AWS_44", "AVD-AWS-0076"),
        doc='''Neptune cluster without storage encryption.

## Why
An unencrypted Neptune cluster keeps its graph data, backups and snapshots in clear; graph
databases tend to hold exactly the relationships (identities, accounts, fraud links) that are
most sensitive. `storage_encrypted` defaults to `false` and can only be chosen at creation.

Not reported, because the value is inherited: clusters restored from a snapshot
(`snapshot_identifier`), read replicas of another cluster (`replication_source_identifier`) and
members of a global database (`global_cluster_identifier`).

## Fix
Set `storage_encrypted = true` (and `kms_key_arn` for a customer managed key). For an existing
cluster, restore an encrypted copy of a snapshot.

## Example
```hcl
# bad
resource "aws_neptune_cluster" "graph" {
  cluster_identifier = "graph"
}

# good
resource "aws_neptune_cluster" "graph" {
  cluster_identifier = "graph"
  storage_encrypted  = true
}
```
'''),
    Flag(
        id="IAC-ENC-014", name="dax-unencrypted", severity=Severity.MEDIUM,
        applies_to=("aws_dax_cluster",), paths=("server_side_encryption.enabled",),
        subject="DAX cluster", problem="is not encrypted at rest",
        missing=lambda r: FALSE_DEFAULT,
        equivalents=("CKV_AWS_47", "AVD-AWS-0023"),
        doc='''DynamoDB Accelerator (DAX) cluster without encryption at rest.

## Why
A DAX cluster caches items read from DynamoDB tables that are themselves always encrypted; without
`server_side_encryption` the cache, its configuration and its logs on the nodes' disks are in
clear, undoing the table's protection for everything that passes through it. Encryption is off
when the block is missing and can only be chosen when the cluster is created.

## Fix
Add `server_side_encryption { enabled = true }` when creating the cluster (an existing cluster
must be replaced).

## Example
```hcl
# bad
resource "aws_dax_cluster" "cache" {
  cluster_name       = "cache"
  node_type          = "dax.r5.large"
  replication_factor = 3
  iam_role_arn       = aws_iam_role.dax.arn
}

# good
resource "aws_dax_cluster" "cache" {
  cluster_name       = "cache"
  node_type          = "dax.r5.large"
  replication_factor = 3
  iam_role_arn       = aws_iam_role.dax.arn
  server_side_encryption {
    enabled = true
  }
}
```
'''),
]

register(FLAGS, __name__)
