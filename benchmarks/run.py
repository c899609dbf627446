"""Time whole-process iaclint scans over corpus folders, cold and warm, against the parse floor.

    python benchmarks/run.py ../shared/corpus/* [--runs 5] [--format sarif] [--checkov PATH] [--markdown FILE]

For every folder, each measurement is the median (and max-min spread) of several fresh
processes, so start-up and imports count as they do for a user; peak memory is that process's
own max RSS (``wait4``), not the largest child so far. The four iaclint measurements are taken in
turn, one process of each per round, so that a scan and its floor see the same machine.

- ``cold``: ``iaclint scan --no-cache`` (parse everything), run as the console script installed
  beside the Python that runs this (``python -m iaclint`` when there is none), writing the
  ``--format`` given (JSON by default; ``sarif`` is what GitHub code scanning reads).
- ``warm``: ``iaclint scan`` with a parse cache that a previous run filled (a private
  ``XDG_CACHE_HOME``, so the user's cache is never touched).
- ``parse floor``: a process that only discovers, reads and parses the files (``floor.py parse``),
  with the same worker count: what a scan cannot go below without a faster parser.
- ``read+hash``: a process that only discovers, reads and hashes the files (``floor.py hash``):
  the floor of a warm scan.
- with ``--checkov PATH`` (an executable installed separately, never a dependency): Checkov on
  the same folder in the same run, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _run(cmd: list[str], env: dict | None) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def _summary(samples: list[tuple[float, float]]) -> dict:
    times = [t for t, _ in samples]
    return {"median": statistics.median(times), "spread": max(times) - min(times),
            "peak_mb": max(m for _, m in samples), "runs": len(samples)}


def measure(cmd: list[str], runs: int, env: dict | None = None) -> dict:
    """Median and spread of wall time, and peak RSS (MB), of ``runs`` fresh processes."""
    return _summary([_run(cmd, env) for _ in range(runs)])


def interleaved(cmds: dict[str, tuple[list[str], dict | None]], runs: int) -> dict[str, dict]:
    """:func:`measure` for several commands, taken in turn (A B C, A B C, ...): on a shared
    machine whose speed drifts over minutes, a scan and the floor it is divided by then see
    the same conditions, where measuring all of one before the other did not."""
    samples: dict[str, list] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, (cmd, env) in cmds.items():
            samples[name].append(_run(cmd, env))
    return {name: _summary(got) for name, got in samples.items()}


def count(folder: str) -> tuple[int, int]:
    from iaclint.discovery import discover
    found = discover([folder], os.path.abspath(folder))
    lines = 0
    for rel in found.files:
        with open(os.path.join(folder, rel), "rb") as fh:
            lines += fh.read().count(b"\n")
    return len(found.files), lines


def command() -> list[str]:
    """``iaclint`` as a user runs it: the console script installed beside this interpreter
    (``python -m iaclint`` also imports runpy and importlib.util, ~4 ms no user pays)."""
    script = os.path.join(os.path.dirname(sys.executable), "iaclint")
    return [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "iaclint"]


def bench_folder(folder: str, runs: int, jobs: int | None, checkov: str | None, checkov_runs: int,
                 fmt: str = "json") -> dict:
    files, lines = count(folder)
    iaclint = command() + ["scan", folder, "--format", fmt, "--output", os.devnull]
    if jobs:
        iaclint += ["--jobs", str(jobs)]
    floor = [sys.executable, os.path.join(HERE, "floor.py")]
    row = {"folder": os.path.basename(folder.rstrip("/")), "files": files, "lines": lines}
    with tempfile.TemporaryDirectory(prefix="iaclint-bench-cache-") as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        subprocess.run(iaclint, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        row.update(interleaved({
            "cold": (iaclint + ["--no-cache"], None),
            "parse_floor": (floor + ["parse", folder] + (["--jobs", str(jobs)] if jobs else []), None),
            "warm": (iaclint, env),
            "read_hash": (floor + ["hash", folder], None),
        }, runs))
    if checkov:
        row["checkov"] = measure([checkov, "-d", folder, "--quiet", "--compact", "--skip-download"], checkov_runs)
    return row


def table(rows: list[dict], version: dict | None, checkov_version: dict | None) -> str:
    head = ["folder", "files", "lines", "cold s", "warm s", "parse floor s", "read+hash s",
            "cold/floor", "warm/hash", "peak MB"]
    if any("checkov" in r for r in rows):
        head += ["checkov s", "checkov MB", "x cold", "x warm"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["folder"], str(r["files"]), str(r["lines"]),
                 f"{r['cold']['median']:.2f} ±{r['cold']['spread']:.2f}",
                 f"{r['warm']['median']:.2f} ±{r['warm']['spread']:.2f}",
                 f"{r['parse_floor']['median']:.2f}", f"{r['read_hash']['median']:.2f}",
                 f"{r['cold']['median'] / r['parse_floor']['median']:.2f}",
                 f"{r['warm']['median'] / r['read_hash']['median']:.2f}",
                 f"{max(r['cold']['peak_mb'], r['warm']['peak_mb']):.0f}"]
        if "checkov" in r:
            c = r["checkov"]["median"]
            cells += [f"{c:.1f}", f"{r['checkov']['peak_mb']:.0f}", f"{c / r['cold']['median']:.0f}x",
                      f"{c / r['warm']['median']:.0f}x"]
        elif len(head) > 10:
            cells += ["", "", "", ""]
        out.append("| " + " | ".join(cells) + " |")
    if version:
        line = f"\n`iaclint --version`: {version['median']:.3f} s median of {version['runs']}"
        if checkov_version:
            line += f"; `checkov --version`: {checkov_version['median']:.2f} s"
        out.append(line)
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=None, help="passed to iaclint (default: its own default)")
    ap.add_argument("--format", default="json", choices=("json", "sarif"), help="what the scans write (default: json)")
    ap.add_argument("--checkov", metavar="PATH", help="a Checkov executable to compare against")
    ap.add_argument("--checkov-runs", type=int, default=3)
    ap.add_argument("--markdown", metavar="FILE", help="also write the table to FILE")
    ap.add_argument("--json", metavar="FILE", help="write every measurement to FILE")
    args = ap.parse_args()
    version = measure(command() + ["--version"], max(args.runs, 5))
    checkov_version = measure([args.checkov, "--version"], args.checkov_runs) if args.checkov else None
    rows = []
    for folder in args.folders:
        rows.append(bench_folder(folder, args.runs, args.jobs, args.checkov, args.checkov_runs, args.format))
        print(json.dumps(rows[-1]), file=sys.stderr)
    text = table(rows, version, checkov_version)
    print(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"version": version, "checkov_version": checkov_version, "rows": rows}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
