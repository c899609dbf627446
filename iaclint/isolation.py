"""``iaclint isolation``: the isolation level, trust tier and floor of every workload.

The engine reads and parses the scan exactly as ``iaclint scan`` does (:func:`engine.load`); the
derivation itself is content and lives with the policies that enforce it
(``iaclint.policies.isolation._levels``), so the inventory and the findings can never disagree.
This module only runs it and renders rows: it knows no resource type.
"""

from __future__ import annotations

import importlib

from .config import Config
from .model import Diagnostic, raised_at

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import IO

#: The module that derives levels: it exposes ``LEVELS``, ``READS`` (the resource types and kind
#: groups it reads) and ``inventory(project, options)``.
HOOK = "iaclint.policies.isolation._levels"
FORMATS = ("text", "json", "markdown")


def inventory(paths: list[str], config: Config | None = None, options=None) -> tuple[list[dict], list[Diagnostic]]:
    """Rows (plain dicts, see ``Workload.to_dict``) for the workloads of the files scanned, sorted
    from the lowest level up (levels that cannot be known last), and the scan's diagnostics."""
    from .engine import load, resource_in_traceback
    from .model import expand_kinds
    from .project import Project

    config = config or Config()
    levels = importlib.import_module(HOOK)
    # Only the types the derivation reads need evaluating (the rest of a large module is skipped).
    loaded = load(paths, config, options, set(expand_kinds(levels.READS)))
    failed = []
    try:
        workloads = levels.inventory(Project(loaded.resources), config.isolation)
    except Exception as exc:  # noqa: BLE001 - a bug in the derivation: a diagnostic, as in a scan
        reading = resource_in_traceback(exc, loaded.report)
        failed.append(Diagnostic(
            "error", f"internal error in the isolation inventory{f' reading {reading.address}' if reading else ''}: "
            f"{type(exc).__name__}: {exc} ({raised_at(exc)})",
            reading.file if reading else "", reading.header if reading else None, "internal-error"))
        workloads = []
    rows = [w.to_dict() for w in workloads if w.file in loaded.report]
    # read last: an argument the derivation evaluated may have reported something
    diagnostics = [d for d in loaded.diagnostics if d.path in loaded.report or d.path not in loaded.all_files]
    diagnostics += failed
    order = {name: i for i, name in enumerate(levels.LEVELS)}
    rows.sort(key=lambda r: (r["level"] == "unknown", order[r["level_range"][0]], order[r["level_range"][1]],
                             r["file"], r["line"], r["address"]))
    return rows, sorted(set(diagnostics), key=Diagnostic.sort_key)


def levels() -> tuple[str, ...]:
    return tuple(importlib.import_module(HOOK).LEVELS)


def render(fmt: str, rows: list[dict], out: IO[str]) -> None:
    if fmt == "json":
        import json
        json.dump(rows, out, indent=2)
        out.write("\n")
    elif fmt == "markdown":
        out.write(markdown(rows))
    else:
        out.write(text(rows))


# -- shared pieces ----------------------------------------------------------------------------
def _status(row: dict) -> str:
    if row["below_floor"] is True:
        return "BELOW"
    if row["below_floor"] is None:
        return "?"
    return "ok" if row["floor"] else ""


def _why(row: dict, width: int = 90) -> str:
    """The evidence that decided the level, in one line."""
    evidence = row["evidence"]
    if not evidence:
        return ""
    first = evidence[0]["why"]
    for prefix in ("host: ", "not hardened: "):
        if first.startswith(prefix):
            first = first[len(prefix):]
    for level in levels():
        if first.startswith(level + ": "):
            first = first[len(level) + 2:]
    shown = 1
    gap = next((e["why"] for e in evidence[1:] if e["why"].startswith("not hardened: ")), None)
    if row["level"] == "container" and gap:  # what stands between it and hardened
        first = "shared kernel, not hardened: " + gap[len("not hardened: "):]
        shown = 2
    if row["level"] == "unknown":
        low, high = row["level_range"]
        first = f"{low}..{high}: {first}"
    more = len(evidence) - shown
    tail = f" (+{more} more)" if more else ""
    if len(first) + len(tail) > width:
        first = first[: max(10, width - len(tail) - 3)].rstrip() + "..."
    return first + tail


def summary(rows: list[dict]) -> str:
    counts = {name: 0 for name in levels() + ("unknown",)}
    for r in rows:
        counts[r["level"]] += 1
    below = sum(1 for r in rows if r["below_floor"] is True)
    undecided = sum(1 for r in rows if r["below_floor"] is None)
    parts = ", ".join(f"{n} {name}" for name, n in counts.items())
    noun = "workload" if len(rows) == 1 else "workloads"
    tail = f"; {below} below {'its' if below == 1 else 'their'} floor"
    if undecided:
        tail += f", {undecided} undecided (a value that cannot be known)"
    return f"{len(rows)} {noun}: {parts}{tail}"


# -- text ------------------------------------------------------------------------------------------
def text(rows: list[dict]) -> str:
    if not rows:
        return "No workloads found (Kubernetes pod specs, ECS, EKS Fargate, GKE, AKS, VMs).\n"
    header = ("LEVEL", "TIER", "FLOOR", "STATUS", "WORKLOAD", "LOCATION", "WHY")
    table = [header] + [
        (r["level"], r["tier"], r["floor"] or "-", _status(r), r["address"], f"{r['file']}:{r['line']}", _why(r))
        for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = []
    previous = None
    for i, row in enumerate(table):
        if i and row[0] != previous and previous is not None and i > 1:
            lines.append("")  # a blank line between levels
        previous = row[0] if i else None
        cells = [cell.ljust(widths[j]) for j, cell in enumerate(row[:-1])] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n\n" + summary(rows) + "\n"


# -- markdown --------------------------------------------------------------------------------------
def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _md_table(rows: list[dict]) -> list[str]:
    lines = ["| Level | Tier | Floor | Status | Workload | Location | Why |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        status = {"BELOW": "**below floor**", "?": "undecided", "ok": "ok", "": ""}[_status(r)]
        lines.append(f"| `{r['level']}` | {r['tier']} | {r['floor'] or '–'} | {status} | "
                     f"`{_cell(r['address'])}` | `{_cell(r['file'])}:{r['line']}` | {_cell(_why(r, 120))} |")
    return lines


def markdown(rows: list[dict]) -> str:
    out = ["### iaclint isolation inventory", ""]
    if not rows:
        out.append("No workloads found.")
        return "\n".join(out) + "\n"
    out += [summary(rows) + ".", ""]
    below = [r for r in rows if r["below_floor"] is True]
    if below:
        out += [f"**Below their floor ({len(below)})**", ""] + _md_table(below) + [""]
    out += [f"<details><summary>All {len(rows)} workloads, lowest level first</summary>", ""]
    out += _md_table(rows)
    out += ["", "</details>", ""]
    return "\n".join(out)
