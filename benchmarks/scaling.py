"""How scan time grows with corpus size: synthetic corpora from 10k to 1M lines, a table and a plot.

    python benchmarks/scaling.py [--sizes 10000,30000,100000,300000,1000000] [--runs 3]
                                 [--png benchmarks/scaling.png] [--markdown FILE]

For each size, ``generate.py`` writes a corpus (Terraform, Kubernetes and Dockerfiles mixed 6:3:1)
into a temporary folder, then ``run.py``'s measurements time a cold scan (``--no-cache``), a warm
scan and the parse-only floor as whole processes. The plot (matplotlib, a benchmark-only
dependency: ``pip install '.[bench]'``) shows seconds against lines on log-log axes, with the
straight line a linear tool would follow through the smallest cold point.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402
from run import command, interleaved  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,30000,100000,300000,1000000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--png", default=os.path.join(HERE, "scaling.png"))
    ap.add_argument("--markdown", metavar="FILE")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(prefix="iaclint-scale-") as tmp:
            corpus = os.path.join(tmp, "corpus")
            written = generate(corpus, size, {"terraform": 6, "kubernetes": 3, "dockerfile": 1})
            lines = sum(written.values())
            scan = command() + ["scan", corpus, "-f", "json", "-o", os.devnull]
            if args.jobs:
                scan += ["--jobs", str(args.jobs)]
            cache = os.path.join(tmp, "cache")
            env = {**os.environ, "XDG_CACHE_HOME": cache}
            subprocess.run(scan, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            row = {"lines": lines, **interleaved({
                "cold": (scan + ["--no-cache"], None),
                "parse_floor": ([sys.executable, os.path.join(HERE, "floor.py"), "parse", corpus]
                                + (["--jobs", str(args.jobs)] if args.jobs else []), None),
                "warm": (scan, env),
            }, args.runs)}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    text = _table(rows)
    print(text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=2)
    _plot(rows, args.png)
    print(f"plot: {args.png}")
    return 0


def _table(rows: list[dict]) -> str:
    out = ["| lines | cold s | warm s | parse floor s | cold/floor | µs per line (cold) | peak MB |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['lines']:,} | {r['cold']['median']:.2f} | {r['warm']['median']:.2f} | "
                   f"{r['parse_floor']['median']:.2f} | {r['cold']['median'] / r['parse_floor']['median']:.2f} | "
                   f"{r['cold']['median'] / r['lines'] * 1e6:.0f} | "
                   f"{max(r['cold']['peak_mb'], r['warm']['peak_mb']):.0f} |")
    return "\n".join(out)


def _plot(rows: list[dict], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    xs = [r["lines"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for key, label, style in (("cold", "scan, cold (no cache)", "o-"), ("warm", "scan, warm cache", "s-"),
                              ("parse_floor", "parse only (floor)", "^--")):
        ax.plot(xs, [r[key]["median"] for r in rows], style, label=label)
    base = rows[0]["cold"]["median"] / rows[0]["lines"]
    ax.plot(xs, [base * x for x in xs], ":", color="grey", label="linear through the first cold point")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("lines in corpus (Terraform 60%, Kubernetes 30%, Dockerfile 10%)")
    ax.set_ylabel("seconds (median, whole process)")
    ax.set_title("iaclint scan time against corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    sys.exit(main())
