"""Write the year-end self-evaluation (绩效自评表) of each target table, with the clerk's actual values.

One sheet per target table, laid out as the project version of seed 001's 附件3, twelve columns wide::

    <year>年度项目支出绩效自评表                                          (merged title)
                                                              金额单位：万元
    项目名称            | <project>
    主管部门            | <unit>                 | 实施单位 | <unit>
    项目资金（万元） |              | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
                     | 年度资金总额 | …          | …          | …          | 10   |        |
                     | 预期目标                             | 实际完成情况
    年度总体目标     | <the target table's goal>            |
    绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值 | 度量单位 | 分值 | 评(扣)分标准 | 实际完成值 | 完成等级
             | 得分 | 偏差原因分析及改进措施
             | …one row per indicator of the target table…
    总分                                            | 100 |           |     | (得分)
    单位负责人签字：        填表人：        联系电话：

The target's 指标值, 度量单位, 分值 and 评(扣)分标准 are copied as they are; 实际完成值, 完成等级 and 偏差原因
come from :class:`xlperf.actuals.Actuals`. 得分, 执行率 and 总分 are left empty for scoring to fill, in cells
that :mod:`xlperf.forms.self_eval` finds. The 年度总体目标 label stands on the row of the goal text itself,
so that the row is never empty (the reader takes the first filled row under 预期目标 as the goal).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from decimal import Decimal
from math import ceil
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.actuals import GRADES, Actuals, IndicatorActual, ProjectActuals
from xlperf.errors import WorkbookError
from xlperf.labels import norm
from xlperf.model import DepartmentTarget, Indicator, ProjectTarget
from xlperf.values import parse_value

RATE_WEIGHT = 10
TOTAL_WEIGHT = 100

# Columns A…L: the block label, then the eleven columns of the indicator table.
WIDTHS = (10, 10, 12, 24, 14, 9, 7, 32, 13, 16, 8, 26)
N_COLS = len(WIDTHS)
INDICATOR_HEADS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "度量单位",
    "分值",
    "评（扣）分标准",
    "实际完成值",
    "完成等级",
    "得分",
    "偏差原因分析及改进措施",
)
COL_WEIGHT = 7  # G: 分值 of the indicators and of 总分
COL_GRADE = 10  # J
COL_SCORE = 11  # K: 得分 of the indicators and of 总分

FONT = Font(name="宋体", size=11)
BOLD = Font(name="宋体", size=11, bold=True)
TITLE_FONT = Font(name="宋体", size=18, bold=True)
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

# Style name → (horizontal alignment, bordered, number format, font).
STYLES: dict[str, tuple[str, bool, str, Font]] = {
    "title": ("center", False, "General", TITLE_FONT),
    "head": ("center", True, "General", BOLD),
    "label": ("center", True, "General", FONT),
    "block": ("center", True, "General", FONT),  # a label merged down a block: it sizes no row
    "text": ("left", True, "General", FONT),
    "value": ("center", True, "General", FONT),
    "amount": ("right", True, "0.00", FONT),
    "score": ("center", True, "0.00", FONT),
    "pct": ("center", True, "0.00%", FONT),
    "plain": ("left", False, "General", FONT),
    "plainr": ("right", False, "General", FONT),
}
LINE_HEIGHT = 14.25

Target = ProjectTarget | DepartmentTarget


def write_self_evaluations(
    targets: Sequence[Target], actuals: Actuals, out: Path | str, unit: str, year: str
) -> list[str]:
    """Write a new workbook at ``out`` with one 绩效自评表 sheet per target table; return the warnings
    (an indicator without an actual value, a project without its amounts, a row of the actuals file that
    names an indicator its target table does not have, an actual that looks like a percentage cell).

    Raises WorkbookError (naming the actuals file and row) when the file names a project that none of
    ``targets`` is; the workbook is written atomically (a temporary file in the same folder, then a
    rename), so ``out`` is either the complete new workbook or untouched.
    """
    if not targets:
        raise ValueError("write_self_evaluations needs at least one target table")
    names = [target_name(t) for t in targets]
    actuals.check_projects(names)
    out = Path(out)
    if actuals.path and Path(actuals.path).exists() and out.exists() and os.path.samefile(actuals.path, out):
        raise WorkbookError(str(out), "输出文件不能是实际完成值文件本身", "output would overwrite the actuals file")
    wb = Workbook()
    wb.remove(wb.active)
    warnings: list[str] = []
    taken: set[str] = set()
    for target, name in zip(targets, names, strict=True):
        ws = wb.create_sheet(sheet_name(name, taken))
        warnings += _write_sheet(ws, target, name, actuals.project(name), unit, year)
    wb.properties.creator = "xlperf"
    _save(wb, out)
    return warnings


def target_name(target: Target) -> str:
    """The name a target table goes by: its 项目名称 (部门名称 for a department table), else its sheet."""
    field = target.name if isinstance(target, ProjectTarget) else target.dept_name
    return field.text or target.sheet


_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_name(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: none of []:*?/\\, no leading or trailing apostrophe, at most 31
    characters, not "History", and unique among ``taken`` ignoring case (then " (2)", " (3)" …)."""
    base = _FORBIDDEN.sub("", text).strip().strip("'").strip() or "Sheet"
    if base.lower() == "history":
        base += "1"
    name, n = base[:31], 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)].rstrip("'") + suffix, n + 1
    taken.add(name.lower())
    return name


