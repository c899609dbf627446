"""Evaluate HCL expressions over a Terraform module, as far as can be known statically.

Anything that depends on a provider, a data source, a resource attribute known after apply,
a remote module or a function we do not implement evaluates to :class:`Unknown`, carrying the
text of the expression that could not be resolved. Unknown propagates: an expression that
needs an Unknown operand is Unknown; a list or object keeps its known parts.
"""

from __future__ import annotations

import math

from ..model import Span, Unknown, is_known
from ..parsers.hcl import (Binary, Call, Conditional, Expr, For, GetAttr, Index, Lit, Object, Ref,
                           Splat, Template, TemplateFor, TemplateIf, Tuple, Unary)

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, Callable

MAX_STEPS = 200_000  # per top-level expression: a for over range(1e9) must not hang
MAX_COLLECTION = 100_000
# Values are shared, not copied: ``l2 = [local.l1, local.l1]`` is two references, so forty such
# locals make a value of 2**40 elements in a few bytes, and anything that walks it (a function,
# jsonencode, a policy) would never finish. A value may have at most MAX_VALUE elements written
# out (shared parts counted every time they occur; a string counts one per 16 characters), a
# string MAX_STRING characters, an integer MAX_NUMBER_BITS bits (as pow() allows).
MAX_VALUE = 1_000_000
MAX_STRING = 8 * 1024 * 1024
MAX_NUMBER_BITS = 4096
# A function call costs its arguments' written-out size / ARG_COST_DIVISOR steps: the work the
# call (and the check for Unknowns in its arguments) does walking them.
ARG_COST_DIVISOR = 16
_SIZE_MEMO_MAX = 200_000


class EvalError(Exception):
    """The expression is invalid for the values it was given (Terraform would fail too)."""


class _Budget(Exception):
    pass


class Env:
    """Names visible to an expression: ``var``, ``local``, ``count``, ``each``, for-variables."""

    __slots__ = ("names", "parent")

    def __init__(self, names: dict, parent: "Env | None" = None):
        self.names, self.parent = names, parent

    def lookup(self, name: str):
        env = self
        while env is not None:
            if name in env.names:
                return True, env.names[name]
            env = env.parent
        return False, None

    def child(self, names: dict) -> "Env":
        return Env(names, self)


class Failed(Unknown):
    """An expression Terraform itself would reject (no such attribute, wrong type, bad index).

    It is Unknown to policies like any other, but ``try()`` moves past it and ``can()`` is false,
    exactly as in Terraform; a value that is merely not known yet stays Unknown in both.
    """

    __slots__ = ()


class AfterApply(Unknown):
    """An attribute the provider sets (``aws_s3_bucket.b[1].id``): Unknown, but whose it is, is
    known. An argument whose value is exactly this (``element(aws_s3_bucket.b[*].id, 1)``) refers
    to that one resource, whatever else its expression read on the way."""

    __slots__ = ("address",)

    def __init__(self, expression: str = "", reason: str = "", span: Span | None = None, address: str = ""):
        super().__init__(expression, reason, span)
        object.__setattr__(self, "address", address)

    def __reduce__(self):
        return (AfterApply, (self.expression, self.reason, self.span, self.address))


class Deps:
    """The resources an expression read, collected while it is evaluated (one set per level)."""

    __slots__ = ("stack",)

    def __init__(self):
        self.stack: list[set] = []

    def add(self, addresses) -> None:
        if self.stack:
            self.stack[-1].update(addresses)

    def push(self) -> None:
        self.stack.append(set())

    def pop(self) -> frozenset:
        found = frozenset(self.stack.pop())
        self.add(found)  # what an inner evaluation read, the outer one read too
        return found


