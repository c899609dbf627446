"""lazy_re: a module-level pattern compiled on first use, otherwise re.compile's pattern."""

import re

from iaclint.lazyre import lazy_re


def test_compiles_on_first_use_and_behaves_as_compiled():
    lazy = lazy_re(r"(?P<k>[a-z]+)=(\d+)", re.I)
    assert "match" not in vars(lazy)  # nothing compiled at definition
    plain = re.compile(r"(?P<k>[a-z]+)=(\d+)", re.I)
    text = "A=1 bb=22 c"
    assert lazy.search(text).groups() == plain.search(text).groups()
    assert "match" in vars(lazy)  # the compiled pattern's methods are bound now
    assert lazy.findall(text) == plain.findall(text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert lazy.sub("-", text) == plain.sub("-", text) and lazy.subn("-", text) == plain.subn("-", text)
    assert lazy.split(text) == plain.split(text) and lazy.fullmatch("x=1").group("k") == "x"
    assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == (
        plain.pattern, plain.flags, plain.groups, plain.groupindex)


def test_private_and_dunder_attributes_are_not_forwarded():
    lazy = lazy_re("a")
    for name in ("__deepcopy__", "_compiled", "_x"):
        assert not hasattr(lazy, name)
    assert "match" not in vars(lazy)
