"""discover files -> parse -> select policies by applies_to -> run -> suppress -> result.

One broken file never stops the scan: it becomes an error diagnostic with its position, and
every other file is still parsed and checked.
"""

from __future__ import annotations

import os
import posixpath
import time
from collections import defaultdict

from . import registry
from .config import Config
from .discovery import IgnoreRules, choose_root, discover
from .files import MAX_FILE_BYTES, read_text
from .model import Diagnostic, Finding, Node, ParseError, Resource, Severity, Span, UnknownValue, raised_at
from .result import ScanResult

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    import datetime as _dt
    from typing import Callable


class ScanOptions:
    """How to scan: what the command line sets beside the configuration file.

    This and the engine's other records are plain classes: on Python 3.11 each dataclass
    compiles its generated methods when its module is imported, ~0.5 ms apiece of every run.
    """

    __slots__ = ("select", "ignore", "exclude", "threshold", "inline_suppressions", "today",
                 "max_file_bytes", "variables", "report_only", "cache", "jobs", "progress")

    def __init__(self, select: list[str] | None = None, ignore: list[str] | None = None,
                 exclude: list[str] | None = None, threshold: str | None = None,
                 inline_suppressions: bool | None = None, today: _dt.date | None = None,
                 max_file_bytes: int = MAX_FILE_BYTES, variables: list[tuple[str, str]] | None = None,
                 report_only: Callable[[str], bool] | None = None, cache: object | None = None,
                 jobs: int = 1, progress: Callable[[int, int], None] | None = None):
        self.select = [] if select is None else select
        self.ignore = [] if ignore is None else ignore
        self.exclude = [] if exclude is None else exclude
        self.threshold = threshold
        self.inline_suppressions = inline_suppressions
        self.today = today
        self.max_file_bytes = max_file_bytes
        # --var-file FILE and --var NAME=VALUE as ("file", FILE) and ("var", "NAME=VALUE"), in
        # the order given: as for terraform, a later one wins
        self.variables = [] if variables is None else variables
        # --changed-since: called with each discovered file's absolute path; a file it rejects
        # is still read and evaluated (module context, project policies) but reported on like a
        # pre-commit context file: no findings, no diagnostics.
        self.report_only = report_only
        self.cache = cache        # a ParseCache (the CLI's default; off with --no-cache)
        self.jobs = jobs          # worker processes for parsing
        self.progress = progress  # called with (files parsed, total)


def scan(paths: list[str], config: Config | None = None, options: ScanOptions | None = None) -> ScanResult:
    started = time.perf_counter()
    config = config or Config()
    options = options or ScanOptions()
    # the day suppressions expire against, read once (ISO, as `until=` is written; no datetime import)
    today = options.today.isoformat() if options.today else time.strftime("%Y-%m-%d")
    read = _collect(paths, config, options)
    key = _result_key(read, config, options, today) if options.cache is not None else None
    if key is not None:
        cached = options.cache.get_result(key, read.root)
        if cached is not None:  # nothing the scan depends on changed since a run that was kept
            cached.duration = time.perf_counter() - started
            return cached
    if options.cache is not None:
        registry.keep_code_in(options.cache.directory)  # the policies' compiled code, beside the parses
    chosen = registry.select(registry.catalogue(), list(config.select) + list(options.select),
                             list(config.ignore) + list(options.ignore))
    before = set(read.texts)
    loaded = _build(read, options, _wanted_types(chosen))
    root, resources, report, texts, all_files, diagnostics = (
        loaded.root, loaded.resources, loaded.report, loaded.texts, loaded.all_files, loaded.diagnostics)
    # Only the policies that apply to a resource type the scan found are imported and run.
    present = {r.type for r in resources}
    policies = registry.resolve(c for c in chosen if not present.isdisjoint(c.applies_to))
    inline = config.inline_suppressions if options.inline_suppressions is None else options.inline_suppressions
    runner = _Runner(config, inline, today, texts, report, diagnostics)
    from .parse import paused_collector
    with paused_collector():
        runner.run(policies, resources)

    threshold = Severity.parse(options.threshold or config.severity_threshold)
    diagnostics = [d for d in diagnostics if d.path in report or d.path not in all_files]
    result = ScanResult(
        root=root, findings=sorted(runner.findings, key=Finding.sort_key),
        diagnostics=sorted(set(diagnostics), key=Diagnostic.sort_key), policies=policies,
        files=sorted(p for p in report if p in texts), resources=sum(1 for r in resources if r.file in report),
        suppressed=runner.suppressed, unknown_skips=runner.unknown_skips, unknowns=runner.unknowns,
        threshold=threshold, duration=time.perf_counter() - started,
    )
    if key is not None:
        extra = sorted(set(texts) - before) + sorted(loaded.reads)
        options.cache.put_result(key, result, root, extra)
    return result


