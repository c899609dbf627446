"""The project index: every resource of a scan, for policies that need more than one resource.

References between Terraform resources are indexed once, both ways, so a policy asks
``project.referrers(bucket, "aws_s3_bucket_server_side_encryption_configuration", via="bucket")``
("which SSE configurations point at this bucket?") or
``project.references(instance, "aws_security_group", via="vpc_security_group_ids")`` ("which
security groups does this instance use?") without scanning every resource for every question.
A reference is any resource an attribute's expression reads, directly or through locals,
variables and module outputs; references are only followed inside one root module's evaluation.
The index holds the Terraform resources of the types the scan's policies read (their
``applies_to``): a policy that asks about another type lists it in its ``applies_to``.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .model import Resource, Unknown, UnknownValue, expand_kinds

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Callable, Iterable, TypeVar
    T = TypeVar("T")

_MISSING = object()


class Project:
    def __init__(self, resources: Iterable[Resource]):
        self.all: list[Resource] = list(resources)
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._by_address: dict[tuple[str, str], Resource] = {}
        self.skipped: list[tuple[Unknown, Resource | None]] = []  # drained by the engine
        for r in self.all:
            self._by_type[r.type].append(r)
            self._by_address.setdefault((r.file, r.address), r)
        self._targets: dict[tuple, list[Resource]] | None = None
        # target id -> [(referrer, path)], filled one (type, argument) at a time: the arguments of a
        # Terraform resource are evaluated when read, so only the referrers a policy asks about are
        self._referrers: dict[int, list[tuple[Resource, tuple]]] = defaultdict(list)
        self._indexed: set[tuple[str, str | None]] = set()  # (type, argument or None for all)
        self._rank: dict[int, int] = {}
        self._remembered: dict = {}

    def remembered(self, key, build: Callable[[], T]) -> T:
        """``build()``, made once per project and ``key`` and kept as long as the project.

        What a policy derives from the whole project (an index of its firewall rules, the
        isolation inventory, where secrets are written) is built by the first policy that asks
        and shared with the others: a scan makes one Project, and nothing outlives it. ``key``
        belongs to the caller (its class or function, with any settings that change the result);
        a value that refers back to the project should hold it weakly.
        """
        value = self._remembered.get(key, _MISSING)
        if value is _MISSING:
            value = self._remembered[key] = build()
        return value

    def of_type(self, *types: str) -> list[Resource]:
        """Resources whose type is one of ``types`` (groups like ``k8s:workload`` allowed)."""
        out: list[Resource] = []
        for t in sorted(expand_kinds(types)):
            out.extend(self._by_type.get(t, ()))
        return out

    def get(self, address: str, file: str | None = None) -> Resource | None:
        if file is not None:
            return self._by_address.get((file, address))
        return next((r for (f, a), r in self._by_address.items() if a == address), None)

    # -- references --------------------------------------------------------------------------
    def references(self, resource: Resource, *types: str, via: str | None = None) -> list[Resource]:
        """The resources that ``resource`` refers to (from attributes under ``via``, if given).

        ``types`` filters by resource type (kind groups allowed); ``via`` is a dotted attribute
        path such as ``"bucket"`` or ``"rule.apply_server_side_encryption_by_default"``; list
        positions of nested blocks are not written.
        """
        targets = self._index()
        wanted = expand_kinds(types) if types else None
        resource.settle(via.partition(".")[0] if via else None)
        out: dict[int, Resource] = {}
        for path, addresses in resource.meta.get("refs", {}).items():
            if via is not None and not _under(path, via):
                continue
            for address in addresses:
                for target in targets.get((resource.meta.get("root"), address), ()):
                    if target is not resource and (wanted is None or target.type in wanted):
                        out.setdefault(id(target), target)
        return self._ordered(out)

    def referrers(self, resource: Resource, *types: str, via: str | None = None) -> list[Resource]:
        """The resources (of ``types``, if given) whose attributes (under ``via``) refer to ``resource``."""
        targets = self._index()
        wanted = expand_kinds(types) if types else None
        head = via.partition(".")[0] if via else None
        for t in sorted(wanted if wanted is not None else self._by_type):
            self._index_referrers(t, head, targets)
        out: dict[int, Resource] = {}
        for source, path in self._referrers.get(id(resource), ()):
            if (wanted is None or source.type in wanted) and (via is None or _under(path, via)):
                out.setdefault(id(source), source)
        return self._ordered(out)

    def _ordered(self, found: dict[int, Resource]) -> list[Resource]:
        """``found``'s resources in scan order, whichever order their references were read in."""
        if not self._rank:
            self._rank = {id(r): i for i, r in enumerate(self.all)}
        return sorted(found.values(), key=lambda r: self._rank[id(r)])

    def _index(self) -> dict[tuple, list[Resource]]:
        """(root module, address) -> the Terraform resources it names."""
        if self._targets is None:
            # An address names one instance ("aws_instance.web[0]") or, for a whole counted block,
            # all of them ("aws_instance.web"): index each resource under both.
            self._targets = defaultdict(list)
            for r in self.all:
                if r.source != "terraform":
                    continue
                root = r.meta.get("root")
                self._targets[(root, r.address)].append(r)
                base = _INDEX.sub("", r.address) if "[" in r.address else None
                if base and base != r.address:
                    self._targets[(root, base)].append(r)
        return self._targets

    def _index_referrers(self, type_: str, head: str | None, targets: dict) -> None:
        """Index the references of every ``type_`` resource written in argument ``head`` (all
        arguments when None), evaluating those arguments if nothing has read them yet."""
        if (type_, None) in self._indexed or (type_, head) in self._indexed:
            return
        self._indexed.add((type_, head))
        for r in self._by_type.get(type_, ()):
            r.settle(head)
            root = r.meta.get("root")
            for path, addresses in r.meta.get("refs", {}).items():
                if (path[0] != head) if head is not None else ((type_, path[0]) in self._indexed):
                    continue  # another argument; or, for all of them, one indexed already
                for address in addresses:
                    for target in targets.get((root, address), ()):
                        if target is not r:
                            self._referrers[id(target)].append((r, path))

    def guarded(self, findings: Iterable, subject: Resource | None = None):
        """Yield from ``findings``; an Unknown stops only this part of the check, and is counted.

        A project policy checks many things (every Dockerfile, every namespace). Without this, one
        value nobody can know would stop the whole policy; with it, it stops the part that needs
        the value, exactly as it stops a single-resource policy on one resource.
        """
        try:
            yield from findings
        except UnknownValue as exc:
            self.skipped.append((exc.unknown, subject))

    def __len__(self) -> int:
        return len(self.all)


_INDEX = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]')


def _under(path: tuple, via: str) -> bool:
    names = tuple(p for p in path if isinstance(p, str))
    want = tuple(via.split("."))
    return names[:len(want)] == want
