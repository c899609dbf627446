"""Isolation levels, trust tiers, floors: the derivation, its config, the inventory command, and the
promise that the inventory and the policies never disagree."""

import json
import os
import textwrap

import pytest

from iaclint import isolation
from iaclint.cli import main
from iaclint.config import Config, ConfigError, load as load_config
from iaclint.engine import ScanOptions, load, scan
from iaclint.model import Unknown
from iaclint.policies.isolation import _levels
from iaclint.project import Project

from .conftest import EXAMPLES, FIXTURES

LEVEL_POLICIES = ["IAC-ISO-040", "IAC-ISO-041", "IAC-ISO-042", "IAC-ISO-043", "IAC-ISO-044", "IAC-ISO-045"]


def write(tmp_path, files: dict) -> str:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return str(tmp_path)


def rows_of(path, config=None) -> dict:
    rows, diagnostics = isolation.inventory([path], config or Config())
    assert not [d for d in diagnostics if d.level == "error"], diagnostics
    return {r["address"]: r for r in rows}


def pod(name, spec="", namespace="apps", labels="", kind="Pod"):
    """A minimal pod manifest; ``spec`` is YAML indented under ``spec:``."""
    meta_labels = f"\n  labels:\n{textwrap.indent(labels, '    ')}" if labels else ""
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ") + "\n" if spec.strip() else ""
    return (f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {namespace}{meta_labels}\n"
            f"spec:\n{body}  containers:\n    - name: app\n      image: app:1.0\n")


# -- every level, from the fixtures -------------------------------------------------------------------
EXPECTED_040 = {
    "Deployment/sandbox/ordinary": ("container", "container"),
    "Deployment/sandbox/hardened": ("hardened", "hardened"),
    "Pod/sandbox/privileged-kata": ("host", "host"),
    "Pod/sandbox/host-pid": ("host", "host"),
    "Job/sandbox/docker-builder": ("host", "host"),
    "DaemonSet/sandbox/host-root": ("host", "host"),
    "Deployment/sandbox/unmounted-socket": ("container", "container"),
    "Pod/sandbox/windows-host-process": ("host", "host"),
    "Deployment/sandbox/gke-sandbox": ("sandboxed", "sandboxed"),
    "Deployment/sandbox/runsc": ("sandboxed", "sandboxed"),
    "StatefulSet/sandbox/kata-scanned": ("vm", "vm"),
    "CronJob/sandbox/kata-well-known": ("vm", "vm"),
    "Pod/sandbox/aks-kata": ("vm", "vm"),
    "Pod/sandbox/undefined-class": ("container", "vm"),
    "Pod/sandbox/unrated-handler": ("container", "vm"),
    "Job/jobs/converter": ("vm", "vm"),
    "Job/batch-nightly/report": ("vm", "vm"),
    "Job/jobs/no-label": ("container", "container"),
    "DaemonSet/jobs/log-agent": ("container", "container"),
    "Job/anywhere": ("container", "vm"),
    "Deployment/sandbox/patched": ("container", "vm"),
    "aws_ecs_task_definition.fargate": ("vm", "vm"),
    "aws_ecs_task_definition.ec2": ("container", "container"),
    "aws_ecs_task_definition.default": ("container", "container"),
    "aws_ecs_task_definition.both": ("container", "container"),
    "aws_ecs_task_definition.from_var": ("container", "container"),
    "aws_ecs_task_definition.host_network": ("host", "host"),
    "aws_ecs_task_definition.unknown": ("container", "vm"),
    "aws_ecs_service.on_fargate": ("vm", "vm"),
    "aws_ecs_service.spot": ("vm", "vm"),
    "aws_eks_fargate_profile.jobs": ("vm", "vm"),
    "google_container_node_pool.untrusted": ("container", "container"),
    "google_container_node_pool.sandboxed": ("sandboxed", "sandboxed"),
    "google_container_cluster.autopilot": ("container", "container"),
    "google_container_cluster.standard.node_pool[sandbox]": ("sandboxed", "sandboxed"),
    "google_container_cluster.standard.node_pool[plain]": ("container", "container"),
    "azurerm_kubernetes_cluster_node_pool.kata": ("vm", "vm"),
    "azurerm_kubernetes_cluster_node_pool.oci": ("container", "container"),
    "azurerm_kubernetes_cluster.kata.default_node_pool": ("vm", "vm"),
    "aws_instance.runner": ("vm", "vm"),
    "aws_instance.dedicated": ("dedicated", "dedicated"),
    "aws_launch_template.on_host": ("dedicated", "dedicated"),
    "google_compute_instance.runner": ("vm", "vm"),
    "google_compute_instance.sole_tenant": ("dedicated", "dedicated"),
    "google_compute_node_group.sole": ("dedicated", "dedicated"),
    "azurerm_windows_virtual_machine.on_host": ("dedicated", "dedicated"),
}


