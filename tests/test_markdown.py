"""--format markdown: the pull-request / job summary."""

from __future__ import annotations

import io
import re

from iaclint import cli
from iaclint.model import Diagnostic, Finding, Location, Severity, Span
from iaclint.output import FORMATS, render
from iaclint.output import markdown
from iaclint.registry import Policy
from iaclint.result import ScanResult


def pol(id, family, severity):
    return Policy(id=id, name=id.lower(), severity=severity, family=family, applies_to=frozenset({"t"}),
                  func=lambda r, o: (), doc=f"{id} summary.")


POLICIES = [pol("IAC-NET-001", "network", Severity.HIGH), pol("IAC-ENC-001", "encryption", Severity.MEDIUM),
            pol("IAC-ISO-001", "isolation", Severity.CRITICAL)]


def finding(pid, path, line, severity, message="m", address="r.x", family=""):
    return Finding(pid, severity, message, Location(path, Span(line, 3, line, 9)), address, family=family)


def result(findings, **kw):
    kw.setdefault("files", sorted({f.location.path for f in findings}) or ["main.tf"])
    return ScanResult(root="/nonexistent", findings=findings, diagnostics=kw.pop("diagnostics", []),
                      policies=POLICIES, **kw)


def md(res, **opts) -> str:
    out = io.StringIO()
    render("markdown", res, out, **opts)
    return out.getvalue()


def test_registered():
    assert "markdown" in FORMATS


def test_summary_table_and_grouping():
    res = result([
        finding("IAC-NET-001", "b/main.tf", 12, Severity.HIGH, "open to the world", "aws_sg.web", "network"),
        finding("IAC-ENC-001", "a.tf", 3, Severity.MEDIUM, "not encrypted", "aws_ebs.x", "encryption"),
        finding("IAC-ISO-001", "k8s/pod.yaml", 7, Severity.CRITICAL, "privileged", "Pod/default/p", "isolation"),
        finding("IAC-NET-001", "b/main.tf", 30, Severity.HIGH, "again", "aws_sg.db", "network"),
    ], suppressed=2)
    text = md(res)
    lines = text.splitlines()
    assert lines[0] == "### iaclint: 4 findings"
    assert "4 findings (1 critical, 2 high, 1 medium) in 3 files scanned, 2 suppressed." in text
    table = [line for line in lines if line.startswith("|")]
    assert table == [
        "| family | critical | high | medium | total |",
        "|---|---:|---:|---:|---:|",
        "| network | 0 | 2 | 0 | 2 |",
        "| encryption | 0 | 0 | 1 | 1 |",
        "| isolation | 1 | 0 | 0 | 1 |",
        "| **total** | 1 | 2 | 1 | **4** |",
    ]
    headings = [line for line in lines if line.startswith("#### ")]
    assert headings == ["#### `a.tf`", "#### `b/main.tf`", "#### `k8s/pod.yaml`"]
    assert "- `b/main.tf:12` **IAC-NET-001** high: open to the world (`aws_sg.web`)" in lines
    assert "- `b/main.tf:30` **IAC-NET-001** high: again (`aws_sg.db`)" in lines
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_capped_with_and_n_more():
    res = result([finding("IAC-NET-001", f"f{i:02}.tf", 1, Severity.HIGH) for i in range(60)])
    text = md(res)
    assert text.count("**IAC-NET-001**") == markdown.DEFAULT_LIMIT
    assert "...and 10 more findings (`iaclint scan` lists them all)." in text
    text = md(res, limit=3)
    assert text.count("**IAC-NET-001**") == 3 and "...and 57 more findings" in text
    assert "`f02.tf:1`" in text and "`f03.tf:1`" not in text


def test_no_findings():
    text = md(result([]))
    assert text.startswith("### iaclint: no findings\n\n0 findings in 1 file scanned.")
    assert "|" not in text


def test_baseline_threshold_and_errors():
    res = result([finding("IAC-ENC-001", "a.tf", 1, Severity.MEDIUM)], threshold=Severity.HIGH,
                 baseline={"path": "b.json", "entries": 5, "matched": 4, "unmatched": 1},
                 diagnostics=[Diagnostic("error", "unexpected '}'", "broken.tf", Span.point(3, 7), "parse-error")])
    text = md(res)
    assert text.startswith("### iaclint: 1 new finding\n")
    assert ("1 new finding (1 medium) in 1 file scanned, 4 in the baseline, 1 baseline entry no longer "
            "matches, 0 at or above the severity threshold (high), **1 error** (files not checked).") in text
    assert "#### Errors\n\n- `broken.tf:3` unexpected '}' (`parse-error`)" in text


def test_text_from_scanned_files_cannot_format_the_comment():
    hostile = ("<img src=x onerror=alert(1)> @octocat see http://evil.example/x or www.evil.example "
               "[click](https://evil.example) **bold** `code` | pipe\nnext line \x1b[31m \u202e")
    res = result([finding("IAC-NET-001", "we`ird @path.tf", 1, Severity.HIGH, hostile, "a`b")])
    text = md(res)
    assert "<img" not in text.replace("\\<img", "")
    assert not re.search(r"@octocat", text.replace("@\u200boctocat", ""))
    assert "://" not in text.replace(":\u200b//", "")
    assert "www." not in text.replace("w\u200bww.", "").replace("www\u200b.", "")
    assert "](" not in text.replace("\\](", "")
    assert "\x1b" not in text and "\u202e" not in text
    assert "next line" in text and "\nnext line" not in text
    # a path or address holding backticks stays one code span
    assert "``we`ird @path.tf:1``" in text and "(``a`b``)" in text


def test_code_span_helper():
    assert markdown.code("plain") == "`plain`"
    assert markdown.code("a`b") == "``a`b``"
    assert markdown.code("`x`") == "`` `x` ``"


def test_cli_markdown(tmp_path, capsys, monkeypatch):
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER app\nEXPOSE 22\n")
    monkeypatch.chdir(tmp_path)
    code = cli.main(["scan", ".", "--format", "markdown", "--select", "IAC-NET-003"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("### iaclint: 1 finding\n")
    assert "- `Dockerfile:3` **IAC-NET-003** medium: " in out
