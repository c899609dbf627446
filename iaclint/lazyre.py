"""Regular expressions compiled on first use, for module-level patterns of policies and helpers.

A scan imports the modules of every policy that applies to a resource type it found, and many of
their patterns never run (a Dockerfile without ``pip install`` never needs the pip patterns).
Compiling them all at import cost a large share of a cold scan of a small repository.

``lazy_re(pattern, flags)`` stands for ``re.compile(pattern, flags)``: the first use of any
attribute (``match``, ``search``, ``sub``, ``pattern``...) compiles it, and then binds the compiled
pattern's methods on the object, so later calls cost what calling the pattern does.
"""

from __future__ import annotations

import re

__all__ = ["lazy_re"]

_METHODS = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split", "scanner",
            "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """A ``re.Pattern`` compiled when an attribute of it is first read."""

    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):  # only for attributes not bound yet: the first use
        if name.startswith("_"):  # never a Pattern attribute (copy, pickle, our own _args)
            raise AttributeError(name)
        compiled = re.compile(*self._args)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_re({self._args[0]!r}, {self._args[1]!r})"


def lazy_re(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
