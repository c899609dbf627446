"""HCL2 text to a small syntax tree with exact spans.

Two parsers build these nodes. :mod:`iaclint.parsers.hcl_native` (recursive descent over
regex-matched tokens) parses every file it can; when it gives up, python-hcl2's lark LALR
grammar (with positions on every node) parses the text from the last top-level item the native
parser completed (see "what the native parser refused" below) and this module walks lark's raw
tree once. Both give the same tree, spans included, so the evaluator and the Terraform model never
see lark objects, quoted strings or ``${...}`` text; the lark path is also the one that words
syntax errors, and the oracle the native parser is tested against. lark and python-hcl2 are
imported only when a file needs them (in practice: an invalid one).
"""

from __future__ import annotations

import re

from ..model import ParseError, Span, Unknown
from ..parse import paused_collector

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any

# -- the syntax tree --------------------------------------------------------------------------


class Expr:
    __slots__ = ("span",)
    kind = "expr"


class Lit(Expr):
    __slots__ = ("value",)
    kind = "lit"

    def __init__(self, value, span):
        self.value, self.span = value, span


class Template(Expr):
    """A string with interpolations or directives: parts are str or Expr or directive nodes."""
    __slots__ = ("parts",)
    kind = "template"

    def __init__(self, parts, span):
        self.parts, self.span = parts, span


class TemplateIf:
    __slots__ = ("cond", "then", "other")

    def __init__(self, cond, then, other):
        self.cond, self.then, self.other = cond, then, other


class TemplateFor:
    __slots__ = ("key_var", "val_var", "coll", "body")

    def __init__(self, key_var, val_var, coll, body):
        self.key_var, self.val_var, self.coll, self.body = key_var, val_var, coll, body


class Tuple(Expr):
    __slots__ = ("items",)
    kind = "tuple"

    def __init__(self, items, span):
        self.items, self.span = items, span


class Object(Expr):
    __slots__ = ("items",)  # [(key Expr, value Expr)]
    kind = "object"

    def __init__(self, items, span):
        self.items, self.span = items, span


class Ref(Expr):
    """A bare identifier: ``var``, ``local``, ``aws_s3_bucket``, ``each``, or an object key."""
    __slots__ = ("name",)
    kind = "ref"

    def __init__(self, name, span):
        self.name, self.span = name, span


class GetAttr(Expr):
    __slots__ = ("obj", "name")
    kind = "getattr"

    def __init__(self, obj, name, span):
        self.obj, self.name, self.span = obj, name, span


class Index(Expr):
    __slots__ = ("obj", "key")
    kind = "index"

    def __init__(self, obj, key, span):
        self.obj, self.key, self.span = obj, key, span


class Splat(Expr):
    """``obj.*.a`` or ``obj[*].a[0]``: ops applied to every element."""
    __slots__ = ("obj", "ops")  # ops: [("attr", name) | ("index", Expr)]
    kind = "splat"

    def __init__(self, obj, ops, span):
        self.obj, self.ops, self.span = obj, ops, span


class Call(Expr):
    __slots__ = ("name", "args", "expand")
    kind = "call"

    def __init__(self, name, args, expand, span):
        self.name, self.args, self.expand, self.span = name, args, expand, span


class Unary(Expr):
    __slots__ = ("op", "operand")
    kind = "unary"

    def __init__(self, op, operand, span):
        self.op, self.operand, self.span = op, operand, span


class Binary(Expr):
    __slots__ = ("op", "left", "right")
    kind = "binary"

    def __init__(self, op, left, right, span):
        self.op, self.left, self.right, self.span = op, left, right, span


class Conditional(Expr):
    __slots__ = ("cond", "then", "other")
    kind = "conditional"

    def __init__(self, cond, then, other, span):
        self.cond, self.then, self.other, self.span = cond, then, other, span


class For(Expr):
    __slots__ = ("key_var", "val_var", "coll", "key", "value", "cond", "group")
    kind = "for"

    def __init__(self, key_var, val_var, coll, key, value, cond, group, span):
        self.key_var, self.val_var, self.coll = key_var, val_var, coll
        self.key, self.value, self.cond, self.group, self.span = key, value, cond, group, span


class Attribute:
    __slots__ = ("name", "expr", "span")

    def __init__(self, name, expr, span):
        self.name, self.expr, self.span = name, expr, span


