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


# -- the quote and substitution scanners, against a reading of one character at a time ---------
def _reference_end(s: str, i: int) -> int:
    """Where the quoted string, backtick or ``(...)`` starting at ``s[i]`` ends, read as the
    shell reads it, one character at a time (the scanners jump between special characters)."""
    n, c = len(s), s[i]
    if c == "'":
        j = s.find("'", i + 1)
        return n if j < 0 else j + 1
    if c == "(":
        depth, j = 0, i
        while j < n:
            if s[j] == "\\":
                j += 2
                continue
            if s[j] in "'\"`":
                j = _reference_end(s, j)
                continue
            depth += {"(": 1, ")": -1}.get(s[j], 0)
            j += 1
            if s[j - 1] == ")" and depth == 0:
                return j
        return n
    j = i + 1
    while j < n:
        if s[j] == "\\":
            j += 2
        elif s[j] == c:
            return j + 1
        elif c == '"' and s.startswith("$(", j):
            j = _reference_end(s, j + 1)
        elif c == '"' and s[j] == "`":
            j = _reference_end(s, j)
        else:
            j += 1
    return n


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.text(alphabet="a $()`'\"\\", max_size=30))
def test_quote_and_parenthesis_scanners_match_a_character_reader(text):
    from iaclint.shell import _skip_parens, _skip_quoted
    for i, c in enumerate(text):
        if c in "'\"`":
            assert _skip_quoted(text, i) == _reference_end(text, i)
        elif c == "(":
            assert _skip_parens(text, i) == _reference_end(text, i)


def test_quoted_words_lose_their_quotes():
    assert split_words("""--build="$gnuArch" 'it"s' "it's" a"b"'c' x\\"y""") == \
        ["--build=$gnuArch", 'it"s', "it's", "abc", 'x"y']
