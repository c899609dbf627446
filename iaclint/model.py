"""The common model every parser produces and every policy reads.

A parser turns text into :class:`Resource` objects whose attributes are plain Python values
(dict, list, str, int, float, bool, None) or :class:`Unknown`. Nested blocks are always lists
of dicts. Every attribute a parser saw has a :class:`Span` in ``Resource.spans``, keyed by its
path from the resource root (``("ingress", 0, "cidr_blocks")``), so a finding can point at the
exact attribute that caused it.

Policies navigate with :class:`Node` views (``resource.get``, ``resource.blocks``) and create
findings with ``node.finding(message, at=key)``. The engine fills in the policy id and severity.
"""

from __future__ import annotations

import enum
import os

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Any, Callable, Iterator

__all__ = [
    "Severity", "Span", "FileSpan", "Location", "Unknown", "UnknownValue", "Node", "ComputedOnRead", "Arguments",
    "Resource", "Finding", "Diagnostic", "Record", "FAMILIES", "KIND_GROUPS", "expand_kinds",
]

FAMILIES = ("network", "encryption", "secrets", "isolation", "supply-chain")


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (low, medium, high, critical)") from None

    def __str__(self) -> str:
        return self.name.lower()


def _frozen(self, name, _value=None):
    raise AttributeError(f"cannot assign to field {name!r}")


# The records below are plain classes with ``__slots__``, written out as ``dataclass(frozen=True,
# slots=True)`` would generate them (equality within one class, a hash of the fields, the same
# repr). Not dataclasses: every run imports this module, and ``dataclasses`` brings ``inspect``,
# ``ast``, ``dis`` and ``tokenize`` with it, then compiles each generated method with ``exec``
# (~60M instructions, a quarter of a scan of one file). Frozen records fill their slots through
# the slots' descriptors, since their own ``__setattr__`` refuses.

class Span:
    """A region of one file: 1-based lines and columns, end column exclusive (as SARIF)."""

    __slots__ = ("line", "column", "end_line", "end_column")

    def __init__(self, line: int, column: int, end_line: int, end_column: int):
        _span_line(self, line)
        _span_column(self, column)
        _span_end_line(self, end_line)
        _span_end_column(self, end_column)

    __setattr__ = __delattr__ = _frozen

    @staticmethod
    def point(line: int, column: int = 1) -> "Span":
        return Span(line, column, line, column + 1)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.line == other.line and self.column == other.column
                and self.end_line == other.end_line and self.end_column == other.end_column)

    def __hash__(self) -> int:
        return hash((self.line, self.column, self.end_line, self.end_column))

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(line={self.line!r}, column={self.column!r}, "
                f"end_line={self.end_line!r}, end_column={self.end_column!r})")

    def __reduce__(self):  # a plain tuple: the parse cache unpickles hundreds of thousands of these
        return (Span, (self.line, self.column, self.end_line, self.end_column))


_span_line, _span_column, _span_end_line, _span_end_column = (
    Span.__dict__[name].__set__ for name in Span.__slots__)


class FileSpan(Span):
    """A span in another file than its resource's: what an override file (``override.tf``,
    ``*_override.tf``) wrote into a block of another file of its module."""

    __slots__ = ("path",)

    def __init__(self, line: int, column: int, end_line: int, end_column: int, path: str = ""):
        Span.__init__(self, line, column, end_line, end_column)
        _file_span_path(self, path)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return Span.__eq__(self, other) and self.path == other.path

    def __hash__(self) -> int:
        return hash((self.line, self.column, self.end_line, self.end_column, self.path))

    def __repr__(self) -> str:
        return f"{Span.__repr__(self)[:-1]}, path={self.path!r})"

    def __reduce__(self):
        return (FileSpan, (self.line, self.column, self.end_line, self.end_column, self.path))


_file_span_path = FileSpan.__dict__["path"].__set__


class Location:
    """A span in a file named by its path."""

    __slots__ = ("path", "span")

    def __init__(self, path: str, span: Span):
        _location_path(self, path)  # POSIX path relative to the scan root
        _location_span(self, span)

    __setattr__ = __delattr__ = _frozen

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.path == other.path and self.span == other.span

    def __hash__(self) -> int:
        return hash((self.path, self.span))

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(path={self.path!r}, span={self.span!r})"

    def __reduce__(self):
        return (Location, (self.path, self.span))


_location_path, _location_span = (Location.__dict__[name].__set__ for name in Location.__slots__)


