"""``xlperf template add-direction``: a 附表3 for a new spending direction and its 附表2 row, with nothing the
workbook had lost — and a clear refusal for a workbook whose charts, pictures or macros could not be kept."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from xlperf.checks import check_model
from xlperf.errors import WorkbookError
from xlperf.forms import read_file
from xlperf.templates import TEMPLATES
from xlperf.templates.add_direction import _shift_refs, add_direction
from xlperf.templates.generate import TEMPLATES_DIR, generate

SPECIAL = TEMPLATES_DIR / TEMPLATES["special"][0]


def xlperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=120)


def copy_of(src: Path, tmp: Path, name: str = "专项.xlsx") -> Path:
    dst = tmp / name
    dst.write_bytes(src.read_bytes())
    return dst


def layout(ws) -> dict:
    """Everything of a sheet's look and behaviour but its values."""
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            cells[c.coordinate] = (
                c.font.name,
                c.font.b,
                getattr(c.border.left, "style", None),
                getattr(c.border.bottom, "style", None),
                c.fill.fgColor.rgb,
                c.number_format,
                c.protection.locked,
                c.alignment.horizontal,
            )
    return {
        "cells": cells,
        "merges": sorted(str(r) for r in ws.merged_cells.ranges),
        "validations": sorted((dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation),
        "widths": {k: d.width for k, d in ws.column_dimensions.items()},
        "heights": {k: d.height for k, d in ws.row_dimensions.items()},
        "freeze": ws.freeze_panes,
        "print": (ws.print_title_rows, ws.page_setup.orientation, ws.page_setup.fitToWidth),
        "protected": ws.protection.sheet,
    }


def test_directions_added_to_the_blank_template(tmp_path):
    path = copy_of(SPECIAL, tmp_path)
    blank = path.read_bytes()
    run = xlperf("template", "add-direction", str(path), "提退人员经费")  # by default: a new file beside it
    assert run.returncode == 0, run.stderr
    assert path.read_bytes() == blank
    assert (path.parent / f"{path.stem}（新增方向）.xlsx").exists()
    for name in ("提退人员经费", "高龄老人补贴资金", "残疾人两项补贴"):
        run = xlperf("template", "add-direction", "--in-place", str(path), name)
        assert run.returncode == 0, run.stderr
    assert path.with_name(path.name + ".bak").read_bytes() == blank
    model = read_file(str(path))
    assert model.sheet_names == ["附表2", "附表3", "附表3 高龄老人补贴资金", "附表3 残疾人两项补贴"]
    summary = model.of_kind("summary")[0]
    assert [(r.no.text, r.name.text) for r in summary.rows] == [
        ("1", "提退人员经费"),
        ("2", "高龄老人补贴资金"),
        ("3", "残疾人两项补贴"),
    ]
    assert [d.direction.text for d in model.of_kind("direction")] == [
        "提退人员经费",
        "高龄老人补贴资金",
        "残疾人两项补贴",
    ]
    report = check_model(model)
    assert {p.basis for p in report.pairings} == {"exact"} and len(report.pairings) == 3
    assert not [f for f in report.findings if f.code.startswith(("xref.", "amount."))]
    wb = load_workbook(path)
    assert wb["附表2"][summary.total.cell].value == "=SUM(C6:C10)"  # the template's five numbered rows
    assert summary.total.value == 0  # cached: a reader that does not recalculate still sees the total
    for d in model.of_kind("direction")[1:]:
        assert d.project_amount.value == 0 and d.details_total.value == 0


def test_a_new_sheet_is_laid_out_as_the_templates(tmp_path):
    path = copy_of(SPECIAL, tmp_path)
    add_direction(str(path), "甲")
    add_direction(str(path), "乙")
    wb = load_workbook(path)
    template = load_workbook(io.BytesIO(generate("special")))["附表3"]
    assert layout(wb["附表3 乙"]) == layout(template)
    values = {c.coordinate: c.value for row in wb["附表3 乙"].iter_rows() for c in row if c.value is not None}
    expected = {c.coordinate: c.value for row in template.iter_rows() for c in row if c.value is not None}
    assert values == {**expected, "B4": "乙"}


def test_a_filled_workbook_keeps_everything(tmp_path, models):
    seed = models["000"]
    path = tmp_path / "seed000.xlsx"
    path.write_bytes(generate("special", content=seed.of_kind("summary") + seed.of_kind("direction")))
    before = read_file(str(path))
    add_direction(str(path), "新增支出方向")
    after = read_file(str(path))
    assert after.sheet_names == [*before.sheet_names, "附表3 新增支出方向"]
    old_summary, new_summary = before.of_kind("summary")[0], after.of_kind("summary")[0]
    assert [(r.row, r.name.text, r.amount.value) for r in new_summary.rows[:-1]] == [
        (r.row, r.name.text, r.amount.value) for r in old_summary.rows
    ]
    assert new_summary.rows[-1].name.text == "新增支出方向" and new_summary.rows[-1].no.text == "13"
    assert new_summary.total.value == old_summary.total.value == Decimal("1594.78")
    for old, new in zip(before.of_kind("direction"), after.of_kind("direction"), strict=False):
        assert new.sheet == old.sheet
        assert (new.project_amount, new.amount, new.details_total) == (
            old.project_amount,
            old.amount,
            old.details_total,
        )
        assert [(i.name.text, i.target.text) for i in new.indicators.indicators] == [
            (i.name.text, i.target.text) for i in old.indicators.indicators
        ]
    wb = load_workbook(path)
    ws = wb["附表2"]
    assert ws["C5"].value == "=SUM(C6:C18)"
    signature = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "单位负责人签字：")
    assert signature == new_summary.rows[-1].row + 2  # moved down under the new row, with its merges
    assert f"A{signature}:B{signature}" in {str(r) for r in ws.merged_cells.ranges}
    findings = {(f.code, f.sheet) for f in check_model(after).findings}
    assert ("xref.missing_sheet", "附表2") not in findings
    assert not [f for f in findings if f[0] == "xref.orphan_sheet"]