class Block:
    __slots__ = ("type", "labels", "body", "span", "header", "_attributes")

    def __init__(self, type, labels, body, span, header):
        self.type, self.labels, self.body, self.span, self.header = type, labels, body, span, header

    def attributes(self) -> dict[str, Attribute]:
        """The block's attributes by name (worked out once: do not change the dict)."""
        try:
            return self._attributes
        except AttributeError:
            self._attributes = {a.name: a for a in self.body if isinstance(a, Attribute)}
            return self._attributes

    def blocks(self, type_: str | None = None) -> list["Block"]:
        return [b for b in self.body if isinstance(b, Block) and (type_ is None or b.type == type_)]


def number(digits: str, span: Span) -> Lit:
    """An INT_LITERAL's value. Terraform's numbers have no size limit, Python's ``int()`` of a
    string has one (4300 digits): past it the value is Unknown, never an error for the file."""
    try:
        return Lit(int(digits), span)
    except ValueError:
        return Lit(Unknown(f"{digits[:20]}...", f"a number of {len(digits)} digits: more than iaclint "
                           "evaluates", span), span)


# -- building it from lark's tree ----------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESC_RE = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)', re.S)


def unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def sub(m):
        s = m.group(1)
        if s[0] in "uU" and len(s) > 1:
            code = int(s[1:], 16)  # \UFFFFFFFF is no character: kept as written, as unknown escapes are
            return chr(code) if code <= 0x10FFFF else "\\" + s
        return _ESCAPES.get(s, "\\" + s)
    return _ESC_RE.sub(sub, text)


def _trim_end(span: Span, lines: list[str]) -> Span:
    """``span`` ending at column 1 of a later line (after a heredoc's final newline, or a binary
    operation's trailing line breaks) ends on the previous line instead, after its last character.
    ``lines`` is ``text.splitlines()`` of the parsed text."""
    end_line = span.end_line - 1
    width = len(lines[end_line - 1]) if end_line - 1 < len(lines) else 0
    return Span(span.line, span.column, end_line, width + 1)


def _ending(span: Span, expr_span: Span) -> Span:
    """An attribute's ``span``, ending no later than its expression does."""
    if (expr_span.end_line, expr_span.end_column) < (span.end_line, span.end_column):
        return Span(span.line, span.column, expr_span.end_line, expr_span.end_column)
    return span


def _span(meta) -> Span:
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_span(tok) -> Span:
    return Span(tok.line, tok.column, tok.end_line, tok.end_column)


