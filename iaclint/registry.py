"""Policies: the ``@policy`` decorator, the registry, and discovery of built-in and third-party packs.

Metadata lives in exactly two places, the decorator and the docstring; ``iaclint explain``,
``iaclint rules`` and the SARIF ``rules[]`` are all generated from them.
"""

from __future__ import annotations

import importlib
import os
import re
import sys

from .lazyre import lazy_re
from .model import FAMILIES, Severity, expand_kinds

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Callable, Iterable

ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PRECISIONS = ("very-high", "high", "medium", "low")
DOCS_URL = "https://github.com/iaclint/iaclint/blob/main/docs/policies/{id}.md"


class RegistryError(Exception):
    pass


class Policy:
    """A registered policy: its metadata (from ``@policy`` and the docstring) and its function.

    A plain class, not a dataclass: on Python 3.11 each dataclass compiles its generated methods
    when its module is imported (~1 ms for this one), a cost every scan paid before reading a file.
    """

    __slots__ = ("id", "name", "severity", "family", "applies_to", "func", "doc", "equivalents",
                 "cwe", "scope", "precision", "tags", "module", "_text", "_sections")

    def __init__(self, id: str, name: str, severity: Severity, family: str, applies_to: frozenset,
                 func: Callable | None, doc: str, equivalents: tuple = (), cwe: int | None = None,
                 scope: str = "resource", precision: str = "high", tags: tuple = (), module: str = ""):
        self.id, self.name, self.severity, self.family = id, name, severity, family
        self.applies_to, self.func = applies_to, func
        self.doc = doc  # the docstring as written: :attr:`text` is it dedented, for the docs and rules
        self.equivalents, self.cwe, self.scope, self.precision = equivalents, cwe, scope, precision
        self.tags = tags
        self.module = module
        self._text: str | None = None
        self._sections: dict | None = None

    def _key(self) -> tuple:
        return (self.id, self.name, self.severity, self.family, self.applies_to, self.func, self.doc,
                self.equivalents, self.cwe, self.scope, self.precision, self.tags, self.module)

    def __eq__(self, other):
        return self._key() == other._key() if type(other) is Policy else NotImplemented

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"Policy(id={self.id!r}, name={self.name!r}, severity={self.severity!r}, module={self.module!r})"

    def without_func(self) -> Policy:
        """A copy without the function (which the result cache cannot pickle)."""
        copy = Policy(*self._key())
        copy.func = None
        return copy

    @property
    def text(self) -> str:
        """The docstring dedented and stripped, on first use (a scan seldom needs it: registering
        ~100 policies would dedent ~100 docstrings)."""
        if self._text is None:
            self._text = _dedent(self.doc)
        return self._text

    @property
    def sections(self) -> dict[str, str]:
        """The docstring's ``## Why`` / ``## Fix`` / ``## Example`` sections, parsed on first use."""
        if self._sections is None:
            self._sections = _sections(self.text)
        return self._sections

    @property
    def summary(self) -> str:
        return self.text.splitlines()[0].strip() if self.text else self.name

    @property
    def checkov(self) -> tuple:
        return tuple(e for e in self.equivalents if e.startswith("CKV"))

    @property
    def trivy(self) -> tuple:
        return tuple(e for e in self.equivalents if not e.startswith("CKV"))

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(id=self.id)

    @property
    def body(self) -> str:
        """The docstring without its summary line: markdown with ## Why / ## Fix / ## Example."""
        lines = self.text.splitlines()
        return "\n".join(lines[1:]).strip()

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "severity": str(self.severity),
            "family": self.family, "summary": self.summary,
            "applies_to": sorted(self.applies_to), "scope": self.scope,
            "cwe": f"CWE-{self.cwe}" if self.cwe else None, "precision": self.precision,
            "equivalents": {"checkov": list(self.checkov), "trivy": list(self.trivy)},
            "help_uri": self.help_uri,
        }


_REGISTRY: dict[str, Policy] = {}


_HEADING = lazy_re(r"^\s*##\s+(.+?)\s*$")  # docs and SARIF: not compiled by a JSON scan


