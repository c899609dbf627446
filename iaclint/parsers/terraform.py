"""Terraform files to syntax items: ``.tf`` (HCL), ``.tf.json``, ``.tfvars`` and ``.tfvars.json``.

Files are parsed one by one (so one broken file loses only itself); a module directory is then
evaluated as a whole by :mod:`iaclint.terraform.module`.
"""

from __future__ import annotations

from ..model import ParseError, Span
from . import hcl
from .hcl import Attribute, Block, Lit, Object, Tuple, parse_template


def parse_items(text: str, path: str) -> list:
    """Top-level Blocks and Attributes of one file, or ParseError."""
    if path.endswith(".json"):
        return _json_items(text, path)
    return hcl.parse(text)


def tfvars_values(items: list) -> dict[str, Attribute]:
    """The assignments of a tfvars file (blocks are not allowed there and are ignored)."""
    return {a.name: a for a in items if isinstance(a, Attribute)}


# -- .tf.json ---------------------------------------------------------------------------------

_BLOCK_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
                 "locals": 0, "terraform": 0, "moved": 0, "import": 0, "check": 1, "removed": 0}


def _json_items(text: str, path: str) -> list:
    import json
    from .pyyaml import yaml
    try:  # strict JSON first (YAML would accept a trailing comma); YAML then gives positions
        json.loads(text, parse_int=len)  # only checked: no int() of a number's digits (Python limits it)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ParseError(f"invalid JSON: {getattr(exc, 'problem', exc)}",
                         (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1) from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise ParseError("a .tf.json file must hold a JSON object", *_start(root))
    if path.endswith(".tfvars.json"):
        return [Attribute(_scalar(k), _expr(v), _span(k, v)) for k, v in root.value]
    items: list = []
    for knode, vnode in root.value:
        btype = _scalar(knode)
        depth = _BLOCK_LABELS.get(btype)
        if depth is None:
            continue
        if btype == "locals":
            for body in _as_list(vnode):
                attrs = [Attribute(_scalar(k), _expr(v), _span(k, v)) for k, v in _pairs(body)]
                items.append(Block("locals", [], attrs, _span(knode, vnode), _span(knode, knode)))
            continue
        _collect(items, btype, [], vnode, depth, knode)
    return items


def _collect(items, btype, labels, node, depth, knode):
    if depth == 0:
        for body in _as_list(node):
            attrs = _body(body)
            if btype == "variable":
                attrs = [_type_expression(a) if isinstance(a, Attribute) and a.name == "type" else a
                         for a in attrs]
            items.append(Block(btype, labels, attrs, _span(knode, body), _span(knode, knode)))
        return
    for k, v in _pairs(node):
        _collect(items, btype, labels + [_scalar(k)], v, depth - 1, k)


def _type_expression(attr: Attribute) -> Attribute:
    """A variable's ``"type": "list(string)"``: in JSON the type expression is written as a string."""
    if isinstance(attr.expr, Lit) and isinstance(attr.expr.value, str):
        return Attribute(attr.name, hcl.parse_expression(attr.expr.value, attr.expr.span), attr.span)
    return attr


def _body(node) -> list:
    from .pyyaml import yaml
    out: list = []
    for k, v in _pairs(node):
        name = _scalar(k)
        if name == "//":  # Terraform's JSON syntax: a comment
            continue
        if name == "dynamic" and isinstance(v, yaml.MappingNode):
            for label_node, spec in v.value:
                for spec_body in _as_list(spec):
                    out.append(Block("dynamic", [_scalar(label_node)], _body(spec_body),
                                     _span(label_node, spec_body), _span(label_node, label_node)))
        elif name in ("lifecycle", "provisioner", "connection") and isinstance(v, yaml.MappingNode):
            out.append(Block(name, [], _body(v), _span(k, v), _span(k, k)))
        elif name == "content" and isinstance(v, yaml.MappingNode):
            out.append(Block("content", [], _body(v), _span(k, v), _span(k, k)))
        else:
            out.append(Attribute(name, _expr(v), _span(k, v)))
    return out


def _expr(node):
    from .pyyaml import yaml
    span = _span(node, node)
    if isinstance(node, yaml.MappingNode):
        return Object([(Lit(_scalar(k), _span(k, k)), _expr(v)) for k, v in node.value], span)
    if isinstance(node, yaml.SequenceNode):
        return Tuple([_expr(v) for v in node.value], span)
    value = node.value
    if node.style:  # quoted (the C loader says "" for plain, the Python one None): a JSON string
        if "${" in value or "%{" in value:
            return parse_template(value, span)
        return Lit(value, span)
    # a plain scalar is a JSON literal (the text passed json.loads): read it by JSON's grammar,
    # not YAML 1.1's, which takes 1e3 for a string
    if value in ("true", "false"):
        return Lit(value == "true", span)
    if value == "null":
        return Lit(None, span)
    if value.lstrip("-").isdigit():
        return hcl.number(value, span)  # Unknown past Python's int() limit
    return Lit(float(value), span)


def _pairs(node):
    from .pyyaml import yaml
    if isinstance(node, yaml.MappingNode):
        return node.value
    raise ParseError("expected a JSON object here", *_start(node))


def _as_list(node):
    from .pyyaml import yaml
    return node.value if isinstance(node, yaml.SequenceNode) else [node]


def _scalar(node) -> str:
    from .pyyaml import yaml
    if not isinstance(node, yaml.ScalarNode):
        raise ParseError("expected a string key", *_start(node))
    return node.value


def _start(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _span(first, last) -> Span:
    return Span(first.start_mark.line + 1, first.start_mark.column + 1,
                last.end_mark.line + 1, last.end_mark.column + 1)
