"""What the Terraform secrets policies share: where a secret's literal is written.

A secret is reported once, where its literal is. ``password = "x"`` is reported at the
argument. ``password = var.db_password`` is not reported there when the variable's default (or
the module argument that set it) holds the literal: IAC-SEC-011 reports it at that default. A
value whose literal is nowhere a policy can point at (a ``locals`` entry, a ``.tfvars`` file, a
file read with ``file()``, a literal inside ``jsonencode({...})``) is reported where it is used,
with a note saying so.

:func:`input_secrets` is the one definition of "a variable default or module argument holds a
secret", used both by IAC-SEC-011 and by :class:`Origins`, so the two can never disagree.
"""

from __future__ import annotations

import weakref

from iaclint.model import Node, iter_values

from ._detect import Secret, _literal_ok, check_value, find_shapes, secret_name

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Iterator

# Module block arguments that are not inputs of the module.
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
COMPUTED_NOTE = " (its literal is in a local, a .tfvars file, a file the code reads or an expression)"
# Project policies list every type they read in ``applies_to`` (the engine builds only those):
# the Terraform secrets policies read variable defaults and module arguments to report once.
INPUT_TYPES = ("variable", "module")
# A value this long is looked for inside a computed secret too (a JSON document, a URL built
# around it); a shorter one only as the whole secret.
INSIDE_MIN = 8


def input_secrets(resource) -> Iterator[tuple[str, tuple, Secret]]:
    """``(argument, path inside its value, secret)`` for every secret written into a ``variable``
    default or a ``module`` call argument of ``resource``."""
    if resource.type == "variable":
        if "default" not in resource.value or not resource.written_here("default"):
            return
        flag = resource.get("sensitive")
        sensitive = flag is True or (isinstance(flag, str) and flag == "true")
        yield from _value_secrets("default", resource.get("default"), resource.name, sensitive)
    elif resource.type == "module":
        # whether a top-level argument is computed is known before it is evaluated (see
        # Node.written_here), and a computed one is not even evaluated
        computed = resource.meta.get("computed") or ()
        for arg in resource.names():
            if arg in MODULE_META or (arg,) in computed:
                continue  # a reference: its literal is reported where it is written
            yield from _value_secrets(arg, resource.get(arg), arg, False)


def _value_secrets(arg: str, value, name: str, sensitive: bool) -> Iterator[tuple[str, tuple, Secret]]:
    named = secret_name(name)
    for path, leaf in iter_values(value):
        if not isinstance(leaf, str) or not leaf:
            continue
        keys = [p for p in path if isinstance(p, str)]
        secret = check_value(keys[-1] if keys else name, leaf)
        if secret is None and keys and named:
            secret = check_value(name, leaf)  # a map default under a secret-named variable
        if secret is None and sensitive and not keys and _literal_ok(leaf, True):
            secret = Secret("sensitive value", leaf, 0, len(leaf))
        if secret is not None:
            yield arg, path, secret


class Inside:
    """Whether a text contains one of ``values`` of at least :data:`INSIDE_MIN` characters:
    ``any(len(v) >= INSIDE_MIN and v in text for v in values)``, in one pass over the text.

    Every computed secret of every Terraform secrets policy asks this: testing each value in turn,
    3,200 inputs and 3,200 such secrets took IAC-SEC-010 2.2 s (10.2M substring tests), 0.22 s
    with this index. Values are filed under their first ``INSIDE_MIN`` characters, then by length:
    each window of the text is looked up, and the text's slice of each length filed there is looked
    for in a set, so values that all start alike (every Stripe key is ``sk_live_...``) cost one
    lookup per length, not one per value."""

    def __init__(self, values):
        self._long = [v for v in values if len(v) >= INSIDE_MIN]
        self._by_start: dict[str, dict[int, set[str]]] = {}
        for v in self._long:
            self._by_start.setdefault(v[:INSIDE_MIN], {}).setdefault(len(v), set()).add(v)

    def any_in(self, text: str) -> bool:
        if not self._long:
            return False
        # Reading the text window by window costs ~0.18 us a character; testing a value, ~0.1 us
        # plus its search through the text (~L/3300 us). Few values for a text's length (fewer
        # than ~64 for 40 characters, ~550 for 4,000: measured), the plain test is the cheaper.
        if len(self._long) * (330 + len(text)) < 594 * len(text):
            return any(v in text for v in self._long)
        return self.in_windows(text)

    def in_windows(self, text: str) -> bool:
        """:meth:`any_in` through the index, whatever the number of values."""
        by_start = self._by_start
        for i in range(len(text) - INSIDE_MIN + 1):
            lengths = by_start.get(text[i:i + INSIDE_MIN])
            if lengths is not None:
                for length, same in lengths.items():
                    if text[i:i + length] in same:
                        return True
        return False