class _Builder:
    def __init__(self, text: str, expression=None, file_text: str | None = None, lines_before: int = 0):
        self.text = text
        self._lines: list[str] | None = None
        # expressions inside heredoc templates: lark's path parses them with lark too (the oracle)
        self.expression = expression or _parse_expression_lark
        # ``text`` a fragment of ``file_text`` after ``lines_before`` lines: spans are trimmed by
        # the file's lines (its splitlines(), which counts a lone CR as a line break too)
        self.file_text, self.lines_before = file_text or text, lines_before

    def _trimmed(self, span: Span) -> Span:
        """A span that ends at column 1 of a later line (a heredoc's final newline) ends on the
        previous line instead, after its last character."""
        if span.end_column != 1 or span.end_line <= span.line:
            return span
        if self._lines is None:
            self._lines = self.file_text.splitlines()
        before = self.lines_before
        trimmed = _trim_end(Span(span.line + before, span.column, span.end_line + before, span.end_column),
                            self._lines)
        return Span(span.line, span.column, trimmed.end_line - before, trimmed.end_column)

    # bodies
    def body(self, tree) -> list:
        items = []
        for child in tree.children:
            data = getattr(child, "data", None)
            if data == "attribute":
                items.append(self.attribute(child))
            elif data == "block":
                items.append(self.block(child))
        return items

    def attribute(self, tree) -> Attribute:
        name = self.name_of(tree.children[0])
        expr = self.expr(tree.children[-1])
        return Attribute(name, expr, _ending(self._trimmed(_span(tree.meta)), expr.span))

    def block(self, tree) -> Block:
        labels, type_, body, header_end = [], None, [], None
        for child in tree.children:
            data = getattr(child, "data", None)
            if data == "body":
                body = self.body(child)
            elif data == "string":
                labels.append(self.plain_string(child))
            elif data in ("identifier", "keyword", "literal_value"):
                if type_ is None:
                    type_ = self.name_of(child)
                else:
                    labels.append(self.name_of(child))
            elif getattr(child, "type", None) == "LBRACE" and header_end is None:
                header_end = (child.end_line, child.end_column)
        m = tree.meta
        header = Span(m.line, m.column, *(header_end or (m.line, m.column + len(type_ or ""))))
        return Block(type_, labels, body, self._trimmed(_span(m)), header)

    def name_of(self, tree) -> str:
        if hasattr(tree, "children"):
            tok = tree.children[0]
            return str(tok) if not hasattr(tok, "children") else self.name_of(tok)
        return str(tree)

    def plain_string(self, tree) -> str:
        out = []
        for part in tree.children:
            if getattr(part, "data", None) == "string_part":
                tok = part.children[0]
                if hasattr(tok, "children"):
                    raise ParseError("block labels cannot contain interpolations", tree.meta.line,
                                     tree.meta.column)
                out.append(self.string_chars(tok))
        return "".join(out)

    @staticmethod
    def string_chars(tok) -> str:
        t = tok.type
        if t == "ESCAPED_INTERPOLATION":
            return str(tok)[1:]
        if t == "ESCAPED_DIRECTIVE":
            return str(tok)[1:]
        return unescape(str(tok))

    # expressions
    def expr(self, tree) -> Expr:  # noqa: C901 - one dispatch over the grammar's rules
        data = tree.data
        if data == "expr_term":
            kids = [c for c in tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
            if len(kids) == 1 and len(tree.children) == 1:
                return self.expr(kids[0])
            # parenthesised
            return self.expr(kids[0])
        span = _span(tree.meta)
        if data == "int_lit":
            return number(str(tree.children[0]), span)
        if data == "float_lit":
            try:
                return Lit(float(str(tree.children[0])), span)
            except ValueError:  # FLOAT_LITERAL also matches "-1-2.5"
                raise ParseError(f"invalid number {str(tree.children[0])!r}", span.line,
                                 span.column) from None
        if data == "literal_value":
            v = str(tree.children[0])
            return Lit({"true": True, "false": False, "null": None}[v], span)
        if data == "string":
            return self.string(tree, span)
        if data == "identifier":
            return Ref(str(tree.children[0]), span)
        if data == "tuple":
            return Tuple([self.expr(c) for c in self._exprs(tree)], span)
        if data == "object":
            items = []
            for elem in tree.children:
                if getattr(elem, "data", None) != "object_elem":
                    continue
                key_tree, value_tree = elem.children[0], elem.children[-1]
                key_inner = key_tree.children[0]
                if getattr(key_inner, "data", None) == "keyword":
                    key = Lit(self.name_of(key_inner), _span(key_inner.meta))
                else:
                    key = self.expr(key_inner)
                    bare = [c for c in getattr(key_inner, "children", ()) if getattr(c, "data", None)]
                    if isinstance(key, Ref) and len(key_inner.children) == 1 and len(bare) == 1 \
                            and bare[0].data == "identifier":
                        key = Lit(key.name, key.span)  # a bare word key is a string; (k) and "${k}" are not
                items.append((key, self.expr(value_tree)))
            return Object(items, span)
        if data == "get_attr_expr_term":
            obj = self.expr(tree.children[0])
            return GetAttr(obj, self.name_of(tree.children[1].children[-1]), span)
        if data == "index_expr_term":
            obj = self.expr(tree.children[0])
            idx = tree.children[1]
            if idx.data == "short_index":
                key = number(str(idx.children[-1]), _span(idx.meta))
            else:
                key = self.expr(self._exprs(idx)[0])
            return Index(obj, key, span)
        if data in ("attr_splat_expr_term", "full_splat_expr_term"):
            obj = self.expr(tree.children[0])
            # ``a.*.b[0]``: an attribute-only splat takes .name and .N only, as HCL does; a bracket
            # and what follows it apply to the list the splat made, not to each element
            ops, rest, end = [], [], tree.children[1].children[0]  # end: the .* token, then each op
            for op in tree.children[1].children:
                d = getattr(op, "data", None)
                if d == "get_attr":
                    one = ("attr", self.name_of(op.children[-1]))
                elif d == "short_index":
                    one = ("index", number(str(op.children[-1]), _span(op.meta)))
                elif d == "braces_index":
                    one = ("index", self.expr(self._exprs(op)[0]))
                else:
                    continue
                if rest or (d == "braces_index" and data == "attr_splat_expr_term"):
                    rest.append((one, op.meta))
                else:
                    ops.append(one)
                    end = op.meta
            if not rest:
                return Splat(obj, ops, span)
            node = Splat(obj, ops, Span(span.line, span.column, end.end_line, end.end_column))
            for (op, arg), meta in rest:
                at = Span(span.line, span.column, meta.end_line, meta.end_column)
                node = GetAttr(node, arg, at) if op == "attr" else Index(node, arg, at)
            return node
        if data == "function_call":
            names = [self.name_of(c) for c in tree.children if getattr(c, "data", None) == "identifier"]
            args, expand = [], False
            for c in tree.children:
                if getattr(c, "data", None) == "arguments":
                    args = [self.expr(a) for a in self._exprs(c)]
                    expand = any(getattr(t, "type", None) == "ELLIPSIS" for t in c.children)
            return Call("::".join(names), args, expand, span)
        if data == "unary_op":
            return Unary(str(tree.children[0]), self.expr(tree.children[1]), span)
        if data == "binary_op":
            left = self.expr(tree.children[0])
            term = tree.children[1]
            # by type: the post-lexer prepends a line break or comment before it to the token text
            op = _OPERATORS[term.children[0].children[0].type]
            right = self.expr(self._exprs(term)[-1])
            # lark's binary_op also takes the line breaks after it: the expression ends with ``right``
            return Binary(op, left, right, Span(span.line, span.column, right.span.end_line, right.span.end_column))
        if data == "conditional":
            parts = self._exprs(tree)
            return Conditional(self.expr(parts[0]), self.expr(parts[1]), self.expr(parts[2]), span)
        if data in ("for_tuple_expr", "for_object_expr"):
            return self.for_expr(tree, span)
        if data in ("heredoc_template", "heredoc_template_trim"):
            return _heredoc_value(str(tree.children[0]), data == "heredoc_template_trim", span,
                                  self.expression)
        if data == "template_string":
            return Lit(unescape(str(tree.children[0])[2:-2]), span)
        raise ParseError(f"unsupported expression {data}", tree.meta.line, tree.meta.column)

    @staticmethod
    def _exprs(tree) -> list:
        return [c for c in tree.children if hasattr(c, "data") and c.data not in (
            "new_line_or_comment", "binary_operator")]

    def for_expr(self, tree, span) -> For:
        intro = next(c for c in tree.children if getattr(c, "data", None) == "for_intro")
        idents = [self.name_of(c) for c in intro.children if getattr(c, "data", None) == "identifier"]
        coll = self.expr([c for c in intro.children if hasattr(c, "data") and c.data not in (
            "identifier", "new_line_or_comment")][-1])
        key_var, val_var = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
        body = [c for c in tree.children if hasattr(c, "data") and c.data not in (
            "for_intro", "for_cond", "new_line_or_comment")]
        cond_tree = next((c for c in tree.children if getattr(c, "data", None) == "for_cond"), None)
        cond = self.expr(self._exprs(cond_tree)[-1]) if cond_tree is not None else None
        group = any(getattr(t, "type", None) == "ELLIPSIS" for t in tree.children)
        if tree.data == "for_object_expr":
            return For(key_var, val_var, coll, self.expr(body[0]), self.expr(body[1]), cond, group, span)
        return For(key_var, val_var, coll, None, self.expr(body[0]), cond, False, span)

    def string(self, tree, span) -> Expr:
        parts: list = []
        for part in tree.children:
            if getattr(part, "data", None) != "string_part":
                continue
            inner = part.children[0]
            if not hasattr(inner, "data"):
                parts.append(self.string_chars(inner))
            elif inner.data == "interpolation":
                parts.append(self.expr(self._exprs(inner)[0]))
            else:
                parts.append(self.directive(inner))
        return _make_template(parts, span)

    def directive(self, tree):
        kids = [c for c in tree.children if hasattr(c, "data")]
        if tree.data == "template_if_start":
            return ("if", self.expr(kids[0]))
        if tree.data == "template_for_start":
            names = [self.name_of(c) for c in kids if c.data == "identifier"]
            coll = self.expr([c for c in kids if c.data != "identifier"][-1])
            return ("for", names, coll)
        return ({"template_else": "else", "template_endif": "endif",
                 "template_endfor": "endfor"}[tree.data],)


_OPERATORS = {"DOUBLE_PIPE": "||", "DOUBLE_AMP": "&&", "DOUBLE_EQ": "==", "NEQ": "!=", "LT": "<",
              "GT": ">", "LEQ": "<=", "GEQ": ">=", "PLUS": "+", "MINUS": "-", "ASTERISK": "*",
              "SLASH": "/", "PERCENT": "%"}


def _heredoc_value(raw: str, trim: bool, span: Span, expression) -> Expr:
    """A heredoc token's text (``<<EOF`` to the closing marker) as a Lit or Template."""
    first_nl = raw.index("\n")
    body = raw[first_nl + 1:]
    body = body[: body.rstrip("\r\n").rfind("\n") + 1] if "\n" in body.rstrip("\r\n") else ""
    if trim:
        lines = body.split("\n")
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        body = "\n".join(ln[cut:] for ln in lines)
    if "${" not in body and "%{" not in body:
        return Lit(body.replace("$${", "${").replace("%%{", "%{"), span)
    return parse_template(body, span, expression=expression)


def _make_template(parts: list, span: Span) -> Expr:
    if all(isinstance(p, str) for p in parts):
        return Lit("".join(parts), span)
    if len(parts) == 1 and isinstance(parts[0], Expr):
        return parts[0]  # "${x}" is x itself, keeping its type
    return Template(_nest_directives(parts, span), span)


def _nest_directives(parts: list, span: Span) -> list:
    """Turn the flat ("if", c) ... ("else",) ... ("endif",) markers into nested nodes."""
    out: list = []
    stack: list = []
    for p in parts:
        if isinstance(p, tuple):
            tag = p[0]
            if tag == "if":
                stack.append(("if", p[1], [], None, out))
                out = stack[-1][2]
            elif tag == "for":
                stack.append(("for", p, [], None, out))
                out = stack[-1][2]
            elif tag == "else" and stack and stack[-1][0] == "if":
                kind, cond, then, _, parent = stack.pop()
                stack.append((kind, cond, then, [], parent))
                out = stack[-1][3]
            elif tag in ("endif", "endfor") and stack:
                kind, head, then, other, parent = stack.pop()
                out = parent
                if kind == "if":
                    out.append(TemplateIf(head, then, other or []))
                else:
                    names = head[1]
                    key_var, val_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
                    out.append(TemplateFor(key_var, val_var, head[2], then))
            else:
                raise ParseError(f"unbalanced template directive %{{{tag}}}", span.line, span.column)
        else:
            out.append(p)
    if stack:
        raise ParseError("template directive is not closed", span.line, span.column)
    return out


_INTERP_RE = re.compile(r"(\$\$\{|%%\{|\$\{|%\{)")


def parse_template(text: str, span: Span, first_line: int = 0, expression=None) -> Expr:
    """Parse template text (a heredoc body, or a string from .tf.json) into a Template.

    ``expression(text, span)`` parses each interpolated expression (default: parse_expression).
    """
    expression = expression or parse_expression
    parts: list = []
    pos = 0
    strip_next = False  # the previous interpolation ended with ~: trim the whitespace after it
    while True:
        m = _INTERP_RE.search(text, pos)
        if not m:
            parts.append(text[pos:].lstrip(" \t\r\n") if strip_next else text[pos:])
            break
        literal = text[pos:m.start()]
        parts.append(literal.lstrip(" \t\r\n") if strip_next else literal)
        strip_next = False
        opener = m.group(1)
        if opener in ("$${", "%%{"):
            parts.append(opener[1:])
            pos = m.end()
            continue
        end = _matching_brace(text, m.end())
        if end < 0:
            raise ParseError("unterminated interpolation in template", span.line, span.column)
        inner = text[m.end():end]
        # ${~ and %{~ trim the whitespace before the interpolation, ~} the whitespace after it
        if inner.startswith("~") and parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1].rstrip(" \t\r\n")
        strip_next = inner.rstrip().endswith("~")
        if opener == "${":
            parts.append(expression(inner.strip().strip("~").strip(), span))
        else:
            parts.append(_directive_from_text(inner.strip().strip("~").strip(), span, expression))
        pos = end + 1
    return _make_template([p for p in parts if p != ""], span)


