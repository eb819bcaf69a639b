"""Apply an operation's edits to any Book, in blocks.

Both hosts' live adapters use this: the edits of one sheet are grouped into runs of adjacent cells (down a
column, or else along a row) and each run is written with one ``Book.write`` call, so a total column of
twelve cells costs one write, not twelve. Only the cells the edits name are written: cells between two
edits are never part of a block.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from xlperf.a1 import split
from xlperf.book.protocol import Book
from xlperf.report import Edit


def cell_value(edit: Edit, values_only: bool = False) -> Any:
    """What to write into the edit's cell: a formula ("=SUM(C6:C17)"), or its value, or the label text."""
    if edit.inline_label:
        return f"{edit.inline_label}：{edit.value}"
    if edit.formula and not values_only:
        return edit.formula if edit.formula.startswith("=") else "=" + edit.formula
    return plain(edit.value)


def plain(value: Any) -> Any:
    """A value a spreadsheet library takes: Decimal amounts as int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def runs(cells: dict[tuple[int, int], Any]) -> list[tuple[int, int, list[list[Any]]]]:
    """Group (row, col) → value into blocks of adjacent cells: first runs down a column, then the single
    cells left over joined along their rows. Returns (row, col, block) with a rectangular block."""
    out: list[tuple[int, int, list[list[Any]]]] = []
    singles: dict[tuple[int, int], Any] = {}
    by_col: dict[int, list[int]] = defaultdict(list)
    for row, col in cells:
        by_col[col].append(row)
    for col, rows in sorted(by_col.items()):
        rows.sort()
        start = prev = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            if prev > start:
                out.append((start, col, [[cells[(r, col)]] for r in range(start, prev + 1)]))
            else:
                singles[(start, col)] = cells[(start, col)]
            if row is not None:
                start = prev = row
    by_row: dict[int, list[int]] = defaultdict(list)
    for row, col in singles:
        by_row[row].append(col)
    for row, cols in sorted(by_row.items()):
        cols.sort()
        start = prev = cols[0]
        for col in [*cols[1:], None]:
            if col is not None and col == prev + 1:
                prev = col
                continue
            out.append((row, start, [[singles[(row, c)] for c in range(start, prev + 1)]]))
            if col is not None:
                start = prev = col
    return sorted(out, key=lambda run: (run[0], run[1]))


def apply_to_book(book: Book, edits: Iterable[Edit], values_only: bool = False) -> int:
    """Write ``edits`` into ``book``, one ``write`` per run of adjacent cells of a sheet; returns the number
    of writes. A later edit of the same cell wins."""
    per_sheet: dict[str, dict[tuple[int, int], Any]] = defaultdict(dict)
    for e in edits:
        per_sheet[e.sheet][split(e.cell)] = cell_value(e, values_only)
    writes = 0
    for sheet, cells in per_sheet.items():
        for row, col, block in runs(cells):
            book.write(sheet, row, col, block)
            writes += 1
    return writes