class Origins:
    """Where a computed value's literal is written, when a policy can point at it: a variable
    default or module argument (IAC-SEC-011), or another resource the attribute refers to
    (``password = azurerm_key_vault_secret.db.value``: the literal is in that resource)."""

    def __init__(self, project):
        self._project = weakref.ref(project)
        # frozen: the index below is built from it once
        self.values: frozenset[str] = frozenset(secret.value for r in project.of_type("variable", "module")
                                                for _arg, _path, secret in input_secrets(r))
        self._inside = Inside(self.values)

    @property
    def project(self):
        return self._project()

    @classmethod
    def of(cls, project) -> "Origins":
        """The project's Origins, made by the first secrets policy that asks (it holds its
        project weakly: the project keeps it, see ``Project.remembered``)."""
        return project.remembered(cls, lambda: cls(project))

    def reported_elsewhere(self, secret: Secret, node: Node | None = None, attribute: str | None = None) -> bool:
        if secret.value in self.values or self._inside.any_in(secret.value):
            return True  # the literal itself, or a value built around it (a JSON document, a URL)
        if node is None or attribute is None:
            return False
        via = dotted(node.path + (attribute,))
        for target in self.project.references(node.resource, via=via):
            for _path, leaf in iter_values(target.value):
                if isinstance(leaf, str) and secret.value in leaf:
                    return True
        return False


def value_secret(value, name: str, origins: Origins, written_here: bool, shapes_only: bool = False,
                 node: Node | None = None, attribute: str | None = None) -> tuple[Secret, str] | None:
    """``(secret, note)`` when ``value`` (the attribute ``attribute`` of ``node``, judged under
    ``name``) is a secret to report where it is used.

    ``shapes_only`` accepts only a credential's own shape (for arguments that may hold a path
    instead, like ``credentials``). ``note`` is empty when the literal is written right there,
    else :data:`COMPUTED_NOTE`; a computed value whose literal another finding points at is None.
    """
    if not isinstance(value, str) or not value:
        return None  # a number, a bool, or an Unknown (random_password.x.result): nothing written
    if shapes_only:
        hits = find_shapes(value)
        secret = hits[0] if hits else None
    else:
        secret = check_value(name, value)
    if secret is None:
        return None
    if written_here:
        return secret, ""
    if origins.reported_elsewhere(secret, node, attribute):
        return None
    return secret, COMPUTED_NOTE


def written_at(resource, path: tuple) -> bool:
    """Whether the value at ``path`` (attribute path, possibly deeper into a map) is a literal
    written in ``resource``'s own text."""
    if len(path) > 1:
        resource.settle(path[0])  # what inside an argument is computed is known once it is evaluated
    computed = resource.meta.get("computed") or ()
    return not any(path[:i] in computed for i in range(1, len(path) + 1))


def dotted(path: tuple) -> str:
    """``("user", 0, "password")`` -> ``user.password``; map keys keep their own spelling."""
    return ".".join(str(p) for p in path if not isinstance(p, int))


def holders(resource: Node, dotted: str) -> list[tuple[Node, str]]:
    """``(node, attribute)`` pairs for a dotted path through nested blocks: ``"user.password"``
    gives every ``user`` block with ``password``. An Unknown block list raises UnknownValue."""
    *blocks, attribute = dotted.split(".")
    nodes = [resource]
    for block in blocks:
        nodes = [child for n in nodes for child in n.blocks(block)]
    return [(n, attribute) for n in nodes]
