"""Helpers shared by the writers: regions, counts, safe text and JSON-safe values."""

from __future__ import annotations

import math
import re

from ..lazyre import lazy_re  # compiled by the formats that print text, not by JSON or SARIF
from ..model import FAMILIES, Severity, Span

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any
    from ..model import Finding
    from ..registry import Policy
    from ..result import ScanResult

#: Most severe first: the order of every per-severity listing.
SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def region(span: Span | None) -> tuple[int, int, int, int]:
    """``(start_line, start_column, end_line, end_column)``, all >= 1 and end after start.

    A missing end (0) or an end before the start becomes a one-character region at the start;
    columns are exclusive at the end, as in :class:`~iaclint.model.Span` and SARIF.
    """
    if span is None:
        return 1, 1, 1, 2
    line = max(1, span.line or 1)
    column = max(1, span.column or 1)
    end_line = span.end_line or 0
    end_column = max(1, span.end_column or 1)
    if end_line < line:
        end_line, end_column = line, column + 1
    elif end_line == line and end_column <= column:
        end_column = column + 1
    return line, column, end_line, end_column


def policy_index(result: "ScanResult") -> dict[str, "Policy"]:
    return {p.id: p for p in result.policies}


def family_of(finding: "Finding", policies: dict[str, "Policy"]) -> str:
    if finding.family:
        return finding.family
    pol = policies.get(finding.policy_id)
    return pol.family if pol is not None else ""


def by_severity(findings: "list[Finding]") -> dict[str, int]:
    """Counts per severity, every severity present, most severe first."""
    counts = {str(s): 0 for s in SEVERITIES}
    for f in findings:
        counts[str(Severity(f.severity))] += 1
    return counts


def by_family(findings: "list[Finding]", policies: dict[str, "Policy"]) -> dict[str, int]:
    """Counts per family: every known family (in FAMILIES order), then any other, sorted."""
    counts = {family: 0 for family in FAMILIES}
    extra: dict[str, int] = {}
    for f in findings:
        family = family_of(f, policies) or "unknown"
        if family in counts:
            counts[family] += 1
        else:
            extra[family] = extra.get(family, 0) + 1
    counts.update(sorted(extra.items()))
    return counts


# C0/C1 controls and the bidirectional overrides ("Trojan Source"): text from scanned files
# must not drive the terminal or reorder what a reviewer reads.
_UNSAFE = lazy_re("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape_char(m: re.Match) -> str:
    ch = m.group()
    if ch in "\r\n\t":
        return " "
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: Any, keep_breaks: bool = False) -> str:
    """Printable text: controls escaped; line breaks and tabs become spaces (kept with
    ``keep_breaks``, for formats that escape them their own way)."""
    if keep_breaks:
        return _UNSAFE.sub(lambda m: m.group() if m.group() in "\r\n\t" else _escape_char(m),
                           str(text))
    return _UNSAFE.sub(_escape_char, str(text))


def jsonable(value: Any) -> Any:
    """``value`` made of JSON types only (unknowns and odd objects become their repr)."""
    if isinstance(value, Severity):
        return str(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return {_key(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=repr)
    return repr(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    if isinstance(key, (int, float)):
        return str(key)
    return repr(key)


# -- indented JSON ---------------------------------------------------------------------------------

class _Unsupported(Exception):
    """A value :func:`dumps_indented` leaves to the json module (a non-string key, a cycle...)."""


def dumps_indented(doc: object) -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=True)``, byte for byte, faster (2x on a SARIF log).

    json's C encoder has no indentation, so with ``indent`` the json module encodes in Python,
    through a chain of generators that every piece of text travels up (a SARIF log of TerraGoat:
    18 ms, where the C encoder takes 5 ms). This walks the document once, appending to one list,
    and leaves strings to the C string encoder. Anything it does not write (keys that are not
    strings, other types, a cycle) goes to ``json.dumps`` whole, which writes or refuses it.
    """
    import json
    from json.encoder import encode_basestring_ascii as string
    out: list[str] = []
    append = out.append

    def write(value: object, newline: str) -> None:
        """Append ``value``; ``newline`` is a line break and the current indentation."""
        if isinstance(value, str):
            append(string(value))
        elif isinstance(value, dict):
            if not value:
                append("{}")
                return
            inner = newline + "  "
            sep = "{" + inner
            for key, item in value.items():
                if not isinstance(key, str):
                    raise _Unsupported(key)
                if item.__class__ is str:  # most values: written here, without a call
                    append(sep + string(key) + ": " + string(item))
                else:
                    append(sep + string(key) + ": ")
                    write(item, inner)
                sep = "," + inner
            append(newline + "}")
        elif isinstance(value, (list, tuple)):
            if not value:
                append("[]")
                return
            inner = newline + "  "
            sep = "[" + inner
            for item in value:
                if item.__class__ is str:
                    append(sep + string(item))
                else:
                    append(sep)
                    write(item, inner)
                sep = "," + inner
            append(newline + "]")
        elif value is None:
            append("null")
        elif value is True:
            append("true")
        elif value is False:
            append("false")
        elif isinstance(value, int):
            append(int.__repr__(value))
        elif isinstance(value, float):
            append(float.__repr__(value) if math.isfinite(value)
                   else "NaN" if value != value else "Infinity" if value > 0 else "-Infinity")
        else:
            raise _Unsupported(value)

    try:
        write(doc, "\n")
    except (_Unsupported, RecursionError):
        return json.dumps(doc, indent=2, ensure_ascii=True)
    return "".join(out)
