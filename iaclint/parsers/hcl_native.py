"""A hand-written HCL2 parser that builds the same syntax tree as the lark path, spans included.

:func:`iaclint.parsers.hcl.parse` tries this parser first and falls back to python-hcl2's lark
grammar when it gives up, so the rule here is strict: **whatever this parser accepts, it must
build exactly what the lark path builds; whatever it is unsure of, it refuses** (raises
:class:`Fallback`) and lark decides, with today's error messages. Refusing costs time, never
correctness, which is why odd corners (keywords used as names, a ``-12`` where an operator is
expected, a label with an interpolation) are simply refused.

The lark grammar, not the HCL spec, is the reference, so its quirks are reproduced on purpose:

- a binary operation followed by line breaks or comments takes them into its span (lark's LALR
  parser shifts the optional trailing ``new_line_or_comment`` of ``binary_op``); the innermost
  operation whose right operand ended there takes them, the enclosing operations on the right
  spine end there too, and afterwards only an operator of the same or a looser precedence can
  continue the expression;
- a single line break (or comment) right before a binary operator or ``?`` belongs to the operator
  (python-hcl2's post-lexer), so ``a\\n|| b`` continues the expression while ``a\\n\\n|| b`` does not;
- ``-12`` and ``-1.5`` are number literals where a term can start, but ``-1`` is unary minus
  applied to ``1`` (the INT_LITERAL terminal needs two digits after a sign);
- strings may span lines; attributes and object elements may follow each other without a
  separator; a function call's trailing comma or ``...`` must come right after the last argument.

Tokens are matched by one compiled regex per lexical mode (outside strings, inside strings); the
parser is recursive descent with a nesting limit, so ``[[[[...`` gives a located ParseError.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..model import ParseError, Span
from ..parse import paused_collector
from .hcl import (Attribute, Binary, Block, Call, Conditional, For, GetAttr, Index, Lit, Object, Ref,
                  Splat, Tuple, Unary, _ending, _heredoc_value, _make_template, _respan, _trim_end, number,
                  unescape)

# Deeper nesting than this is refused with a ParseError (never handed to lark: its builder
# recurses too, and a nesting bomb would end in RecursionError). A level costs at most five
# Python frames here, so a full-depth parse stays well inside the default recursion limit.
MAX_DEPTH = 100


class Fallback(Exception):
    """This parser will not decide: let the lark path parse the text (and report its error).

    Raised by :func:`parse`, it says how far this parser got, so that lark need not start over:
    ``items`` are the top-level items before ``resume``, the offset where lark should start (the
    last top-level item this parser completed: after it, lark's LALR state is the one it would
    have reached from the start of the file); ``at`` is the offset of the token this parser
    stopped at; ``unterminated_string`` the offset of the last piece of a string that runs to the
    end of the file, where lark reports it (the position of the last token before the end);
    ``unclosed_heredoc`` whether it stopped at a heredoc never closed (where lark's pattern takes
    time quadratic in the blank lines that follow).
    """

    items: list = []
    resume = 0
    at = 0
    unterminated_string: int | None = None
    unclosed_heredoc = False


class TooDeep(ParseError):
    """Nesting beyond MAX_DEPTH: the one error this parser reports itself."""


# -- tokens --------------------------------------------------------------------------------------
# The terminal patterns are python-hcl2's (tests/test_hcl_native.py checks them against the
# grammar), combined into one alternation in lark's order of preference at each position.

_NAME = r"[a-zA-Z_][a-zA-Z0-9_-]*"
_INT = r"(?:\-[0-9])?(?:[0-9])+"
_FLOAT = (r"(?:(?:(?:\-[0-9])+|(?:\-[0-9])?(?:[0-9])+)\.(?:[0-9])+(?:(?:e|E)(?:(?:\+|\-))?(?:[0-9])+)?"
          r"|(?:(?:\-[0-9])+|(?:\-[0-9])?(?:[0-9])+)(?:e|E)(?:(?:\+|\-))?(?:[0-9])+)")
_NL = r"\/\*(?:.|\n)*?(?:\*\/)|\/\/.*\n|#.*\n|\n[ \t]*"
_STRING_CHAR = r'(?!\$\$\{)(?!\$\{)(?!%%\{)(?!%\{)[^"\\]|\\.|(?:\$(?!\$?\{))|(?:%(?!%?\{))'
_STRING_CHARS = f"(?:{_STRING_CHAR})+"
_ESCAPED_INTERPOLATION = r"\$\$\{[^}]*\}"
_ESCAPED_DIRECTIVE = r"%%\{[^}]*\}"
_HEREDOC = r"<<(?P<heredoc>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?:.|\n)*?\r?\n)??\s*(?P=heredoc)\r?\n"
_HEREDOC_TRIM = (r"<<-(?P<heredoc_trim>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?:.|\n)*?\r?\n)??\s*"
                 r"(?P=heredoc_trim)\r?\n")
_TEMPLATE_STRING = r'\\\"(?:[^"\\\\]|\\\\.)*\\\"'

# Same languages as lark's patterns above, matched without the memory of a repeated group:
# sre keeps a backtracking record per repetition of ``(?:.|\n)*?``, some 250 bytes per character,
# so a 5 MB comment took over a GB; ``[\s\S]*?`` (any character, as ``.|\n``) keeps none.
_NL_FAST = _NL.replace("(?:.|\\n)*?", "[\\s\\S]*?")
_TEMPLATE_STRING_FAST = r'\\\"[^"\\\\]*(?:\\\\.[^"\\\\]*)*\\\"'  # the same units, unrolled

_MAIN = re.compile(
    r"[ \t\r]*(?:"
    rf"(?P<nl>{_NL_FAST})"
    rf"|(?P<name>{_NAME})"
    rf'|(?P<str>"(?P<body>(?:{_STRING_CHAR})++)?")'  # a whole string of STRING_CHARS (possessive)
    rf"|(?P<float>{_FLOAT})"
    rf"|(?P<int>{_INT})"
    r"|(?P<heredoc><<(?=-?[a-zA-Z]))"
    r"|(?P<op>\.\.\.|\.\*|\[\*\]|::|==|!=|<=|>=|&&|\|\||=>|[-+*/%!?:=<>().\[\]{},~])"
    r'|(?P<quote>")'
    r'|(?P<tstring>\\")'
    r")")
_STRING = re.compile(
    rf"(?P<esc>{_ESCAPED_INTERPOLATION}|{_ESCAPED_DIRECTIVE})"
    rf"|(?P<chars>(?:{_STRING_CHAR})++)"  # _STRING_CHARS; possessive: no backtracking record
    r'|(?P<quote>")'
    r"|(?P<open>\$\{|%\{)")
_WS = re.compile(r"[ \t\r]*")
_INT_RE = re.compile(_INT)
_HEREDOC_OPEN = re.compile(r"<<(-?)([a-zA-Z][a-zA-Z0-9._-]*)\r?\n")
_TEMPLATE_STRING_RE = re.compile(_TEMPLATE_STRING_FAST)
_NEWLINE = re.compile("\n")


def heredoc_end(text: str, start: int) -> int:
    r"""Where the heredoc opening at ``start`` ends, as ``_HEREDOC`` (or ``_HEREDOC_TRIM``) would
    match it there, or -1. Found without that regex: on a heredoc that is never closed, its
    ``(?:.|\n)*?`` costs ~250 bytes per character and its ``\s*`` before the marker turns
    quadratic on blank lines.

    The regex's body ends at its first line break after which white space and then the marker and
    a line break follow (or right after the opening line). A marker starts with a letter, so that
    white space is all of it: the closing is the first marker whose preceding run of white space
    starts at the body or holds a line break."""
    m = _HEREDOC_OPEN.match(text, start)
    if m is None:
        return -1
    body, marker = m.end(), m.group(2)
    at = text.find(marker, body)
    while at != -1:
        after = at + len(marker)
        end = after + 1 if text.startswith("\n", after) else after + 2 if text.startswith("\r\n", after) else -1
        if end != -1:
            run = at
            while run > body and text[run - 1].isspace():
                run -= 1
            if run == body or "\n" in text[run:at]:
                return end
        at = text.find(marker, at + 1)
    return -1

# python-hcl2's post-lexer moves one line break or comment right before these into the operator
_MERGES_NEWLINE = frozenset(("==", "!=", "<", ">", "<=", ">=", "*", "/", "%", "&&", "||", "+", "?"))
_LEVEL = {"||": 0, "&&": 1, "==": 2, "!=": 2, "<": 3, ">": 3, "<=": 3, ">=": 3,
          "+": 4, "-": 4, "*": 5, "/": 5, "%": 5}
# Words lark lexes as keywords wherever its parser state allows one; as names they are refused.
_KEYWORDS = frozenset(("in", "for", "if", "for_each", "else", "endif", "endfor"))
_LITERALS = {"true": True, "false": False, "null": None}
_RESERVED = _KEYWORDS | set(_LITERALS)
_DIRECTIVES = frozenset(("if", "else", "endif", "for", "endfor"))


def tokenize(text: str) -> tuple[list, list, list, list]:
    """(kinds, values, starts, ends) of ``text``, ending with an ``eof`` token.

    Kinds are the operator text itself, or ``nl name int float str heredoc heredoc_trim
    tstring`` outside templates (``str``: a whole string without interpolation or directive,
    valued with its raw content), and ``" chars esc ${ %{`` for a template string's pieces.

    Where no token can start (a stray character, a string that runs to the end of the file, a
    ``/*`` or ``<<EOF`` that is never closed), the tokens end with a ``bad`` token there (valued
    ``string`` for the string, ``heredoc`` for the heredoc) before ``eof``: no parse can get past
    it, and tokenizing the rest would only cost time (each unclosed ``<<EOF`` would be searched
    for to the end of the file).
    """
    kinds: list = []
    values: list = []
    starts: list = []
    ends: list = []
    add_kind, add_value, add_start, add_end = kinds.append, values.append, starts.append, ends.append
    scan, string = _MAIN.finditer, _STRING.match
    braces: list = []  # True: closes an interpolation or directive (back into the string)
    pos, n = 0, len(text)
    bad = -1  # where tokens stop, if they do
    bad_value = ""
    while bad < 0:
        in_string = False
        for m in scan(text, pos):  # left at each change of mode, then resumed at pos
            if m.start() != pos:  # finditer skipped a character no token starts with
                bad = _WS.match(text, pos).end()
                break
            group = m.lastgroup
            start, pos = m.span(group)
            if group == "name":
                add_kind("name")
            elif group == "op":
                op = m.group(group)
                if op in _MERGES_NEWLINE and kinds and kinds[-1] == "nl":
                    kinds.pop(), values.pop(), starts.pop(), ends.pop()
                elif op == "{":
                    braces.append(False)
                elif op == "}" and braces and braces.pop():
                    in_string = True
                if op == "/" and text.startswith("*", pos):
                    # a comment would have matched first: this "/*" is never closed, and "/" "*"
                    # is no expression either
                    bad = pos
                add_kind(op)
            elif group == "nl":
                add_kind("nl")
            elif group == "str":
                add_kind("str")
                add_value(m.group("body") or "")
                add_start(start)
                add_end(pos)
                continue
            elif group == "int" or group == "float":
                if kinds and kinds[-1] == ".":  # after a dot only INT_LITERAL is acceptable: a.1.2
                    im = _INT_RE.match(text, start)
                    if im is None:
                        bad = start
                        break
                    if im.end() != pos:
                        add_kind("int")
                        add_value(im.group())
                        add_start(start)
                        add_end(im.end())
                        pos = im.end()
                        break
                    group = "int"
                add_kind(group)
            elif group == "quote":
                add_kind('"')
                in_string = True
            elif group == "heredoc":
                end = heredoc_end(text, start)
                if end < 0:  # not a heredoc: the '<' of a comparison, and a second '<' no term takes
                    pos = start + 1
                    if kinds and kinds[-1] == "nl":
                        kinds.pop(), values.pop(), starts.pop(), ends.pop()
                    add_kind("<")
                    bad = pos
                    bad_value = "heredoc"
                else:
                    pos = end
                    add_kind("heredoc_trim" if text.startswith("-", start + 2) else "heredoc")
                add_value(text[start:pos])
                add_start(start)
                add_end(pos)
                break
            else:  # tstring
                tm = _TEMPLATE_STRING_RE.match(text, start)
                if tm is None:
                    bad = start
                    break
                pos = tm.end()
                add_kind("tstring")
                add_value(text[start:pos])
                add_start(start)
                add_end(pos)
                break
            add_value(m.group(group))
            add_start(start)
            add_end(pos)
            if in_string or bad >= 0:
                break
        else:
            end = _WS.match(text, pos).end()
            if end < n:
                bad = end
            break
        while in_string and bad < 0:
            m = string(text, pos)
            if m is None:
                bad = pos
                if pos == n:
                    bad_value = "string"
                break
            group = m.lastgroup
            start, pos = m.span()
            if group == "chars":
                add_kind("chars")
            elif group == "esc":
                add_kind("esc")
            elif group == "quote":
                add_kind('"')
                in_string = False
            else:
                add_kind(m.group())
                braces.append(True)
                in_string = False
            add_value(m.group())
            add_start(start)
            add_end(pos)
    if bad >= 0:
        add_kind("bad")
        add_value(bad_value)
        add_start(bad)
        add_end(bad)
    add_kind("eof")
    add_value("")
    add_start(n)
    add_end(n)
    return kinds, values, starts, ends


# -- the parser ----------------------------------------------------------------------------------

class _Parser:
    __slots__ = ("source", "k", "v", "s", "e", "i", "depth", "line_starts", "cap_at", "cap", "_lines",
                 "items", "item_starts")

    def __init__(self, source: str, depth: int = 0):
        self.source = source  # as the caller gave it (for the trimming of spans)
        text = source + "\n"  # python-hcl2 appends one too
        self.k, self.v, self.s, self.e = tokenize(text)
        self.i = 0
        self.depth = depth
        self.line_starts = [0]
        self.line_starts.extend(m.end() for m in _NEWLINE.finditer(text))
        # after a binary operation took trailing line breaks, the token index where the
        # expression may go on, and the tightest precedence level that may continue it there
        self.cap_at, self.cap = -1, 9
        self._lines = None
        self.items: list = []  # the top level's, as far as parsed
        self.item_starts: list = []  # offsets where each top-level item starts

    def refusal(self) -> Fallback:
        """A Fallback saying how far this parser got (see Fallback)."""
        refusal = Fallback()
        done = len(self.items)
        if done:  # lark restarts at the last item completed, never at the first failed one
            refusal.items = self.items[:done - 1]
            refusal.resume = self.item_starts[done - 1]
        i = min(self.i, len(self.k) - 1)
        refusal.at = self.s[i]
        if self.k[i] == "bad" and self.v[i] == "string" and self.k[i - 1] == "chars":
            refusal.unterminated_string = self.s[i - 1]
        refusal.unclosed_heredoc = any(self.k[j] == "bad" and self.v[j] == "heredoc"
                                       for j in (i, min(i + 1, len(self.k) - 1)))
        return refusal

    # positions
    def span(self, start: int, end: int) -> Span:
        ls = self.line_starts
        a = bisect_right(ls, start)
        b = bisect_right(ls, end)
        return Span(a, start - ls[a - 1] + 1, b, end - ls[b - 1] + 1)

    def trimmed(self, start: int, end: int) -> Span:
        span = self.span(start, end)
        if span.end_column != 1 or span.end_line <= span.line:
            return span
        if self._lines is None:
            self._lines = self.source.splitlines()
        return _trim_end(span, self._lines)

    def too_deep(self, what: str) -> TooDeep:
        ls = self.line_starts
        at = self.s[self.i]
        line = bisect_right(ls, at)
        return TooDeep(f"{what} nested more than {MAX_DEPTH} levels deep", line, at - ls[line - 1] + 1)

    def skip_nl(self) -> None:
        k, i = self.k, self.i
        while k[i] == "nl":
            i += 1
        self.i = i

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.too_deep("block")

    # bodies
    def body(self, top: bool) -> list:
        k = self.k
        close = "eof" if top else "}"
        items: list = []
        if top:
            self.items = items
        while True:
            kind = k[self.i]
            if kind == "nl":
                self.i += 1
            elif kind == "name":
                if top:
                    self.item_starts.append(self.s[self.i])
                items.append(self.item())
            elif kind == close:
                return items
            else:
                raise Fallback

    def item(self):
        k, v = self.k, self.v
        i = self.i
        start = self.s[i]
        name = v[i]
        i += 1
        if k[i] == "=":
            self.i = i + 1
            expr = self.expression()
            return Attribute(name, expr, _ending(self.trimmed(start, self.e[self.i - 1]), expr.span))
        labels = []
        while True:
            kind = k[i]
            if kind == "name":
                labels.append(v[i])
                i += 1
            elif kind == "str":
                labels.append(unescape(v[i]))
                i += 1
            elif kind == '"':
                self.i = i
                labels.append(self.label())
                i = self.i
            else:
                break
        while k[i] == "nl":
            i += 1
        if k[i] != "{":
            self.i = i
            raise Fallback
        header = self.span(start, self.e[i])
        self.i = i + 1
        self.enter()
        body = self.body(False)
        self.depth -= 1
        end = self.e[self.i]
        self.i += 1
        return Block(name, labels, body, self.trimmed(start, end), header)

    def label(self) -> str:
        k, v = self.k, self.v
        i = self.i + 1
        out = []
        while True:
            kind = k[i]
            if kind == "chars":
                out.append(unescape(v[i]))
            elif kind == "esc":
                out.append(v[i][1:])
            elif kind == '"':
                break
            else:  # an interpolation in a label: lark's path says so, with its position
                self.i = i
                raise Fallback
            i += 1
        self.i = i + 1
        return "".join(out)

    # expressions
    def expression(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.too_deep("expression")
        start = self.s[self.i]
        node = self.binary(0)
        if self.k[self.i] == "?":
            k = self.k
            self.i += 1
            if k[self.i] == "nl":
                self.skip_nl()
            then = self.expression()
            if k[self.i] == "nl":
                self.skip_nl()
            if k[self.i] != ":":
                raise Fallback
            self.i += 1
            if k[self.i] == "nl":
                self.skip_nl()
            other = self.expression()
            node = Conditional(node, then, other, self.span(start, self.e[self.i - 1]))
        self.depth -= 1
        return node

    def binary(self, min_level: int):
        k = self.k
        start = self.s[self.i]
        kind = k[self.i]
        if kind == "-" or kind == "!":  # unary_op: the operand is a term, never another unary
            self.i += 1
            operand = self.term()
            left = Unary(kind, operand, self.span(start, self.e[self.i - 1]))
        else:
            left = self.term()
        while True:
            op = k[self.i]
            level = _LEVEL.get(op)
            if level is None or level < min_level or (level > self.cap and self.i == self.cap_at):
                return left
            self.i += 1
            if k[self.i] == "nl":
                self.skip_nl()
            right = self.binary(level + 1)
            if k[self.i] == "nl":  # lark's binary_op takes the line breaks that follow it
                self.skip_nl()
                self.cap_at, self.cap = self.i, level
            # ... but the expression ends with its right operand
            first = self.span(start, start)
            left = Binary(op, left, right, Span(first.line, first.column, right.span.end_line, right.span.end_column))

    def term(self):  # noqa: C901 - one dispatch over the kinds of term, then the postfix loop
        """An expr_term: a primary, then attribute reads, indexes and splats. (One function, not
        two: every Python frame here is one less level of nesting before the recursion limit.)"""
        k, v, s, e = self.k, self.v, self.s, self.e
        i = self.i
        start = s[i]
        kind = k[i]
        if kind == "name":
            word = v[i]
            nk = k[i + 1]
            if nk == "(" or nk == "::":
                if word in _LITERALS or word in _KEYWORDS:
                    raise Fallback
                node = self.call()
            elif word in _LITERALS:
                self.i = i + 1
                node = Lit(_LITERALS[word], self.span(start, e[i]))
            elif word in _KEYWORDS:
                raise Fallback
            else:
                self.i = i + 1
                node = Ref(word, self.span(start, e[i]))
        elif kind == "str":
            self.i = i + 1
            node = Lit(unescape(v[i]), self.span(start, e[i]))
        elif kind == '"':
            node = self.string()
        elif kind == "int":
            self.i = i + 1
            node = number(v[i], self.span(start, e[i]))
        elif kind == "[":
            node = self.tuple()
        elif kind == "{":
            node = self.object()
        elif kind == "(":
            self.i = i + 1
            if k[self.i] == "nl":
                self.skip_nl()
            node = self.expression()
            if k[self.i] == "nl":
                self.skip_nl()
            if k[self.i] != ")":
                raise Fallback
            self.i += 1
        elif kind == "float":
            try:
                value = float(v[i])
            except ValueError:  # "-1-2.5" fits FLOAT_LITERAL: lark's path reports it
                raise Fallback from None
            self.i = i + 1
            node = Lit(value, self.span(start, e[i]))
        elif kind == "heredoc" or kind == "heredoc_trim":
            self.i = i + 1
            node = _heredoc_value(v[i], kind == "heredoc_trim", self.span(start, e[i]), self.sub_expression)
        elif kind == "tstring":
            self.i = i + 1
            node = Lit(unescape(v[i][2:-2]), self.span(start, e[i]))
        else:
            raise Fallback
        while True:
            kind = k[self.i]
            if kind == ".":
                i = self.i + 1
                nk = k[i]
                if nk == "name":
                    node = GetAttr(node, v[i], self.span(start, e[i]))
                elif nk == "int":
                    key = number(v[i], self.span(s[i - 1], e[i]))
                    node = Index(node, key, self.span(start, e[i]))
                else:
                    self.i = i
                    raise Fallback
                self.i = i + 1
            elif kind == "[":
                key = self.bracket_key()
                node = Index(node, key, self.span(start, e[self.i - 1]))
            elif kind == ".*" or kind == "[*]":
                self.i += 1
                node = Splat(node, self.splat_ops(kind == ".*"), self.span(start, e[self.i - 1]))
            else:
                return node

    def bracket_key(self):
        """``[ expression ]`` (line breaks allowed inside), for an index or a splat operation."""
        k = self.k
        self.i += 1
        if k[self.i] == "nl":
            self.skip_nl()
        key = self.expression()
        if k[self.i] == "nl":
            self.skip_nl()
        if k[self.i] != "]":
            raise Fallback
        self.i += 1
        return key

    def splat_ops(self, attributes_only: bool) -> list:
        """The operations a splat applies to each element: after ``.*`` only ``.name`` and ``.N``
        (HCL's attribute-only splat: in ``a.*.b[0]`` the index applies to the list), after
        ``[*]`` brackets too."""
        k, v, s, e = self.k, self.v, self.s, self.e
        ops: list = []
        while True:
            kind = k[self.i]
            if kind == ".":
                i = self.i + 1
                if k[i] == "name":
                    ops.append(("attr", v[i]))
                elif k[i] == "int":
                    ops.append(("index", number(v[i], self.span(s[i - 1], e[i]))))
                else:
                    self.i = i
                    raise Fallback
                self.i = i + 1
            elif kind == "[" and not attributes_only:
                ops.append(("index", self.bracket_key()))
            else:
                return ops

    def call(self):
        k, v, s, e = self.k, self.v, self.s, self.e
        i = self.i
        start = s[i]
        name = v[i]
        i += 1
        if k[i] == "::":  # provider::NAME::function
            if not (k[i + 1] == "name" and k[i + 2] == "::" and k[i + 3] == "name") \
                    or _RESERVED.intersection((v[i + 1], v[i + 3])):
                self.i = i + 1
                raise Fallback
            name = f"{name}::{v[i + 1]}::{v[i + 3]}"
            i += 4
        if k[i] != "(":
            self.i = i
            raise Fallback
        i += 1
        while k[i] == "nl":
            i += 1
        self.i = i
        args: list = []
        expand = False
        if k[i] != ")":
            args.append(self.expression())
            while True:
                kind = k[self.i]
                if kind == ",":  # a comma right after an argument may be the trailing one
                    self.i += 1
                    if k[self.i] == "nl":
                        self.skip_nl()
                    if k[self.i] == ")":
                        break
                    args.append(self.expression())
                elif kind == "...":
                    self.i += 1
                    expand = True
                    break
                elif kind == "nl":
                    self.skip_nl()
                    if k[self.i] == ",":  # after a line break, a comma must be followed by an argument
                        self.i += 1
                        if k[self.i] == "nl":
                            self.skip_nl()
                        if k[self.i] == ")":
                            raise Fallback
                        args.append(self.expression())
                    else:
                        break
                else:
                    break
            if k[self.i] == "nl":
                self.skip_nl()
        if k[self.i] != ")":
            raise Fallback
        self.i += 1
        return Call(name, args, expand, self.span(start, e[self.i - 1]))

    def tuple(self):
        k = self.k
        start = self.s[self.i]
        self.i += 1
        if k[self.i] == "nl":
            self.skip_nl()
        if k[self.i] == "name" and self.v[self.i] == "for":
            return self.for_expr(start, "]")
        items: list = []
        while k[self.i] != "]":
            items.append(self.expression())
            if k[self.i] == "nl":
                self.skip_nl()
            if k[self.i] == ",":
                self.i += 1
                if k[self.i] == "nl":
                    self.skip_nl()
            elif k[self.i] != "]":
                raise Fallback
        self.i += 1
        return Tuple(items, self.span(start, self.e[self.i - 1]))

    def object(self):
        k, v, s, e = self.k, self.v, self.s, self.e
        start = s[self.i]
        self.i += 1
        if k[self.i] == "nl":
            self.skip_nl()
        if k[self.i] == "name" and v[self.i] == "for" and k[self.i + 1] not in ("=", ":"):
            return self.for_expr(start, "}")
        items: list = []
        while k[self.i] != "}":
            i = self.i
            if k[i] == "name" and v[i] in _KEYWORDS:  # lark's `keyword` key: only a name
                if k[i + 1] not in ("=", ":"):
                    self.i = i + 1
                    raise Fallback
                key = Lit(v[i], self.span(s[i], e[i]))
                self.i = i + 1
            else:
                key = self.expression()
                if isinstance(key, Ref) and k[i] == "name" and self.i == i + 1:
                    # a bare word key is a string; `(k)` and "${k}" are expressions
                    key = Lit(key.name, key.span)
                if k[self.i] != "=" and k[self.i] != ":":
                    raise Fallback
            self.i += 1
            items.append((key, self.expression()))
            if k[self.i] == "nl":
                self.skip_nl()
            if k[self.i] == ",":
                self.i += 1
                if k[self.i] == "nl":
                    self.skip_nl()
        self.i += 1
        return Object(items, self.span(start, e[self.i - 1]))

    def for_var(self) -> str:
        i = self.i
        if self.k[i] != "name" or self.v[i] in _KEYWORDS or self.v[i] in _LITERALS:
            raise Fallback
        self.i = i + 1
        return self.v[i]

    def for_expr(self, start: int, close: str) -> For:
        k, v = self.k, self.v
        self.i += 1  # 'for'
        if k[self.i] == "nl":
            self.skip_nl()
        key_var, val_var = None, self.for_var()
        if k[self.i] == ",":
            self.i += 1
            key_var, val_var = val_var, self.for_var()
        if k[self.i] == "nl":
            self.skip_nl()
        if not (k[self.i] == "name" and v[self.i] == "in"):
            raise Fallback
        self.i += 1
        if k[self.i] == "nl":
            self.skip_nl()
        coll = self.expression()
        if k[self.i] == "nl":
            self.skip_nl()
        if k[self.i] != ":":
            raise Fallback
        self.i += 1
        if k[self.i] == "nl":
            self.skip_nl()
        key = None
        group = False
        if close == "}":
            key = self.expression()
            if k[self.i] != "=>":
                raise Fallback
            self.i += 1
            if k[self.i] == "nl":
                self.skip_nl()
        value = self.expression()
        if k[self.i] == "nl":
            self.skip_nl()
        if close == "}" and k[self.i] == "...":
            group = True
            self.i += 1
            if k[self.i] == "nl":
                self.skip_nl()
        cond = None
        if k[self.i] == "name" and v[self.i] == "if":
            self.i += 1
            if k[self.i] == "nl":
                self.skip_nl()
            cond = self.expression()
            if k[self.i] == "nl":
                self.skip_nl()
        if k[self.i] != close:
            raise Fallback
        self.i += 1
        return For(key_var, val_var, coll, key, value, cond, group, self.span(start, self.e[self.i - 1]))

    def string(self):
        k, v = self.k, self.v
        start = self.s[self.i]
        self.i += 1
        parts: list = []
        while True:
            kind = k[self.i]
            if kind == "chars":
                parts.append(unescape(v[self.i]))
                self.i += 1
            elif kind == '"':
                break
            elif kind == "${":
                self.i += 1
                parts.append(self.expression())
                if k[self.i] != "}":
                    raise Fallback
                self.i += 1
            elif kind == "%{":
                parts.append(self.directive())
            elif kind == "esc":
                parts.append(v[self.i][1:])
                self.i += 1
            else:
                raise Fallback
        self.i += 1
        return _make_template(parts, self.span(start, self.e[self.i - 1]))

    def directive(self):
        k, v = self.k, self.v
        self.i += 1
        if k[self.i] == "~":
            self.i += 1
        if k[self.i] != "name" or v[self.i] not in _DIRECTIVES:
            raise Fallback
        tag = v[self.i]
        self.i += 1
        if tag == "if":
            out = ("if", self.expression())
        elif tag == "for":
            names = [self.for_var()]
            if k[self.i] == ",":
                self.i += 1
                names.append(self.for_var())
            if not (k[self.i] == "name" and v[self.i] == "in"):
                raise Fallback
            self.i += 1
            out = ("for", names, self.expression())
        else:
            out = (tag,)
        if k[self.i] == "~":
            self.i += 1
        if k[self.i] != "}":
            raise Fallback
        self.i += 1
        return out

    def sub_expression(self, text: str, span: Span):
        """An expression inside a heredoc's template, parsed as python-hcl2's path does it.
        (Two levels: a template's parse stacks about twice the frames of a bracket.)"""
        return parse_expression(text, span, self.depth + 2)


def parse(text: str) -> list:
    """Attributes and Blocks of ``text``; raises Fallback when lark must decide, or TooDeep."""
    # A parse allocates many small objects and no cycles; left on, the collector keeps walking
    # the growing heap of a scan's earlier files (measured: 10-30% of the parse time).
    with paused_collector():
        parser = _Parser(text)
        try:
            return parser.body(True)
        except TooDeep:
            if "bad" in parser.k:  # the stray character comes first in lark's reading
                raise parser.refusal() from None
            raise
        except ParseError as exc:
            # A template's own error (an unbalanced %{if}, a bad heredoc interpolation): lark's
            # path raises it too, but only once the whole file has parsed, so an earlier-reported
            # syntax error further down must win. Let lark decide.
            raise parser.refusal() from exc
        except (Fallback, IndexError, ValueError, KeyError) as exc:  # a corner this parser does not know
            raise parser.refusal() from exc


def parse_expression(text: str, span: Span, depth: int = 0):
    """The expression ``text`` as :func:`iaclint.parsers.hcl.parse_expression` builds it: every
    node with ``span``. Raises Fallback or ParseError as :func:`parse` does."""
    parser = _Parser(f"__x = {text}\n", depth)
    try:
        items = parser.body(True)
    except TooDeep:
        raise
    except (ParseError, IndexError, ValueError, KeyError) as exc:
        raise Fallback from exc
    expr = next(item for item in items if isinstance(item, Attribute)).expr
    _respan(expr, span)
    return expr
