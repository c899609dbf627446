"""GitHub's ``primaryLocationLineHash``: a port of ``hash()`` from github/codeql-action.

GitHub code scanning tracks an alert across commits by the result's
``partialFingerprints.primaryLocationLineHash``. When a SARIF file lacks it, the upload action
computes it from the checked-out file with ``hash()`` in ``src/fingerprints.ts``. We compute it
ourselves, bit for bit the same, so uploads from anywhere (not only the action) deduplicate the
same way and a later upload through the action never disagrees with us.

The algorithm, for every line of a file:

* the file is read as UTF-16 code units (JavaScript's ``charCodeAt``: a character outside the
  BMP counts as two units);
* spaces and tabs are dropped, ``\\r\\n``, ``\\r`` and ``\\n`` all become ``\\n``;
* a line's hash is a polynomial rolling hash (base 37, 64-bit wrapping arithmetic, as the
  ``long`` package does in JavaScript) of the 100 normalised units starting at the line's first
  unit. After the last unit comes one ``0xFFFF`` (EOF) and then zeros, so lines near the end
  still have 100 units;
* the hash is printed as unsigned lowercase hex, and suffixed with ``:n``, where ``n`` counts
  how many lines so far (this one included) had the same hash.

So a line's hash depends on its own text and the ~100 non-blank characters after it, never
on its line number, indentation or line endings; the ``:n`` suffix tells repeated lines apart.

The port keeps the structure of the original (window, ``lineNumbers``, ``outputHash``,
``updateHash``) so it can be read side by side with the TypeScript. The one liberty: the
per-character normalisation (skip blanks, fold ``\\r\\n``/``\\r`` into ``\\n``) is done up front
with string methods, which is equivalent (``\\r\\n`` is folded only when the two are adjacent,
exactly when ``prevCR`` would be set) and keeps the per-unit loop short.
"""

from __future__ import annotations

import sys
from array import array
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


def iter_line_hashes(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, "hexhash:n")`` for every line of ``text``, in line order.

    A text ending with a line break has one more (empty) line, as in the original: the
    number of lines is ``len(re.split(r"\\r\\n|\\r|\\n", text))``.
    """
    window = [0] * BLOCK_SIZE
    line_numbers = [-1] * BLOCK_SIZE
    hash_raw = 0
    index = 0
    line_number = 0
    line_start = True
    hash_counts: dict[str, int] = {}
    mod, first_mod, mask, size = MOD, FIRST_MOD, _MASK, BLOCK_SIZE

    units = _code_units(text)
    units.append(EOF)
    for current in units:  # processCharacter(), normalisation already done
        if line_numbers[index] != -1:  # outputHash()
            value = format(hash_raw, "x")
            count = hash_counts[value] = hash_counts.get(value, 0) + 1
            yield line_numbers[index], f"{value}:{count}"
            line_numbers[index] = -1
        if line_start:
            line_start = False
            line_number += 1
            line_numbers[index] = line_number
        if current == LF:
            line_start = True
        # updateHash(current)
        begin = window[index]
        window[index] = current
        hash_raw = (mod * hash_raw + current - first_mod * begin) & mask
        index += 1
        if index == size:
            index = 0

    for _ in range(size):  # flush the remaining lines
        if line_numbers[index] != -1:
            value = format(hash_raw, "x")
            count = hash_counts[value] = hash_counts.get(value, 0) + 1
            yield line_numbers[index], f"{value}:{count}"
            line_numbers[index] = -1
        begin = window[index]
        window[index] = 0
        hash_raw = (mod * hash_raw - first_mod * begin) & mask
        index += 1
        if index == size:
            index = 0


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
    last = max(wanted)
    out: dict[int, str] = {}
    for line, value in iter_line_hashes(text):
        if line in wanted:
            out[line] = value
        if line >= last:
            break
    return out


def line_hash(text: str, line: int) -> str | None:
    """The hash of one line, or None when ``text`` has no such line."""
    return line_hashes(text, (line,)).get(line)
