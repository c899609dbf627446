"""Baselines: record today's findings, then report only new ones.

``iaclint scan --write-baseline FILE`` writes one entry per finding; ``--baseline FILE`` drops
the findings that match an entry and counts the entries that no longer match anything.

An entry identifies a finding by its policy id, its resource address, its file and a hash of
the offending code: the source text of the finding's region (for a finding on a block header,
the header), with all whitespace removed. Never by line number: lines added or removed elsewhere in
the file do not bring a recorded finding back, and re-indenting the code does not either.
Editing the offending code itself makes the finding new again, on purpose.

Entries are a multiset: two identical findings need two entries, so a copy-pasted violation of
one already recorded is reported. Paths are relative to the baseline file's directory, so the
scan can run from anywhere. The file (``version`` 1)::

    {
      "version": 1,
      "tool": "iaclint",
      "entries": [
        {"id": "IAC-NET-001", "path": "infra/main.tf", "address": "aws_security_group.web",
         "hash": "3f1c0a9b7d2e4c61", "message": "..."}
      ]
    }

``message`` is for the people who prune the file; matching ignores it. Entries are sorted and
the JSON is written the same way every time: the same scan writes a byte-identical file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter

from .output._common import dumps_indented, region

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from .model import Finding
    from .result import ScanResult

__all__ = ["BaselineError", "Baseline", "BASELINE_VERSION", "code_hash", "entries", "dumps", "load",
           "write", "apply"]

BASELINE_VERSION = 1
_FIELDS = ("id", "path", "address", "hash")
_MAX_REGION_CHARS = 64 * 1024


class BaselineError(Exception):
    pass


def region_text(text: str, span) -> str:
    """The text a span covers (1-based lines and columns, end column exclusive)."""
    line, column, end_line, end_column = region(span)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if line > len(lines):
        return ""
    if end_line == line:
        return lines[line - 1][column - 1:end_column - 1]
    parts = [lines[line - 1][column - 1:]]
    parts.extend(lines[line:min(end_line - 1, len(lines))])
    if end_line <= len(lines):
        parts.append(lines[end_line - 1][:end_column - 1])
    return "\n".join(parts)


def code_hash(text: str | None, span) -> str:
    """Hash of the finding's code with all whitespace removed (formatters, re-indenting and
    line-end changes keep the hash; as GitHub's line fingerprints drop blanks)."""
    code = region_text(text, span)[:_MAX_REGION_CHARS] if text is not None else ""
    normalised = "".join(code.split())
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _relative(result: "ScanResult", path: str, base_dir: str) -> str:
    absolute = os.path.join(result.root, path)
    return os.path.relpath(absolute, base_dir).replace(os.sep, "/")


def entries(result: "ScanResult", base_dir: str) -> list[dict]:
    """One entry per finding of ``result``, sorted; paths relative to ``base_dir``."""
    out = [dict(entry, message=f.message) for f, entry in entries_by_finding(result, base_dir)]
    out.sort(key=lambda e: (e["path"], e["id"], e["address"], e["hash"], e["message"]))
    return out


def dumps(items: list[dict]) -> str:
    doc = {"version": BASELINE_VERSION, "tool": "iaclint", "entries": items}
    return dumps_indented(doc) + "\n"


def write(path: str, result: "ScanResult") -> int:
    """Write the baseline of ``result`` to ``path`` (atomically); the number of entries."""
    base_dir = os.path.dirname(os.path.abspath(path))
    items = entries(result, base_dir)
    text = dumps(items)
    from .files import write_atomically
    write_atomically(path, lambda fh: fh.write(text), prefix=".iaclint-baseline-")
    return len(items)


class Baseline:
    """A baseline file read back: where it is and the findings it records."""

    __slots__ = ("path", "entries")

    def __init__(self, path: str, entries: list[dict]):
        self.path = path
        self.entries = entries

    @property
    def base_dir(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


def load(path: str) -> Baseline:
    """Read and check a baseline file; :class:`BaselineError` says where it is wrong."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (write one with --write-baseline)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or "entries" not in doc:
        raise BaselineError(f"{path}: not an iaclint baseline (no 'entries')")
    if doc.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{path}: baseline version {doc.get('version')!r} is not supported "
                            f"(this iaclint reads version {BASELINE_VERSION})")
    items = doc["entries"]
    if not isinstance(items, list):
        raise BaselineError(f"{path}: 'entries' must be a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise BaselineError(f"{path}: entries[{i}] must be an object")
        for key in _FIELDS:
            if not isinstance(item.get(key), str):
                raise BaselineError(f"{path}: entries[{i}].{key} must be a string")
    return Baseline(path, items)


def _key(entry: dict) -> tuple:
    return tuple(entry[k] for k in _FIELDS)


def apply(result: "ScanResult", baseline: Baseline) -> None:
    """Drop the findings ``baseline`` records from ``result`` and record the counts.

    ``result.baseline`` becomes ``{"path", "entries", "matched", "unmatched"}``. An entry is
    unmatched when its file was scanned (or no longer exists) and no finding matched it;
    entries for files outside this scan (another directory, unchanged files under
    ``--changed-since``) are neither matched nor unmatched.
    """
    remaining = Counter(_key(e) for e in baseline.entries)
    current = entries_by_finding(result, baseline.base_dir)
    kept: list["Finding"] = []
    matched = 0
    for finding, entry in current:
        key = _key(entry)
        if remaining[key] > 0:
            remaining[key] -= 1
            matched += 1
        else:
            kept.append(finding)
    scanned = {_relative(result, p, baseline.base_dir) for p in result.files}
    unmatched = 0
    for (pid, path, address, digest), count in remaining.items():
        if count <= 0:
            continue
        if path in scanned or not os.path.exists(os.path.join(baseline.base_dir, path)):
            unmatched += count
    result.findings = kept
    result.baseline = {"path": baseline.path, "entries": len(baseline.entries), "matched": matched,
                       "unmatched": unmatched}


def entries_by_finding(result: "ScanResult", base_dir: str) -> list[tuple["Finding", dict]]:
    texts: dict[str, str | None] = {}
    out = []
    for f in sorted(result.findings, key=lambda f: f.sort_key()):
        path = f.location.path
        if path not in texts:
            texts[path] = result.source(path)
        out.append((f, {"id": f.policy_id, "path": _relative(result, path, base_dir),
                        "address": f.address or "", "hash": code_hash(texts[path], f.location.span)}))
    return out
