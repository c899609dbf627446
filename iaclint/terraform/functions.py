"""Terraform's built-in functions, evaluated statically.

``FUNCTIONS`` maps a function name to ``fn(ev, call, args)``: ``ev`` is the
:class:`~iaclint.terraform.evaluate.Evaluator`, ``call`` the ``Call`` node (for spans) and
``args`` the already-evaluated arguments. Semantics follow Terraform (go-cty's stdlib and
Terraform's ``lang/funcs``): where Terraform fails, a function raises ``EvalError``; where the
answer depends on an unknown part, it returns an :class:`Unknown`; structural functions keep the
known parts of their inputs (``concat([1], [x])`` with ``x`` unknown is ``[1, x]``).

Nothing here reads the clock, draws random numbers or touches the network. The file functions
read only regular files inside the scanned tree (``ev.fs_root``), resolved against ``ev.fs_base``
(Terraform's working directory), with symlinks resolved first; anything else is Unknown.
"""

from __future__ import annotations

# base64 and hashlib (which loads OpenSSL) are imported by the functions that need them: most
# modules call none of them, and every Terraform scan imports this module.
import json
import math
import os
import re
import stat
import unicodedata
from functools import lru_cache

from ..files import NONBLOCKING, read_regular
from ..lazyre import lazy_re  # patterns of functions a module may never call
from ..model import Encoded, ParseError, Unknown
from ..parsers import hcl as _hcl
from . import evaluate as _evaluate  # a module reference: evaluate may import this module too

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from decimal import Decimal
    from typing import Any, Callable, NoReturn

__all__ = ["FUNCTIONS"]

FUNCTIONS: dict[str, Callable[[Any, Any, list], Any]] = {}

MAX_FILE_BYTES = 1 << 20          # file(), templatefile(), filebase64(), file hashes
MAX_RESULT = 100_000              # elements a structural function may build before giving up
MAX_RANGE = 1024                  # Terraform's own limit for range()
MAX_REGEX_INPUT = 100_000         # characters a regular expression is run over, at most
REGEX_STEPS = 10 ** 8             # Python's re backtracks where RE2 runs in linear time: a
                                  # pattern with k unbounded repeats may take n**(k+1) steps
RISKY_REGEX_INPUT = 20            # a repeated group that itself repeats or alternates: 2**n
MAX_FILESET_ENTRIES = 100_000     # directory entries fileset() may visit


def _fail(message: str) -> NoReturn:
    raise _evaluate.EvalError(message)


class _TooLarge(Exception):
    """A result past the evaluator's size limits (``evaluate.MAX_STRING``): the call is Unknown."""


def _check_length(n: int, what: str) -> None:
    if n > _evaluate.MAX_STRING:
        raise _TooLarge(f"{what} would be longer than {_evaluate.MAX_STRING} characters")


# -- registration -------------------------------------------------------------------------------

def _fn(name: str, min_args: int, max_args: int | None = -1, *, known: bool = True,
        nulls: bool = False):
    """Register ``impl(ev, e, *args)`` as ``name``.

    ``max_args`` -1 means exactly ``min_args``, None means variadic. With ``known`` the call is
    Unknown when any argument has an Unknown anywhere inside; without it the implementation sees
    Unknowns and decides. An error (``Failed``) anywhere in the arguments always makes the call
    an error. Without ``nulls`` a null argument is an error, as in Terraform.
    """
    hi = min_args if max_args == -1 else max_args

    def register(impl):
        def call(ev, e, args):
            n = len(args)
            if n < min_args or (hi is not None and n > hi):
                if hi == min_args:
                    want = f"{min_args} argument{'s' if min_args != 1 else ''}"
                elif hi is None:
                    want = f"at least {min_args} argument{'s' if min_args != 1 else ''}"
                else:
                    want = f"{min_args} to {hi} arguments"
                _fail(f"{name}() takes {want}, got {n}")
            u = _first_unknown_arg(args, getattr(ev, "clean", None))
            # an error anywhere in the arguments stopped Terraform before the call
            if u is not None and (known or _is_failed(u)):
                return _carry(ev, e, u)
            if not nulls:
                for i, a in enumerate(args):
                    if a is None:
                        _fail(f"{name}(): argument {i + 1} must not be null")
            try:
                return impl(ev, e, *args)
            except _TooLarge as exc:
                limit = getattr(ev, "limit", None)
                return limit(e, str(exc)) if limit is not None else ev.unknown(e, str(exc))
        call.__name__ = f"tf_{name}"
        call.__doc__ = impl.__doc__
        FUNCTIONS[name] = call
        return impl
    return register


def _first_unknown(value):
    """The first Unknown inside ``value`` (depth first), or None; an error (``Failed``, which
    Terraform would have stopped at) before one that is merely not known yet."""
    failed = getattr(_evaluate, "Failed", None)
    first = None
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Unknown):
            if failed is None or isinstance(v, failed):
                return v
            if first is None:
                first = v
        elif isinstance(v, list):
            stack.extend(reversed(v))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
    return first


def _first_unknown_arg(args: list, clean: dict | None):
    """``_first_unknown(args)``, skipping arguments ``clean`` (id -> value) already showed to hold
    no Unknown: the same variable or local passed to many calls is walked once."""
    if clean is None:
        return _first_unknown(args)
    first = None
    for a in args:
        if not isinstance(a, (list, dict)):
            if isinstance(a, Unknown):
                if _is_failed(a):
                    return a
                if first is None:
                    first = a
            continue
        if id(a) in clean:
            continue
        u = _first_unknown(a)
        if u is None:
            if len(clean) > 100_000:
                clean.clear()
            clean[id(a)] = a  # held, so the id is not reused while remembered
        elif _is_failed(u):
            return u
        elif first is None:
            first = u
    return first


def _is_failed(u: Unknown) -> bool:
    failed = getattr(_evaluate, "Failed", None)
    return failed is not None and isinstance(u, failed)


def _carry(ev, e, cause: Unknown) -> Unknown:
    """The call's own Unknown because of ``cause``, still an error if ``cause`` was one."""
    carry = getattr(ev, "carry", None)
    return carry(e, cause) if carry is not None else _carry(ev, e, cause)


def _unknown_in(ev, e, value):
    u = _first_unknown(value)
    return None if u is None else _carry(ev, e, u)


# -- values and conversions ----------------------------------------------------------------------

