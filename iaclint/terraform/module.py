"""One Terraform module, evaluated into Resources, with the local modules it calls.

Inputs follow Terraform's precedence: variable defaults, then ``terraform.tfvars``, then
``*.auto.tfvars`` in lexical order, then ``--var-file`` and ``--var`` (the caller passes those
as ``overrides``); a called module gets its caller's arguments instead. Locals are evaluated
lazily, once, with cycles reported. ``count`` and ``for_each`` give one resource per instance
when the collection is known; ``dynamic`` blocks are expanded when their ``for_each`` is known
and are Unknown otherwise.

References: ``aws_s3_bucket.logs.bucket`` is the configured value; attributes the provider sets
at apply time (``id``, ``arn``) are Unknown. Every resource an attribute's expression reads,
directly or through locals, variables and module outputs, is recorded in
``meta["refs"][path]`` so the project index can answer "which SSE configuration points at this
bucket". Local modules (``./`` and ``../`` sources, or remote ones that ``terraform init``
downloaded, listed in ``.terraform/modules/modules.json``) are evaluated once per call instance
with the call's arguments; their resources carry the call path in their address.
"""

from __future__ import annotations

import functools
import json
import os
import posixpath

from ..model import Arguments, ComputedOnRead, Diagnostic, FileSpan, Resource, Span, Unknown
from ..parsers.hcl import Attribute, Block, Ref
from .evaluate import _NOT_FOUND, AfterApply, Deps, Env, Evaluator, ResourceValue, SetValue, _Lazy

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, Callable

MAX_INSTANCES = 1000
MAX_MODULE_DEPTH = 16
# Blocks one root module may multiply out to, beyond those written in it: the instances of
# count and for_each, dynamic blocks, and every block of each module call (with its nested
# blocks). They multiply: a module called 1000 times that calls another 1000 times... Past this,
# what is left is evaluated once, with Unknown instance keys, and module calls are Unknown.
MAX_EXPANSION = 20_000
_PAST_LIMIT = f"past the expansion limit of {MAX_EXPANSION} blocks per root module"
META_ARGUMENTS = {"source", "version", "count", "for_each", "providers", "depends_on"}
_BLOCK = object()  # see Module._argument


class TfFile:
    """One Terraform or tfvars file of a module: its text and its parsed items."""

    __slots__ = ("path", "text", "items", "_index", "_text_of")

    def __init__(self, path: str, text: str, items: list | None = None):
        self.path = path  # relative POSIX path
        self.text = text
        self.items = [] if items is None else items
        # what every instance of the file's module reads the same way, worked out once (index())
        self._index: _FileIndex | None = None
        self._text_of: Callable[[Span], str] | None = None

    def index(self) -> "_FileIndex":
        if self._index is None:
            self._index = _FileIndex(self.items, self.path)
        return self._index

    def text_of(self, span: Span) -> str:
        if self._text_of is None:
            self._text_of = text_slicer(self.text)
        return self._text_of(span)


class _FileIndex:
    """A file's top-level declarations, the same for every call of its module."""

    __slots__ = ("locals", "blocks", "outputs", "var_values", "var_types", "non_nullable", "producers")

    def __init__(self, items: list, path: str):
        self.locals: list[tuple[str, Attribute]] = []
        self.blocks: list[tuple[tuple[str, str, str], Block]] = []
        # the blocks that may become Resources, with the type they would have (None for a module
        # call, whose module's resources come through it whatever its own type): most of a
        # module's blocks are variables, outputs and locals that no call but the first emits
        self.producers: list[tuple[Block, str | None]] = []
        self.outputs: list[tuple[str, Attribute]] = []
        # variables: the value each starts with (a _Default, or Unknown when it has no default),
        # name -> (type constraint, file path), and those declared `nullable = false`
        self.var_values: dict[str, Any] = {}
        self.var_types: dict[str, tuple] = {}
        self.non_nullable: set[str] = set()
        for item in items:
            if not isinstance(item, Block):
                continue
            type_ = _produces(item)
            if type_ is not False:
                self.producers.append((item, type_))
            if item.type == "locals":
                self.locals.extend((a.name, a) for a in item.body if isinstance(a, Attribute))
            elif item.type in ("resource", "data") and len(item.labels) == 2:
                self.blocks.append(((item.type, item.labels[0], item.labels[1]), item))
            elif item.type == "module" and len(item.labels) == 1:
                self.blocks.append((("module", "module", item.labels[0]), item))
            elif item.type == "output" and len(item.labels) == 1:
                value = item.attributes().get("value")
                if value is not None:
                    self.outputs.append((item.labels[0], value))
            elif item.type == "variable" and item.labels:
                name, attrs = item.labels[0], item.attributes()
                if "type" in attrs:
                    self.var_types[name] = (attrs["type"].expr, path)
                nullable = attrs.get("nullable")
                if nullable is not None and nullable.expr.kind == "lit" and nullable.expr.value is False \
                        and "default" in attrs:
                    self.non_nullable.add(name)
                if "default" in attrs:
                    self.var_values[name] = _Default(attrs["default"].expr, path)
                else:
                    self.var_values[name] = Unknown(
                        f"var.{name}", f"variable {name} has no default and no value was given", item.header)


def _produces(block: Block) -> "str | None | bool":
    """The type of the Resources ``block`` becomes (see Module.resources), None for a module
    call, False for a block that becomes none (locals, moved, import, check, ...)."""
    kind, labels = block.type, block.labels
    if kind in ("resource", "data") and len(labels) == 2:
        return labels[0] if kind == "resource" else f"data.{labels[0]}"
    if kind == "module" and len(labels) == 1:
        return None
    if kind == "provider" and len(labels) == 1:
        return f"provider.{labels[0]}"
    if kind in ("variable", "output") and len(labels) == 1:
        return kind
    if kind == "terraform" and not labels:
        return kind
    return False


