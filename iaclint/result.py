"""What a scan returns, the one input of every output format."""

from __future__ import annotations

import os

from .model import Diagnostic, Finding, Severity
from .registry import Policy


class ScanResult:
    """Everything a scan found, in the order every output format writes it.

    A plain class, not a dataclass: on Python 3.11 a dataclass compiles its generated methods
    when its module is imported, a cost every run paid.
    """

    __slots__ = ("root", "findings", "diagnostics", "policies", "files", "resources", "suppressed",
                 "unknown_skips", "unknowns", "threshold", "duration", "baseline")

    def __init__(self, root: str, findings: list[Finding], diagnostics: list[Diagnostic],
                 policies: list[Policy], files: list[str] | None = None, resources: int = 0,
                 suppressed: int = 0, unknown_skips: int = 0, unknowns: list[dict] | None = None,
                 threshold: Severity = Severity.LOW, duration: float = 0.0, baseline: dict | None = None):
        self.root = root                  # absolute path every location is relative to
        self.findings = findings          # reported findings, sorted, suppressions applied
        self.diagnostics = diagnostics    # parse errors, stale suppressions, notes; sorted
        self.policies = policies          # the policies that ran, sorted by id
        self.files = [] if files is None else files  # files scanned (relative POSIX paths)
        self.resources = resources
        self.suppressed = suppressed
        self.unknown_skips = unknown_skips  # policy checks skipped for an Unknown value
        self.unknowns = [] if unknowns is None else unknowns  # what was Unknown, for --explain-unknown
        self.threshold = threshold
        self.duration = duration
        # --baseline: {"path", "entries", "matched", "unmatched"}; None without a baseline.
        # Findings the baseline matched are already gone from ``findings``.
        self.baseline = baseline

    def source(self, path: str) -> str | None:
        """The text of a scanned file, for fingerprints; None when it cannot be read."""
        try:
            with open(os.path.join(self.root, path), encoding="utf-8", errors="replace", newline="") as fh:
                return fh.read()
        except OSError:
            return None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "error"]

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.severity >= self.threshold]

    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.failing else 0
