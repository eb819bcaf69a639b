"""Formula text as stored in a workbook (en-US, comma separators): the functions a formula calls, the cells
and ranges it refers to, and shared formulas moved to the cell that uses them.

This is a scanner, not a parser: it knows enough of the grammar to tell a function call, a reference, a
name, a string and an error literal apart, which is what the recalculation needs — which functions a
formula calls (volatile? implemented by the engine?) and which cells it reads (so that what is said of a
cell can be said of every formula that depends on it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from xlperf.a1 import column_index, column_letter

MAX_ROW = 1_048_576
MAX_COL = 16_384

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<err>\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!))
  | (?P<sheet>(?:'(?:[^']|'')+'|(?:\[[^\]]*\])?[^\W\d][\w.]*(?::[^\W\d][\w.]*)?)!)
  | (?P<cells>\$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?)(?![\w.(\[!])
  | (?P<cols>\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3})(?![\w.(\[!])
  | (?P<rows>\$?[0-9]+:\$?[0-9]+)(?![\w.(\[!])
  | (?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[Ee][+-]?[0-9]+)?)
  | (?P<func>[^\W\d][\w.]*|\\[\w.]+)(?=\()
  | (?P<struct>[^\W\d][\w.]*\[)
  | (?P<name>[^\W\d][\w.?\\]*|\\[\w.?\\]*)
  | (?P<bracket>\[)
  | (?P<op>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLWS.")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # ws str err sheet cells cols rows num func struct name bracket op
    text: str


@dataclass(frozen=True, slots=True)
class Area:
    """A rectangle of cells a formula refers to; ``sheet`` None means the formula's own sheet."""

    sheet: str | None
    row1: int
    col1: int
    row2: int
    col2: int

    def contains(self, row: int, col: int) -> bool:
        return self.row1 <= row <= self.row2 and self.col1 <= col <= self.col2


def tokens(formula: str) -> Iterator[Token]:
    """The tokens of a formula (with or without its leading "="); structured references such as
    ``Table1[[#This Row],[Jan]]`` come as one ``struct`` token, brackets balanced."""
    text = formula[1:] if formula.startswith("=") else formula
    pos, end = 0, len(text)
    while pos < end:
        m = _TOKEN.match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind = m.lastgroup or "op"
        stop = m.end()
        if kind in ("struct", "bracket"):
            depth = 1
            while stop < end and depth:
                if text[stop] == "[":
                    depth += 1
                elif text[stop] == "]":
                    depth -= 1
                elif text[stop] == "'" and stop + 1 < end:  # ' escapes a bracket inside a column name
                    stop += 1
                stop += 1
            kind = "struct"
        yield Token(kind, text[pos:stop])
        pos = stop


def function_name(token_text: str) -> str:
    """The name a person knows a function by: upper case, without the file format's ``_xlfn.`` prefix."""
    name = token_text.upper()
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def functions(formula: str) -> list[str]:
    """The functions a formula calls, by :func:`function_name`, each once, in order of appearance (a LAMBDA
    parameter called as a function, ``_xlpm.f(1)``, is not one)."""
    seen: dict[str, None] = {}
    for tok in tokens(formula):
        if tok.kind == "func" and not tok.text.upper().startswith("_XLPM."):
            seen.setdefault(function_name(tok.text), None)
    return list(seen)


def other_workbook(formula: str) -> bool:
    """Whether a formula refers to another workbook: ``[1]Sheet1!A1`` (an external link, by its number),
    ``'/dir/[Book.xlsx]Sheet 1'!A1`` (a file, by its name) or ``[1]!Name`` (a name defined there);
    ``[0]`` is the workbook itself. Not the text an INDIRECT reads at run time."""
    previous: Token | None = None
    for tok in tokens(formula):
        if tok.kind == "sheet" and "[" in tok.text and not tok.text.lstrip("'").startswith("[0]"):
            return True
        if tok.text == "!" and previous is not None and previous.kind == "struct":
            if previous.text.startswith("[") and previous.text != "[0]":
                return True
        if tok.kind != "ws":
            previous = tok
    return False


