"""``xlperf template add-direction FILE NAME``: a new spending direction in a 专项资金 workbook — a 附表3
sheet for it, laid out as the template's, and its row in 附表2.

The workbook is rewritten through openpyxl, which carries everything a template holds (styles, merges,
drop-downs, defined names, protection, print setup, comments) but not charts, pictures, shapes, macros and
the other parts listed in :data:`CARRIED` — a workbook holding any of those is refused, untouched, with a
message saying why. The values the formulas had are cached again afterwards (openpyxl drops them), so that
a reader that does not recalculate still sees every total.

附表2's new row goes under the last direction row; the rows below it (the signature line) move down, and
every reference to them — in formulas, drop-downs, merged ranges, defined names — moves with them. A blank
direction row that the workbook already has (the template's first one) is used instead of a new one, and
so is a 附表3 whose 支出方向 is still empty.
"""

from __future__ import annotations

import io
import re
import warnings
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlperf.a1 import column_letter
from xlperf.book.carry import part_kinds, uncarried_parts
from xlperf.book.output import OutputTarget
from xlperf.book.patch import CellPatch, patch_cells
from xlperf.errors import WorkbookError
from xlperf.labels import norm
from xlperf.model import Field, SpecialFundSummary, SpendingDirection


@dataclass(frozen=True)
class Added:
    """What add-direction did: the 附表3 sheet of the direction and the 附表2 row that names it."""

    sheet: str
    summary_sheet: str
    row: int
    reused_sheet: bool
    reused_row: bool


def refuse_uncarried(path: str, package: bytes) -> None:
    """Raise WorkbookError when the package holds something openpyxl would not write back."""
    lost = uncarried_parts(package)
    if not lost:
        return
    kinds = part_kinds(lost)
    raise WorkbookError(
        path,
        f"工作簿含有{'、'.join(kinds)}（{'、'.join(lost[:3])}{' 等' if len(lost) > 3 else ''}），"
        "添加支出方向需要重写整个工作簿，这些内容会丢失，因此未作任何修改",
        f"the workbook holds parts openpyxl cannot carry: {', '.join(lost[:5])}",
        "请在 Excel 中复制一张附表3 工作表并在附表2 中添加一行",
    )


def add_direction(path: str, name: str, out: str | OutputTarget | None = None, password: str | None = None) -> Added:
    """Add the spending direction ``name`` to the 专项资金 workbook at ``path``, written atomically to ``out``
    (by default ``path`` itself, after a backup copy ``path.bak``). Raises WorkbookError when the workbook
    cannot take it."""
    from openpyxl import load_workbook

    from xlperf.book import open_book
    from xlperf.book.output import write_output
    from xlperf.book.sniff import open_input
    from xlperf.forms import read_book

    name = name.strip()
    if not name:
        raise WorkbookError(path, "支出方向名称不能为空", "empty direction name")
    source = open_input(path, password)
    package = source.data
    if path.lower().endswith(".xlsm"):
        raise WorkbookError(
            path, "工作簿含有宏（VBA），添加支出方向会丢失宏，因此未作任何修改", "macro-enabled workbook"
        )
    refuse_uncarried(path, package)
    model = read_book(open_book(path, password))
    summaries: list[SpecialFundSummary] = model.of_kind("summary")
    if not summaries:
        raise WorkbookError(path, "工作簿中没有附表2（专项资金绩效目标汇总表）", "no 附表2 summary sheet")
    summary = summaries[0]
    directions: list[SpendingDirection] = model.of_kind("direction")
    for row in summary.rows:
        if norm(row.name.text) == norm(name):
            raise WorkbookError(path, f"附表2 第{row.row}行已有支出方向“{name}”", "direction already listed")
    for d in directions:
        if norm(d.direction.text) == norm(name):
            raise WorkbookError(path, f"工作表“{d.sheet}”已是支出方向“{name}”的附表3", "direction sheet exists")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(io.BytesIO(package))
        old_values = load_workbook(io.BytesIO(package), data_only=True)
    table = _SummaryTable(path, wb[summary.sheet], summary)
    row, reused_row, inserted_at = table.add(name)
    # Where each formula cell of the old workbook is now: only 附表2's rows at or below an insertion moved.
    moved = {summary.sheet: inserted_at} if inserted_at else {}
    if inserted_at:
        _shift_workbook_references(wb, summary.sheet, inserted_at)
    table.refresh_total()

    empty = next((d for d in directions if d.direction.empty and d.direction.cell), None)
    book = None
    if empty is not None:
        wb[empty.sheet][empty.direction.cell] = name
        sheet, reused_sheet = empty.sheet, True
    else:
        sheet, book = _new_direction_sheet(wb, summary, directions, name)
        reused_sheet = False

    buf = io.BytesIO()
    wb.save(buf)
    patches = _cached_values(wb, old_values, moved, book)
    data = patch_cells(buf.getvalue(), patches) if patches else buf.getvalue()
    if out is None:
        target = OutputTarget(Path(path), in_place=True)
    else:
        target = out if isinstance(out, OutputTarget) else OutputTarget(Path(out))
    write_output(data, target, source.password)
    return Added(sheet, summary.sheet, row, reused_sheet, reused_row)


