"""The native HCL parser against python-hcl2's lark path: the same tree, spans included.

The lark path (``hcl.parse_lark``) is the oracle. Whatever the native parser accepts must be
built exactly as lark's path builds it; what it refuses (``Fallback``) goes to lark, so a
refusal is never wrong, only slower. Files in this repository must never be refused.

The opt-in corpus comparison runs with ``IACLINT_CORPUS=/path/to/corpus`` (every .tf/.tfvars
below it); it prints lark and native parse times per top-level folder (``pytest -s``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from iaclint.model import ParseError, Span
from iaclint.parsers import hcl, hcl_native
from iaclint.parsers.hcl import Attribute, Binary, Block, Expr, TemplateFor, TemplateIf
from iaclint.parsers.terraform import parse_items

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Inputs where lark's tree is wrong and the native one right: {substring of the input: why}.
# Empty: the three lark-path bugs found while writing the native parser were fixed in the lark
# builder instead (an operator after a line break kept the line break in its text, "\n  &&";
# FLOAT_LITERAL's "-1-2.5" crashed with ValueError; deep nesting let RecursionError escape), so
# both sides agree. A new entry needs a comment saying which side is right and why.
KNOWN_LARK_DIFFERENCES: dict[str, str] = {}


# -- comparing trees -----------------------------------------------------------------------------

def shape(node):
    """A node as nested tuples of (type, fields..., span): equal shapes mean equal trees."""
    if isinstance(node, list):
        return [shape(n) for n in node]
    if isinstance(node, tuple):
        return tuple(shape(n) for n in node)
    if isinstance(node, (Expr, Attribute, Block, TemplateIf, TemplateFor)):
        return (type(node).__name__,) + tuple(shape(getattr(node, s)) for s in type(node).__slots__
                                              if not s.startswith("_"))  # caches of derived facts
    if isinstance(node, Span):
        return ("@", node.line, node.column, node.end_line, node.end_column)
    if isinstance(node, float):
        return ("float", repr(node))  # 1 == 1.0 == True: keep the types apart
    if isinstance(node, bool) or node is None or isinstance(node, (int, str)):
        return (type(node).__name__, node)
    raise TypeError(type(node))


def outcome(parse, text):
    try:
        return "ok", shape(parse(text))
    except ParseError as exc:
        return "error", (exc.message, exc.line, exc.column)


def assert_same(text: str, *, must_parse_natively: bool = False) -> str:
    """Native result equals lark's, or native refused. Returns 'native', 'fallback' or 'error'."""
    try:
        native = ("ok", shape(hcl_native.parse(text)))
    except hcl_native.Fallback:
        assert not must_parse_natively, f"native parser refused:\n{text}"
        assert outcome(hcl.parse, text) == outcome(hcl.parse_lark, text)
        return "fallback"
    except hcl_native.TooDeep:
        return "error"
    lark = outcome(hcl.parse_lark, text)
    if any(k in text for k in KNOWN_LARK_DIFFERENCES):
        return "native"
    assert native == lark, f"native and lark trees differ for:\n{text!r}"
    assert outcome(hcl.parse, text) == native
    return "native"


# -- files in this repository ------------------------------------------------------------------

def _hcl_files(*roots: str) -> list[str]:
    out = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            out.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith((".tf", ".tfvars")))
    return out


REPO_FILES = _hcl_files(os.path.join(ROOT, "fixtures"), os.path.join(ROOT, "examples"))


def test_the_repository_has_hcl_files_to_compare():
    assert len(REPO_FILES) >= 10


