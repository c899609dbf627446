"""Machine-readable output: one JSON document, a stable and versioned shape.

Shape (``version`` 1; fields are only ever added in a new version, never renamed)::

    {
      "version": 1,                         # version of this shape, not of iaclint
      "tool": {"name": "iaclint", "version": "1.0.0"},
      "summary": {
        "findings": 3,                      # reported findings (suppressed ones excluded)
        "by_severity": {"critical": 0, "high": 2, "medium": 1, "low": 0},   # always all four
        "by_family": {"network": 2, "encryption": 1, "secrets": 0,
                      "isolation": 0, "supply-chain": 0},  # every family, then others sorted
        "files": 12,                        # files scanned
        "resources": 40,                    # resources checked
        "suppressed": 2,                    # findings dropped by suppression comments/config
        "unknown_skips": 1,                 # checks skipped because a value was Unknown
        "errors": 0                         # diagnostics of level "error" (files not checked)
      },
      "findings": [                         # sorted by path, line, column, id, address
        {
          "id": "IAC-NET-001",              # policy id
          "name": "open-ssh",               # policy name ("" when the policy is not known)
          "severity": "high",               # critical | high | medium | low
          "family": "network",
          "message": "Security group allows SSH from 0.0.0.0/0",
          "path": "main.tf",                # POSIX path relative to the scan root
          "line": 12, "column": 5,          # 1-based
          "end_line": 12, "end_column": 30, # 1-based, end column exclusive
          "address": "aws_security_group.web",  # resource address ("" when none)
          "properties": {}                  # policy-specific facts about the finding
        }
      ],
      "diagnostics": [                      # sorted by path, line, column, code
        {
          "level": "error",                 # error | warning | note
          "code": "parse-error",            # "" when none
          "message": "unexpected token '}'",
          "path": "broken.tf",              # "" when the diagnostic is about no file
          "line": 3, "column": 7            # null when the position is not known
        }
      ],
      "unknowns": [ {...} ],                # what was Unknown (as the engine records it)
      "baseline": {                         # only with --baseline (absent otherwise)
        "path": "iaclint-baseline.json",    # the baseline file as given
        "entries": 120,                     # entries in the file
        "matched": 118,                     # findings it matched (left out of "findings")
        "unmatched": 2                      # entries that matched nothing: prune them
      }
    }

Positions are never below 1 and an end is never before its start. Output is deterministic:
fixed key order, sorted lists, two-space indentation, ASCII only, a trailing newline.
:data:`JSON_SCHEMA` is the same contract as a JSON Schema (draft 2020-12).
"""

from __future__ import annotations

import json

from ..model import FAMILIES
from ._common import (SEVERITIES, by_family, by_severity, dumps_indented, family_of, jsonable, policy_index,
                      region)

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, TextIO
    from ..result import ScanResult

__all__ = ["write", "build", "JSON_SCHEMA", "SHAPE_VERSION"]

SHAPE_VERSION = 1

_COUNT = {"type": "integer", "minimum": 0}
_POSITION = {"type": "integer", "minimum": 1}

JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "iaclint JSON report, version 1",
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "tool", "summary", "findings", "diagnostics", "unknowns"],
    "properties": {
        "version": {"const": SHAPE_VERSION},
        "tool": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "version"],
            "properties": {
                "name": {"const": "iaclint"},
                "version": {"type": "string", "minLength": 1},
            },
        },
        "summary": {
            "type": "object",
            "additionalProperties": False,
            "required": ["findings", "by_severity", "by_family", "files", "resources",
                         "suppressed", "unknown_skips", "errors"],
            "properties": {
                "findings": _COUNT,
                "by_severity": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [str(s) for s in SEVERITIES],
                    "properties": {str(s): _COUNT for s in SEVERITIES},
                },
                "by_family": {
                    "type": "object",
                    "required": list(FAMILIES),
                    "additionalProperties": _COUNT,
                },
                "files": _COUNT,
                "resources": _COUNT,
                "suppressed": _COUNT,
                "unknown_skips": _COUNT,
                "errors": _COUNT,
            },
        },
        "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
        "diagnostics": {"type": "array", "items": {"$ref": "#/$defs/diagnostic"}},
        "unknowns": {"type": "array", "items": {"type": "object"}},
        "baseline": {  # only with --baseline
            "type": "object",
            "additionalProperties": False,
            "required": ["path", "entries", "matched", "unmatched"],
            "properties": {"path": {"type": "string"}, "entries": _COUNT, "matched": _COUNT,
                           "unmatched": _COUNT},
        },
    },
    "$defs": {
        "finding": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "name", "severity", "family", "message", "path", "line", "column",
                         "end_line", "end_column", "address", "properties"],
            "properties": {
                "id": {"type": "string", "pattern": "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"},
                "name": {"type": "string"},
                "severity": {"enum": [str(s) for s in SEVERITIES]},
                "family": {"type": "string"},
                "message": {"type": "string"},
                "path": {"type": "string"},
                "line": _POSITION,
                "column": _POSITION,
                "end_line": _POSITION,
                "end_column": _POSITION,
                "address": {"type": "string"},
                "properties": {"type": "object"},
            },
        },
        "diagnostic": {
            "type": "object",
            "additionalProperties": False,
            "required": ["level", "code", "message", "path", "line", "column"],
            "properties": {
                "level": {"enum": ["error", "warning", "note"]},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "path": {"type": "string"},
                "line": {"type": ["integer", "null"], "minimum": 1},
                "column": {"type": ["integer", "null"], "minimum": 1},
            },
        },
    },
}


def _unknown_key(item: dict) -> tuple:
    def num(v: Any) -> int:
        return v if isinstance(v, int) and not isinstance(v, bool) else 0
    return (str(item.get("path", "")), num(item.get("line")), num(item.get("column")),
            json.dumps(item, sort_keys=True))


def build(result: "ScanResult") -> dict:
    """The report as plain dicts and lists, in the documented key order."""
    from .. import __version__

    policies = policy_index(result)
    findings = sorted(result.findings, key=lambda f: f.sort_key())
    diagnostics = sorted(result.diagnostics, key=lambda d: d.sort_key())
    out_findings = []
    for f in findings:
        line, column, end_line, end_column = region(f.location.span)
        pol = policies.get(f.policy_id)
        out_findings.append({
            "id": f.policy_id,
            "name": pol.name if pol is not None else "",
            "severity": str(f.severity),
            "family": family_of(f, policies),
            "message": f.message,
            "path": f.location.path,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "address": f.address or "",
            "properties": jsonable(dict(f.properties or {})),
        })
    out_diagnostics = []
    for d in diagnostics:
        line = column = None
        if d.span is not None:
            line, column, _, _ = region(d.span)
        out_diagnostics.append({
            "level": d.level if d.level in ("error", "warning", "note") else "note",
            "code": d.code or "",
            "message": d.message,
            "path": d.path or "",
            "line": line,
            "column": column,
        })
    unknowns = [jsonable(u) if isinstance(u, dict) else {"value": jsonable(u)}
                for u in result.unknowns]
    unknowns.sort(key=_unknown_key)
    doc = {
        "version": SHAPE_VERSION,
        "tool": {"name": "iaclint", "version": __version__},
        "summary": {
            "findings": len(findings),
            "by_severity": by_severity(findings),
            "by_family": by_family(findings, policies),
            "files": len(result.files),
            "resources": result.resources,
            "suppressed": result.suppressed,
            "unknown_skips": result.unknown_skips,
            "errors": len(result.errors),
        },
        "findings": out_findings,
        "diagnostics": out_diagnostics,
        "unknowns": unknowns,
    }
    if result.baseline is not None:
        doc["baseline"] = {k: result.baseline[k] for k in ("path", "entries", "matched", "unmatched")}
    return doc


def write(result: "ScanResult", stream: TextIO, **opts: Any) -> None:
    stream.write(dumps_indented(build(result)) + "\n")
