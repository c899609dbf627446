"""RDS database accepts unencrypted client connections: its parameter group does not require TLS.

## Why
RDS offers TLS on every engine but, for most of them, does not require it: a client that does
not ask for TLS (a JDBC URL without `sslmode`, an old driver, a script with `--ssl-mode=DISABLED`)
sends the login, every query and every result in clear across the VPC, or the internet when the
database is public, and nothing tells it so. Only the server can refuse such connections, through
one parameter of the database's parameter group:

| engine | parameter | default |
|---|---|---|
| PostgreSQL | `rds.force_ssl` | `0` before PostgreSQL 15, `1` from 15 |
| SQL Server | `rds.force_ssl` | `0` |
| MySQL (5.7 and later) | `require_secure_transport` | `OFF` |
| MariaDB (10.5 and later) | `require_secure_transport` | `OFF` before 11.8, `ON` from 11.8 |
| Aurora MySQL (cluster parameter group) | `require_secure_transport` | `OFF` |
| Aurora PostgreSQL (cluster parameter group) | `rds.force_ssl` | `0` |

The parameter group is the one `parameter_group_name` (`db_cluster_parameter_group_name` for a
cluster) names: a group of the scan, found through the reference or by its literal name. Without
one, or with a `default.<family>` group, the engine default applies, read from `engine` and the
major version of `engine_version` (a new database without `engine_version` gets the current
default version: PostgreSQL 15 or later, so it is not reported; for MariaDB the version matters
and cannot be known). Reported, at each database concerned (its `parameter_group_name`, or its
header when it names no group), since the database is what accepts the connections and each can
be suppressed on its own; the message names the group and the line where the cause is written:

- a group whose value turns the parameter off (`0`, `OFF`, `false`, any case);
- a written group that leaves it at an off default;
- a default group whose engine default is off.

Not reported, because nothing here can tell: a group named by a value that cannot be known or
that is not in the scan, a database restored from a snapshot without `engine_version` when the
default depends on the version, and a read replica without its own group (it uses its source's).
Oracle (TLS through an option group), Db2, RDS Custom, Aurora MySQL 1 (`engine = "aurora"`, which
has no such parameter) and Aurora Serverless v1 are left out. Aurora PostgreSQL 15 and later with
the parameter left at its default is not reported: AWS changed that default for RDS for
PostgreSQL 15 and documents `0` for Aurora without saying whether the same change applies.

Severity is medium: most drivers try TLS first, so what is exposed is the client that does not,
to someone who can capture traffic on the database's network path; it is the same weight as a
Cloud SQL instance that accepts unencrypted connections (IAC-ENC-031).

## Differences from Checkov
CKV2_AWS_69 fails every `aws_db_instance` without a connected `aws_db_parameter_group`, whatever
the engine and version, so PostgreSQL 15 and later on the default group (which requires TLS) and
engines without these parameters are reported; iaclint reads the engine default. Checkov accepts
only `"1"` for `require_secure_transport`, where MySQL also accepts `ON` (what AWS documents) and
`true`; it does not follow a group named by its literal name, and it does not check Aurora
clusters. Checkov also checks Db2 (`db2comm = "SSL"`), which iaclint leaves out.

## Fix
Use a parameter group of your own that sets the parameter, and attach it:
`rds.force_ssl = 1` for PostgreSQL and SQL Server, `require_secure_transport = ON` for MySQL and
MariaDB (in the cluster parameter group for Aurora). Check first that every client connects with
TLS (`pg_stat_ssl`, `performance_schema.status_by_thread`); `rds.force_ssl` takes effect at the
next reboot on older PostgreSQL versions and on SQL Server.

## Example
```hcl
# bad: MySQL's default lets clients connect without TLS
resource "aws_db_instance" "app" {
  engine         = "mysql"
  engine_version = "8.0"
  instance_class = "db.t3.micro"
}

# good
resource "aws_db_parameter_group" "app" {
  name   = "app-mysql80"
  family = "mysql8.0"

  parameter {
    name  = "require_secure_transport"
    value = "1"
  }
}

resource "aws_db_instance" "app" {
  engine               = "mysql"
  engine_version       = "8.0"
  instance_class       = "db.t3.micro"
  parameter_group_name = aws_db_parameter_group.app.name
}
```
"""

from __future__ import annotations

from iaclint.lazyre import lazy_re
from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

from ._values import hcl

FORCE_SSL = "rds.force_ssl"
SECURE_TRANSPORT = "require_secure_transport"
PARAMETER = {"postgres": FORCE_SSL, "aurora-postgresql": FORCE_SSL, "sqlserver": FORCE_SSL,
             "mysql": SECURE_TRANSPORT, "aurora-mysql": SECURE_TRANSPORT,
             "mariadb": SECURE_TRANSPORT}
