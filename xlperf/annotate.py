"""Findings shown in the workbook: each finding's cell filled by severity with a note holding the
message, and a 校验结果 sheet listing every finding with a link to its cell. Both hosts use this."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from xlperf.a1 import split
from xlperf.book.protocol import Book
from xlperf.report import SEVERITIES, SEVERITY_ZH, Finding, Report
from xlperf.rules import title_of

RESULT_SHEET = "校验结果"
FILL = {"error": "FFC7CE", "warning": "FFEB9C", "hint": "DDEBF7"}  # red, amber, blue (Excel's own palette)
HEADER = ["序号", "严重性", "代码", "规则名称", "工作表", "单元格", "说明", "应为", "实为"]
WIDTHS = (6, 8, 26, 20, 30, 8, 70, 14, 14)  # of the 校验结果 columns
LINK_COLUMN = HEADER.index("单元格") + 1  # 1-based: the column whose cells link to the finding's cell


def quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def result_rows(report: Report) -> tuple[list[list[Any]], dict[tuple[int, int], str]]:
    """The 校验结果 sheet: a header and one row per finding; links from the 单元格 column to the cell."""
    rows: list[list[Any]] = [HEADER]
    links: dict[tuple[int, int], str] = {}
    for i, f in enumerate(report.findings, start=1):
        rows.append([i, SEVERITY_ZH[f.severity], f.code, title_of(f.code), f.sheet, f.cell or "A1", f.message,
                     _cell(f.expected), _cell(f.actual)])  # fmt: skip
        links[(i + 1, LINK_COLUMN)] = f"{quoted(f.sheet)}!{f.cell or 'A1'}"
    if not report.findings:
        rows.append([("未发现问题" if name == "说明" else "") for name in HEADER])
    return rows, links


def _cell(v: Any) -> Any:
    return None if v is None else (v if isinstance(v, int | float | str) else str(v))


def marks(report: Report) -> dict[tuple[str, str], tuple[str, str]]:
    """Per cell, the fill of its most severe finding and a note with all its messages."""
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        if f.sheet and f.cell:
            by_cell[(f.sheet, f.cell)].append(f)
    out = {}
    for key, found in by_cell.items():
        worst = min(found, key=lambda f: SEVERITIES.index(f.severity))
        note = "\n".join(note_line(f) for f in found)
        out[key] = (FILL[worst.severity], note)
    return out


def note_line(f: Finding) -> str:
    """A finding as a line of its cell's note: "[错误] amount.sum_mismatch 合计不符：…"."""
    return f"[{SEVERITY_ZH[f.severity]}] {f.code} {title_of(f.code)}：{f.message}"


def annotate(book: Book, report: Report) -> None:
    """Mark every finding's cell and write the 校验结果 sheet."""
    for (sheet, cell), (fill, note) in marks(report).items():
        row, col = split(cell)
        book.mark(sheet, row, col, fill, note)
    rows, links = result_rows(report)
    book.add_sheet(RESULT_SHEET, rows, links)


def annotated_package(package: bytes, report: Report) -> bytes:
    """The annotated copy of a workbook file's bytes: the same marks and 校验结果 sheet as :func:`annotate`,
    written into the original package so that nothing else of it changes (charts, pictures, macros …)."""
    from xlperf.book.package_marks import ResultSheet, mark_package

    rows, links = result_rows(report)
    return mark_package(package, marks(report), ResultSheet(RESULT_SHEET, rows, links, WIDTHS))