class Evaluator:
    """Evaluates expressions of one module; ``text_of(span)`` gives source text for Unknowns.

    ``fs_base`` is the directory relative paths of ``file()`` resolve against and ``fs_root`` the
    scanned tree that nothing may be read outside of; ``deps`` collects the resources an
    expression refers to, so references between resources can be indexed.
    """

    def __init__(self, text_of: Callable[[Span], str], functions: dict | None = None,
                 resolve_root: Callable[[str, Env], Any] | None = None, *,
                 fs_base: str | None = None, fs_root: str | None = None, deps: Deps | None = None,
                 fs_reads: set | None = None, report: Callable[[str, str, Span | None, str], None] | None = None,
                 sizes: dict | None = None, clean: dict | None = None):
        self.text_of = text_of
        self.functions = default_functions() if functions is None else functions
        self.resolve_root = resolve_root
        self.fs_base = fs_base
        self.fs_root = fs_root
        self.fs_reads = fs_reads  # every path file() and its kin resolved, for the result cache
        self.deps = deps if deps is not None else Deps()
        self.steps = 0
        # report(level, message, span, code): an evaluation limit hit or a bug met, for the file
        self.report = report
        self._reported: set = set()
        # id -> (value, written-out size); evaluators of one scan share it (values are shared)
        self._sizes: dict[int, tuple[Any, int]] = sizes if sizes is not None else {}
        # id -> a list or object known to hold no Unknown (function arguments walked once)
        self.clean: dict[int, Any] = clean if clean is not None else {}

    def unknown(self, expr: Expr, reason: str) -> Unknown:
        return Unknown(self._text(expr), reason, expr.span)

    def fail(self, expr: Expr, reason: str) -> Failed:
        return Failed(self._text(expr), reason, expr.span)

    def carry(self, expr: Expr, cause: Unknown) -> Unknown:
        """Unknown for ``expr`` because of ``cause``, keeping whether it was an error."""
        return (Failed if isinstance(cause, Failed) else Unknown)(self._text(expr), cause.reason, expr.span)

    def _text(self, expr: Expr) -> str:
        try:
            return self.text_of(expr.span)
        except Exception:  # a span into text we no longer hold: the reason still says why
            return ""

    def evaluate(self, expr: Expr, env: Env) -> Any:
        """Evaluate a top-level expression with a fresh step budget.

        Whatever happens inside, the answer is a value: a limit hit makes it Unknown with a
        warning, and so does a bug (an internal error, reported), so that one bad expression
        never costs the other resources of its module their checks.
        """
        if expr.kind == "lit":  # a scalar written out: nothing to bound or to catch
            return expr.value
        saved, self.steps = self.steps, 0
        try:
            value = self.eval(expr, env)
            if isinstance(value, (list, dict)) and self.size(value) > MAX_VALUE:
                return self.limit(expr, f"the value has more than {MAX_VALUE} elements written out")
            return value
        except _Budget:
            return self.limit(expr, f"evaluation exceeded {MAX_STEPS} steps")
        except RecursionError:
            return self.limit(expr, "expression nested too deeply")
        except Exception as exc:  # noqa: BLE001 - a bug here must not stop the module's checks
            self.note("error", f"internal error while evaluating: {type(exc).__name__}: {exc}"[:300],
                       expr.span, "internal-error")
            return self.unknown(expr, f"internal error: {type(exc).__name__}")
        finally:
            self.steps = saved

    # -- bounds --------------------------------------------------------------------------------
    def limit(self, expr: Expr, reason: str) -> Unknown:
        """Unknown because an evaluation limit was reached, reported as a warning once."""
        self.note("warning", f"evaluation limit: {reason}; the value is treated as unknown", expr.span,
                   "tf-limit")
        return self.unknown(expr, reason)

    def note(self, level: str, message: str, span: Span | None, code: str) -> None:
        key = (level, message, span, code)
        if self.report is not None and key not in self._reported:
            self._reported.add(key)
            self.report(level, message, span, code)

    def tick(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > MAX_STEPS:
            raise _Budget()

    def size(self, value: Any) -> int:
        """``value``'s written-out size (see MAX_VALUE), at most MAX_VALUE + 1; shared parts are
        measured once and remembered."""
        if len(self._sizes) > _SIZE_MEMO_MAX:
            self._sizes.clear()
        return value_size(value, MAX_VALUE, self._sizes)

    # -- the recursive core ----------------------------------------------------------------
    def eval(self, e: Expr, env: Env) -> Any:  # noqa: C901 - a dispatch over node kinds
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Budget()
        kind = e.kind  # the branches below are in the order of how often real modules use them
        if kind == "lit":
            return e.value
        if kind == "getattr":
            inner = e.obj
            if inner.kind == "ref":  # var.x, local.y, each.value, aws_s3_bucket.b: no recursion
                self.steps += 1
                found, obj = env.lookup(inner.name)
                if not found:
                    obj = self._root(inner, env)
            else:
                obj = self.eval(inner, env)
            if isinstance(obj, _Lazy):
                return obj.get(e.name, e, self)
            if isinstance(obj, Unknown):
                return self.carry(e, obj)
            if isinstance(obj, ResourceValue):
                return obj.attribute(e.name, e, self)
            if isinstance(obj, dict):
                if e.name in obj:
                    return obj[e.name]
                return self.fail(e, f"no attribute {e.name!r}")
            return self.fail(e, f"cannot read .{e.name} of a {_type_name(obj)}")
        if kind == "ref":
            found, value = env.lookup(e.name)
            return value if found else self._root(e, env)
        if kind == "call":
            return self.call(e, env)
        if kind == "binary":
            return self.binary(e, env)
        if kind == "conditional":
            c = self.condition(e, e.cond, env, "condition")
            if isinstance(c, Unknown):
                return c
            return self.eval(e.then if c else e.other, env)
        if kind == "template":
            return self.template(e, e.parts, env)
        if kind == "object":
            out = {}
            for k, v in e.items:
                key = self.eval(k, env)
                if isinstance(key, Unknown):
                    return self.unknown(e, "object key is not known")
                if isinstance(key, bool) or key is None or isinstance(key, (list, dict)):
                    return self.fail(e, "object key is not a string")
                out[_to_str(key)] = self.eval(v, env)
            return out
        if kind == "index":
            return self.index(e, self.eval(e.obj, env), self.eval(e.key, env))
        if kind == "tuple":
            return [self.eval(i, env) for i in e.items]
        if kind == "for":
            return self.for_expr(e, env)
        if kind == "splat":
            return self.splat(e, env)
        if kind == "unary":
            v = self.eval(e.operand, env)
            if isinstance(v, Unknown):
                return self.carry(e, v)
            b = _to_bool(v) if e.op == "!" else None
            if b is not None:
                return not b
            if e.op == "-" and _is_num(v):
                return -v
            return self.fail(e, f"invalid operand for {e.op}")
        return self.unknown(e, f"unsupported expression {kind}")

    def condition(self, e: Expr, cond: Expr, env: Env, what: str) -> "bool | Unknown":
        """``cond`` (of ``e``) as the bool Terraform converts it to; Unknown (carried to ``e``)
        when it is not known, Failed when it is no bool ("true", "1", "false", "0" are)."""
        c = self.eval(cond, env)
        if isinstance(c, Unknown):
            return self.carry(e, c)
        b = _to_bool(c)
        return self.fail(e, f"{what} is not a bool") if b is None else b

    def _root(self, e: Ref, env: Env) -> Any:
        """A name no enclosing scope defines: a resource type, ``data``, or nothing."""
        if self.resolve_root is not None:
            value = self.resolve_root(e.name, env)
            if value is not _NOT_FOUND:
                return value
        return self.unknown(e, f"{e.name} is not known statically")

    def template(self, e: Expr, parts: list, env: Env) -> Any:
        out: list[str] = []
        length = 0
        too_long = f"the string is longer than {MAX_STRING} characters"
        for p in parts:
            if isinstance(p, str):
                piece = p
            elif isinstance(p, TemplateIf):
                c = self.condition(e, p.cond, env, "template condition")
                if isinstance(c, Unknown):
                    return c
                piece = self.template(e, p.then if c else p.other, env)
                if isinstance(piece, Unknown):
                    return piece
            elif isinstance(p, TemplateFor):
                coll = self.eval(p.coll, env)
                if isinstance(coll, Unknown):
                    return self.carry(e, coll)
                for k, v in _iterate(coll):
                    self.tick()
                    names = {p.val_var: v}
                    if p.key_var:
                        names[p.key_var] = k
                    sub = self.template(e, p.body, env.child(names))
                    if isinstance(sub, Unknown):
                        return sub
                    out.append(sub)
                    length += len(sub)
                    if length > MAX_STRING:
                        return self.limit(e, too_long)
                continue
            else:
                v = self.eval(p, env)
                if isinstance(v, Unknown):
                    return self.carry(e, v)
                if v is None or isinstance(v, (list, dict)):
                    return self.fail(e, "template interpolates a non-string value")
                piece = _to_str(v)
            out.append(piece)
            length += len(piece)
            if length > MAX_STRING:
                return self.limit(e, too_long)
        return "".join(out)

    def index(self, e: Expr, obj: Any, key: Any) -> Any:
        if isinstance(obj, Unknown) or isinstance(key, Unknown):
            return self.carry(e, obj if isinstance(obj, Unknown) else key)
        if isinstance(obj, list):
            k = _to_num(key)
            if isinstance(k, int) and not isinstance(k, bool) and 0 <= k < len(obj):
                return obj[k]
            return self.fail(e, "index out of range")
        if isinstance(obj, dict):
            k = _to_str(key) if not isinstance(key, (list, dict)) and key is not None else None
            if k in obj:
                return obj[k]
            return self.fail(e, f"no key {k!r}")
        if isinstance(obj, _Lazy):
            return obj.get(_to_str(key), e, self)
        return self.fail(e, f"cannot index a {_type_name(obj)}")

    def splat(self, e: Splat, env: Env) -> Any:
        obj = self.eval(e.obj, env)
        if isinstance(obj, Unknown):
            return self.carry(e, obj)
        if obj is None:
            return []
        items = obj if isinstance(obj, list) else [obj]
        out = []
        for item in items:
            self.tick()
            for op, arg in e.ops:
                if isinstance(item, Unknown):
                    break
                if op == "attr":
                    if isinstance(item, ResourceValue):
                        item = item.attribute(arg, e, self)
                    elif isinstance(item, dict):
                        item = item[arg] if arg in item else self.fail(e, f"no attribute {arg!r}")
                    else:
                        item = self.fail(e, f"cannot read .{arg}")
                else:
                    item = self.index(e, item, self.eval(arg, env))
            out.append(item)
        return out

    def call(self, e: Call, env: Env) -> Any:
        if e.name in ("try", "can") and not e.expand:
            return self._try(e, env) if e.name == "try" else self._can(e, env)
        fn = self.functions.get(e.name)
        if fn is None:
            return self.unknown(e, f"function {e.name}() is not evaluated")
        args = [self.eval(a, env) for a in e.args]
        if e.expand and args:
            last = args.pop()
            if isinstance(last, Unknown) or not isinstance(last, list):
                return self.unknown(e, "expanded argument is not a known list")
            args.extend(last)
        size = sum(self.size(a) for a in args)
        if size > MAX_VALUE:
            return self.limit(e, f"the arguments of {e.name}() have more than {MAX_VALUE} elements written out")
        self.tick(size // ARG_COST_DIVISOR)
        try:
            value = fn(self, e, args)
        except EvalError as exc:
            return self.fail(e, str(exc))
        if isinstance(value, str) and len(value) > MAX_STRING:  # jsonencode() of a large value, say
            return self.limit(e, f"the result of {e.name}() is longer than {MAX_STRING} characters")
        return value

    def _try(self, e: Call, env: Env) -> Any:
        """``try(a, b, ...)``: the first argument Terraform could evaluate without an error.

        An argument that is merely unknown makes the result unknown: Terraform would wait for it.
        """
        if not e.args:
            return self.fail(e, "try() needs at least one argument")
        for arg in e.args:
            value = self.eval(arg, env)
            if isinstance(value, Failed):
                continue
            if isinstance(value, Unknown):
                return self.carry(e, value)
            return value
        return self.fail(e, "no argument of try() could be evaluated")

    def _can(self, e: Call, env: Env) -> Any:
        if len(e.args) != 1:
            return self.fail(e, "can() takes one argument")
        value = self.eval(e.args[0], env)
        if isinstance(value, Failed):
            return False
        if isinstance(value, Unknown):
            return self.carry(e, value)
        return True

    def binary(self, e: Binary, env: Env) -> Any:
        op = e.op
        left = self.eval(e.left, env)
        if op in ("&&", "||") and isinstance(left, bool):
            # Terraform evaluates both sides, but a known short-circuit is still the answer.
            if (op == "&&" and not left) or (op == "||" and left):
                return left
        right = self.eval(e.right, env)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return self.carry(e, left if isinstance(left, Unknown) else right)
        if op in ("==", "!=") and (left is None or right is None):
            # a value whose parts are unknown is still known not to be null
            return (left is None and right is None) == (op == "==")
        if op in ("==", "!=") and not (is_known(left) and is_known(right)):
            return self.unknown(e, "comparison of a partly unknown value")
        if op == "==":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        if op in ("&&", "||"):
            lb, rb = _to_bool(left), _to_bool(right)
            if lb is None or rb is None:
                return self.fail(e, f"{op} needs bools")
            return (lb and rb) if op == "&&" else (lb or rb)
        ln, rn = _to_num(left), _to_num(right)
        if ln is None or rn is None:
            return self.fail(e, f"{op} needs numbers")
        if isinstance(ln, int) and isinstance(rn, int) and op in ("+", "-", "*") and \
                ln.bit_length() + rn.bit_length() > MAX_NUMBER_BITS:
            return self.limit(e, f"the number is larger than {MAX_NUMBER_BITS} bits")
        try:
            if op == "+":
                return ln + rn
            if op == "-":
                return ln - rn
            if op == "*":
                return ln * rn
            if op == "/":
                r = ln / rn
                return int(r) if r == int(r) else r
            if op == "%":  # the remainder of a division truncated toward zero, as in Terraform
                if isinstance(ln, int) and isinstance(rn, int):
                    r = abs(ln) % abs(rn)
                    return -r if ln < 0 else r
                return math.fmod(ln, rn)
            if op == "<":
                return ln < rn
            if op == ">":
                return ln > rn
            if op == "<=":
                return ln <= rn
            if op == ">=":
                return ln >= rn
        except (ZeroDivisionError, OverflowError):
            return self.fail(e, "arithmetic error")
        return self.unknown(e, f"unsupported operator {op}")

    def for_expr(self, e: For, env: Env) -> Any:
        coll = self.eval(e.coll, env)
        if isinstance(coll, Unknown):
            return self.carry(e, coll)
        if not isinstance(coll, (list, dict)):
            return self.fail(e, "for expression over a non-collection")
        out_list: list = []
        out_map: dict = {}
        for k, v in _iterate(coll):
            names = {e.val_var: v}
            if e.key_var:
                names[e.key_var] = k
            inner = env.child(names)
            if e.cond is not None:
                c = self.condition(e, e.cond, inner, "for expression condition")
                if isinstance(c, Unknown):
                    return c
                if not c:
                    continue
            if e.key is None:
                out_list.append(self.eval(e.value, inner))
                if len(out_list) > MAX_COLLECTION:
                    return self.unknown(e, "collection too large")
            else:
                key = self.eval(e.key, inner)
                if isinstance(key, Unknown):
                    return self.carry(e, key)
                key = _to_str(key)
                value = self.eval(e.value, inner)
                if e.group:
                    out_map.setdefault(key, []).append(value)
                elif key in out_map:
                    return self.fail(e, f"duplicate key {key!r} in for expression")
                else:
                    out_map[key] = value
        return out_list if e.key is None else out_map


_NOT_FOUND = object()


class SetValue(list):
    """A Terraform set (``toset()``, a ``set(...)`` variable): its elements distinct and in
    Terraform's order. Everywhere else it is a list; ``for_each`` and ``dynamic`` tell it apart,
    because a set's elements are their own keys and a list's keys are its indexes."""

    __slots__ = ()


class ResourceValue(dict):
    """A resource (or data source, or module call) seen from an expression that refers to it.

    Its configured arguments are known; every other attribute (``id``, ``arn``) is decided by the
    provider at apply time and is Unknown. Reading an attribute records the reference in the
    evaluator's ``deps``, which is how the project index learns that an SSE configuration points
    at a bucket.
    """

    __slots__ = ("address", "known_after_apply")

    def __init__(self, address: str, attributes: dict, known_after_apply: bool = True):
        super().__init__(attributes)
        self.address = address
        self.known_after_apply = known_after_apply

    def attribute(self, name: str, e: Expr, ev: "Evaluator") -> Any:
        ev.deps.add((self.address,))
        if name in self:
            return self[name]
        if self.known_after_apply:
            return self.after_apply(name, e, ev)
        return ev.fail(e, f"{self.address} has no attribute {name!r}")

    def after_apply(self, name: str, e: Expr, ev: "Evaluator") -> AfterApply:
        return AfterApply(ev._text(e), f"{self.address}.{name} is known only after apply", e.span, self.address)


def value_size(value: Any, limit: int, memo: dict | None = None) -> int:
    """How many elements ``value`` has written out, counting a shared part every time it occurs
    (a string counts one per 16 characters); at most ``limit + 1``, however large the value.

    ``memo`` (id -> (container, size)) makes a part measured once cost nothing the next time;
    it holds the containers, so an id is never reused while it is remembered. Iterative: values
    can be nested deeper than Python's recursion limit.
    """
    if not isinstance(value, (list, dict)):
        return 1 + len(value) // 16 if isinstance(value, str) else 1
    memo = {} if memo is None else memo
    hit = memo.get(id(value))
    if hit is not None:
        return hit[1]
    size = _measure(value, limit, memo, set(), 0)
    return size if size is not None else _measure_deep(value, limit, memo)


_SHALLOW = 64  # nesting _measure handles by recursion; deeper values take the iterative walk


def _measure(value, limit: int, memo: dict, open_ids: set, depth: int) -> int | None:
    """value_size by recursion, the fast way for the values real modules have; None when the
    value is nested deeper than _SHALLOW (then value_size walks it iteratively)."""
    key = id(value)
    if key in open_ids:  # a cycle: no written-out form
        return limit + 1
    open_ids.add(key)
    n = 1
    if isinstance(value, dict):
        children = dict.values(value)  # see _parts
        for k in dict.keys(value):
            n += 1 + len(k) // 16 if type(k) is str else 1
    else:
        children = value
    for child in children:
        t = type(child)
        if t is str:
            n += 1 + len(child) // 16
        elif t is list or t is dict or isinstance(child, (list, dict)):
            hit = memo.get(id(child))
            if hit is not None:
                n += hit[1]
            elif depth >= _SHALLOW:
                return None
            else:
                inner = _measure(child, limit, memo, open_ids, depth + 1)
                if inner is None:
                    return None
                n += inner
        else:
            n += 1
        if n > limit:
            return limit + 1
    open_ids.discard(key)
    memo[key] = (value, n)
    return n


def _measure_deep(value: Any, limit: int, memo: dict) -> int:
    over = limit + 1
    open_ids = {id(value)}
    stack = [[value, iter(_parts(value)), 1]]
    while stack:
        frame = stack[-1]
        for child in frame[1]:
            if isinstance(child, (list, dict)):
                hit = memo.get(id(child))
                if hit is None:
                    if id(child) in open_ids:  # a cycle: no written-out form
                        return over
                    open_ids.add(id(child))
                    stack.append([child, iter(_parts(child)), 1])
                    break
                frame[2] += hit[1]
            else:
                frame[2] += 1 + len(child) // 16 if isinstance(child, str) else 1
            if frame[2] > limit:
                return over
        else:
            stack.pop()
            open_ids.discard(id(frame[0]))
            memo[id(frame[0])] = (frame[0], frame[2])
            if not stack:
                return frame[2]
            stack[-1][2] += frame[2]
            if stack[-1][2] > limit:
                return over
    return over  # not reached


def _parts(value):
    if isinstance(value, dict):
        # dict.items, not value.items(): a mapping filled on first use (a module's outputs) is
        # measured as far as it is filled, not filled to be measured; each part it adds later is
        # measured by the evaluation that adds it
        for k, v in dict.items(value):
            yield k
            yield v
    else:
        yield from value


def default_functions() -> dict:
    from .functions import FUNCTIONS
    return FUNCTIONS


class _Lazy:
    """A namespace whose members are evaluated on first use (``local``), with cycle detection.

    ``get(key, e, ev)`` is the function given: ``var.x`` and ``local.y`` are the most frequent
    expressions there are, and a method that only forwarded the call cost each one a frame."""

    __slots__ = ("name", "get")

    def __init__(self, name: str, compute: Callable[[str, Expr, "Evaluator"], Any]):
        self.name = name
        self.get = compute


def _iterate(coll):
    if isinstance(coll, dict):
        return sorted(coll.items())
    return list(enumerate(coll))


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _to_num(v):
    if _is_num(v):
        return v
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            try:
                return float(v)
            except ValueError:
                return None
    return None


def _to_bool(v):
    """A bool, or a string Terraform converts to one ("true", "1", "false", "0"); else None."""
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v in ("true", "1", "false", "0"):
        return v in ("true", "1")
    return None


def _to_str(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _equal(a, b) -> bool:
    if _is_num(a) and _is_num(b):
        return a == b
    if type(a) is not type(b):
        return False
    return a == b


def _type_name(v) -> str:
    if v is None:
        return "null"
    return {bool: "bool", int: "number", float: "number", str: "string", list: "list",
            SetValue: "set", dict: "object"}.get(type(v), type(v).__name__)