ENGINE_NAMES = {"postgres": "PostgreSQL", "aurora-postgresql": "Aurora PostgreSQL",
                "sqlserver": "SQL Server", "mysql": "MySQL", "aurora-mysql": "Aurora MySQL",
                "mariadb": "MariaDB"}
OFF = ("0", "off", "false")  # anything else (1, ON, true) requires TLS or is rejected by AWS

_FAMILY = lazy_re(r"^(aurora-postgresql|aurora-mysql|postgres|mysql|mariadb)(\d+(?:\.\d+)?)$")
_SQLSERVER_FAMILY = lazy_re(r"^sqlserver-(?:ee|se|ex|web)-\d+\.\d+$")
_VERSION = lazy_re(r"^\s*(\d+)(?:\.(\d+))?")


class Target:
    """Where a database type names its parameter group, and the arguments that matter (a plain
    class, as ``_flags.Flag``)."""

    __slots__ = ("type", "group_type", "via", "noun", "group_noun", "inherits_group", "restored")

    def __init__(self, type: str, group_type: str, via: str, noun: str, group_noun: str,
                 inherits_group: tuple, restored: tuple):
        self.type, self.group_type, self.via, self.noun, self.group_noun = \
            type, group_type, via, noun, group_noun
        self.inherits_group = inherits_group  # arguments that make the database use another's group
        self.restored = restored  # arguments that take the engine version from somewhere else


INSTANCE = Target("aws_db_instance", "aws_db_parameter_group", "parameter_group_name",
                  "RDS instance", "parameter group", ("replicate_source_db",),
                  ("snapshot_identifier", "restore_to_point_in_time", "s3_import"))
CLUSTER = Target("aws_rds_cluster", "aws_rds_cluster_parameter_group",
                 "db_cluster_parameter_group_name", "RDS cluster", "cluster parameter group",
                 ("replication_source_identifier",),
                 ("snapshot_identifier", "restore_to_point_in_time", "s3_import"))


@policy(id="IAC-ENC-039", name="rds-tls-not-enforced", severity=Severity.MEDIUM,
        family="encryption",
        applies_to=(INSTANCE.type, INSTANCE.group_type, CLUSTER.type, CLUSTER.group_type),
        scope="project", equivalents=("CKV2_AWS_69",), cwe=319, precision="high")
def rds_tls_not_enforced(project, options):
    uses: dict[int, tuple] = {}  # id(group) -> (group, target, [databases using it])
    for target in (INSTANCE, CLUSTER):
        by_name: dict[tuple, list] = {}
        for group in project.of_type(target.group_type):
            name = group.get("name")
            if isinstance(name, str):
                by_name.setdefault((group.meta.get("root"), name), []).append(group)
        for db in project.of_type(target.type):
            yield from project.guarded(_check_database(project, db, target, by_name, uses), db)
    for group, target, databases in uses.values():
        yield from project.guarded(_group_findings(group, target, databases), group)


def _check_database(project, db, target: Target, by_name: dict, uses: dict):
    """Findings for a database on a default group; a written group is recorded in ``uses``."""
    if target is CLUSTER:
        mode = db.get("engine_mode")
        if mode is not None and mode == "serverless":
            return  # Aurora Serverless v1: no such parameter to set
    written = db.get(target.via)
    if isinstance(written, str) and not written.strip():
        written = None  # the provider sends no group for "": the default applies
    groups = project.references(db, target.group_type, via=target.via)
    if len(groups) > 1:  # e.g. every instance of a counted group: keep the one it names
        if not isinstance(written, str):
            raise UnknownValue(written if isinstance(written, Unknown) else Unknown(
                f"{db.address}.{target.via}", "refers to several parameter groups"))
        groups = [g for g in groups if isinstance(g.get("name"), str) and g.get("name") == written]
    if not groups and isinstance(written, str) and not written.startswith("default."):
        groups = by_name.get((db.meta.get("root"), written), [])
        if not groups:
            raise UnknownValue(Unknown(f"{target.via} = {written!r}",
                                       f"parameter group {written!r} is not in the scan"))
    if len(groups) == 1:
        uses.setdefault(id(groups[0]), (groups[0], target, []))[2].append(db)
        return
    if groups:
        raise UnknownValue(Unknown(f"{db.address}.{target.via}", "names several parameter groups"))
    if isinstance(written, Unknown):
        raise UnknownValue(written)
    if written is None and any(db.get(key) is not None for key in target.inherits_group):
        return  # a replica without a group of its own uses its source's
    if written is not None:  # "default.<family>": the family says engine and version
        parsed = _family(written[len("default."):])
        if parsed is None:
            return
        kind, version = parsed
    else:
        engine = db.get("engine")
        kind = _kind(engine) if engine is not None else None
        if kind is None:
            return  # not an engine with such a parameter (or Aurora MySQL 1, the cluster default)
        version = _version(db, target)
        if version is False:
            return  # a version we cannot read: no verdict
    if _default_on(kind, version, db.address) is not False:
        return
    param = PARAMETER[kind]
    default = _off(param)
    where = f"it uses the default {target.group_noun}" if written is None else f"it uses {written}"
    yield db.finding(f"{target.noun} accepts unencrypted connections: {where}, where {param} is "
                     f"{default} for {_describe(kind, version)}",
                     at=target.via if written else None)