def test_every_level_of_the_fixtures():
    rows = rows_of(os.path.join(FIXTURES, "IAC-ISO-040"))
    got = {address: tuple(rows[address]["level_range"]) for address in EXPECTED_040 if address in rows}
    assert got == EXPECTED_040
    assert {r["level"] for r in rows.values()} >= set(_levels.LEVELS) | {"unknown"}
    # the removed default pool of a cluster is not a workload
    assert "google_container_cluster.standard" not in rows


def test_rows_carry_the_documented_fields():
    rows = rows_of(os.path.join(FIXTURES, "IAC-ISO-040"))
    for row in rows.values():
        assert {"address", "kind", "name", "namespace", "file", "line", "level", "tier", "floor",
                "evidence"} <= set(row)
        assert row["evidence"], row["address"]
        for e in row["evidence"] + row["tier_evidence"]:
            assert set(e) == {"file", "line", "path", "value", "why"}
            json.dumps(e)  # plain values only (an Unknown is shown as text)
    row = rows["Pod/sandbox/privileged-kata"]
    assert (row["kind"], row["name"], row["namespace"]) == ("Pod", "privileged-kata", "sandbox")
    first = row["evidence"][0]
    assert first["why"].startswith("host:") and first["path"] == "spec.containers[0].securityContext.privileged"
    assert first["file"].endswith("levels.yaml") and first["value"] is True


def test_evidence_points_at_the_deciding_attribute(tmp_path):
    root = write(tmp_path, {
        "rc.yaml": """\
            apiVersion: node.k8s.io/v1
            kind: RuntimeClass
            metadata:
              name: secure
            handler: kata-clh
            """,
        "pod.yaml": pod("kata", "runtimeClassName: secure"),
    })
    row = rows_of(root)["Pod/apps/kata"]
    assert row["level"] == "vm"
    assert [(e["file"], e["line"], e["path"], e["value"]) for e in row["evidence"][:2]] == [
        ("pod.yaml", 7, "spec.runtimeClassName", "secure"), ("rc.yaml", 5, "handler", "kata-clh")]


def test_hardened_lists_every_missing_control(tmp_path):
    root = write(tmp_path, {"pod.yaml": pod("p", """\
        securityContext:
          runAsUser: 0
          seccompProfile: {type: Unconfined}
        volumes:
          - name: logs
            hostPath: {path: /var/log}
        """)})
    row = rows_of(root)["Pod/apps/p"]
    assert row["level"] == "container"
    whys = [e["why"] for e in row["evidence"] if e["why"].startswith("not hardened")]
    assert any("runs as root (runAsUser: 0)" in w for w in whys)
    assert any("allowPrivilegeEscalation" in w for w in whys)
    assert any("drop ALL" in w for w in whys)
    assert any("seccomp" in w for w in whys)
    assert any("writable root filesystem" in w for w in whys)
    assert any("hostPath" in w for w in whys)


def test_patch_is_unknown_unless_it_hands_over_the_node(tmp_path):
    patch = """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: p, namespace: apps}
        spec:
          template:
            spec:
              EXTRA
              containers:
                - name: app
                  resources: {limits: {memory: 1Gi}}
        """
    root = write(tmp_path, {"a/patch.yaml": patch.replace("EXTRA", "dnsPolicy: ClusterFirst"),
                            "b/patch.yaml": patch.replace("EXTRA", "hostNetwork: true").replace("name: p,", "name: q,")})
    rows = rows_of(root)
    assert rows["Deployment/apps/p"]["level"] == "unknown"
    assert rows["Deployment/apps/q"]["level"] == "host"