def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _tname(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if _is_num(v):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def _norm(x):
    """HCL numbers: a whole float is an int."""
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return int(x)
    return x


def _dec(x) -> Decimal:
    """The exact decimal a Terraform number literal denotes (floats by their shortest repr)."""
    from decimal import Decimal  # here and in the other number functions: most modules use none
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(repr(x))


@lru_cache(maxsize=None)
def _exact():
    """Enough digits for any 512-bit binary fraction, and for sums. ``decimal`` (its C module and
    wrapper: ~6M instructions) is imported by the functions that need it, as base64 and hashlib."""
    from decimal import Context
    return Context(prec=1100)


def _from_dec(d: Decimal):
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def _num_str(x) -> str:
    """A number as Terraform converts it to a string: no exponent, no trailing zeros."""
    if isinstance(x, int):
        return str(x)
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if math.isnan(x):
        _fail("NaN is not a number Terraform can represent")
    if x.is_integer():
        return str(int(x))
    return format(_dec(x), "f")


_NUMBER_RE = lazy_re(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _parse_number(s: str):
    if not _NUMBER_RE.fullmatch(s):
        return None
    from decimal import Decimal, InvalidOperation
    try:
        d = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
    if abs(d.adjusted()) > 400:
        return None
    return _from_dec(d)


def _str(v, what: str = "argument") -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if _is_num(v):
        return _num_str(v)
    if v is None:
        _fail(f"{what} must not be null")
    _fail(f"{what}: string required, got {_tname(v)}")


def _num(v, what: str = "argument"):
    if _is_num(v):
        return _norm(v)
    if isinstance(v, str):
        n = _parse_number(v)
        if n is None:
            _fail(f"{what}: cannot convert {v!r} to a number")
        return n
    if v is None:
        _fail(f"{what} must not be null")
    _fail(f"{what}: number required, got {_tname(v)}")


def _int(v, what: str = "argument") -> int:
    n = _num(v, what)
    if isinstance(n, float):
        _fail(f"{what}: a whole number is required, got {_num_str(n)}")
    return n


def _bool(v, what: str = "argument") -> bool:
    if isinstance(v, bool):
        return v
    if v == "true" or v == "false":
        return v == "true"
    if v is None:
        _fail(f"{what} must not be null")
    _fail(f"{what}: bool required, got {_tname(v)}")


def _list(v, what: str = "argument") -> list:
    if isinstance(v, list):
        return v
    _fail(f"{what}: list, set or tuple required, got {_tname(v)}")


def _map(v, what: str = "argument") -> dict:
    if isinstance(v, dict):
        return v
    _fail(f"{what}: map or object required, got {_tname(v)}")


_PRIMITIVE = {"string", "number", "bool"}


def _unify(items: list, what: str) -> list:
    """Convert the elements of a collection to one type, as Terraform's type unification does:
    mixed strings, numbers and bools all become strings; mixing primitives with collections,
    or lists with maps, is an error. Null and Unknown elements are left as they are."""
    kinds = {_tname(v) for v in items if v is not None and not isinstance(v, Unknown)}
    if len(kinds) <= 1:
        return list(items)
    if kinds <= _PRIMITIVE:
        return [v if v is None or isinstance(v, Unknown) else _str(v) for v in items]
    _fail(f"{what}: elements have no common type ({', '.join(sorted(kinds))})")


def _eq3(a, b):
    """Terraform's ``==`` with three outcomes: True, False, or None when it depends on an
    unknown part."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    if _is_num(a) and _is_num(b):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        if len(a) != len(b):
            return False
        result = True
        for x, y in zip(a, b):
            r = _eq3(x, y)
            if r is False:
                return False
            if r is None:
                result = None
        return result
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return False
        return _eq3([a[k] for k in sorted(a)], [b[k] for k in sorted(b)])
    return a == b


def _key(v):
    """A hashable identity for a known value, equal exactly when Terraform's ``==`` is true."""
    if v is None:
        return ("null",)
    if isinstance(v, bool):
        return ("bool", v)
    if _is_num(v):
        return ("number", v)
    if isinstance(v, str):
        return ("string", v)
    if isinstance(v, list):
        return ("list", tuple(_key(x) for x in v))
    return ("map", tuple((k, _key(v[k])) for k in sorted(v)))


def _dedupe(items: list) -> list:
    seen: set = set()
    out = []
    for v in items:
        k = _key(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def _set_order(items: list) -> list:
    """Terraform iterates sets of strings lexically, numbers ascending, false before true;
    sets of other values in an order of its own (kept here as first seen)."""
    kinds = {_tname(v) for v in items}
    if kinds == {"string"} or kinds == {"number"} or kinds == {"bool"}:
        return _evaluate.SetValue(sorted(items))
    return _evaluate.SetValue(items)


def _to_set(items: list, what: str) -> list:
    return _set_order(_dedupe(_unify(items, what)))


# -- grapheme clusters (Terraform counts and slices strings by them) ------------------------------

def _is_extend(ch: str) -> bool:
    o = ord(ch)
    if o < 0x300:
        return False
    return (unicodedata.category(ch) in ("Mn", "Me", "Mc") or 0xFE00 <= o <= 0xFE0F
            or 0x1F3FB <= o <= 0x1F3FF or 0xE0020 <= o <= 0xE007F or o == 0x200C
            or 0xE0100 <= o <= 0xE01EF)


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _graphemes(s: str) -> list[str]:
    """Extended grapheme clusters, approximately (CR LF, combining marks, variation selectors,
    emoji modifiers and ZWJ sequences, flag pairs; not Hangul jamo or prepend marks)."""
    if s.isascii() and "\r" not in s:
        return list(s)
    out = []
    i, n = 0, len(s)
    while i < n:
        j = i + 1
        if s[i] == "\r" and j < n and s[j] == "\n":
            j += 1
        elif _is_regional(s[i]) and j < n and _is_regional(s[j]):
            j += 1
        elif s[i] not in "\r\n":
            while j < n:
                if _is_extend(s[j]):
                    j += 1
                elif s[j] == "\u200d":
                    j += 2 if j + 1 < n else 1
                else:
                    break
        out.append(s[i:j])
        i = j
    return out


# -- strings -----------------------------------------------------------------------------------

def _case(s: str, method: str) -> str:
    """Go's simple (one character to one character) case mapping."""
    out = []
    for ch in s:
        mapped = getattr(ch, method)()
        out.append(mapped if len(mapped) == 1 else ch)
    return "".join(out)


@_fn("upper", 1)
def _upper(ev, e, s):
    return _case(_str(s), "upper")


@_fn("lower", 1)
def _lower(ev, e, s):
    return _case(_str(s), "lower")


def _go_is_space(ch: str) -> bool:
    return ch in "\t\n\v\f\r \x85\xa0" or (ord(ch) > 0xFF and unicodedata.category(ch) == "Zs") \
        or ch in "\u2028\u2029"


def _title_separator(ch: str) -> bool:
    if ord(ch) <= 0x7F:
        return not (ch.isalnum() or ch == "_")
    if unicodedata.category(ch)[0] == "L" or unicodedata.category(ch) == "Nd":
        return False
    return _go_is_space(ch)


@_fn("title", 1)
def _title(ev, e, s):
    out, prev = [], " "
    for ch in _str(s):
        if _title_separator(prev):
            t = ch.title()
            out.append(t if len(t) == 1 else ch)
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


@_fn("trimspace", 1)
def _trimspace(ev, e, s):
    return _str(s).strip(_GO_SPACE)


@_fn("trim", 2)
def _trim(ev, e, s, cutset):
    cutset = _str(cutset)
    return _str(s).strip(cutset) if cutset else _str(s)


@_fn("trimprefix", 2)
def _trimprefix(ev, e, s, prefix):
    s, prefix = _str(s), _str(prefix)
    return s[len(prefix):] if prefix and s.startswith(prefix) else s


@_fn("trimsuffix", 2)
def _trimsuffix(ev, e, s, suffix):
    s, suffix = _str(s), _str(suffix)
    return s[:-len(suffix)] if suffix and s.endswith(suffix) else s


@_fn("chomp", 1)
def _chomp(ev, e, s):
    s = _str(s)
    while s.endswith(("\n", "\r")):
        s = s[:-1]
    return s


@_fn("indent", 2)
def _indent(ev, e, spaces, s):
    n = _int(spaces, "indent() spaces")
    s = _str(s)
    _check_length(len(s) + s.count("\n") * max(n, 0), "the result of indent()")
    return s.replace("\n", "\n" + " " * max(n, 0))


@_fn("strrev", 1)
def _strrev(ev, e, s):
    return "".join(reversed(_graphemes(_str(s))))


@_fn("substr", 3)
def _substr(ev, e, s, offset, length):
    s = _str(s)
    offset, length = _int(offset, "substr() offset"), _int(length, "substr() length")
    chars = _graphemes(s)
    if offset < 0:
        offset = max(offset + len(chars), 0)
    if offset >= len(chars) or length == 0:
        return ""
    rest = chars[offset:]
    return "".join(rest if length < 0 else rest[:length])


@_fn("startswith", 2)
def _startswith(ev, e, s, prefix):
    return _str(s).startswith(_str(prefix))


@_fn("endswith", 2)
def _endswith(ev, e, s, suffix):
    return _str(s).endswith(_str(suffix))


@_fn("strcontains", 2)
def _strcontains(ev, e, s, sub):
    return _str(sub) in _str(s)


@_fn("split", 2)
def _split(ev, e, sep, s):
    sep, s = _str(sep), _str(s)
    if sep == "":
        return list(s)  # Go splits after each UTF-8 sequence
    return s.split(sep)


@_fn("join", 2, None)
def _join(ev, e, sep, *lists):
    sep = _str(sep)
    items = []
    for li, lst in enumerate(lists):
        for i, v in enumerate(_list(lst, f"join() argument {li + 2}")):
            if v is None:
                _fail(f"join(): element {i} of list {li + 1} is null; cannot concatenate null "
                      "values")
            items.append(_str(v, f"join() element {i}"))
    _check_length(sum(map(len, items)) + len(sep) * max(len(items) - 1, 0), "the result of join()")
    return sep.join(items)


@_fn("replace", 3)
def _replace(ev, e, s, sub, repl):
    s, sub, repl = _str(s), _str(sub), _str(repl)
    if len(sub) > 1 and sub[0] == "/" and sub[-1] == "/":
        rx = _regex(sub[1:-1])
        if len(s) > rx.max_input:
            return ev.unknown(e, "regular expression too costly to run on an input this long")
        out, last, total = [], 0, 0
        for m in _go_find_all(rx.compiled, s):
            out.append(s[last:m.start()])
            out.append(_go_expand(repl, m, rx.compiled))
            total += len(out[-2]) + len(out[-1])
            _check_length(total, "the result of replace()")
            last = m.end()
        out.append(s[last:])
        return "".join(out)
    count = s.count(sub) if sub else len(s) + 1
    _check_length(len(s) + count * (len(repl) - len(sub)), "the result of replace()")
    return s.replace(sub, repl)


# -- format ----------------------------------------------------------------------------------------

_VERB_RE = lazy_re(r"(?P<flags>[0#+ -]*)(?:\[(?P<idx>[1-9][0-9]*)\])?(?P<width>[1-9][0-9]*)?"
                      r"(?P<prec>\.[0-9]*)?(?P<verb>[A-Za-z])")


_MAX_WIDTH = 1_000_000


def _format(spec: str, args: list) -> str:
    out: list[str] = []
    total = 0  # characters of the verbs' output so far (the literal text is at most n)
    i, n = 0, len(spec)
    next_arg, highest = 1, 0
    while i < n:
        c = spec[i]
        if c != "%":
            j = spec.find("%", i)
            j = n if j < 0 else j
            out.append(spec[i:j])
            i = j
            continue
        if spec.startswith("%%", i):
            out.append("%")
            i += 2
            continue
        m = _VERB_RE.match(spec, i + 1)
        if not m:
            j = i + 1
            while j < n and spec[j] in "0#+- ":
                j += 1
            if j >= n:
                _fail(f"invalid format string starting at offset {n}")
            _fail(f"unrecognized format character {spec[j]!r} at offset {j}")
        flags = m.group("flags")
        argnum = int(m.group("idx")) if m.group("idx") else next_arg
        width = int(m.group("width")) if m.group("width") else None
        prec = m.group("prec")
        prec = (int(prec[1:]) if len(prec) > 1 else 0) if prec is not None else None
        if max(width or 0, prec or 0) > _MAX_WIDTH:  # Go's fmt refuses these too (%!(BADWIDTH))
            _fail(f"width or precision of {spec[i:m.end()][:40]!r} at offset {i} is larger than {_MAX_WIDTH}")
        verb = m.group("verb")
        raw = spec[i:m.end()]
        highest = max(highest, argnum)
        if argnum > len(args):
            _fail(f"not enough arguments for {raw!r} at {i}: need index {argnum} but have "
                  f"{len(args)} total")
        out.append(_format_one(raw, i, flags, width, prec, verb, args[argnum - 1]))
        total += len(out[-1])
        _check_length(total + n, "the result of format()")
        next_arg = argnum + 1
        i = m.end()
    if highest < len(args):
        if highest == 0:
            _fail("too many arguments; no verbs in format string")
        _fail(f"too many arguments; only {highest} used by format string")
    return "".join(out)


def _pad(text: str, width, flags: str) -> str:
    if width is None:
        return text
    have = len(_graphemes(text))
    if have >= width:
        return text
    pad = ("0" if "0" in flags else " ") * (width - have)
    return text + pad if "-" in flags else pad + text


def _format_one(raw, offset, flags, width, prec, verb, arg) -> str:  # noqa: C901
    if verb != "v" and arg is None:
        _fail(f"unsupported value for {raw!r} at {offset}: null value cannot be formatted")
    if verb == "v":
        if "#" not in flags and isinstance(arg, str):
            return _pad(arg, width, flags)
        if "#" not in flags and _is_num(arg):
            return _pad(_g_shortest(_dec(arg)), width, flags)
        return _pad(_json(arg), width, flags)
    if verb == "t":
        try:
            return "true" if _bool(arg) else "false"
        except _evaluate.EvalError:
            _fail(f"unsupported value for {raw!r} at {offset}: bool required")
    if verb in "bdoxXeEfgG":
        try:
            x = _num(arg)
        except _evaluate.EvalError:
            _fail(f"unsupported value for {raw!r} at {offset}: number required")
        if verb in "bdoxX":
            if isinstance(x, float):
                _fail(f"unsupported value for {raw!r} at {offset}: an integer is required")
            return _go_int(x, verb, flags, width, prec)
        return _go_float(x, verb, flags, width, prec)
    if verb in "sq":
        try:
            s = _str(arg)
        except _evaluate.EvalError:
            _fail(f"unsupported value for {raw!r} at {offset}: string required")
        if prec is not None and prec > 0:
            s = "".join(_graphemes(s)[:prec])
        return _pad(_json_str(s) if verb == "q" else s, width, flags)
    _fail(f"unsupported format verb {verb!r} in {raw!r} at offset {offset}")


def _go_int(x: int, verb, flags, width, prec) -> str:
    """Go's fmt for a big.Int."""
    base = {"b": 2, "o": 8, "d": 10, "x": 16, "X": 16}[verb]
    digits = format(abs(x), {2: "b", 8: "o", 10: "d", 16: "x"}[base])
    if verb == "X":
        digits = digits.upper()
    sign = "-" if x < 0 else "+" if "+" in flags else " " if " " in flags else ""
    prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "") if "#" in flags else ""
    zeros = 0
    if prec is not None:
        if len(digits) < prec:
            zeros = prec - len(digits)
        elif digits == "0" and prec == 0:
            return ""
    length = len(sign) + len(prefix) + zeros + len(digits)
    left = right = 0
    if width is not None and length < width:
        d = width - length
        if "-" in flags:
            right = d
        elif "0" in flags and prec is None:
            zeros = d
        else:
            left = d
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right


def _exp_str(mant: str, exp: int, upper: bool) -> str:
    return f"{mant}{'E' if upper else 'e'}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fmt_e(d: Decimal, prec: int, upper: bool = False) -> str:
    if d == 0:
        return _exp_str("0" + ("." + "0" * prec if prec else ""), 0, upper)
    text = format(d, f".{prec}e")
    mant, exp = text.split("e")
    return _exp_str(mant, int(exp), upper)


def _fmt_g(d: Decimal, prec: int, upper: bool = False) -> str:
    p = prec or 1
    if d == 0:
        return "0"
    e_form = format(d, f".{p - 1}e")
    mant, exp_s = e_form.split("e")
    x = int(exp_s)
    if x < -4 or x >= p:
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        return _exp_str(mant, x, upper)
    text = format(d, f".{max(p - 1 - x, 0)}f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _g_shortest(d: Decimal) -> str:
    """Go's ``%g`` with the shortest precision (``big.Float.Text('g', -1)``)."""
    if d == 0:
        return "0"
    d = d.normalize(_exact())
    sign = "-" if d < 0 else ""
    digits = "".join(map(str, d.as_tuple().digits))
    x = d.adjusted()
    if x < -4 or x >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return sign + _exp_str(mant, x, False)
    return format(d, "f")


def _big_float(x) -> Decimal:
    """The exact value Terraform holds for a number: its decimal literal rounded to a 512-bit
    binary mantissa (so ``format("%.2f", 2.675)`` rounds down, as there)."""
    d = _dec(x)
    if d == 0:
        return d
    from fractions import Fraction
    f = Fraction(d)
    if f.denominator & (f.denominator - 1) == 0 and abs(f.numerator).bit_length() <= 512:
        return d
    e = f.numerator.bit_length() - f.denominator.bit_length()
    scale = Fraction(2) ** (511 - e)
    m = round(f * scale)
    approx = m / scale
    from decimal import Decimal, localcontext
    with localcontext(_exact()):
        return Decimal(approx.numerator) / Decimal(approx.denominator)


def _go_float(x, verb, flags, width, prec) -> str:
    """Go's fmt for a big.Float (``'0'`` wins over ``'-'``, as there)."""
    if isinstance(x, float) and not math.isfinite(x):
        body = "Inf" if math.isinf(x) else "NaN"
        sign = "-" if x < 0 else " " if " " in flags else "+"
    else:
        d = _dec(x) if verb in "gG" and prec is None else _big_float(x)
        neg = d.is_signed() and d != 0
        d = d.copy_abs()  # abs() would round to the context's 28 digits
        upper = verb in "EG"
        if verb in "eE":
            body = _fmt_e(d, 6 if prec is None else prec, upper)
        elif verb == "f":
            body = format(d, f".{6 if prec is None else prec}f")
        elif prec is None:
            body = _g_shortest(d)
            if upper:
                body = body.upper()
        else:
            body = _fmt_g(d, prec, upper)
        sign = "-" if neg else "+" if "+" in flags else " " if " " in flags else ""
    padding = max((width or 0) - len(sign) - len(body), 0)
    if "0" in flags and body not in ("Inf", "NaN"):
        return sign + "0" * padding + body
    if "-" in flags:
        return sign + body + " " * padding
    return " " * padding + sign + body


@_fn("format", 1, None, nulls=True)
def _format_fn(ev, e, spec, *args):
    if spec is None:
        _fail("format(): the format string must not be null")
    return _format(_str(spec, "format() format string"), list(args))


@_fn("formatlist", 1, None, known=False, nulls=True)
def _formatlist(ev, e, spec, *args):
    if isinstance(spec, Unknown):
        return _carry(ev, e, spec)
    if spec is None:
        _fail("formatlist(): the format string must not be null")
    spec = _str(spec, "formatlist() format string")
    if not args:
        return [_format(spec, [])]
    length, chooser = -1, -1
    for i, a in enumerate(args):
        if isinstance(a, Unknown):
            return _carry(ev, e, a)
        if isinstance(a, list):
            if length == -1:
                length, chooser = len(a), i
            elif len(a) != length:
                _fail(f"formatlist(): argument {i + 2} has length {len(a)}, which is inconsistent "
                      f"with argument {chooser + 2} of length {length}")
    if length == 0:
        return []
    out = []
    total = 0
    for k in range(max(length, 1)):
        row = [a[k] if isinstance(a, list) else a for a in args]
        u = _first_unknown(row)
        if u is not None:
            out.append(_carry(ev, e, u))
            continue
        try:
            out.append(_format(spec, row))
        except _evaluate.EvalError as exc:
            _fail(f"error on format iteration {k}: {exc}")
        total += len(out[-1])
        _check_length(total, "the result of formatlist()")
    return out


# -- numbers ---------------------------------------------------------------------------------------

@_fn("abs", 1)
def _abs(ev, e, x):
    return abs(_num(x))


@_fn("ceil", 1)
def _ceil(ev, e, x):
    x = _num(x)
    return x if isinstance(x, int) or math.isinf(x) else math.ceil(x)


@_fn("floor", 1)
def _floor(ev, e, x):
    x = _num(x)
    return x if isinstance(x, int) or math.isinf(x) else math.floor(x)


@_fn("signum", 1)
def _signum(ev, e, x):
    x = _num(x)
    return (x > 0) - (x < 0)


def _go_log(x: float) -> float:
    if x == 0:
        return -math.inf
    if x < 0 or math.isnan(x):
        return math.nan
    if math.isinf(x):
        return math.inf
    return math.log(x)


@_fn("log", 2)
def _log(ev, e, x, base):
    x, base = float(_num(x)), float(_num(base))
    num, den = _go_log(x), _go_log(base)
    try:
        r = num / den
    except ZeroDivisionError:
        r = math.nan if num == 0 or math.isnan(num) else math.copysign(math.inf, num)
    if math.isnan(r):
        _fail("log(): the result is not a number")
    return _norm(r)


@_fn("pow", 2)
def _pow(ev, e, x, y):
    x, y = _num(x), _num(y)
    if isinstance(x, int) and isinstance(y, int) and y >= 0:
        if abs(x) > 1 and y * math.log2(abs(x)) > 4096:
            _fail("pow(): the result is too large")
        return x ** y
    try:
        r = math.pow(float(x), float(y))
    except OverflowError:
        r = math.inf
    except ValueError:
        if float(x) == 0:
            r = math.inf
        else:
            _fail("pow(): the result is not a number")
    return _norm(r)


@_fn("min", 1, None)
def _min(ev, e, *xs):
    return min(_num(x, "min() argument") for x in xs)


@_fn("max", 1, None)
def _max(ev, e, *xs):
    return max(_num(x, "max() argument") for x in xs)


@_fn("sum", 1)
def _sum(ev, e, lst):
    items = lst if isinstance(lst, list) else list(_map(lst, "sum() argument").values()) \
        if isinstance(lst, dict) else _list(lst, "sum() argument")
    if not items:
        _fail("sum(): cannot sum an empty list")
    from decimal import Decimal
    exact = _exact()
    total = Decimal(0)
    for i, v in enumerate(items):
        if v is None:
            _fail(f"sum(): element {i} is null")
        total = exact.add(total, _dec(_num(v, f"sum() element {i}")))
    return _from_dec(total)


_DIGITS62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@_fn("parseint", 2)
def _parseint(ev, e, s, base):
    s, base = _str(s), _int(base, "parseint() base")
    if not 2 <= base <= 62:
        _fail("parseint(): base must be a whole number between 2 and 62 inclusive")
    body = s[1:] if s[:1] in "+-" else s
    value = 0
    for ch in body:
        if base <= 36:
            d = _DIGITS62.find(ch.lower()) if ch.isascii() else -1
        else:
            d = _DIGITS62.find(ch) if ch.isascii() else -1
        if d < 0 or d >= base:
            value = None
            break
        value = value * base + d
    if not body or value is None:
        _fail(f"parseint(): cannot parse {s!r} as a base {base} integer")
    return -value if s.startswith("-") else value


@_fn("range", 1, 3)
def _range(ev, e, *args):
    from decimal import Decimal
    nums = [_dec(_num(a, "range() argument")) for a in args]
    if len(nums) == 1:
        start, end, step = Decimal(0), nums[0], Decimal(-1 if nums[0] < 0 else 1)
    elif len(nums) == 2:
        start, end = nums
        step = Decimal(-1 if end < start else 1)
    else:
        start, end, step = nums
    if step == 0:
        _fail("range(): step must not be zero")
    down = step < 0
    if down and end > start:
        _fail("range(): end must be less than start when step is negative")
    if not down and end < start:
        _fail("range(): end must be greater than start when step is positive")
    out = []
    num = start
    exact = _exact()
    while (num > end) if down else (num < end):
        if len(out) >= MAX_RANGE:
            _fail(f"range(): more than {MAX_RANGE} values were generated; either decrease the "
                  "difference between start and end or use a smaller step")
        out.append(_from_dec(num))
        num = exact.add(num, step)
    return out


# -- type conversion -------------------------------------------------------------------------------

@_fn("tostring", 1, nulls=True)
def _tostring(ev, e, v):
    if v is None:
        return None
    if isinstance(v, (list, dict)):
        _fail(f"tostring(): cannot convert {_tname(v)} to string")
    return _str(v)


@_fn("tonumber", 1, nulls=True)
def _tonumber(ev, e, v):
    if v is None:
        return None
    if isinstance(v, (bool, list, dict)):
        _fail(f"tonumber(): cannot convert {_tname(v)} to number")
    return _num(v, "tonumber()")


@_fn("tobool", 1, nulls=True)
def _tobool(ev, e, v):
    if v is None:
        return None
    if not isinstance(v, (bool, str)):
        _fail(f"tobool(): cannot convert {_tname(v)} to bool")
    if isinstance(v, str) and v not in ("true", "false"):
        _fail(f"tobool(): cannot convert {v!r} to bool; only the strings \"true\" and \"false\" "
              "are allowed")
    return _bool(v)


@_fn("tolist", 1, known=False, nulls=True)
def _tolist(ev, e, v):
    if isinstance(v, Unknown) or v is None:
        return v
    return _unify(_list(v, "tolist()"), "tolist()")


@_fn("toset", 1, known=False, nulls=True)
def _toset(ev, e, v):
    if v is None:
        return None
    u = _unknown_in(ev, e, v)
    if u is not None:
        return u  # whether two elements are equal is not known
    return _to_set(_list(v, "toset()"), "toset()")


@_fn("tomap", 1, known=False, nulls=True)
def _tomap(ev, e, v):
    if isinstance(v, Unknown) or v is None:
        return v
    m = _map(v, "tomap()")
    keys = sorted(m)
    return dict(zip(keys, _unify([m[k] for k in keys], "tomap()")))


@_fn("sensitive", 1, known=False, nulls=True)
def _sensitive(ev, e, v):
    return v


@_fn("nonsensitive", 1, known=False, nulls=True)
def _nonsensitive(ev, e, v):
    return v


# -- collections -----------------------------------------------------------------------------------

@_fn("length", 1, known=False)
def _length(ev, e, v):
    if isinstance(v, Unknown):
        return _carry(ev, e, v)
    if isinstance(v, str):
        return len(_graphemes(v))
    if isinstance(v, (list, dict)):
        return len(v)
    _fail(f"length(): argument must be a string, a collection type, or a structural type, "
          f"got {_tname(v)}")


@_fn("element", 2, known=False)
def _element(ev, e, lst, index):
    for a in (lst, index):
        if isinstance(a, Unknown):
            return _carry(ev, e, a)
    u = _unknown_in(ev, e, index)
    if u is not None:
        return u
    lst = _list(lst, "element() list")
    i = _int(index, "element() index")
    if not lst:
        _fail("cannot use element function with an empty list")
    return lst[i % len(lst)]


@_fn("index", 2, known=False, nulls=True)
def _index(ev, e, lst, value):
    if isinstance(lst, Unknown):
        return _carry(ev, e, lst)
    if lst is None:
        _fail("index(): the list must not be null")
    for i, item in enumerate(_list(lst, "index() list")):
        r = _eq3(item, value)
        if r is None:
            return _carry(ev, e, _first_unknown([item, value]))
        if r:
            return i
    _fail("index(): item not found")


@_fn("contains", 2, known=False, nulls=True)
def _contains(ev, e, lst, value):
    if isinstance(lst, Unknown):
        return _carry(ev, e, lst)
    if lst is None:
        _fail("contains(): the collection must not be null")
    undecided = None
    for item in _list(lst, "contains() collection"):
        r = _eq3(item, value)
        if r:
            return True
        if r is None and undecided is None:
            undecided = _first_unknown([item, value])
    if undecided is not None:
        return _carry(ev, e, undecided)
    return False


@_fn("lookup", 2, 3, known=False, nulls=True)
def _lookup(ev, e, m, key, *default):
    if m is None or key is None:
        _fail(f"lookup(): the {'map' if m is None else 'key'} must not be null")
    for a in (m, key):
        if isinstance(a, Unknown):
            return _carry(ev, e, a)
    u = _unknown_in(ev, e, key)
    if u is not None:
        return u
    m = _map(m, "lookup() map")
    key = _str(key, "lookup() key")
    if key in m:
        return m[key]
    if default:
        return default[0]
    _fail(f"lookup(): the given key {key!r} does not exist in the map")


@_fn("keys", 1, known=False)
def _keys(ev, e, m):
    if isinstance(m, Unknown):
        return _carry(ev, e, m)
    return sorted(_map(m, "keys()"))


@_fn("values", 1, known=False)
def _values(ev, e, m):
    if isinstance(m, Unknown):
        return _carry(ev, e, m)
    m = _map(m, "values()")
    return [m[k] for k in sorted(m)]


@_fn("merge", 0, None, known=False, nulls=True)
def _merge(ev, e, *maps):
    out: dict = {}
    for i, m in enumerate(maps):
        if isinstance(m, Unknown):
            return _carry(ev, e, m)
        if m is None:
            continue
        out.update(_map(m, f"merge() argument {i + 1}"))
    return out


@_fn("concat", 1, None, known=False)
def _concat(ev, e, *lists):
    out: list = []
    for i, lst in enumerate(lists):
        if isinstance(lst, Unknown):
            return _carry(ev, e, lst)
        out.extend(_list(lst, f"concat() argument {i + 1}"))
        if len(out) > MAX_RESULT:
            return ev.unknown(e, "concat() result too large")
    return out


@_fn("coalesce", 1, None, known=False, nulls=True)
def _coalesce(ev, e, *args):
    args = _unify(list(args), "coalesce()")
    strings = all(isinstance(a, str) for a in args if a is not None and not isinstance(a, Unknown))
    for a in args:
        if isinstance(a, Unknown):
            return _carry(ev, e, a)
        if a is None or (strings and a == ""):
            continue
        return a
    _fail("coalesce(): no non-null, non-empty-string arguments")


@_fn("coalescelist", 1, None, known=False, nulls=True)
def _coalescelist(ev, e, *lists):
    for i, lst in enumerate(lists):
        if isinstance(lst, Unknown):
            return _carry(ev, e, lst)
        if lst is None:
            continue
        if _list(lst, f"coalescelist() argument {i + 1}"):
            return lst
    _fail("coalescelist(): no non-null arguments")


@_fn("compact", 1, known=False)
def _compact(ev, e, lst):
    u = _unknown_in(ev, e, lst)
    if u is not None:
        return u
    return [_str(v, "compact() element") for v in _list(lst, "compact()")
            if v is not None and v != ""]


@_fn("distinct", 1, known=False)
def _distinct(ev, e, lst):
    u = _unknown_in(ev, e, lst)
    if u is not None:
        return u
    return _dedupe(_list(lst, "distinct()"))


@_fn("flatten", 1, known=False)
def _flatten(ev, e, lst):
    if isinstance(lst, Unknown):
        return _carry(ev, e, lst)
    out: list = []
    stack = [iter(_list(lst, "flatten()"))]
    while stack:
        for v in stack[-1]:
            if isinstance(v, Unknown):
                return _carry(ev, e, v)  # it may be a list to flatten
            if isinstance(v, list):
                if len(stack) > 100:
                    _fail("flatten(): lists nested too deeply")
                stack.append(iter(v))
                break
            out.append(v)
            if len(out) > MAX_RESULT:
                return ev.unknown(e, "flatten() result too large")
        else:
            stack.pop()
    return out


@_fn("reverse", 1, known=False)
def _reverse(ev, e, lst):
    if isinstance(lst, Unknown):
        return _carry(ev, e, lst)
    return list(reversed(_list(lst, "reverse()")))


@_fn("slice", 3, known=False)
def _slice(ev, e, lst, start, end):
    for a in (lst, start, end):
        u = _first_unknown(a) if a is not lst else (a if isinstance(a, Unknown) else None)
        if u is not None:
            return _carry(ev, e, u)
    lst = _list(lst, "slice() list")
    start, end = _int(start, "slice() start"), _int(end, "slice() end")
    if start < 0:
        _fail("slice(): from index must be greater than or equal to 0")
    if end > len(lst):
        _fail("slice(): to index must be less than or equal to the length of the input list")
    if start > end:
        _fail("slice(): from index must be less than or equal to index")
    return lst[start:end]


@_fn("sort", 1, known=False)
def _sort(ev, e, lst):
    u = _unknown_in(ev, e, lst)
    if u is not None:
        return u
    items = _list(lst, "sort()")
    for i, v in enumerate(items):
        if v is None:
            _fail(f"sort(): given list element {i} is null; a null string cannot be sorted")
    return sorted(_str(v, "sort() element") for v in items)


@_fn("chunklist", 2, known=False)
def _chunklist(ev, e, lst, size):
    if isinstance(lst, Unknown):
        return _carry(ev, e, lst)
    u = _unknown_in(ev, e, size)
    if u is not None:
        return u
    lst = _list(lst, "chunklist() list")
    size = _int(size, "chunklist() size")
    if size < 0:
        _fail("chunklist(): the size argument must be positive")
    if not lst:
        return []
    if size == 0:
        return [list(lst)]
    return [lst[i:i + size] for i in range(0, len(lst), size)]


@_fn("one", 1, known=False)
def _one(ev, e, lst):
    if isinstance(lst, Unknown):
        return _carry(ev, e, lst)
    lst = _list(lst, "one()")
    if len(lst) > 1:
        _fail("one(): must be a list, set, or tuple value with either zero or one elements")
    return lst[0] if lst else None


@_fn("zipmap", 2, known=False)
def _zipmap(ev, e, keys, values):
    u = _unknown_in(ev, e, keys)
    if u is not None:
        return u
    if isinstance(values, Unknown):
        return _carry(ev, e, values)
    keys = [_str(k, "zipmap() key") for k in _list(keys, "zipmap() keys")]
    values = _list(values, "zipmap() values")
    if len(keys) != len(values):
        _fail(f"zipmap(): number of keys ({len(keys)}) does not match number of values "
              f"({len(values)})")
    return dict(zip(keys, values))


@_fn("transpose", 1, known=False)
def _transpose(ev, e, m):
    u = _unknown_in(ev, e, m)
    if u is not None:
        return u
    out: dict[str, list] = {}
    m = _map(m, "transpose()")
    for k in sorted(m):
        for v in _list(m[k], "transpose() value"):
            out.setdefault(_str(v, "transpose() element"), []).append(k)
    return out


@_fn("matchkeys", 3, known=False)
def _matchkeys(ev, e, values, keys, searchset):
    for a in (keys, searchset):
        u = _unknown_in(ev, e, a)
        if u is not None:
            return u
    if isinstance(values, Unknown):
        return _carry(ev, e, values)
    values, keys = _list(values, "matchkeys() values"), _list(keys, "matchkeys() keys")
    search = _list(searchset, "matchkeys() searchset")
    if len(values) != len(keys):
        _fail("matchkeys(): length of keys and values should be equal")
    unified = _unify(keys + search, "matchkeys()")
    keys, search = unified[:len(keys)], unified[len(keys):]
    wanted = {_key(s) for s in search}
    return [v for v, k in zip(values, keys) if _key(k) in wanted]


def _quantifier(ev, e, lst, name: str, decisive: bool):
    """alltrue (decisive False) and anytrue (decisive True): one known decisive element answers,
    whatever else is unknown; a null counts as false."""
    if isinstance(lst, Unknown):
        return _carry(ev, e, lst)
    pending = None
    for i, v in enumerate(_list(lst, f"{name}()")):
        if isinstance(v, Unknown):
            pending = v
            continue
        if (v is not None and _bool(v, f"{name}() element {i}")) == decisive:
            return decisive
    return (not decisive) if pending is None else _carry(ev, e, pending)


@_fn("alltrue", 1, known=False)
def _alltrue(ev, e, lst):
    return _quantifier(ev, e, lst, "alltrue", False)


@_fn("anytrue", 1, known=False)
def _anytrue(ev, e, lst):
    return _quantifier(ev, e, lst, "anytrue", True)


def _set_args(ev, e, name, sets):
    u = _unknown_in(ev, e, list(sets))
    if u is not None:
        return u, None
    lists = [_list(s, f"{name}() argument {i + 1}") for i, s in enumerate(sets)]
    flat = _unify([v for s in lists for v in s], f"{name}()")
    out, pos = [], 0
    for s in lists:
        out.append(flat[pos:pos + len(s)])
        pos += len(s)
    return None, out


@_fn("setunion", 1, None, known=False)
def _setunion(ev, e, *sets):
    u, lists = _set_args(ev, e, "setunion", sets)
    if u is not None:
        return u
    return _set_order(_dedupe([v for s in lists for v in s]))


@_fn("setintersection", 1, None, known=False)
def _setintersection(ev, e, *sets):
    u, lists = _set_args(ev, e, "setintersection", sets)
    if u is not None:
        return u
    first = _dedupe(lists[0])
    others = [{_key(v) for v in s} for s in lists[1:]]
    return _set_order([v for v in first if all(_key(v) in o for o in others)])


@_fn("setsubtract", 2, known=False)
def _setsubtract(ev, e, a, b):
    u, lists = _set_args(ev, e, "setsubtract", (a, b))
    if u is not None:
        return u
    drop = {_key(v) for v in lists[1]}
    return _set_order([v for v in _dedupe(lists[0]) if _key(v) not in drop])


@_fn("setproduct", 2, None, known=False)
def _setproduct(ev, e, *sets):
    lists = []
    total = 1
    for i, s in enumerate(sets):
        if isinstance(s, Unknown):
            return _carry(ev, e, s)
        lists.append(_list(s, f"setproduct() argument {i + 1}"))
        total *= len(lists[-1])
    if total == 0:
        return []
    if total > MAX_RESULT:
        return ev.unknown(e, "setproduct() result too large")
    out: list[list] = [[]]
    for lst in lists:
        out = [row + [v] for row in out for v in lst]
    return out


# -- encodings -------------------------------------------------------------------------------------

def _json_str(s: str) -> str:
    """A JSON string as Go's encoding/json writes it (HTML characters escaped)."""
    out = json.dumps(s, ensure_ascii=False)
    if any(c in out for c in "<>&\u2028\u2029"):
        out = (out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
               .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return out


def _json(v) -> str:
    """Terraform's jsonencode of a known value: compact, keys sorted."""
    parts: list[str] = []

    def walk(x, depth):
        if depth > 500:
            _fail("jsonencode(): value nested too deeply")
        if x is None:
            parts.append("null")
        elif isinstance(x, bool):
            parts.append("true" if x else "false")
        elif _is_num(x):
            if isinstance(x, float) and not math.isfinite(x):
                _fail("jsonencode(): cannot encode an infinite number")
            parts.append(_num_str(x))
        elif isinstance(x, str):
            parts.append(_json_str(x))
        elif isinstance(x, list):
            parts.append("[")
            for i, item in enumerate(x):
                if i:
                    parts.append(",")
                walk(item, depth + 1)
            parts.append("]")
        elif isinstance(x, dict):
            parts.append("{")
            for i, k in enumerate(sorted(x)):
                if i:
                    parts.append(",")
                parts.append(_json_str(k))
                parts.append(":")
                walk(x[k], depth + 1)
            parts.append("}")
        else:
            _fail(f"jsonencode(): cannot encode a {_tname(x)}")
    walk(v, 0)
    return "".join(parts)


@_fn("jsonencode", 1, known=False, nulls=True)
def _jsonencode(ev, e, v):
    u = _first_unknown(v)
    if u is not None:
        # the text is unknown, its structure is not: policies read it through model.decoded()
        text = ev.unknown(e, u.reason)
        return Encoded(v, text.expression, f"jsonencode() of a value with unknown parts: {u.reason}", text.span)
    return _json(v)


def _json_number(text: str):
    n = _parse_number(text)
    if n is None:
        _fail(f"jsondecode(): number {text[:40]!r} is out of range")
    return n


def _json_constant(name: str):
    _fail(f"jsondecode(): {name} is not valid JSON")


@_fn("jsondecode", 1)
def _jsondecode(ev, e, s):
    s = _str(s, "jsondecode() argument")
    try:
        return json.loads(s, parse_float=_json_number, parse_int=_json_number,
                          parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        _fail(f"jsondecode(): {exc.msg} at line {exc.lineno}, column {exc.colno}")
    except RecursionError:
        return ev.unknown(e, "jsondecode(): document nested too deeply")


@_fn("base64encode", 1)
def _base64encode(ev, e, s):
    import base64
    return base64.b64encode(_str(s).encode("utf-8")).decode("ascii")


def _b64decode(s: str, name: str) -> bytes:
    import base64
    try:
        return base64.b64decode(s.replace("\r", "").replace("\n", ""), validate=True)
    except ValueError:
        _fail(f"{name}(): failed to decode base64 data {s[:40]!r}")


@_fn("base64decode", 1)
def _base64decode(ev, e, s):
    raw = _b64decode(_str(s), "base64decode")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        _fail("base64decode(): the result of decoding the provided string is not valid UTF-8")


@_fn("urlencode", 1)
def _urlencode(ev, e, s):
    from urllib.parse import quote_plus
    return quote_plus(_str(s), safe="")


def _hash_fns(prefix: str, data_of):
    for algo in ("md5", "sha1", "sha256", "sha512"):
        def hexdigest(ev, e, *args, _algo=algo, _name=f"{prefix}{algo}"):
            data = data_of(ev, e, args[0], _name)
            if isinstance(data, Unknown):
                return data
            import hashlib
            return hashlib.new(_algo, data).hexdigest()
        _fn(f"{prefix}{algo}", 1)(hexdigest)
    for algo in ("sha256", "sha512"):
        def b64digest(ev, e, *args, _algo=algo, _name=f"{prefix}base64{algo}"):
            data = data_of(ev, e, args[0], _name)
            if isinstance(data, Unknown):
                return data
            import base64
            import hashlib
            return base64.b64encode(hashlib.new(_algo, data).digest()).decode("ascii")
        _fn(f"{prefix}base64{algo}", 1)(b64digest)


_hash_fns("", lambda ev, e, s, name: _str(s).encode("utf-8"))


@_fn("uuidv5", 2)
def _uuidv5(ev, e, namespace, name):
    import uuid
    namespace, name = _str(namespace), _str(name)
    spaces = {"dns": uuid.NAMESPACE_DNS, "url": uuid.NAMESPACE_URL, "oid": uuid.NAMESPACE_OID,
              "x500": uuid.NAMESPACE_X500}
    ns = spaces.get(namespace)
    if ns is None:
        try:
            ns = uuid.UUID(namespace)
        except ValueError:
            _fail(f"uuidv5(): {namespace!r} is not a valid namespace (dns, url, oid, x500 or "
                  "a UUID)")
    return str(uuid.uuid5(ns, name))


@_fn("csvdecode", 1)
def _csvdecode(ev, e, s):
    import csv
    import io
    rows = []
    try:
        for row in csv.reader(io.StringIO(_str(s), newline=""), strict=True):
            if row:
                rows.append(row)
            if len(rows) > MAX_RESULT:
                return ev.unknown(e, "csvdecode(): too many rows")
    except csv.Error as exc:
        _fail(f"csvdecode(): {exc}")
    if not rows:
        _fail("csvdecode(): missing header line")
    header = rows[0]
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            _fail(f"csvdecode(): record on line {n}: wrong number of fields")
        out.append(dict(zip(header, row)))
    return out


# -- YAML ------------------------------------------------------------------------------------------

def _yaml_printable(ch: str) -> bool:
    """libyaml's is_printable, as go-yaml has it (4-byte UTF-8 and NEL are not)."""
    o = ord(ch)
    return (o == 0x0A or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF
            or (0xE000 <= o <= 0xFFFD and o != 0xFEFF))


_YAML_BREAKS = "\n\r\x85\u2028\u2029"
_YAML_ESCAPES = {"\0": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v",
                 "\x0c": "f", "\r": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N",
                 "\xa0": "_", "\u2028": "L", "\u2029": "P"}


class _YamlEmitter:
    """The subset of go-yaml's (libyaml's) emitter that cty's yamlencode drives: block style,
    strings double-quoted (literal block style when they contain a newline), plain numbers,
    bools and nulls, empty collections in flow style, 80-column folding of quoted strings."""

    WIDTH = 80

    def __init__(self):
        self.out: list[str] = []
        self.column = 0
        self.open_ended = False

    def write(self, text: str):
        self.out.append(text)
        self.column += len(text)

    def newline(self):
        self.out.append("\n")
        self.column = 0

    def line(self, indent: int):
        """Start a new line at ``indent`` (unless nothing has been written on this one)."""
        if self.column > 0:
            self.newline()
        self.write(" " * indent)

    @staticmethod
    def block_allowed(s: str) -> bool:
        if not s or s[-1] == " ":
            return False
        prev_space = False
        for ch in s:
            if not _yaml_printable(ch):
                return False
            if ch in _YAML_BREAKS and prev_space:
                return False
            prev_space = ch == " "
        return True

    def scalar(self, v, indent: int, root: bool = False):
        """A scalar after the current text; ``indent`` is where its continuation lines go."""
        if isinstance(v, str):
            if "\n" in v and self.block_allowed(v):
                self.literal(v, indent)
            else:
                self.double_quoted(v, indent, allow_breaks=True)
            return
        if v is None:
            text = "null"
        elif isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, float) and math.isinf(v):
            text = "+.Inf" if v > 0 else "-.Inf"
        else:
            text = _num_str(v)
        self.write(text)
        if root:
            self.open_ended = True

    def double_quoted(self, s: str, indent: int, allow_breaks: bool):
        self.write('"')
        spaces = False
        n = len(s)
        for i, ch in enumerate(s):
            if not _yaml_printable(ch) or ch in _YAML_BREAKS or ch in '"\\':
                esc = _YAML_ESCAPES.get(ch)
                if esc is None:
                    o = ord(ch)
                    esc = f"x{o:02X}" if o <= 0xFF else f"u{o:04X}" if o <= 0xFFFF else f"U{o:08X}"
                self.write("\\" + esc)
                spaces = False
            elif ch == " ":
                if (allow_breaks and not spaces and self.column > self.WIDTH and i != 0
                        and i != n - 1):
                    self.newline()
                    self.write(" " * indent)
                    if i + 1 < n and s[i + 1] == " ":
                        self.write("\\")
                else:
                    self.write(" ")
                spaces = True
            else:
                self.write(ch)
                spaces = False
        self.write('"')

    def literal(self, s: str, indent: int):
        hints = "2" if s[0] in " " + _YAML_BREAKS else ""
        self.open_ended = False
        if s[-1] not in _YAML_BREAKS:
            hints += "-"
        elif len(s) == 1 or s[-2] in _YAML_BREAKS:
            hints += "+"
            self.open_ended = True
        self.write("|" + hints)
        self.newline()
        at_line_start = True
        for ch in s:
            if ch == "\n":
                self.newline()
                at_line_start = True
            elif ch in _YAML_BREAKS:  # written as itself, and a new line starts after it
                self.out.append(ch)
                self.column = 0
                at_line_start = True
            else:
                if at_line_start:
                    self.write(" " * indent)
                    at_line_start = False
                self.write(ch)

    def sequence(self, items: list, indent: int, inline_first: bool):
        for i, item in enumerate(items):
            if i or not inline_first:
                self.line(indent)
            self.write("- ")
            self.inline_node(item, indent + 2)

    def mapping(self, m: dict, indent: int, inline_first: bool):
        for i, k in enumerate(sorted(m)):
            if i or not inline_first:
                self.line(indent)
            v = m[k]
            if any(c in _YAML_BREAKS for c in k) or len(k.encode("utf-8")) > 128:
                self.write("? ")
                self.scalar(k, indent + 2)
                self.line(indent)
                self.write(": ")
                self.inline_node(v, indent + 2)
                continue
            self.double_quoted(k, indent, allow_breaks=False)
            self.write(":")
            if isinstance(v, list) and v:
                self.sequence(v, indent, inline_first=False)  # not indented under its key
            elif isinstance(v, dict) and v:
                self.mapping(v, indent + 2, inline_first=False)
            else:
                self.write(" ")
                self.inline_node(v, indent + 2)

    def inline_node(self, v, indent: int):
        """A node that starts on the current line (after "- ", ": " or "? ")."""
        if isinstance(v, list) and v:
            self.sequence(v, indent, inline_first=True)
        elif isinstance(v, dict) and v:
            self.mapping(v, indent, inline_first=True)
        elif isinstance(v, (list, dict)):
            self.write("[]" if isinstance(v, list) else "{}")
        else:
            self.scalar(v, indent)

    def document(self, v) -> str:
        if isinstance(v, list) and v:
            self.sequence(v, 0, inline_first=True)
        elif isinstance(v, dict) and v:
            self.mapping(v, 0, inline_first=True)
        elif isinstance(v, (list, dict)):
            self.write("[]" if isinstance(v, list) else "{}")
        else:
            self.scalar(v, 2, root=True)
        if self.column > 0:
            self.newline()
        if self.open_ended:
            self.out.append("...\n")
        return "".join(self.out)


@_fn("yamlencode", 1, nulls=True)
def _yamlencode(ev, e, v):
    return _YamlEmitter().document(v)


_YAML_BOOL = {**dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On",
                               "ON"), True),
              **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off",
                               "Off", "OFF"), False)}