class Loaded:
    """What a scan reads before any policy runs (see :func:`load`)."""

    __slots__ = ("root", "resources", "report", "texts", "all_files", "diagnostics", "reads")

    def __init__(self, root: str, resources: list[Resource], report: set[str], texts: dict[str, str],
                 all_files: dict[str, str | None], diagnostics: list[Diagnostic], reads: set[str] | None = None):
        self.root = root                # absolute path every location is relative to
        self.resources = resources      # every parsed resource, context files included
        self.report = report            # files whose findings are reported (the others are context)
        self.texts = texts
        self.all_files = all_files      # path -> kind (None: a non-regular file named by the user)
        self.diagnostics = diagnostics
        self.reads = set() if reads is None else reads  # other files read (file(), templatefile())


class _Read:
    """Discovery and reading: everything a scan's result depends on, before any parsing."""

    __slots__ = ("root", "excludes", "texts", "all_files", "report", "diagnostics")

    def __init__(self, root: str, excludes: list, texts: dict[str, str], all_files: dict[str, str],
                 report: set[str], diagnostics: list[Diagnostic]):
        self.root, self.excludes, self.texts, self.all_files = root, excludes, texts, all_files
        self.report, self.diagnostics = report, diagnostics


def load(paths: list[str], config: Config | None = None, options: ScanOptions | None = None,
         wanted: set[str] | None = None) -> Loaded:
    """Discover, read, parse and evaluate ``paths`` as :func:`scan` does, without running policies.

    For commands that need the resources themselves (``iaclint isolation``). ``wanted`` limits
    the Terraform resources built to those types; of the others, only what an expression reads
    is evaluated (an argument, not the whole resource), and they are not in the result.
    """
    config = config or Config()
    options = options or ScanOptions()
    return _build(_collect(paths, config, options), options, wanted)


def _collect(paths: list[str], config: Config, options: ScanOptions) -> _Read:
    root = choose_root(paths)
    excludes = [IgnoreRules(config.exclude, config.base), IgnoreRules(options.exclude, root)]
    found = discover(paths, root, excludes)
    diagnostics: list[Diagnostic] = [Diagnostic("note", f"skipped: {why}", path, None, "skipped")
                                     for path, why in found.notes]
    texts: dict[str, str] = {}
    all_files = {**found.context, **found.files}
    real_root = os.path.realpath(root)
    for path in sorted(all_files):
        text = read_text(root, path, options.max_file_bytes, diagnostics, real_root)
        if text is not None:
            texts[path] = text
    report = set(found.files)
    if options.report_only is not None:
        report = {p for p in report if options.report_only(os.path.join(root, p))}
    return _Read(root, excludes, texts, all_files, report, diagnostics)


def _build(read: _Read, options: ScanOptions, wanted: set[str] | None) -> Loaded:
    root, texts, all_files, diagnostics = read.root, read.texts, read.all_files, read.diagnostics
    resources: list[Resource] = []
    # Every file is parsed once (cached, in parallel when it pays); Dockerfiles and YAML are then
    # self-contained, and Terraform is evaluated one root module at a time.
    from .parse import parse_all
    parsed = parse_all({p: (all_files[p], t) for p, t in texts.items() if all_files[p] != "tfplan"},
                       options.cache, options.jobs, options.progress)
    tf_dirs: dict[str, list[str]] = defaultdict(list)
    plans: list[str] = []
    for path in texts:
        kind = all_files[path]
        if kind in ("terraform", "tfvars"):
            tf_dirs[posixpath.dirname(path)].append(path)
        elif kind == "tfplan":
            plans.append(path)
        else:
            payload, diags = parsed[path]
            resources.extend(payload or ())
            diagnostics.extend(diags)
    reads: set[str] = set()
    if tf_dirs:
        resources.extend(_terraform(root, tf_dirs, texts, all_files, read.excludes, options, diagnostics, parsed,
                                    wanted, reads))
    report = set(read.report)
    if plans:
        resources = _plans(plans, texts, resources, report, diagnostics)
    return Loaded(root, resources, report, texts, all_files, diagnostics, reads)


