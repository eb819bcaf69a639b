"""A1 references: column letters ↔ numbers.

openpyxl has these helpers, but importing any part of openpyxl loads all of it (0.3 s here, numpy
included when present), which is most of a command's start-up; the read path needs only these three.
"""

from __future__ import annotations

import re
from functools import lru_cache

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@lru_cache(maxsize=4096)
def column_letter(col: int) -> str:
    """1 → A, 28 → AB (cached: a big sheet asks for the same few columns hundreds of thousands of times)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 1, AB → 28."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def split(ref: str) -> tuple[int, int]:
    """ "C5" → (5, 3): row and column numbers."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"not an A1 cell reference: {ref!r}")
    return int(m.group(2)), column_index(m.group(1))