_YAML_NULL = ("", "~", "null", "Null", "NULL")
_YAML_TS = lazy_re(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?"
                      r"(Z|[+-]\d{2}:\d{2})?)?")


def _yaml_plain(src: str):
    """cty-yaml's resolution of a plain scalar (YAML 1.1 booleans, decimal/0x/0o numbers,
    timestamps as RFC 3339 strings)."""
    if src in _YAML_BOOL:
        return _YAML_BOOL[src]
    if src in _YAML_NULL:
        return None
    if src in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
        return math.inf
    if src in ("-.inf", "-.Inf", "-.INF"):
        return -math.inf
    if src in (".nan", ".NaN", ".NAN"):
        _fail("yamldecode(): floating point NaN is not supported")
    if src[:1] in "+-0123456789.":
        m = _YAML_TS.fullmatch(src)
        if m and (m.group(4) is None or m.group(4) in "Tt" and m.group(9) or m.group(4) == " "
                  and m.group(9) is None):
            y, mo, d = (int(m.group(k)) for k in (1, 2, 3))
            if m.group(4) is None:
                return f"{y:04d}-{mo:02d}-{d:02d}T00:00:00Z"
            h, mi, s = (int(m.group(k)) for k in (5, 6, 7))
            frac = (m.group(8) or "").rstrip("0").rstrip(".")
            zone = m.group(9) or "Z"
            zone = "Z" if zone in ("Z", "+00:00") else zone
            return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{frac}{zone}"
        plain = src.replace("_", "") if src[:1] != "." else src
        n = _parse_number(plain)
        if n is not None:
            return n
        sign = -1 if plain.startswith("-") else 1
        body = plain.lstrip("+-")
        for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
            if body.startswith(prefix) and len(body) > 2:
                try:
                    return sign * int(body[2:], base)
                except ValueError:
                    break
        if len(body) > 1 and body.startswith("0") and body.isdigit():
            try:
                return sign * int(body, 8)
            except ValueError:
                pass
    return src


