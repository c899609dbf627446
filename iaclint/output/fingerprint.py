"""GitHub's ``primaryLocationLineHash``: the value of ``hash()`` from github/codeql-action.

GitHub code scanning tracks an alert across commits by the result's
``partialFingerprints.primaryLocationLineHash``. When a SARIF file lacks it, the upload action
computes it from the checked-out file with ``hash()`` in ``src/fingerprints.ts``. We compute it
ourselves, bit for bit the same, so uploads from anywhere (not only the action) deduplicate the
same way and a later upload through the action never disagrees with us.

The algorithm, for every line of a file:

* the file is read as UTF-16 code units (JavaScript's ``charCodeAt``: a character outside the
  BMP counts as two units);
* spaces and tabs are dropped, ``\\r\\n``, ``\\r`` and ``\\n`` all become ``\\n``;
* a line's hash is a polynomial hash (base 37, 64-bit wrapping arithmetic, as the ``long``
  package does in JavaScript) of the 100 normalised units starting at the line's first unit.
  After the last unit comes one ``0xFFFF`` (EOF) and then zeros, so lines near the end still
  have 100 units;
* the hash is printed as unsigned lowercase hex, and suffixed with ``:n``, where ``n`` counts
  how many lines so far (this one included) had the same hash.

So a line's hash depends on its own text and the ~100 non-blank characters after it, never
on its line number, indentation or line endings; the ``:n`` suffix tells repeated lines apart.

The original slides a window of 100 units over the file, one character at a time, and emits a
line's hash when the window has moved 100 units past the line's start. This computes the same
values from prefix hashes instead: with ``P[i]`` the hash of the first ``i`` units,
``P[i + 1] = 37 * P[i] + unit[i]``, the 100 units from ``s`` hash to
``P[s + 100] - 37**100 * P[s]`` (all mod 2**64). That is one multiply-add per unit where the
window took a dozen operations (1.7-2.1x faster on the corpus's files with findings), and it stops
100 units after the last line wanted. The tests compare it with the action's own test vectors
and with an explicit polynomial sum per line.
"""

from __future__ import annotations

import sys
from array import array

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Callable, Iterable, Iterator

__all__ = ["hash_lines", "iter_line_hashes", "line_hashes", "line_hash"]

BLOCK_SIZE = 100
MOD = 37
EOF = 65535
LF = 10
_MASK = (1 << 64) - 1
# 37**100 with 64-bit wrap-around (the original multiplies a Long 100 times).
FIRST_MOD = pow(MOD, BLOCK_SIZE, 1 << 64)

_BLANKS = {ord(" "): None, ord("\t"): None, ord("\r"): LF}


def _code_units(text: str) -> "array[int]":
    """``text`` as normalised UTF-16 code units: no spaces or tabs, every line break one LF."""
    # "\r\n" first (only adjacent pairs, exactly as prevCR in the original), then lone "\r".
    text = text.replace("\r\n", "\n").translate(_BLANKS)
    units = array("H")
    units.frombytes(text.encode("utf-16-le", "surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    return units


def iter_line_hashes(text: str, last: int | None = None) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, "hexhash:n")`` for every line of ``text`` (up to line ``last``),
    in line order.

    A text ending with a line break has one more (empty) line, as in the original: the
    number of lines is ``len(re.split(r"\\r\\n|\\r|\\n", text))``.
    """
    units = _code_units(text)
    n = len(units)
    # where each line starts: the first unit, and the unit after each LF (the EOF included)
    starts = [0]
    find = units.index
    while last is None or len(starts) < last:
        try:
            starts.append(find(LF, starts[-1], n) + 1)
        except ValueError:
            break
    units.append(EOF)
    units.frombytes(bytes(2 * BLOCK_SIZE))  # then zeros: every line has its 100 units
    prefix = [0]
    add = prefix.append
    h = 0
    mod, mask = MOD, _MASK
    for unit in units[:starts[-1] + BLOCK_SIZE]:
        h = (h * mod + unit) & mask
        add(h)
    counts: dict[str, int] = {}
    first_mod = FIRST_MOD
    for number, start in enumerate(starts, 1):
        value = format((prefix[start + BLOCK_SIZE] - first_mod * prefix[start]) & mask, "x")
        count = counts[value] = counts.get(value, 0) + 1
        yield number, f"{value}:{count}"


def hash_lines(text: str, callback: Callable[[int, str], None]) -> None:
    """The original's interface: ``callback(line_number, hash)`` for every line."""
    for line, value in iter_line_hashes(text):
        callback(line, value)


def line_hashes(text: str, lines: Iterable[int] | None = None) -> dict[int, str]:
    """``{line: "hexhash:n"}`` for the wanted ``lines`` (every line when None).

    Lines beyond the end of ``text`` are absent from the answer. Hashing stops after the
    last wanted line: the ``:n`` suffix only depends on the lines before it.
    """
    if lines is None:
        return dict(iter_line_hashes(text))
    wanted = {line for line in lines if line >= 1}
    if not wanted:
        return {}
    return {line: value for line, value in iter_line_hashes(text, max(wanted)) if line in wanted}


def line_hash(text: str, line: int) -> str | None:
    """The hash of one line, or None when ``text`` has no such line."""
    return line_hashes(text, (line,)).get(line)
