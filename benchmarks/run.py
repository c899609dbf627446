"""Time whole-process iaclint scans over corpus folders: median and spread of several runs.

    python benchmarks/run.py ../shared/corpus/* [--runs 5] [--checkov PATH]

Each run is a fresh process (`python -m iaclint scan DIR --format json`), so start-up and imports
count, as they do for a user. Peak memory is the child's max RSS. With --checkov, the same folder is
timed with a Checkov executable installed separately, and the ratio printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def time_command(cmd: list[str], runs: int) -> tuple[float, float, float]:
    """(median seconds, spread max-min, peak RSS MB) of ``runs`` executions."""
    times, peak = [], 0.0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return statistics.median(times), max(times) - min(times), peak / 1024


def count_lines(folder: str) -> tuple[int, int]:
    from iaclint.discovery import discover
    found = discover([folder], folder)
    lines = 0
    for rel in found.files:
        with open(os.path.join(folder, rel), "rb") as fh:
            lines += fh.read().count(b"\n")
    return len(found.files), lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--checkov", metavar="PATH", help="a Checkov executable to compare against")
    args = ap.parse_args()
    print(f"{'folder':<24} {'files':>6} {'lines':>7} {'iaclint s':>10} {'spread':>7} {'MB':>6}"
          + (f" {'checkov s':>10} {'ratio':>6}" if args.checkov else ""))
    version = time_command([sys.executable, "-m", "iaclint", "--version"], args.runs)
    for folder in args.folders:
        files, lines = count_lines(folder)
        med, spread, mb = time_command([sys.executable, "-m", "iaclint", "scan", folder, "--format", "json"],
                                       args.runs)
        row = f"{os.path.basename(folder.rstrip('/')):<24} {files:>6} {lines:>7} {med:>10.2f} {spread:>7.2f} {mb:>6.0f}"
        if args.checkov:
            cmed, _, _ = time_command([args.checkov, "-d", folder, "--quiet", "--compact"], args.runs)
            row += f" {cmed:>10.2f} {cmed / med:>6.1f}"
        print(row)
    print(f"\n`iaclint --version`: median {version[0]:.3f} s over {args.runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