def _sections(doc: str) -> dict[str, str]:
    out: dict[str, str] = {}
    current = None
    for line in doc.splitlines():
        m = _HEADING.match(line)
        if m:
            current = m.group(1).strip().lower()
            out[current] = ""
        elif current:
            out[current] += line.strip("\n") + "\n"
    return {k: _dedent(v) for k, v in out.items()}


# A line that is not blank and not indented: textwrap.dedent's common margin is then empty.
_FLUSH_LEFT = lazy_re(r"^[^ \t\n]", re.M)
_BLANK_LINE = lazy_re(r"^[ \t]+$", re.M)


def _dedent(text: str) -> str:
    """``textwrap.dedent(text).strip()``. Most docstrings (a module's, a section of one) have a
    line at the left margin; for them dedenting only empties the blank lines, one substitution
    where textwrap reads every line's indentation in a loop (SARIF's rules dedent ~4 texts per
    policy)."""
    if _FLUSH_LEFT.search(text):
        return _BLANK_LINE.sub("", text).strip()
    import textwrap
    return textwrap.dedent(text).strip()


def policy(*, id: str, name: str, severity: Severity, family: str, applies_to: Iterable[str],
           equivalents: Iterable[str] = (), cwe: int | None = None, scope: str = "resource",
           precision: str = "high", tags: Iterable[str] = (), doc: str | None = None):
    """Register a policy function.

    A ``resource`` policy is called as ``func(resource, options)`` for every resource whose
    type is in ``applies_to`` (types or groups from ``model.KIND_GROUPS``); a ``project``
    policy is called once as ``func(project, options)``. Both yield findings.

    ``doc`` is for a table of alike policies, each row registering one closure: it is the row's
    documentation, and the closure is named after the policy.
    """
    if not ID_RE.match(id):
        raise RegistryError(f"policy id {id!r} must look like IAC-NET-001")
    if not NAME_RE.match(name):
        raise RegistryError(f"policy {id}: name {name!r} must be kebab-case")
    if family not in FAMILIES:
        raise RegistryError(f"policy {id}: family {family!r} is not one of {', '.join(FAMILIES)}")
    if scope not in ("resource", "project"):
        raise RegistryError(f"policy {id}: scope must be 'resource' or 'project'")
    if precision not in PRECISIONS:
        raise RegistryError(f"policy {id}: precision must be one of {', '.join(PRECISIONS)}")
    if not isinstance(severity, Severity):
        raise RegistryError(f"policy {id}: severity must be a Severity")

    def register(func: Callable) -> Callable:
        if doc is not None:
            func.__doc__ = doc
            func.__name__ = func.__qualname__ = name.replace("-", "_")
        # The function's docstring, or the module's when a module holds one policy (the
        # module object is in sys.modules, docstring set, while its body runs).
        text = func.__doc__ or getattr(sys.modules.get(func.__module__), "__doc__", "") or ""
        pol = Policy(
            id=id, name=name, severity=severity, family=family,
            applies_to=expand_kinds(tuple(applies_to)), func=func, doc=text,
            equivalents=tuple(equivalents), cwe=cwe, scope=scope, precision=precision,
            tags=tuple(tags), module=func.__module__,
        )
        existing = _REGISTRY.get(id)
        if existing is not None and (existing.module, existing.func.__qualname__) != (
                pol.module, func.__qualname__):
            raise RegistryError(f"duplicate policy id {id}: {existing.module} and {pol.module}")
        _REGISTRY[id] = pol
        func.policy = pol
        return func

    return register


_loaded = False


def load_builtin() -> None:
    """Import every module of the built-in pack (``iaclint.policies``) and of installed packs, once.

    Installed packs are those declared under the ``iaclint.policies`` entry-point group; a pack
    that fails to load is an error, never a silently smaller rule set.
    """
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import policies as pack
    _import_tree(pack)
    if _bundle is not None:
        _bundle.refresh()
    load_entry_points()


_bundle = None  # the built-in pack's compiled code (iaclint.bundle), once keep_code_in() is called