def total_last_workbook(path: Path) -> Path:
    """附表2 with its 合计 under the rows, a signature line below, and another sheet pointing at the 合计."""
    wb = Workbook()
    ws = wb.active
    ws.title = "附表2"
    ws.append(["专项资金绩效目标汇总表"])
    ws.append(["序号", "名称", "金额", "实施期绩效目标", "年度绩效目标"])
    ws.append(["1", "甲方向", 10.5, "目标一", "目标一"])
    ws.append(["2", "乙方向", 4.25, "目标二", "目标二"])
    ws.append(["", "合计", "=SUM(C3:C4)", "", ""])
    ws.append([])
    ws.append(["单位负责人签字：", "", "填表人：", "", "联系电话："])
    ws.merge_cells("A7:B7")
    other = wb.create_sheet("汇总")
    other["A1"] = "='附表2'!C5*2"
    other["A2"] = '="附表2!C5"'
    wb.save(path)
    from xlperf.book.patch import CellPatch, patch_cells

    cached = {"附表2": {"C5": CellPatch(14.75, "SUM(C3:C4)")}, "汇总": {"A1": CellPatch(29.5, "'附表2'!C5*2")}}
    path.write_bytes(patch_cells(path.read_bytes(), cached))
    return path


def test_a_row_goes_above_a_total_at_the_bottom_and_references_follow(tmp_path):
    path = total_last_workbook(tmp_path / "合计在下.xlsx")
    added = add_direction(str(path), "丙方向")
    assert added.row == 5 and not added.reused_row
    wb = load_workbook(path)
    ws = wb["附表2"]
    assert [ws.cell(r, 2).value for r in range(3, 7)] == ["甲方向", "乙方向", "丙方向", "合计"]
    assert ws["B5"].value == "丙方向" and ws["A5"].value == 3
    assert ws["C6"].value == "=SUM(C3:C5)"
    assert wb["汇总"]["A1"].value == "='附表2'!C6*2"
    assert wb["汇总"]["A2"].value == '="附表2!C5"'  # text, not a reference
    assert "A8:B8" in {str(r) for r in ws.merged_cells.ranges}
    values = load_workbook(path, data_only=True)
    assert values["附表2"]["C6"].value == 14.75 and values["汇总"]["A1"].value == 29.5
    assert "附表3 丙方向" in wb.sheetnames


