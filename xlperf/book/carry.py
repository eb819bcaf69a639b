"""Which parts of a workbook package openpyxl writes back when it saves the whole workbook.

A workbook the writer cannot carry over faithfully (charts, pictures, macros, controls, pivot tables …) is
refused before anything is written, with a message saying what would be lost: used by every operation that
rewrites a whole workbook through openpyxl (template add-direction). Operations that change cells, and the
annotated copy of check --output, patch the original package instead and need no such check.
"""

from __future__ import annotations

import io
import re
import zipfile

# The parts of a package that openpyxl reads and writes back (printer settings are device data that Excel
# writes again; openpyxl drops them and nothing of the page set-up is lost).
CARRIED = tuple(
    re.compile(p)
    for p in (
        r"\[Content_Types\]\.xml",
        r"_rels/\.rels",
        r"docProps/(app|core|custom)\.xml",
        r"xl/workbook\.xml",
        r"xl/_rels/workbook\.xml\.rels",
        r"xl/styles\.xml",
        r"xl/sharedStrings\.xml",
        r"xl/theme/theme\d+\.xml",
        r"xl/calcChain\.xml",
        r"xl/worksheets/sheet\d+\.xml",
        r"xl/worksheets/_rels/sheet\d+\.xml\.rels",
        r"xl/comments\d*\.xml",
        r"xl/comments/comment\d+\.xml",  # notes as openpyxl names them
        r"xl/drawings/vmlDrawing\d+\.vml",
        r"xl/drawings/commentsDrawing\d+\.vml",
        r"xl/printerSettings/printerSettings\d+\.bin",
        r"xl/tables/table\d+\.xml",
    )
)
# Sheet content openpyxl drops (the 2010 extensions of drop-downs and conditional formats, sparklines).
DROPPED_IN_SHEETS = (b"<x14:dataValidation", b"<x14:conditionalFormatting", b"<x14:sparklineGroup")
_KINDS = (
    ("xl/charts/", "图表"),
    ("xl/chartsheets/", "图表"),
    ("xl/media/", "图片"),
    ("xl/drawings/drawing", "图片或图形"),
    ("xl/vbaProject", "宏（VBA）"),
    ("xl/activeX/", "控件"),
    ("xl/ctrlProps/", "控件"),
    ("xl/embeddings/", "嵌入对象"),
    ("xl/pivot", "数据透视表"),
    ("xl/slicer", "切片器"),
)


def uncarried_parts(package: bytes) -> list[str]:
    """The parts (and sheet extensions) of a package that openpyxl would drop on saving it."""
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        names = z.namelist()
        lost = [n for n in names if not n.endswith("/") and not any(p.fullmatch(n) for p in CARRIED)]
        for n in names:
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n):
                xml = z.read(n)
                if any(marker in xml for marker in DROPPED_IN_SHEETS):
                    lost.append(f"{n}（2010 版扩展：跨表下拉列表、条件格式或迷你图）")
    return lost


def part_kinds(lost: list[str]) -> list[str]:
    """What the lost parts are, in words a person knows (图表, 图片, 宏 …)."""
    return sorted({next((what for prefix, what in _KINDS if n.startswith(prefix)), "其他内容") for n in lost})
