"""SARIF 2.1.0 output, shaped for GitHub code scanning.

One run. ``tool.driver.rules`` holds every policy that ran (sorted by id), generated from the
policy metadata: summary, the ``## Why`` section, the docstring as help (plain text and
markdown), CWE tag, GitHub's ``security-severity`` and ``problem.severity``, precision and the
Checkov/Trivy equivalents. Each result has exactly one location (repository-relative,
percent-encoded URI against ``%SRCROOT%``; a region whose lines and columns are all >= 1), the
resource address as a logical location, and ``partialFingerprints.primaryLocationLineHash``
computed exactly as github/codeql-action does (see :mod:`iaclint.output.fingerprint`), so
alerts keep their identity when unrelated lines move.

Options: ``category`` sets ``automationDetails.id`` (``--sarif-category``; a trailing ``/`` is
added when the value holds none, so GitHub reads it as a category and not a run id).

Severity mapping (``level`` / ``security-severity`` / ``problem.severity``): critical ->
error / 9.5 / error; high -> error / 8.0 / error; medium -> warning / 5.5 / warning; low ->
note / 2.0 / recommendation. Rule tags: ``security``, the family, and
``external/cwe/cwe-<n>`` when the policy names a CWE.

Findings the engine suppressed never reach this writer, nor findings a ``--baseline`` matched:
with a baseline every result has ``baselineState: "new"`` and ``run.properties.baseline``
counts the entries (``entries``, ``matched``, ``unmatched``). Diagnostics (parse errors, stale
suppressions) become ``invocations[0].toolExecutionNotifications``; any ``error`` makes
``executionSuccessful`` false. Output is deterministic: two-space indentation, ASCII, a
trailing newline.
"""

from __future__ import annotations

import os
import re
from operator import itemgetter

from ..model import Severity
from ._common import dumps_indented, family_of, region
from .fingerprint import line_hashes

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, TextIO
    from ..model import Diagnostic, Finding
    from ..registry import Policy
    from ..result import ScanResult

__all__ = ["write", "build", "SCHEMA_URI", "LEVELS", "SECURITY_SEVERITY", "PROBLEM_SEVERITY"]

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/iaclint/iaclint"
SRCROOT = "%SRCROOT%"

LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error",
          Severity.MEDIUM: "warning", Severity.LOW: "note"}
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0",
                     Severity.MEDIUM: "5.5", Severity.LOW: "2.0"}
PROBLEM_SEVERITY = {Severity.CRITICAL: "error", Severity.HIGH: "error",
                    Severity.MEDIUM: "warning", Severity.LOW: "recommendation"}
_NOTIFICATION_LEVELS = ("error", "warning", "note")


# -- rules ------------------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_CODE = re.compile(r"`([^`]+)`")
# match -> group: as the templates r"\1" and r"\2", without a Python call per match to expand them
_FIRST, _SECOND = itemgetter(1), itemgetter(2)


def plain_text(markdown: str) -> str:
    """Markdown as readable plain text: no heading marks, fences, backticks or link syntax.

    Each pattern runs only on lines holding the characters it needs: a rule's help is ~50
    lines, and running the four substitutions on every line took 0.4 ms per rule."""
    out: list[str] = []
    in_code = False
    for line in markdown.splitlines():
        if ("```" in line or "~~~" in line) and _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            out.append("    " + line)
            continue
        if "#" in line and (heading := _HEADING.match(line)):
            line = heading.group(1)
        if "](" in line:
            line = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", line)
        if "**" in line or "__" in line:
            line = _EMPHASIS.sub(_SECOND, line)
        if "`" in line:
            line = _CODE.sub(_FIRST, line)
        out.append(line.rstrip())
    return "\n".join(out).strip()


def _rule(policy: "Policy") -> dict:
    summary = policy.summary
    why = (policy.sections or {}).get("why", "")
    body = policy.body
    tags = ["security", policy.family]
    if policy.cwe:
        tags.append(f"external/cwe/cwe-{policy.cwe}")
    return {
        "id": policy.id,
        "name": policy.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary}\n\n{plain_text(why)}" if why.strip() else summary},
        "help": {"text": plain_text(body) if body else summary, "markdown": body or summary},
        "helpUri": policy.help_uri,
        "defaultConfiguration": {"level": LEVELS[policy.severity]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[policy.severity],
            "precision": policy.precision,
            "problem.severity": PROBLEM_SEVERITY[policy.severity],
            "equivalents": {"checkov": list(policy.checkov), "trivy": list(policy.trivy)},
        },
    }


def _stand_in_rule(finding: "Finding", family: str) -> dict:
    """A rule for a finding whose policy is not in ``result.policies`` (keeps ruleIndex valid)."""
    tags = ["security", family] if family else ["security"]
    return {
        "id": finding.policy_id,
        "shortDescription": {"text": finding.policy_id},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "problem.severity": PROBLEM_SEVERITY[finding.severity],
        },
    }


# -- locations --------------------------------------------------------------------------------