# --- 附表2 -------------------------------------------------------------------------------------------------------


class _SummaryTable:
    """附表2 as the rows of a table: header, 合计 row, direction rows (blank ones included)."""

    def __init__(self, path: str, ws: Any, summary: SpecialFundSummary) -> None:
        from xlperf.forms.grid import Grid
        from xlperf.forms.special_funds import END, SUMMARY_COLUMNS

        self.ws = ws
        self.summary = summary
        grid = Grid(_sheet_data(ws))
        head = grid.find_one(SUMMARY_COLUMNS["period_goal"])
        if head is None:
            raise WorkbookError(path, "附表2 找不到表头（实施期绩效目标）", "附表2 has no header row")
        self.cols = grid.header_columns(head.row, SUMMARY_COLUMNS)
        self.total_row: int | None = None
        self.rows: list[int] = []
        self.blank: list[int] = []
        name_col, amount_col = self.cols.get("name", 2), self.cols.get("amount", 3)
        for r, first in grid.body_rows(head.row, END):
            if grid.key(r, name_col) == "合计" or grid.key(r, first.col) == "合计":
                self.total_row = r
                continue
            self.rows.append(r)
            if grid.blank(r, name_col) and grid.blank(r, amount_col):
                self.blank.append(r)
        if not self.rows:
            # A 附表2 with no direction row at all: the new one goes under the header (or the 合计 row).
            self.rows_after = max(head.row, self.total_row or 0)
        else:
            self.rows_after = max(self.rows)
        self.total_formula = isinstance(self._total_cell().value, str) and str(self._total_cell().value).startswith("=")

    def _total_cell(self) -> Any:
        if self.total_row is None:
            return self.ws.cell(row=1, column=1)
        return self.ws.cell(row=self.total_row, column=self.cols.get("amount", 3))

    def add(self, name: str) -> tuple[int, bool, int | None]:
        """Write ``name`` into a blank direction row, or into a new row; returns (row, reused, inserted at)."""
        name_col = self.cols.get("name", 2)
        if self.blank:
            row = self.blank[0]
            self.ws.cell(row=row, column=name_col).value = name
            no_col = self.cols.get("no")
            if no_col and self.ws.cell(row=row, column=no_col).value in (None, ""):
                self.ws.cell(row=row, column=no_col).value = self._next_no()
            return row, True, None
        style_row = self.rows_after
        at = style_row + 1
        if self.total_row is not None and self.total_row > style_row:
            at = self.total_row  # 合计 under the directions: the new row goes above it
        _insert_row(self.ws, at)
        if self.total_row is not None and self.total_row >= at:
            self.total_row += 1
        source = style_row if style_row < at else style_row + 1
        for col in range(1, self.ws.max_column + 1):
            src = self.ws.cell(row=source, column=col)
            dst = self.ws.cell(row=at, column=col)
            if src.has_style:
                dst._style = copy(src._style)
        for rng in list(self.ws.merged_cells.ranges):
            if rng.min_row == rng.max_row == source:
                self.ws.merge_cells(start_row=at, start_column=rng.min_col, end_row=at, end_column=rng.max_col)
        height = self.ws.row_dimensions[source].height
        if height:
            self.ws.row_dimensions[at].height = height
        no_col = self.cols.get("no")
        if no_col:
            self.ws.cell(row=at, column=no_col).value = self._next_no()
        self.ws.cell(row=at, column=name_col).value = name
        self.rows.append(at)
        return at, False, at

    def _next_no(self) -> int:
        numbers = [r.no.value for r in self.summary.rows]
        ints = [int(n) for n in numbers if isinstance(n, str) and n.strip().isdigit()]
        return max(ints, default=len(self.summary.rows)) + 1

    def refresh_total(self) -> None:
        """The 合计 formula over every direction row (as ``xlperf fill`` writes it); a typed 合计 stays."""
        from xlperf.totals import sum_formula

        if self.total_row is None or not self.total_formula:
            return
        col = column_letter(self.cols.get("amount", 3))
        parts = [Field(None, None, self.ws.title, f"{col}{r}") for r in sorted(self.rows)]
        self._total_cell().value = "=" + sum_formula(parts, self.ws.title)