def test_ecs_privileged_container_and_host_mount(tmp_path):
    root = write(tmp_path, {"main.tf": """\
        resource "aws_ecs_task_definition" "agent" {
          family = "agent"
          volume {
            name      = "sock"
            host_path = "/var/run/docker.sock"
          }
          container_definitions = <<-EOT
            [{"name": "agent", "image": "agent:1", "mountPoints": [{"sourceVolume": "sock", "containerPath": "/s"}]}]
          EOT
        }

        resource "aws_ecs_task_definition" "fargate_unknown_defs" {
          family                   = "f"
          requires_compatibilities = ["FARGATE"]
          container_definitions    = var.defs
        }

        resource "aws_ecs_task_definition" "ec2_unknown_defs" {
          family                = "e"
          container_definitions = var.defs
        }

        variable "defs" {}
        """})
    rows = rows_of(root)
    agent = rows["aws_ecs_task_definition.agent"]
    assert agent["level"] == "host"
    assert agent["evidence"][0]["path"] == "volume[0].host_path"
    # Fargate refuses privileged containers and host paths: unknown definitions cannot make it host
    assert rows["aws_ecs_task_definition.fargate_unknown_defs"]["level"] == "vm"
    assert rows["aws_ecs_task_definition.ec2_unknown_defs"]["level_range"] == ["host", "container"]


def test_ecs_service_follows_its_task_definition_and_cluster_default(tmp_path):
    root = write(tmp_path, {"main.tf": """\
        resource "aws_ecs_task_definition" "priv" {
          family                = "priv"
          container_definitions = "[{\\"name\\": \\"a\\", \\"image\\": \\"a:1\\", \\"privileged\\": true}]"
        }

        resource "aws_ecs_cluster" "main" {
          name = "main"
        }

        resource "aws_ecs_cluster_capacity_providers" "main" {
          cluster_name       = aws_ecs_cluster.main.name
          capacity_providers = ["FARGATE"]
          default_capacity_provider_strategy {
            capacity_provider = "FARGATE"
          }
        }

        resource "aws_ecs_service" "priv" {
          name            = "priv"
          cluster         = aws_ecs_cluster.main.id
          task_definition = aws_ecs_task_definition.priv.arn
          launch_type     = "EC2"
        }

        resource "aws_ecs_service" "default_strategy" {
          name            = "default"
          cluster         = aws_ecs_cluster.main.id
          task_definition = "web:3"
        }

        resource "aws_ecs_service" "elsewhere" {
          name            = "elsewhere"
          cluster         = var.cluster_arn
          task_definition = "web:3"
        }

        variable "cluster_arn" {}
        """})
    rows = rows_of(root)
    assert rows["aws_ecs_service.priv"]["level"] == "host"
    assert rows["aws_ecs_service.default_strategy"]["level"] == "vm"
    assert rows["aws_ecs_service.elsewhere"]["level_range"] == ["container", "vm"]


def test_unknown_tenancy_is_a_range_and_skips_the_checks(tmp_path):
    root = write(tmp_path, {"main.tf": """\
        variable "tenancy" {}
        variable "tags" {}

        resource "aws_instance" "a" {
          ami     = "ami-1"
          tenancy = var.tenancy
          tags    = { "iaclint:trust" = "untrusted" }
        }

        resource "aws_ecs_task_definition" "b" {
          family                = "b"
          container_definitions = "[]"
          tags                  = var.tags
        }
        """})
    rows = rows_of(root)
    assert rows["aws_instance.a"]["level_range"] == ["vm", "dedicated"]
    assert rows["aws_instance.a"]["below_floor"] is False  # at least vm: above every default floor
    assert rows["aws_ecs_task_definition.b"]["tier"] == "unknown"
    assert rows["aws_ecs_task_definition.b"]["below_floor"] is None
    result = scan([root], options=ScanOptions(select=["IAC-ISO-040", "IAC-ISO-041"]))
    assert result.findings == []
    assert result.unknown_skips == 2  # the tags of b, once per tier policy
    assert {u["expression"] for u in result.unknowns} == {"var.tags"}


# -- trust tiers ---------------------------------------------------------------------------------------------
def test_tiers_strictest_source_wins(tmp_path):
    root = write(tmp_path, {
        "ns.yaml": """\
            apiVersion: v1
            kind: Namespace
            metadata:
              name: payments
              labels: {iaclint.io/trust: sensitive}
            """,
        "a.yaml": pod("ledger", namespace="payments"),
        "b.yaml": pod("plugin", namespace="payments", labels="iaclint.io/trust: untrusted"),
        "c.yaml": pod("opt-out", namespace="payments", labels="iaclint.io/trust: standard"),
    })
    rows = rows_of(root)
    assert rows["Pod/payments/ledger"]["tier"] == "sensitive"
    assert rows["Pod/payments/ledger"]["tier_evidence"][0]["file"] == "ns.yaml"
    assert rows["Pod/payments/plugin"]["tier"] == "untrusted"
    assert rows["Pod/payments/opt-out"]["tier"] == "sensitive"


