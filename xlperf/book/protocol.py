"""The Book protocol: the only surface through which xlperf touches a spreadsheet.

It is deliberately small, so that both an openpyxl file and a live Excel workbook (xlwings) can
implement it with block reads and writes: list the sheets, read one sheet's used range as a block of
values (and, on request, formulas) with its merged ranges and, when asked, each cell's number format,
write a block, mark a cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


def reader_value(v: Any) -> Any:
    """A cell value as the readers take it, whatever the adapter: "" is empty (None) and a whole float is
    an int (calamine and Excel hand every number over as a float)."""
    if v == "":
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


@dataclass(frozen=True)
class Merge:
    """A merged range, 1-based and inclusive."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int

    def contains(self, row: int, col: int) -> bool:
        return self.min_row <= row <= self.max_row and self.min_col <= col <= self.max_col


class NumberFormats(Protocol):
    """Where a sheet's number formats come from: an adapter's own lookup, which does its work (parsing
    styles, asking Excel) only when a format is first asked for."""

    def number_format(self, row: int, col: int) -> str | None: ...


@dataclass
class SheetData:
    """One sheet's used range read in one block.

    ``values[r][c]`` is the cell at row ``r + 1`` and column ``c + 1`` (the block always starts at A1, so
    coordinates need no offset). ``formulas`` is filled only when asked for: the formula text where a
    cell has one, else None.

    ``computed`` and ``uncomputed`` are the (row, col) of the formula cells the file holds without a value
    (a workbook written by a program that does not calculate): ``computed`` those whose value xlperf
    calculated and put in ``values``, ``uncomputed`` those it could not calculate, which stay empty. Both
    are empty for a workbook saved by Excel (every formula has its value).

    :meth:`number_format` gives a cell's number format; the adapter's ``format_source`` does its work on
    the first call only, so reading a sheet costs nothing more when no format is asked for.
    """

    name: str
    values: list[list[Any]]
    merges: list[Merge] = field(default_factory=list)
    formulas: list[list[str | None]] | None = None
    hidden: bool = False
    computed: frozenset[tuple[int, int]] = frozenset()
    uncomputed: frozenset[tuple[int, int]] = frozenset()
    format_source: NumberFormats | None = field(default=None, repr=False, compare=False)

    def number_format(self, row: int, col: int) -> str | None:
        """The number format code of the cell at ``row``, ``col`` (1-based) as the user sees it applied
        ("0.00%", "#,##0.00", 'yyyy"年"m"月"d"日"'); None for General, or where it is not known (a legacy
        .xls, an engine that cannot tell, a cell outside the rows read). Merged ranges are not resolved:
        the cell itself is asked, not the top-left cell of its range. See
        :func:`xlperf.book.number_formats.is_percent_format`."""
        if self.format_source is None:
            return None
        return self.format_source.number_format(row, col)

    @property
    def n_rows(self) -> int:
        return len(self.values)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.values), default=0)


class Book(Protocol):
    """A workbook, in a file or live in Excel."""

    @property
    def path(self) -> str: ...

    def sheet_names(self) -> list[str]: ...

    def read(self, sheet: str, formulas: bool = False) -> SheetData: ...

    def write(self, sheet: str, row: int, col: int, block: list[list[Any]]) -> None:
        """Write a block whose top-left cell is (row, col), 1-based. A str starting with "=" is a formula."""
        ...

    def mark(self, sheet: str, row: int, col: int, fill: str, note: str | None = None) -> None:
        """Fill a cell with an RGB colour ("FFC7CE") and attach a note."""
        ...

    def add_sheet(self, name: str, rows: list[list[Any]], links: dict[tuple[int, int], str]) -> None:
        """Add (or replace) a sheet holding ``rows`` from A1; ``links`` maps (row, col) to an in-book
        target such as "'附表2'!C5" (a hyperlink a person can click)."""
        ...