@_fn("yamldecode", 1)
def _yamldecode(ev, e, s):
    import yaml  # noqa: PLC0415 - only when a configuration calls yamldecode
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode
    s = _str(s)
    try:
        root = yaml.compose(s, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        _fail(f"yamldecode(): {str(exc).splitlines()[0]}")
    except RecursionError:
        return ev.unknown(e, "yamldecode(): document nested too deeply")
    budget = [MAX_RESULT]

    def convert(node, depth):
        budget[0] -= 1
        if budget[0] < 0 or depth > 200:
            raise _Budget()
        if isinstance(node, ScalarNode):
            if node.style is None and node.tag in _YAML_IMPLICIT_TAGS:
                return _yaml_plain(node.value)
            tag = node.tag.rsplit(":", 1)[-1]
            if node.style is None or tag in ("str", "binary"):
                return node.value if tag in ("str", "binary") or node.style else \
                    _yaml_plain(node.value)
            if tag in ("int", "float", "bool", "null"):
                return _yaml_plain(node.value)
            return node.value
        if isinstance(node, SequenceNode):
            return [convert(n, depth + 1) for n in node.value]
        if isinstance(node, MappingNode):
            out = {}
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.style is None and k.value == "<<":
                    merged = convert(v, depth + 1)
                    if not isinstance(merged, dict):
                        _fail(f"yamldecode(): cannot merge {_tname(merged)} into mapping")
                    out.update(merged)
                    continue
                key = convert(k, depth + 1)
                if isinstance(key, (list, dict)) or key is None:
                    _fail("yamldecode(): only string, number and bool keys are supported")
                out[_str(key)] = convert(v, depth + 1)
            return out
        _fail("yamldecode(): unsupported YAML node")

    if root is None:
        return None
    try:
        return convert(root, 0)
    except _Budget:
        return ev.unknown(e, "yamldecode(): document too large (aliases expand too far)")


class _Budget(Exception):
    pass


_YAML_IMPLICIT_TAGS = {f"tag:yaml.org,2002:{t}" for t in
                       ("str", "int", "float", "bool", "null", "timestamp", "merge", "value",
                        "binary")}


# -- regular expressions (RE2 syntax, run by Python's re) -----------------------------------------

_WORD = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
_PERL = {"d": [(0x30, 0x39)], "s": [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)], "w": _WORD}
_POSIX = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)], "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0, 0x7F)], "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0, 0x1F), (0x7F, 0x7F)], "digit": [(0x30, 0x39)], "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)], "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)], "upper": [(0x41, 0x5A)], "word": _WORD,
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_W = "[0-9A-Za-z_]"
_ASSERTS = {"A": r"\A", "z": r"\Z",
            "b": rf"(?:(?<={_W})(?!{_W})|(?<!{_W})(?={_W}))",
            "B": rf"(?:(?<={_W})(?={_W})|(?<!{_W})(?!{_W}))"}