class _Declarations:
    """What a module's files declare, the same for every call of the module: its files in the
    order they are evaluated, its locals, outputs, and resource, data and module blocks, and its
    variables (their starting values and type constraints, and those declared not nullable).

    Override files (override.tf, *_override.tf) come last, in lexical order, and are merged into
    what they override: ``stand_ins`` maps id(a block of a file) to the key of the merged block
    that stands in its place, or to None for an override block merged into another file's;
    ``override_files`` maps id(a merged block) to the override files that wrote some of it.
    """

    __slots__ = ("files", "by_path", "overriding", "local_defs", "blocks", "outputs", "stand_ins",
                 "override_files", "types", "var_values", "var_types", "non_nullable")

    def __init__(self, files: list[TfFile]):
        overriding = [f for f in files if _is_override(f.path)]
        base = [f for f in files if not _is_override(f.path)] if overriding else files
        self.files = base + overriding if overriding else files
        self.by_path = {f.path: f for f in self.files}
        self.overriding = bool(overriding)
        self.local_defs: dict[str, tuple[Attribute, TfFile]] = {}
        self.blocks: dict[tuple[str, str, str], tuple[Block, TfFile]] = {}  # (kind, type, name)
        self.outputs: dict[str, tuple[Attribute, TfFile]] = {}
        self.stand_ins: dict[int, tuple | None] = {}
        self.override_files: dict[int, tuple] = {}
        for f in base:
            index = f.index()
            for name, a in index.locals:
                self.local_defs[name] = (a, f)
            for key, item in index.blocks:
                self.blocks.setdefault(key, (item, f))
            for name, a in index.outputs:
                self.outputs[name] = (a, f)
        for f in overriding:
            self._override(f)
        self.types = {t for k, t, _ in self.blocks if k == "resource"}
        self.var_values: dict[str, Any] = {}  # each variable's starting value (see _FileIndex)
        self.var_types: dict[str, tuple] = {}
        self.non_nullable: set[str] = set()
        for f in self.files:  # an override file's declaration wins
            index = f.index()
            self.var_values.update(index.var_values)
            self.var_types.update(index.var_types)
            self.non_nullable |= index.non_nullable

    def _override(self, f: TfFile) -> None:
        """Merge an override file into the module, as Terraform does: its locals and outputs
        replace those of the same name, its resource, data and module blocks merge into the
        blocks they override (see _merged); its variable declarations win (see _variables)."""
        index = f.index()
        for name, a in index.locals:
            self.local_defs[name] = (a, f)
        for name, a in index.outputs:
            self.outputs[name] = (a, f)
        for key, item in index.blocks:
            found = self.blocks.get(key)
            if found is None:  # nothing to override (terraform would refuse): a block of its own
                self.blocks[key] = (item, f)
                continue
            merged = _merged(found[0], item, f.path)
            earlier = self.override_files.pop(id(found[0]), None)
            if earlier is None:  # found[0] is a file's own block: the merged one stands in for it
                self.stand_ins[id(found[0])] = key
            self.stand_ins[id(item)] = None
            self.blocks[key] = (merged, found[1])
            self.override_files[id(merged)] = (earlier or ()) + (f.path,)


@functools.lru_cache(maxsize=1024)
def _relpath(directory: str, start: str) -> str:
    """``path.module`` of a called module: the same for every call from the same root module."""
    return posixpath.relpath(directory, start)


