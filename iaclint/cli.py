"""``iaclint``: scan, rules, explain.

Imports are deferred to the command that needs them, so ``iaclint --version`` and
``iaclint rules`` never load the parsers.
"""

from __future__ import annotations

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
        raise _bad_value(f"not a size: {text!r} (e.g. 5M, 512K, 100000)") from None
    if n <= 0:
        raise _bad_value(f"must be more than 0: {text!r}")
    return n * scale


def _bad_value(message: str) -> Exception:
    import argparse  # only a bad value needs it, and argparse then reports it (see _read)
    return argparse.ArgumentTypeError(message)


def _csv(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


# -- the command line ---------------------------------------------------------------------------
# Each command's arguments, declared once, as ``add_argument`` takes them. :func:`build_parser`
# gives them to argparse; :func:`_read` reads a command line of these arguments alone, spelled
# the one way argparse reads them, without importing argparse.
_PATHS = (("paths",), dict(nargs="*", default=["."], metavar="PATH"))
_EXCLUDE = (("--exclude",), dict(action="append", metavar="GLOB", default=[],
                                 help=".gitignore-style pattern to skip (repeatable)"))
COMMANDS = {
    "scan": ("scan files and directories (default: .)", (
        _PATHS,
        (("-f", "--format"), dict(choices=["text", "json", "sarif", "github", "markdown"], default=None)),
        (("-o", "--output"), dict(metavar="FILE", help="write the report to FILE (atomically)")),
        (("--select",), dict(action="append", metavar="IDS",
                             help="policy ids, names, id prefixes or families, comma-separated")),
        (("--ignore",), dict(action="append", metavar="IDS", help="as --select, to leave out")),
        (("--severity-threshold",), dict(choices=["low", "medium", "high", "critical"], default=None,
                                         help="exit 1 only for findings at or above this severity "
                                              "(default: low)")),
        (("--config",), dict(metavar="FILE", help="config file (default: nearest .iaclint.toml or "
                                                  "pyproject.toml with [tool.iaclint])")),
        _EXCLUDE,
        (("--no-inline-suppressions",), dict(action="store_true",
                                             help="ignore '# iaclint: ignore[...]' comments and annotations")),
        (("--sarif-category",), dict(metavar="CATEGORY", help="SARIF automationDetails.id")),
        (("--explain-unknown",), dict(action="store_true",
                                      help="list the checks skipped because a value could not be known")),
        (("--var-file",), dict(action="append", dest="variables", type=lambda v: ("file", v), metavar="FILE",
                               help="Terraform variable values for root modules, as `terraform -var-file` "
                                    "(repeatable; with --var, a later one wins)")),
        (("--var",), dict(action="append", dest="variables", type=lambda v: ("var", v), metavar="NAME=VALUE",
                          help="a Terraform variable value for root modules, as `terraform -var` "
                               "(repeatable; with --var-file, a later one wins)")),
        (("--no-cache",), dict(action="store_true",
                               help="do not read or write the cache ($XDG_CACHE_HOME/iaclint: parses, "
                                    "results, the policies' compiled code)")),
        (("-j", "--jobs"), dict(type=int, default=None, metavar="N",
                                help="processes for parsing large scans (default: the number of CPUs)")),
        (("--max-file-size",), dict(type=_byte_size, default=None, metavar="SIZE",
                                    help="skip (as an error) files larger than SIZE bytes; K and M suffixes "
                                         "work (default: 5M). Only the command line sets it: a scanned "
                                         "repository's config cannot")),
        (("--no-color",), dict(action="store_true", help="no colour in text output")),
        (("-q", "--quiet"), dict(action="store_true", help="text: no summary line")),
        (("--baseline",), dict(metavar="FILE",
                               help="report only findings not recorded in FILE (see --write-baseline)")),
        (("--write-baseline",), dict(metavar="FILE", help="record this scan's findings in FILE; exits 0 "
                                                          "unless a file could not be read")),
        (("--changed-since",), dict(metavar="REF", help="report only findings in files changed since the "
                                                        "git revision REF (reads .git; never runs git)")),
        (("--also-output",), dict(action="append", default=[], metavar="FORMAT=FILE",
                                  help="also write the report in FORMAT to FILE, from the same scan "
                                       "(repeatable; e.g. sarif=iaclint.sarif)")),
    )),
    "rules": ("list the policies", (
        (("-f", "--format"), dict(choices=["text", "json"], default="text")),
    )),
    "explain": ("show a policy's documentation", (
        (("id",), dict(metavar="ID", help="policy id or name, e.g. IAC-NET-001")),
    )),
    "isolation": ("the isolation level, trust tier and floor of every workload", (
        _PATHS,
        (("-f", "--format"), dict(choices=["text", "json", "markdown"], default="text")),
        (("-o", "--output"), dict(metavar="FILE", help="write the inventory to FILE (atomically)")),
        (("--config",), dict(metavar="FILE", help="config file (default: nearest .iaclint.toml or "
                                                  "pyproject.toml with [tool.iaclint]); its [isolation] "
                                                  "table sets tiers and floors")),
        _EXCLUDE,
    )),
}


def build_parser(only: str | None = None):
    """The command line as an ``argparse.ArgumentParser``; with ``only``, just that subcommand is
    added (each ``add_argument`` costs, and ``--help`` of the others is never shown)."""
    import argparse

    class Formatter(argparse.HelpFormatter):
        """argparse's help formatter, told the terminal's width without importing ``shutil``.

        argparse makes a formatter for every ``add_argument`` (to check its metavar), and the
        default one imports ``shutil`` (and with it bz2, lzma and zlib) to ask the width: ~2 ms.
        """

        def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
            super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)

    p = argparse.ArgumentParser(
        prog="iaclint", formatter_class=Formatter,
        description="Static policy linter for Terraform, Kubernetes manifests and Dockerfiles: "
                    "network segmentation, encryption, secrets, isolation and supply chain.")
    p.add_argument("--version", action="version", version=f"iaclint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for command, (summary, arguments) in COMMANDS.items():
        if only in (None, command):
            c = sub.add_parser(command, help=summary, formatter_class=Formatter)
            for names, kwargs in arguments:
                c.add_argument(*names, **kwargs)
    return p


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it: ``$COLUMNS``, else the
    terminal, else 80."""
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


def _read(argv: list[str]):
    """``argv`` as argparse would read it, for a command line argparse can read only one way;
    None for everything else, which argparse then reads (and reports, when it is wrong).

    Importing argparse, building the parser and translating its messages (gettext, locale) cost
    every run ~20M instructions, 4% of a scan of a small folder, though only ``--help`` and
    usage errors print anything. Read here: a command, then its options by their exact names
    (``--name value``, ``--name=value``, ``-x value``) and its positional words in one run.
    Left to argparse: ``--help`` and ``--version``, abbreviations, ``-xvalue``, ``--``, any
    word or value that starts with ``-``, positional words on both sides of an option, and a
    value the option's ``type`` or ``choices`` refuse.
    """
    if not argv or argv[0] not in COMMANDS:
        return None
    values: dict = {"command": argv[0]}
    options, positional = {}, None
    for names, kwargs in COMMANDS[argv[0]][1]:
        if not names[0].startswith("-"):
            positional = names[0], kwargs
            continue
        dest = kwargs.get("dest") or next((n for n in names if n.startswith("--")), names[0]).lstrip("-").replace("-", "_")
        for name in names:
            options[name] = dest, kwargs
        default = kwargs.get("default", False if kwargs.get("action") == "store_true" else None)
        values.setdefault(dest, list(default) if isinstance(default, list) else default)
    words: list[str] = []
    state = "before"  # the positional words: before, in or after their run
    rest = iter(argv[1:])
    for word in rest:
        if not word.startswith("-"):
            if state == "after":
                return None
            words.append(word)
            state = "in"
            continue
        state = "after" if state == "in" else state
        name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        dest, kwargs = options.get(name, (None, None))
        action = kwargs.get("action") if kwargs else None
        if kwargs is None or action not in (None, "store_true", "append"):
            return None
        if action == "store_true":
            if eq:
                return None
            values[dest] = True
            continue
        if not eq:
            value = next(rest, "-")
        if value.startswith("-"):  # argparse's own rules (negative numbers, "--" removed)
            return None
        try:
            value = kwargs["type"](value) if "type" in kwargs else value
        except Exception:
            return None
        if "choices" in kwargs and value not in kwargs["choices"]:
            return None
        values[dest] = [*(values[dest] or ()), value] if action == "append" else value
    if positional is not None:
        name, kwargs = positional
        if kwargs.get("nargs") == "*":
            values[name] = words or list(kwargs["default"])
        elif len(words) == 1:
            values[name] = words[0]
        else:
            return None
    elif words:
        return None
    import types
    return types.SimpleNamespace(**values)


def python_problem(version: tuple = tuple(sys.version_info[:3])) -> str | None:
    """Why this Python cannot run iaclint, or None.

    Python 3.11.0-3.11.4 match possessive quantifiers (``x*+``, ``(?:...)++``) wrongly when the
    repeated part can backtrack (CPython gh-106052, fixed in 3.11.5), and the parsers rely on
    them: on 3.11.2 the HCL parser reads ``"a${b}"`` as the literal text ``a${b}``, so a scan
    would be wrong without any error. ``requires-python`` keeps pip from installing iaclint
    there; this covers a checkout run in place.
    """
    if version < (3, 11, 5):
        found = ".".join(map(str, version))
        return (f"Python {found} has a regular-expression bug (CPython gh-106052) that makes the "
                "parsers misread files; iaclint needs Python 3.11.5 or newer")
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if problem := python_problem():
        return _fail(problem)
    args, parser = _read(argv), None
    if args is None:
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
    (parser or build_parser()).print_help()  # no command: argparse read the line, with every command
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