def _sheet_name(prefix: str) -> str:
    """ "'My sheet'!" → "My sheet"; "Sheet1!" → "Sheet1" (external and 3-D prefixes are kept as they are)."""
    name = prefix[:-1]
    if name.startswith("'") and name.endswith("'"):
        name = name[1:-1].replace("''", "'")
    return name


def _bound(part: str) -> tuple[int, int]:
    """ "$B$5" → (5, 2)."""
    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?([0-9]+)", part)
    assert m is not None
    return int(m.group(2)), column_index(m.group(1))


def area(kind: str, text: str, sheet: str | None) -> Area | None:
    """The rectangle of a ``cells``, ``cols`` or ``rows`` token."""
    parts = text.split(":")
    if kind == "cells":
        corners = [_bound(p) for p in parts]
        rows = [r for r, _ in corners]
        cols = [c for _, c in corners]
        return Area(sheet, min(rows), min(cols), max(rows), max(cols))
    if kind == "cols":
        cols = [column_index(p.lstrip("$")) for p in parts]
        return Area(sheet, 1, min(cols), MAX_ROW, max(cols))
    if kind == "rows":
        rows = [int(p.lstrip("$")) for p in parts]
        return Area(sheet, min(rows), 1, max(rows), MAX_COL)
    return None


def reference_tokens(formula: str) -> tuple[list[tuple[str | None, str, str]], list[str]]:
    """The references of a formula as (sheet or None, kind, text) — kind ``cells``, ``cols`` or ``rows`` —
    and the names it uses (defined names and tables, upper case)."""
    refs: list[tuple[str | None, str, str]] = []
    names: list[str] = []
    sheet: str | None = None
    for tok in tokens(formula):
        if tok.kind == "sheet":
            sheet = _sheet_name(tok.text)
            continue
        if tok.kind in ("cells", "cols", "rows"):
            refs.append((sheet, tok.kind, tok.text))
        elif tok.kind == "name" and tok.text.upper() not in ("TRUE", "FALSE"):
            names.append(tok.text.upper())
        elif tok.kind == "struct":
            names.append(tok.text.split("[", 1)[0].upper())
        sheet = None
    return refs, names


def references(formula: str) -> tuple[list[Area], list[str]]:
    """The areas a formula refers to and the names it uses (defined names and tables, upper case)."""
    refs, names = reference_tokens(formula)
    areas = [a for sheet, kind, text in refs if (a := area(kind, text, sheet)) is not None]
    return areas, names


def shifted(text: str, rows: int, cols: int) -> str:
    """A reference ("A1:$B2", "C:C", "3:4") moved by rows and columns, anchored parts kept; "#REF!" when it
    leaves the sheet."""
    moved = [_shift(p, rows, cols) for p in text.split(":")]
    return "#REF!" if "#REF!" in moved else ":".join(moved)


def _shift(part: str, rows: int, cols: int) -> str:
    """Move one corner of a reference ("B$5", "$C", "7") by rows and columns, keeping what is anchored."""
    m = re.fullmatch(r"(\$?)([A-Za-z]{1,3})?(\$?)([0-9]+)?", part)
    if m is None:
        return part
    col_abs, letters, row_abs, digits = m.groups()
    out = ""
    if letters is not None:
        col = column_index(letters) + (0 if col_abs else cols)
        if not 1 <= col <= MAX_COL:
            return "#REF!"
        out += col_abs + column_letter(col)
    if digits is not None:
        row = int(digits) + (0 if row_abs else rows)
        if not 1 <= row <= MAX_ROW:
            return "#REF!"
        out += row_abs + str(row)
    return out


def translate(formula: str, rows: int, cols: int) -> str:
    """A shared formula as it reads in a cell ``rows`` below and ``cols`` right of its master: relative
    references move, anchored ($) ones stay."""
    if not rows and not cols:
        return formula
    out: list[str] = []
    for tok in tokens(formula):
        out.append(shifted(tok.text, rows, cols) if tok.kind in ("cells", "cols", "rows") else tok.text)
    return "".join(out)
