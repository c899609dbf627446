"""The project index: every resource of a scan, for policies that need more than one resource."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from .model import Resource, Unknown, UnknownValue, expand_kinds


class Project:
    def __init__(self, resources: Iterable[Resource]):
        self.all: list[Resource] = list(resources)
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._by_address: dict[tuple[str, str], Resource] = {}
        self.skipped: list[tuple[Unknown, Resource | None]] = []  # drained by the engine
        for r in self.all:
            self._by_type[r.type].append(r)
            self._by_address.setdefault((r.file, r.address), r)

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
