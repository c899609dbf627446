"""Count the instructions of a cold scan and of its parse floor, one process each, serially.

    python benchmarks/instructions.py ../shared/corpus/* [--runs 3] [--format sarif]

Wall time on a shared machine drifts (the same scan took 0.38 s and 0.64 s minutes apart here),
and the parse floor runs its workers in parallel where a scan evaluates and checks in one process.
The instructions a process retires do not drift, so this is the measure to compare two versions
of the code by: both commands run with ``--jobs 1`` and are counted by ``perf stat`` (Linux; the
median of ``--runs``, children included). It is a complement to ``run.py``, whose wall-clock
ratios are what the targets are stated in.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run import command  # noqa: E402


def instructions(cmd: list[str], runs: int) -> float:
    """Median instructions (millions) of ``runs`` processes of ``cmd``."""
    counts = []
    for _ in range(runs):
        done = subprocess.run(["perf", "stat", "-x", ",", "-e", "instructions", "--"] + cmd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        row = next((line.split(",") for line in done.stderr.splitlines() if ",instructions" in line), None)
        if row is None or not row[0].strip().isdigit():
            sys.exit(f"perf could not count instructions for {' '.join(cmd)}:\n{done.stderr.strip()}")
        counts.append(int(row[0]) / 1e6)
    return statistics.median(counts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--format", default="json", choices=("json", "sarif"), help="what the scans write (default: json)")
    args = ap.parse_args()
    if shutil.which("perf") is None:
        sys.exit("perf is not installed (Debian: apt install linux-perf)")
    floor = [sys.executable, os.path.join(HERE, "floor.py"), "parse"]
    print("| folder | parse floor (M instr.) | cold scan (M instr.) | cold/floor |")
    print("|---|---|---|---|")
    for folder in args.folders:
        base = instructions(floor + [folder, "--jobs", "1"], args.runs)
        scan = instructions(command() + ["scan", folder, "--no-cache", "--jobs", "1", "-f", args.format,
                                         "-o", os.devnull], args.runs)
        print(f"| {os.path.basename(folder.rstrip('/'))} | {base:,.0f} | {scan:,.0f} | {scan / base:.2f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
