"""Output formats. Every writer is ``write(result: ScanResult, stream, **opts) -> None``.

Writers are imported on use only, so ``iaclint --format text`` never pays for SARIF.

* ``text``   -- for people: findings grouped by file, diagnostics, a summary line
  (``color=True``, ``quiet=True``, ``compact=True`` for ``path:line:col: ID severity message``);
* ``json``   -- a documented, versioned shape (schema in :mod:`iaclint.output.json`);
* ``sarif``  -- SARIF 2.1.0 for GitHub code scanning and other SARIF viewers
  (``category="..."`` sets ``automationDetails.id``);
* ``github`` -- GitHub Actions workflow commands (annotations on the pull request);
* ``markdown`` -- a summary for pull-request comments and job summaries (``limit=N`` findings).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, TextIO
    from ..result import ScanResult

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "sarif", "github", "markdown")


def render(fmt: str, result: "ScanResult", stream: TextIO, **opts: Any) -> None:
    """Write ``result`` to ``stream`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r} ({', '.join(FORMATS)})")
    module = importlib.import_module(f"{__name__}.{fmt}")
    module.write(result, stream, **opts)
