"""The scan end to end: broken files, suppressions, config, pre-commit mode, exit codes, CLI."""

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap

import pytest

from iaclint import registry
from iaclint.cli import main
from iaclint.config import Config
from iaclint.engine import ScanOptions, scan

OPEN_SG = '''resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
'''

PRIVILEGED_POD = '''apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: nginx:1.25
      securityContext:
        privileged: true
'''


def write(root, files: dict[str, str]):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if text.startswith("\n") else text)


def run_scan(root, monkeypatch, paths=(".",), **opts):
    monkeypatch.chdir(root)
    return scan(list(paths), Config(), ScanOptions(**opts))


def ids(result):
    return sorted((f.location.path, f.location.span.line, f.policy_id) for f in result.findings)


def test_one_broken_file_does_not_hide_the_others(tmp_path, monkeypatch):
    write(tmp_path, {"net/main.tf": OPEN_SG, "net/broken.tf": 'resource "x" "y" {\n  a = [1,\n}\n',
                     "k8s/pod.yaml": PRIVILEGED_POD, "k8s/bad.yaml": "a: [1, 2\nb: c\n",
                     "app/Dockerfile": "FROM alpine:3.19\nUSER 1000\n"})
    result = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001", "IAC-ISO-001"])
    assert ("net/main.tf", 6, "IAC-NET-001") in ids(result)
    assert ("k8s/pod.yaml", 10, "IAC-ISO-001") in ids(result)
    errors = {d.path: d for d in result.errors}
    assert set(errors) == {"net/broken.tf", "k8s/bad.yaml"}
    assert errors["net/broken.tf"].span.line >= 2 and errors["net/broken.tf"].span.column >= 1
    assert result.exit_code() == 2


def test_finding_location_has_real_columns(tmp_path, monkeypatch):
    write(tmp_path, {"main.tf": OPEN_SG})
    f = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"]).findings[0]
    s = f.location.span
    assert (s.line, s.column, s.end_line) == (6, 5, 6)
    assert s.end_column == len('    cidr_blocks = ["0.0.0.0/0"]') + 1
    assert f.address == "aws_security_group.ssh" and f.family == "network"


def test_suppressions_above_the_line_the_header_and_trailing(tmp_path, monkeypatch):
    write(tmp_path, {
        "a.tf": OPEN_SG.replace("    cidr_blocks", "    # iaclint: ignore[IAC-NET-001] bastion, reviewed in SEC-1\n    cidr_blocks"),
        "b.tf": "# iaclint: ignore[open-ingress] whole group: honeypot\n# another comment\n" + OPEN_SG.replace('"ssh"', '"b"'),
        "c.tf": OPEN_SG.replace('"ssh"', '"c"').replace('["0.0.0.0/0"]', '["0.0.0.0/0"] # iaclint: ignore[IAC-NET-001] lab only'),
        "d.tf": OPEN_SG.replace('"ssh"', '"d"'),
        "e.tf": "// iaclint: ignore[IAC-NET-001] HCL's other comment style\n" + OPEN_SG.replace('"ssh"', '"e"'),
    })
    result = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"])
    assert ids(result) == [("d.tf", 6, "IAC-NET-001")]
    assert result.suppressed == 4
    assert not [d for d in result.diagnostics if d.code.startswith("suppression")]


def test_expired_and_reasonless_suppressions_are_reported(tmp_path, monkeypatch):
    write(tmp_path, {
        "a.tf": "# iaclint: ignore[IAC-NET-001] until=2020-01-01 temporary\n" + OPEN_SG,
        "b.tf": "# iaclint: ignore[IAC-NET-001]\n" + OPEN_SG.replace('"ssh"', '"b"'),
        "c.tf": "# iaclint: ignore[IAC-NET-001] until=2999-01-01 migration\n" + OPEN_SG.replace('"ssh"', '"c"'),
    })
    result = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"], today=dt.date(2026, 11, 22))
    assert [f.location.path for f in result.findings] == ["a.tf"]  # expired: back in force
    codes = {(d.path, d.code) for d in result.diagnostics}
    assert ("a.tf", "suppression-expired") in codes
    assert ("b.tf", "suppression-without-reason") in codes
    assert result.exit_code() == 1  # warnings about suppressions do not make a run fail with 2