def _result_key(read: _Read, config: Config, options: ScanOptions, today: str) -> str:
    """A digest of everything a scan's result depends on, for the result cache.

    The files (paths, kinds and bytes), which of them are reported on, the configuration, the
    options, the day (suppressions expire), iaclint's own code and installed policy packs.
    Files read along the way (a called module outside the scanned paths, ``file()``) are checked
    when the entry is used (see ``ParseCache.get_result``).
    """
    import hashlib
    from .cache import code_digest
    h = hashlib.sha256()
    for part in (code_digest(full=True), registry.packs_fingerprint(), read.root, repr(config),
                 repr((options.select, options.ignore, options.exclude, options.threshold,
                       options.inline_suppressions, options.max_file_bytes, options.variables)),
                 today, repr(sorted(read.report))):
        h.update(str(part).encode("utf-8", "surrogatepass") + b"\0")
    for path in (value for kind, value in options.variables if kind == "file"):
        try:
            with open(path, "rb") as fh:
                h.update(path.encode() + b"\0" + hashlib.sha256(fh.read()).digest())
        except OSError:
            h.update(path.encode() + b"\0-")
    for path in sorted(read.all_files):
        text = read.texts.get(path)
        h.update(f"{path}\0{read.all_files[path]}\0".encode("utf-8", "surrogatepass"))
        h.update(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest() if text is not None else b"-")
    return h.hexdigest()


def _error(diagnostics: list[Diagnostic], path: str, exc: Exception) -> None:
    if isinstance(exc, ParseError):
        diagnostics.append(Diagnostic("error", exc.message, path, Span.point(exc.line, exc.column), "parse-error"))
    elif isinstance(exc, RecursionError):
        diagnostics.append(Diagnostic("error", "nested too deeply to read", path, Span.point(1), "parse-error"))
    else:
        at = f" at {where}" if (where := raised_at(exc)) else ""
        diagnostics.append(Diagnostic("error", f"internal error while parsing: {type(exc).__name__}: {exc}{at}",
                                      path, Span.point(1), "internal-error"))