# --- one sheet -------------------------------------------------------------------------------------------


class _Sheet:
    """Writes rows left to right, each cell spanning some columns, and sizes each row to its text."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        for i, w in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w

    def row(self, row: int, cells: Sequence[tuple[int, Any, str]], sized: bool = True) -> int:
        """Write ``cells`` — (span, value, style) — into ``row`` from column A; return the next row."""
        col, lines = 1, 1
        for span, value, style in cells:
            self.put(row, col, span, value, style)
            if sized and value not in (None, "") and style not in ("title", "block"):
                width = sum(WIDTHS[c - 1] for c in range(col, col + span))
                lines = max(lines, _lines(str(value), width))
            col += span
        if lines > 1:
            self.ws.row_dimensions[row].height = round(lines * LINE_HEIGHT + 4, 2)
        return row + 1

    def put(self, row: int, col: int, span: int, value: Any, style: str) -> None:
        horizontal, boxed, fmt, font = STYLES[style]
        align = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
        for c in range(col, col + span):
            cell = self.ws.cell(row=row, column=c)
            cell.font = font
            cell.alignment = align
            cell.number_format = fmt
            if boxed:
                cell.border = BOX
        head = self.ws.cell(row=row, column=col)
        head.value = value if value != "" else None
        if isinstance(value, str) and value.startswith("="):
            head.data_type = "s"  # text such as "=100%" is a value the clerk typed, not a formula
            head.quotePrefix = True
        if span > 1:
            self.ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)

    def merge_down(self, col: int, first: int, last: int) -> None:
        if last > first:
            self.ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)


def _write_sheet(
    ws: Worksheet, target: Target, name: str, project: ProjectActuals | None, unit: str, year: str
) -> list[str]:
    sheet = _Sheet(ws)
    department = isinstance(target, DepartmentTarget)
    kind = "部门整体支出" if department else "项目支出"
    warnings: list[str] = []

    r = sheet.row(1, [(N_COLS, f"{year}年度{kind}绩效自评表", "title")])
    ws.row_dimensions[1].height = 36
    r = sheet.row(r, [(N_COLS, "金额单位：万元", "plainr")])
    r = sheet.row(r, [(2, "部门名称" if department else "项目名称", "label"), (N_COLS - 2, name, "text")])
    r = sheet.row(r, [(2, "主管部门", "label"), (5, unit, "text"), (1, "实施单位", "label"), (4, unit, "text")])

    # Funds: the header and the 年度资金总额 row, under a block label merged over both.
    amounts = [project.initial_budget, project.annual_budget, project.executed] if project else [None] * 3
    for label, value in zip(("全年预算数", "全年执行数"), amounts[1:], strict=True):
        if value is None:
            warnings.append(f"“{name}”没有{label}")
    spans = (1, 2, 1, 1, 1, 2)
    heads = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    values: list[tuple[Any, str]] = [*((_number(a), "amount") for a in amounts), (RATE_WEIGHT, "value")]
    values += [(None, "pct"), (None, "score")]
    top = r
    r = sheet.row(
        r, [(1, "项目资金（万元）", "block"), (3, "", "label"), *zip(spans, heads, ["head"] * 6, strict=True)]
    )
    r = sheet.row(
        r,
        [(1, "", "label"), (3, "年度资金总额", "label"), *((s, v, k) for s, (v, k) in zip(spans, values, strict=True))],
    )
    sheet.merge_down(1, top, r - 1)

    # 年度总体目标: expected (the target table's goal) and actual (left to the clerk).
    goal = target.overall_goal if department else target.goal
    r = sheet.row(r, [(1, "", "label"), (6, "预期目标", "head"), (5, "实际完成情况", "head")])
    r = sheet.row(r, [(1, "年度总体目标", "label"), (6, goal.text, "text"), (5, "", "text")])

    # The indicators.
    top = r
    r = sheet.row(r, [(1, "绩效指标", "block"), *((1, h, "head") for h in INDICATOR_HEADS)])
    indicators = [i for i in target.indicators.indicators if not i.is_blank] if target.indicators else []
    used: dict[str, int] = {}
    first = r
    for ind in indicators:
        key = norm(ind.name.text)
        occurrence = used.get(key, 0)
        used[key] = occurrence + 1
        got = project.indicator(ind.name.text, occurrence) if project else None
        if got is None or not got.actual:
            warnings.append(f"“{name}”的指标“{ind.name.text}”没有实际完成值")
        elif (hint := _percent_hint(ind, got)) is not None:
            warnings.append(f"“{name}”的指标“{ind.name.text}”实际完成值为 {got.actual}，{hint}")
        r = _indicator_row(sheet, r, ind, got)
    if r > first:
        _merge_runs(sheet, 2, first, [i.level1.text for i in indicators])
        _merge_runs(sheet, 3, first, [(i.level1.text, i.level2.text) for i in indicators])
        grades = DataValidation(type="list", formula1=f'"{",".join(GRADES)}"', allow_blank=True)
        grades.error = "请从下拉列表中选择完成等级"
        grades.errorTitle = "完成等级"
        ws.add_data_validation(grades)
        grades.add(f"{get_column_letter(COL_GRADE)}{first}:{get_column_letter(COL_GRADE)}{r - 1}")
    sheet.merge_down(1, top, r - 1)
    weights = [i.weight.value for i in indicators]
    if indicators and all(w is not None for w in weights) and sum(weights) != TOTAL_WEIGHT - RATE_WEIGHT:  # type: ignore[misc]
        total = format(sum(weights).normalize(), "f")  # type: ignore[union-attr]
        warnings.append(f"“{name}”的指标分值合计 {total}，加上预算执行率 {RATE_WEIGHT} 分不等于 {TOTAL_WEIGHT}")
    if project:
        for rows in project.indicators.values():
            for extra in rows[used.get(norm(rows[0].name), 0) :]:
                warnings.append(
                    f"实际完成值文件第 {extra.row} 行：“{name}”的目标表中没有指标“{extra.name}”，该行未写入"
                )

    r = sheet.row(
        r,
        [
            (COL_WEIGHT - 1, "总分", "head"),
            (1, TOTAL_WEIGHT, "value"),
            (COL_SCORE - COL_WEIGHT - 1, "", "text"),
            (1, None, "score"),
            (N_COLS - COL_SCORE, "", "text"),
        ],
    )
    r = sheet.row(r, [(COL_WEIGHT - 1, "评价等级", "head"), (N_COLS - COL_WEIGHT + 1, "", "text")])
    sheet.row(
        r + 1,
        [(4, "单位负责人签字：", "plain"), (4, "填表人：", "plain"), (4, "联系电话：", "plain")],
        sized=False,
    )

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    return warnings


def _indicator_row(sheet: _Sheet, row: int, ind: Indicator, got: IndicatorActual | None) -> int:
    target = ind.target.raw if ind.target.raw is not None else ind.target.value
    return sheet.row(
        row,
        [
            (1, "", "label"),
            (1, ind.level1.text, "label"),
            (1, ind.level2.text, "label"),
            (1, ind.name.text, "text"),
            (1, _cell_text(target), "value"),
            (1, ind.unit.text, "value"),
            (1, _number(ind.weight.value), "value"),
            (1, ind.rule.text, "text"),
            (1, _actual_cell(got.actual) if got else None, "value"),
            (1, got.grade if got else "", "value"),
            (1, None, "score"),
            (1, got.reason if got else "", "text"),
        ],
    )


def _merge_runs(sheet: _Sheet, col: int, first: int, keys: Sequence[object]) -> None:
    """Merge a column over each run of equal keys: an 一级/二级 label over its rows."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            sheet.merge_down(col, first + start, first + i - 1)
            start = i