_CHAR_ESCAPES = {"a": 7, "f": 12, "t": 9, "n": 10, "r": 13, "v": 11}


def _negate(ranges):
    out, lo = [], 0
    for a, b in sorted(ranges):
        if a > lo:
            out.append((lo, a - 1))
        lo = max(lo, b + 1)
    if lo <= 0x10FFFF:
        out.append((lo, 0x10FFFF))
    return out


def _lit(cp: int) -> str:
    ch = chr(cp)
    if ch.isascii() and ch.isalnum():
        return ch
    return f"\\x{cp:02x}" if cp <= 0xFF else f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


class _Compiled:
    __slots__ = ("compiled", "max_input")

    def __init__(self, compiled, risky: bool, unbounded: int):
        self.compiled = compiled
        if risky:
            self.max_input = RISKY_REGEX_INPUT
        else:
            self.max_input = min(MAX_REGEX_INPUT, int(REGEX_STEPS ** (1 / (unbounded + 1))))


_GROUP_OPENER = lazy_re(r"\(\?(?:P?<([^>]*)>|([imsU]*)(?:-([imsU]*))?(:|\)))")


class _Re2Translator:
    """RE2 syntax (Go's regexp) to an equivalent Python pattern, or an error for what Go
    rejects or Python cannot express the same way."""

    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        self.risky = False
        self.unbounded = 0

    def fail(self, msg: str) -> NoReturn:
        _fail(f"invalid regexp pattern: {msg} in {self.p!r}")

    def translate(self) -> str:  # noqa: C901 - one pass over the pattern
        p, n = self.p, len(self.p)
        # each level: flags (set), open mid-group flag scopes, has quantifier/alternation
        levels = [{"flags": set(), "scopes": [], "rep": False}]
        at_start = True
        can_repeat = prev_quant = last_group_rep = False
        while self.i < n:
            c = p[self.i]
            lvl = levels[-1]
            if c == "\\":
                kind, value = self.escape(in_class=False)
                if kind == "quote":
                    self.out.append("".join(_lit(ord(ch)) for ch in value))
                    can_repeat = bool(value)
                elif kind == "assert":
                    self.out.append(value)
                    can_repeat = False
                elif kind == "class":
                    self.out.append(self.emit_class(value, False))
                    can_repeat = True
                else:
                    self.out.append(_lit(value))
                    can_repeat = True
                prev_quant = last_group_rep = False
                at_start = False
                continue
            if c == "[":
                self.out.append(self.char_class())
                can_repeat, prev_quant, last_group_rep, at_start = True, False, False, False
                continue
            if c == "(":
                if p.startswith("(?", self.i):
                    m = _GROUP_OPENER.match(p, self.i)
                    if not m:
                        self.fail("invalid or unsupported Perl syntax")
                    name, on, off, end = m.group(1), m.group(2), m.group(3), m.group(4)
                    self.i = m.end()
                    if name is not None:
                        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                            self.fail(f"invalid named capture {name!r}")
                        self.out.append(f"(?P<{name}>")
                        levels.append({"flags": set(lvl["flags"]), "scopes": [], "rep": False})
                        can_repeat, prev_quant, at_start = False, False, False
                        continue
                    on, off = on or "", off or ""
                    if off is not None and m.group(3) is not None and not off:
                        self.fail("missing flags after '-'")
                    if "U" in on + off:
                        _fail("regular expression flag U (ungreedy) is not supported")
                    flags = (set(lvl["flags"]) | set(on)) - set(off)
                    spec = on + (f"-{off}" if off else "")
                    if end == ":":
                        self.out.append(f"(?{spec}:" if spec else "(?:")
                        levels.append({"flags": flags, "scopes": [], "rep": False})
                        can_repeat, prev_quant, at_start = False, False, False
                        continue
                    if not on and not off:
                        self.fail("missing flags")
                    if at_start and len(levels) == 1:
                        if on:
                            self.out.append(f"(?{on})")
                    else:
                        self.out.append(f"(?{spec}:")
                        lvl["scopes"].append(spec)
                    lvl["flags"] = flags
                    continue
                self.out.append("(")
                self.i += 1
                levels.append({"flags": set(lvl["flags"]), "scopes": [], "rep": False})
                can_repeat, prev_quant, at_start = False, False, False
                continue
            at_start = False
            if c == ")":
                if len(levels) == 1:
                    self.fail("unexpected )")
                done = levels.pop()
                self.out.append(")" * len(done["scopes"]) + ")")
                if done["rep"]:
                    levels[-1]["rep"] = True
                self.i += 1
                can_repeat, prev_quant, last_group_rep = True, False, done["rep"]
                continue
            if c == "|":
                lvl["rep"] = True
                scopes = lvl["scopes"]
                self.out.append(")" * len(scopes) + "|" + "".join(f"(?{s}:" for s in scopes))
                self.i += 1
                can_repeat, prev_quant = False, False
                continue
            if c in "*+?" or (c == "{" and self.repeat_at(self.i)):
                if prev_quant:
                    self.fail("invalid nested repetition operator")
                if not can_repeat:
                    self.fail("missing argument to repetition operator")
                if c == "{":
                    m = self.repeat_at(self.i)
                    lo, hi = int(m.group(1)), m.group(3)
                    if lo > 1000 or (hi and int(hi) > 1000) or (hi and int(hi) < lo):
                        self.fail("invalid repeat count")
                    self.out.append(m.group(0))
                    self.i = m.end()
                    open_ended = m.group(2) is not None and not hi
                    many = open_ended or (hi is not None and hi != "" and int(hi) > max(lo, 1))
                else:
                    self.out.append(c)
                    self.i += 1
                    open_ended = many = c != "?"
                self.unbounded += open_ended
                if self.i < n and p[self.i] == "?":
                    self.out.append("?")
                    self.i += 1
                if last_group_rep and many:
                    self.risky = True
                lvl["rep"] = True
                prev_quant, can_repeat = True, True
                continue
            if c == "$":
                self.out.append("$" if "m" in lvl["flags"] else r"\Z")
                can_repeat = False
            elif c == "^":
                self.out.append("^")
                can_repeat = False
            elif c == ".":
                self.out.append(".")
                can_repeat = True
            else:
                self.out.append(_lit(ord(c)))
                can_repeat = True
            prev_quant = last_group_rep = False
            self.i += 1
        if len(levels) > 1:
            self.fail("missing closing )")
        self.out.append(")" * len(levels[0]["scopes"]))
        return "".join(self.out)

    _REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")

    def repeat_at(self, i):
        return self._REPEAT.match(self.p, i)

    def escape(self, in_class: bool):
        p, n = self.p, len(self.p)
        self.i += 1
        if self.i >= n:
            self.fail("trailing backslash at end of expression")
        c = p[self.i]
        self.i += 1
        if c in "01234567":
            j = self.i
            while j < n and j < self.i + 2 and p[j] in "01234567":
                j += 1
            if c != "0" and j == self.i:
                self.fail(f"invalid escape sequence \\{c}")
            value = int(c + p[self.i:j], 8)
            self.i = j
            return "char", value
        if c == "x":
            if self.i < n and p[self.i] == "{":
                end = p.find("}", self.i)
                digits = p[self.i + 1:end] if end > 0 else ""
                if (not digits or not re.fullmatch(r"[0-9A-Fa-f]+", digits)
                        or int(digits, 16) > 0x10FFFF):
                    self.fail("invalid escape sequence \\x")
                self.i = end + 1
                return "char", int(digits, 16)
            digits = p[self.i:self.i + 2]
            if not re.fullmatch(r"[0-9A-Fa-f]{2}", digits):
                self.fail("invalid escape sequence \\x")
            self.i += 2
            return "char", int(digits, 16)
        if c in _CHAR_ESCAPES:
            return "char", _CHAR_ESCAPES[c]
        if c.lower() in _PERL:
            ranges = _PERL[c.lower()]
            return "class", (_negate(ranges) if c.isupper() else ranges)
        if c in _ASSERTS and not in_class:
            return "assert", _ASSERTS[c]
        if c == "Q" and not in_class:
            end = p.find("\\E", self.i)
            text = p[self.i:] if end < 0 else p[self.i:end]
            self.i = n if end < 0 else end + 2
            return "quote", text
        if c in "pP":
            self.fail("Unicode character classes (\\p, \\P) are not supported here")
        if c.isascii() and not c.isalnum():
            return "char", ord(c)
        self.fail(f"invalid escape sequence \\{c}")

    def char_class(self) -> str:
        p, n = self.p, len(self.p)
        self.i += 1
        negated = self.i < n and p[self.i] == "^"
        if negated:
            self.i += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            if self.i >= n:
                self.fail("missing closing ]")
            c = p[self.i]
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            m = re.compile(r"\[:(\^?)([a-z]+):\]").match(p, self.i)
            if m:
                if m.group(2) not in _POSIX:
                    self.fail(f"invalid character class range {m.group(0)}")
                cls = _POSIX[m.group(2)]
                ranges.extend(_negate(cls) if m.group(1) else cls)
                self.i = m.end()
                continue
            kind, lo = self.class_char()
            if kind == "class":
                ranges.extend(lo)
                continue
            if self.i + 1 < n and p[self.i] == "-" and p[self.i + 1] != "]":
                self.i += 1
                kind, hi = self.class_char()
                if kind == "class" or hi < lo:
                    self.fail("invalid character class range")
                ranges.append((lo, hi))
            else:
                ranges.append((lo, lo))
        return self.emit_class(ranges, negated)

    def class_char(self):
        c = self.p[self.i]
        if c == "\\":
            kind, value = self.escape(in_class=True)
            if kind not in ("char", "class"):
                self.fail("invalid escape sequence in character class")
            return kind, value
        self.i += 1
        return "char", ord(c)

    @staticmethod
    def emit_class(ranges, negated: bool) -> str:
        if not ranges:
            return r"[\x00-\U0010ffff]" if negated else "(?!)"
        body = "".join(_lit(a) if a == b else f"{_lit(a)}-{_lit(b)}" for a, b in sorted(ranges))
        return f"[{'^' if negated else ''}{body}]"