_BRACE_CHARS = re.compile(r'[\\"{}]')


def _matching_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``{`` just before ``start`` (quotes and escapes honoured)."""
    depth, quote, skip = 1, False, -1
    for m in _BRACE_CHARS.finditer(text, start):
        i = m.start()
        if i == skip:  # the character after a backslash inside quotes
            continue
        c = text[i]
        if quote:
            if c == "\\":
                skip = i + 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


_DIRECTIVE_RE = re.compile(r"^(if|for|else|endif|endfor)\b\s*(.*)$", re.S)


def _directive_from_text(inner: str, span: Span, expression):
    m = _DIRECTIVE_RE.match(inner)
    if not m:
        raise ParseError(f"unknown template directive %{{{inner[:20]}}}", span.line, span.column)
    tag, rest = m.group(1), m.group(2)
    if tag == "if":
        return ("if", expression(rest, span))
    if tag == "for":
        fm = re.match(r"^([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*))?\s+in\s+(.*)$", rest, re.S)
        if not fm:
            raise ParseError("malformed %{for} directive", span.line, span.column)
        names = [n for n in (fm.group(1), fm.group(2)) if n]
        return ("for", names, expression(fm.group(3), span))
    return (tag,)


def parse_expression(text: str, span: Span) -> Expr:
    """Parse one expression from text found inside a template; spans become the template's."""
    from . import hcl_native
    try:
        return hcl_native.parse_expression(text, span)
    except hcl_native.Fallback:
        return _parse_expression_lark(text, span)
    except RecursionError:
        raise ParseError("expression nested too deeply", span.line, span.column) from None


def _parse_expression_lark(text: str, span: Span) -> Expr:
    from hcl2.api import parses_to_tree
    try:
        tree = parses_to_tree(f"__x = {text}\n")
    except Exception as exc:  # lark raises many types; all mean "not an expression"
        raise ParseError(f"invalid expression in template: {text[:60]!r} ({type(exc).__name__})",
                         span.line, span.column) from None
    attr = next(c for c in tree.children[0].children if getattr(c, "data", None) == "attribute")
    expr = _Builder(text).expr(attr.children[-1])
    _respan(expr, span)
    return expr


def _respan(expr: Any, span: Span) -> None:
    """Give every node of a re-parsed snippet the span of the text it came from."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Expr):
            node.span = span
            for slot in type(node).__slots__:
                stack.append(getattr(node, slot))
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, (TemplateIf, TemplateFor)):
            stack.extend(getattr(node, s) for s in type(node).__slots__)


def parse(text: str) -> list:
    """Parse an HCL file into a list of Attribute and Block items, or raise ParseError."""
    from . import hcl_native
    try:
        return hcl_native.parse(text)
    except hcl_native.Fallback as refusal:
        # as in the native parse: lark's objects hold no cycles, and the collector would walk the
        # whole heap of items parsed so far (measured: +0.4 s after 1.6 MB)
        with paused_collector():
            return _parse_refused(text, refusal)
    except RecursionError:
        raise ParseError("nested too deeply to parse", 1, 1) from None


def parse_lark(text: str) -> list:
    """:func:`parse` by python-hcl2's lark grammar: the path for text the native parser refuses,
    and the words of every syntax error."""
    from hcl2.api import parses_to_tree
    try:
        tree = parses_to_tree(text)
    except RecursionError:
        raise ParseError("nested too deeply to parse", 1, 1) from None
    except Exception as exc:  # lark's UnexpectedInput family and friends
        raise _lark_error(exc, text) from None
    try:
        return _Builder(text).body(tree.children[0])
    except RecursionError:
        raise ParseError("nested too deeply to parse", 1, 1) from None


def _lark_error(exc: Exception, text: str, lines: int = 0) -> ParseError:
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    return ParseError(_describe(exc, text), (line if line > 0 else 1) + lines, column if column > 0 else 1)


# -- what the native parser refused ---------------------------------------------------------------
# lark takes ~10x the native parser's time and ~250 bytes of memory per character it reads (a
# syntax error at the end of a 1.6 MB file: 20-35 s and 450 MB). So it reads only what it must:
# from the last top-level item the native parser completed (the items before it are the native
# parser's, the same as lark's), and, when much of the file follows, first only up to the end of
# the line where the native parser stopped. Users get lark's words and position, as before.

# At most this much text is handed to lark in one go; where more would be needed to word an error,
# the error is the native parser's own (still located where parsing stopped).
LARK_BUDGET = 256 * 1024
_WINDOW_LINE = 4096  # a window ends at the end of the line, if that is this close; else mid-line
_WINDOW_MID = 128
UNTERMINATED_STRING = "unterminated string: the quote opened here is not closed on its line"


def _position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _parse_refused(text: str, refusal) -> list:
    if refusal.unterminated_string is not None:  # lark's $END error, at the last piece of the string
        raise ParseError(UNTERMINATED_STRING, *_position(text, refusal.unterminated_string))
    start, at = refusal.resume, min(refusal.at, len(text))
    if at - start > LARK_BUDGET:
        raise _refused_error(text, start, at)
    if len(text) - start > LARK_BUDGET or refusal.unclosed_heredoc:
        cut = text.find("\n", at, at + _WINDOW_LINE) + 1 or min(at + _WINDOW_MID, len(text))
        if cut < len(text):
            _lark_window(text, start, cut, at)  # raises lark's error when the window decides it
            if len(text) - start > LARK_BUDGET:
                raise _refused_error(text, start, at)
    return refusal.items + _lark_fragment(text, start)


def _refused_error(text: str, start: int, at: int) -> ParseError:
    shown = text[at:at + 200].strip().split("\n")[0][:40]
    what = f"unexpected {shown!r}" if shown else "unexpected end of input"
    return ParseError(f"{what} (not re-read for a detailed message: more than {LARK_BUDGET // 1024} KB "
                      "of this file would have to be)", *_position(text, at))


def _fragment(text: str, start: int, end: int) -> tuple[str, int]:
    """``text[start:end]`` at its own column (white space before it on its line), and the number
    of lines before it: lark's positions in the fragment, plus those lines, are the file's."""
    line, column = _position(text, start)
    return " " * (column - 1) + text[start:end], line - 1


def _lark_fragment(text: str, start: int) -> list:
    """:func:`parse_lark` of the file from ``start`` on, positioned as in the whole file."""
    from hcl2.api import parses_to_tree
    fragment, lines = _fragment(text, start, len(text))
    try:
        tree = parses_to_tree(fragment)
    except RecursionError:
        raise ParseError("nested too deeply to parse", 1, 1) from None
    except Exception as exc:  # lark's UnexpectedInput family and friends
        raise _lark_error(exc, fragment, lines) from None
    try:
        items = _Builder(fragment, file_text=text, lines_before=lines).body(tree.children[0])
    except RecursionError:
        raise ParseError("nested too deeply to parse", 1, 1) from None
    except ParseError as exc:
        raise ParseError(exc.message, exc.line + lines, exc.column) from None
    if lines:
        _shift_lines(items, lines)
    return items


def _lark_window(text: str, start: int, cut: int, at: int) -> None:
    """Raise lark's error for the whole file if lark, reading only ``text[start:cut]``, meets one
    that the rest of the file cannot change; else return (the window does not decide)."""
    from hcl2.api import parses_to_tree
    fragment, lines = _fragment(text, start, cut)
    try:
        parses_to_tree(fragment)
        return
    except RecursionError:
        return
    except Exception as exc:  # lark's UnexpectedInput family and friends
        error = exc
    token = getattr(error, "token", None)
    if token is not None:
        if token.type in ("$END", "NL_OR_COMMENT") or token.start_pos is None:
            return  # what follows the window decides what comes next (a post-lexer merge, more text)
        where, until = token.start_pos, token.end_pos
        if until >= len(fragment) - 3 and not _shown_whole(str(token)[:len(fragment) - where]):
            return
    else:
        where = getattr(error, "pos_in_stream", None)
        if where is None or where >= len(fragment) - 3:
            return
    offset = start + where - (len(fragment) - (cut - start))  # less the padding before the fragment
    if not at - 2 <= offset < cut or not _same_tokens_near(text, cut, max(at - 2, start), offset + 3):
        return
    raise _lark_error(error, fragment, lines)


def _shown_whole(within: str) -> bool:
    """Whether :func:`_describe`'s view of an error token that reaches the end of the window (its
    part ``within`` the window) is the same whatever follows: more of the line, another line, only
    white space."""
    def shown(token: str) -> str:
        lines = token.strip().splitlines()
        return lines[0][:40] if lines else ""
    return shown(within) == shown(within + "X") == shown(within + "\nX") != ""


def _same_tokens_near(text: str, cut: int, begin: int, end: int) -> bool:
    """No comment, heredoc or template string opens in ``text[begin:end]`` whose end lark would
    find differently in the window ``text[:cut]`` than in the whole text."""
    from .hcl_native import heredoc_end
    window = text[:cut] + "\n"
    for at in _occurrences(text, "/*", begin, end):
        closed = text.find("*/", at + 2)
        if closed != -1 and closed + 2 > cut:
            return False
    for at in _occurrences(text, "<<", begin, end):
        if heredoc_end(text, at) != heredoc_end(window, at):
            return False
    return "\\\"" not in text[begin:end]


def _occurrences(text: str, needle: str, begin: int, end: int):
    at = text.find(needle, begin, end + len(needle))
    while at != -1:
        yield at
        at = text.find(needle, at + 1, end + len(needle))


def _shift_lines(items: list, lines: int) -> None:
    """Move every span of a fragment's items down by ``lines``."""
    def moved(span: Span) -> Span:
        return Span(span.line + lines, span.column, span.end_line + lines, span.end_column)

    seen: set[int] = set()
    stack: list = list(items)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Expr):
            node.span = moved(node.span)
            if isinstance(node, Lit) and isinstance(node.value, Unknown) and node.value.span is not None:
                u = node.value  # a number past Python's int() limit: its span moves too
                node.value = Unknown(u.expression, u.reason, moved(u.span))
            stack.extend(getattr(node, slot) for slot in type(node).__slots__)
        elif isinstance(node, Attribute):
            node.span = moved(node.span)
            stack.append(node.expr)
        elif isinstance(node, Block):
            node.span, node.header = moved(node.span), moved(node.header)
            stack.extend(node.body)
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, (TemplateIf, TemplateFor)):
            stack.extend(getattr(node, slot) for slot in type(node).__slots__)