class _Evaluators(dict):
    """path -> the Evaluator of that file of a module, made by ``make(path)`` on first use."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[str], Evaluator]):
        super().__init__()
        self.make = make

    def __missing__(self, path: str) -> Evaluator:
        ev = self[path] = self.make(path)
        return ev


# loader(directory) -> the parsed .tf files of a module directory inside the scanned tree, or None
if TYPE_CHECKING:
    Loader = Callable[[str], "list[TfFile] | None"]


def text_slicer(source: str):
    lines: list[str] = []  # split on first use: most files never need a slice

    def text_of(span: Span) -> str:
        if not lines:
            lines.extend(source.splitlines() or [""])
        if span is None or span.line < 1 or span.line > len(lines):
            return ""
        if span.line == span.end_line:
            return lines[span.line - 1][span.column - 1:span.end_column - 1]
        parts = [lines[span.line - 1][span.column - 1:]]
        parts.extend(lines[span.line:span.end_line - 1])
        if span.end_line <= len(lines):
            parts.append(lines[span.end_line - 1][:span.end_column - 1])
        text = "\n".join(parts)
        return text if len(text) <= 300 else text[:297] + "..."
    return text_of


class Module:
    """A module instance. The root module of a scan is ``Module(directory, files, tfvars)``."""

    def __init__(self, directory: str, files: list[TfFile], tfvars: list[TfFile] | None = None,
                 overrides: dict[str, Any] | None = None, functions: dict | None = None, *,
                 loader: Loader | None = None, fs_root: str | None = None,
                 inputs: dict[str, tuple[Any, frozenset]] | None = None, call_path: str = "",
                 root: "Module | None" = None, stack: tuple[str, ...] = (), deps: Deps | None = None,
                 diagnostics: list[Diagnostic] | None = None, declared: set | None = None,
                 wanted: set[str] | None = None, reads: set | None = None, shared: dict | None = None):
        self.directory = directory
        self.reads = reads if root is None else root.reads
        # the resource types some selected policy reads; others are built only when referenced
        self.wanted = wanted if root is None else root.wanted
        # variable and output blocks of called modules already emitted, shared by every module
        # of a scan: a declaration is checked once, however many calls evaluate it
        self.declared = declared if declared is not None else (root.declared if root else set())
        # what every module of a scan can reuse, keyed by the id of a syntax node it holds: value
        # sizes (see Evaluator.size), compiled type constraints, block weights
        if root is not None:
            self.shared = root.shared
        else:
            self.shared = shared if shared is not None else {}
            for key in ("sizes", "clean", "converters", "weights", "module_weights", "written", "groups",
                        "declarations"):
                self.shared.setdefault(key, {})
        self.root = root or self
        self.call_path = call_path
        self.stack = stack + (directory,)
        self.loader = loader
        self.fs_root = fs_root
        self.functions = functions
        self.deps = deps or Deps()
        self.diagnostics: list[Diagnostic] = diagnostics if diagnostics is not None else []
        self._expansion = root._expansion if root is not None else [MAX_EXPANSION]  # blocks left
        self._fs_base = os.path.join(fs_root, self.root.directory) if fs_root is not None else None
        # path -> the Evaluator of that file, made when first needed (a call reads few of its
        # module's files)
        self._evaluators = _Evaluators(self._evaluator)
        key = tuple(map(id, files))
        hit = self.shared["declarations"].get(key)
        if hit is None:
            hit = self.shared["declarations"][key] = _Declarations(files)
        self._declared = hit
        self.files = hit.files
        self._by_path, self._overriding = hit.by_path, hit.overriding
        self._local_defs, self._blocks, self._outputs = hit.local_defs, hit.blocks, hit.outputs
        self._stand_ins, self._override_files, self._types = hit.stand_ins, hit.override_files, hit.types
        self._cache: dict[tuple, Any] = {}      # locals, instances, module calls: computed once
        # (block key, instance) -> {argument: (value, refs)} read before the block was built
        self._known: dict[tuple, dict] = {}
        self._in_progress: set[tuple] = set()
        self.variables, self._var_deps = self._variables(tfvars or [], overrides or {}, inputs)
        self._conformed: set[str] = set()  # variables whose value is final (see _var)
        rel = _relpath(directory, self.root.directory) if self.root is not self else "."
        self.base_env = Env({
            "var": _Lazy("var", self._var),
            "local": _Lazy("local", self._local),
            "module": _Lazy("module", self._module_value),
            "path": {"module": rel, "root": ".", "cwd": "."},
            "terraform": {"workspace": Unknown("terraform.workspace", "the workspace is chosen at run time")},
        })

    # -- inputs --------------------------------------------------------------------------
    def _variables(self, tfvars: list[TfFile], overrides: dict, inputs) -> tuple[dict, dict]:
        """Each variable's value, or a ``_Default`` evaluated on first use (most are never read)."""
        declared = self._declared.var_values  # each variable's starting value (see _FileIndex)
        values: dict[str, Any] = dict(declared)
        self._var_types = self._declared.var_types  # name -> (type constraint Expr, file path)
        deps: dict[str, frozenset] = {}
        self._defaults, self._non_nullable = declared, self._declared.non_nullable
        if inputs is not None:  # a called module: its caller's arguments (each an _Input), nothing else
            for name, given in inputs.items():
                if name in declared:
                    values[name] = given
        else:
            ordered = sorted(tfvars, key=lambda f: (not posixpath.basename(f.path).startswith("terraform.tfvars"),
                                                    posixpath.basename(f.path)))
            empty = Env({})
            for f in ordered:
                ev = Evaluator(f.text_of, self.functions, report=self._reporter(f.path), sizes=self.shared["sizes"])
                for item in f.items:
                    if isinstance(item, Attribute):
                        values[item.name] = ev.evaluate(item.expr, empty)
            values.update(overrides)
            for name in self._non_nullable:  # null for `nullable = false` keeps the default
                if values.get(name, False) is None:
                    values[name] = declared[name]
        return values, deps

    def _evaluator(self, path: str) -> Evaluator:
        f = self._by_path[path]
        ev = Evaluator(f.text_of, self.functions, self._resolve_root, fs_base=self._fs_base, fs_root=self.fs_root,
                       deps=self.deps, fs_reads=self.reads, report=self._reporter(path),
                       sizes=self.shared["sizes"], clean=self.shared["clean"])
        if self._overriding:  # an Unknown's text comes from its expression's file
            ev.text_of = functools.partial(_text_in, self._by_path, ev.text_of)
        return ev

    def _reporter(self, path: str):
        def report(level: str, message: str, span: Span | None, code: str) -> None:
            self.diagnostics.append(Diagnostic(level, message, path, span, code))
        return report

    def _spend(self, blocks: int, what: str, ev: Evaluator, span: Span) -> bool:
        """Take ``blocks`` from the root module's expansion budget; False, with a warning, when
        they are not left."""
        if blocks <= self._expansion[0]:
            self._expansion[0] -= blocks
            return True
        self._expansion[0] = 0  # spent: nothing more is multiplied out in this root module
        ev.note("warning", f"expansion limit: {what} would take this root module past {MAX_EXPANSION} "
                "blocks (count, for_each, dynamic and module calls multiply); the rest is treated as unknown",
                span, "tf-limit")
        return False

    def _var(self, name: str, e, ev: Evaluator) -> Any:
        if name not in self.variables:
            return ev.fail(e, f"var.{name} is not declared")
        value = self.variables[name]
        if name not in self._conformed:  # read for the first time: evaluated, converted, kept
            if isinstance(value, _Input):
                value, refs = value.get()
                if value is None and name in self._non_nullable:
                    value = self._defaults[name]  # null for `nullable = false` keeps the default
                elif refs:
                    self._var_deps[name] = refs
            if isinstance(value, _Default):  # a default is a constant expression: no deps of its own
                value = self._evaluators[value.path].evaluate(value.expr, Env({}))
            if name in self._var_types:
                type_expr, path = self._var_types[name]
                value = _conform(value, type_expr, self._evaluators[path], self.shared["converters"])
            self.variables[name] = value
            self._conformed.add(name)
        refs = self._var_deps.get(name)
        if refs:  # only a called module's inputs refer to anything
            ev.deps.add(refs)
        return value

    def _local(self, name: str, e, ev: Evaluator) -> Any:
        key = ("local", name)
        hit = self._cache.get(key)
        if hit is not None:
            if hit[1]:
                ev.deps.add(hit[1])
            return hit[0]
        definition = self._local_defs.get(name)
        if definition is None:
            return ev.fail(e, f"local.{name} is not defined")
        attr, f = definition
        if key in self._in_progress:
            self.diagnostics.append(Diagnostic(
                "error", f"local.{name} refers to itself through other locals (a cycle)", f.path,
                attr.span, "tf-local-cycle"))
            value = Unknown(f"local.{name}", "cycle between locals", attr.span)
            self._cache[key] = (value, frozenset())
            return value
        self._in_progress.add(key)
        self.deps.push()
        try:
            value = self._evaluators[f.path].evaluate(attr.expr, self.base_env)
        finally:
            refs = self.deps.pop()
            self._in_progress.discard(key)
        self._cache.setdefault(key, (value, refs))
        return self._cache[key][0]

    # -- references to resources, data sources and module calls ------------------------------
    def _resolve_root(self, name: str, env: Env) -> Any:
        if name == "data":
            return _Lazy("data", lambda t, e, ev: _Lazy(f"data.{t}", lambda n, e2, ev2: self._value("data", t, n, e2, ev2)))
        if name in self._types:
            return _Lazy(name, lambda n, e, ev: self._value("resource", name, n, e, ev))
        return _NOT_FOUND

    def _value(self, kind: str, type_: str, name: str, e, ev: Evaluator) -> Any:
        """What ``type.name`` (or ``data.type.name``) means in an expression.

        Before the block is built, each instance is a :class:`_Referenced`: reading one argument
        evaluates that argument alone, reading ``id`` or ``arn`` evaluates nothing, and only a look
        at the whole value (or at a nested block) builds the resource.

        The instances of a ``count`` or ``for_each`` block are made once (again once it is built)
        and shared: each of N instances reading ``x[count.index]`` would otherwise make N values
        to take one. Each reference still gets a list or map of its own, as a new one was before:
        what holds it may add to it (an argument and a nested block of the same name share one
        list).
        """
        key = (kind, type_, name)
        if key not in self._blocks:
            prefix = "data." if kind == "data" else ""
            return ev.fail(e, f"{prefix}{type_}.{name} is not declared in this module")
        built = self._cache.get(key)
        if isinstance(built, Unknown):
            return ev.unknown(e, built.reason)
        if key in self._in_progress:  # being built, or one of its arguments being evaluated
            return ev.unknown(e, f"{type_}.{name} refers to itself")
        shape = self._shape(key)
        if isinstance(shape, Unknown):
            return ev.unknown(e, shape.reason)
        mode, instances = shape
        if mode == "unknown":
            ev.deps.add((instances[0][0],))
            return ev.unknown(e, f"how many instances of {instances[0][0]} exist is not known")
        if mode == "single":
            return _Built(built[1][0], self, key) if built is not None else \
                _Referenced(self, key, 0, instances[0][0])
        hit = self._cache.get(("values",) + key)
        if hit is None or hit[0] is not built:
            if built is not None:
                values: Any = [_Built(r, self, key) for r in built[1]]
            else:
                values = [_Referenced(self, key, i, address) for i, (address, _) in enumerate(instances)]
            if mode == "each":
                values = {names["each"]["key"]: v for (_, names), v in zip(instances, values)}
            hit = self._cache[("values",) + key] = (built, values)
        return hit[1].copy()

    def _filled(self, key: tuple) -> None:
        """An instance's value of block ``key`` was filled (see _FilledOnUse). Filled while the
        block is evaluated (it reads itself through a local), it may lack what was being evaluated
        or hold Unknowns for it: later references get new values, as they did before values were
        shared (see _value)."""
        if key in self._in_progress:
            self._cache.pop(("values",) + key, None)

    def _shape(self, key: tuple):
        """(mode, [(address, names)]) of a resource or data block's instances (see _instances),
        computed once: the expansion budget is spent on a block once, however it is reached."""
        shape_key = ("shape",) + key
        hit = self._cache.get(shape_key)
        if hit is not None:
            return hit
        kind, type_, name = key
        if shape_key in self._in_progress:  # count or for_each refers to the block itself
            return Unknown(f"{type_}.{name}", f"{type_}.{name} refers to itself")
        block, f = self._blocks[key]
        address = f"data.{type_}.{name}" if kind == "data" else f"{type_}.{name}"
        self._in_progress.add(shape_key)
        saved, self.deps.stack = self.deps.stack, []  # what count reads is the block's, not the reader's
        try:
            mode, instances = self._instances(block, self._evaluators[f.path], self._weight(block), address)
        finally:
            self.deps.stack = saved
            self._in_progress.discard(shape_key)
        hit = self._cache[shape_key] = (mode, [(self._address(address + suffix), names)
                                                for suffix, names in instances])
        return hit

    def _argument(self, key: tuple, index: int, name: str, e, ev: Evaluator) -> Any:
        """Argument ``name`` of one instance of a resource or data block (read by ``e``),
        evaluated on its own and once (the block's build reuses it); ``_NOT_FOUND`` when the
        block does not write it (an attribute the provider sets, like ``id``), ``_BLOCK`` when it
        is a nested block."""
        block, f = self._blocks[key]
        written = self._written(block).get(name)
        if written is None or written is _BLOCK:
            return _NOT_FOUND if written is None else _BLOCK
        built = self._cache.get(key)
        if built is not None and not isinstance(built, Unknown):
            return built[1][index].attributes.get(name, _NOT_FOUND)
        known = self._known.setdefault((key, index), {})
        if name in known:
            return known[name][0]
        if key in self._in_progress:  # read while the block itself is evaluated
            return ev.unknown(e, f"{key[1]}.{key[2]} refers to itself")
        env = self._env(self._shape(key)[1][index][1])
        self._in_progress.add(key)
        saved, self.deps.stack = self.deps.stack, []  # its references are its own, not the reader's
        self.deps.push()
        try:
            value = self._evaluators[f.path].evaluate(written.expr, env)
        finally:
            refs = self.deps.pop()
            self.deps.stack = saved
            self._in_progress.discard(key)
        known[name] = (value, refs)
        return value

    def _groups(self, block: Block) -> tuple:
        """How a block's body is evaluated, the same for every instance and call: (names in the
        order written, name -> its items, the literal arguments, name -> the items of every other
        name, the names of computed arguments). An argument, or the nested and dynamic blocks of
        one type, is evaluated as one when first read; a literal argument is its own value."""
        hit = self.shared["groups"].get(id(block))
        if hit is None:
            groups: dict[str, list] = {}
            for item in block.body:
                groups.setdefault(item.name if isinstance(item, Attribute) else _nested_type(item), []).append(item)
            literals, later = [], {}
            for key, items in groups.items():
                if len(items) == 1 and isinstance(items[0], Attribute) and items[0].expr.kind == "lit":
                    literals.append(items[0])
                else:
                    later[key] = items
            computed = frozenset((key,) for key, items in later.items()
                                 if any(isinstance(i, Attribute) and not _literal(i.expr) for i in items))
            hit = self.shared["groups"][id(block)] = (block, list(groups), groups, literals, later, computed)
        return hit[1:]  # hit[0] holds the block: ids stay unique

    def _written(self, block: Block) -> dict:
        """name -> its Attribute, or _BLOCK for a nested or dynamic block, in a block's body."""
        hit = self.shared["written"].get(id(block))
        if hit is None:
            written: dict = {}
            for item in block.body:
                if isinstance(item, Attribute):
                    if written.get(item.name) is not _BLOCK:  # both: only a full build is exact
                        written[item.name] = item
                else:
                    written[_nested_type(item)] = _BLOCK
            hit = self.shared["written"][id(block)] = (block, written)  # holds it: ids stay unique
        return hit[1]

    def _instances_of(self, kind: str, type_: str, name: str):
        """The Resources of one block, computed once; Unknown while it is being computed (a cycle)."""
        key = (kind, type_, name)
        if key in self._cache:
            return self._cache[key]
        if key in self._in_progress:
            return Unknown(f"{type_}.{name}", f"{type_}.{name} refers to itself")
        self._in_progress.add(key)
        saved, self.deps.stack = self.deps.stack, []  # its references are its own, not the referrer's
        try:
            result = self._build(key)
        finally:
            self.deps.stack = saved
            self._in_progress.discard(key)
        self._cache[key] = result
        return result

    def _module_value(self, name: str, e, ev: Evaluator) -> Any:
        if ("module", "module", name) not in self._blocks:
            return ev.fail(e, f"module.{name} is not declared")
        calls = self._calls(name)
        if isinstance(calls, Unknown):
            return ev.unknown(e, calls.reason)
        mode, children = calls
        if mode == "unknown":
            return ev.unknown(e, f"how many instances of module.{name} exist is not known")
        values = [child.outputs() for child in children]  # every call instance is a Module
        if mode == "single":
            return values[0]
        if mode == "count":
            return values
        return dict(zip((c.instance_key for c in children), values))

    def outputs(self) -> "ModuleOutputs":
        """The module's outputs as its caller sees them (``module.x``); each is evaluated when
        first read, so a caller that reads one output does not pay for the others."""
        value = self._cache.get(("outputs",))
        if value is None:
            value = self._cache[("outputs",)] = ModuleOutputs(self)
        return value

    def output(self, name: str) -> Any:
        """One output's value, computed once; reading it records what it refers to."""
        key = ("output", name)
        if key in self._cache:
            value, refs = self._cache[key]
            self.deps.add(refs)
            return value
        attr, f = self._outputs[name]
        if key in self._in_progress:
            return Unknown(f"{self.call_path}.{name}", f"output {name} of {self.call_path} depends on itself",
                           attr.span)
        self._in_progress.add(key)
        self.deps.push()
        try:
            value = self._evaluators[f.path].evaluate(attr.expr, self.base_env)
        finally:
            refs = self.deps.pop()
            self._in_progress.discard(key)
        self._cache[key] = (value, refs)
        return value

    # -- module calls ----------------------------------------------------------------------
    def _calls(self, name: str):
        """The module instances one ``module`` block creates, computed once."""
        key = ("calls", name)
        if key in self._cache:
            return self._cache[key]
        if key in self._in_progress:
            return Unknown(f"module.{name}", f"module.{name} depends on its own outputs")
        self._in_progress.add(key)
        saved, self.deps.stack = self.deps.stack, []
        try:
            result = self._instantiate(name)
        finally:
            self.deps.stack = saved
            self._in_progress.discard(key)
        self._cache[key] = result
        return result

    def _instantiate(self, name: str):
        block, f = self._blocks[("module", "module", name)]
        ev = self._evaluators[f.path]
        attrs = block.attributes()
        source = ev.evaluate(attrs["source"].expr, Env({})) if "source" in attrs else None
        if not isinstance(source, str):
            return Unknown(f"module.{name}", f"module.{name} has no literal source")
        directory, files = self._module_files(name, source, block, f)
        if files is None:
            return Unknown(f"module.{name}", directory)
        weight = self.shared["module_weights"].get(directory)  # the same for every call of it
        if weight is None:
            weight = self.shared["module_weights"][directory] = sum(
                self._weight(item) for tf in files for item in tf.items if isinstance(item, Block))
        if self._expansion[0] <= 0 and not self._spend(1, f"module.{name}", ev, block.header):
            return Unknown(f"module.{name}", _PAST_LIMIT)
        # each instance is the module's blocks again, and the call's own Resource
        mode, instances = self._instances(block, ev, weight + 1, f"module.{name}")
        if mode == "single" and not self._spend(weight, f"module.{name}", ev, block.header):
            return Unknown(f"module.{name}", _PAST_LIMIT)  # a call is a module's every block again
        children = []
        for suffix, names in instances:
            env = self._env(names)
            # each evaluated when the module reads it: most inputs of a called module are never read
            inputs = {arg: _Input(attr.expr, env, ev, self.deps) for arg, attr in attrs.items()
                      if arg not in META_ARGUMENTS}
            path = f"{self.call_path}.module.{name}{suffix}" if self.call_path else f"module.{name}{suffix}"
            child = Module(directory, files, functions=self.functions, loader=self.loader,
                           fs_root=self.fs_root, inputs=inputs, call_path=path, root=self.root,
                           stack=self.stack, deps=self.deps, diagnostics=self.diagnostics)
            child.instance_key = names["each"]["key"] if "each" in names else (
                names["count"]["index"] if "count" in names else None)
            child.call = (suffix, names, inputs)  # the module block's Resource reuses them
            children.append(child)
        return mode, children

    def _module_files(self, name: str, source: str, block: Block, f: TfFile) -> tuple[str, list | None]:
        """The directory and parsed files of a called module, or (reason, None)."""
        if source.startswith(("./", "../")):
            directory = posixpath.normpath(posixpath.join(self.directory, source))
        else:
            directory = self._downloaded(name)
            if directory is None:
                return (f"module.{name} comes from {source!r}, which is not downloaded "
                        "(run `terraform init` to make .terraform/modules/modules.json)"), None
        if directory == ".." or directory.startswith("../"):
            return f"module.{name} is outside the scanned tree ({source})", None
        if directory in self.stack or len(self.stack) >= MAX_MODULE_DEPTH:
            why = "calls itself" if directory in self.stack else f"is nested more than {MAX_MODULE_DEPTH} deep"
            self.diagnostics.append(Diagnostic("error", f"module.{name} {why} ({source}); its outputs are unknown",
                                               f.path, block.header, "tf-module-cycle"))
            return f"module.{name} {why}", None
        files = self.loader(directory) if self.loader is not None else None
        if not files:
            return f"module.{name}: no Terraform files found in {directory}", None
        return directory, files

    def _downloaded(self, name: str) -> str | None:
        """Where ``terraform init`` put a remote module, from ``.terraform/modules/modules.json``."""
        manifest = self.root._manifest()
        key = ".".join(part.split("[")[0] for part in
                       (f"{self.call_path}.module.{name}" if self.call_path else f"module.{name}").split(".module.")
                       ).removeprefix("module.")
        entry = manifest.get(key)
        if not entry:
            return None
        return posixpath.normpath(posixpath.join(self.root.directory, entry))

    def _manifest(self) -> dict[str, str]:
        if "manifest" not in self._cache:
            self._cache["manifest"] = {}
            if self.fs_root is not None:
                path = os.path.join(self.fs_root, self.directory, ".terraform", "modules", "modules.json")
                if self.reads is not None:
                    self.reads.add(path)  # the result cache checks it, present or not (terraform init)
                try:
                    with open(path, encoding="utf-8") as fh:
                        data = json.load(fh)
                    self._cache["manifest"] = {m["Key"]: m["Dir"].replace("\\", "/") for m in data.get("Modules", [])
                                               if isinstance(m, dict) and isinstance(m.get("Key"), str)
                                               and m.get("Key") and isinstance(m.get("Dir"), str)}
                except (OSError, ValueError, AttributeError):
                    pass
        return self._cache["manifest"]

    # -- resources -----------------------------------------------------------------------
    def resources(self) -> list[Resource]:
        out: list[Resource] = []
        wanted, declared = self.wanted, self.declared
        for f in self.files:
            for item, type_ in f.index().producers:
                if type_ is not None and wanted is not None and type_ not in wanted:
                    continue  # no selected policy reads this type: built only as far as others read it
                if self.call_path and type_ in ("variable", "output") and \
                        (f.path, type_, item.labels[0]) in declared:
                    continue  # emitted by an earlier call of this module
                if self._stand_ins and id(item) in self._stand_ins:
                    key = self._stand_ins[id(item)]
                    if key is None:
                        continue
                    item = self._blocks[key][0]
                try:
                    self._item_resources(item, f, self._evaluators[f.path], out)
                except Exception as exc:  # noqa: BLE001 - a bug loses this block, not the module
                    self.diagnostics.append(Diagnostic(
                        "error", f"internal error while evaluating this {item.type} block: "
                        f"{type(exc).__name__}: {exc}"[:300], f.path, item.header, "internal-error"))
        return out

    def _item_resources(self, item: Block, f: TfFile, ev: Evaluator, out: list) -> None:
        if item.type in ("resource", "data") and len(item.labels) == 2:
            built = self._instances_of(item.type, item.labels[0], item.labels[1])
            if self._blocks[(item.type, item.labels[0], item.labels[1])][0] is item and \
                    not isinstance(built, Unknown):
                out.extend(built[1])
            return
        out.extend(self._other_resources(item, f, ev))
        if item.type == "module" and len(item.labels) == 1 and \
                self._blocks[("module", "module", item.labels[0])][0] is item:
            calls = self._calls(item.labels[0])
            if not isinstance(calls, Unknown):
                for child in calls[1]:
                    out.extend(child.resources())

    def _weight(self, block: Block) -> int:
        hit = self.shared["weights"].get(id(block))
        if hit is None:
            hit = self.shared["weights"][id(block)] = (block, _weight(block))  # holds it: ids stay unique
        return hit[1]

    def _env(self, names: dict) -> Env:
        """The scope of one instance: ``count`` or ``each`` (``names``) over the module's own."""
        return self.base_env.child(names) if names else self.base_env

    def _address(self, address: str) -> str:
        return f"{self.call_path}.{address}" if self.call_path else address

    def _build(self, key: tuple):
        """(mode, Resources) of a resource or data block: one per count/for_each instance."""
        block, f = self._blocks[key]
        ev = self._evaluators[f.path]
        type_, name = block.labels
        if block.type == "data":
            type_ = f"data.{type_}"
        shape = self._shape(key)
        if isinstance(shape, Unknown):
            return shape
        mode, instances = shape
        out = []
        for i, (address, names) in enumerate(instances):
            r = self._resource(block, f, ev, type_, name, address, names, known=self._known.pop((key, i), None))
            if "each" in names:
                r.meta["instance_key"] = names["each"]["key"]
            out.append(r)
        return mode, out

    def _resource(self, block: Block, f: TfFile, ev: Evaluator, type_: str, name: str, address: str,
                  names: dict, known: dict | None = None) -> Resource:
        """``known``: arguments already evaluated in this environment, name -> (value, refs).

        A literal argument, or one ``known`` holds, is set now; every other argument and nested
        block is evaluated when something first reads it (see :class:`~iaclint.model.Arguments`):
        most arguments of a resource are read by no policy.
        """
        env = self._env(names)
        spans: dict = {}
        refs: dict = {}
        order, groups, literals, later, computed_now = self._groups(block)
        # whether a top-level argument is computed is known now, as Node.written_here expects
        computed: set = set(computed_now)
        if known:  # what a reference or the module call evaluated already is set now too
            now, pending = [], {}
            for key in order:
                items = groups[key]
                if key not in later or (key in known and len(items) == 1 and isinstance(items[0], Attribute)
                                        and _evaluated(known[key])):
                    now.append(items[0])
                else:
                    pending[key] = items
        else:
            now, pending = literals, dict(later)
        attrs: dict = {}
        self._body(now, (), env, ev, attrs, spans, computed, refs, known)
        if pending:
            this = (block.type, *block.labels) if block.type in ("resource", "data") else None

            def compute(key: str, items: list) -> None:
                saved, self.deps.stack = self.deps.stack, []  # its references are its own, not the reader's
                entered = this is not None and this not in self._in_progress
                if entered:  # as while the block is built: what reads the block itself is Unknown
                    self._in_progress.add(this)
                try:
                    self._body(items, (), env, ev, attrs, spans, computed, refs, known)
                except Exception as exc:  # noqa: BLE001 - a bug loses this argument, not the scan
                    self.diagnostics.append(Diagnostic(
                        "error", f"internal error while evaluating {key} of this {block.type} block: "
                        f"{type(exc).__name__}: {exc}"[:300], f.path, block.header, "internal-error"))
                finally:
                    self.deps.stack = saved
                    if entered:
                        self._in_progress.discard(this)

            attrs = Arguments(attrs, pending, compute, order)
        meta = {"block": block.type, "module_dir": self.directory, "root": self.root.directory,
                "computed": computed, "refs": refs}
        if self._override_files and id(block) in self._override_files:
            meta["override_files"] = self._override_files[id(block)]  # wrote some of it (FileSpans)
        if self.call_path:
            meta["call_path"] = self.call_path
        return Resource("terraform", type_, name, address, f.path, block.header, attrs, spans, meta)

    def _other_resources(self, block: Block, f: TfFile, ev: Evaluator) -> list[Resource]:
        """provider, module, variable, output and terraform blocks as Resources of their own.

        :meth:`resources` passes only these (see ``_produces``), of a type some policy reads, and
        a called module's variable or output only the first time: a declaration is checked once,
        not once per call of its module. A module block comes whatever its own type, for the
        resources of its calls."""
        kind, labels = block.type, block.labels
        name = labels[0] if labels else kind
        if kind == "module":
            if self.wanted is not None and "module" not in self.wanted:
                return []
            type_, address = "module", f"module.{name}"
        elif kind == "provider":
            alias = block.attributes().get("alias")
            alias_value = ev.evaluate(alias.expr, Env({})) if alias else None
            suffix = f".{alias_value}" if isinstance(alias_value, str) else ""
            type_, address = f"provider.{name}", f"provider.{name}{suffix}"
        elif kind in ("variable", "output"):
            if self.call_path:
                self.declared.add((f.path, kind, name))
            type_, address = kind, f"var.{name}" if kind == "variable" else f"output.{name}"
        else:  # terraform
            type_ = address = kind
        if kind == "module":
            calls = self._calls(labels[0]) if self._blocks[("module", "module", labels[0])][0] is block else None
            if calls is not None and not isinstance(calls, Unknown):
                # one Resource per call instance, with the arguments the call evaluated
                return [self._resource(block, f, ev, type_, name, self._address(address + child.call[0]),
                                       child.call[1], known=child.call[2])
                        for child in calls[1]]
            _, instances = self._instances(block, ev, 1, address)
        else:
            instances = [("", {})]
        return [self._resource(block, f, ev, type_, name, self._address(address + suffix), names)
                for suffix, names in instances]

    def _instances(self, block: Block, ev: Evaluator, weight: int = 1,
                   what: str = "") -> tuple[str, list[tuple[str, dict]]]:
        """("single" | "count" | "each" | "unknown", [(address suffix, names)]) for a block.

        When ``count`` or ``for_each`` is not known, the block is evaluated once with Unknown
        ``count.index`` / ``each``, so what does not depend on them is still checked; so it is when
        its instances, ``weight`` blocks each, are more than the expansion budget has left.
        """
        attrs = block.attributes()
        if self._expansion[0] <= 0 and ("count" in attrs or "for_each" in attrs) and \
                not self._spend(1, what, ev, block.header):  # spent: not even worth evaluating
            key = "count" if "count" in attrs else "for_each"
            u = Unknown("count.index" if key == "count" else "each", _PAST_LIMIT, attrs[key].span)
            return "unknown", [("", {"count": {"index": u}} if key == "count" else {"each": {"key": u, "value": u}})]
        if "count" in attrs:
            n = ev.evaluate(attrs["count"].expr, self.base_env)
            if isinstance(n, str):  # Terraform converts count to a number: "2" is 2
                n = _convert(n, "number")
            if isinstance(n, bool) or not isinstance(n, (int, float)) or \
                    (isinstance(n, float) and not n.is_integer()) or n > MAX_INSTANCES:  # inf, nan too
                why = n.reason if isinstance(n, Unknown) else "count is not a small whole number"
                return "unknown", [("", {"count": {"index": Unknown("count.index", why, attrs["count"].span)}})]
            n = max(0, int(n))
            if n > 1 and not self._spend(n * weight, f"{what} ({n} instances)", ev, block.header):
                return "unknown", [("", {"count": {"index": Unknown("count.index", _PAST_LIMIT, attrs["count"].span)}})]
            return "count", [(f"[{i}]", {"count": {"index": i}}) for i in range(n)]
        if "for_each" in attrs:
            coll = ev.evaluate(attrs["for_each"].expr, self.base_env)
            items = _each_items(coll)
            if items is None or len(items) > MAX_INSTANCES:
                why = coll.reason if isinstance(coll, Unknown) else "for_each is not a known map or set"
                u = Unknown("each", why, attrs["for_each"].span)
                return "unknown", [("", {"each": {"key": u, "value": u}})]
            if len(items) > 1 and not self._spend(len(items) * weight, f"{what} ({len(items)} instances)", ev,
                                                  block.header):
                u = Unknown("each", _PAST_LIMIT, attrs["for_each"].span)
                return "unknown", [("", {"each": {"key": u, "value": u}})]
            return "each", [(f"[{_quote(k)}]", {"each": {"key": k, "value": v}}) for k, v in items]
        return "single", [("", {})]

    def _body(self, items: list, path: tuple, env: Env, ev: Evaluator, attrs: dict, spans: dict,
              computed: set, refs: dict, known: dict | None = None) -> None:
        for item in items:
            if isinstance(item, Attribute):
                if item.expr.kind == "lit":  # a third of all arguments: its own value, reading nothing
                    attrs[item.name] = item.expr.value
                    spans[path + (item.name,)] = item.span
                    continue
                if known is not None and item.name in known:
                    entry = known[item.name]
                    attrs[item.name], found = entry.get() if isinstance(entry, _Input) else entry
                    self.deps.add(found)
                else:
                    self.deps.push()
                    attrs[item.name] = ev.evaluate(item.expr, env)
                    found = self.deps.pop()
                if found:
                    value = attrs[item.name]
                    if isinstance(value, AfterApply) and value.address in found:
                        # element(b[*].id, 1): b[1] alone (and the module calls it came through)
                        found = frozenset(a for a in found if a == value.address
                                          or value.address.startswith(a + "."))
                    refs[path + (item.name,)] = found
                spans[path + (item.name,)] = item.span
                if not _literal(item.expr):
                    computed.add(path + (item.name,))
            elif item.type == "dynamic" and item.labels:
                self._dynamic(item, path, env, ev, attrs, spans, computed, refs)
            else:
                self._nested(item.type, item.body, item.header, path, env, ev, attrs, spans, computed, refs)

    def _nested(self, type_: str, body: list, header: Span, path: tuple, env: Env, ev: Evaluator,
                attrs: dict, spans: dict, computed: set, refs: dict) -> None:
        existing = attrs.get(type_)
        if isinstance(existing, Unknown):
            return  # a dynamic block of this type with an unknown for_each: how many is not known
        if not isinstance(existing, list):
            existing = attrs[type_] = []
        index = len(existing)
        child: dict = {}
        existing.append(child)
        spans[path + (type_, index)] = header
        self._body(body, path + (type_, index), env, ev, child, spans, computed, refs)

    def _dynamic(self, block: Block, path: tuple, env: Env, ev: Evaluator, attrs: dict, spans: dict,
                 computed: set, refs: dict) -> None:
        label = block.labels[0]
        battrs = block.attributes()
        iterator = label
        if "iterator" in battrs and isinstance(battrs["iterator"].expr, Ref):
            iterator = battrs["iterator"].expr.name
        content = block.blocks("content")
        if self._expansion[0] <= 0 and not self._spend(1, f'dynamic "{label}"', ev, block.header):
            attrs[label] = Unknown(f"dynamic \"{label}\"", _PAST_LIMIT, block.header)
            spans.setdefault(path + (label,), block.header)
            return
        coll = ev.evaluate(battrs["for_each"].expr, env) if "for_each" in battrs else None
        items = _each_items(coll, dynamic=True)
        if items is None or not content:
            why = coll.reason if isinstance(coll, Unknown) else "dynamic block without a known for_each"
            attrs[label] = Unknown(f"dynamic \"{label}\"", why, block.header)
            spans.setdefault(path + (label,), block.header)
            return
        if isinstance(attrs.get(label), Unknown):
            return
        if not self._spend(len(items) * self._weight(content[0]), f'dynamic "{label}" ({len(items)} blocks)', ev,
                           block.header):
            attrs[label] = Unknown(f"dynamic \"{label}\"", _PAST_LIMIT, block.header)
            spans.setdefault(path + (label,), block.header)
            return
        for k, v in items:
            inner = env.child({iterator: {"key": k, "value": v}})
            self._nested(label, content[0].body, block.header, path, inner, ev, attrs, spans, computed, refs)


