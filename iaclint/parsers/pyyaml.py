"""PyYAML, imported without compiling a pattern that its C loader never uses.

Importing ``yaml`` compiles ``yaml.reader.Reader.NON_PRINTABLE``, a negated character class
reaching U+10FFFF that Python's pattern compiler takes ~7 ms to build (57M instructions: a third
of the import, in every process that reads YAML). Only PyYAML's pure-Python reader uses it;
libyaml checks characters itself (yaml/pyyaml#301, open since 2019). This module imports ``yaml``
with that one pattern left to compile on first use, so the pure-Python reader still gets it.
Import ``yaml`` from here (or after this module) to have the saving.
"""

from __future__ import annotations

import re
import sys

from iaclint.lazyre import lazy_re

# yaml/reader.py, PyYAML 3.13 to 6.0.x, character for character
NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"


def _import():
    if "yaml" in sys.modules:
        return sys.modules["yaml"]
    compile_now = re.compile

    def compile(pattern, flags=0):  # noqa: A001 - stands in for re.compile during the import
        if flags == 0 and pattern == NON_PRINTABLE:
            return lazy_re(pattern)
        return compile_now(pattern, flags)

    re.compile = compile
    try:
        import yaml
    finally:
        re.compile = compile_now
    return yaml


yaml = _import()
