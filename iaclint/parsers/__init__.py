"""Parsers: text in, resources out.

Each format module exposes ``parse(text: str, path: str) -> (resources, diagnostics)``. It never
raises for bad input except :class:`iaclint.model.ParseError` (file, line and column of what
is wrong); a partial result plus error diagnostics is also fine (a broken third document of a
YAML stream does not hide the first two).
"""