@pytest.mark.parametrize("path", REPO_FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_repository_files_parse_natively_to_lark_tree(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if outcome(hcl.parse_lark, text)[0] == "error":  # a fixture of a syntax error
        assert outcome(hcl.parse, text) == outcome(hcl.parse_lark, text)
        return
    assert assert_same(text, must_parse_natively=True) == "native"


# -- hand-picked inputs ------------------------------------------------------------------------

SNIPPETS = [
    # attributes, blocks, labels, one-line blocks
    'a = 1\n', 'a = 1 b = 2\n', 'a = 1', '\n\n  a = "x"  # c\n', 'true = 1\nin = 2\nfor_each = 3\n',
    'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n', 'b l1 "l2" l-3 {\n}\n', 'b { a = 1 }\n',
    'b {}\n', 'b "x"\n{\n  c = 1\n}\n', 'a { b { c { d = 1 } } }\n', 'in { x = 1 }\n', 'b "\\t\\u00e9" {}\n',
    'b "$${x}" {}\n', 'a = 1 b {}\n', '', '\n', '# only', 'resource for in "x" true {}\n',
    'locals {\n  a = 1\n\n  # comment\n  b = 2 // other\n  /* block\n comment */ c = 3\n}\n',
    # numbers
    'a = 0\nb = 42\nc = -12\nd = -1\ne = 1.5\nf = -1.5\ng = 1e3\nh = 2E-2\ni = 1.5e+3\nj = 007\n',
    'a = - 1\nb = -x\nc = !true\nd = -(1)\ne = -a.b[0]\n',
    # operators, precedence, associativity
    'a = 1 + 2 * 3 - 4 / 5 % 6\n', 'a = x || y && z == w != v < u > t <= s >= r\n',
    'a = (1 + 2) * 3\n', 'a = 1 - 2 - 3\n', 'a = x ? y : z ? w : v\n', 'a = x ? y ? 1 : 2 : 3\n',
    'a = !x && !y\n', 'a = x == "a" ? 1 : 2\n', 'a = 1 + 2\n\n  # trailing\nb = 3\n',
    'a = x + y * z\n', 'a = x * y + z\n', 'a = x + y\n\n+ z\n', 'a = x + y\n  # c\n+ z\n',
    'a = (\n  x\n  && y\n  || z\n)\n', 'a = x\n  ? y\n  : z\n', 'a = x ?\n y :\n z\n',
    'a = 1 +\n 2\n', 'a = [x * y\n, z]\n', 'a = f(x + y\n)\n', 'a = "${x + y}"\n', 'a = x-1\n',
    'a = x -1\n', 'a = 1-1\n',
    # collections
    'a = []\nb = [1]\nc = [1,]\nd = [1, 2]\ne = [\n  1,\n  2,\n]\nf = [\n  1\n  ,2\n]\n',
    'a = {}\nb = { x = 1 }\nc = { x = 1, y = 2 }\nd = { x = 1 y = 2 }\ne = {\n  x = 1\n  y = 2\n}\n',
    'a = { x = 1\n, y = 2 }\nb = {\n  x = 1 ,\n  y = 2 ,\n}\nc = [\n  1 ,\n]\n',
    'a = { "k" = 1, k2 : 2, (k3) = 3, true = 4, null = 5, in = 6, for = 7, if = 8 }\n',
    'a = { "${k}" = 1, k.x = 2, 1 = 3 }\n', 'a = {\n  x = 1,\n\n  y = [\n    2\n  ],\n}\n',
    # references, attributes, indexes, splats
    'a = x.y.z\nb = x[0]\nc = x.0\nd = x.0.1\ne = x["k"][1]\nf = x.true\ng = x.for\n',
    'a = x.*.y\nb = x[*].y\nc = x[*].y[0].z\nd = x.*.y.0\ne = x[*]\nf = x.*\ng = x[*][*].y\nh = (x).y[*]\n',
    'a = x[\n  0\n]\nb = null.x\nc = "s".x\nd = 1.x\n',
    # functions
    'a = f()\nb = f(1)\nc = f(1, 2)\nd = f(1, 2,)\ne = f(x...)\nf = f(1, x...)\ng = f(\n  1,\n  2,\n)\n',
    'a = provider::aws::arn_parse("x")\nb = f(\n)\nc = f (1)\nd = f(\n  1\n  , 2\n)\n',
    'a = provider :: aws :: f()\nb = f(<<EOF\na\nEOF\n)\nc = <<EOF\nx\nEOF\n + "y"\n',
    # for expressions
    'a = [for x in xs : x]\nb = [for i, x in xs : x if i > 0]\nc = { for k, v in m : k => v }\n',
    'd = { for k, v in m : v => k... }\ne = { for k, v in m : k => v if v != null }\n',
    'f = [\n  for x in xs :\n  x\n  if x\n]\ng = {\n  for k in ks :\n  k => 1...\n  if k\n}\n',
    'a = [for x in [for y in ys : y] : x]\n',
    # templates
    'a = "plain"\nb = ""\nc = "${x}"\nd = "a${x}b"\ne = "$${x}"\nf = "%%{x}"\ng = "a$b%c"\n',
    'a = "\\"q\\" \\\\ \\n \\t \\r \\u00e9 \\U0001F600 \\x"\n',
    'a = "%{ if x }y%{ else }z%{ endif }"\nb = "%{~ for i, v in xs ~}${v}%{~ endfor ~}"\n',
    'a = "%{for v in xs}${v},%{endfor}"\nb = "x${"y${z}"}"\nc = "${{a = 1}}"\nd = "${[1, 2]}"\n',
    'a = "multi\nline"\n', 'a = "$$${x}"\n', 'a = "${x} $${y} ${z}"\n', 'a = \\"abc\\"\n',
    # heredocs
    'a = <<EOF\nline\nEOF\n', 'a = <<-EOF\n    a\n      b\n  EOF\n', 'a = <<EOF\nEOF\n',
    'a = <<EOF\n${x}\n%{ if y }z%{ endif }\nEOF\n', 'a = <<-EOT\n  $${x} %%{y}\n  EOT\nb = 1\n',
    'a = [<<EOF\nx\nEOF\n, 1]\n', 'a = <<E\nx\nE\n', 'a = <<EOF\n  EOF\n', 'a = <<EOF\nx\n\n\nEOF\n',
    'a = <<EOF\nx${f("}")}\nEOF\n', 'a = <<EOF\n${x + y} ${[for v in z : v]}\nEOF\n',
    # comments and line endings
    'a = 1 # c\nb = 2 // c\n/* c */ c = 3\n#last', 'a = [ # c\n  1, // d\n  /* e */ 2\n]\n',
    'r "a" "b" {\r\n  x = "y"\r\n  z = [\r\n    1,\r\n  ]\r\n}\r\n', 'a = 1 + 2\r\n\r\nb = 3\r\n',
    'a = <<EOF\r\nx\r\nEOF\r\n', '\ta\t=\t1\t\n',
]

# Syntax errors must keep lark's words and position. Some are valid HCL that python-hcl2's
# grammar rejects (`x -12`, `1-12`, `{ a = b -12 }`: INT_LITERAL takes the sign; `!!x`, `- -x`:
# a unary operand is a term), and stay errors: the native parser refuses them rather than
# silently accept what users get an error for today.
ERRORS = [
    'resource "a" "b" {\n  x = "abc\n}\n', 'resource "a" "b" {\n  x = 1\n', 'locals {\n  a = 1 +\n}\n',
    'resource "a" "b" {\n  x = [1, 2\n  y = 3\n}\n', 'a = \n', 'a = 1 2\n', '= 1\n', 'a = [1,,2]\n',
    'a = {,}\n', 'a = f(1\n, )\n', 'a = f(a\n...)\n', 'a = !!x\n', 'a = - -x\n', 'a = x -12\n',
    'a = 1-12\n', 'a = { a = b -12 }\n', 'a = x\n\n|| y\n', 'a = x + y\n\n* z\n', 'a = (x\n - y)\n',
    'a = "${x\n}"\n', 'a = "${ /* c */ x}"\n', 'b "${x}" {}\n', 'a = "%{ if x }"\n',
    'a = "%{ endif }"\n', 'a = "%{ iff x }%{ endif }"\n', 'a = <<EOF\nx\n', 'a = @\n', 'a = x.\n',
    'a = -1-2.5\n', 'a = 1.\n', 'a = [for]\n', 'a = [for x in : x]\n', '}\n', 'a = x ? y\n',
    'a = <<EOF\n${\nEOF\n', 'a = <<EOF\n%{ nope }\nEOF\n', 'b { a = 1 }}\n', 'a = x[*\n]\n',
    'a = "\\\n"\n', 'a = "a" "b"\n', 'a = \u00e9\n', 'a = f(1)(2)\n', 'a = x::y\n',
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippet_parses_natively_to_lark_tree(text):
    assert assert_same(text, must_parse_natively=True) == "native"


@pytest.mark.parametrize("text", ERRORS)
def test_invalid_input_gives_lark_error_unchanged(text):
    native = outcome(hcl.parse, text)
    assert native[0] == "error", native
    assert native == outcome(hcl.parse_lark, text)


def test_test_terraform_strings_parse_natively():
    """Every HCL text in tests/test_terraform.py, as a differential case."""
    import ast
    with open(os.path.join(ROOT, "tests", "test_terraform.py"), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    texts = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and ("=" in n.value or "{" in n.value) and "\n" in n.value}
    assert len(texts) >= 15
    results = {assert_same(t) for t in texts}
    assert "native" in results


def test_template_expressions_parse_natively():
    """``parse_expression`` (heredoc and .tf.json templates) gives lark's tree, respanned."""
    span = Span(3, 4, 3, 20)
    for text in ["x", "a.b[0]", "f(x, y...)", "x ? 1 : 2", '"a${b}"', "[for v in xs : v]", "x +\n 1",
                 "{ a = 1 }"]:
        native = hcl_native.parse_expression(text, span)
        assert shape(native) == shape(hcl._parse_expression_lark(text, span))
        assert shape(hcl.parse_expression(text, span)) == shape(native)
    with pytest.raises(ParseError) as info:
        hcl.parse_expression("1 +", span)
    assert "invalid expression in template" in info.value.message
    assert (info.value.line, info.value.column) == (3, 4)
    value = parse_items('{"locals": {"a": "x-${upper(var.y)}-%{ if z }1%{ endif }"}}', "m.tf.json")
    assert value[0].body[0].expr.kind == "template"


# -- lark's quirks, kept (each of these is also covered by the differential snippets) ------------

def test_a_binary_operation_ends_with_its_right_operand():
    # lark's binary_op takes the line breaks and comment that follow it; the expression and the
    # attribute end where the right operand does, so a finding's region stays on its own line
    text = 'a = 1 + 2\n  # note\nb = 3\nc = x == "y"\nd = 1\n'
    attr = hcl.parse(text)[0]
    assert (attr.expr.span.end_line, attr.expr.span.end_column) == (1, 10)
    assert (attr.span.end_line, attr.span.end_column) == (1, 10)
    c = hcl.parse(text)[2]
    assert (c.span.line, c.span.column, c.span.end_line, c.span.end_column) == (4, 1, 4, 13)
    assert shape(hcl_native.parse(text)) == shape(hcl.parse_lark(text))


def test_a_line_break_before_an_operator_continues_the_expression():
    (attr,) = hcl.parse('a = (x\n  && y)\n')
    assert isinstance(attr.expr, Binary) and attr.expr.op == "&&"
    (attr,) = hcl.parse_lark('a = x\n  || y\n')
    assert attr.expr.op == "||"  # lark's token text is "\n  ||": its path takes the operator by type


def test_negative_literals_follow_the_grammar():
    items = hcl.parse("a = -12\nb = -1\nc = -1.5\n")
    assert [type(i.expr).__name__ for i in items] == ["Lit", "Unary", "Lit"]
    assert items[1].expr.operand.value == 1


def test_number_that_fits_the_float_terminal_but_is_no_number_is_a_located_error():
    # FLOAT_LITERAL matches "-1-2.5"; lark's path used to crash with ValueError here
    with pytest.raises(ParseError) as info:
        hcl.parse("a = -1-2.5\n")
    assert (info.value.line, info.value.column) == (1, 5)


# -- nesting bombs -------------------------------------------------------------------------------

@pytest.mark.parametrize("opener, closer", [("[", "]"), ("(", ")"), ("{a = ", "}"), ('"${', '}"'),
                                            ("f(", ")"), ("x[", "]"), ("b {\n", "}\n")])
def test_nesting_bombs_are_located_errors(opener, closer):
    depth = 100_000
    for text in (("a = " if not opener.startswith("b ") else "") + opener * depth + "1" + closer * depth,
                 ("a = " if not opener.startswith("b ") else "") + opener * depth):
        started = time.perf_counter()
        with pytest.raises(ParseError) as info:
            hcl.parse(text)
        assert time.perf_counter() - started < 5
        assert "nested more than" in info.value.message
        assert info.value.line >= 1 and info.value.column > 1


def test_lark_path_turns_deep_nesting_into_a_parse_error():
    with pytest.raises(ParseError) as info:
        hcl.parse_lark("a = " + "[" * 3000 + "]" * 3000 + "\n")
    assert "nested too deeply" in info.value.message


def test_nesting_within_the_limit_parses():
    depth = hcl_native.MAX_DEPTH - 1
    text = "a = " + "[" * depth + "1" + "]" * depth + "\n"
    assert assert_same(text, must_parse_natively=True) == "native"
    text = "a = " + "x ? y : " * (depth - 1) + "z\n"
    assert assert_same(text, must_parse_natively=True) == "native"


def test_long_operator_chain_is_not_nesting():
    text = "a = " + " + ".join(["1"] * 5000) + "\n"
    (attr,) = hcl.parse(text)
    assert attr.expr.kind == "binary"


# -- the mechanism -----------------------------------------------------------------------------

def test_valid_file_does_not_import_lark():
    code = ("import sys\nfrom iaclint.parsers import hcl\n"
            "hcl.parse('resource \"a\" \"b\" {\\n  x = [for v in var.l : v if v != null]\\n"
            "  y = <<-EOT\\n    ${var.z}\\n  EOT\\n}\\n')\n"
            "assert 'lark' not in sys.modules and 'hcl2' not in sys.modules, 'lark imported'\n"
            "try:\n    hcl.parse('a = [1,,2]\\n')\nexcept Exception as exc:\n    print(type(exc).__name__)\n"
            "assert 'lark' in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ParseError"


def test_terminal_patterns_are_python_hcl2s():
    """The native tokenizer's patterns are copied from python-hcl2's grammar: still the same?"""
    from hcl2.parser import parser
    # lark's patterns hold some control characters as such, ours as escapes: compare escaped
    terminals = {t.name: t.pattern.to_regexp().replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
                 for t in parser().terminals}
    n = hcl_native
    assert terminals["NAME"] == n._NAME
    assert terminals["INT_LITERAL"] == n._INT
    assert terminals["FLOAT_LITERAL"] == n._FLOAT
    assert terminals["STRING_CHARS"] == n._STRING_CHARS
    assert terminals["ESCAPED_INTERPOLATION"] == n._ESCAPED_INTERPOLATION
    assert terminals["ESCAPED_DIRECTIVE"] == n._ESCAPED_DIRECTIVE
    assert terminals["HEREDOC_TEMPLATE"] == n._HEREDOC
    assert terminals["HEREDOC_TEMPLATE_TRIM"] == n._HEREDOC_TRIM
    assert terminals["TEMPLATE_STRING"] == n._TEMPLATE_STRING
    # the same alternatives, with lark's capturing groups made non-capturing
    assert terminals["NL_OR_COMMENT"] == "(?:" + n._NL.replace("(?:.|\\n)", "(.|\\n)").replace(
        "(?:\\*\\/)", "(\\*\\/)") + ")"


# -- what lark reads after a refusal -------------------------------------------------------------
# lark reads only from the last top-level item the native parser completed, and when much of the
# file follows, first only a window ending near where the native parser stopped: the words and
# position must still be those of lark reading the whole file.

PREFIXES = [
    "", "a = 1\n", "a = 1 ", "b {}\n", "b {} ", "# c\n\n", "a = 1 + 2\n\n  # c\n",
    'r "x" "y" {\n  a = [1, 2]\n  b = <<EOF\nh ${x}\nEOF\n}\n' * 3, "a = <<EOF\nx\nEOF\n", "a = x\n  || y\n",
    "/* c\n */ a = 1\n", "a = f(1)\nb = 2\n\n\n",
]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_an_error_after_parsed_items_keeps_lark_words(prefix):
    for error in ERRORS + ["}}}\n", "* 2\n", "/* never closed\nb = 1\n", "/*", "a = <<EOF\nx\n" * 3, "\\x", "a = 1\n"
                           "/* x", "a = b <<EOF\n", 'a = "x ${y} z', 'a = "${y}', 'b "l" {\n  c = "\n', "a = \\\"x", 'b "abc',
                           'b "x" "a${1}b', 'a = [1, "x', 'a = {k = "x\ny', 'a = f("x', 'a = "%{ if x }y',
                           'a = "${"inner', 'a = "\\\\']:
        text = prefix + error
        assert outcome(hcl.parse, text) == outcome(hcl.parse_lark, text), text


def test_an_error_before_parsed_items_keeps_lark_words():
    for error in ERRORS:
        text = error + "".join(PREFIXES)
        assert outcome(hcl.parse, text) == outcome(hcl.parse_lark, text), text


def _mutants(count: int, seed: int) -> list[str]:
    """Files of this repository with hostile tokens put in, characters dropped, or cut short,
    some followed by a long tail of valid text (so that lark would have much to read)."""
    import random
    rng = random.Random(seed)
    tokens = ["}", "{", "]", "(", '"', "/*", "*/", "<<EOF\n", "<<-EOF\n", "EOF\n", "@", "=", ",", "\\", '\\"', "${",
              "%{", "\n", "#", "-12", "1.", ".", "*", "?", "=>", "...", "for", "<<", "\x00", "é", "x" * 60, "  ",
              "/", '"abc\n']
    texts = []
    for path in REPO_FILES:
        with open(path, encoding="utf-8") as fh:
            texts.append(fh.read())
    out = []
    for _ in range(count):
        text = rng.choice(texts)
        for _ in range(rng.randrange(1, 3)):
            pos = rng.randrange(len(text) + 1)
            how = rng.randrange(3)
            if how == 0:
                text = text[:pos] + rng.choice(tokens) + text[pos:]
            elif how == 1:
                text = text[:pos] + text[pos + rng.randrange(1, 4):]
            else:
                text = text[:pos] + rng.choice(tokens) + rng.choice(tokens) + text[pos:]
        if rng.random() < 0.3:
            text += rng.choice(texts) * 3
        out.append(text)
    return out


def test_mutated_files_keep_lark_words():
    compared = 0
    for text in _mutants(300, seed=7):
        native = outcome(hcl.parse, text)
        assert native == outcome(hcl.parse_lark, text), text
        compared += native[0] == "error"
    assert compared > 100


def test_a_window_decides_only_what_the_whole_file_decides():
    """Cut after the native parser's stop, at random: where lark's reading of the window is taken
    as the file's error, it is the error lark gives for the whole file."""
    import random
    rng = random.Random(11)
    decided = undecided = 0
    for text in _mutants(400, seed=5):
        try:
            hcl_native.parse(text)
            continue
        except hcl_native.Fallback as refusal:
            start, at = refusal.resume, min(refusal.at, len(text))
            if refusal.unterminated_string is not None:
                continue
        except ParseError:
            continue
        for width in (0, 1, 3, 40, 200):
            cut = min(at + width + rng.randrange(0, 3), len(text))
            if rng.random() < 0.5:  # or at the end of a line
                cut = text.find("\n", at, at + width + 1) + 1 or cut
            if cut >= len(text):
                continue
            try:
                hcl._lark_window(text, start, cut, at)
            except ParseError as exc:
                decided += 1
                assert ("error", (exc.message, exc.line, exc.column)) == outcome(hcl.parse_lark, text), text
            else:
                undecided += 1
    assert decided > 300 and undecided > 300


def test_large_files_keep_lark_words_where_a_window_decides(monkeypatch):
    monkeypatch.setattr(hcl, "LARK_BUDGET", 2048)  # as if these files were hundreds of KB
    body = "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "name-{i}"\n  tags = {{ a = 1 }}\n}}\n'
                   for i in range(100))
    for text in [body + "}}}\n", "}}}\n" + body, body + "/*" + "x" * 5000, "/*" + "x" * 5000 + "\n" + body,
                 body + "a = <<EOF\n" + "x\n" * 2000, "a = <<EOF\n" + "x\n" * 2000 + body, body[:3000] + "@" + body,
                 body + 'a = "' + "x" * 5000, 'a = "x ${y} ' + "x" * 5000 + body.replace('"', "'"),
                 body[:3000] + "= =" + body, "a = 1 +\n" + body]:
        native = outcome(hcl.parse, text)
        assert native[0] == "error" and "not re-read" not in native[1][0], native
        assert native == outcome(hcl.parse_lark, text)


def test_an_error_lark_would_need_too_much_to_word_is_located_by_the_native_parser(monkeypatch):
    monkeypatch.setattr(hcl, "LARK_BUDGET", 2048)
    big = "locals {\n" + "".join(f"  a{i} = {i}\n" for i in range(1000))
    with pytest.raises(ParseError) as info:  # the block is larger than lark's budget
        hcl.parse(big + "  b = = 1\n}\n")
    assert (info.value.line, info.value.column) == (1002, 7)
    assert info.value.message.startswith("unexpected '= 1' (not re-read")
    with pytest.raises(ParseError) as info:  # a valid window, then more than the budget: no guess
        hcl.parse("a = x -12\n" + big + "}\n")
    assert (info.value.line, info.value.column) == (1, 7)
    assert outcome(hcl.parse_lark, "a = x -12\n")[1][1:] == (1, 7)


def test_refusals_cost_about_the_window_not_the_file(tmp_path):
    """A 2 MB file with an error near its start, its end, or never closed costs about what parsing
    it natively costs (lark reading the whole file: 10-30x the time, 250 MB per MB)."""
    body = "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "name-{i}"\n}}\n' for i in range(34000))
    code = ("import resource, sys, time\nfrom iaclint.parsers import hcl\nfrom iaclint.model import ParseError\n"
            "text = open(sys.argv[1], encoding='utf-8').read()\nstarted = time.perf_counter()\n"
            "try:\n    hcl.parse(text)\n    print('ok')\nexcept ParseError as exc:\n    print(exc.message)\n"
            "print(time.perf_counter() - started)\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n")

    def measured(name: str, text: str) -> tuple[str, float, int]:
        path = tmp_path / f"{name}.tf"
        path.write_text(text, encoding="utf-8")
        proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        message, seconds, mb = proc.stdout.splitlines()
        return message, float(seconds), int(mb)

    _, valid_seconds, valid_mb = measured("valid", body)
    for name, text in [("end", body + "}}}\n"), ("start", "}}}\n" + body), ("comment", body[:500] + "/*" + body),
                       ("heredoc", "a = <<EOF\n" + body), ("string", 'a = "' + body.replace('"', "'")),
                       ("stray", body[:100000] + "@" + body)]:
        message, seconds, mb = measured(name, text)
        assert message.startswith("unexpected") or message.startswith("unterminated string"), (name, message)
        assert "not re-read" not in message, (name, message)
        assert seconds < 3 * valid_seconds + 1 and mb < 1.5 * valid_mb + 20, (name, seconds, mb, valid_seconds,
                                                                               valid_mb)


def test_heredoc_end_is_the_grammars_heredoc():
    import re
    plain, trim = re.compile(hcl_native._HEREDOC), re.compile(hcl_native._HEREDOC_TRIM)
    pieces = st.lists(st.sampled_from(["<<EOF\n", "<<-EOF\n", "<<EOF\r\n", "EOF", "EOF\n", "EOF\r\n", "\n", " ",
                                       "\t", "x", "\r", "EO", "EOFX", "\u2028", "\x0c", "<<E\n", "E\n", "$", "\n\n"]),
                      max_size=12).map("".join)

    @settings(max_examples=2000, deadline=None, database=None, derandomize=True)
    @given(pieces)
    def check(text):
        for at in range(len(text)):
            if text.startswith("<<", at):
                m = (trim if text.startswith("-", at + 2) else plain).match(text, at)
                assert hcl_native.heredoc_end(text, at) == (m.end() if m else -1), (text, at)
    check()


def test_fast_patterns_match_the_grammars():
    import re
    pairs = [(hcl_native._NL, hcl_native._NL_FAST), (hcl_native._TEMPLATE_STRING, hcl_native._TEMPLATE_STRING_FAST)]
    pieces = st.lists(st.sampled_from(["/*", "*/", "*", "/", "\n", "x", "\\", '"', '\\"', "\\\\", "#", "//", " "]),
                      max_size=12).map("".join)

    @settings(max_examples=2000, deadline=None, database=None, derandomize=True)
    @given(pieces)
    def check(text):
        for slow, fast in pairs:
            for at in range(len(text)):
                a, b = re.compile(slow).match(text, at), re.compile(fast).match(text, at)
                assert (a and a.end()) == (b and b.end()), (text, at, slow)
    check()


def test_never_closed_constructs_are_tokenized_in_linear_time():
    started = time.perf_counter()
    for text in ["a = <<EOF\n" * 20000, "a = <<EOF\n" + "\n" * 200000, "/*" + "*" * 500000, '"' + "\\\\" * 200000,
                 "a = \\\"" + "x" * 500000]:
        with pytest.raises(ParseError):
            hcl.parse(text)
    assert time.perf_counter() - started < 10


def test_lark_path_numbers_past_pythons_int_limit_are_unknown():
    from iaclint.model import Unknown
    digits = "1" + "0" * 5000
    items = hcl.parse_lark(f"a = {digits}\nb = x.{digits}\nc = x[*].{digits}\n")
    assert isinstance(items[0].expr.value, Unknown)
    assert isinstance(items[1].expr.key.value, Unknown)
    assert isinstance(items[2].expr.ops[0][1].value, Unknown)


# -- generated HCL -------------------------------------------------------------------------------

WORDS = ["a", "b_1", "x-y", "var", "each", "count", "true", "false", "null", "in", "for", "if",
         "for_each", "else", "endif", "endfor", "e", "f", "provider"]
SPACE = st.sampled_from(["", " ", " ", " ", "  ", "\t", "\n", "\n  ", " # c\n", " // c\n", "/* c */",
                         "/*\n*/", "\n\n", "\r\n", " \n"])
INLINE = st.sampled_from(["", " ", " ", " ", "\t", "/* c */", " \r"])


@st.composite
def spaced(draw, *parts, space=SPACE):
    """Parts joined by random white space, line breaks and comments."""
    out = [parts[0]]
    for p in parts[1:]:
        out.append(draw(space))
        out.append(p)
    return "".join(out)


def _string_piece(expr):
    return st.one_of(
        st.sampled_from(["a", "b c", "\\n", "\\\"", "\\\\", "\\u00e9", "$$", "%%", "$", "%", "$${x}",
                         "%%{y}", "'", "\\t"]),
        expr.map(lambda e: "${" + e + "}"),
        st.tuples(expr, st.sampled_from(["", "~"])).map(
            lambda t: "%{" + t[1] + " if " + t[0] + " }x%{ else }y%{ endif }"),
        expr.map(lambda e: "%{ for k, v in " + e + " }${v}%{ endfor }"),
    )


def _expressions():
    atoms = st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(["0", "1", "42", "-1", "-12", "- 1", "1.5", "-1.5", "1e3", "2E-2", "1.5e+3"]),
        st.sampled_from(['"s"', '""', '"a\\"b"', "\\\"t\\\"", "<<EOF\nh\nEOF\n",
                         "<<-EOT\n  h ${x}\n  EOT\n"]),
    )

    def extend(inner):
        seq = st.lists(inner, min_size=0, max_size=3)
        return st.one_of(
            st.tuples(inner, st.sampled_from(list(hcl_native._LEVEL)), inner).flatmap(
                lambda t: spaced(t[0], t[1], t[2])),
            st.tuples(st.sampled_from(["-", "!"]), inner).map(lambda t: t[0] + t[1]),
            st.tuples(inner, inner, inner).flatmap(lambda t: spaced(t[0], "?", t[1], ":", t[2])),
            inner.flatmap(lambda e: spaced("(", e, ")")),
            seq.flatmap(lambda items: spaced("[", ", ".join(items), "]")),
            st.tuples(seq, st.sampled_from(["", ","])).flatmap(
                lambda t: spaced("[", *[i + "," for i in t[0]], "]")),
            st.lists(st.tuples(st.one_of(st.sampled_from(WORDS), inner), st.sampled_from(["=", ":"]), inner),
                     max_size=3).flatmap(
                lambda kvs: spaced("{", *[f"{k} {s} {v}" for k, s, v in kvs], "}")),
            st.tuples(inner, st.sampled_from([".a", ".0", ".true", "[0]", '["k"]', ".*.a", "[*].b", ".*",
                                              "[*]", ".for", ".1.2"])).map(lambda t: t[0] + t[1]),
            st.tuples(st.sampled_from(["f", "upper", "provider::p::f"]), seq,
                      st.sampled_from(["", ",", "..."])).flatmap(
                lambda t: spaced(t[0] + "(", ", ".join(t[1]) + (t[2] if t[1] else ""), ")")),
            st.tuples(inner, inner, st.booleans()).flatmap(
                lambda t: spaced("[", "for", "x", "in", t[0], ":", t[1], *(["if", "x"] if t[2] else []),
                                 "]")),
            st.tuples(inner, inner, st.booleans()).flatmap(
                lambda t: spaced("{", "for", "k,", "v", "in", t[0], ":", "k", "=>", t[1],
                                 *(["..."] if t[2] else []), "}")),
            st.lists(_string_piece(inner), max_size=3).map(lambda ps: '"' + "".join(ps) + '"'),
            inner.map(lambda e: "<<EOF\n${" + e.replace("\n", " ") + "}\nEOF\n"),
        )
    return st.recursive(atoms, extend, max_leaves=8)


EXPRESSIONS = _expressions()


@st.composite
def bodies(draw, depth=0):
    items = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(WORDS))
        if depth < 2 and draw(st.booleans()):
            labels = draw(st.lists(st.sampled_from(['"l"', "m", '"a${b}"', '"\\t"', "in", "true"]),
                                   max_size=2))
            inner = draw(bodies(depth + 1))
            space = draw(st.sampled_from([SPACE, INLINE]))
            items.append(draw(spaced(name, *labels, "{", inner, "}", space=space)))
        else:
            space = draw(st.sampled_from([SPACE, INLINE, INLINE]))
            items.append(draw(spaced(name, "=", draw(EXPRESSIONS), space=space)))
    return "".join(i + draw(st.sampled_from(["\n", "\n\n", " ", "\r\n", " # c\n", ""])) for i in items)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_generated_bodies_match_lark(text):
    assert_same(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_generated_expressions_match_lark(expr):
    assert_same(f"a = {expr}\n")
    assert_same(f'b "l" {{\n  a = {expr}\n}}\n')


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_generated_template_expressions_match_lark(expr):
    """Heredoc and .tf.json template interpolations: native parse_expression against lark's."""
    span = Span(2, 3, 4, 5)
    try:
        native = ("ok", shape(hcl_native.parse_expression(expr, span)))
    except hcl_native.Fallback:
        return
    except hcl_native.TooDeep:
        return
    assert native == outcome(lambda t: hcl._parse_expression_lark(t, span), expr)


# Canonically spaced text the native parser must not refuse (no keywords as names, no "-12"
# where an operator is expected).
CLEAN_WORDS = ["a", "b_1", "x-y", "var", "each", "true", "null"]


@st.composite
def clean_expressions(draw, depth=0):
    if depth > 3 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(CLEAN_WORDS + ["1", "42", "1.5", '"s"', '"a${b}c"', "-12"]))
    sub = lambda: draw(clean_expressions(depth + 1))  # noqa: E731
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return f"{sub()} {draw(st.sampled_from(list(hcl_native._LEVEL)))} ({sub()})"
    if kind == 1:
        return f"({sub()} ? {sub()} : {sub()})"
    if kind == 2:
        return "[" + ", ".join(sub() for _ in range(draw(st.integers(0, 3)))) + "]"
    if kind == 3:
        return "{\n" + "".join(f"  k{i} = {sub()}\n" for i in range(draw(st.integers(0, 3)))) + "}"
    if kind == 4:
        return f"f({sub()}, {sub()})"
    if kind == 5:
        return f"[for v in {sub()} : {sub()} if {sub()}]"
    if kind == 6:
        return f"{{ for k, v in {sub()} : k => {sub()}... }}"
    if kind == 7:
        suffix = draw(st.sampled_from(['.a', '[0]', '.0', '[*].b', '.*.c']))
        return f"{draw(st.sampled_from(CLEAN_WORDS))}{suffix}"
    if kind == 8:
        return f'"x${{{sub()}}}%{{ if {sub()} }}y%{{ endif }}"'
    return f"!({sub()})"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clean_expressions())