@lru_cache(maxsize=256)
def _regex(pattern: str) -> _Compiled:
    tr = _Re2Translator(pattern)
    py = tr.translate()
    try:
        compiled = re.compile(py)
    except (re.error, OverflowError, RecursionError) as exc:
        _fail(f"invalid regexp pattern: {exc} in {pattern!r}")
    return _Compiled(compiled, tr.risky, tr.unbounded)


def _go_find_all(rx, s: str):
    """Successive non-overlapping matches as Go's regexp finds them: an empty match right after
    the previous match is skipped."""
    pos, prev_end, n = 0, -1, len(s)
    while pos <= n:
        m = rx.search(s, pos)
        if not m:
            return
        accept = True
        if m.end() == pos == m.start():
            if m.start() == prev_end:
                accept = False
            pos += 1
        else:
            pos = m.end()
        prev_end = m.end()
        if accept:
            yield m


_GO_NAME = lazy_re(r"[^\W]+", re.UNICODE)


def _go_expand(template: str, m, rx) -> str:
    """Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$."""
    out, i, n = [], 0, len(template)
    groups = rx.groupindex
    while i < n:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        i = j + 1
        if i < n and template[i] == "$":
            out.append("$")
            i += 1
            continue
        brace = i < n and template[i] == "{"
        k = i + 1 if brace else i
        nm = _GO_NAME.match(template, k)
        if not nm or (brace and (nm.end() >= n or template[nm.end()] != "}")):
            out.append("$")
            continue
        name = nm.group(0)
        i = nm.end() + (1 if brace else 0)
        if name.isdigit() and name.isascii() and not (name[0] == "0" and len(name) > 1) \
                and len(name) < 9:
            num = int(name)
            if num <= rx.groups and m.group(num) is not None:
                out.append(m.group(num))
        elif name in groups and m.group(name) is not None:
            out.append(m.group(name))
    return "".join(out)