def _sheet_data(ws: Any) -> Any:
    """An openpyxl sheet as the readers' SheetData (values and merges)."""
    from xlperf.book.protocol import Merge, SheetData

    values = [[c.value for c in row] for row in ws.iter_rows()]
    merges = [Merge(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    return SheetData(ws.title, values, merges)


# --- inserting a row, and everything that points below it -----------------------------------------------------


def _insert_row(ws: Any, at: int) -> None:
    """Insert a blank row before row ``at``, moving merged ranges, row heights and drop-downs with the rows
    (openpyxl's own insert_rows moves only the cells)."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

    merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges if r.max_row >= at]
    for r1, c1, r2, c2 in merges:
        ws.unmerge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    ws.insert_rows(at)
    for r1, c1, r2, c2 in merges:
        start = r1 + 1 if r1 >= at else r1
        ws.merge_cells(start_row=start, start_column=c1, end_row=r2 + 1, end_column=c2)
    dims = ws.row_dimensions  # each row's height, hidden flag, outline level and style move with it
    for r in sorted((r for r in dims if r >= at), reverse=True):
        moved = dims.pop(r)
        moved.index = r + 1
        dims[r + 1] = moved
    for row in ws.iter_rows(min_row=at + 1):  # a hyperlink is written at the cell it names, not where it is
        for cell in row:
            link = cell.hyperlink
            if link is not None and link.ref:
                link.ref = cell.coordinate if ":" not in link.ref else _shift_range(CellRange(link.ref), at)
    for dv in ws.data_validations.dataValidation:
        dv.sqref = MultiCellRange([_shift_range(CellRange(str(rng)), at) for rng in dv.sqref.ranges])
    # openpyxl keys each conditional format's rules by its range: the list is rebuilt, not changed in place
    formats = [(cf.sqref, list(cf.rules)) for cf in ws.conditional_formatting]
    ws.conditional_formatting = ConditionalFormattingList()
    for sqref, rules in formats:
        moved = " ".join(_shift_range(CellRange(str(rng)), at) for rng in sqref.ranges)
        for rule in rules:
            ws.conditional_formatting.add(moved, rule)
    if ws.print_area:
        ws.print_area = [_shift_refs(area, ws.title, at, ws.title) for area in ws.print_area.split(",")]


def _shift_range(rng: Any, at: int) -> str:
    r1, r2 = rng.min_row, rng.max_row
    r1, r2 = (r1 + 1 if r1 >= at else r1), (r2 + 1 if r2 >= at else r2)
    return f"{column_letter(rng.min_col)}{r1}:{column_letter(rng.max_col)}{r2}"


_STRING = re.compile(r'("(?:[^"]|"")*")')
_REF = re.compile(
    r"(?<![\w.$!'\u4e00-\u9fff])"
    r"(?P<sheet>(?:'(?:[^']|'')+'|[A-Za-z_\u4e00-\u9fff][\w.\u4e00-\u9fff]*)!)?"
    r"(?P<col>\$?[A-Za-z]{1,3})(?P<row>\$?\d+)"
    r"(?::(?P<col2>\$?[A-Za-z]{1,3})(?P<row2>\$?\d+))?(?![\w(])"  # a range's second corner: the same sheet
)


def _shift_refs(formula: str, sheet: str, at: int, own_sheet: str) -> str:
    """``formula`` (on ``own_sheet``) with every reference to a row ``at`` or below of ``sheet`` moved down
    one row; text inside string literals is left alone."""

    def moved(row: str) -> str:
        number = int(row.lstrip("$"))
        return f"{'$' if row.startswith('$') else ''}{number + 1 if number >= at else number}"

    def move(m: re.Match[str]) -> str:
        target = m.group("sheet")
        name = target[:-1].strip("'").replace("''", "'") if target else own_sheet
        if name != sheet:
            return m.group(0)
        out = f"{target or ''}{m.group('col')}{moved(m.group('row'))}"
        if m.group("col2"):
            out += f":{m.group('col2')}{moved(m.group('row2'))}"
        return out

    parts = _STRING.split(formula)
    return "".join(part if i % 2 else _REF.sub(move, part) for i, part in enumerate(parts))


def _shift_workbook_references(wb: Any, sheet: str, at: int) -> None:
    """Move every reference to ``sheet`` rows ``at`` and below: in formulas, drop-down sources and
    conditional-format rules of every sheet, and in defined names."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.value = _shift_refs(cell.value, sheet, at, ws.title)
        for dv in ws.data_validations.dataValidation:
            for attr in ("formula1", "formula2"):
                if getattr(dv, attr):
                    setattr(dv, attr, _shift_refs(getattr(dv, attr), sheet, at, ws.title))
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                rule.formula = [_shift_refs(f, sheet, at, ws.title) for f in rule.formula or []]
    names = [*wb.defined_names.values(), *(d for ws in wb.worksheets for d in ws.defined_names.values())]
    for defined in names:
        if defined.attr_text:
            defined.attr_text = _shift_refs(defined.attr_text, sheet, at, "")


# --- the new 附表3 ------------------------------------------------------------------------------------------------


def _new_direction_sheet(
    wb: Any, summary: SpecialFundSummary, directions: list[SpendingDirection], name: str
) -> tuple[str, Any]:
    """Write a blank 附表3 for ``name`` after the last 附表3 (or after 附表2); returns its name and book."""
    from xlperf.templates import forms
    from xlperf.templates.sheet import TemplateBook

    after = directions[-1].sheet if directions else summary.sheet
    index = wb.sheetnames.index(after) + 1
    heading = directions[0].title.text if directions and not directions[0].title.empty else None
    year = forms.year_of(summary.title.text)
    book = TemplateBook(wb)
    s = forms.direction(book, None, year, None, name=name, index=index, heading=heading)
    return s.name, book


# --- the values of the formulas ---------------------------------------------------------------------------------


def _cached_values(wb: Any, old: Any, moved: dict[str, int], book: Any) -> dict[str, dict[str, CellPatch]]:
    """Every formula of the new workbook with the value it had before (its cell may have moved down a row);
    the new 附表3's formulas with the values computed for it."""
    out: dict[str, dict[str, CellPatch]] = {}
    for ws in wb.worksheets:
        if ws.title not in old.sheetnames:
            continue
        shift_at = moved.get(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.value.startswith("=")):
                    continue
                if shift_at and cell.row == shift_at:
                    continue  # the new row holds no formula of the old workbook
                # A cell under the new row was a row higher; 附表2's 合计 keeps its value (the new row is empty).
                source_row = cell.row - 1 if shift_at and cell.row > shift_at else cell.row
                value = old[ws.title].cell(row=source_row, column=cell.column).value
                out.setdefault(ws.title, {})[cell.coordinate] = CellPatch(_cacheable(value), cell.value[1:])
    if book is not None:
        for sheet, cells in book.cached().items():
            out.setdefault(sheet, {}).update(cells)
    return out


def _cacheable(value: Any) -> Any:
    if isinstance(value, bool | int | float | str | Decimal) or value is None:
        return value
    return None


def cli_summary(added: Added, path: str | Path) -> str:
    what = "已填入原有空白的附表3" if added.reused_sheet else "已新增附表3"
    row = "原有空行" if added.reused_row else "新增一行"
    return f"{what}“{added.sheet}”，并在{added.summary_sheet}第{added.row}行（{row}）写入支出方向：{path}"