# --- values ----------------------------------------------------------------------------------------------


def _number(d: Decimal | None) -> int | float | None:
    """An amount or weight as the number a cell holds (whole numbers as int)."""
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _cell_text(v: Any) -> Any:
    return v.strip() if isinstance(v, str) else v


_INT = re.compile(r"[-+]?\d+")
_DECIMAL = re.compile(r"[-+]?\d+\.\d*[1-9]")


def _actual_cell(text: str) -> int | float | str | None:
    """An actual value as a number where the text is a plain number that reads back the same, else text."""
    if not text:
        return None
    if _INT.fullmatch(text) and len(text.lstrip("+-")) <= 15:
        return int(text)
    if _DECIMAL.fullmatch(text) and repr(float(text)) == text.lstrip("+"):
        return float(text)
    return text


def _percent_hint(ind: Indicator, got: IndicatorActual) -> str | None:
    """A bare number ≤ 1 for a percentage indicator whose target is over 1: the clerk probably typed 96%
    into a cell that Excel stores as 0.96. Reported, never changed."""
    actual = parse_value(got.actual)
    if actual.kind != "number" or actual.unit or actual.number is None or not 0 < actual.number <= 1:
        return None
    target = ind.parsed_target
    percent = target.is_percent or "%" in ind.unit.text
    if not percent or target.kind != "number" or target.number is None or target.number <= 1:
        return None
    return f"而指标值以 % 计（{ind.target.text}），是否应为 {format((actual.number * 100).normalize(), 'f')}%？"


# --- text sizing and saving ------------------------------------------------------------------------------


def _text_width(text: str) -> float:
    """Display width in Excel character units: a CJK character is about two."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(width - 1.5, 2.0)
    return sum(max(1, ceil(_text_width(part) / usable)) for part in text.split("\n"))


def _save(wb: Workbook, out: Path) -> None:
    """Save atomically: a temporary file in the target's folder, then a rename over the target."""
    import io

    from xlperf.book.output import write_atomically

    buf = io.BytesIO()
    wb.save(buf)
    write_atomically(buf.getvalue(), out)
