"""Laying out official forms with openpyxl: styled rows with merged spans, block labels merged down, and a
save that gives the same bytes every time.

Shared by the example workbooks (``examples/build.py``) and the blank templates (:mod:`xlperf.templates`):
both write a form as a list of rows, each row a list of cells ``(columns spanned, value, kind)``, and both
are committed, so a rebuild must change only the files whose data or layout changed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from math import ceil
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = datetime(2024, 1, 1)
FONT_NAME = "宋体"  # SimSun, the typeface of the official forms

FONT = Font(name=FONT_NAME, size=11)
BOLD = Font(name=FONT_NAME, size=11, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
LINE_HEIGHT = 14.25  # points per line of 11-point text


def align(horizontal: str) -> Alignment:
    return Alignment(horizontal=horizontal, vertical="center", wrap_text=True)


# Cell kinds: (alignment, bordered, number format, converter, counts for row height, font).
# "block" is a label that is merged down over several rows, so its text never sets one row's height.
Kind = tuple[Alignment, bool, str, Callable[[Any], Any], bool, Font]


def amount(text: Any) -> Any:
    """A seed amount string as a number: int without a decimal point, else the float of exactly that text.

    Text that is not a number ("——") stays text, as the seed prints it; "" is an empty cell. A value that is
    not a string (a number, a Decimal) is already what the cell holds: whole numbers become int, others float.
    """
    if isinstance(text, Decimal):
        return int(text) if text == text.to_integral_value() else float(text)
    if not isinstance(text, str):
        return text
    if text == "":
        return None
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return text
    return float(Decimal(text)) if "." in text else int(text)


def percent(text: Any) -> Any:
    """ "99.11%" → 0.9911, so the cell can carry a real percentage format (a number is kept as it is)."""
    if isinstance(text, Decimal):
        return float(text)
    if not isinstance(text, str):
        return text
    if text == "":
        return None
    if not re.fullmatch(r"-?\d+(?:\.\d+)?%", text):
        return text
    return float(Decimal(text[:-1]) / 100)


def as_text(text: Any) -> Any:
    if isinstance(text, Decimal):
        return amount(text)
    return text if text != "" else None


KINDS: dict[str, Kind] = {
    "title": (align("center"), False, "General", as_text, False, TITLE_FONT),
    "head": (align("center"), True, "General", as_text, True, BOLD),
    "label": (align("center"), True, "General", as_text, True, FONT),
    "block": (align("center"), True, "General", as_text, False, FONT),
    "text": (align("left"), True, "General", as_text, True, FONT),
    "amount": (align("right"), True, "0.00", amount, True, FONT),
    "score": (align("center"), True, "General", amount, True, FONT),
    "points": (align("center"), True, "0.00", amount, True, FONT),
    "pct": (align("center"), True, "0.00%", percent, True, FONT),
    "plain": (align("left"), False, "General", as_text, True, FONT),
    "plainc": (align("center"), False, "General", as_text, True, FONT),
    "plainr": (align("right"), False, "General", as_text, True, FONT),
}

# A cell of a row: (columns it spans, its value — a seed string or a typed value —, kind).
Cell = tuple[int, Any, str]


def text_units(text: str) -> float:
    """Display width of text in Excel character units (a CJK character is about two)."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in text)


def lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` characters wide."""
    cap = max(width - 1.5, 2.0)
    return sum(max(1, ceil(text_units(part) / cap)) for part in text.split("\n"))


def span_width(ws: Worksheet, col: int, span: int) -> float:
    return sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(col, col + span))


def put_row(ws: Worksheet, row: int, cells: Sequence[Cell], col: int = 1) -> int:
    """Write one table row left to right, merging each cell over its span, and size the row to its text.

    Excel does not grow rows for wrapped text in merged cells, so the height is estimated here from the
    column widths. Returns the next row number, so that layouts read as a list of rows.
    """
    n_lines = 1
    for span, value, kind in cells:
        alignment, boxed, fmt, convert, sized, font = KINDS[kind]
        for c in range(col, col + span):
            cell = ws.cell(row=row, column=c)
            cell.font = font
            cell.alignment = alignment
            if boxed:
                cell.border = BOX
        head = ws.cell(row=row, column=col)
        head.value = convert(value)
        head.number_format = fmt
        if isinstance(head.value, str) and head.value.startswith("="):
            # Text such as "=100%" is a typed value, not a formula: store it as text, as Excel does for a
            # value typed with a leading apostrophe.
            head.data_type = "s"
            head.quotePrefix = True
        if span > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)
        if sized and value not in (None, ""):
            text = value if isinstance(value, str) else str(head.value)
            n_lines = max(n_lines, lines(text, span_width(ws, col, span)))
        col += span
    if any(kind == "title" for _, _, kind in cells):
        ws.row_dimensions[row].height = 30
    elif n_lines > 1:
        ws.row_dimensions[row].height = round(n_lines * LINE_HEIGHT + 3, 2)
    return row + 1


def merge_down(ws: Worksheet, col: int, first: int, last: int) -> None:
    """Merge one column over rows first..last (a label standing for a block), if that is more than a row."""
    if last > first:
        ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)


def merge_runs(ws: Worksheet, col: int, first: int, keys: Sequence[object]) -> None:
    """Merge a column over each run of rows with the same key: an 一级/二级 label over its block."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            merge_down(ws, col, first + start, first + i - 1)
            start = i


def new_sheet(wb: Workbook, title: str, widths: Sequence[float], index: int | None = None) -> Worksheet:
    """A sheet with its column widths set first, since row heights are estimated from them."""
    ws = wb.create_sheet(title, index)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    return ws


def sheet_name(text: str, taken: set[str]) -> str:
    """Excel's sheet-name rules: no []:*?/\\, at most 31 characters, unique (Excel's own " (2)" style)."""
    clean = re.sub(r"[\[\]:*?/\\]", "_", text)
    name, n = clean[:31], 2
    while name in taken:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def new_book() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    """The workbook's package with fixed document times and zip timestamps: the same bytes every time.

    openpyxl's ``save`` stamps ``modified`` with the current time and the zip entries with the clock, so the
    writer is driven directly and the archive rewritten with a fixed date.
    """
    wb.properties.creator = "xlperf"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(
                zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6]),
                src.read(info),
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def save(wb: Workbook, path: Path) -> Path:
    """Save with fixed document times and zip timestamps, so that rebuilding gives identical bytes."""
    path.write_bytes(to_bytes(wb))
    return path
