"""The machinery of a template: input cells, computed cells, drop-downs, protection and print setup.

A form is written row by row with :func:`xlperf.templates.layout.put_row`; a cell's value says what the
cell is: a plain value is a label (locked), an :class:`Input` is where the clerk types (unlocked, with an
optional drop-down) and :data:`COMPUTED` is a total whose formula is set once the cells it adds up are
known (:meth:`FormSheet.total`, :meth:`FormSheet.ratio`). Totals are written with
:func:`xlperf.totals.sum_formula`, the formula ``xlperf fill`` writes, and their values are cached in the
package (:meth:`TemplateBook.package`), computed here from the numbers the form was filled with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Border, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.a1 import a1, column_letter, split
from xlperf.book.patch import CellPatch, patch_cells
from xlperf.labels import LEVEL1, LEVEL2
from xlperf.model import Field
from xlperf.scoring import ACHIEVED, NOT_ACHIEVED, PARTIAL
from xlperf.templates import LISTS_SHEET
from xlperf.templates.layout import LINE_HEIGHT, new_book, new_sheet, put_row, to_bytes
from xlperf.totals import sum_formula

UNLOCKED = Protection(locked=False)
COMPUTED_FILL = PatternFill("solid", start_color="F2F2F2", end_color="F2F2F2")  # a cell that computes itself
_UNDERLINE = Border(bottom=Side(style="thin"))
PLAIN_KINDS = ("plain", "plainc", "plainr", "title")
ROW_HEIGHT = 20.0  # points: the rows of an official form leave room to write


@dataclass(frozen=True)
class Input:
    """A cell the clerk fills in: its value (None in a blank form) and its drop-down, if any (a key of
    :data:`CHOICES`; ``"level2"`` is the 二级 list of the 一级 chosen in column ``level1_col`` of the row)."""

    value: Any = None
    choices: str | None = None
    level1_col: int = 0


@dataclass(frozen=True)
class Computed:
    """A cell computed by a formula, set with :meth:`FormSheet.total` or :meth:`FormSheet.ratio`."""


COMPUTED = Computed()


@dataclass(frozen=True)
class Calc:
    """A formula (without "=") and how to compute it: the sum of ``parts``, or ``parts[0] / parts[1]``."""

    formula: str
    parts: tuple[tuple[str, str], ...]
    op: str = "sum"


# --- the drop-down lists -----------------------------------------------------------------------------------

# Choice key → (defined name of its list, values, error style, message when a value is not in the list).
GRADES = (ACHIEVED, PARTIAL, NOT_ACHIEVED)
CHOICES: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "level1": ("xlperf_一级指标", tuple(LEVEL1), "warning", "请从下拉列表选择一级指标"),
    "attribute": ("xlperf_指标属性", ("定量", "定性"), "stop", "指标属性为“定量”或“定性”"),
    "direction": (
        "xlperf_指标方向",
        ("正向", "反向", "等于"),
        "stop",
        "指标方向为“正向”（越高越好）、“反向”（越低越好）或“等于”",
    ),
    "grade": ("xlperf_完成等级", GRADES, "stop", "完成等级请从下拉列表选择（定性指标按完成等级评分）"),
    "standard": ("xlperf_绩效标准", ("计划标准", "历史标准", "行业标准"), "warning", "请从下拉列表选择绩效标准"),
}
LEVEL2_MESSAGE = "请先在本行选择一级指标，再从下拉列表选择二级指标"


def level2_lists() -> dict[str, tuple[str, ...]]:
    """Each 一级 of the framework → the 二级 that may sit under it (from :data:`xlperf.labels.LEVEL2`)."""
    return {l1: tuple(l2 for l2, (_, parents) in LEVEL2.items() if l1 in parents) for l1 in LEVEL1}


def framework_rows() -> list[tuple[str, str]]:
    """The (一级, 二级) rows a blank indicator table starts with: each 二级 under its first 一级, except the
    older forms' 成本指标 under 产出 (the 2021 framework has 成本指标 as its own 一级)."""
    return [(l1, l2) for l1 in LEVEL1 for l2, (_, parents) in LEVEL2.items() if parents[0] == l1 and l2 not in LEVEL1]


