"""``iaclint``: scan, rules, explain.

Imports are deferred to the command that needs them, so ``iaclint --version`` and
``iaclint rules`` never load the parsers.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .files import write_atomically

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _byte_size(text: str) -> int:
    """``--max-file-size``: bytes, or with a K or M suffix (powers of 1024)."""
    t = text.strip().upper().removesuffix("B")
    scale = {"K": 1024, "M": 1024 * 1024}.get(t[-1:], 1)
    try:
        n = int(t[:-1] if scale > 1 else t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 5M, 512K, 100000)") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return n * scale


def _csv(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


COMMANDS = ("scan", "rules", "explain", "isolation")


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, told the terminal's width without importing ``shutil``.

    argparse makes a formatter for every ``add_argument`` (to check its metavar), and the
    default one imports ``shutil`` (and with it bz2, lzma and zlib) to ask the width: ~2 ms of
    every run, though only ``--help`` and usage errors print anything. The width is found as
    ``shutil.get_terminal_size`` finds it: ``$COLUMNS``, else the terminal, else 80.
    """

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``only``, just that subcommand is added (a run builds the one it
    runs: each ``add_argument`` costs, and ``--help`` of the others is never shown)."""
    p = argparse.ArgumentParser(
        prog="iaclint", formatter_class=_Formatter,
        description="Static policy linter for Terraform, Kubernetes manifests and Dockerfiles: "
                    "network segmentation, encryption, secrets, isolation and supply chain.")
    p.add_argument("--version", action="version", version=f"iaclint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    if only in (None, "scan"):
        _scan_parser(sub)
    if only in (None, "rules"):
        r = sub.add_parser("rules", help="list the policies", formatter_class=_Formatter)
        r.add_argument("-f", "--format", choices=["text", "json"], default="text")
    if only in (None, "explain"):
        e = sub.add_parser("explain", help="show a policy's documentation", formatter_class=_Formatter)
        e.add_argument("id", metavar="ID", help="policy id or name, e.g. IAC-NET-001")
    if only in (None, "isolation"):
        _isolation_parser(sub)
    return p


def _scan_parser(sub) -> None:
    s = sub.add_parser("scan", help="scan files and directories (default: .)", formatter_class=_Formatter)
    s.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    s.add_argument("-f", "--format", choices=["text", "json", "sarif", "github", "markdown"], default=None)
    s.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically)")
    s.add_argument("--select", action="append", metavar="IDS",
                   help="policy ids, names, id prefixes or families, comma-separated")
    s.add_argument("--ignore", action="append", metavar="IDS", help="as --select, to leave out")
    s.add_argument("--severity-threshold", choices=["low", "medium", "high", "critical"], default=None,
                   help="exit 1 only for findings at or above this severity (default: low)")
    s.add_argument("--config", metavar="FILE", help="config file (default: nearest .iaclint.toml or "
                   "pyproject.toml with [tool.iaclint])")
    s.add_argument("--exclude", action="append", metavar="GLOB", default=[],
                   help=".gitignore-style pattern to skip (repeatable)")
    s.add_argument("--no-inline-suppressions", action="store_true",
                   help="ignore '# iaclint: ignore[...]' comments and annotations")
    s.add_argument("--sarif-category", metavar="CATEGORY", help="SARIF automationDetails.id")
    s.add_argument("--explain-unknown", action="store_true",
                   help="list the checks skipped because a value could not be known")
    s.add_argument("--var-file", action="append", dest="variables", type=lambda v: ("file", v),
                   metavar="FILE", help="Terraform variable values for root modules, as `terraform "
                   "-var-file` (repeatable; with --var, a later one wins)")
    s.add_argument("--var", action="append", dest="variables", type=lambda v: ("var", v),
                   metavar="NAME=VALUE", help="a Terraform variable value for root modules, as "
                   "`terraform -var` (repeatable; with --var-file, a later one wins)")
    s.add_argument("--no-cache", action="store_true",
                   help="do not read or write the parse cache ($XDG_CACHE_HOME/iaclint)")
    s.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="processes for parsing large scans (default: the number of CPUs)")
    s.add_argument("--max-file-size", type=_byte_size, default=None, metavar="SIZE",
                   help="skip (as an error) files larger than SIZE bytes; K and M suffixes work "
                        "(default: 5M). Only the command line sets it: a scanned repository's config cannot")
    s.add_argument("--no-color", action="store_true", help="no colour in text output")
    s.add_argument("-q", "--quiet", action="store_true", help="text: no summary line")
    s.add_argument("--baseline", metavar="FILE",
                   help="report only findings not recorded in FILE (see --write-baseline)")
    s.add_argument("--write-baseline", metavar="FILE",
                   help="record this scan's findings in FILE; exits 0 unless a file could not be read")
    s.add_argument("--changed-since", metavar="REF",
                   help="report only findings in files changed since the git revision REF "
                        "(reads .git; never runs git)")
    s.add_argument("--also-output", action="append", default=[], metavar="FORMAT=FILE",
                   help="also write the report in FORMAT to FILE, from the same scan (repeatable; "
                        "e.g. sarif=iaclint.sarif)")


def _isolation_parser(sub) -> None:
    i = sub.add_parser("isolation", help="the isolation level, trust tier and floor of every workload",
                       formatter_class=_Formatter)
    i.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    i.add_argument("-f", "--format", choices=["text", "json", "markdown"], default="text")
    i.add_argument("-o", "--output", metavar="FILE", help="write the inventory to FILE (atomically)")
    i.add_argument("--config", metavar="FILE", help="config file (default: nearest .iaclint.toml or "
                   "pyproject.toml with [tool.iaclint]); its [isolation] table sets tiers and floors")
    i.add_argument("--exclude", action="append", metavar="GLOB", default=[],
                   help=".gitignore-style pattern to skip (repeatable)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "isolation":
            return _isolation(args)
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        from .registry import RegistryError
        if isinstance(exc, RegistryError):  # a broken policy pack: say which, exit 2
            return _fail(str(exc))
        raise
    parser.print_help()
    return EXIT_ERROR


def entry() -> None:
    """The ``iaclint`` command (and ``python -m iaclint``): :func:`main`, then an immediate exit.

    A scan leaves hundreds of thousands of objects behind, and a normal interpreter exit walks
    them all (a last cycle collection, module teardown) to free memory the operating system takes
    back anyway: ~5% of a scan's instructions (terraform-aws-eks 2,588M -> 2,471M). As mypy does,
    the command flushes its output and ends the process there. An exception still propagates
    and exits the usual way; callers of :func:`main` are unaffected. The cycle collector is off
    for the command: terraform-aws-eks 2,472M -> 2,374M instructions, 200k generated lines
    4.6 s -> 3.7 s, for 0.7 MB and 9 MB more peak memory.
    """
    import gc
    # One short process whose objects (trees, resources, findings) live until it ends: the cycle
    # collector would walk all of them again and again to find next to nothing. Off for the
    # whole command, as paused_collector turns it off for a scan's stretches in library use.
    gc.disable()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (iaclint scan | head): nothing more to say
        pass
    os._exit(code)


class _Progress:
    """``parsed 120/958 files`` on a terminal's stderr, once a scan has run for a second."""

    def __init__(self, stream):
        import time
        self.stream, self.clock = stream, time.perf_counter
        self.start = self.clock()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.shown and self.clock() - self.start < 1.0:
            return
        self.shown = True
        self.stream.write(f"\riaclint: parsed {done}/{total} files")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _fail(message: str) -> int:
    print(f"iaclint: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _scan(args) -> int:
    from . import config as config_mod
    from . import registry
    from .engine import ScanOptions, scan

    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        return _fail(f"no such file or directory: {', '.join(missing)}")
    try:
        path = args.config or config_mod.find(args.paths[0] if os.path.isdir(args.paths[0])
                                              else os.path.dirname(os.path.abspath(args.paths[0])))
        if args.config and not os.path.isfile(args.config):
            return _fail(f"config file not found: {args.config}")
        cfg = config_mod.load(path)
    except config_mod.ConfigError as exc:
        return _fail(str(exc))

    select, ignore = _csv(args.select), _csv(args.ignore)
    unknown = registry.unknown_selectors(select + ignore + list(cfg.select) + list(cfg.ignore))
    if unknown:
        return _fail(f"no policy, prefix or family matches: {', '.join(unknown)} (see `iaclint rules`)")
    bad_overrides = [k for k in cfg.severity if registry.get(k) is None]
    if bad_overrides:
        return _fail(f"{cfg.path}: 'severity': unknown policy id {', '.join(bad_overrides)}")

    variables = args.variables or []
    bad_vars = [v for k, v in variables if k == "var" and ("=" not in v or not v.partition("=")[0].strip())]
    if bad_vars:
        return _fail(f"--var needs NAME=VALUE: {', '.join(bad_vars)}")
    missing = [v for k, v in variables if k == "file" and not os.path.isfile(v)]
    if missing:
        return _fail(f"--var-file not found: {', '.join(missing)}")
    options = ScanOptions(select=select, ignore=ignore, exclude=args.exclude, variables=variables,
                          threshold=args.severity_threshold,
                          inline_suppressions=False if args.no_inline_suppressions else None)
    if args.max_file_size is not None:
        options.max_file_bytes = args.max_file_size
    if not args.no_cache:
        from .cache import ParseCache, default_directory
        options.cache = ParseCache(default_directory())
    options.jobs = args.jobs if args.jobs and args.jobs > 0 else (os.cpu_count() or 1)
    progress = _Progress(sys.stderr) if sys.stderr.isatty() else None
    options.progress = progress
    adoption = _adoption(args)  # --baseline, --changed-since: usage errors before the scan
    if isinstance(adoption, int):
        return adoption
    base, changed, adoption_outputs = adoption
    options.report_only = changed
    try:
        result = scan(args.paths, cfg, options)
        if progress is not None:
            progress.close()
    except Exception as exc:
        from .gitmeta import GitError
        if isinstance(exc, GitError):
            return _fail(f"--changed-since {args.changed_since}: {exc}")
        raise
    finally:
        if changed is not None:
            changed.close()
    if args.write_baseline or base is not None:
        from . import baseline as baseline_mod
        if args.write_baseline:
            count = baseline_mod.write(args.write_baseline, result)
            print(f"iaclint: wrote {count} baseline entr{'y' if count == 1 else 'ies'} to "
                  f"{args.write_baseline}", file=sys.stderr)
        if base is not None:
            baseline_mod.apply(result, base)

    fmt = args.format or cfg.format or "text"
    from .output import render
    opts = {"category": args.sarif_category, "quiet": args.quiet, "explain_unknown": args.explain_unknown}
    if args.output:
        write_atomically(args.output, lambda fh: render(fmt, result, fh, color=False, **opts))
    else:
        color = fmt == "text" and not args.no_color and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        render(fmt, result, sys.stdout, color=color, **opts)
    for extra_fmt, extra_file in adoption_outputs:
        write_atomically(extra_file, lambda fh, f=extra_fmt: render(f, result, fh, color=False, **opts))
    if args.write_baseline:
        return EXIT_ERROR if result.errors else EXIT_OK
    return result.exit_code()


def _adoption(args):
    """``(baseline, changed_files, [(format, file)])`` for --baseline, --changed-since and
    --also-output, or an exit code."""
    from .output import FORMATS
    outputs = []
    for spec in args.also_output:
        extra_fmt, sep, extra_file = spec.partition("=")
        if not sep or extra_fmt not in FORMATS or not extra_file:
            return _fail(f"--also-output needs FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}: {spec!r}")
        outputs.append((extra_fmt, extra_file))
    for target in [f for _, f in outputs] + [f for f in (args.output, args.write_baseline) if f]:
        if (why := _unwritable(target)) is not None:
            return _fail(why)
    base = changed = None
    if args.baseline:
        from . import baseline as baseline_mod
        try:
            base = baseline_mod.load(args.baseline)
        except baseline_mod.BaselineError as exc:
            return _fail(str(exc))
    if args.changed_since:
        if args.write_baseline:
            return _fail("--write-baseline records every finding: it cannot be combined with --changed-since")
        from . import gitmeta
        try:
            changed = gitmeta.ChangedSince.open(args.paths[0], args.changed_since)
        except gitmeta.GitError as exc:
            return _fail(f"--changed-since {args.changed_since}: {exc}")
    return base, changed, outputs


def _unwritable(target: str) -> str | None:
    """Why a report cannot be written to ``target`` (checked before the scan), or None."""
    if not os.path.isdir(os.path.dirname(os.path.abspath(target))):
        return f"cannot write {target}: no such directory"
    if os.path.isdir(target):
        return f"cannot write {target}: it is a directory"
    return None


def _rules(args) -> int:
    from . import registry
    policies = registry.all_policies()
    if args.format == "json":
        import json
        json.dump([p.to_dict() for p in policies], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    width = max(len(p.name) for p in policies) if policies else 10
    for p in policies:
        print(f"{p.id:<12} {str(p.severity):<8} {p.family:<12} {p.name:<{width}}  {p.summary}")
    print(f"\n{len(policies)} policies. `iaclint explain ID` shows one in full.")
    return EXIT_OK


def _explain(args) -> int:
    from . import registry
    pol = registry.get(args.id)
    if pol is None:
        return _fail(f"no policy {args.id!r} (see `iaclint rules`)")
    print(f"{pol.id}  {pol.name}\n{pol.summary}\n")
    rows = [("Severity", str(pol.severity)), ("Family", pol.family),
            ("Applies to", ", ".join(sorted(pol.applies_to))),
            ("CWE", f"CWE-{pol.cwe}" if pol.cwe else "-"),
            ("Checkov", ", ".join(pol.checkov) or "-"), ("Trivy", ", ".join(pol.trivy) or "-"),
            ("Precision", pol.precision), ("Docs", pol.help_uri)]
    for k, v in rows:
        print(f"  {k + ':':<12}{v}")
    print()
    print(pol.body)
    print(f"\nSuppress one occurrence with a reason:\n  # iaclint: ignore[{pol.id}] <why this is acceptable>")
    return EXIT_OK


def _isolation(args) -> int:
    """The inventory: exits 0, or 2 when a file could not be read or parsed (rows still printed)."""
    from . import config as config_mod
    from . import isolation
    from .engine import ScanOptions

    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        return _fail(f"no such file or directory: {', '.join(missing)}")
    if args.config and not os.path.isfile(args.config):
        return _fail(f"config file not found: {args.config}")
    if args.output and (why := _unwritable(args.output)) is not None:
        return _fail(why)
    try:
        cfg = config_mod.load(args.config or config_mod.find(
            args.paths[0] if os.path.isdir(args.paths[0]) else os.path.dirname(os.path.abspath(args.paths[0]))))
    except config_mod.ConfigError as exc:
        return _fail(str(exc))
    rows, diagnostics = isolation.inventory(args.paths, cfg, ScanOptions(exclude=args.exclude))
    if args.output:
        write_atomically(args.output, lambda fh: isolation.render(args.format, rows, fh))
    else:
        isolation.render(args.format, rows, sys.stdout)
    errors = [d for d in diagnostics if d.level == "error"]
    for d in errors:
        where = f"{d.path}:{d.span.line}:{d.span.column}" if d.span else d.path
        print(f"iaclint: {where}: {d.message}", file=sys.stderr)
    return EXIT_ERROR if errors else EXIT_OK
