"""Inline suppressions: ``# iaclint: ignore[ID, ...] [until=YYYY-MM-DD] reason``.

A suppression applies to a finding when it stands on the finding's line (a trailing comment),
or in the run of comment lines directly above the finding's line or above the resource's
header. In Kubernetes the annotation ``iaclint.io/ignore: "ID: reason"`` (one per line) does the
same for the whole object. A suppression needs a reason; one whose ``until`` date has passed
stops working. Both problems are reported as warnings.
"""

from __future__ import annotations

import re

from .lazyre import lazy_re
from .model import Diagnostic, Span

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    import datetime as _dt

# Compiled when a file names iaclint at all: most scans have no suppression (0.5 ms).
_COMMENT_RE = lazy_re(r"(?:#|//)\s*iaclint\s*:\s*ignore\s*\[([^\]]*)\]([^\n]*)", re.I)
_UNTIL_RE = lazy_re(r"\buntil\s*=\s*(\S+)")
_ANNOTATION_KEY = "iaclint.io/ignore"
_COMMENT_LINE_RE = lazy_re(r"^\s*(#|//)")


class Suppression:
    """One ``iaclint: ignore[...]`` comment: the ids it names, its reason and its expiry."""

    __slots__ = ("ids", "reason", "until", "path", "span", "expired")

    def __init__(self, ids: frozenset, reason: str, until: _dt.date | None, path: str, span: Span,
                 expired: bool = False):
        self.ids, self.reason, self.until, self.path, self.span = ids, reason, until, path, span
        self.expired = expired

    def covers(self, policy_id: str, policy_name: str) -> bool:
        return not self.expired and ("ALL" in self.ids or policy_id in self.ids
                                     or policy_name.upper() in self.ids)


class FileSuppressions:
    """The suppression comments of one file, by the line each one covers."""

    __slots__ = ("path", "by_line", "comment_lines")

    def __init__(self, path: str, by_line: dict[int, list[Suppression]] | None = None,
                 comment_lines: frozenset = frozenset()):
        self.path = path
        self.by_line = {} if by_line is None else by_line
        self.comment_lines = comment_lines

    def applying(self, line: int) -> list[Suppression]:
        """Suppressions on ``line`` itself or in the comment block right above it."""
        found = list(self.by_line.get(line, ()))
        above = line - 1
        while above >= 1 and above in self.comment_lines:
            found.extend(self.by_line.get(above, ()))
            above -= 1
        return found


def parse_comments(text: str, path: str, today: str, diagnostics: list[Diagnostic]) -> FileSuppressions:
    """The suppressions written in comments of ``text``; ``today`` (``YYYY-MM-DD``) decides which
    have expired."""
    out = FileSuppressions(path)
    if "iaclint" not in text:
        return out
    comment_lines = set()
    for number, line in enumerate(text.splitlines(), 1):
        if _COMMENT_LINE_RE.match(line):
            comment_lines.add(number)
        m = _COMMENT_RE.search(line)
        if not m:
            continue
        span = Span(number, m.start() + 1, number, m.end() + 1)
        s = _make(m.group(1), m.group(2), path, span, today, diagnostics)
        if s is not None:
            out.by_line.setdefault(number, []).append(s)
    out.comment_lines = frozenset(comment_lines)
    return out


def parse_annotation(value, path: str, span: Span, today: str,
                     diagnostics: list[Diagnostic]) -> list[Suppression]:
    """``iaclint.io/ignore: "IAC-ISO-001: reason"``; several lines or ``;`` for several."""
    if not isinstance(value, str):
        return []
    out = []
    for entry in re.split(r"[\n;]", value):
        entry = entry.strip()
        if not entry:
            continue
        ids, _, rest = entry.partition(":")
        s = _make(ids, rest, path, span, today, diagnostics)
        if s is not None:
            out.append(s)
    return out


def _make(ids_text: str, rest: str, path: str, span: Span, today: str,
          diagnostics: list[Diagnostic]) -> Suppression | None:
    ids = frozenset(i.strip().upper() for i in re.split(r"[,\s]+", ids_text) if i.strip())
    if not ids:
        diagnostics.append(Diagnostic("warning", "suppression names no policy id", path, span,
                                      "suppression-invalid"))
        return None
    until = None
    m = _UNTIL_RE.search(rest)
    if m:
        import datetime as _dt  # here: a scan without a dated suppression never needs it (~2 ms)
        try:
            until = _dt.date.fromisoformat(m.group(1))
        except ValueError:
            diagnostics.append(Diagnostic("warning", f"suppression date {m.group(1)!r} is not YYYY-MM-DD; "
                                          "the suppression is ignored", path, span, "suppression-invalid"))
            return None
        rest = rest[:m.start()] + rest[m.end():]
    reason = rest.strip().lstrip(":-—").strip()
    s = Suppression(ids, reason, until, path, span)
    label = ", ".join(sorted(ids))
    if until is not None and until.isoformat() < today:  # ISO dates sort as the days do
        s.expired = True
        diagnostics.append(Diagnostic("warning", f"suppression of {label} expired on {until.isoformat()} "
                                      "and no longer applies", path, span, "suppression-expired"))
    if not reason:
        diagnostics.append(Diagnostic("warning", f"suppression of {label} gives no reason: say why after "
                                      "the ids", path, span, "suppression-without-reason"))
    return s


def annotation_of(resource) -> tuple[object, Span] | None:
    """The ignore annotation of a Kubernetes object, with where it is written."""
    annotations = resource.get("metadata.annotations")
    if not isinstance(annotations, dict) or _ANNOTATION_KEY not in annotations:
        return None
    return annotations[_ANNOTATION_KEY], resource.span(("metadata", "annotations", _ANNOTATION_KEY))
