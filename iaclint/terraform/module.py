"""One Terraform module directory, evaluated into Resources.

Inputs follow Terraform's precedence: variable defaults, then ``terraform.tfvars``, then
``*.auto.tfvars`` in lexical order, then overrides given on the command line. Locals are
evaluated lazily, once, with cycles reported. ``count`` and ``for_each`` give one resource per
instance when the collection is known; ``dynamic`` blocks are expanded when their ``for_each``
is known and are Unknown otherwise.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from ..model import Diagnostic, Resource, Span, Unknown
from ..parsers.hcl import Attribute, Block, Ref
from .evaluate import Env, Evaluator, _Lazy

MAX_INSTANCES = 1000


@dataclass
class TfFile:
    path: str          # relative POSIX path
    text: str
    items: list = field(default_factory=list)


def text_slicer(text: str):
    lines = text.splitlines()

    def text_of(span: Span) -> str:
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
    def __init__(self, directory: str, files: list[TfFile], tfvars: list[TfFile],
                 overrides: dict[str, Any] | None = None, functions: dict | None = None):
        self.directory = directory
        self.files = files
        self.diagnostics: list[Diagnostic] = []
        self.functions = functions or {}
        self._evaluators = {f.path: Evaluator(text_slicer(f.text), self.functions) for f in files}
        self._local_defs: dict[str, tuple[Attribute, TfFile]] = {}
        self._local_values: dict[str, Any] = {}
        self._in_progress: set[str] = set()
        for f in files:
            for item in f.items:
                if isinstance(item, Block) and item.type == "locals":
                    for a in item.body:
                        if isinstance(a, Attribute):
                            self._local_defs[a.name] = (a, f)
        self.variables = self._variables(tfvars, overrides or {})
        self.base_env = Env({"var": self.variables, "local": _Lazy("local", self._local)})

    # -- inputs --------------------------------------------------------------------------
    def _variables(self, tfvars: list[TfFile], overrides: dict) -> dict[str, Any]:
        values: dict[str, Any] = {}
        empty = Env({})
        for f in self.files:
            ev = self._evaluators[f.path]
            for item in f.items:
                if isinstance(item, Block) and item.type == "variable" and item.labels:
                    name = item.labels[0]
                    default = item.attributes().get("default")
                    if default is not None:
                        values[name] = ev.evaluate(default.expr, empty)
                    else:
                        values[name] = Unknown(f"var.{name}", f"variable {name} has no default and no value was given",
                                               item.header)
        ordered = sorted(tfvars, key=lambda f: (not posixpath.basename(f.path).startswith("terraform.tfvars"),
                                                posixpath.basename(f.path)))
        for f in ordered:
            ev = Evaluator(text_slicer(f.text), self.functions)
            for item in f.items:
                if isinstance(item, Attribute):
                    values[item.name] = ev.evaluate(item.expr, empty)
        values.update(overrides)
        return values

    def _local(self, name: str, e, ev: Evaluator) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        definition = self._local_defs.get(name)
        if definition is None:
            return ev.unknown(e, f"local.{name} is not defined")
        attr, f = definition
        if name in self._in_progress:
            self.diagnostics.append(Diagnostic(
                "error", f"local.{name} refers to itself through other locals (a cycle)", f.path,
                attr.span, "tf-local-cycle"))
            value = Unknown(f"local.{name}", "cycle between locals", attr.span)
            self._local_values[name] = value
            return value
        self._in_progress.add(name)
        try:
            value = self._evaluators[f.path].evaluate(attr.expr, self.base_env)
        finally:
            self._in_progress.discard(name)
        self._local_values.setdefault(name, value)
        return self._local_values[name]

    # -- resources -----------------------------------------------------------------------
    def resources(self) -> list[Resource]:
        out: list[Resource] = []
        for f in self.files:
            ev = self._evaluators[f.path]
            for item in f.items:
                if isinstance(item, Block):
                    out.extend(self._block_resources(item, f, ev))
        return out

    def _block_resources(self, block: Block, f: TfFile, ev: Evaluator) -> list[Resource]:
        kind, labels = block.type, block.labels
        if kind == "resource" and len(labels) == 2:
            type_, name, address = labels[0], labels[1], f"{labels[0]}.{labels[1]}"
        elif kind == "data" and len(labels) == 2:
            type_, name, address = f"data.{labels[0]}", labels[1], f"data.{labels[0]}.{labels[1]}"
        elif kind == "module" and len(labels) == 1:
            type_, name, address = "module", labels[0], f"module.{labels[0]}"
        elif kind == "provider" and len(labels) == 1:
            alias = block.attributes().get("alias")
            alias_value = ev.evaluate(alias.expr, Env({})) if alias else None
            suffix = f".{alias_value}" if isinstance(alias_value, str) else ""
            type_, name, address = f"provider.{labels[0]}", labels[0], f"provider.{labels[0]}{suffix}"
        elif kind in ("variable", "output") and len(labels) == 1:
            type_, name = kind, labels[0]
            address = f"var.{name}" if kind == "variable" else f"output.{name}"
        elif kind == "terraform" and not labels:
            type_, name, address = "terraform", "terraform", "terraform"
        else:
            return []
        meta = {"block": kind, "module_dir": self.directory}
        out = []
        for suffix, names in self._instances(block, ev):
            env = self.base_env.child(names) if names else self.base_env
            attrs: dict = {}
            spans: dict = {}
            computed: set = set()
            self._body(block.body, (), env, ev, attrs, spans, computed)
            out.append(Resource("terraform", type_, name, address + suffix, f.path, block.header,
                                attrs, spans, {**meta, "computed": computed}))
        return out

    def _instances(self, block: Block, ev: Evaluator) -> list[tuple[str, dict]]:
        attrs = block.attributes()
        if block.type not in ("resource", "data", "module"):
            return [("", {})]
        if "count" in attrs:
            n = ev.evaluate(attrs["count"].expr, self.base_env)
            if isinstance(n, bool) or not isinstance(n, (int, float)) or n != int(n) or n > MAX_INSTANCES:
                why = n.reason if isinstance(n, Unknown) else "count is not a small whole number"
                return [("", {"count": {"index": Unknown("count.index", why, attrs["count"].span)}})]
            return [(f"[{i}]", {"count": {"index": i}}) for i in range(max(0, int(n)))]
        if "for_each" in attrs:
            coll = ev.evaluate(attrs["for_each"].expr, self.base_env)
            items = _each_items(coll)
            if items is None or len(items) > MAX_INSTANCES:
                why = coll.reason if isinstance(coll, Unknown) else "for_each is not a known map or set"
                u = Unknown("each", why, attrs["for_each"].span)
                return [("", {"each": {"key": u, "value": u}})]
            return [(f"[{_quote(k)}]", {"each": {"key": k, "value": v}}) for k, v in items]
        return [("", {})]

    def _body(self, items: list, path: tuple, env: Env, ev: Evaluator, attrs: dict, spans: dict,
              computed: set) -> None:
        for item in items:
            if isinstance(item, Attribute):
                attrs[item.name] = ev.evaluate(item.expr, env)
                spans[path + (item.name,)] = item.span
                if not _literal(item.expr):
                    computed.add(path + (item.name,))
            elif item.type == "dynamic" and item.labels:
                self._dynamic(item, path, env, ev, attrs, spans, computed)
            else:
                self._nested(item.type, item.body, item.header, path, env, ev, attrs, spans, computed)

    def _nested(self, type_: str, body: list, header: Span, path: tuple, env: Env, ev: Evaluator,
                attrs: dict, spans: dict, computed: set) -> None:
        existing = attrs.get(type_)
        if not isinstance(existing, list):
            existing = attrs[type_] = []
        index = len(existing)
        child: dict = {}
        existing.append(child)
        spans[path + (type_, index)] = header
        self._body(body, path + (type_, index), env, ev, child, spans, computed)

    def _dynamic(self, block: Block, path: tuple, env: Env, ev: Evaluator, attrs: dict, spans: dict,
                 computed: set) -> None:
        label = block.labels[0]
        battrs = block.attributes()
        iterator = label
        if "iterator" in battrs and isinstance(battrs["iterator"].expr, Ref):
            iterator = battrs["iterator"].expr.name
        content = block.blocks("content")
        coll = ev.evaluate(battrs["for_each"].expr, env) if "for_each" in battrs else None
        items = _each_items(coll)
        if items is None or not content:
            why = coll.reason if isinstance(coll, Unknown) else "dynamic block without a known for_each"
            attrs[label] = Unknown(f"dynamic \"{label}\"", why, block.header)
            spans.setdefault(path + (label,), block.header)
            return
        if isinstance(attrs.get(label), Unknown):
            return
        for k, v in items:
            inner = env.child({iterator: {"key": k, "value": v}})
            self._nested(label, content[0].body, block.header, path, inner, ev, attrs, spans, computed)


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


def _each_items(coll) -> list | None:
    if isinstance(coll, dict):
        return sorted(coll.items())
    if isinstance(coll, list):
        if all(isinstance(v, str) for v in coll):  # a set of strings: key and value are the element
            return [(v, v) for v in sorted(set(coll))]
        return list(enumerate(coll))  # dynamic blocks may iterate lists of objects
    return None


def _quote(key) -> str:
    return f'"{key}"' if isinstance(key, str) else str(key)