def test_config_namespaces_selectors_and_floors(tmp_path):
    root = write(tmp_path, {
        "a.yaml": pod("runner", namespace="ci-pr"),
        "b.yaml": pod("notebook", namespace="apps", labels="team: research"),
        "c.yaml": pod("gvisor", namespace="ci-main", spec="runtimeClassName: gvisor"),
        "main.tf": """\
            resource "aws_instance" "x" {
              ami  = "ami-1"
              tags = { team = "research" }
            }
            """,
    })
    cfg = Config(isolation={
        "namespaces": {"ci-*": "untrusted"},
        "selectors": [{"match-labels": {"team": "research"}, "tier": "untrusted"}],
        "floors": {"untrusted": "vm"},
    })
    rows = rows_of(root, cfg)
    assert rows["Pod/ci-pr/runner"]["tier"] == "untrusted"
    assert rows["Pod/ci-pr/runner"]["tier_evidence"][0]["path"] == "isolation.namespaces.ci-*"
    assert rows["Pod/apps/notebook"]["tier"] == "untrusted"
    assert rows["aws_instance.x"]["tier"] == "untrusted" and rows["aws_instance.x"]["below_floor"] is False
    # sandboxed meets the default untrusted floor, not a configured vm floor
    assert rows["Pod/ci-main/gvisor"]["floor"] == "vm"
    assert rows["Pod/ci-main/gvisor"]["below_floor"] is True
    assert rows_of(root)["Pod/ci-main/gvisor"]["tier"] == "standard"  # without the config


def test_config_rates_a_runtime_class(tmp_path):
    root = write(tmp_path, {"a.yaml": pod("p", spec="runtimeClassName: secure",
                                          labels="iaclint.io/trust: untrusted")})
    assert rows_of(root)["Pod/apps/p"]["level"] == "unknown"
    cfg = Config(isolation={"runtime-classes": {"secure": "vm"}})
    assert rows_of(root, cfg)["Pod/apps/p"]["level"] == "vm"
    before = scan([root], options=ScanOptions(select=["IAC-ISO-044"]))
    after = scan([root], config=cfg, options=ScanOptions(select=["IAC-ISO-044"]))
    assert [f.policy_id for f in before.findings] == ["IAC-ISO-044"] and after.findings == []


def test_config_file_is_validated(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[isolation]\nfloors = { untrusted = "vm" }\nnamespaces = { "ci-*" = "untrusted" }\n'
                    '[[isolation.selectors]]\nmatch-labels = { team = "ml" }\ntier = "sensitive"\n'
                    '[isolation.runtime-classes]\nsecure = "vm"\n')
    cfg = load_config(str(good))
    assert cfg.isolation["floors"] == {"untrusted": "vm"}
    for body, word in (('[isolation]\nfloors = { untrusted = "kernel" }\n', "isolation.floors.untrusted"),
                       ('[isolation]\nfloors = { standard = "vm" }\n', "standard"),
                       ('[isolation]\nnamespaces = { ci = "hostile" }\n', "isolation.namespaces.ci"),
                       ('[isolation]\nlevels = {}\n', "levels"),
                       ('[[isolation.selectors]]\ntier = "untrusted"\n', "match-labels")):
        bad = tmp_path / "bad.toml"
        bad.write_text(body)
        with pytest.raises(ConfigError, match=word.replace("*", r"\*")):
            load_config(str(bad))


def test_the_isolation_table_reaches_the_family_under_per_policy_options():
    from iaclint import registry
    cfg = Config(isolation={"floors": {"untrusted": "vm"}},
                 options={"IAC-ISO-040": {"floors": {"untrusted": "dedicated"}}})
    assert cfg.options_for(registry.get("IAC-ISO-041")) == {"floors": {"untrusted": "vm"}}
    assert cfg.options_for(registry.get("IAC-ISO-040")) == {"floors": {"untrusted": "dedicated"}}
    assert cfg.options_for(registry.get("IAC-NET-001")) == {}


# -- node separation --------------------------------------------------------------------------------------
def placement(terms, tolerations=()):
    tols = [_levels.Toleration(*t) for t in tolerations]
    return _levels.Placement([[(k, op, frozenset(v)) for k, op, v in term] for term in terms], tols, [], ())