def _group_findings(group, target: Target, databases: list):
    """One finding per database using a written group that does not require TLS, at the
    database's group argument: the database is what accepts plain connections, and each can be
    suppressed on its own; the message says where in the group the cause is written."""
    problem = _group_problem(group, target)
    if problem is None:
        return
    for db in databases:
        yield db.finding(f"{target.noun} accepts unencrypted connections: {problem}", at=target.via)


def _group_problem(group, target: Target) -> str | None:
    family = group.get("family")
    if family is None:
        return None
    parsed = _family(str(family))
    if parsed is None:
        return None  # Oracle, Db2, Aurora MySQL 1, ...
    kind, version = parsed
    param = PARAMETER[kind]
    found, unknown_name = None, None
    for block in group.blocks("parameter"):
        name = block.get("name")
        if isinstance(name, Unknown):
            unknown_name = name
        elif isinstance(name, str) and name.strip().lower() == param:
            found = block  # the last one written is the one that counts
    where = f"its {target.group_noun} {group.address} ({group.file}:{group.header.line})"
    if found is not None:
        value = found.get("value")
        if value is None:
            return None
        text = str(value).strip().lower()  # an Unknown value raises here: skipped and counted
        return f"{where} sets {param} = {hcl(value)}" if text in OFF else None
    if unknown_name is not None:
        raise UnknownValue(unknown_name)  # a parameter we cannot name may be this one
    if _default_on(kind, version, group.address) is False:
        return f"{where} does not set {param}, which is {_off(param)} by default for {family}"
    return None


def _kind(engine) -> str | None:
    engine = str(engine).strip().lower()
    if engine.startswith("sqlserver-"):
        return "sqlserver"
    return engine if engine in PARAMETER else None


def _family(family: str) -> tuple | None:
    """(engine kind, (major, minor)) of a parameter group family such as ``postgres14``."""
    family = family.strip().lower()
    if _SQLSERVER_FAMILY.match(family):
        return "sqlserver", None
    m = _FAMILY.match(family)
    if m is None:
        return None
    return m.group(1), _parse_version(m.group(2))


def _parse_version(text: str):
    m = _VERSION.match(text)
    if m is None:
        return False
    return int(m.group(1)), int(m.group(2) or 0)


def _version(db, target: Target):
    """The engine version as (major, minor); None when AWS chooses it; False when unreadable."""
    written = db.get("engine_version")
    if written is None or (isinstance(written, str) and not written.strip()):
        if any(db.get(key) is not None for key in target.restored):
            return Unknown(f"{db.address}.engine_version",
                           "not set: the version comes from the snapshot or source database")
        return None
    if isinstance(written, Unknown):
        return written  # MySQL and SQL Server do not need it; the others raise on it
    return _parse_version(str(written))


def _default_on(kind: str, version, address: str) -> bool | None:
    """Whether the engine default requires TLS: True, False, or None when there is no such
    parameter or no verdict. ``version`` None means the current default version of a new database;
    an Unknown version raises when the answer depends on it."""
    if kind in ("sqlserver", "aurora-mysql"):
        return False
    if kind == "mysql":
        if isinstance(version, tuple) and version < (5, 7):
            return None  # MySQL 5.6 has no require_secure_transport
        return False
    if isinstance(version, Unknown):
        raise UnknownValue(version)
    if kind == "postgres":
        return version is None or version[0] >= 15
    if kind == "aurora-postgresql":
        return False if version is not None and version[0] < 15 else None
    if kind == "mariadb":
        if version is None:
            raise UnknownValue(Unknown(f"{address}.engine_version", "not set: MariaDB's "
                                       "default depends on the version AWS picks"))
        if version < (10, 5):
            return None  # no require_secure_transport before MariaDB 10.5
        return version >= (11, 8)
    return None


def _off(param: str) -> str:
    return "0" if param == FORCE_SSL else "OFF"


def _describe(kind: str, version) -> str:
    name = ENGINE_NAMES[kind]
    if not isinstance(version, tuple) or kind in ("sqlserver", "aurora-mysql", "mysql"):
        return name
    if kind in ("postgres", "aurora-postgresql"):
        return f"{name} {version[0]}"
    return f"{name} {version[0]}.{version[1]}"