class _FilledOnUse(ResourceValue, ComputedOnRead):
    """A resource or module value, seen from an expression, whose entries are computed when
    read (see :class:`~iaclint.model.ComputedOnRead`); ``attribute()`` reads one entry."""

    __slots__ = ()

    def __reduce_ex__(self, protocol):
        return (ResourceValue, (self.address, dict(self._fill()), self.known_after_apply))


class ModuleOutputs(_FilledOnUse):
    """``module.x``: a mapping of output names to values, each evaluated on first use.

    ``module.x.name`` evaluates that one output; a look at the whole mapping evaluates them all.
    """

    __slots__ = ("_module", "_complete")

    def __init__(self, module: Module):
        super().__init__(module.call_path, {}, known_after_apply=False)
        self._module = module
        self._complete = False

    def attribute(self, name: str, e, ev: Evaluator) -> Any:
        ev.deps.add((self.address,))
        if not dict.__contains__(self, name):
            if name not in self._module._outputs:
                return ev.fail(e, f"{self.address} has no output {name!r}")
            dict.__setitem__(self, name, self._module.output(name))
        return dict.__getitem__(self, name)

    def _fill(self) -> "ModuleOutputs":
        if not self._complete:
            self._complete = True
            for name in sorted(self._module._outputs):
                if not dict.__contains__(self, name):
                    dict.__setitem__(self, name, self._module.output(name))
            # keep the order a complete evaluation gives: by name
            items = sorted(dict.items(self))
            dict.clear(self)
            dict.update(self, items)
        return self