@pytest.mark.parametrize("a, b, apart", [
    ([[("pool", "In", ["a"])]], [[("pool", "In", ["b"])]], True),
    ([[("pool", "In", ["a", "b"])]], [[("pool", "In", ["b"])]], False),
    ([[("pool", "In", ["a"])]], [[("pool", "NotIn", ["a"])]], True),
    ([[("gpu", "Exists", [])]], [[("gpu", "DoesNotExist", [])]], True),
    ([[("pool", "In", ["a"])]], [[("zone", "In", ["a"])]], False),
    ([[]], [[("pool", "In", ["a"])]], False),
    # one alternative that overlaps is enough to share a node
    ([[("pool", "In", ["a"])], [("pool", "In", ["c"])]], [[("pool", "In", ["c"])]], False),
])
def test_separation_by_labels(a, b, apart):
    assert (_levels.separation(placement(a), placement(b)) is not None) is apart
    assert (_levels.separation(placement(b), placement(a)) is not None) is apart


def test_separation_by_taints():
    taint = ("dedicated", "Equal", "ci", "NoSchedule")
    confined = placement([[("pool", "In", ["ci"])]], [taint])
    anywhere = placement([[]])
    assert _levels.separation(confined, anywhere) is not None
    assert _levels.separation(anywhere, confined) is not None
    # the other side tolerates the taint: by key, or everything
    assert _levels.separation(confined, placement([[]], [("dedicated", "Exists", "", "")])) is None
    assert _levels.separation(confined, placement([[]], [("", "Exists", "", "")])) is None
    # a different value of the same key is not tolerated
    assert _levels.separation(confined, placement([[]], [("dedicated", "Equal", "payments", "NoSchedule")])) is not None
    # a toleration without confinement proves nothing about where it runs
    assert _levels.separation(placement([[]], [taint]), anywhere) is None
    # PreferNoSchedule keeps nothing off
    soft = placement([[("pool", "In", ["ci"])]], [("dedicated", "Equal", "ci", "PreferNoSchedule")])
    assert _levels.separation(soft, anywhere) is None


def test_one_finding_per_untrusted_workload_counts_every_sensitive_one(tmp_path):
    ns = ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {0}\n  labels:\n"
          "    iaclint.io/trust: {1}\n")
    docs = [ns.format("pay", "sensitive"), ns.format("ci", "untrusted")]
    # five sensitive pods in two placements (anywhere, pool=pay), one on a pool of its own
    docs += [pod(f"s{i}", namespace="pay", spec="nodeSelector: {pool: pay}" if i % 2 else "") for i in range(5)]
    docs.append(pod("apart", namespace="pay", spec="nodeSelector: {pool: other}"))
    docs.append(pod("runner", namespace="ci", spec="nodeSelector: {pool: pay}"))
    path = write(tmp_path, {"all.yaml": "---\n".join(docs)})
    found = scan([path], options=ScanOptions(select=["IAC-ISO-043"])).findings
    assert len(found) == 1
    message = found[0].message
    assert "5 sensitive workloads: Pod/pay/s0 (all.yaml:" in message, message
    assert "Pod/pay/s1 (all.yaml:" in message and "Pod/pay/s2 (all.yaml:" in message
    assert "and 2 more" in message and "Pod/pay/s3" not in message and "Pod/pay/apart" not in message


# -- the policies and the inventory agree ----------------------------------------------------------------
@pytest.mark.parametrize("folder", ["IAC-ISO-040", "IAC-ISO-041", "IAC-ISO-042", "IAC-ISO-043"])
def test_floor_findings_are_the_rows_below_their_floor(folder):
    path = os.path.join(FIXTURES, folder)
    loaded = load([path])
    workloads = _levels.inventory(Project(loaded.resources))
    below = {(w.resource.address, w.file, w.resource.span_of(w.anchor).line) for w in workloads if w.below_floor}
    result = scan([path], options=ScanOptions(select=["IAC-ISO-040", "IAC-ISO-041"]))
    found = {(f.address, f.location.path, f.location.span.line) for f in result.findings}
    assert found == below
    rows = rows_of(path)
    assert {w.address for w in workloads if w.below_floor} == {a for a, r in rows.items() if r["below_floor"] is True}


def test_inventory_is_computed_once_per_project():
    loaded = load([os.path.join(FIXTURES, "IAC-ISO-042")])
    project = Project(loaded.resources)
    assert _levels.inventory(project) is _levels.inventory(project, {})
    assert _levels.inventory(project) is not _levels.inventory(project, {"floors": {"untrusted": "vm"}})