_TOKEN_WORDS = {"RBRACE": "'}'", "LBRACE": "'{'", "RSQB": "']'", "LSQB": "'['", "RPAR": "')'",
                "LPAR": "'('", "COMMA": "','", "EQ": "'='", "COLON": "':'", "DBLQUOTE": "'\"'",
                "NAME": "a name", "QMARK": "'?'", "FOR_OBJECT_ARROW": "'=>'"}
_EXPRESSION_START = {"INT_LITERAL", "FLOAT_LITERAL", "NAME", "LSQB", "LBRACE", "DBLQUOTE", "LPAR"}


def _describe(exc: Exception, text: str) -> str:
    """A sentence a person can act on, from lark's exception."""
    token = getattr(exc, "token", None)
    char = getattr(exc, "char", None)
    expected = set(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ()) - {"NL_OR_COMMENT"}
    at_end = token is not None and getattr(token, "type", "") == "$END"
    if at_end and "STRING_CHARS" in expected:
        return "unterminated string: the quote opened here is not closed on its line"
    if at_end and expected == {"RBRACE"}:
        return "missing '}': the file ends inside a block"
    if token is not None and str(token).strip():
        shown = f"unexpected {str(token).strip().splitlines()[0][:40]!r}"
    elif at_end:
        shown = "unexpected end of input"
    elif token is not None:
        shown = "unexpected line break"
    elif char is not None:
        return f"unexpected character {char!r}"
    else:
        return f"invalid HCL ({type(exc).__name__})"
    if len(expected & _EXPRESSION_START) >= 3:
        return f"{shown}: expected an expression"
    words = sorted({_TOKEN_WORDS[t] for t in expected if t in _TOKEN_WORDS})
    if words and len(words) <= 4:
        return f"{shown}: expected {', '.join(words[:-1]) + ' or ' if len(words) > 1 else ''}{words[-1]}"
    return shown
