"""The floors a scan is measured against, as whole processes.

    python benchmarks/floor.py parse FOLDER [--jobs N]   # discover, read and parse every file
    python benchmarks/floor.py hash FOLDER               # discover, read and hash every file
    python benchmarks/floor.py evaluate FOLDER [--jobs N] [--scan-types]
                                                         # parse, then evaluate every module

``parse`` is what a cold scan cannot go below without a faster parser (same discovery, same
reading, same parsers and worker processes as ``iaclint scan``, no evaluation, no policies, no
output); ``hash`` is the floor of a warm scan, which must at least read every file and hash it
to find its cache entry. ``evaluate`` adds Terraform evaluation (variables, locals, functions,
modules, references) to ``parse``, building every resource, with no policy run: the difference
is what evaluation costs. With ``--scan-types`` it evaluates as a scan does: it builds the
resource types the built-in policies read, and of the others only what an expression reads.
"""

from __future__ import annotations

import os
import sys

USAGE = "usage: floor.py parse|hash|evaluate FOLDER [--jobs N] [--scan-types]"


class _Args:
    """The command line, read by hand: argparse costs a few milliseconds that are not parsing."""

    def __init__(self, argv: list[str]):
        self.jobs, self.scan_types, rest = os.cpu_count() or 1, False, []
        words = iter(argv)
        for word in words:
            if word == "--scan-types":
                self.scan_types = True
            elif word == "--jobs" or word.startswith("--jobs="):
                self.jobs = int(word.partition("=")[2] or next(words, "1"))
            else:
                rest.append(word)
        if len(rest) != 2 or rest[0] not in ("parse", "hash", "evaluate"):
            sys.exit(USAGE)
        self.mode, self.folder = rest


def main() -> int:
    args = _Args(sys.argv[1:])
    from iaclint.discovery import choose_root, discover
    root = choose_root([args.folder])
    found = discover([args.folder], root)
    if args.mode == "hash":
        import hashlib  # here only: a scan that finds no Terraform never imports it (OpenSSL)
        for rel in sorted(found.files):
            with open(os.path.join(root, rel), "rb") as fh:
                hashlib.sha256(fh.read()).digest()
        return 0
    if args.mode == "evaluate":
        from iaclint.engine import ScanOptions, _wanted_types, load
        wanted = None
        if args.scan_types:
            from iaclint import registry
            wanted = _wanted_types(registry.catalogue())
        load([args.folder], options=ScanOptions(jobs=args.jobs), wanted=wanted)
        return 0
    from iaclint.files import MAX_FILE_BYTES, read_text  # not the engine: it imports the registry
    from iaclint.parse import parse_all
    texts = {}
    real_root = os.path.realpath(root)  # resolved once, as a scan does
    for rel in sorted(found.files):
        text = read_text(root, rel, MAX_FILE_BYTES, [], real_root)
        if text is not None and found.files[rel] != "tfplan":
            texts[rel] = (found.files[rel], text)
    parse_all(texts, None, args.jobs)
    return 0


if __name__ == "__main__":
    code = main()
    os._exit(code)  # as the iaclint command exits (cli.entry): no teardown walk in either measure
