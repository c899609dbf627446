"""A markdown summary for pull-request comments and GitHub job summaries.

::

    ### iaclint: 3 findings

    3 findings (1 critical, 2 high) in 12 files scanned, 1 suppressed.

    | family | critical | high | medium | low | total |
    |---|---:|---:|---:|---:|---:|
    | network | 0 | 1 | 0 | 0 | 1 |
    ...
    | **total** | 1 | 2 | 0 | 0 | **3** |

    #### `main.tf`
    - `main.tf:3` **IAC-NET-001** high: Security group allows ingress from 0.0.0.0/0 (`aws_security_group.web`)

    ...and 12 more findings (`iaclint scan` lists them all).

Families and severities with no finding are left out of the table (the total row stays).
``limit=N`` caps the findings listed (default 50); errors (files that could not be checked)
are listed too, capped the same way.

Nothing here links anywhere and nothing from a scanned file can format the comment: paths and
addresses are code spans (no autolinks, mentions or HTML inside), messages are escaped
markdown with ``@`` mentions and ``http://`` / ``www.`` autolinks broken by a zero-width space.
Messages are the policies' own (secrets are already masked there); no source code is quoted.
"""

from __future__ import annotations

import re

from ._common import SEVERITIES, by_family, by_severity, policy_index, region, safe_text

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, TextIO
    from ..result import ScanResult

__all__ = ["write", "DEFAULT_LIMIT", "escape", "code"]

DEFAULT_LIMIT = 50
_ZWSP = "\u200b"
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")  # inline specials (lines never start with a message)
_AUTOLINK = re.compile(r"(?i)(@|://|www\.)")


def escape(text: Any) -> str:
    """Inline text that renders literally: markdown and HTML escaped, autolinks defused."""
    out = _SPECIAL.sub(r"\\\1", safe_text(text))
    return _AUTOLINK.sub(lambda m: m.group()[0] + _ZWSP + m.group()[1:], out)


def code(text: Any) -> str:
    """A code span holding ``text`` whatever backticks it contains."""
    text = safe_text(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


def _headline(result: "ScanResult") -> list[str]:
    total = len(result.findings)
    new = "new " if result.baseline is not None else ""
    title = f"### iaclint: {_plural(total, new + 'finding')}" if total else \
        f"### iaclint: no {new}findings"
    counts = by_severity(result.findings)
    detail = ", ".join(f"{counts[str(s)]} {s}" for s in SEVERITIES if counts[str(s)])
    sentence = f"{_plural(total, new + 'finding')}" + (f" ({detail})" if detail else "")
    sentence += f" in {_plural(len(result.files), 'file')} scanned"
    extras = []
    if result.suppressed:
        extras.append(f"{result.suppressed} suppressed")
    if result.baseline is not None:
        extras.append(f"{result.baseline['matched']} in the baseline")
        if result.baseline["unmatched"]:
            n = result.baseline["unmatched"]
            extras.append(f"{n} baseline {'entry' if n == 1 else 'entries'} no longer "
                          f"{'matches' if n == 1 else 'match'}")
    if result.unknown_skips:
        extras.append(f"{_plural(result.unknown_skips, 'check')} skipped for unknown values")
    failing = len(result.failing)
    if total and failing != total:
        extras.append(f"{failing} at or above the severity threshold ({result.threshold})")
    if result.errors:
        extras.append(f"**{_plural(len(result.errors), 'error')}** (files not checked)")
    return [title, "", sentence + (", " + ", ".join(extras) if extras else "") + "."]


def _table(result: "ScanResult") -> list[str]:
    policies = policy_index(result)
    families = [f for f, n in by_family(result.findings, policies).items() if n]
    severities = [s for s in SEVERITIES if by_severity(result.findings)[str(s)]]
    cells: dict[tuple[str, str], int] = {}
    for f in result.findings:
        family = f.family or (policies[f.policy_id].family if f.policy_id in policies else "") or "unknown"
        key = (family, str(f.severity))
        cells[key] = cells.get(key, 0) + 1
    head = "| family | " + " | ".join(str(s) for s in severities) + " | total |"
    rule = "|---|" + "---:|" * (len(severities) + 1)
    rows = [head, rule]
    for family in families:
        counts = [cells.get((family, str(s)), 0) for s in severities]
        rows.append(f"| {escape(family)} | " + " | ".join(map(str, counts))
                    + f" | {sum(counts)} |")
    totals = [sum(cells.get((fam, str(s)), 0) for fam in families) for s in severities]
    rows.append("| **total** | " + " | ".join(map(str, totals)) + f" | **{sum(totals)}** |")
    return rows


def _findings(result: "ScanResult", limit: int) -> list[str]:
    findings = sorted(result.findings, key=lambda f: f.sort_key())
    lines: list[str] = []
    current = None
    for f in findings[:limit]:
        path = f.location.path
        if path != current:
            if current is not None:
                lines.append("")
            lines += [f"#### {code(path)}", ""]
            current = path
        line = region(f.location.span)[0]
        entry = f"- {code(f'{path}:{line}')} **{f.policy_id}** {f.severity}: {escape(f.message)}"
        if f.address:
            entry += f" ({code(f.address)})"
        lines.append(entry)
    rest = len(findings) - limit
    if rest > 0:
        lines += ["", f"...and {_plural(rest, 'more finding')} (`iaclint scan` lists them all)."]
    return lines


def _errors(result: "ScanResult", limit: int) -> list[str]:
    errors = sorted(result.errors, key=lambda d: d.sort_key())
    lines = ["#### Errors", ""]
    for d in errors[:limit]:
        where = d.path or "iaclint"
        if d.path and d.span is not None:
            where += f":{region(d.span)[0]}"
        lines.append(f"- {code(where)} {escape(d.message)}" + (f" ({code(d.code)})" if d.code else ""))
    if len(errors) > limit:
        lines += ["", f"...and {_plural(len(errors) - limit, 'more error')}."]
    return lines


def write(result: "ScanResult", stream: TextIO, **opts: Any) -> None:
    limit = opts.get("limit")
    limit = DEFAULT_LIMIT if limit is None else max(0, int(limit))
    blocks = [_headline(result)]
    if result.findings:
        blocks.append(_table(result))
        listed = _findings(result, limit)
        if listed:
            blocks.append(listed)
    if result.errors:
        blocks.append(_errors(result, limit))
    stream.write("\n\n".join("\n".join(b) for b in blocks) + "\n")