def test_shifting_references():
    assert _shift_refs("=SUM(C6:C17)+C18", "附表2", 18, "附表2") == "=SUM(C6:C17)+C19"
    assert _shift_refs("='附表2'!$C$20+附表2!C5", "附表2", 18, "其他") == "='附表2'!$C$21+附表2!C5"
    assert _shift_refs("=C20+LOG10(C30)", "附表2", 18, "其他") == "=C20+LOG10(C30)"
    assert _shift_refs('=IF(C20>0,"C20","")', "附表2", 18, "附表2") == '=IF(C21>0,"C20","")'


def with_parts(src: Path, dst: Path, extra: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        for name, data in extra.items():
            zout.writestr(name, data)
    return dst


@pytest.mark.parametrize(
    ("part", "word"),
    [("xl/media/image1.png", "图片"), ("xl/charts/chart1.xml", "图表"), ("xl/vbaProject.bin", "宏")],
)
def test_refuses_a_workbook_it_cannot_carry(tmp_path, part, word):
    path = with_parts(SPECIAL, tmp_path / "带附件.xlsx", {part: b"\x89PNG"})
    before = path.read_bytes()
    with pytest.raises(WorkbookError) as err:
        add_direction(str(path), "新方向")
    assert word in str(err.value) and part in str(err.value) and "未作任何修改" in str(err.value)
    assert path.read_bytes() == before
    run = xlperf("template", "add-direction", str(path), "新方向")
    assert run.returncode == 2 and word in run.stderr
    assert path.read_bytes() == before


def test_refuses_a_macro_workbook_a_duplicate_and_a_workbook_without_summary(tmp_path):
    macro = copy_of(SPECIAL, tmp_path, "宏.xlsm")
    with pytest.raises(WorkbookError, match="宏"):
        add_direction(str(macro), "新方向")
    path = copy_of(SPECIAL, tmp_path)
    add_direction(str(path), "甲")
    before = path.read_bytes()
    with pytest.raises(WorkbookError, match="已有支出方向“甲”"):
        add_direction(str(path), " 甲 ")
    assert path.read_bytes() == before
    dept = copy_of(TEMPLATES_DIR / TEMPLATES["dept"][0], tmp_path, "部门.xlsx")
    with pytest.raises(WorkbookError, match="没有附表2"):
        add_direction(str(dept), "甲")


def test_writes_to_another_file_when_asked(tmp_path):
    path = copy_of(SPECIAL, tmp_path)
    before = path.read_bytes()
    out = tmp_path / "新.xlsx"
    run = xlperf("template", "add-direction", str(path), "甲", "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert path.read_bytes() == before
    assert read_file(str(out)).of_kind("direction")[0].direction.text == "甲"


def test_a_workbook_saved_by_openpyxl_with_notes_is_not_refused(tmp_path):
    """openpyxl names note parts xl/comments/comment1.xml and commentsDrawing1.vml, and carries them."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment

    path = tmp_path / "带批注.xlsx"
    wb = load_workbook(SPECIAL)
    wb["附表2"]["A1"].comment = Comment("请核对单位名称", "财务股")
    wb.save(path)
    added = add_direction(str(path), "新方向")
    assert added.summary_sheet == "附表2"
    assert load_workbook(path)["附表2"]["A1"].comment.text == "请核对单位名称"
