"""Big and hostile workbooks for the bounded-reading tests and ``benchmarks/bench_big_inputs.py``.

- :func:`with_far_cell`: a copy of a workbook whose first sheet also holds a value (or, with ``styled``, only
  a style) at a far cell such as XFD1048576, and optionally a sheet dimension claiming the whole grid — what
  a person leaves behind by typing at the bottom of a column or by formatting whole columns.
- :func:`indicator_workbook`: a 项目支出绩效目标表 or a 绩效自评表 laid out as the examples are, with any
  number of indicator rows and one planted placeholder target (“是/否”) every ``plant_every`` rows.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from xlperf.a1 import column_letter

# (一级, 二级, 三级, 指标值, 度量单位, 实际完成值): rows no rule objects to, covering every 一级.
POOL = (
    ("产出指标", "数量指标", "发放补助人数", "≥1000", "人", "1020人"),
    ("产出指标", "质量指标", "资金发放准确率", "100%", "%", "100%"),
    ("产出指标", "时效指标", "资金按时发放", "按月发放", "", "按月发放"),
    ("成本指标", "经济成本指标", "人均补助标准", "≤300元", "元", "300元"),
    ("效益指标", "社会效益指标", "困难群众基本生活保障", "有效保障", "", "有效保障"),
    ("满意度指标", "服务对象满意度指标", "补助对象满意度", "≥90%", "%", "95%"),
)
PLACEHOLDER = "是/否"


def with_far_cell(
    src: Path,
    out: Path,
    ref: str = "XFD1048576",
    value: str | None = "x",
    dimension: str | None = "A1:XFD1048576",
) -> Path:
    """``src`` with a cell at ``ref`` added to its first sheet: holding the text ``value``, or only a style
    when ``value`` is None; ``dimension`` replaces the sheet's recorded used range (None: left as it is)."""
    row = re.sub(r"[A-Z]+", "", ref)
    if value is None:
        cell = f'<c r="{ref}" s="1"/>'
    else:
        cell = f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode("utf-8")
                xml = xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>', 1)
                if dimension is not None:
                    xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', xml, count=1)
                data = xml.encode("utf-8")
            zout.writestr(info, data)
    return out


def indicator_rows(n: int, plant_every: int = 1000) -> list[tuple[str, str, str, str, str, str]]:
    """``n`` indicator rows cycling through :data:`POOL` with numbered names (so none repeats); every
    ``plant_every``-th row's target is the placeholder “是/否”."""
    rows = []
    for i in range(n):
        l1, l2, name, target, unit, actual = POOL[i % len(POOL)]
        if plant_every and i % plant_every == plant_every - 1:
            target, unit, actual = PLACEHOLDER, "", "是"
        rows.append((l1, l2, f"{name}（第{i + 1}项）", target, unit, actual))
    return rows


def planted(n: int, plant_every: int = 1000) -> int:
    """How many placeholder targets :func:`indicator_rows` plants in ``n`` rows."""
    return n // plant_every if plant_every else 0


def indicator_workbook(out: Path, n: int, kind: str = "project", plant_every: int = 1000) -> Path:
    """A workbook with one form holding ``n`` indicator rows: ``kind`` "project" (项目支出绩效目标表, the seed 003
    layout) or "selfeval" (绩效自评表, the seed 001 layout)."""
    rows = indicator_rows(n, plant_every)
    table: list[list[object]]
    if kind == "project":
        name = "1.临时救助专项经费"
        table = [
            ["临时救助专项经费项目支出绩效目标表"],
            ["单位名称", "某市民政局", None, None, None, None, "金额单位：万元"],
            ["项目名称", "临时救助专项经费"],
            ["项目金额", 120.5],
            ["一级指标", "二级指标", "三级指标", "指标值", "度量单位", "指标属性", "分值", "评(扣)分标准"],
        ]
        for i, (l1, l2, label, target, unit, _) in enumerate(rows):
            first = i == 0 or rows[i - 1][0] != l1
            table.append([l1 if first else None, l2, label, target, unit or None, "定量指标", 1, "达到指标值得满分"])
    elif kind == "selfeval":
        name = "附件3"
        table = [
            ["附件3"],
            ["项目支出绩效自评表"],
            ["项目名称", None, None, "临时救助专项经费"],
            ["年度预算申请（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            [None, "年度资金总额", None, 120.5, 120.5, 120.5, 10, 1, 10],
            ["年度总体目标", "预期目标", None, None, None, "实际完成情况"],
            [None, "保障困难群众基本生活", None, None, None, "保障了困难群众基本生活"],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"],
        ]
        for i, (l1, l2, label, target, _, actual) in enumerate(rows):
            first = i == 0 or rows[i - 1][0] != l1
            table.append([None, l1 if first else None, l2, label, target, actual, 1, 1])
        table.append(["总分"])
    else:
        raise ValueError(kind)
    return one_sheet_workbook(out, name, table)


def one_sheet_workbook(out: Path, sheet: str, rows: list[list[object]]) -> Path:
    """A minimal .xlsx of one sheet holding ``rows`` from A1: text as inline strings (so text starting with
    "=" is text, as a person typing "'=…" gets), numbers as numbers, None as no cell. Written as XML
    directly: a 50,000-row sheet takes a second, not the 15 s of openpyxl."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    lines = []
    for r, values in enumerate(rows, start=1):
        cells = []
        for c, v in enumerate(values, start=1):
            ref = f"{column_letter(c)}{r}"
            if v is None:
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>')
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            f'<sheet name="{escape(sheet, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{main}"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        ),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{"".join(lines)}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
    return out
