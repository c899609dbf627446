"""Human-readable output.

Default (grouped by file; columns aligned across the whole report)::

    k8s/deploy.yaml
      12:9  IAC-ISO-003  critical  Container runs privileged  [Deployment/api]

    main.tf
      3:5   IAC-NET-001  high      Security group allows ingress from 0.0.0.0/0  [aws_security_group.web]
      7:1   IAC-ENC-002  medium    Bucket is not encrypted  [aws_s3_bucket.logs]

    broken.tf:3:7: error: unexpected token '}' [parse-error]

    3 findings (1 critical, 1 high, 1 medium), 2 suppressed, 1 check skipped for unknown values,
    1 error -- scanned 12 files, 40 resources in 0.42s      (one line)

``compact=True`` prints exactly one grep-able line per finding,
``path:line:col: ID severity message``, then the diagnostics and the summary.
``quiet=True`` drops the summary. ``color=True`` adds ANSI colours (the CLI passes it for a
terminal without ``NO_COLOR``); without it the output holds no escape sequence at all.
Everything that comes from a scanned file is made safe to print: control characters and
bidirectional overrides are escaped, line breaks become spaces.
"""

from __future__ import annotations

from ..model import Severity
from ._common import SEVERITIES, by_severity, region, safe_text

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, TextIO
    from ..model import Diagnostic, Finding
    from ..result import ScanResult

__all__ = ["write", "format_finding_line"]

RESET = "\x1b[0m"
_SEVERITY_STYLE = {
    Severity.CRITICAL: "\x1b[1;35m",  # bold magenta
    Severity.HIGH: "\x1b[1;31m",      # bold red
    Severity.MEDIUM: "\x1b[33m",      # yellow
    Severity.LOW: "\x1b[36m",         # cyan
}
_LEVEL_STYLE = {"error": "\x1b[1;31m", "warning": "\x1b[33m", "note": "\x1b[36m"}
_BOLD, _DIM, _GREEN = "\x1b[1m", "\x1b[2m", "\x1b[32m"
_SEVERITY_WIDTH = max(len(str(s)) for s in SEVERITIES)


class _Painter:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        return f"{style}{text}{RESET}" if self.enabled and text else text


def _position(span) -> str:
    line, column, _, _ = region(span)
    return f"{line}:{column}"


def format_finding_line(finding: "Finding", paint: "_Painter | None" = None) -> str:
    """The grep-able form: ``path:line:col: ID severity message``."""
    severity = str(finding.severity)
    if paint is not None:
        severity = paint(_SEVERITY_STYLE.get(finding.severity, ""), severity)
    return (f"{safe_text(finding.location.path)}:{_position(finding.location.span)}: "
            f"{finding.policy_id} {severity} {safe_text(finding.message)}")


def _diagnostic_line(d: "Diagnostic", paint: _Painter) -> str:
    where = safe_text(d.path) if d.path else "iaclint"
    if d.path and d.span is not None:
        where += ":" + _position(d.span)
    level = paint(_LEVEL_STYLE.get(d.level, ""), d.level)
    code = f" [{safe_text(d.code)}]" if d.code else ""
    return f"{where}: {level}: {safe_text(d.message)}{code}"


def _diagnostic_lines(diagnostics: "list[Diagnostic]", paint: _Painter) -> list[str]:
    """Errors and warnings one per line; notes (skipped files) folded to one line per kind."""
    lines = [_diagnostic_line(d, paint) for d in diagnostics if d.level != "note"]
    notes: dict[tuple[str, str], list["Diagnostic"]] = {}
    for d in diagnostics:
        if d.level == "note":
            notes.setdefault((d.code, d.message), []).append(d)
    for (_code, message), group in notes.items():
        if len(group) == 1:
            lines.append(_diagnostic_line(group[0], paint))
            continue
        level = paint(_LEVEL_STYLE["note"], "note")
        first = safe_text(group[0].path)
        lines.append(f"{_plural(len(group), 'file')}: {level}: {safe_text(message)} "
                     f"(first: {first}; --format json lists them all)")
    return lines


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _duration(seconds: float) -> str:
    seconds = max(0.0, float(seconds or 0.0))
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{rest:04.1f}s"


