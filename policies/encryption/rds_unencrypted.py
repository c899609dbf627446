"""RDS instance or Aurora/RDS cluster without storage encryption.

## Why
An unencrypted database keeps its storage, automated backups, read replicas and snapshots in
clear. A snapshot shared with the wrong account, or copied out by someone with snapshot rights,
exposes every row; with KMS encryption the key policy is a second gate. Encryption can only be
chosen when the database is created: turning it on later means a snapshot, an encrypted copy and
a restore, with downtime. `storage_encrypted` defaults to `false`.

Not reported, because the value is inherited: an instance that is a read replica
(`replicate_source_db`) or is restored from a snapshot (`snapshot_identifier`) or to a point in
time (`restore_to_point_in_time`); a cluster restored the same ways or replicating another
cluster (`replication_source_identifier`); and Aurora Serverless v1 clusters
(`engine_mode = "serverless"`), which are always encrypted.

## Fix
Set `storage_encrypted = true` (and `kms_key_id` for a customer managed key) when creating the
database. For an existing one, restore an encrypted copy of a snapshot.

## Example
```hcl
# bad
resource "aws_db_instance" "app" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}

# good
resource "aws_db_instance" "app" {
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  storage_encrypted = true
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

# Arguments that make the new database take its encryption from somewhere else.
INHERITED_FROM = ("replicate_source_db", "snapshot_identifier", "restore_to_point_in_time",
                  "replication_source_identifier")


@policy(id="IAC-ENC-002", name="rds-unencrypted", severity=Severity.HIGH, family="encryption",
        applies_to=("aws_db_instance", "aws_rds_cluster"),
        equivalents=("CKV_AWS_16", "CKV_AWS_96", "AVD-AWS-0080", "AVD-AWS-0079"), cwe=311,
        precision="high")
def rds_unencrypted(resource, options):
    if any(resource.get(key) is not None for key in INHERITED_FROM):
        return
    engine_mode = resource.get("engine_mode")
    if engine_mode is not None and engine_mode == "serverless":
        return  # Aurora Serverless v1 is always encrypted
    encrypted = resource.get("storage_encrypted")
    if encrypted is None:
        yield resource.finding("database storage is not encrypted: storage_encrypted is not set and "
                               "defaults to false")
    elif not (encrypted is True or encrypted == "true"):
        yield resource.finding("database storage is not encrypted (storage_encrypted = false)",
                               at="storage_encrypted")