def _terraform(root: str, tf_dirs: dict[str, list[str]], texts: dict[str, str], kinds: dict[str, str],
               excludes: list[IgnoreRules], options: ScanOptions, diagnostics: list[Diagnostic],
               parsed_files: dict, wanted: set[str] | None, reads: set[str]) -> list[Resource]:
    """Evaluate every root module; directories that scanned modules call are evaluated per call.

    A directory that another scanned directory calls as a local module (``source = "../x"``) is
    not a root: it is evaluated with each call's arguments. Directories no root reaches (say, two
    modules that call each other) are evaluated as roots so that nothing is left unchecked.
    """
    from .parse import parse_all
    from .terraform.module import Module, TfFile
    parsed: dict[str, tuple[list, list]] = {}

    def parse_dir(directory: str, paths: list[str]) -> tuple[list, list]:
        files, tfvars = [], []
        missing = {p: (kinds.get(p, "terraform"), texts[p]) for p in paths if p not in parsed_files}
        if missing:  # a called module's directory the scan did not include
            parsed_files.update(parse_all(missing, options.cache))
        for path in sorted(paths):
            items, diags = parsed_files[path]
            diagnostics.extend(diags)
            if items is None:
                continue
            f = TfFile(path, texts[path], items)
            if kinds.get(path) == "tfvars":
                name = posixpath.basename(path)
                if name in ("terraform.tfvars", "terraform.tfvars.json") or ".auto.tfvars" in name:
                    tfvars.append(f)
            else:
                files.append(f)
        return files, tfvars

    def load(directory: str) -> list | None:
        """Parsed .tf files of a called module directory: scanned ones, or read from inside the tree."""
        if directory not in parsed:
            paths = tf_dirs.get(directory)
            if paths is None:
                paths = _module_dir_files(root, directory, excludes, options.max_file_bytes, texts, diagnostics)
                reads.add(directory)  # the result cache checks its listing too: a file added there
                for p in paths:
                    kinds.setdefault(p, "terraform")
            parsed[directory] = parse_dir(directory, paths)
        return parsed[directory][0]

    for directory in sorted(tf_dirs):
        load(directory)
    # directories as module sources name them: the top one is ".", never ""
    calls = {d or ".": _local_calls(d, parsed[d][0]) for d in sorted(tf_dirs)}
    called = {c for d, cs in calls.items() for c in cs if c != d}
    roots = [d for d in sorted(tf_dirs) if (d or ".") not in called and parsed[d][0]]
    reached = set()
    todo = [d or "." for d in roots]
    while todo:
        d = todo.pop()
        if d not in reached:
            reached.add(d)
            todo.extend(calls.get(d, ()))
    roots += [d for d in sorted(tf_dirs) if (d or ".") not in reached and parsed[d][0]]

    overrides = _overrides(options, diagnostics)
    fs_root = os.path.abspath(root)
    resources: list[Resource] = []
    declared: set = set()
    shared: dict = {}  # what every root module's evaluation may reuse (see Module)
    from .parse import paused_collector
    with paused_collector():
        for directory in roots:
            files, tfvars = parsed[directory]
            try:
                # diagnostics: the scan's own list, as an argument evaluated when a policy reads it
                # may report one then
                module = Module(directory or ".", files, tfvars, overrides, loader=load, fs_root=fs_root,
                                declared=declared, wanted=wanted, reads=reads, shared=shared,
                                diagnostics=diagnostics)
                resources.extend(module.resources())
            except Exception as exc:  # noqa: BLE001
                _error(diagnostics, files[0].path, exc)
    return resources


def _plans(plans: list[str], texts: dict[str, str], resources: list[Resource], report: set[str],
           diagnostics: list[Diagnostic]) -> list[Resource]:
    """Resources of plan JSON files; a plan supersedes the evaluation of its own directory.

    The plan holds what Terraform will apply, so the configuration in the plan's directory (a
    root module) is not checked a second time from its source; its blocks still give the plan's
    resources their files, lines and columns, and findings there are reported when the plan is.
    """
    from .terraform.plan import attach_config, plan_resources
    out = list(resources)
    for path in sorted(plans):
        directory = posixpath.dirname(path) or "."
        try:
            planned = plan_resources(texts[path], path, directory)
        except Exception as exc:  # noqa: BLE001
            _error(diagnostics, path, exc)
            continue
        config = [r for r in out if r.source == "terraform" and r.meta.get("root") == directory
                  and "plan" not in r.meta]
        files = attach_config(planned, config)
        if path in report:
            report.update(files)
        drop = {id(r) for r in config if r.meta.get("block") in ("resource", "data")}
        out = [r for r in out if id(r) not in drop] + planned
    return out


def _wanted_types(policies: list) -> set[str]:
    """Every resource type a selected policy reads (project policies list theirs in applies_to)."""
    from .model import expand_kinds
    wanted: set[str] = set()
    for pol in policies:
        wanted |= set(expand_kinds(tuple(pol.applies_to)))
    return wanted


def _local_calls(directory: str, files: list) -> set[str]:
    """Directories of the local modules (``./``, ``../``) that a module's files call."""
    from .parsers.hcl import Block
    out = set()
    for f in files:
        for item in f.items:
            if isinstance(item, Block) and item.type == "module":
                source = item.attributes().get("source")
                value = getattr(source.expr, "value", None) if source is not None else None
                if source is not None and source.expr.kind == "template" and len(source.expr.parts) == 1 \
                        and isinstance(source.expr.parts[0], str):
                    value = source.expr.parts[0]
                if isinstance(value, str) and value.startswith(("./", "../")):
                    out.add(posixpath.normpath(posixpath.join(directory or ".", value)))
    return out