class _Referenced(_FilledOnUse):
    """One instance of a resource or data block that an expression refers to before the block
    is built (``aws_iam_role.this.arn``, ``aws_s3_bucket.logs.bucket``).

    Reading an argument evaluates that argument alone (see ``Module._argument``); reading an
    attribute the block does not write (``id``, ``arn``) is Unknown without evaluating anything.
    A nested block, or a look at the whole value, builds the resource and reads it from there.
    """

    __slots__ = ("_module", "_key", "_index", "_complete")

    def __init__(self, module: Module, key: tuple, index: int, address: str):
        super().__init__(address, {})
        self._module = module
        self._key = key
        self._index = index
        self._complete = False

    def attribute(self, name: str, e, ev: Evaluator) -> Any:
        ev.deps.add((self.address,))
        if not self._complete:
            value = self._module._argument(self._key, self._index, name, e, ev)
            if value is _NOT_FOUND:
                return self.after_apply(name, e, ev)
            if value is not _BLOCK:
                return value
        if dict.__contains__(self._fill(), name):
            return dict.__getitem__(self, name)
        return self.after_apply(name, e, ev)

    def _fill(self) -> "_Referenced":
        if not self._complete:
            self._complete = True
            module = self._module
            built = module._instances_of(*self._key)
            if isinstance(built, Unknown):  # read while the block itself is built: evaluate it again
                block, f = module._blocks[self._key]
                env = module._env(module._shape(self._key)[1][self._index][1])
                module._body(block.body, (), env, module._evaluators[f.path], self, {}, set(), {})
            else:
                dict.update(self, built[1][self._index].attributes)
            module._filled(self._key)
        return self