def write_lists(wb: Workbook) -> None:
    """The hidden sheet of drop-down lists and a defined name for each list (the 二级 list of a 一级 is named
    after the 一级 itself, so that INDIRECT of the 一级 cell finds it). Leaves a workbook that has it alone."""
    if LISTS_SHEET in wb.sheetnames:
        return
    ws = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    columns: list[tuple[str, str, tuple[str, ...]]] = [("一级指标", CHOICES["level1"][0], CHOICES["level1"][1])]
    columns += [(l1, l1, values) for l1, values in level2_lists().items()]
    columns += [(key, name, values) for key, (name, values, _, _) in CHOICES.items() if key != "level1"]
    for col, (head, name, values) in enumerate(columns, start=1):
        ws.cell(row=1, column=col, value=head)
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=value)
        letter = column_letter(col)
        ref = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
        ws.column_dimensions[letter].width = 30
    ws.protection.sheet = True


# --- a workbook of forms -------------------------------------------------------------------------------------


class TemplateBook:
    """A workbook being written as a template: its sheets, and the formulas and numbers of their cells."""

    def __init__(self, wb: Workbook | None = None) -> None:
        self.wb = wb if wb is not None else new_book()
        self.calcs: dict[tuple[str, str], Calc] = {}
        self.numbers: dict[tuple[str, str], Decimal] = {}

    def sheet(self, name: str, widths: Sequence[float], index: int | None = None) -> FormSheet:
        return FormSheet(self, new_sheet(self.wb, name, widths, index), len(widths))

    def value(self, key: tuple[str, str], seen: frozenset[tuple[str, str]] = frozenset()) -> Decimal | str | None:
        """What a cell holds once computed: a typed number, a formula's result, or None."""
        calc = self.calcs.get(key)
        if calc is None:
            return self.numbers.get(key)
        if key in seen:
            raise ValueError(f"circular formula at {key[0]}!{key[1]}")
        values = [self.value(part, seen | {key}) for part in calc.parts]
        if calc.op == "ratio":
            num, den = values
            if not isinstance(den, Decimal) or den <= 0:
                return ""
            return (num if isinstance(num, Decimal) else Decimal(0)) / den
        return sum((v for v in values if isinstance(v, Decimal)), Decimal(0))

    def cached(self) -> dict[str, dict[str, CellPatch]]:
        """Every formula with its value, as patches for :func:`xlperf.book.patch.patch_cells`."""
        out: dict[str, dict[str, CellPatch]] = {}
        for (sheet, cell), calc in self.calcs.items():
            value = self.value((sheet, cell))
            if isinstance(value, Decimal):
                value = float(value) if value != value.to_integral_value() else int(value)
            out.setdefault(sheet, {})[cell] = CellPatch(value, calc.formula)
        return out

    def package(self) -> bytes:
        """The workbook's bytes (fixed timestamps) with every formula's value cached."""
        data = to_bytes(self.wb)
        cached = self.cached()
        return patch_cells(data, cached) if cached else data


