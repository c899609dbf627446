"""One check for the many encryption policies of the form "boolean X of resource Y must be on".

Each table module (``at_rest_flags.py``, ``in_transit_flags.py``) lists :class:`Flag` rows and
registers one policy per row with :func:`register`. A row says where the switch is (a dotted
path; the part before the last dot is a nested block), what a missing switch means (reported only
when the provider's default is insecure), and when the resource takes the setting from somewhere
else (a snapshot, a primary cluster) and must not be judged.
"""

from __future__ import annotations


from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl, is_false, is_true

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Callable


class Flag:
    """One row of a table: where the switch is, what a missing one means, and the policy's
    metadata. (A plain class: as a ``NamedTuple`` this one took ~1 ms to create at import, more
    than the module's other work; rows are only read.)"""

    __slots__ = ("id", "name", "severity", "applies_to", "paths", "subject", "problem", "doc",
                 "equivalents", "cwe", "missing", "inherited_from", "judged", "off", "on",
                 "precision", "tags")

    def __init__(self, id: str, name: str, severity: Severity, applies_to: tuple,
                 paths: tuple, subject: str, problem: str, doc: str, equivalents: tuple = (),
                 cwe: int = 311, missing: Callable | None = None, inherited_from: tuple = (),
                 judged: Callable | None = None, off: Callable = is_false, on: Callable = is_true,
                 precision: str = "high", tags: tuple = ()):
        self.id, self.name, self.severity, self.applies_to = id, name, severity, applies_to
        self.paths = paths                # dotted paths of the switch; the first one written is judged
        self.subject = subject            # "EFS file system"
        self.problem = problem            # "is not encrypted at rest"
        self.doc, self.equivalents, self.cwe = doc, equivalents, cwe
        # What a missing switch means for this resource: a sentence for the message when the
        # provider's default is insecure, None when it is not.
        self.missing = missing
        # Arguments that make the resource inherit the setting (restores, replicas, secondaries).
        self.inherited_from = inherited_from
        # Whether the resource is judged at all (None: always); e.g. a single-node cluster has no
        # traffic between nodes to encrypt.
        self.judged = judged
        self.off, self.on, self.precision, self.tags = off, on, precision, tags


def check(resource, flag: Flag):
    if any(resource.get(key) is not None for key in flag.inherited_from):
        return
    if flag.judged is not None and not flag.judged(resource):
        return
    for path in flag.paths:
        head, _, leaf = path.rpartition(".")
        node = resource
        if head:
            blocks = resource.blocks(head)
            if not blocks:
                continue
            node = blocks[0]
        value = node.get(leaf)
        if value is None:
            continue
        if flag.on(value):
            return
        if flag.off(value):
            yield node.finding(f"{flag.subject} {flag.problem} ({path} = {hcl(value)})", at=leaf)
        return
    # Nothing written: the default decides. Point at the innermost block that exists.
    default = flag.missing(resource) if flag.missing else None
    if default is None:
        return
    path = flag.paths[0]
    head = path.rpartition(".")[0]
    blocks = resource.blocks(head) if head else []
    node = blocks[0] if blocks else resource
    yield node.finding(f"{flag.subject} {flag.problem}: {path} is not set and {default}")


def register(flags, module: str) -> None:
    """Register one policy per row of the table in ``module``; each gets its own function,
    docstring and metadata, and is reported as defined in that module."""
    for flag in flags:
        def run(resource, options, _flag=flag):
            yield from check(resource, _flag)
        run.__module__ = module
        policy(id=flag.id, name=flag.name, severity=flag.severity, family="encryption",
               applies_to=flag.applies_to, equivalents=flag.equivalents, cwe=flag.cwe,
               precision=flag.precision, tags=flag.tags, doc=flag.doc)(run)