class _Built(_FilledOnUse):
    """A built resource instance that an expression refers to: reading one argument evaluates
    that argument alone, if nothing has read it yet (see :class:`~iaclint.model.Arguments`)."""

    __slots__ = ("_arguments", "_complete", "_module", "_key")

    def __init__(self, resource: Resource, module: Module, key: tuple):
        super().__init__(resource.address, {})
        self._arguments = resource.attributes
        self._complete = False
        self._module = module
        self._key = key

    def attribute(self, name: str, e, ev: Evaluator) -> Any:
        ev.deps.add((self.address,))
        if name in self._arguments:
            return self._arguments[name]
        return self.after_apply(name, e, ev)

    def _fill(self) -> "_Built":
        if not self._complete:
            self._complete = True
            dict.update(self, self._arguments)
            self._module._filled(self._key)
        return self


def _weight(block: Block) -> int:
    """The block and the nested blocks written in it (dynamic ones count when expanded)."""
    n, stack = 1, list(block.body)
    while stack:
        item = stack.pop()
        if isinstance(item, Block) and item.type != "dynamic":
            n += 1
            stack.extend(item.body)
    return n


class _Input:
    """A module call's argument: evaluated once, in the call's scope, when first read (by the
    called module's ``var.x``, or by a policy reading the call), with the references it makes."""

    __slots__ = ("expr", "env", "ev", "deps", "result")

    def __init__(self, expr, env: Env, ev: Evaluator, deps: Deps):
        self.expr, self.env, self.ev, self.deps = expr, env, ev, deps
        self.result: tuple | None = None

    def get(self) -> tuple[Any, frozenset]:
        """(value, the resources it refers to)."""
        if self.result is None:
            self.result = ()  # being evaluated: a read from inside is a cycle
            saved, self.deps.stack = self.deps.stack, []  # its references are its own, not the reader's
            self.deps.push()
            try:
                value = self.ev.evaluate(self.expr, self.env)
            except BaseException:
                self.result = None
                raise
            finally:
                refs = self.deps.pop()
                self.deps.stack = saved
            self.result = (value, refs)
        if not self.result:
            return self.ev.unknown(self.expr, "a module input that depends on itself"), frozenset()
        return self.result


