"""What a scan returns, the one input of every output format."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .model import Diagnostic, Finding, Severity
from .registry import Policy


@dataclass
class ScanResult:
    """Everything a scan found, in the order every output format writes it."""

    root: str                                   # absolute path every location is relative to
    findings: list[Finding]                     # reported findings, sorted, suppressions applied
    diagnostics: list[Diagnostic]               # parse errors, stale suppressions, notes; sorted
    policies: list[Policy]                      # the policies that ran, sorted by id
    files: list[str] = field(default_factory=list)  # files scanned (relative POSIX paths)
    resources: int = 0
    suppressed: int = 0
    unknown_skips: int = 0                      # policy checks skipped for an Unknown value
    unknowns: list[dict] = field(default_factory=list)  # what was Unknown, for --explain-unknown
    threshold: Severity = Severity.LOW
    duration: float = 0.0
    # --baseline: {"path", "entries", "matched", "unmatched"}; None without a baseline.
    # Findings the baseline matched are already gone from ``findings``.
    baseline: dict | None = None

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
