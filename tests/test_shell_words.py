"""The shell parser's word splitter reads words exactly as shlex.split(posix=True)."""

import shlex

from hypothesis import given, settings, strategies as st

from iaclint.shell import commands, pipelines, split_words


def _shlex(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.text(alphabet="ab $\t\n\r\x0b\xa0'\"\\#|;é", max_size=30))
def test_split_words_matches_shlex(text):
    assert split_words(text) == _shlex(text)


def test_split_words_examples():
    assert split_words("""curl -u 'user:p w' "a \\"b\\" \\$c" d\\ e""") == ["curl", "-u", "user:p w", 'a "b" \\$c', "d e"]
    assert split_words("echo 'unbalanced") == ["echo", "'unbalanced"]


def test_an_unbalanced_quote_after_long_words_falls_back_in_one_pass():
    # a splitter that backtracks over every way to cut "aaa..." into pieces never returns here
    assert split_words("a" * 5000 + "'") == ["a" * 5000 + "'"]
    assert split_words("ab 'c d' " * 2000 + '"') == ("ab 'c d' " * 2000 + '"').split()


def test_pipelines_are_shared_and_immutable():
    first = pipelines("apt-get update && curl -k https://x | sh")
    assert pipelines("apt-get update && curl -k https://x | sh") is first
    assert isinstance(first, tuple) and all(isinstance(p, tuple) for p in first)
    assert [c.name for c in commands("sudo -u app env A=1 curl -k https://x")] == ["curl"]