def test_examples_show_an_untrusted_workload_caught_and_one_fixed_by_kata():
    rows = rows_of(EXAMPLES)
    caught = rows["Deployment/ci-runners/pr-build"]
    fixed = rows["Deployment/ci-runners/pr-test"]
    assert (caught["tier"], caught["below_floor"]) == ("untrusted", True)
    assert (fixed["tier"], fixed["level"], fixed["below_floor"]) == ("untrusted", "vm", False)
    assert fixed["evidence"][0]["path"] == "spec.template.spec.runtimeClassName"
    result = scan([EXAMPLES], options=ScanOptions(select=["IAC-ISO-040"]))
    assert [(f.address, f.severity.name) for f in result.findings] == [("Deployment/ci-runners/pr-build", "HIGH")]


# -- the command -----------------------------------------------------------------------------------------
def test_cli_json(capsys):
    assert main(["isolation", os.path.join(FIXTURES, "IAC-ISO-041"), "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list) and rows
    assert all({"address", "kind", "name", "namespace", "file", "line", "level", "tier", "floor",
                "evidence"} <= set(r) for r in rows)
    ranks = [_levels.LEVELS.index(r["level_range"][0]) for r in rows if r["level"] != "unknown"]
    assert ranks == sorted(ranks)


def test_cli_text_is_a_table_sorted_from_the_lowest_level(capsys):
    assert main(["isolation", os.path.join(FIXTURES, "IAC-ISO-040")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["LEVEL", "TIER", "FLOOR", "STATUS", "WORKLOAD", "LOCATION", "WHY"]
    levels = [line.split()[0] for line in out[1:] if line.strip() and not line[0].isdigit()]
    order = list(_levels.LEVELS) + ["unknown"]
    assert [order.index(x) for x in levels] == sorted(order.index(x) for x in levels)
    assert out[-1].startswith(f"{len(levels)} workloads: ") and " below their floor" in out[-1]
    column = out[0].index("WORKLOAD")
    assert all(line[column - 2:column] == "  " for line in out[1:-2] if line.strip())


def test_cli_markdown(capsys, tmp_path):
    target = tmp_path / "inventory.md"
    assert main(["isolation", EXAMPLES, "-f", "markdown", "-o", str(target)]) == 0
    md = target.read_text()
    assert md.startswith("### iaclint isolation inventory")
    assert "| Level | Tier | Floor | Status | Workload | Location | Why |" in md
    assert "**Below their floor (1)**" in md and "<details>" in md
    assert "`Deployment/ci-runners/pr-build`" in md


def test_cli_config_errors_and_bad_files(tmp_path, capsys):
    root = write(tmp_path, {"good.yaml": pod("p"), "bad.yaml": "apiVersion: v1\nkind: Pod\nmetadata: [\n"})
    assert main(["isolation", root, "-f", "json"]) == 2
    captured = capsys.readouterr()
    assert [r["address"] for r in json.loads(captured.out)] == ["Pod/apps/p"]
    assert "bad.yaml" in captured.err
    cfg = tmp_path / "c.toml"
    cfg.write_text('[isolation]\nfloors = { untrusted = "nope" }\n')
    assert main(["isolation", root, "--config", str(cfg)]) == 2
    assert "isolation.floors.untrusted" in capsys.readouterr().err
    assert main(["isolation", str(tmp_path / "missing")]) == 2


def test_no_workloads(tmp_path, capsys):
    root = write(tmp_path, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'})
    assert main(["isolation", root]) == 0
    assert capsys.readouterr().out.startswith("No workloads found")


def test_an_unknown_never_leaks_into_the_output(tmp_path, capsys):
    root = write(tmp_path, {"main.tf": 'variable "t" {}\nresource "aws_instance" "a" {\n  tenancy = var.t\n}\n'})
    assert main(["isolation", root, "-f", "json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["level"] == "unknown"
    assert any(e["value"] == "(unknown) var.t" for e in row["evidence"])
    assert not any(isinstance(e, Unknown) for e in row["evidence"])


def test_a_crash_in_the_inventory_is_a_located_diagnostic_not_a_traceback(tmp_path, monkeypatch, capsys):
    root = write(tmp_path, {"pods.yaml": pod("a") + "---\n" + pod("b")})

    def crashes(project, options=None):
        for res in project.of_type("Pod"):
            if res.name == "b":
                raise TypeError("a shape nobody tested")
        return []
    monkeypatch.setattr(_levels, "inventory", crashes)
    assert main(["isolation", root, "-f", "json"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert "Traceback" not in captured.err
    assert "pods.yaml:11:1: internal error in the isolation inventory reading Pod/apps/b: TypeError: a shape " \
           "nobody tested" in captured.err, captured.err
