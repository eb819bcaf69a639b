"""A sheet as readers see it: a grid of values where a merged range reads the same from any of its cells.

Readers anchor on labels, never on coordinates. The grid gives them three things: where a label is
(:meth:`Grid.find`), the value that belongs to it (:meth:`Grid.right_of`: the next filled cell to the right
that is not itself a label — so inserted blank columns and removed merges do not matter), and the rows
of a table under a header (:meth:`Grid.header_columns`). Blank rows are simply skipped by readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlperf.a1 import a1
from xlperf.amounts import is_blank, split_labelled, to_decimal, to_percent
from xlperf.book.number_formats import is_percent_format
from xlperf.book.protocol import SheetData
from xlperf.labels import label_key, norm
from xlperf.model import Field

_UNIT_IN_HEADER = re.compile(r"\((万元|元)\)$")
# Captions saying the amounts are in 元 (as label_key gives them).
YUAN_CAPTIONS = frozenset({"金额单位:元", "单位:元", "单位(元)", "金额单位(元)"})

# The last words of labels that may be combined in one cell ("单位名称、项目名称", "项目名称、项目编码").
COMBINED_ENDS = ("名称", "编码", "代码", "单位", "部门")


@dataclass(frozen=True)
class Hit:
    """A cell found on the grid: its (origin) row and column and its raw value."""

    row: int
    col: int
    value: Any


class Grid:
    """Values of one sheet with merges resolved, and label keys cached per origin cell."""

    def __init__(self, data: SheetData) -> None:
        self.name = data.name
        self.data = data
        self.n_rows = data.n_rows
        self.n_cols = data.n_cols
        # The rows this grid shows: the whole sheet, or one region of it (see :meth:`region`).
        self.top = 1
        self._hide = (0, -1)  # rows hidden inside the view (see :meth:`rows_view`)
        # 万元 per unit of the amounts on the sheet: 1 (万元), or 0.0001 where the sheet says "金额单位：元".
        self.scale = Decimal(1)
        # The same for a column whose header names its unit ("金额（元）"), over the sheet's.
        self.column_scale: dict[int, Decimal] = {}
        # The origin cells readers took a value or a label from: what a form's coverage counts as read.
        self.used: set[tuple[int, int]] = set()
        # origin[(r, c)] = top-left of the merge containing (r, c), for merged cells only.
        self._origin: dict[tuple[int, int], tuple[int, int]] = {}
        self._merge_end: dict[tuple[int, int], tuple[int, int]] = {}
        # How far each row can hold a value: its own cells, or a merged range reaching into it. Rows of a
        # sheet read cell by cell end at their last value (a sheet reaching row 1048576 or column XFD), so
        # that walking a row never walks the empty columns a far cell opened.
        self._width = [len(values) for values in data.values]
        for m in data.merges:
            self._merge_end[(m.min_row, m.min_col)] = (m.max_row, m.max_col)
            origin = (m.min_row, m.min_col)
            last_col = min(m.max_col, self.n_cols)
            for r in range(m.min_row, min(m.max_row, self.n_rows) + 1):
                for c in range(m.min_col, last_col + 1):
                    self._origin[(r, c)] = origin
                if self._width[r - 1] < last_col:
                    self._width[r - 1] = last_col
        # The label key of every text cell, and where each key is: computed once, looked up often.
        self._keys: dict[tuple[int, int], str] = {}
        self.index: dict[str, list[tuple[int, int]]] = {}
        # A label naming two fields at once ("单位名称、项目名称", its value "个旧市民政局、临时救助专项经费"): each
        # part is found as a label of its own, and :meth:`part_of` gives its share of the value.
        self.combined: dict[tuple[int, int], list[str]] = {}
        for r, values in enumerate(data.values, start=1):
            for c, v in enumerate(values, start=1):
                if isinstance(v, str):
                    k = label_key(v)
                    if k:
                        self._keys[(r, c)] = k
                        self.index.setdefault(k, []).append((r, c))
                        if "、" in k and len(k) <= 24:
                            self._combine(k, r, c)

    def _combine(self, key: str, r: int, c: int) -> None:
        parts = [label_key(p) for p in key.split("、")]
        if 2 <= len(parts) <= 3 and all(len(p) >= 2 and p.endswith(COMBINED_ENDS) for p in parts):
            self.combined[(r, c)] = parts
            for p in parts:
                self.index.setdefault(p, []).append((r, c))

    def part_of(self, label: Hit, value: Hit, wanted: Iterable[str]) -> str | None:
        """The share of ``value`` that belongs to the part of a combined ``label`` named by one of ``wanted``
        (the value split at "、" as the label is; the last part takes what remains). None when the label is not
        combined or the value does not split."""
        parts = self.combined.get((label.row, label.col))
        if not parts or not isinstance(value.value, str):
            return None
        i = next((i for i, p in enumerate(parts) if p in set(wanted)), None)
        pieces = value.value.strip().split("、", len(parts) - 1)
        if i is None or len(pieces) != len(parts):
            return None
        return pieces[i].strip()

    # --- regions -----------------------------------------------------------------------------------
    def region(self, top: int, bottom: int) -> Grid:
        """The same sheet seen through rows ``top``…``bottom`` only: cells keep their coordinates, and
        everything outside reads as blank (a label there is not found, a merge from there has no value).
        A sheet holding several forms (a 部门 table with its 附表2 below it, project tables stacked) is read
        one region at a time with the same readers."""
        view = object.__new__(Grid)
        view.__dict__.update(self.__dict__)
        view.top, view.n_rows = top, min(bottom, self.n_rows)
        view.used = set()
        view.index = {}
        for k, cells in self.index.items():
            inside = [rc for rc in cells if top <= rc[0] <= view.n_rows]
            if inside:
                view.index[k] = inside
        return view

    def detect_unit(self) -> None:
        """The amount unit the sheet (or region) states: "金额单位：元" / "单位：元" makes every amount read in
        元 and kept in 万元."""
        if any(k in YUAN_CAPTIONS for k in self.index):
            self.scale = Decimal("0.0001")

    def rows_view(self, header: int, first: int, last: int, top: int | None = None) -> Grid:
        """The region ``top``…``last`` with the rows between the ``header`` row and ``first`` hidden: one block
        of a flat table (one project's rows under the table's shared header)."""
        view = self.region(top or header, last)
        view._hide = (header + 1, first - 1)
        shown = {k: [rc for rc in cells if view._shown(rc[0])] for k, cells in view.index.items()}
        view.index = {k: cells for k, cells in shown.items() if cells}
        return view

    def _shown(self, row: int) -> bool:
        lo, hi = self._hide
        return not lo <= row <= hi

    def mark_read(self, row: int, col: int) -> None:
        """Count a cell as read by the form (a label it recognised, a value it took)."""
        self.used.add(self.origin(row, col))

    def coverage(
        self, known: tuple[str, ...] = (), pattern: re.Pattern[str] | None = None
    ) -> tuple[int, list[tuple[int, int, Any]]]:
        """How many filled cells of this grid's rows the readers used, and the filled cells they did not
        (row, column, value), leaving out captions whose label key starts with one of ``known`` or
        matches ``pattern``."""
        read = 0
        unread: list[tuple[int, int, Any]] = []
        seen: set[tuple[int, int]] = set()
        values, origin, lo, hi = self.data.values, self._origin, *self._hide
        # Straight over the block (a merged range holds its value in its first cell only): this runs once per
        # form over every cell of its region, so it avoids the per-cell work of row_hits.
        for r in range(self.top, self.n_rows + 1):
            if lo <= r <= hi:
                continue
            for c, v in enumerate(values[r - 1], start=1):
                if v is None or (isinstance(v, str) and not v.strip()):
                    continue
                o = origin.get((r, c), (r, c))
                if o in seen or o[0] < self.top:
                    continue  # counted already, or merged down from a row above the region
                seen.add(o)
                if o in self.used:
                    read += 1
                    continue
                key = self._keys.get(o, "")
                if (known and key.startswith(known)) or (pattern and pattern.search(key)):
                    read += 1
                else:
                    unread.append((o[0], o[1], v))
        return read, unread

    # --- cells -------------------------------------------------------------------------------------
    def origin(self, row: int, col: int) -> tuple[int, int]:
        return self._origin.get((row, col), (row, col))

    def merge_end(self, row: int, col: int) -> tuple[int, int]:
        """Bottom-right of the merged range whose origin is (row, col), or the cell itself."""
        return self._merge_end.get(self.origin(row, col), self.origin(row, col))

    def raw(self, row: int, col: int) -> Any:
        return self._at(*self._origin.get((row, col), (row, col)))

    def _at(self, r: int, c: int) -> Any:
        """The value a cell holds itself (merges not resolved)."""
        if self.top <= r <= self.n_rows and not self._hide[0] <= r <= self._hide[1]:
            values = self.data.values[r - 1]
            if 1 <= c <= len(values):
                return values[c - 1]
        return None

    def key(self, row: int, col: int) -> str:
        """The label key of a cell (see :func:`xlperf.labels.label_key`); "" for blanks and numbers."""
        o = self._origin.get((row, col), (row, col))
        return self._keys.get(o, "") if self.top <= o[0] <= self.n_rows and self._shown(o[0]) else ""

    def blank(self, row: int, col: int) -> bool:
        return is_blank(self.raw(row, col))

    def row_hits(self, row: int, start: int = 1, end: int | None = None) -> Iterator[Hit]:
        """The filled cells of a row, each merged range once, left to right."""
        seen: set[tuple[int, int]] = set()
        width = self._width[row - 1] if 1 <= row <= self.n_rows else 0
        for c in range(start, min(end or width, width) + 1):
            o = self.origin(row, c)
            if o in seen or self.blank(row, c):
                continue
            seen.add(o)
            yield Hit(row, o[1], self.raw(row, c))

    def first_hit(self, row: int) -> Hit | None:
        return next(self.row_hits(row), None)

    def body_rows(self, header_row: int, end: tuple[str, ...]) -> Iterator[tuple[int, Hit]]:
        """The rows of a table under its header row, with each row's first filled cell, down to the first
        row that starts with one of the ``end`` labels (a signature line, the next section). Blank spacer
        rows are skipped."""
        for row in range(header_row + 1, self.n_rows + 1):
            first = self.first_hit(row)
            if first is None:
                continue
            if self.key(row, first.col).startswith(end):
                return
            yield row, first

    # --- labels ------------------------------------------------------------------------------------
    def find(
        self, labels: Iterable[str], *, start_row: int = 1, end_row: int | None = None, prefix: bool = False
    ) -> list[Hit]:
        """Cells whose label key is one of ``labels`` (keys as :func:`label_key` gives), top to bottom; with
        ``prefix``, keys that start with one of them. A merged label counts in every row it spans."""
        wanted = tuple(labels)
        keys = [k for k in self.index if k.startswith(wanted)] if prefix else [k for k in wanted if k in self.index]
        last = end_row or self.n_rows
        found = sorted({o for k in keys for o in self.index[k]})
        hits = [Hit(r, c, self.raw(r, c)) for r, c in found if r <= last and self.merge_end(r, c)[0] >= start_row]
        self.used.update((h.row, h.col) for h in hits)
        return hits

    def find_one(self, labels: Iterable[str], **kw: Any) -> Hit | None:
        hits = self.find(labels, **kw)
        return hits[0] if hits else None

    def right_of(self, hit: Hit | None, stop: frozenset[str] | set[str] = frozenset()) -> Hit | None:
        """The value cell of a label: the next filled cell to its right in the same row, unless that cell
        is itself a label in ``stop`` (then the value is empty: None)."""
        if hit is None:
            return None
        _, end_col = self.merge_end(hit.row, hit.col)
        for h in self.row_hits(hit.row, end_col + 1):
            if (h.row, h.col) == (hit.row, hit.col):
                continue
            if self.key(h.row, h.col) in stop or self._labelled_key(h.value) in stop:
                return None
            return Hit(hit.row, h.col, h.value)
        return None

    def below(self, hit: Hit | None, stop: frozenset[str] | set[str] = frozenset()) -> Hit | None:
        """The number right under an amount label in a row of labels (a row of labels with the values in the
        row under, "资金总额 | 一般公共预算拨款 | …" over "1786.46 | 1786.46 | …"). Only when every cell of the
        label's row is a label in ``stop`` (a label beside its value never looks down) and the row under holds
        no label of its own."""
        if hit is None:
            return None
        if any(self.key(h.row, h.col) not in stop for h in self.row_hits(hit.row)):
            return None
        row = self.merge_end(hit.row, hit.col)[0] + 1
        if row > self.n_rows or self.origin(row, hit.col) != (row, hit.col) or self.blank(row, hit.col):
            return None
        if any(self.key(row, h.col) in stop for h in self.row_hits(row) if self.origin(row, h.col)[0] == row):
            return None  # the next row holds labels of its own (the next section): not this label's values
        value = self.raw(row, hit.col)
        if to_decimal(value) is None:
            return None  # an amount is looked for under its label, and text there is something else
        return Hit(row, hit.col, value)

    def amount_of(self, hit: Hit | None, stop: frozenset[str] | set[str] = frozenset()) -> Hit | None:
        """An amount label's value: to its right, else the number under it in a row of labels."""
        return self.right_of(hit, stop) or self.below(hit, stop)

    @staticmethod
    def _labelled_key(value: Any) -> str:
        """The label of a "label：amount" cell, so that such a cell also stops a value search."""
        label, _, labelled = split_labelled(value)
        return label_key(label) if labelled else ""

    def has_own(self, row: int) -> bool:
        """Whether a row holds a value of its own (not only cells of ranges merged from rows above)."""
        width = self._width[row - 1] if 1 <= row <= self.n_rows else 0
        return any(self.origin(row, c)[0] == row and not self.blank(row, c) for c in range(1, width + 1))

    def next_filled_row(self, row: int) -> int | None:
        """The next row below ``row`` with a value of its own: blank spacer rows are skipped."""
        for r in range(row + 1, self.n_rows + 1):
            if self.has_own(r):
                return r
        return None

    def header_columns(self, row: int, columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
        """Map field names to the column of their header label in ``row`` (first match wins)."""
        found: dict[str, int] = {}
        for h in self.row_hits(row):
            k = self.key(h.row, h.col)
            for fname, aliases in columns.items():
                if fname not in found and k in aliases:
                    found[fname] = h.col
                    self.used.add((h.row, h.col))
                    unit = _UNIT_IN_HEADER.search(norm(h.value))
                    if unit:
                        self.column_scale[h.col] = Decimal("0.0001") if unit.group(1) == "元" else Decimal(1)
                    break
        return found

    # --- fields ------------------------------------------------------------------------------------
    def text_field(self, row: int, col: int | None) -> Field[str]:
        if col is None:
            return Field(None, None, self.name, "")
        at = self._origin.get((row, col), (row, col))
        v = self._at(*at)
        self.used.add(at)
        if isinstance(v, int | float) and not isinstance(v, bool) and is_percent_format(self.data.number_format(*at)):
            return Field(_percent_text(v), v, self.name, a1(*at))  # 1 in a "0%" cell is what the user sees: 100%
        text = None if is_blank(v) else (v.strip() if isinstance(v, str) else _display(v))
        return Field(text, v, self.name, a1(*at))

    def amount_field(self, row: int, col: int | None) -> Field[Decimal]:
        if col is None:
            return Field(None, None, self.name, "")
        at = self._origin.get((row, col), (row, col))
        v = self._at(*at)
        self.used.add(at)
        d = to_decimal(v)
        scale = self.column_scale.get(at[1], self.scale)
        if scale == 1:
            return Field(d, v, self.name, a1(*at))
        return Field(None if d is None else d * scale, v, self.name, a1(*at), "元")

    def percent_field(self, row: int, col: int | None) -> Field[Decimal]:
        """A percentage as a fraction of 1, read as the cell shows it: 1.23 in a "0%" cell is 123 %, "99.11%"
        typed as text is 0.9911, a bare 100 is 100 %."""
        cell = self.text_field(row, col)
        return Field(to_percent(cell.raw if cell.value is None else cell.value), cell.raw, cell.sheet, cell.cell)

    def hit_text(self, hit: Hit | None, at: Hit | None = None) -> Field[str]:
        """A text field from a found value cell; ``at`` locates it when the value is absent."""
        if hit is None:
            return self._absent(at)
        return self.text_field(hit.row, hit.col)

    def hit_amount(self, hit: Hit | None, at: Hit | None = None) -> Field[Decimal]:
        if hit is None:
            return self._absent(at)
        return self.amount_field(hit.row, hit.col)

    def _absent(self, at: Hit | None) -> Field[Any]:
        """An empty field located just right of its label, where the user should type the value."""
        if at is None:
            return Field(None, None, self.name, "")
        _, end_col = self.merge_end(at.row, at.col)
        if not self.blank(at.row, end_col + 1):
            return Field(None, None, self.name, "")  # the next cell is another label: no place to type into
        return Field(None, None, self.name, a1(*self.origin(at.row, end_col + 1)))  # a merged range: its first cell


def _percent_text(v: float) -> str:
    """A number as its percentage, the way a "0%" / "0.00%" cell shows it: 1 → "100%", 0.9911 → "99.11%"."""
    d = (Decimal(repr(v)) * 100).normalize()
    return f"{d:f}%"


def _display(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
