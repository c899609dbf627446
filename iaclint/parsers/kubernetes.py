"""Kubernetes manifests: a YAML stream in, one :class:`Resource` per object out.

The YAML is read as an event stream (libyaml through PyYAML's ``CSafeLoader`` when available)
and composed by this module, without recursion, into light nodes; plain Python values and a
:class:`Span` for every key path are then built from those nodes. Doing the composition here
rather than with ``yaml.compose_all`` is deliberate:

* libyaml's Cython composer recurses in C and crashes the interpreter (segmentation fault) on
  deeply nested input such as ``[[[[...`` 100,000 levels deep, and libyaml's scanner is
  quadratic in the flow nesting depth. Counting the depth while reading events lets us stop at
  :data:`MAX_DEPTH` after reading only a few hundred tokens.
* an alias event carries its own position, so ``image: *img`` gets a span where it is written.
* anchors are counted while composing, so an alias bomb is detected before anything is built.

Scalars resolve exactly as ``yaml.SafeLoader`` resolves them (YAML 1.1: ``yes``/``on`` are
booleans, ``0777`` is octal), using the resolver and :class:`SafeConstructor`'s own scalar
constructors; timestamps, binary and custom tags (``!Ref x``) stay strings. Merge keys (``<<``)
follow PyYAML. Duplicate keys keep the last value and produce a warning.

Documents whose root is a mapping with string ``apiVersion`` and ``kind`` become resources;
a ``List`` (or ``*List`` with an ``items`` list) becomes one resource per item. Anything else
(values files, CI workflows, empty documents) is skipped quietly.
"""

from __future__ import annotations

import re

from .pyyaml import yaml  # first: it imports yaml without a pattern libyaml never uses
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent, DocumentEndEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent,
    ScalarEvent, SequenceEndEvent, SequenceStartEvent, StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from ..model import Diagnostic, Resource, Span

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any

__all__ = ["parse", "is_helm_template", "POD_SPEC_PATHS", "MAX_DEPTH"]

#: The YAML loader whose event parser is used (libyaml when PyYAML was built with it).
LOADER = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

#: Deepest nesting of collections (and alias/merge indirections) accepted in a document.
MAX_DEPTH = 200
#: An alias expansion may construct max(ALIAS_MIN_BUDGET, ALIAS_FACTOR * written nodes) nodes.
ALIAS_MIN_BUDGET = 100_000
ALIAS_FACTOR = 20
#: Warnings of one kind (duplicate keys, ...) reported per document.
MAX_WARNINGS = 20

#: Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}