def _evaluated(known) -> bool:
    """Whether a known argument (``(value, refs)``, or an _Input) has its value already."""
    return not isinstance(known, _Input) or bool(known.result)


class _Default:
    """A variable's default, evaluated the first time the variable is read."""

    __slots__ = ("expr", "path")

    def __init__(self, expr, path: str):
        self.expr, self.path = expr, path


def _literal(expr) -> bool:
    """An expression that is its own value: no reference, call or operator inside."""
    kind = expr.kind
    if kind == "lit":
        return True
    if kind == "tuple":
        return all(_literal(i) for i in expr.items)
    if kind == "object":
        return all(_literal(k) and _literal(v) for k, v in expr.items)
    return False


def _is_override(path: str) -> bool:
    name = posixpath.basename(path)
    return name in ("override.tf", "override.tf.json") or name.endswith(("_override.tf", "_override.tf.json"))


def _merged(base: Block, over: Block, path: str) -> Block:
    """``base`` with an override block merged in, as Terraform merges override files: each
    argument ``over`` sets replaces the original one, and the nested blocks of each type it
    writes (``dynamic`` ones included) replace all of that type. What comes from the override
    file keeps its place there: its spans are FileSpans of ``path``."""
    over = _relocated(over, path)
    arguments = {i.name for i in over.body if isinstance(i, Attribute)}
    nested = {_nested_type(i) for i in over.body if isinstance(i, Block)}
    body = [i for i in base.body
            if (i.name not in arguments if isinstance(i, Attribute) else _nested_type(i) not in nested)]
    return Block(base.type, base.labels, body + over.body, base.span, base.header)