def _module_dir_files(root: str, directory: str, excludes: list[IgnoreRules], limit: int,
                      texts: dict[str, str], diagnostics: list[Diagnostic]) -> list[str]:
    """The .tf files of a called module directory that the scan did not include (read as context)."""
    full = os.path.join(root, directory)
    real_root = os.path.realpath(root)
    if directory.startswith("..") or not os.path.isdir(full) or \
            os.path.commonpath([os.path.realpath(full), real_root]) != real_root:
        return []
    out = []
    for name in sorted(os.listdir(full)):
        path = posixpath.join(directory, name) if directory not in ("", ".") else name
        if not (name.endswith(".tf") or name.endswith(".tf.json")) or any(r.ignored(path, False) for r in excludes):
            continue
        if not os.path.isfile(os.path.join(full, name)):
            continue
        if path not in texts:
            text = read_text(root, path, limit, [], real_root)  # a context file's problems belong to its own scan
            if text is None:
                continue
            texts[path] = text
        out.append(path)
    return out


def _overrides(options: ScanOptions, diagnostics: list[Diagnostic]) -> dict:
    """Values of ``--var-file`` files and ``--var NAME=VALUE`` for the root modules, in the order
    they were given (a later value wins, as for terraform)."""
    if not options.variables:
        return {}
    from .model import Span as _Span
    from .parsers.hcl import Attribute, parse_expression
    from .parsers.terraform import parse_items
    from .terraform.evaluate import Env, Evaluator
    from .terraform.module import text_slicer
    values: dict = {}
    for kind, given in options.variables:
        if kind == "file":
            try:
                with open(given, encoding="utf-8-sig") as fh:
                    text = fh.read()
                items = parse_items(text, given)
            except OSError as exc:
                diagnostics.append(Diagnostic("error", f"cannot read --var-file: {exc.strerror or exc}",
                                              given, _Span.point(1), "unreadable"))
                continue
            except Exception as exc:  # noqa: BLE001
                _error(diagnostics, given, exc)
                continue
            ev = Evaluator(text_slicer(text))
            for item in items:
                if isinstance(item, Attribute):
                    values[item.name] = ev.evaluate(item.expr, Env({}))
            continue
        name, _, raw = given.partition("=")
        name = name.strip()
        if raw.lstrip()[:1] in ("[", "{"):  # a complex value is HCL, as for terraform -var
            try:
                value = Evaluator(lambda span: raw).evaluate(parse_expression(raw, _Span.point(1)), Env({}))
            except Exception as exc:  # noqa: BLE001
                diagnostics.append(Diagnostic("error", f"--var {name}: not a valid HCL value: {exc}", "",
                                              None, "bad-var"))
                continue
        else:
            value = raw
        values[name] = value
    return values


def resource_in_traceback(exc: BaseException, files) -> Resource | None:
    """The resource (of one of ``files``) that the innermost frame of ``exc``'s traceback holding
    one, or a part of one, was reading: where a crash in code that reads many resources is told."""
    tb = exc.__traceback__
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    try:
        for frame in reversed(frames):
            for value in list(frame.f_locals.values()):
                res = value.resource if isinstance(value, Node) else None
                if isinstance(res, Resource) and res.file in files:
                    return res
    finally:
        del frames
    return None


