"""The Book protocol over a live workbook through xlwings: Excel itself (COM on Windows, AppleScript on
macOS) or xlwings' remote engine (``xw.Book(json=...)``, how this is tested on Linux).

Round trips are what make a live workbook slow, so everything is done in blocks:

- ``read`` reads a sheet's used range from A1 in one block (values; formulas on request, where the
  engine can read them synchronously — the remote engine cannot, and then ``formulas`` stays None).
  Merged ranges are not read: xlwings can only ask for them cell by cell, and the readers read the same
  without them. Number formats are not read with the values either: ``SheetData.number_format`` asks the
  live cell on its first call for that cell (one round trip) and keeps the answer. The remote engine cannot
  read number formats synchronously; there it returns None, and after the first refusal nothing more is
  asked.
- ``write`` writes one block (``.formula`` when it holds a formula, else ``.value``).
- ``mark`` only queues; ``flush`` (also run by ``add_sheet``) applies the queue: the fills of a sheet in
  one ``set_colors`` call per band of at most 10,000 cells (cells not marked are "kept"), one note per
  marked cell, and the record of what was marked in one block. For N marked cells on S sheets that is at
  most S + N + 3 actions on the remote engine (one band per sheet whenever a sheet's marks fit in 10,000
  cells, and never more bands than cells; 3 = add, hide and write the record). Excel (COM) sets the fills
  cell by cell inside ``set_colors`` and is asked once per newly marked cell for its fill and its note, so
  there the bound is a few calls per marked cell plus a constant.

Text is written with Excel's text prefix (') so that Excel stores it as it is — never as a formula, a
number or a date; a str starting with "=" passed to ``write`` is a formula (the protocol's contract), and
the only formulas ``add_sheet`` writes are the HYPERLINK formulas it builds itself for its links.

Marks are undoable. Each marked cell's address, its fill before xlperf marked it (where the engine can
read fills: Excel can, the remote engine cannot and the fill is recorded as none) and whether it already
had a note are recorded in a hidden sheet ``_xlperf_marks``. ``clear_marks`` restores exactly those cells'
fills, deletes the notes xlperf added (a note the cell already had is never touched or replaced), deletes
the 校验结果 sheet and the record, and touches nothing else.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xlperf.a1 import a1, split
from xlperf.annotate import RESULT_SHEET
from xlperf.book.edits import plain
from xlperf.book.number_formats import shown
from xlperf.book.protocol import SheetData, reader_value

if TYPE_CHECKING:
    import xlwings as xw

MARKS_SHEET = "_xlperf_marks"
MARKS_HEADER = ["工作表", "单元格", "原填充色", "原有批注", "xlperf批注"]
MAX_COLOR_CELLS = 10_000  # xlwings' Range.set_colors takes at most this many cells per call


_LINK = re.compile(r"^(?:'(?:[^']|'')+'|[^'!]+)!(\$?[A-Z]{1,3}\$?[0-9]+)$")
_HEX = re.compile(r"^#?[0-9A-Fa-f]{6}$")


@dataclass
class MarkRecord:
    """What xlperf changed on one cell: its fill before (hex "#RRGGBB", "" for none or unreadable), whether
    it had a note before, and whether xlperf added one."""

    previous_fill: str = ""
    had_note: bool = False
    noted: bool = False


class XlwingsBook:
    """A live workbook behind the Book protocol (see the module docstring for the engines and round trips)."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self._pending: dict[tuple[str, int, int], tuple[str, str | None]] = {}
        self._fills_readable = True
        self._notes_supported = True
        self.formats_readable = True  # False once the engine refused to read a number format

    # --- the protocol ----------------------------------------------------------------------------------

    @property
    def path(self) -> str:
        return self.book.fullname

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets if s.name != MARKS_SHEET]

    def read(self, sheet: str, formulas: bool = False) -> SheetData:
        ws = self._sheet(sheet)
        last = ws.used_range.last_cell
        block = ws.range((1, 1), (last.row, last.column))
        values = [[reader_value(v) for v in row] for row in block.options(ndim=2, err_to_str=True).value]
        while values and all(v is None for v in values[-1]):
            values.pop()
        data = SheetData(sheet, values, [], hidden=_hidden(ws), format_source=_LiveFormats(self, ws))
        if formulas and not values:
            data.formulas = []
        elif formulas:
            try:
                raw = block.formula
            except NotImplementedError:  # the remote engine reads formulas only asynchronously
                raw = None
            if raw is not None:
                rows = [raw] if isinstance(raw, str) else raw
                rows = [[r] if isinstance(r, str) else r for r in rows]
                data.formulas = [
                    [f if isinstance(f, str) and f.startswith("=") else None for f in row] for row in rows
                ][: len(values)]
        return data

    def write(self, sheet: str, row: int, col: int, block: list[list[Any]]) -> None:
        if not block or not block[0]:
            return
        width = len(block[0])
        if any(len(r) != width for r in block):
            raise ValueError(f"{sheet}!{a1(row, col)}: a block must be rectangular")
        cells = [[_formula_or_text(v) for v in r] for r in block]
        target = self._sheet(sheet).range((row, col), (row + len(block) - 1, col + width - 1))
        if any(_is_formula(v) for r in block for v in r):
            target.formula = cells
        else:
            target.value = cells

    def mark(self, sheet: str, row: int, col: int, fill: str, note: str | None = None) -> None:
        """Queue a mark; ``flush`` applies the queue (``add_sheet`` and ``clear_marks`` flush first)."""
        if not _HEX.match(fill):
            raise ValueError(f"not an RGB colour: {fill!r}")
        self._pending[(sheet, row, col)] = ("#" + fill.lstrip("#").upper(), note or None)

    def add_sheet(self, name: str, rows: list[list[Any]], links: dict[tuple[int, int], str]) -> None:
        self.flush()
        self._delete_sheet(name)
        ws = self.book.sheets.add(name=name, after=self.book.sheets[-1])
        width = max((len(r) for r in rows), default=0)
        if width:
            block = [[_text(v) for v in r] + [None] * (width - len(r)) for r in rows]
            ws.range((1, 1), (len(block), width)).value = block
        for (r0, c0, r1, c1), formulas in _link_blocks(links):
            ws.range((r0, c0), (r1, c1)).formula = formulas
        from xlperf.annotate import WIDTHS  # the 校验结果 sheet's columns, as the annotated copy has them

        for c, w in enumerate(WIDTHS[:width], start=1):
            try:
                ws.range((1, c)).column_width = w
            except NotImplementedError:
                break

    # --- marks -----------------------------------------------------------------------------------------

    def flush(self) -> None:
        """Apply the queued marks and record them (the number of actions is bounded: see the module docstring)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        present = set(self.sheet_names())
        pending = {k: v for k, v in pending.items() if k[0] in present}  # 校验结果 still lists the others
        if not pending:
            return
        record = self.marks()
        for sheet, row, col in pending:
            if (sheet, row, col) not in record:
                rng = self._sheet(sheet).range((row, col))
                record[(sheet, row, col)] = MarkRecord(self._fill_of(rng), _has_note(rng))
        for sheet, cells in _by_sheet({k: fill for k, (fill, _) in pending.items()}).items():
            self._set_fills(sheet, cells)
        for (sheet, row, col), (_, note) in pending.items():
            entry = record[(sheet, row, col)]
            if not note or not self._notes_supported or (entry.had_note and not entry.noted):
                continue  # a note the person wrote is never replaced: the message is in 校验结果 too
            if self._put_note(self._sheet(sheet).range((row, col)), note, entry.noted):
                entry.noted = True
        self._write_record(record)

    def marks(self) -> dict[tuple[str, int, int], MarkRecord]:
        """The record of marked cells, read from the hidden sheet (one block), or {} without one."""
        if not self._has_sheet(MARKS_SHEET):
            return {}
        data = self.read(MARKS_SHEET).values
        out: dict[tuple[str, int, int], MarkRecord] = {}
        for row in data[1:]:
            sheet, cell, fill, had, noted = [*row, None, None, None, None, None][:5]
            if not sheet or not cell:
                continue
            try:
                r, c = split(str(cell))
            except ValueError:
                continue
            out[(str(sheet), r, c)] = MarkRecord(str(fill or ""), bool(had), bool(noted))
        return out

    def clear_marks(self) -> int:
        """Undo every recorded mark: restore each cell's previous fill, delete the notes xlperf added, delete
        the 校验结果 sheet and the record. Returns the number of cells restored."""
        self._pending.clear()
        record = self.marks()
        present = set(self.sheet_names())
        record = {k: v for k, v in record.items() if k[0] in present}
        for sheet, cells in _by_sheet({k: v.previous_fill or None for k, v in record.items()}).items():
            self._set_fills(sheet, cells)
        for (sheet, row, col), entry in record.items():
            if entry.noted:
                note = self._sheet(sheet).range((row, col)).note
                if note is not None:
                    note.delete()
        self._delete_sheet(RESULT_SHEET)
        self._delete_sheet(MARKS_SHEET)
        return len(record)

    # --- helpers ---------------------------------------------------------------------------------------

    def _sheet(self, name: str) -> Any:
        return self.book.sheets[name]

    def _has_sheet(self, name: str) -> bool:
        return any(s.name == name for s in self.book.sheets)

    def _delete_sheet(self, name: str) -> None:
        if self._has_sheet(name):
            self._sheet(name).delete()

    def _fill_of(self, rng: Any) -> str:
        if not self._fills_readable:
            return ""
        try:
            color = rng.color
        except NotImplementedError:  # the remote engine reads fills only asynchronously
            self._fills_readable = False
            return ""
        if color is None:
            return ""
        return "#{:02X}{:02X}{:02X}".format(*color)

    def _set_fills(self, sheet: str, cells: dict[tuple[int, int], str | None]) -> None:
        """Fill ``cells`` (colour, or None for no fill) with one set_colors call per band."""
        ws = self._sheet(sheet)
        for r0, c0, r1, c1 in bands(cells):
            matrix = [[cells.get((r, c), ...) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
            ws.range((r0, c0), (r1, c1)).set_colors(matrix)

    def _put_note(self, rng: Any, text: str, ours: bool) -> bool:
        """Add (or, on a note xlperf added before, replace) the cell's note; False where notes are unsupported."""
        try:
            existing = rng.note
            if existing is not None:
                if not ours:
                    return False
                existing.text = text
                return True
            rng.add_note(text)
            return True
        except NotImplementedError:  # e.g. a remote client without notes
            self._notes_supported = False
            return False

    def _write_record(self, record: dict[tuple[str, int, int], MarkRecord]) -> None:
        rows: list[list[Any]] = [list(MARKS_HEADER)]
        for (sheet, row, col), e in sorted(record.items()):
            rows.append([sheet, a1(row, col), e.previous_fill, int(e.had_note), int(e.noted)])
        if self._has_sheet(MARKS_SHEET):
            ws = self._sheet(MARKS_SHEET)
        else:
            ws = self.book.sheets.add(name=MARKS_SHEET, after=self.book.sheets[-1])
            ws.visible = False
        ws.range((1, 1), (len(rows), len(MARKS_HEADER))).value = [[_text(v) for v in r] for r in rows]