class FormSheet:
    """One form sheet, written row by row from the top."""

    def __init__(self, book: TemplateBook, ws: Worksheet, n_cols: int) -> None:
        self.book = book
        self.ws = ws
        self.name = ws.title
        self.n_cols = n_cols
        self.r = 1
        self.level2: list[tuple[int, int, int]] = []  # (row, col, 一级 col) of the 二级 drop-downs
        self.choices: dict[str, list[str]] = {}

    def row(self, cells: Sequence[tuple[int, Any, str]], min_height: float = ROW_HEIGHT) -> list[str]:
        """Write one row of (span, value, kind) cells, at least ``min_height`` points high (a form leaves room
        to write); return the A1 reference of each cell."""
        row = self.r
        plain = [
            (span, value.value if isinstance(value, Input) else _label(value), kind) for span, value, kind in cells
        ]
        put_row(self.ws, row, plain)
        refs = []
        col = 1
        for span, value, kind in cells:
            refs.append(a1(row, col))
            if isinstance(value, Input):
                self._input(row, col, span, value, kind)
            elif isinstance(value, Computed):
                for c in range(col, col + span):
                    self.ws.cell(row=row, column=c).fill = COMPUTED_FILL
            col += span
        if min_height and not any(kind == "title" for _, _, kind in cells):
            height = self.ws.row_dimensions[row].height or LINE_HEIGHT
            self.ws.row_dimensions[row].height = max(height, min_height)
        self.r += 1
        return refs

    def _input(self, row: int, col: int, span: int, value: Input, kind: str) -> None:
        for c in range(col, col + span):
            cell = self.ws.cell(row=row, column=c)
            cell.protection = UNLOCKED
            if kind in PLAIN_KINDS and kind != "title":
                cell.border = _UNDERLINE
        head = self.ws.cell(row=row, column=col)
        if isinstance(head.value, int | float) and not isinstance(head.value, bool):
            self.book.numbers[(self.name, head.coordinate)] = Decimal(repr(head.value))
        if value.choices == "level2":
            self.level2.append((row, col, value.level1_col))
        elif value.choices:
            self.choices.setdefault(value.choices, []).append(head.coordinate)

    def skip(self, rows: int = 1) -> None:
        self.r += rows

    # --- computed cells -------------------------------------------------------------------------------------

    def total(self, target: str, parts: Sequence[str]) -> None:
        """``target`` = the sum of ``parts``, written as ``xlperf fill`` writes it (SUM(C6:C17), C5+E5, C5)."""
        fields = [Field(None, None, self.name, p) for p in parts]
        self.formula(target, sum_formula(fields, self.name), parts)

    def formula(self, target: str, text: str, parts: Sequence[str], op: str = "sum") -> None:
        self.ws[target] = "=" + text
        self.book.calcs[(self.name, target)] = Calc(text, tuple((self.name, p) for p in parts), op)

    def ratio(self, target: str, num: str, den: str) -> None:
        """``target`` = num / den, left empty while den is empty (a blank form shows no #DIV/0!)."""
        self.formula(target, f'IF({den}>0,{num}/{den},"")', [num, den], "ratio")

    # --- the finishing touches ------------------------------------------------------------------------------

    def finish(self, title_rows: int, freeze: str, landscape: bool = True) -> None:
        """Drop-downs, protection (labels locked, no password), frozen header, A4 print setup."""
        ws = self.ws
        write_lists(self.book.wb)
        for key, refs in self.choices.items():
            name, _, style, message = CHOICES[key]
            dv = _validation(name, style, message)
            for run in _runs(refs):
                dv.add(run)
            ws.add_data_validation(dv)
        for run_rows, col, l1_col in _level2_runs(self.level2):
            first, last = run_rows
            dv = _validation(f"INDIRECT(${column_letter(l1_col)}{first})", "warning", LEVEL2_MESSAGE)
            dv.add(f"{column_letter(col)}{first}:{column_letter(col)}{last}")
            ws.add_data_validation(dv)
        ws.protection.sheet = True
        ws.protection.formatRows = False  # the clerk may still resize rows and columns and add rows
        ws.protection.formatColumns = False
        ws.protection.insertRows = False
        ws.freeze_panes = freeze
        ws.print_title_rows = f"1:{title_rows}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = 0.6
        ws.page_margins.bottom = 0.8
        ws.page_margins.footer = 0.4
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _label(value: Any) -> Any:
    return "" if isinstance(value, Computed) else value


def _validation(formula: str, style: str, message: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True, errorStyle=style)
    dv.errorTitle = "请从下拉列表选择"
    dv.error = message
    return dv


def _runs(refs: Sequence[str]) -> list[str]:
    """Cells of one column grouped into ranges of consecutive rows ("G12:G20")."""
    by_col: dict[int, list[int]] = {}
    for ref in refs:
        row, col = split(ref)
        by_col.setdefault(col, []).append(row)
    out = []
    for col, rows in sorted(by_col.items()):
        for first, last in _row_runs(sorted(rows)):
            letter = column_letter(col)
            out.append(f"{letter}{first}" if first == last else f"{letter}{first}:{letter}{last}")
    return out


def _row_runs(rows: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


def _level2_runs(cells: list[tuple[int, int, int]]) -> list[tuple[tuple[int, int], int, int]]:
    """The 二级 drop-down cells as runs of consecutive rows in one column, each with its 一级 column: one
    validation per run, whose INDIRECT is relative to the run's first row."""
    groups: dict[tuple[int, int], list[int]] = {}
    for row, col, l1_col in cells:
        groups.setdefault((col, l1_col), []).append(row)
    return [(run, col, l1_col) for (col, l1_col), rows in sorted(groups.items()) for run in _row_runs(sorted(rows))]