class UnknownValue(Exception):
    """Raised when a policy makes a decision on a value nobody can know statically.

    The engine catches it, drops that policy's verdict on that resource (never a guess) and
    counts the skip so the scan can report it.
    """

    def __init__(self, unknown: "Unknown"):
        super().__init__(unknown.expression)
        self.unknown = unknown


class Unknown:
    """A value that cannot be known without running Terraform, a provider or a template.

    Any attempt to *use* it (compare, test truth, iterate, index, format, hash, call a
    method) raises :class:`UnknownValue`. Identity tests (``is None``) and
    ``isinstance(x, Unknown)`` are safe. This makes "Unknown never yields a finding" a property
    of the model instead of a discipline every policy author must remember.
    """

    __slots__ = ("expression", "reason", "span")

    def __init__(self, expression: str = "", reason: str = "", span: Span | None = None):
        object.__setattr__(self, "expression", expression)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "span", span)

    def _raise(self, *_args: Any, **_kw: Any):
        raise UnknownValue(self)

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _raise
    __bool__ = __len__ = __iter__ = __contains__ = __getitem__ = __hash__ = _raise
    __str__ = __format__ = __int__ = __float__ = __index__ = __call__ = _raise
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __mod__ = _raise
    __truediv__ = __rtruediv__ = __neg__ = __and__ = __or__ = __xor__ = _raise

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnknownValue(self)

    def __setattr__(self, name: str, value: Any):
        raise AttributeError("Unknown is immutable")

    def __repr__(self) -> str:
        return f"Unknown({self.expression!r})" if self.expression else "Unknown()"

    def __reduce__(self):
        return (type(self), (self.expression, self.reason, self.span))