class _LiveFormats:
    """The number formats of one live sheet: each cell asked once (one round trip), on first use."""

    def __init__(self, book: XlwingsBook, ws: Any) -> None:
        self._book, self._ws = book, ws
        self._cache: dict[tuple[int, int], str | None] = {}

    def number_format(self, row: int, col: int) -> str | None:
        if (row, col) in self._cache:
            return self._cache[(row, col)]
        if not self._book.formats_readable:
            return None
        try:
            code = self._ws.range((row, col)).number_format
        except NotImplementedError:  # the remote engine reads number formats only asynchronously
            self._book.formats_readable = False
            return None
        found = shown(code) if isinstance(code, str) else None
        self._cache[(row, col)] = found
        return found


def bands(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover the cells of one sheet with as few rectangles of at most MAX_COLOR_CELLS cells as a row sweep
    gives: the columns span all the cells, rows are added while the band stays small enough. Every band
    starts at a cell, so there are never more bands than cells."""
    cells = sorted(set(cells))
    if not cells:
        return []
    c0 = min(c for _, c in cells)
    c1 = max(c for _, c in cells)
    width = c1 - c0 + 1
    if width > MAX_COLOR_CELLS:
        return [(r, c, r, c) for r, c in cells]
    out: list[tuple[int, int, int, int]] = []
    start = last = cells[0][0]
    for r, _ in cells[1:]:
        if (r - start + 1) * width > MAX_COLOR_CELLS:
            out.append((start, c0, last, c1))
            start = r
        last = r
    out.append((start, c0, last, c1))
    return out


def _by_sheet(cells: dict[tuple[str, int, int], Any]) -> dict[str, dict[tuple[int, int], Any]]:
    out: dict[str, dict[tuple[int, int], Any]] = defaultdict(dict)
    for (sheet, row, col), v in cells.items():
        out[sheet][(row, col)] = v
    return out


def _link_blocks(links: dict[tuple[int, int], str]) -> list[tuple[tuple[int, int, int, int], list[list[str]]]]:
    """The HYPERLINK formulas of the links, as blocks of adjacent cells down a column (one write each).
    Only a target of the form 'Sheet'!C5 becomes a formula; the sheet name is escaped inside the string."""
    by_col: dict[int, dict[int, str]] = defaultdict(dict)
    for (r, c), target in links.items():
        m = _LINK.match(target)
        if m:
            cell = m.group(1).replace("$", "")
            by_col[c][r] = '=HYPERLINK("#{}","{}")'.format(target.replace('"', '""'), cell)
    out = []
    for c, formulas in sorted(by_col.items()):
        rows = sorted(formulas)
        start = prev = rows[0]
        for r in [*rows[1:], None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            out.append(((start, c, prev, c), [[formulas[i]] for i in range(start, prev + 1)]))
            if r is not None:
                start = prev = r
    return out


def _hidden(ws: Any) -> bool:
    try:
        return not ws.visible
    except (KeyError, NotImplementedError):  # a remote client that does not send sheet visibility
        return False


def _has_note(rng: Any) -> bool:
    try:
        return rng.note is not None
    except NotImplementedError:
        return False


def _is_formula(v: Any) -> bool:
    return isinstance(v, str) and v.startswith("=")


def _text(v: Any) -> Any:
    """Data as data: a str gets Excel's text prefix, so it is stored as typed, never as a formula or number."""
    if isinstance(v, str):
        return "'" + v if v else None
    return plain(v)


def _formula_or_text(v: Any) -> Any:
    return v if _is_formula(v) else _text(v)
