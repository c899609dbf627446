"""GitHub Actions workflow commands: annotations on the pull request, one line per item.

    ::error file=main.tf,line=12,col=5,endLine=12,endColumn=30,title=IAC-NET-001 open-ssh::Security group ...

critical and high findings are ``::error``, medium ``::warning``, low ``::notice``.
Diagnostics follow (``error`` -> ``::error``, ``warning`` -> ``::warning``, ``note`` ->
``::notice``), titled with their code. Nothing else is written: no summary, no colour.

Escaping follows the runner (``toolkit/packages/core/src/command.ts``): in the message,
``%`` ``\\r`` ``\\n`` become ``%25`` ``%0D`` ``%0A``; in property values ``:`` and ``,`` also
become ``%3A`` and ``%2C``. So text from a scanned file cannot end the line and inject a
command of its own. Other control characters (which the runner would pass to the log raw)
and bidirectional overrides are shown escaped, ``\x1b``, as in the text output.
"""

from __future__ import annotations

from ..model import Severity
from ._common import region, safe_text

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, TextIO
    from ..result import ScanResult

__all__ = ["write", "escape_data", "escape_property", "COMMANDS"]

COMMANDS = {Severity.CRITICAL: "error", Severity.HIGH: "error",
            Severity.MEDIUM: "warning", Severity.LOW: "notice"}
_DIAGNOSTIC_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    text = safe_text(text, keep_breaks=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, properties: list[tuple[str, Any]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def write(result: "ScanResult", stream: TextIO, **opts: Any) -> None:
    policies = {p.id: p for p in result.policies}
    lines: list[str] = []
    for f in sorted(result.findings, key=lambda f: f.sort_key()):
        line, column, end_line, end_column = region(f.location.span)
        pol = policies.get(f.policy_id)
        title = f"{f.policy_id} {pol.name}" if pol is not None else f.policy_id
        lines.append(_command(COMMANDS[f.severity], [
            ("file", f.location.path), ("line", line), ("col", column),
            ("endLine", end_line), ("endColumn", end_column), ("title", title),
        ], f.message))
    for d in sorted(result.diagnostics, key=lambda d: d.sort_key()):
        props: list[tuple[str, Any]] = []
        if d.path:
            props.append(("file", d.path))
            if d.span is not None:
                line, column, end_line, end_column = region(d.span)
                props += [("line", line), ("col", column),
                          ("endLine", end_line), ("endColumn", end_column)]
        if d.code:
            props.append(("title", d.code))
        lines.append(_command(_DIAGNOSTIC_COMMANDS.get(d.level, "notice"), props, d.message))
    if lines:
        stream.write("\n".join(lines) + "\n")