# -- scalars -------------------------------------------------------------------------------
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _MergeKey:
    """The value of a plain ``<<`` scalar: a merge key when it is a mapping key."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<<"


_MERGE = _MergeKey()
_MISSING = object()
_resolver = Resolver()
_constructor = SafeConstructor()
_SCALAR_CONSTRUCTORS = {
    _NULL: SafeConstructor.construct_yaml_null,
    _BOOL: SafeConstructor.construct_yaml_bool,
    _INT: SafeConstructor.construct_yaml_int,
    _FLOAT: SafeConstructor.construct_yaml_float,
}
_PLAIN_CACHE: dict[str, Any] = {}
_PLAIN_CACHE_MAX = 50_000


def _construct(tag: str, value: str) -> Any:
    """A scalar of a resolved tag, as SafeLoader builds it; any other tag keeps the text."""
    if tag == _STR:
        return value
    if tag == _MERGE_TAG:
        return _MERGE
    construct = _SCALAR_CONSTRUCTORS.get(tag)
    if construct is None:  # timestamp, binary, value, custom tags: the original string
        return value
    try:
        return construct(_constructor, ScalarNode(tag, value))
    except Exception:  # e.g. "!!int abc", "+0b_": PyYAML would crash; keep the text
        return value


def _plain(value: str) -> Any:
    """A plain (unquoted, untagged) scalar, resolved implicitly; memoised."""
    result = _construct(_resolver.resolve(ScalarNode, value, (True, False)), value)
    if len(_PLAIN_CACHE) >= _PLAIN_CACHE_MAX:
        _PLAIN_CACHE.clear()
    _PLAIN_CACHE[value] = result
    return result


def _scalar_value(event: ScalarEvent) -> Any:
    tag = event.tag
    value = event.value
    if tag is None:
        if event.implicit[0]:
            result = _PLAIN_CACHE.get(value, _MISSING)
            return _plain(value) if result is _MISSING else result
        return value
    if tag == "!":
        tag = _resolver.resolve(ScalarNode, value, event.implicit)
    return _construct(tag, value)


# -- composition ---------------------------------------------------------------------------
# Nodes are tuples/lists indexed by these constants. A scalar is (SCALAR, value, start, end);
# an alias is (ALIAS, target node, start, end) with the alias's own marks; a collection is
# [MAPPING|SEQUENCE, children, start, end, expanded size, flow, has merge key] where a
# mapping's children alternate key, value. Marks are yaml Mark objects (0-based).
_SCALAR, _MAPPING, _SEQUENCE, _ALIAS = 0, 1, 2, 3
_EOL = re.compile("[\r\n\x85\u2028\u2029]")


class _TooDeep(Exception):
    def __init__(self, mark):
        super().__init__()
        self.mark = mark


def _deref(node):
    return node[1] if node[0] == _ALIAS else node


def _point(mark) -> Span:
    return Span.point(mark.line + 1, mark.column + 1)


def _mark_span(start, end) -> Span:
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Builder:
    """Plain values and spans from one composed document."""

    __slots__ = ("spans", "diagnostics", "path", "in_alias", "warned")

    def __init__(self, path: str):
        self.spans: dict[tuple, Span] = {}
        self.diagnostics: list[Diagnostic] = []
        self.path = path
        self.in_alias = False
        self.warned: dict[str, int] = {}

    def warn(self, code: str, message: str, span: Span) -> None:
        if self.in_alias:  # the anchor's own construction already reported it
            return
        n = self.warned[code] = self.warned.get(code, 0) + 1
        if n <= MAX_WARNINGS:
            self.diagnostics.append(Diagnostic("warning", message, self.path, span, code))
        elif n == MAX_WARNINGS + 1:  # a file of 300,000 duplicate keys is not 300,000 warnings
            self.diagnostics.append(Diagnostic("warning", f"more warnings like this one in the document are "
                                               f"not reported (only the first {MAX_WARNINGS})", self.path, span, code))

    def build(self, node, path: tuple, depth: int) -> Any:
        kind = node[0]
        if kind == _SCALAR:
            return node[1]
        if depth > MAX_DEPTH:
            raise _TooDeep(node[2])
        if kind == _ALIAS:
            target = node[1]
            if target[0] == _SCALAR:
                return target[1]
            outer = self.in_alias
            self.in_alias = True
            try:
                return self.build(target, path, depth + 1)
            finally:
                self.in_alias = outer
        spans = self.spans
        span = Span
        children = node[1]
        if kind == _SEQUENCE:
            out = []
            append = out.append
            for i, child in enumerate(children):
                p = path + (i,)
                s, e = child[2], child[3]
                spans[p] = span(s.line + 1, s.column + 1, e.line + 1, e.column + 1)
                append(child[1] if child[0] == _SCALAR else self.build(child, p, depth + 1))
            return out

        result: dict = {}
        merged = self._merge(node, result, path, depth) if node[6] else None
        build = self.build
        for j in range(0, len(children), 2):
            knode = children[j]
            vnode = children[j + 1]
            if knode[0] == _SCALAR:
                key = knode[1]
            elif knode[0] == _ALIAS and knode[1][0] == _SCALAR:
                key = knode[1][1]
            else:
                self.warn("yaml-complex-key", "mapping key that is a collection ignored",
                          _mark_span(knode[2], knode[3]))
                continue
            if key is _MERGE:
                continue
            p = path + (key,)
            ks = knode[2]
            if key in result:
                if merged and key in merged:
                    merged.discard(key)  # an explicit key overrides a merged one
                else:
                    first = spans.get(p)
                    where = f" (first at line {first.line})" if first is not None else ""
                    self.warn("duplicate-key", f"duplicate key {key!r}{where}",
                              _mark_span(ks, knode[3]))
            e = vnode[3]
            spans[p] = span(ks.line + 1, ks.column + 1, e.line + 1, e.column + 1)
            result[key] = vnode[1] if vnode[0] == _SCALAR else build(vnode, p, depth + 1)
        return result

    def _merge(self, node, result: dict, path: tuple, depth: int) -> set:
        """Apply the ``<<`` keys of a mapping node to ``result`` as PyYAML does.

        Earlier sources win over later ones in a list, a later ``<<`` over an earlier one, and
        explicit keys (applied by the caller afterwards) over all of them.
        """
        sources = []
        children = node[1]
        for j in range(0, len(children), 2):
            knode = _deref(children[j])
            if knode[0] != _SCALAR or knode[1] is not _MERGE:
                continue
            vnode = children[j + 1]
            value = _deref(vnode)
            if value[0] == _MAPPING:
                sources.append(vnode)
                continue
            if value[0] == _SEQUENCE:
                items = []
                for item in value[1]:
                    if _deref(item)[0] == _MAPPING:
                        items.append(item)
                    else:
                        self.warn("yaml-merge", "merge key list item is not a mapping; ignored",
                                  _mark_span(item[2], item[3]))
                items.reverse()
                sources.extend(items)
                continue
            self.warn("yaml-merge", "merge key value is not a mapping or a list of mappings; "
                      "ignored", _mark_span(vnode[2], vnode[3]))
        for source in sources:
            # Built at this mapping's own path: the merged keys' spans land where they belong.
            result.update(self.build(source, path, depth + 1))
        return set(result)


# -- the parser ------------------------------------------------------------------------------
def _yaml_error(exc: Exception, text: str, path: str, loader) -> Diagnostic:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            cm = exc.context_mark
            where = f" at line {cm.line + 1}, column {cm.column + 1}" if cm is not None else ""
            message = f"{exc.problem} ({exc.context}{where})"
        span = _point(mark) if mark is not None else Span.point(1)
        return Diagnostic("error", message, path, span, "yaml-syntax")
    if isinstance(exc, ReaderError):
        position = max(0, exc.position)
        if loader is not yaml.SafeLoader:  # libyaml reports a byte offset into the UTF-8
            position = len(text.encode("utf-8", "surrogatepass")[:position]
                           .decode("utf-8", "ignore"))
        return Diagnostic("error", f"unacceptable character #x{exc.character:04x}: {exc.reason}",
                          path, _offset_span(text, position), "yaml-syntax")
    if isinstance(exc, UnicodeError):
        position = getattr(exc, "start", 0)
        return Diagnostic("error", f"invalid character in text: {exc.reason}", path,
                          _offset_span(text, position), "yaml-syntax")
    return Diagnostic("error", str(exc) or type(exc).__name__, path, Span.point(1), "yaml-syntax")


def _offset_span(text: str, offset: int) -> Span:
    offset = min(max(0, offset), len(text))
    before = text[:offset]
    breaks = list(re.finditer("\r\n|[\r\n\x85\u2028\u2029]", before))
    line = len(breaks) + 1
    column = offset - (breaks[-1].end() if breaks else 0) + 1
    return Span.point(line, column)


def _line_end_column(text: str, mark, shift: int) -> int:
    """1-based exclusive end column of the line ``mark`` is on."""
    pos = mark.index + shift
    found = _EOL.search(text, pos)
    end = found.start() if found else len(text)
    return max(mark.column + 2, mark.column + (end - pos) + 1)


def _header(text: str, node, shift: int) -> Span:
    start = node[2]
    children = node[1]
    first = children[0][2] if children else start
    if first.line < start.line:
        first = start
    return Span(start.line + 1, start.column + 1, first.line + 1,
                _line_end_column(text, first, shift))


def _string_at(node, key: str):
    """The last string value of ``key`` in a mapping node (before building), or None."""
    found = None
    children = node[1]
    for j in range(0, len(children), 2):
        knode = _deref(children[j])
        if knode[0] == _SCALAR and knode[1] == key:
            value = _deref(children[j + 1])
            found = value[1] if value[0] == _SCALAR else None
    return found if isinstance(found, str) and found else None


def _looks_like_object(node) -> bool:
    if node is None or node[0] != _MAPPING:
        return False
    if node[6]:  # a merge key may bring apiVersion/kind in: build and look
        return True
    return _string_at(node, "apiVersion") is not None and _string_at(node, "kind") is not None


def parse(text: str, path: str) -> tuple[list[Resource], list[Diagnostic]]:
    """The Kubernetes objects of a YAML stream, with diagnostics.

    YAML errors become ``error`` diagnostics: a syntax error ends the stream (the documents
    before it are kept); an alias bomb, an undefined alias or too deep a nesting drops that
    document only (too deep a nesting while reading also ends the stream).
    """
    resources: list[Resource] = []
    diagnostics: list[Diagnostic] = []
    loader_cls = LOADER
    # libyaml skips a leading BOM without counting it in mark.index
    shift = 1 if loader_cls is not yaml.SafeLoader and text[:1] == "\ufeff" else 0
    try:
        loader = loader_cls(text)
    except (yaml.YAMLError, UnicodeError) as exc:
        diagnostics.append(_yaml_error(exc, text, path, loader_cls))
        return resources, diagnostics
    get_event = loader.get_event
    cache_get = _PLAIN_CACHE.get

    doc_index = -1
    stack: list = []
    root = None
    anchors: dict = {}
    written = 0         # nodes written in the document
    expanded = 0        # nodes the document expands to, aliases included
    failure: Diagnostic | None = None

    try:
        while True:
            try:
                event = get_event()
            except yaml.YAMLError as exc:
                diagnostics.append(_yaml_error(exc, text, path, loader_cls))
                break
            cls = event.__class__
            if cls is ScalarEvent:
                if event.tag is None:
                    value = event.value
                    if event.implicit[0]:  # plain: resolve (yes, 0777, ~, 1.5, ...)
                        resolved = cache_get(value, _MISSING)
                        value = _plain(value) if resolved is _MISSING else resolved
                else:
                    value = _scalar_value(event)
                node = (_SCALAR, value, event.start_mark, event.end_mark)
                written += 1
                expanded += 1
                if stack:
                    parent = stack[-1]
                    if value is _MERGE:
                        if parent[0] == _MAPPING and not len(parent[1]) % 2:
                            parent[6] = True
                        else:  # "<<" as a value or a list item is just a string
                            node = (_SCALAR, "<<", event.start_mark, event.end_mark)
                    parent[1].append(node)
                else:
                    root = node if value is not _MERGE else (_SCALAR, "<<", node[2], node[3])
                if event.anchor is not None:
                    anchors[event.anchor] = node
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    diagnostics.append(Diagnostic(
                        "error", f"nesting deeper than {MAX_DEPTH} levels; the rest of the "
                        "file was not read", path, _point(event.start_mark), "yaml-too-deep"))
                    break
                node = [_MAPPING if cls is MappingStartEvent else _SEQUENCE, [],
                        event.start_mark, None, expanded, event.flow_style, False]
                written += 1
                expanded += 1
                if event.anchor is not None:
                    anchors[event.anchor] = node
                stack.append(node)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                node = stack.pop()
                children = node[1]
                # A block collection ends where its last entry ends (libyaml's end mark is at
                # the next token, often lines further down); a flow one at its bracket.
                node[3] = children[-1][3] if children and not node[5] else event.end_mark
                node[4] = expanded - node[4]
                if stack:
                    stack[-1][1].append(node)
                else:
                    root = node
            elif cls is AliasEvent:
                target = anchors.get(event.anchor)
                written += 1
                if target is None:
                    if failure is None:
                        failure = Diagnostic("error", f"found undefined alias {event.anchor!r}",
                                             path, _point(event.start_mark), "yaml-syntax")
                    target = (_SCALAR, None, event.start_mark, event.end_mark)
                elif target[0] != _SCALAR and target[3] is None:
                    if failure is None:
                        failure = Diagnostic(
                            "error", f"alias expansion exceeds limit (recursive alias "
                            f"{event.anchor!r})", path, _point(event.start_mark),
                            "yaml-alias-bomb")
                    target = (_SCALAR, None, event.start_mark, event.end_mark)
                expanded += 1 if target[0] == _SCALAR else target[4]
                if target[1] is _MERGE:  # "&m <<" then "*m": a merge key only as a key
                    parent = stack[-1] if stack else None
                    if parent is not None and parent[0] == _MAPPING and not len(parent[1]) % 2:
                        parent[6] = True
                    else:
                        target = (_SCALAR, "<<", target[2], target[3])
                node = (_ALIAS, target, event.start_mark, event.end_mark)
                if stack:
                    stack[-1][1].append(node)
                else:
                    root = node
            elif cls is DocumentStartEvent:
                doc_index += 1
                stack.clear()
                root = None
                anchors.clear()
                written = expanded = 0
                failure = None
            elif cls is DocumentEndEvent:
                if failure is not None:
                    diagnostics.append(failure)
                elif expanded > max(ALIAS_MIN_BUDGET, ALIAS_FACTOR * written):
                    diagnostics.append(Diagnostic(
                        "error", "alias expansion exceeds limit", path,
                        _point(root[2]) if root is not None else Span.point(1),
                        "yaml-alias-bomb"))
                elif _looks_like_object(root):
                    _emit(root, doc_index, text, path, shift, resources, diagnostics)
                root = None
                anchors.clear()
            elif cls is StreamEndEvent:
                break
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()
    return resources, diagnostics


def _emit(root, doc_index: int, text: str, path: str, shift: int,
          resources: list[Resource], diagnostics: list[Diagnostic]) -> None:
    builder = _Builder(path)
    try:
        obj = builder.build(root, (), 1)
    except _TooDeep as exc:
        diagnostics.append(Diagnostic(
            "error", f"nesting deeper than {MAX_DEPTH} levels (with aliases expanded); "
            f"document {doc_index} skipped", path, _point(exc.mark), "yaml-too-deep"))
        return
    kind = obj.get("kind")
    if not (isinstance(kind, str) and kind and isinstance(obj.get("apiVersion"), str)
            and obj.get("apiVersion")):
        return
    diagnostics.extend(builder.diagnostics)
    spans = builder.spans
    items = obj.get("items")
    if kind == "List" or (kind.endswith("List") and isinstance(items, list)):
        if not isinstance(items, list):
            return
        per_item: dict[int, dict] = {}
        for p, s in spans.items():
            if len(p) > 2 and p[0] == "items":
                bucket = per_item.get(p[1])
                if bucket is None:
                    bucket = per_item[p[1]] = {}
                bucket[p[2:]] = s
        item_nodes = _item_nodes(root)
        for i, item in enumerate(items):
            if not (isinstance(item, dict) and isinstance(item.get("kind"), str) and item["kind"]
                    and isinstance(item.get("apiVersion"), str) and item["apiVersion"]):
                continue
            node = item_nodes[i] if item_nodes is not None and i < len(item_nodes) else None
            if node is not None and node[0] == _MAPPING:
                header = _header(text, node, shift)
            else:
                header = spans.get(("items", i)) or _header(text, root, shift)
            resources.append(_resource(item, per_item.get(i, {}), header, path,
                                       {"document": doc_index, "item": i},
                                       f"{doc_index}.{i}"))
        return
    resources.append(_resource(obj, spans, _header(text, root, shift), path,
                               {"document": doc_index}, str(doc_index)))


def _item_nodes(root):
    """The composed nodes of a List's ``items`` (None when they cannot be told apart)."""
    if root[6]:
        return None
    found = None
    children = root[1]
    for j in range(0, len(children), 2):
        knode = _deref(children[j])
        if knode[0] == _SCALAR and knode[1] == "items":
            found = _deref(children[j + 1])
    if found is None or found[0] != _SEQUENCE:
        return None
    return [_deref(item) for item in found[1]]


def _resource(obj: dict, spans: dict, header: Span, path: str, meta: dict,
              fallback: str) -> Resource:
    kind = obj["kind"]
    metadata = obj.get("metadata")
    name = namespace = ""
    if isinstance(metadata, dict):
        value = metadata.get("name")
        name = value if isinstance(value, str) else ""
        value = metadata.get("namespace")
        namespace = value if isinstance(value, str) else ""
    if name:
        address = f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"
    else:
        address = f"{kind}/{fallback}"
    pod_path = POD_SPEC_PATHS.get(kind)
    if pod_path is not None:
        value = obj
        for part in pod_path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, dict):
            meta["pod_spec_path"] = pod_path
    return Resource(source="kubernetes", type=kind, name=name, address=address, file=path,
                    header=header, attributes=obj, spans=spans, meta=meta)


def is_helm_template(text: str, path: str) -> bool:
    """True for a Helm chart template: a file under a ``templates/`` directory using ``{{``."""
    return "templates" in path.split("/")[:-1] and "{{" in text