class _Runner:
    def __init__(self, config: Config, inline: bool, today: str, texts: dict[str, str],
                 report: set[str], diagnostics: list[Diagnostic]):
        self.config = config
        self.inline = inline
        self.today = today
        self.texts = texts
        self.report = report
        self.diagnostics = diagnostics
        self.findings: list[Finding] = []
        self.suppressed = 0
        self.unknown_skips = 0
        self.unknowns: list[dict] = []
        # suppress and project are imported when policies run: a scan that the result cache
        # serves runs none.
        from .suppress import FileSuppressions, parse_comments
        self._comments: dict[str, FileSuppressions] = {}
        self._annotations: dict[int, list] = {}
        self._seen: set[tuple] = set()
        if inline:  # parsed up front so that stale or reasonless suppressions are always reported
            for path in sorted(report):
                if path in texts:
                    self._comments[path] = parse_comments(texts[path], path, today, diagnostics)

    def run(self, policies: list, resources: list[Resource]) -> None:
        by_type: dict[str, list[Resource]] = defaultdict(list)
        for r in resources:
            by_type[r.type].append(r)
        project = None
        for pol in policies:
            opts = self.config.options_for(pol)
            if pol.scope == "project":
                if project is None:
                    from .project import Project
                    project = Project(resources)
                self._call(pol, project, opts, None)
                for unknown, subject in project.skipped:
                    self._skip(pol, unknown, subject)
                project.skipped.clear()
                continue
            for t in sorted(pol.applies_to):
                for res in by_type.get(t, ()):
                    if res.file in self.report or self._overridden_here(res):
                        self._call(pol, res, opts, res)

    def _overridden_here(self, res: Resource) -> bool:
        """Whether an override file reported on wrote part of ``res`` (pre-commit passed it)."""
        return any(path in self.report for path in res.meta.get("override_files", ()))

    def _call(self, pol, subject, opts, resource: Resource | None) -> None:
        try:
            for finding in pol.func(subject, opts) or ():
                self._add(pol, finding)
        except UnknownValue as exc:
            self._skip(pol, exc.unknown, resource)
        except Exception as exc:  # noqa: BLE001 - a policy bug must not stop the scan
            if resource is not None:
                at, on = resource, resource.address
            else:  # a project policy: point at what it was reading, so the report names a file
                at, reading = self._blamed(exc, pol, subject)
                on = (f"project, reading {at.address}" if reading else
                      f"project (first resource it applies to: {at.address})" if at is not None else "project")
            self.diagnostics.append(Diagnostic(
                "error", f"internal error in policy {pol.id} on {on}: "
                f"{type(exc).__name__}: {exc} ({raised_at(exc)})",
                at.file if at is not None else "", at.header if at is not None else None, "internal-error"))

    def _blamed(self, exc: Exception, pol, project) -> tuple[Resource | None, bool]:
        """(the resource a project policy was reading when it crashed, True); else (the first
        reported resource the policy applies to, False); else (None, False): no file to name."""
        reading = resource_in_traceback(exc, self.report)
        if reading is not None:
            return reading, True
        applicable = [r for r in project.of_type(*sorted(pol.applies_to)) if r.file in self.report]
        if applicable:
            return min(applicable, key=lambda r: (r.file, r.header.line, r.header.column, r.address)), False
        return None, False

    def _skip(self, pol, u, resource: Resource | None) -> None:
        self.unknown_skips += 1
        span = u.span or (resource.header if resource is not None else None)
        self.unknowns.append({
            "policy": pol.id, "address": resource.address if resource is not None else "",
            "path": getattr(span, "path", None) or (resource.file if resource is not None else ""),
            "line": span.line if span else 1,
            "expression": u.expression, "reason": u.reason,
        })

    def _add(self, pol, finding: Finding) -> None:
        finding.policy_id = pol.id
        finding.family = pol.family
        call_path = finding.resource.meta.get("call_path") if finding.resource is not None else None
        if call_path and not finding.message.endswith(f"(in {call_path})"):
            finding.message = f"{finding.message} (in {call_path})"
        override = self.config.severity.get(pol.id)
        finding.severity = Severity.parse(override) if override else pol.severity
        if finding.location.path not in self.report:
            return
        if self.inline and self._is_suppressed(pol, finding):
            self.suppressed += 1
            return
        # A module called the same way from several root modules (examples/*) yields the same
        # finding at the same place for the same address: report it once.
        key = (finding.policy_id, finding.location, finding.message, finding.address)
        if key in self._seen:
            return
        self._seen.add(key)
        self.findings.append(finding)

    def _is_suppressed(self, pol, finding: Finding) -> bool:
        path = finding.location.path
        from .suppress import FileSuppressions
        comments = self._comments.get(path) or FileSuppressions(path)  # all parsed in __init__
        candidates = comments.applying(finding.location.span.line)
        res = finding.resource
        if res is not None:
            if res.file == path and res.header.line != finding.location.span.line:
                candidates += comments.applying(res.header.line)
            candidates += self._annotation_suppressions(res)
        for s in candidates:
            if s.covers(pol.id, pol.name):
                return True
        return False

    def _annotation_suppressions(self, res: Resource) -> list:
        if res.source != "kubernetes":
            return []
        key = id(res)
        if key not in self._annotations:
            from .suppress import annotation_of, parse_annotation
            ann = annotation_of(res)
            self._annotations[key] = [] if ann is None else parse_annotation(
                ann[0], res.file, ann[1], self.today, self.diagnostics)
        return self._annotations[key]
