"""Parse-only timing of every .tf/.tfvars file under PATH: the native HCL parser against lark.

    python benchmarks/parse_hcl.py PATH [PATH ...] [--runs 5]

Each run parses every file once with ``hcl.parse`` (native, falling back to lark where it must)
and once with ``hcl.parse_lark``; the median of the runs is printed per PATH, with the number of
files the native parser refused. Loading lark's grammar (paid once per process, and only when
a file needs lark) is timed separately and not counted in the runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from iaclint.model import ParseError  # noqa: E402
from iaclint.parsers import hcl, hcl_native  # noqa: E402


def hcl_texts(folder: str) -> list[str]:
    texts = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in (".git", ".terraform"))
        for name in sorted(files):
            if name.endswith((".tf", ".tfvars")):
                with open(os.path.join(root, name), encoding="utf-8", errors="surrogateescape") as fh:
                    texts.append(fh.read())
    return texts


def parse_all(parse, texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        try:
            parse(text)
        except ParseError:
            pass
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    started = time.perf_counter()
    from hcl2.parser import parser
    parser()
    print(f"lark grammar load (once per process): {time.perf_counter() - started:.2f} s")
    print(f"{'path':<28} {'files':>6} {'lines':>7} {'refused':>7} {'native s':>9} {'lark s':>8} "
          f"{'speed-up':>8}")
    for path in args.paths:
        texts = hcl_texts(path)
        refused = 0
        for text in texts:
            try:
                hcl_native.parse(text)
            except (hcl_native.Fallback, ParseError):
                refused += 1
        native = statistics.median(parse_all(hcl.parse, texts) for _ in range(args.runs))
        lark = statistics.median(parse_all(hcl.parse_lark, texts) for _ in range(args.runs))
        lines = sum(t.count("\n") for t in texts)
        print(f"{os.path.basename(os.path.normpath(path)):<28} {len(texts):>6} {lines:>7} {refused:>7} "
              f"{native:>9.3f} {lark:>8.3f} {lark / max(native, 1e-9):>7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