def _regex_result(m, rx):
    names = [None] * rx.groups
    for name, idx in rx.groupindex.items():
        names[idx - 1] = name
    if not names:
        return m.group(0)
    if all(names):
        return {name: m.group(name) for name in names}
    return [m.group(k + 1) for k in range(rx.groups)]


def _regex_setup(ev, e, pattern, s):
    pattern, s = _str(pattern), _str(s)
    rx = _regex(pattern)
    names = list(rx.compiled.groupindex)
    if names and len(names) != rx.compiled.groups:
        _fail("invalid regexp pattern: cannot mix both named and unnamed capture groups")
    if len(s) > rx.max_input:
        return None, ev.unknown(e, "regular expression too costly to run on an input this long")
    return rx.compiled, s


@_fn("regex", 2)
def _regex_fn(ev, e, pattern, s):
    rx, s = _regex_setup(ev, e, pattern, s)
    if rx is None:
        return s
    m = rx.search(s)
    if m is None:
        _fail("regex(): pattern did not match any part of the given string")
    return _regex_result(m, rx)


@_fn("regexall", 2)
def _regexall(ev, e, pattern, s):
    rx, s = _regex_setup(ev, e, pattern, s)
    if rx is None:
        return s
    out = []
    for m in _go_find_all(rx, s):
        out.append(_regex_result(m, rx))
        if len(out) > MAX_RESULT:
            return ev.unknown(e, "regexall(): too many matches")
    return out


# -- IP networks -----------------------------------------------------------------------------------

def _network(prefix: str, name: str):
    import ipaddress
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError as exc:
        _fail(f"{name}(): invalid CIDR expression: {exc}")


@_fn("cidrhost", 2)
def _cidrhost(ev, e, prefix, hostnum):
    net = _network(_str(prefix), "cidrhost")
    host = _int(hostnum, "cidrhost() hostnum")
    size = net.num_addresses
    offset = host if host >= 0 else size + host
    if not 0 <= offset < size:
        _fail(f"cidrhost(): prefix of {net.prefixlen} does not accommodate a host numbered {host}")
    return str(net.network_address + offset)


@_fn("cidrnetmask", 1)
def _cidrnetmask(ev, e, prefix):
    net = _network(_str(prefix), "cidrnetmask")
    if net.version != 4:
        _fail("cidrnetmask(): only IPv4 networks are supported")
    return str(net.netmask)


def _subnet(net, newbits: int, netnum: int, name: str):
    import ipaddress
    newlen = net.prefixlen + newbits
    if newbits < 0:
        _fail(f"{name}(): newbits must not be negative")
    if newlen > net.max_prefixlen:
        _fail(f"{name}(): insufficient address space to extend prefix of {net.prefixlen} by "
              f"{newbits}")
    if netnum < 0 or netnum >= (1 << newbits):
        _fail(f"{name}(): prefix extension of {newbits} does not accommodate a subnet numbered "
              f"{netnum}")
    base = int(net.network_address) + (netnum << (net.max_prefixlen - newlen))
    cls = ipaddress.IPv4Network if net.version == 4 else ipaddress.IPv6Network
    return cls((base, newlen))


@_fn("cidrsubnet", 3)
def _cidrsubnet(ev, e, prefix, newbits, netnum):
    net = _network(_str(prefix), "cidrsubnet")
    return str(_subnet(net, _int(newbits, "cidrsubnet() newbits"),
                       _int(netnum, "cidrsubnet() netnum"), "cidrsubnet"))