def keep_code_in(folder: str) -> None:
    """Import the built-in pack's modules from one file of compiled code in ``folder`` (the parse
    cache's: a scan that may use the cache calls this), written by the first run that needs it:
    on the benchmark machine ~90 µs a module instead of ~230 (see :mod:`iaclint.bundle`)."""
    global _bundle
    from . import policies as pack
    from .bundle import CodeBundle, bundle_file
    path = bundle_file(folder, pack.__path__[0])
    if _bundle is not None:
        if _bundle.path == path:
            return
        _bundle.close()
        if _bundle in sys.meta_path:
            sys.meta_path.remove(_bundle)
    _bundle = CodeBundle(pack.__name__, pack.__path__[0], path)
    sys.meta_path.insert(0, _bundle)


def _import_tree(pack) -> None:
    for name in _policy_modules(pack):
        importlib.import_module(name)


def _policy_modules(pack) -> list[str]:
    """The modules of a pack that hold policies; private helpers (detectors, shared tables,
    ``_``-prefixed) are imported by the policies that use them.

    Listed as ``pkgutil.walk_packages`` lists them (each package before its modules, names in
    sorted order), from the directories alone: walk_packages imports every subpackage to learn
    its path, and importing pkgutil and walking that way cost a scan ~3 ms before any policy ran.
    """
    from importlib.machinery import all_suffixes
    suffixes = sorted(all_suffixes(), key=len, reverse=True)

    def module_name(filename: str) -> str | None:  # as inspect.getmodulename
        if filename.endswith(".py"):
            return filename[:-3]
        for suffix in suffixes:
            if filename.endswith(suffix):
                return filename[:-len(suffix)]
        return None

    def walk(paths: list[str], prefix: str):
        yielded = set()
        for base in paths:
            try:
                entries = sorted(os.scandir(base), key=lambda e: e.name)
            except OSError:  # unreadable: skipped, as import skips it
                continue
            for entry in entries:
                fn = entry.name
                name = module_name(fn)
                if name == "__init__" or name in yielded:
                    continue
                inner = None
                if not name and "." not in fn and fn != "__pycache__" and entry.is_dir():
                    try:
                        contents = os.listdir(entry.path)
                    except OSError:
                        contents = []
                    if not any(module_name(f) == "__init__" for f in contents):
                        continue  # not a package
                    name, inner = fn, [entry.path]
                if name and "." not in name:
                    yielded.add(name)
                    yield prefix + name
                    if inner is not None:
                        yield from walk(inner, prefix + name + ".")

    return [name for name in walk(list(pack.__path__), pack.__name__ + ".")
            if not name.rsplit(".", 1)[-1].startswith("_")]


def load_entry_points() -> list[str]:
    """Load third-party packs declared under the ``iaclint.policies`` entry-point group.

    Only installed packages can register policies: nothing in a scanned repository can.
    """
    if not packs_fingerprint():
        return []  # no distribution declares a pack: importlib.metadata (~20 ms) is not needed
    from importlib.metadata import entry_points
    loaded = []
    for ep in sorted(entry_points(group="iaclint.policies"), key=lambda e: e.name):
        try:
            obj = ep.load()
            if hasattr(obj, "__path__"):
                _import_tree(obj)
        except RegistryError:
            raise
        except Exception as exc:  # noqa: BLE001 - named, with the pack, for the user
            raise RegistryError(f"policy pack {ep.name!r} ({ep.value}) failed to load: "
                                f"{type(exc).__name__}: {exc}") from exc
        loaded.append(ep.name)
    return loaded


def packs_fingerprint() -> str:
    """What identifies the installed policy packs, for the result cache, without importing them.

    Reads the ``entry_points.txt`` of installed distributions the way ``importlib.metadata``
    finds them, at a fraction of its import cost (a warm scan is mostly this kind of overhead):
    a distribution declaring ``[iaclint.policies]`` contributes its metadata directory's name
    (name and version) and the declaration itself.
    """
    parts = []
    for base in sys.path:
        try:
            names = os.listdir(base or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(base or ".", name, "entry_points.txt"), encoding="utf-8") as fh:
                    text = fh.read()
            except OSError:
                continue
            if "[iaclint.policies]" in text:
                parts.append(f"{name}:{text.partition('[iaclint.policies]')[2].split('[')[0].strip()}")
    return ";".join(sorted(parts))


def all_policies() -> list[Policy]:
    load_builtin()
    return sorted(_REGISTRY.values(), key=lambda p: p.id)