def test_clean_expressions_parse_natively(expr):
    assert_same(f'resource "r" "n" {{\n  a = {expr}\n}}\n', must_parse_natively=True)


# -- the corpus (opt-in) -----------------------------------------------------------------------

@pytest.mark.skipif(not os.environ.get("IACLINT_CORPUS"),
                    reason="set IACLINT_CORPUS to a folder of repositories")
def test_corpus_matches_lark():
    corpus = os.environ["IACLINT_CORPUS"]
    compared = refused = 0
    mismatches = []
    times: dict[str, list[float]] = {}
    hcl.parse_lark("a = 1\n")  # lark's grammar loads once, outside the timings
    for path in _hcl_files(corpus):
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            text = fh.read()
        top = os.path.relpath(path, corpus).split(os.sep)[0]
        t = times.setdefault(top, [0.0, 0.0, 0])
        started = time.perf_counter()
        try:
            lark = ("ok", hcl.parse_lark(text))
        except ParseError as exc:
            lark = ("error", (exc.message, exc.line, exc.column))
        t[0] += time.perf_counter() - started
        started = time.perf_counter()
        try:
            native = ("ok", hcl_native.parse(text))
        except hcl_native.Fallback:
            native = None
            refused += 1
        t[1] += time.perf_counter() - started
        t[2] += 1
        compared += 1
        if native is None:
            if lark[0] == "ok":
                mismatches.append(f"{path} (refused, lark parses it)")
        elif lark[0] != "ok" or shape(native[1]) != shape(lark[1]):
            mismatches.append(path)
    for top, (lark_s, native_s, n) in sorted(times.items()):
        print(f"{top:<28} {n:>4} files  lark {lark_s:6.2f} s  native {native_s:6.2f} s  "
              f"x{lark_s / max(native_s, 1e-9):.1f}")
    print(f"compared {compared} files, refused {refused}, mismatches {len(mismatches)}")
    assert compared > 0
    assert mismatches == []