def test_no_inline_suppressions(tmp_path, monkeypatch):
    write(tmp_path, {"a.tf": "# iaclint: ignore[IAC-NET-001] reason\n" + OPEN_SG})
    assert run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"]).findings == []
    assert len(run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"], inline_suppressions=False).findings) == 1


def test_kubernetes_annotation_and_yaml_comment_suppressions(tmp_path, monkeypatch):
    annotated = PRIVILEGED_POD.replace("  name: p\n", '  name: p\n  annotations:\n    iaclint.io/ignore: "IAC-ISO-001: CNI agent"\n')
    commented = PRIVILEGED_POD.replace("name: p", "name: q").replace(
        "        privileged: true", "        # iaclint: ignore[IAC-ISO-001] node debugger\n        privileged: true")
    write(tmp_path, {"a.yaml": annotated, "b.yaml": commented, "c.yaml": PRIVILEGED_POD})
    result = run_scan(tmp_path, monkeypatch, select=["IAC-ISO-001"])
    assert [f.location.path for f in result.findings] == ["c.yaml"]
    assert result.suppressed == 2


def test_unknown_values_are_skipped_and_counted_never_reported(tmp_path, monkeypatch):
    write(tmp_path, {"main.tf": 'variable "cidr" {}\n' + OPEN_SG.replace('["0.0.0.0/0"]', "[var.cidr]")})
    result = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"])
    assert result.findings == []
    assert result.unknown_skips == 1
    assert result.unknowns[0]["expression"] in ("var.cidr", "[var.cidr]")


def test_variable_default_in_sibling_file_resolves(tmp_path, monkeypatch):
    write(tmp_path, {"variables.tf": 'variable "cidr" {\n  default = "0.0.0.0/0"\n}\n',
                     "main.tf": OPEN_SG.replace('["0.0.0.0/0"]', "[var.cidr]")})
    assert ids(run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"])) == [("main.tf", 6, "IAC-NET-001")]


def test_precommit_mode_evaluates_the_module_and_reports_only_passed_files(tmp_path, monkeypatch):
    write(tmp_path, {"mod/variables.tf": 'variable "cidr" {\n  default = "0.0.0.0/0"\n}\n',
                     "mod/main.tf": OPEN_SG.replace('["0.0.0.0/0"]', "[var.cidr]"),
                     "mod/other.tf": OPEN_SG.replace('"ssh"', '"other"')})
    result = run_scan(tmp_path, monkeypatch, paths=["mod/main.tf"], select=["IAC-NET-001"])
    assert ids(result) == [("mod/main.tf", 6, "IAC-NET-001")]
    assert result.files == ["mod/main.tf"]


SG_WITH_CIDR = OPEN_SG.replace('["0.0.0.0/0"]', "[var.cidr]")


def test_precommit_mode_evaluates_a_called_module_with_its_callers_arguments(tmp_path, monkeypatch):
    # Passed alone, a module that others call gets the same findings as in a scan of the tree:
    # with each call's arguments (here through a second module), never its own defaults.
    write(tmp_path, {"modules/sg/main.tf": 'variable "cidr" {\n  default = "10.0.0.0/8"\n}\n' + SG_WITH_CIDR,
                     "modules/app/main.tf": 'variable "cidr" {}\nmodule "sg" {\n  source = "../sg"\n  cidr = var.cidr\n}\n',
                     "live/main.tf": OPEN_SG.replace('"ssh"', '"own"') +
                     'module "app" {\n  source = "../modules/app"\n  cidr   = "0.0.0.0/0"\n}\n',
                     "other/main.tf": OPEN_SG})  # calls nothing: not read
    whole = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"])
    alone = run_scan(tmp_path, monkeypatch, paths=["modules/sg/main.tf"], select=["IAC-NET-001"])
    assert ids(alone) == [i for i in ids(whole) if i[0] == "modules/sg/main.tf"] == \
        [("modules/sg/main.tf", 9, "IAC-NET-001")]
    assert [f.address for f in alone.findings] == ["module.app.module.sg.aws_security_group.ssh"]
    assert alone.files == ["modules/sg/main.tf"]
    from iaclint.discovery import discover
    assert sorted(discover(["modules/sg/main.tf"], str(tmp_path)).context) == ["live/main.tf", "modules/app/main.tf"]


def test_precommit_mode_checks_a_manifest_against_the_other_manifests_of_the_tree(tmp_path, monkeypatch):
    # A NetworkPolicy in another file selects the Deployment; Kustomize pins its image: passed
    # alone, the manifest gets the findings a scan of the tree gives it, and only it is reported.
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"
                  "spec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
                  "      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n"
                  "        image: shop/web\n")
    write(tmp_path, {
        "apps/web.yaml": deployment,
        "apps/open.yaml": deployment.replace("name: web\n  namespace: shop", "name: open\n  namespace: other"),
        "policies/deny.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
                              "  name: deny\n  namespace: shop\nspec:\n  podSelector: {}\n"
                              "  policyTypes: [Ingress, Egress]\n",
        "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                              "images:\n- name: shop/web\n  newTag: 1.2.3\n",
    })
    select = ["IAC-NET-027", "IAC-SUP-004"]
    whole = run_scan(tmp_path, monkeypatch, select=select)
    alone = run_scan(tmp_path, monkeypatch, paths=["apps/web.yaml"], select=select)
    assert ids(alone) == [i for i in ids(whole) if i[0] == "apps/web.yaml"] == []
    assert ("apps/open.yaml", 1, "IAC-NET-027") in ids(whole)  # the check can fail
    assert alone.files == ["apps/web.yaml"]


def test_precommit_mode_reports_what_an_override_file_passed_alone_wrote(tmp_path, monkeypatch):
    write(tmp_path, {"main.tf": OPEN_SG.replace('["0.0.0.0/0"]', '["10.0.0.0/8"]'),
                     "override.tf": 'resource "aws_security_group" "ssh" {\n  ingress {\n    from_port = 22\n'
                                    '    to_port = 22\n    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'})
    whole = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"])
    alone = run_scan(tmp_path, monkeypatch, paths=["override.tf"], select=["IAC-NET-001"])
    assert ids(alone) == ids(whole) == [("override.tf", 6, "IAC-NET-001")]
    assert ids(run_scan(tmp_path, monkeypatch, paths=["main.tf"], select=["IAC-NET-001"])) == []


def test_precommit_mode_does_not_report_a_default_every_caller_overrides(tmp_path, monkeypatch):
    write(tmp_path, {"mod/main.tf": 'variable "cidr" {\n  default = "0.0.0.0/0"\n}\n' + SG_WITH_CIDR,
                     "live/main.tf": 'module "m" {\n  source = "../mod"\n  cidr   = "10.0.0.0/8"\n}\n',
                     "skipped/main.tf": 'module "m" {\n  source = "../mod"\n}\n'})
    assert ids(run_scan(tmp_path, monkeypatch, paths=["mod/main.tf"], select=["IAC-NET-001"],
                        exclude=["skipped/"])) == []
    # without the exclude, the caller that keeps the default is found too
    assert ids(run_scan(tmp_path, monkeypatch, paths=["mod/main.tf"], select=["IAC-NET-001"])) == \
        [("mod/main.tf", 9, "IAC-NET-001")]


def test_helm_templates_and_non_kubernetes_yaml(tmp_path, monkeypatch):
    write(tmp_path, {"chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
                     "chart/templates/pod.yaml": PRIVILEGED_POD.replace("name: p", "name: {{ .Release.Name }}"),
                     ".github/workflows/ci.yml": "on: push\njobs: {}\n",
                     "values.yaml": "image: nginx\n"})
    result = run_scan(tmp_path, monkeypatch, select=["IAC-ISO-001"])
    assert result.findings == [] and result.errors == []
    notes = [d for d in result.diagnostics if d.code == "helm-template"]
    assert [d.path for d in notes] == ["chart/templates/pod.yaml"]


def test_excludes_are_gitignore_style(tmp_path, monkeypatch):
    write(tmp_path, {"live/main.tf": OPEN_SG, "legacy/main.tf": OPEN_SG, "x/testdata/main.tf": OPEN_SG,
                     ".terraform/modules/m/main.tf": OPEN_SG})
    result = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"], exclude=["legacy/", "**/testdata/**"])
    assert [f.location.path for f in result.findings] == ["live/main.tf"]


def test_binary_and_non_utf8_files_are_errors_with_positions(tmp_path, monkeypatch):
    write(tmp_path, {"ok.tf": OPEN_SG})
    (tmp_path / "bin.tf").write_bytes(b"resource \x00\x01")
    (tmp_path / "latin.yaml").write_bytes(b"a: 1\nb: caf\xe9\n")
    result = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"])
    errors = {d.path: d for d in result.errors}
    assert errors["bin.tf"].code == "binary-file"
    assert (errors["latin.yaml"].span.line, errors["latin.yaml"].span.column) == (2, 7)
    assert len(result.findings) == 1


# -- the command line ---------------------------------------------------------------------------

def cli(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_exit_codes_and_threshold(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"main.tf": OPEN_SG})
    monkeypatch.chdir(tmp_path)
    assert cli(["scan", "--select", "IAC-NET-001"], capsys)[0] == 1
    assert cli(["scan", "--select", "IAC-NET-001", "--severity-threshold", "critical"], capsys)[0] == 0
    code, _, err = cli(["scan", "--select", "IAC-NOPE-999"], capsys)
    assert code == 2 and "IAC-NOPE-999" in err
    code, _, err = cli(["scan", "does-not-exist"], capsys)
    assert code == 2 and "does-not-exist" in err


def test_cli_config_errors_name_the_key(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"main.tf": OPEN_SG, ".iaclint.toml": 'selekt = ["network"]\n'})
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(["scan"], capsys)
    assert code == 2 and "selekt" in err
    write(tmp_path, {".iaclint.toml": 'severity-threshold = "severe"\n'})
    code, _, err = cli(["scan"], capsys)
    assert code == 2 and "severity-threshold" in err


def test_cli_config_from_pyproject(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"main.tf": OPEN_SG, "pyproject.toml": '[tool.iaclint]\nignore = ["network"]\n'})
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(["scan", "--format", "json"], capsys)
    assert code == 0, out
    assert json.loads(out)["findings"] == []


def test_cli_outputs_json_and_sarif_to_file(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"main.tf": OPEN_SG})
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(["scan", "--format", "json", "--select", "network"], capsys)
    data = json.loads(out)
    assert code == 1 and data["findings"][0]["id"] == "IAC-NET-001" and data["findings"][0]["line"] == 6
    code, out, _ = cli(["scan", "--format", "sarif", "--output", "out.sarif", "--select", "network"], capsys)
    assert code == 1 and out == ""
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "IAC-NET-001"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "main.tf"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".iaclint-")]  # no temp file left


def test_cli_rules_and_explain(capsys):
    code, out, _ = cli(["rules", "--format", "json"], capsys)
    rules = json.loads(out)
    assert code == 0 and {r["family"] for r in rules} == {"network", "encryption", "secrets", "isolation", "supply-chain"}
    code, out, _ = cli(["explain", "IAC-NET-001"], capsys)
    assert code == 0 and "Why" in out and "Fix" in out and "CKV" in out
    assert cli(["explain", "IAC-XXX-000"], capsys)[0] == 2


def test_python_3_11_before_5_is_refused_with_the_reason(monkeypatch, capsys):
    from iaclint import cli as cli_mod
    message = cli_mod.python_problem((3, 11, 2))
    assert "3.11.2" in message and "3.11.5" in message and "gh-106052" in message
    assert cli_mod.python_problem((3, 11, 4)) is not None
    assert cli_mod.python_problem((3, 11, 5)) is None and cli_mod.python_problem((3, 13, 0)) is None
    assert cli_mod.python_problem() is None  # this Python (requires-python keeps it so)
    monkeypatch.setattr(cli_mod, "python_problem", lambda: "too old")
    assert main(["scan", "."]) == 2
    assert capsys.readouterr().err == "iaclint: error: too old\n"


def test_this_python_matches_possessive_quantifiers_as_documented():
    # CPython gh-106052: on 3.11.0-3.11.4 this matched, and the HCL parser read "a${b}" as text.
    import re
    assert re.fullmatch("(?:ab?c)*+", "a") is None
    from iaclint.model import Span
    from iaclint.parsers import hcl
    assert type(hcl.parse_expression('"a${b}"', Span(1, 1, 1, 8))).__name__ == "Template"


def test_version_and_rules_do_not_import_parsers():
    code = ("import sys, runpy\n"
            "sys.argv = ['iaclint', 'rules']\n"
            "from iaclint.cli import main\n"
            "main()\n"
            "bad = [m for m in sys.modules if m.startswith(('iaclint.parsers', 'yaml', 'hcl2', 'lark', 'jsonschema'))]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "iaclint", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("iaclint ")


def test_a_scan_imports_neither_typing_nor_dataclasses(tmp_path):
    # Each costs a short scan a quarter of its instructions (dataclasses brings inspect, ast, dis
    # and tokenize, then execs every generated method); annotations need neither.
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                       "spec:\n  containers: [{name: c, image: nginx}]\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nRUN pip install x\n")
    code = ("import sys\n"
            "from iaclint.cli import main\n"
            "try:\n"
            "    main(['scan', '--no-cache', '--jobs', '1', '-f', 'sarif', '-o', sys.argv[2], sys.argv[1]])\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(sorted(m for m in ('typing', 'dataclasses', 'inspect', 'ast') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(tmp_path / "out.sarif")],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
    ran = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in ran["results"]} \
        == {"main.tf", "pod.yaml", "Dockerfile"}


def test_a_run_builds_only_its_subcommand_and_reads_it_as_the_full_parser_does(capsys):
    from iaclint.cli import COMMANDS, build_parser, main
    full = build_parser()
    for argv in (["scan", "a", "b", "-f", "sarif", "--var", "x=1", "--var-file", "f.tfvars", "-j", "2"],
                 ["rules", "-f", "json"], ["explain", "IAC-NET-001"], ["isolation", ".", "-f", "markdown"]):
        assert vars(build_parser(argv[0]).parse_args(argv)) == vars(full.parse_args(argv))
    assert main([]) == 2  # no command: the full help, every command listed
    out = capsys.readouterr().out
    assert all(command in out for command in COMMANDS)
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    assert "--changed-since" in capsys.readouterr().out


def test_explicit_files_still_honour_excludes(tmp_path, monkeypatch):
    write(tmp_path, {"legacy/main.tf": OPEN_SG, "live/main.tf": OPEN_SG})
    result = run_scan(tmp_path, monkeypatch, paths=["legacy/main.tf", "live/main.tf"],
                      select=["IAC-NET-001"], exclude=["legacy/"])
    assert [f.location.path for f in result.findings] == ["live/main.tf"]


def test_unknown_in_a_project_policy_stops_only_that_part(tmp_path, monkeypatch):
    write(tmp_path, {"a/Dockerfile": "ARG BASE\nFROM $BASE\nRUN make\n",
                     "b/Dockerfile": "FROM alpine:3.19\nRUN make\n"})
    result = run_scan(tmp_path, monkeypatch, select=["IAC-ISO-005"])
    assert ids(result) == [("b/Dockerfile", 1, "IAC-ISO-005")]
    assert result.unknown_skips == 1
    assert result.unknowns[0]["path"] == "a/Dockerfile" and "BASE" in result.unknowns[0]["expression"]


def test_a_scan_imports_only_the_policies_that_apply_to_what_it_found(tmp_path, monkeypatch):
    write(tmp_path, {"app/Dockerfile": "FROM python:3.12\nUSER root\nRUN curl -k https://x | sh\n",
                     "infra/main.tf": OPEN_SG})
    code = ("import sys, json\n"
            "from iaclint.engine import scan\n"
            "from iaclint import registry\n"
            "res = scan([sys.argv[1]])\n"
            "mods = sorted(m for m in sys.modules if m.startswith('iaclint.policies.'))\n"
            "print(json.dumps({'mods': mods, 'ran': [p.id for p in res.policies],\n"
            "                  'found': sorted((f.location.path, f.policy_id) for f in res.findings)}))\n")
    run = lambda folder: json.loads(subprocess.run([sys.executable, "-c", code, str(folder)], check=True,
                                                   capture_output=True, text=True).stdout)
    both = run(tmp_path)
    docker = run(tmp_path / "app")
    from iaclint.policies._index import MODULES
    imported = [m for m in docker["mods"] if m in MODULES]
    assert imported and all(any(types == ("dockerfile:stage",) or "dockerfile:stage" in types
                                for _i, _n, _f, types in MODULES[m]) for m in imported), imported
    assert any("dockerfile_root_user" in m for m in docker["mods"])
    assert {"IAC-ISO-005", "IAC-SUP-002"} <= {pid for _, pid in docker["found"]}
    # the same findings as a scan that loads and runs every policy
    assert [f for f in both["found"] if f[0].startswith("app/")] == [["app/" + p, pid] for p, pid in docker["found"]]
    monkeypatch.setattr(registry, "catalogue", registry.all_policies)  # every policy, imported and run
    everything = scan([str(tmp_path)])
    assert sorted((f.location.path, f.policy_id) for f in everything.findings) == [tuple(f) for f in both["found"]]
    assert set(docker["ran"]) < set(both["ran"]) and "IAC-NET-001" in both["ran"]


def test_an_index_entry_becomes_its_policy_and_a_stale_one_falls_back(monkeypatch):
    from iaclint.registry import Entry
    (pol,) = registry.resolve([Entry("IAC-NET-001", "open-ingress", "network", frozenset({"aws_security_group"}),
                                     "iaclint.policies.network.open_ingress")])
    assert pol.id == "IAC-NET-001" and callable(pol.func)
    # an index naming a module that no longer registers the policy: every module is read instead
    (moved,) = registry.resolve([Entry("IAC-NET-001", "open-ingress", "network", frozenset(),
                                       "iaclint.policies.network")])
    assert moved is pol


def test_precommit_mode_finds_callers_in_one_line_blocks_and_minified_json(tmp_path, monkeypatch):
    write(tmp_path, {"mod/main.tf": 'variable "cidr" {\n  default = "0.0.0.0/0"\n}\n' + SG_WITH_CIDR,
                     "hcl/main.tf": 'module "one_line" { source = "../mod" }\n',
                     "json/main.tf.json": '{"module":{"minified":{"source":"../mod","cidr":"0.0.0.0/0"}}}',
                     "escaped/main.tf.json": '{"module":{"escaped":{"source":"..\\/mod"}}}',
                     "other/main.tf": 'resource "aws_s3_object" "o" { data_source = "../mod" }\n'})
    whole = run_scan(tmp_path, monkeypatch, select=["IAC-NET-001"])
    alone = run_scan(tmp_path, monkeypatch, paths=["mod/main.tf"], select=["IAC-NET-001"])
    addresses = ["module.escaped.aws_security_group.ssh", "module.minified.aws_security_group.ssh",
                 "module.one_line.aws_security_group.ssh"]
    assert sorted(f.address for f in whole.findings) == sorted(f.address for f in alone.findings) == addresses
    from iaclint.discovery import discover
    assert sorted(discover(["mod/main.tf"], str(tmp_path)).context) == \
        ["escaped/main.tf.json", "hcl/main.tf", "json/main.tf.json"]


HOOK_NAMES = [  # (each also under a directory) what iaclint's discovery takes by name, and near misses
    "main.tf", "MAIN.TF", "x.tf.json", "X.Tf.Json", "a.tfvars", "A.TFVARS", "a.tfvars.json", "A.TFVARS.JSON",
    "k.yaml", "K.YAML", "k.yml", "K.YML", ".yaml", "docker-compose.yml",
    "Dockerfile", "dockerfile", "DOCKERFILE", "Dockerfile.dev", "dockerfile.PROD", "Dockerfile.",
    "Containerfile", "containerfile", "CONTAINERFILE", "Containerfile.arm64",
    "x.dockerfile", "X.DOCKERFILE", "x.Dockerfile", "x.containerfile", "X.ContainerFile", ".dockerfile",
    "Dockerfilefoo", "Dockerfile-dev", "Containerfiles", "my-dockerfile", "notdockerfile", "x.dockerfile.bak",
    "terragrunt.hcl", "x.hcl", "x.tfstate", "x.json", "main.tf.bak", "k.yaml.orig", "tf", "yaml", "README.md",
]


def test_precommit_hook_passes_exactly_the_files_discovery_takes_by_name():
    # pre-commit passes a file only if `files` matches its path AND its identify tags pass
    # `types`/`types_or`: identify tags neither `x.dockerfile` nor `containerfile`, so the hook
    # selects by name alone, as discovery does. (Plan JSON is told by content: not by the hook.)
    import re
    import yaml
    from iaclint.discovery import kind_of
    from .conftest import ROOT
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        (hook,) = yaml.safe_load(fh)
    assert "types" not in hook and sorted(hook["types_or"]) == ["file", "symlink"]
    files = re.compile(hook["files"])
    for name in HOOK_NAMES:
        for path in (name, f"infra/a.yaml.d/{name}", f"Dockerfile/{name}"):
            assert bool(files.search(path)) == (kind_of(path, peek=False) is not None), path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_passed_by_name_is_an_error_like_an_unreadable_file_and_is_never_read(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"main.tf": OPEN_SG})
    os.mkfifo(tmp_path / "fifo")      # reading either would block the scan forever
    os.mkfifo(tmp_path / "pipe.tf")
    result = run_scan(tmp_path, monkeypatch, paths=["fifo", "pipe.tf", "main.tf"], select=["IAC-NET-001"])
    assert [(d.path, d.code) for d in result.errors] == [("fifo", "not-a-file"), ("pipe.tf", "not-a-file")]
    assert ids(result) == [("main.tf", 6, "IAC-NET-001")] and result.exit_code() == 2
    code, out, _ = cli(["scan", "./fifo", "--no-cache"], capsys)
    assert code == 2 and "fifo:1:1: error: not a regular file" in out


def test_project_remembers_one_value_per_key_for_its_own_life():
    """What policies derive from a whole project is built once per project and key, and a
    failed build is not kept: the next policy that asks builds it again."""
    from iaclint.project import Project
    calls = []

    def build(tag):
        calls.append(tag)
        return [tag]

    first, second = Project([]), Project([])
    a = first.remembered("index", lambda: build("a"))
    assert first.remembered("index", lambda: build("b")) is a and calls == ["a"]
    assert first.remembered(("index", "other settings"), lambda: build("c")) == ["c"]
    assert second.remembered("index", lambda: build("d")) == ["d"]  # another project, its own
    assert calls == ["a", "c", "d"]

    def fails():
        raise ValueError("a policy bug")
    with pytest.raises(ValueError):
        first.remembered("broken", fails)
    assert first.remembered("broken", lambda: build("e")) == ["e"]