# -- loading only what a scan needs ---------------------------------------------------------------
#
# Importing the whole built-in pack costs more than parsing a small repository (~55 ms: 130
# module bodies and a hundred regular expressions), and a scan of Dockerfiles runs none of the
# Terraform or Kubernetes policies. ``policies/_index.py``, generated with the docs
# (``python -m iaclint.docs``, checked by the tests), says which module registers which policy
# for which resource types; a scan selects from it, evaluates, and imports only the modules of
# the policies that apply to a resource type it found.

INDEX_MODULE = "iaclint.policies._index"


class Entry:
    """A built-in policy as the index describes it, before its module is imported."""

    __slots__ = ("id", "name", "family", "applies_to", "module")

    def __init__(self, id: str, name: str, family: str, applies_to: frozenset, module: str):
        self.id, self.name, self.family, self.applies_to, self.module = id, name, family, applies_to, module

    def __repr__(self):
        return f"Entry({self.id!r}, {self.name!r}, {self.family!r}, {self.applies_to!r}, {self.module!r})"


def index_rows(policies: Iterable[Policy]) -> dict[str, list[tuple]]:
    """``{module: [(id, name, family, sorted types), ...]}``: the content of the index."""
    out: dict[str, list[tuple]] = {}
    for p in sorted(policies, key=lambda p: (p.module, p.id)):
        out.setdefault(p.module, []).append((p.id, p.name, p.family, tuple(sorted(p.applies_to))))
    return out


def _builtin_index() -> dict | None:
    try:
        return importlib.import_module(INDEX_MODULE).MODULES
    except (ImportError, AttributeError):
        return None


def catalogue() -> list:
    """Every policy a scan may run, sorted by id: an :class:`Entry` for each built-in policy the
    index lists (its module is not imported yet) and a :class:`Policy` for the others (modules
    added since the index was written, installed packs), which are imported now."""
    index = _builtin_index()
    if index is None:
        return all_policies()
    from . import policies as pack
    for name in _policy_modules(pack):
        if name not in index:
            importlib.import_module(name)
    load_entry_points()
    entries: list = [Entry(pid, name, family, frozenset(types), module)
                     for module, rows in index.items() for pid, name, family, types in rows]
    indexed = set(index)
    entries += [p for p in _REGISTRY.values() if p.module not in indexed]
    return sorted(entries, key=lambda e: e.id)


def resolve(chosen: Iterable) -> list[Policy]:
    """The :class:`Policy` of each chosen entry, importing only the modules they need."""
    chosen = list(chosen)
    for module in sorted({c.module for c in chosen if isinstance(c, Entry)}):
        importlib.import_module(module)
    if _bundle is not None:
        _bundle.refresh()
    if any(isinstance(c, Entry) and c.id not in _REGISTRY for c in chosen):
        load_builtin()  # the index names a policy its module no longer registers: read them all
    return sorted((_REGISTRY[c.id] if isinstance(c, Entry) else c for c in chosen
                   if not isinstance(c, Entry) or c.id in _REGISTRY), key=lambda p: p.id)


def get(policy_id: str) -> Policy | None:
    load_builtin()
    return _REGISTRY.get(policy_id.upper()) or next(
        (p for p in _REGISTRY.values() if p.name == policy_id.lower()), None)


def select(policies: list, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list:
    """Filter by ids, names, id prefixes (``IAC-NET``) or families (policies or index entries)."""
    select, ignore = [s for s in select if s], [s for s in ignore if s]

    def matches(p, sel: str) -> bool:
        s = sel.strip()
        return (s.upper() == p.id or s.lower() == p.name or s.lower() == p.family
                or (s.upper().startswith("IAC-") and p.id.startswith(s.upper().rstrip("-") + "-"))
                or s.upper() == "ALL")

    out = [p for p in policies if not select or any(matches(p, s) for s in select)]
    return [p for p in out if not any(matches(p, s) for s in ignore)]


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    """Selectors that match no policy: a typo in --select should not silently select nothing."""
    selectors = [s for s in selectors if s]
    if not selectors:
        return []  # nothing to check: do not import every policy for it
    pols = catalogue()
    return [s for s in selectors if s and not select(pols, [s])]