class Encoded(Unknown):
    """The text of ``jsonencode(x)`` (or ``yamlencode``) when parts of ``x`` are unknown.

    The text itself is Unknown, but its structure is not: an ECS task whose image comes from an
    ECR repository still says ``privileged = true`` in plain sight. :func:`decoded` hands a
    policy that structure, with Unknown only where the values are.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any, expression: str = "", reason: str = "", span: "Span | None" = None):
        super().__init__(expression, reason, span)
        object.__setattr__(self, "value", value)

    def __reduce__(self):
        return (Encoded, (self.value, self.expression, self.reason, self.span))


def decoded(value: Any) -> Any:
    """The data of an attribute that holds a JSON document (container definitions, policies).

    A string is decoded (None when it is not JSON, which Terraform would reject too); an
    :class:`Encoded` value gives the structure ``jsonencode`` was given; any other Unknown
    raises :class:`UnknownValue`; a structure is returned as it is.
    """
    if isinstance(value, Encoded):
        return value.value
    if isinstance(value, Unknown):
        raise UnknownValue(value)
    if isinstance(value, str):
        import json
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return None
    return value


def is_known(value: Any) -> bool:
    """True when ``value`` contains no Unknown anywhere inside it."""
    if isinstance(value, Unknown):
        return False
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    return True


class Record(tuple):
    """Base of small value records: a tuple whose subclass fills it in ``__new__`` and names its
    fields with ``property(operator.itemgetter(i))``; each subclass declares ``__slots__ = ()``.

    Equality, hashing and unpacking are the tuple's. ``__getnewargs__`` makes copy and pickle call
    the subclass's ``__new__`` with the fields (tuple's own would pass the whole tuple as the first
    one). Written out rather than a ``NamedTuple``: creating one of those costs 0.3-1 ms when its
    module is imported (``collections.namedtuple`` evaluates generated code, and ``typing``
    compiles every annotation).
    """

    __slots__ = ()

    def __getnewargs__(self):
        return tuple(self)


_MISSING = object()


class Node:
    """A view of one mapping inside a resource: its value, its path, and its resource."""

    __slots__ = ("resource", "value", "path")

    def __init__(self, resource: "Resource", value: Any, path: tuple):
        self.resource = resource
        self.value = value
        self.path = path

    # -- reading -------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        """The plain value at ``key`` (a dotted path is allowed), or ``default``."""
        value = self.value
        if type(value) is dict and "." not in key:  # the common read: one key of a plain mapping
            return value.get(key, default)
        for part in key.split(".") if "." in key else (key,):
            if isinstance(value, Unknown):
                return value
            if isinstance(value, list) and len(value) == 1:  # a nested block written once
                value = value[0]
            if not isinstance(value, dict):
                return default
            value = value.get(part, _MISSING)
            if value is _MISSING:
                return default
        return value

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: str) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def node(self, key: str) -> "Node | None":
        """A view of the mapping at ``key`` (dotted allowed), or None when it is not a mapping.

        A list of one mapping (how HCL nested blocks arrive) is looked through.
        """
        value, path = self.value, self.path
        for part in key.split("."):
            if isinstance(value, list) and len(value) == 1:
                value, path = value[0], path + (0,)
            if not isinstance(value, dict) or part not in value:
                return None
            value, path = value[part], path + (part,)
        if isinstance(value, list) and len(value) == 1:
            value, path = value[0], path + (0,)
        return Node(self.resource, value, path) if isinstance(value, dict) else None

    def blocks(self, key: str) -> list["Node"]:
        """Views of the mappings listed at ``key`` (nested blocks, containers, rules).

        A single mapping counts as a list of one; anything else yields nothing. An Unknown
        collection raises :class:`UnknownValue`: the policy cannot know what is in it.
        """
        value = self.get(key)
        if isinstance(value, Unknown):
            raise UnknownValue(value)
        base = self.path + tuple(key.split("."))
        if isinstance(value, dict):
            return [Node(self.resource, value, base)]
        if not isinstance(value, list):
            return []
        return [Node(self.resource, v, base + (i,)) for i, v in enumerate(value) if isinstance(v, dict)]

    def written_here(self, key: str) -> bool:
        """Whether the value at ``key`` is written literally in this resource's own text.

        False when it was computed from a variable, local or function: a policy about what is
        *written* (a hard-coded secret) reports it where the literal is, not at every use.
        """
        path = self.path + tuple(key.split("."))
        if len(path) > 1:  # whether a top-level argument is computed is known before it is evaluated
            self.resource.settle(path[0])
        computed = self.resource.meta.get("computed")
        return not computed or path not in computed

    def span(self, key: "str | tuple | None" = None) -> Span:
        """Where ``key`` (relative to this node) is written, else the nearest enclosing span."""
        path = self.path
        if key:
            path = path + (tuple(key.split(".")) if isinstance(key, str) else tuple(key))
        return self.resource.span_of(path)

    def finding(self, message: str, at: "str | Node | tuple | None" = None, **properties: Any) -> "Finding":
        """A finding on this resource, located at ``at`` (a key of this node or a Node)."""
        if isinstance(at, Node):
            span = at.resource.span_of(at.path)
        else:
            span = self.span(at)
        return Finding(
            policy_id="", severity=Severity.LOW, message=message,
            location=Location(getattr(span, "path", None) or self.resource.file, span),
            address=self.resource.address,
            properties=properties, resource=self.resource,
        )

    def __repr__(self) -> str:
        return f"Node({self.resource.address}, {'.'.join(map(str, self.path)) or '<root>'})"


class ComputedOnRead(dict):
    """A dict whose entries are computed when read.

    ``_fill_key(key)`` computes what reading ``key`` needs (by default, everything) and ``_fill()``
    every entry; both return the dict. Anything that looks at the mapping as a whole (iterating
    it, its length, comparing, copying, printing or pickling it) fills it first, so it always
    sees the complete mapping. Entries are set with ``dict.__setitem__``.
    """

    __slots__ = ()

    def _fill(self) -> "ComputedOnRead":
        raise NotImplementedError

    def _fill_key(self, key) -> "ComputedOnRead":
        return self._fill()

    def get(self, key, default=None):
        return dict.get(self._fill_key(key), key, default)

    def __getitem__(self, key):
        return dict.__getitem__(self._fill_key(key), key)

    def __contains__(self, key):
        return dict.__contains__(self._fill_key(key), key)

    def setdefault(self, key, default=None):
        return dict.setdefault(self._fill_key(key), key, default)

    def pop(self, key, *default):
        return dict.pop(self._fill_key(key), key, *default)

    def __iter__(self):
        return dict.__iter__(self._fill())

    def __reversed__(self):
        return dict.__reversed__(self._fill())

    def __len__(self):
        return dict.__len__(self._fill())

    def __eq__(self, other):
        return dict.__eq__(self._fill(), other)

    def __ne__(self, other):
        return dict.__ne__(self._fill(), other)

    __hash__ = None  # type: ignore[assignment]

    def __or__(self, other):
        return dict.__or__(self._fill(), other)

    def __repr__(self):
        return dict.__repr__(self._fill())

    def __reduce_ex__(self, protocol):
        return (dict, (dict(self._fill()),))

    def keys(self):
        return dict.keys(self._fill())

    def values(self):
        return dict.values(self._fill())

    def items(self):
        return dict.items(self._fill())

    def copy(self):
        return dict(self._fill())


class Arguments(ComputedOnRead):
    """A resource's top-level mapping when some entries are computed only when first read.

    Terraform arguments are evaluated when a policy or an expression reads them: most arguments
    of a resource are read by no policy. The mapping holds the entries computed so far;
    ``pending`` maps each other name to what ``compute(name, what)`` needs to set it (with
    ``dict.__setitem__``, and the resource's spans and meta with it). Reading a name computes it
    alone; a look at the whole computes every pending entry (see :class:`ComputedOnRead`), after
    which the mapping is in ``order``, the order the entries are written in.
    """

    __slots__ = ("_pending", "_compute", "_order")

    def __init__(self, known: dict, pending: dict, compute: Callable[[str, Any], None], order: list):
        super().__init__(known)
        self._pending = pending
        self._compute = compute
        self._order = order

    def settle(self, name: "str | None" = None) -> "Arguments":
        """Compute ``name`` if it is pending, or, with no name, every pending entry."""
        pending = self._pending
        if not pending:
            return self
        if name is not None:
            if name in pending:
                self._compute(name, pending.pop(name))
            return self
        while pending:
            name = next(iter(pending))
            self._compute(name, pending.pop(name))
        rank = {n: i for i, n in enumerate(self._order)}
        items = sorted(dict.items(self), key=lambda kv: rank.get(kv[0], len(rank)))
        dict.clear(self)
        dict.update(self, items)
        return self

    def _fill(self) -> "Arguments":
        return self.settle()

    def _fill_key(self, key) -> "Arguments":
        if self._pending and key in self._pending:
            self.settle(key)
        return self

    def names(self) -> list[str]:
        """Every entry's name, in the order written, computing none: a pending one may still
        turn out to have no value (a dynamic block with nothing to repeat)."""
        if not self._pending:
            return list(dict.keys(self))
        return [n for n in self._order if n in self._pending or dict.__contains__(self, n)]


class Resource(Node):
    """One object of infrastructure: a Terraform block, a Kubernetes object, a Dockerfile stage.

    ``source`` is the format (``terraform``, ``kubernetes``, ``dockerfile``); ``type`` is what
    policies select on (``aws_s3_bucket``, ``Deployment``, ``dockerfile:stage``); ``spans`` maps
    attribute paths to where they are written; ``meta`` holds format facts the model exposes
    (the pod spec's path, the Terraform module call path, the raw expressions).
    """

    # _spec and _containers: pod_spec() and containers(), kept once read (a dozen policies read
    # them for each workload)
    __slots__ = ("source", "type", "name", "address", "file", "header", "spans", "meta", "_spec", "_containers")

    def __init__(self, source: str, type: str, name: str, address: str, file: str,
                 header: Span, attributes: dict, spans: dict | None = None,
                 meta: dict | None = None):
        super().__init__(self, attributes, ())
        self.source = source
        self.type = type
        self.name = name
        self.address = address
        self.file = file
        self.header = header
        self.spans = spans if spans is not None else {}
        self.meta = meta if meta is not None else {}

    @property
    def attributes(self) -> dict:
        return self.value

    def settle(self, name: "str | None" = None) -> None:
        """Compute the argument ``name`` (or every argument) if it is still pending (see
        :class:`Arguments`): before reading ``spans`` or the ``computed`` and ``refs`` meta,
        which an argument fills when it is computed."""
        if type(self.value) is not dict and isinstance(self.value, Arguments):
            self.value.settle(name)

    def names(self) -> list[str]:
        """The names of the top-level attributes, in the order written, without evaluating any
        (see :class:`Arguments`): ``resource.get(name)`` reads one."""
        value = self.value
        return value.names() if type(value) is not dict and isinstance(value, Arguments) else list(value)

    def span_of(self, path: tuple) -> Span:
        if path:
            self.settle(path[0])
        spans = self.spans
        while path:
            span = spans.get(path)
            if span is not None:
                return span
            path = path[:-1]
        return self.header

    # -- Kubernetes workloads, whatever their kind -------------------------------------------
    def pod_spec(self) -> "Node | None":
        """The pod spec of a workload (Pod, Deployment, CronJob, ...), or None."""
        try:
            return self._spec
        except AttributeError:
            pass
        path = self.meta.get("pod_spec_path")
        value = self.value
        for part in path or ():
            value = value.get(part) if isinstance(value, dict) else None
        spec = self._spec = Node(self, value, tuple(path)) if path is not None and isinstance(value, dict) else None
        return spec

    def containers(self) -> list[Node]:
        """Every container of a workload: init, ordinary and ephemeral (a new list each time)."""
        try:
            return list(self._containers)
        except AttributeError:
            pass
        spec = self.pod_spec()
        found: list[Node] = []
        if spec is not None:
            for key in ("initContainers", "containers", "ephemeralContainers"):
                found.extend(spec.blocks(key))  # an Unknown list raises, and is not kept
        self._containers = tuple(found)
        return found

    def pod_metadata(self) -> "Node | None":
        """The metadata of the pods a workload creates (its template's, or its own for a Pod)."""
        path = self.meta.get("pod_spec_path")
        if path is None:
            return None
        return self.node(".".join(path[:-1] + ("metadata",))) if len(path) > 1 else self.node("metadata")

    def __repr__(self) -> str:
        return f"Resource({self.source}:{self.type} {self.address} @ {self.file}:{self.header.line})"


class Finding:
    """One problem a policy found, where it is, and what the scan decided about it.

    ``resource`` (the resource it was found on, for the engine) takes no part in equality or
    the repr.
    """

    __slots__ = ("policy_id", "severity", "message", "location", "address", "family", "properties", "resource")

    def __init__(self, policy_id: str, severity: Severity, message: str, location: Location, address: str,
                 family: str = "", properties: dict | None = None, resource: "Resource | None" = None):
        self.policy_id = policy_id
        self.severity = severity
        self.message = message
        self.location = location
        self.address = address
        self.family = family
        self.properties = {} if properties is None else properties
        self.resource = resource

    def _compared(self) -> tuple:
        return (self.policy_id, self.severity, self.message, self.location, self.address, self.family,
                self.properties)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared() == other._compared()

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(policy_id={self.policy_id!r}, severity={self.severity!r}, "
                f"message={self.message!r}, location={self.location!r}, address={self.address!r}, "
                f"family={self.family!r}, properties={self.properties!r})")

    def __reduce__(self):
        return (Finding, self._compared() + (self.resource,))

    def without_resource(self) -> "Finding":
        """A copy without the resource (which the result cache does not keep)."""
        return Finding(*self._compared())

    def sort_key(self) -> tuple:
        s = self.location.span
        return (self.location.path, s.line, s.column, self.policy_id, self.address, self.message)


class Diagnostic:
    """Something about the scan itself: a file that did not parse, a stale suppression.

    ``level`` is ``error`` (the file was not fully checked: exit 2), ``warning`` or ``note``.
    """

    __slots__ = ("level", "message", "path", "span", "code")

    def __init__(self, level: str, message: str, path: str, span: Span | None = None, code: str = ""):
        _diagnostic_level(self, level)
        _diagnostic_message(self, message)
        _diagnostic_path(self, path)
        _diagnostic_span(self, span)
        _diagnostic_code(self, code)

    __setattr__ = __delattr__ = _frozen

    def _fields(self) -> tuple:
        return (self.level, self.message, self.path, self.span, self.code)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(level={self.level!r}, message={self.message!r}, "
                f"path={self.path!r}, span={self.span!r}, code={self.code!r})")

    def __reduce__(self):
        return (Diagnostic, self._fields())

    def sort_key(self) -> tuple:
        s = self.span or Span(0, 0, 0, 0)
        return (self.path, s.line, s.column, self.code, self.message)


(_diagnostic_level, _diagnostic_message, _diagnostic_path, _diagnostic_span,
 _diagnostic_code) = (Diagnostic.__dict__[name].__set__ for name in Diagnostic.__slots__)


def raised_at(exc: BaseException) -> str:
    """``file.py:12``: where ``exc`` was raised (its innermost frame), for the message of an
    internal-error diagnostic; "" when it carries no traceback."""
    tb = exc.__traceback__
    if tb is None:
        return ""
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"


class ParseError(Exception):
    """A parser's way of saying "this file is not valid", with where it went wrong."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = max(1, int(line or 1))
        self.column = max(1, int(column or 1))


# Groups a policy can name in ``applies_to`` instead of listing types one by one.
KIND_GROUPS: dict[str, frozenset[str]] = {
    "k8s:workload": frozenset({
        "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
        "ReplicationController", "PodTemplate",
    }),
    "dockerfile:stage": frozenset({"dockerfile:stage"}),
}


def expand_kinds(names: "tuple[str, ...] | list[str]") -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        out |= KIND_GROUPS.get(name, {name})
    return frozenset(out)


def iter_values(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every scalar inside ``value`` with its path, depth first (for content scanners)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from iter_values(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from iter_values(v, path + (i,))
    else:
        yield path, value