@_fn("cidrsubnets", 1, None)
def _cidrsubnets(ev, e, prefix, *newbits):
    import ipaddress
    net = _network(_str(prefix), "cidrsubnets")
    cls = ipaddress.IPv4Network if net.version == 4 else ipaddress.IPv6Network
    start, end = int(net.network_address), int(net.broadcast_address)
    out, current_end = [], start - 1
    for i, bits in enumerate(newbits):
        bits = _int(bits, f"cidrsubnets() newbits {i + 1}")
        if bits < 1:
            _fail("cidrsubnets(): must extend prefix by at least one bit")
        length = net.prefixlen + bits
        if length > net.max_prefixlen:
            _fail(f"cidrsubnets(): would extend prefix to {length} bits, which is too long for an "
                  f"IPv{net.version} address")
        size = 1 << (net.max_prefixlen - length)
        first = -(-(current_end + 1) // size) * size
        if first + size - 1 > end:
            _fail(f"cidrsubnets(): not enough remaining address space for a subnet with a prefix "
                  f"of {length} bits after {out[-1] if out else str(net)}")
        out.append(str(cls((first, length))))
        current_end = first + size - 1
    return out


# -- paths and files -------------------------------------------------------------------------------

def _go_clean(path: str) -> str:
    import posixpath
    return posixpath.normpath(path) if path else "."


@_fn("basename", 1)
def _basename(ev, e, path):
    path = _str(path)
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path.rsplit("/", 1)[-1]


@_fn("dirname", 1)
def _dirname(ev, e, path):
    path = _str(path)
    head = path[:path.rfind("/") + 1]
    cleaned = _go_clean(head)
    if cleaned.startswith("//") and not cleaned.startswith("///"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


class _FileRefusal(Exception):
    """A path that cannot be read inside the scanned tree; the call becomes Unknown."""


def _refused(ev, e, exc: _FileRefusal):
    """Unknown for a refused path; a path out of the tree, or a file too large or not a regular
    file, is also reported (a file that merely does not exist yet is common and is not)."""
    message = str(exc)
    note = getattr(ev, "note", None)
    if note is not None and "no file exists" not in message and "no scanned tree" not in message:
        note("warning", f"{message}: not read, the value is unknown", getattr(e, "span", None), "tf-file-refused")
    return ev.unknown(e, message)


def _resolve(ev, path: str, name: str) -> str:
    base = getattr(ev, "fs_base", None)
    root = getattr(ev, "fs_root", None)
    if not base or not root:
        raise _FileRefusal(f"{name}() reads the filesystem, and this evaluation has no scanned "
                           "tree to read from")
    if "\0" in path:
        raise _FileRefusal(f"{name}(): the path contains a NUL character")
    full = os.path.join(base, path)
    real = os.path.realpath(full)
    root_real = os.path.realpath(root)
    try:
        inside = os.path.commonpath([real, root_real]) == root_real
    except ValueError:
        inside = False
    if not inside:
        raise _FileRefusal(f"{name}({path!r}): the path escapes the scanned tree")
    reads = getattr(ev, "fs_reads", None)
    if reads is not None:  # the result cache checks these files too before it reuses a result
        reads.add(real)
    return real


def _read_bytes(ev, path, name: str) -> bytes:
    real = _resolve(ev, path, name)
    try:
        fd = os.open(real, NONBLOCKING | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise _FileRefusal(f"{name}({path!r}): no file exists at this path") from None
    except OSError as exc:
        raise _FileRefusal(f"{name}({path!r}): cannot open: {exc.strerror}") from None
    try:
        found = read_regular(fd, MAX_FILE_BYTES)
        if found is None:
            raise _FileRefusal(f"{name}({path!r}): not a regular file")
        size, data = found
        if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
            raise _FileRefusal(f"{name}({path!r}): file is larger than {MAX_FILE_BYTES} bytes")
        return data
    except OSError as exc:
        raise _FileRefusal(f"{name}({path!r}): cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)


def _read_text(ev, path, name: str) -> str:
    data = _read_bytes(ev, path, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _FileRefusal(f"{name}({path!r}): contents are not valid UTF-8") from None


def _file_fn(name: str, nargs: int = 1):
    """Register a function whose first argument is a path; a refused path makes it Unknown."""
    def register(impl):
        def wrapped(ev, e, *args):
            try:
                return impl(ev, e, *args)
            except _FileRefusal as exc:
                return _refused(ev, e, exc)
        wrapped.__doc__ = impl.__doc__
        _fn(name, nargs)(wrapped)
        return impl
    return register


@_file_fn("file")
def _file(ev, e, path):
    return _read_text(ev, _str(path), "file")


@_file_fn("filebase64")
def _filebase64(ev, e, path):
    import base64
    return base64.b64encode(_read_bytes(ev, _str(path), "filebase64")).decode("ascii")


def _file_data(ev, e, path, name):
    try:
        return _read_bytes(ev, _str(path), name)
    except _FileRefusal as exc:
        return _refused(ev, e, exc)


_hash_fns("file", _file_data)


@_file_fn("fileexists")
def _fileexists(ev, e, path):
    path = _str(path)
    real = _resolve(ev, path, "fileexists")
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise _FileRefusal(f"fileexists({path!r}): {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        _fail(f"fileexists(): {path!r} is not a regular file")
    return True


@_file_fn("abspath")
def _abspath(ev, e, path):
    path = _str(path)
    base = getattr(ev, "fs_base", None)
    _resolve(ev, path, "abspath")
    return os.path.normpath(os.path.join(base, path)).replace(os.sep, "/")


def _glob_regex(pattern: str) -> re.Pattern:
    """doublestar's glob syntax: ``**`` spans directories, ``*`` and ``?`` do not, ``[...]``,
    ``{a,b}``."""
    out, i, n, depth = [], 0, len(pattern), 0
    while i < n:
        c = pattern[i]
        if pattern.startswith("**", i):
            at_seg_start = i == 0 or pattern[i - 1] == "/"
            at_seg_end = i + 2 == n or pattern[i + 2] == "/"
            if at_seg_start and at_seg_end:
                if i + 2 < n:
                    out.append("(?:[^/]*(?:/[^/]*)*/)?")
                    i += 3
                else:
                    out.append(".*")
                    i += 2
                continue
            out.append("[^/]*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1:i + 2] in ("!", "^") else i + 1)
            if end < 0:
                _fail(f"fileset(): invalid pattern {pattern!r}")
            body = pattern[i + 1:end]
            neg = body[:1] in ("!", "^")
            body = body[1:] if neg else body
            out.append("[" + ("^/" if neg else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
            continue
        elif c == "{":
            out.append("(?:")
            depth += 1
        elif c == "}" and depth:
            out.append(")")
            depth -= 1
        elif c == "," and depth:
            out.append("|")
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        _fail(f"fileset(): invalid pattern {pattern!r}")
    try:
        return re.compile("".join(out))
    except re.error:
        _fail(f"fileset(): invalid pattern {pattern!r}")


@_fn("fileset", 2)
def _fileset(ev, e, path, pattern):
    path, pattern = _str(path), _str(pattern)
    try:
        real = _resolve(ev, path, "fileset")
    except _FileRefusal as exc:
        return _refused(ev, e, exc)
    root_real = os.path.realpath(getattr(ev, "fs_root"))
    rx = _glob_regex(pattern)
    reads = getattr(ev, "fs_reads", None)
    if reads is not None:
        reads.add(real)  # the result cache checks each listing: a file (or the folder) added
    if not os.path.isdir(real):
        return []
    found, visited = [], 0
    for dirpath, dirnames, filenames in os.walk(real, followlinks=False):
        if reads is not None:
            reads.add(dirpath)
        for name in dirnames + filenames:
            visited += 1
            if visited > MAX_FILESET_ENTRIES:
                return ev.unknown(e, "fileset(): too many files to list")
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, real).replace(os.sep, "/")
            if not rx.fullmatch(rel):
                continue
            if os.path.islink(full):
                target = os.path.realpath(full)
                if os.path.commonpath([target, root_real]) != root_real:
                    return ev.unknown(e, f"fileset(): {rel!r} links outside the scanned tree")
            if os.path.isfile(full):
                found.append(rel)
    return sorted(set(found))


_TEMPLATE_VAR = lazy_re(r"[A-Za-z_][A-Za-z0-9_-]*")


def _free_refs(expr) -> set[str]:
    """Names a template refers to that it does not bind itself (for-expression variables)."""
    found: set[str] = set()

    def walk(node, bound: frozenset):
        if isinstance(node, _hcl.Ref):
            if node.name not in bound:
                found.add(node.name)
        elif isinstance(node, _hcl.For):
            walk(node.coll, bound)
            inner = bound | {v for v in (node.key_var, node.val_var) if v}
            for part in (node.key, node.value, node.cond):
                walk(part, inner)
        elif isinstance(node, _hcl.TemplateFor):
            walk(node.coll, bound)
            inner = bound | {v for v in (node.key_var, node.val_var) if v}
            walk(node.body, inner)
        elif isinstance(node, _hcl.TemplateIf):
            walk(node.cond, bound)
            walk(node.then, bound)
            walk(node.other, bound)
        elif isinstance(node, _hcl.Object):
            for k, v in node.items:
                walk(k, bound)
                walk(v, bound)
        elif isinstance(node, _hcl.Splat):
            walk(node.obj, bound)
            for op, arg in node.ops:
                if op == "index":
                    walk(arg, bound)
        elif isinstance(node, _hcl.Expr):
            for slot in type(node).__slots__:
                walk(getattr(node, slot), bound)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item, bound)

    walk(expr, frozenset())
    return found


def _calls(expr) -> set[str]:
    names: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, _hcl.Call):
            names.add(node.name)
        if isinstance(node, _hcl.Expr):
            stack.extend(getattr(node, s) for s in type(node).__slots__)
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, (_hcl.TemplateIf, _hcl.TemplateFor)):
            stack.extend(getattr(node, s) for s in type(node).__slots__)
    return names


@_fn("templatefile", 2, known=False)
def _templatefile(ev, e, path, variables):
    if isinstance(path, Unknown):
        return _carry(ev, e, path)
    u = _unknown_in(ev, e, path)
    if u is not None:
        return u
    path = _str(path, "templatefile() path")
    if isinstance(variables, Unknown):
        return _carry(ev, e, variables)
    variables = _map(variables, "templatefile() vars")
    for name in variables:
        if not _TEMPLATE_VAR.fullmatch(name):
            _fail(f"templatefile(): invalid template variable name {name!r}: must start with a "
                  "letter, followed by zero or more letters, digits, and underscores")
    try:
        text = _read_text(ev, path, "templatefile")
    except _FileRefusal as exc:
        return _refused(ev, e, exc)
    try:
        expr = _hcl.parse_template(text, e.span)
    except ParseError as exc:
        _fail(f"templatefile({path!r}): {exc}")
    if {"templatefile", "core::templatefile"} & _calls(expr):
        _fail("templatefile(): cannot recursively call templatefile from inside another "
              "template function")
    missing = sorted(_free_refs(expr) - set(variables))
    if missing:
        _fail(f"templatefile({path!r}): vars map does not contain key {missing[0]!r}, "
              "referenced in the template")
    return ev.eval(expr, _evaluate.Env(dict(variables)))


# Terraform 1.8+ also accepts the built-ins under the core:: namespace.
for _name in list(FUNCTIONS):
    FUNCTIONS[f"core::{_name}"] = FUNCTIONS[_name]
del _name