# What urllib.parse.quote(text, safe="/") leaves as it is: letters, digits, "_.-~" and "/".
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/"
_PERCENT = tuple(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256))


def _percent_encoded(raw: bytes) -> str:
    """``raw`` percent-encoded as ``urllib.parse.quote_from_bytes(raw, safe="/")`` does it.

    Written out: importing urllib.parse (with the ipaddress module it imports) and pathlib cost
    every SARIF run ~18M instructions.
    """
    if not raw.translate(None, _UNRESERVED):
        return raw.decode("ascii")
    return "".join([_PERCENT[b] for b in raw])


def artifact_uri(path: str) -> str:
    """A repository-relative POSIX path as a URI reference (percent-encoded, ``/`` kept).

    The path's bytes are those of the file name on disk: a name that is not UTF-8 (read
    with surrogate escapes) is encoded as its original bytes."""
    return _percent_encoded(path.encode("utf-8", "surrogateescape"))


def root_uri(root: str) -> str:
    """``file://`` URI of the scan root, with a trailing ``/`` (as ``Path.as_uri()`` writes it)."""
    path = os.path.abspath(root)
    if os.name == "nt":  # drive letters and UNC shares: pathlib knows their URI forms
        from pathlib import Path
        uri = Path(path).as_uri()
    else:
        uri = "file://" + _percent_encoded(os.fsencode(path))
    return uri if uri.endswith("/") else uri + "/"


def _region(span) -> dict:
    line, column, end_line, end_column = region(span)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _physical(path: str, span) -> dict:
    loc: dict = {"artifactLocation": {"uri": artifact_uri(path), "uriBaseId": SRCROOT}}
    if span is not None:
        loc["region"] = _region(span)
    return loc


def _notification(d: "Diagnostic") -> dict:
    note: dict = {
        "level": d.level if d.level in _NOTIFICATION_LEVELS else "note",
        "message": {"text": d.message or d.code or d.level},
    }
    if d.code:
        note["descriptor"] = {"id": d.code}
    if d.path:
        note["locations"] = [{"physicalLocation": _physical(d.path, d.span)}]
    return note


# -- the log ----------------------------------------------------------------------------------

def build(result: "ScanResult", **opts: Any) -> dict:
    """The SARIF log as plain dicts."""
    from .. import __version__

    policies: dict[str, "Policy"] = {}
    for p in sorted(result.policies, key=lambda p: p.id):
        policies.setdefault(p.id, p)
    rules = [_rule(p) for p in policies.values()]
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}

    findings = sorted(result.findings, key=lambda f: f.sort_key())
    for f in findings:  # findings of a policy the run does not list: a stand-in rule each
        if f.policy_id not in rule_index:
            rule_index[f.policy_id] = len(rules)
            rules.append(_stand_in_rule(f, family_of(f, policies)))

    # primaryLocationLineHash: hash each file with results once, up to its last wanted line.
    starts = [region(f.location.span)[0] for f in findings]
    wanted: dict[str, set[int]] = {}
    for f, line in zip(findings, starts):
        wanted.setdefault(f.location.path, set()).add(line)
    hashes: dict[str, dict[int, str]] = {}
    for path, lines in wanted.items():
        text = result.source(path)
        hashes[path] = line_hashes(text, lines) if text is not None else {}

    results = []
    for f, line in zip(findings, starts):
        location: dict = {"physicalLocation": _physical(f.location.path, f.location.span)}
        if f.address:
            location["logicalLocations"] = [{"fullyQualifiedName": f.address, "kind": "resource"}]
        res: dict = {
            "ruleId": f.policy_id,
            "ruleIndex": rule_index[f.policy_id],
            "level": LEVELS[f.severity],
            "message": {"text": f.message or f.policy_id},
            "locations": [location],
        }
        line_hash = hashes[f.location.path].get(line)
        if line_hash is not None:
            res["partialFingerprints"] = {"primaryLocationLineHash": line_hash}
        if result.baseline is not None:  # what the baseline matched is not in the results
            res["baselineState"] = "new"
        res["properties"] = {"severity": str(f.severity), "family": family_of(f, policies)}
        results.append(res)

    diagnostics = sorted(result.diagnostics, key=lambda d: d.sort_key())
    run: dict = {
        "tool": {
            "driver": {
                "name": "iaclint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
    }
    category = opts.get("category")
    if category:
        category = str(category)
        run["automationDetails"] = {"id": category if "/" in category else category + "/"}
    run["invocations"] = [{
        "executionSuccessful": not result.errors,
        "toolExecutionNotifications": [_notification(d) for d in diagnostics],
    }]
    run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri(result.root)}}
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = results
    run["properties"] = {"unknownSkips": result.unknown_skips, "suppressed": result.suppressed}
    if result.baseline is not None:
        run["properties"]["baseline"] = {k: result.baseline[k] for k in ("entries", "matched", "unmatched")}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def write(result: "ScanResult", stream: TextIO, **opts: Any) -> None:
    stream.write(dumps_indented(build(result, **opts)) + "\n")