def _nested_type(block: Block) -> str:
    """The type of the nested blocks a block in a body gives: ``dynamic "ingress"`` gives ingress."""
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def _text_in(files: dict, own: Callable[[Span], str], span: Span) -> str:
    if type(span) is FileSpan and span.path in files:
        return files[span.path].text_of(span)
    return own(span)


def _relocated(node: Any, path: str) -> Any:
    """A copy of a syntax node whose spans all say they are in file ``path``."""
    if isinstance(node, Span):
        return FileSpan(node.line, node.column, node.end_line, node.end_column, path)
    if isinstance(node, list):
        return [_relocated(n, path) for n in node]
    if isinstance(node, tuple):
        return tuple(_relocated(n, path) for n in node)
    cls = type(node)
    if cls.__module__ != Block.__module__ or not hasattr(cls, "__slots__"):
        return node  # a value (str, number, an Unknown in a literal)
    copy = object.__new__(cls)
    for klass in cls.__mro__:
        for slot in klass.__dict__.get("__slots__", ()):
            if not slot.startswith("_") and hasattr(node, slot):
                object.__setattr__(copy, slot, _relocated(getattr(node, slot), path))
    return copy


def _each_items(coll, dynamic: bool = False) -> list | None:
    """(key, value) of each element a ``for_each`` iterates: a map's entries by key, a set's
    elements as their own keys; a ``dynamic`` block may iterate a list too, keyed by index. A
    resource's ``for_each`` takes only maps and sets: a list of strings there is taken as the set
    Terraform would ask for (``toset()``)."""
    if isinstance(coll, dict):
        return sorted(coll.items())
    if isinstance(coll, SetValue):
        return [(v, v) for v in coll]
    if isinstance(coll, list):
        if not dynamic and all(isinstance(v, str) for v in coll):
            return [(v, v) for v in sorted(set(coll))]
        return list(enumerate(coll))
    return None


def _quote(key) -> str:
    return f'"{key}"' if isinstance(key, str) else str(key)


def _conform(value: Any, t, ev: Evaluator, converters: dict | None = None) -> Any:
    """A value converted to a variable's type constraint, as Terraform converts it.

    Primitive strings become bools and numbers; ``object({...})`` keeps its declared attributes
    and fills ``optional(T, default)`` ones that were left out (or null) with their default, or
    null: without this, every module that takes an object with optional attributes would make
    ``var.x.attr`` an error. ``list``, ``set``, ``map`` and ``tuple`` convert their elements.
    The type expression is compiled once into a converter (``converters`` remembers it): a
    module called for every node group converts the same types many times.
    """
    converters = {} if converters is None else converters
    entry = converters.get(id(t))
    if entry is None:
        entry = converters[id(t)] = (t, _compile_type(t, ev))  # holds t: its id stays unique
    convert = entry[1]
    return value if convert is None else convert(value)


def _compile_type(t, ev: Evaluator):
    """A function converting a value to type ``t``, or None when nothing needs converting."""
    kind = t.kind
    if kind == "ref":
        name = t.name
        if name not in ("bool", "number", "string"):
            return None  # any, or a type we do not model: the value as written
        return lambda v: v if v is None or isinstance(v, Unknown) else _convert(v, name)
    if kind != "call" or not t.args:
        return None
    name, args = t.name, t.args
    if name in ("list", "set"):
        inner = _compile_type(args[0], ev)
        if name == "set":  # each value once, in Terraform's order (strings lexically, numbers ascending)
            return lambda v: _as_set([inner(x) for x in v] if inner is not None else v) if isinstance(v, list) else v
        if inner is None:  # still a list, not a set: for_each and dynamic key it by index
            return lambda v: list(v) if isinstance(v, SetValue) else v
        return lambda v: [inner(x) for x in v] if isinstance(v, list) else v
    if name == "map":
        inner = _compile_type(args[0], ev)
        if inner is None:
            return None
        return lambda v: {k: inner(x) for k, x in v.items()} if isinstance(v, dict) else v
    if name == "tuple" and args[0].kind == "tuple":
        items = [_compile_type(et, ev) for et in args[0].items]
        return lambda v: [(c(x) if c is not None else x) for x, c in zip(v, items)] + v[len(items):] \
            if isinstance(v, list) else v
    if name == "object" and args[0].kind == "object":
        fields = []
        for key_expr, attr_type in args[0].items:
            key = key_expr.name if key_expr.kind == "ref" else ev.evaluate(key_expr, Env({}))
            if not isinstance(key, str):
                return None
            optional = attr_type.kind == "call" and attr_type.name == "optional" and bool(attr_type.args)
            inner_type = attr_type.args[0] if optional else attr_type
            default = ev.evaluate(attr_type.args[1], Env({})) if optional and len(attr_type.args) > 1 else None
            inner = _compile_type(inner_type, ev)
            if default is not None and inner is not None:
                default = inner(default)
            fields.append((key, optional, default, inner))

        def convert_object(v):
            if not isinstance(v, dict):
                return v
            out = {}
            for key, optional, default, inner in fields:
                if key in v:
                    x = v[key]
                    if x is None and optional:
                        x = default
                    out[key] = inner(x) if inner is not None and x is not None else x
                elif optional:
                    out[key] = default
                else:
                    return v  # Terraform would reject the value: leave it as written
            return out
        return convert_object
    return None


def _as_set(items: list) -> list:
    if any(isinstance(x, Unknown) for x in items):
        return items  # whether two elements are equal is not known
    from .functions import _dedupe, _set_order
    return _set_order(_dedupe(items))


def _convert(value: Any, type_name: str) -> Any:
    """Terraform converts a variable's value to its declared primitive type ("true" -> true)."""
    if isinstance(value, Unknown) or value is None:
        return value
    if type_name == "bool" and isinstance(value, str) and value in ("true", "1", "false", "0"):
        return value in ("true", "1")
    if type_name == "number" and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    if type_name == "string" and not isinstance(value, (str, list, dict)):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return value