def summary_line(result: "ScanResult", paint: _Painter | None = None) -> str:
    paint = paint or _Painter(False)
    counts = by_severity(result.findings)
    total = len(result.findings)
    if total:
        detail = ", ".join(paint(_SEVERITY_STYLE[s], f"{counts[str(s)]} {s}")
                           for s in SEVERITIES if counts[str(s)])
        head = f"{paint(_BOLD, _plural(total, 'finding'))} ({detail})"
    else:
        head = paint(_GREEN, "No findings")
    parts = [head, f"{result.suppressed} suppressed",
             f"{_plural(result.unknown_skips, 'check')} skipped for unknown values"]
    if result.baseline is not None:
        parts.append(f"{result.baseline['matched']} in the baseline")
        stale = result.baseline["unmatched"]
        if stale:
            parts.append(f"{_plural(stale, 'baseline entry', 'baseline entries')} no longer "
                         f"{'matches' if stale == 1 else 'match'} (rewrite it with --write-baseline)")
    errors = len(result.errors)
    if errors:
        parts.append(paint(_LEVEL_STYLE["error"], _plural(errors, "error")))
    scanned = (f"scanned {_plural(len(result.files), 'file')}, "
               f"{_plural(result.resources, 'resource')} in {_duration(result.duration)}")
    return ", ".join(parts) + " -- " + scanned


def _grouped(findings: "list[Finding]", paint: _Painter) -> list[str]:
    """``path:line:col: ID severity message  [address]``, a blank line between files, aligned."""
    rows = []
    for f in findings:
        rows.append((safe_text(f.location.path), _position(f.location.span), f.policy_id, f.severity,
                     safe_text(f.message), safe_text(f.address) if f.address else ""))
    where_w: dict[str, int] = {}
    id_w: dict[str, int] = {}
    for path, pos, pid, *_ in rows:
        where_w[path] = max(where_w.get(path, 0), len(path) + len(pos) + 2)
        id_w[path] = max(id_w.get(path, 0), len(pid))
    lines: list[str] = []
    current = None
    for path, pos, pid, severity, message, address in rows:
        if path != current:
            if current is not None:
                lines.append("")
            current = path
        where = f"{path}:{pos}:"
        sev = str(severity)
        cells = (f"{paint(_BOLD, path)}{paint(_DIM, where[len(path):])}{' ' * (where_w[path] - len(where))} "
                 f"{pid.ljust(id_w[path])} {paint(_SEVERITY_STYLE.get(severity, ''), sev)}"
                 f"{' ' * (_SEVERITY_WIDTH - len(sev))} {message}")
        if address:
            cells += "  " + paint(_DIM, f"[{address}]")
        lines.append(cells)
    return lines


def write(result: "ScanResult", stream: TextIO, **opts: Any) -> None:
    paint = _Painter(bool(opts.get("color")))
    findings = sorted(result.findings, key=lambda f: f.sort_key())
    diagnostics = sorted(result.diagnostics, key=lambda d: d.sort_key())
    blocks: list[list[str]] = []
    if findings:
        if opts.get("compact"):
            blocks.append([format_finding_line(f, paint) for f in findings])
        else:
            blocks.append(_grouped(findings, paint))
    if diagnostics:
        blocks.append(_diagnostic_lines(diagnostics, paint))
    if opts.get("explain_unknown") and result.unknowns:
        blocks.append([f"{paint(_BOLD, 'Checks skipped because a value could not be known:')}"] + [
            f"  {safe_text(u.get('path') or '-')}:{u.get('line', 1)}: {u['policy']} on "
            f"{safe_text(u.get('address') or 'project')}: {safe_text(u.get('expression') or '?')} "
            f"({safe_text(u.get('reason') or 'unknown')})"
            for u in sorted(result.unknowns, key=lambda u: (u.get("path", ""), u.get("line", 0), u["policy"]))])
    if not opts.get("quiet"):
        blocks.append([summary_line(result, paint)])
    separator = "\n" if opts.get("compact") else "\n\n"
    text = separator.join("\n".join(block) for block in blocks)
    if text:
        stream.write(text + "\n")
