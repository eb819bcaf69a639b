"""The openpyxl Book adapter: block reads with merges and formulas, block writes, marks, atomic saves."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import example
from openpyxl import Workbook, load_workbook

from xlperf.book import open_book
from xlperf.forms.grid import Grid


def small_book(path):
    wb = Workbook()
    ws = wb.active
    ws.title = "附表2"
    ws.append(["序号", "名称", "金额"])
    ws.append([1, "提退人员经费", 14.87])
    ws.append([2, "残疾人两项补贴", 160])
    ws.append([None, "合  计", "=SUM(C2:C3)"])
    ws.merge_cells("A5:C5")
    ws["A5"] = "单位负责人签字："
    wb.create_sheet("说明").append(["本表金额单位：万元"])
    wb.save(path)
    return path


def test_reads_sheets_values_merges_and_formulas(tmp_path):
    book = open_book(small_book(tmp_path / "b.xlsx"))
    assert book.sheet_names() == ["附表2", "说明"]
    data = book.read("附表2", formulas=True)
    assert data.values[1] == [1, "提退人员经费", 14.87]
    assert data.values[3][2] == pytest.approx(174.87)  # no cached value: computed in memory, never read as empty
    assert (4, 3) in data.computed
    assert data.formulas[3][2] == "=SUM(C2:C3)"
    assert data.formulas[1][2] is None
    assert [(m.min_row, m.min_col, m.max_row, m.max_col) for m in data.merges] == [(5, 1, 5, 3)]


def test_a_merged_label_is_found_from_any_of_its_cells():
    grid = Grid(open_book(example("000")).read("附表3"))
    label = grid.find_one(("年度绩效指标",))
    end_row, end_col = grid.merge_end(label.row, label.col)
    assert end_row > label.row  # merged down over the indicator block
    for row in range(label.row, end_row + 1):
        assert grid.key(row, label.col) == "年度绩效指标"
        assert grid.origin(row, end_col) == (label.row, label.col)


def test_write_block_and_mark_then_save_atomically(tmp_path):
    src = small_book(tmp_path / "in.xlsx")
    before = src.read_bytes()
    book = open_book(src)
    book.write("附表2", 2, 3, [[15.0], [161.0]])
    book.write("附表2", 4, 3, [["=SUM(C2:C3)"]])
    book.mark("附表2", 3, 2, "FFC7CE", "名称与附表3不一致")
    out = tmp_path / "out.xlsx"
    book.save(out)
    assert src.read_bytes() == before  # the input is never touched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "out.xlsx"]  # no temporary file left
    ws = load_workbook(out)["附表2"]
    assert (ws["C2"].value, ws["C3"].value, ws["C4"].value) == (15.0, 161.0, "=SUM(C2:C3)")
    assert ws["B3"].fill.start_color.rgb.endswith("FFC7CE")
    assert ws["B3"].comment.text == "名称与附表3不一致"
    assert ws["A5"].value == "单位负责人签字：" and "A5:C5" in {str(r) for r in ws.merged_cells.ranges}


def test_the_model_imports_no_spreadsheet_library():
    code = (
        "import sys, xlperf.model, xlperf.values, xlperf.labels; "
        "print(sorted(m for m in sys.modules if 'openpyxl' in m or 'xlwings' in m))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_error_values_are_read_as_errors_not_blanks(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "金额"])
    ws.append(["提退人员经费", "#REF!"])  # openpyxl stores an error literal as an error cell (t="e")
    ws["D7"] = "#DIV/0!"
    wb.save(tmp_path / "errors.xlsx")
    values = open_book(tmp_path / "errors.xlsx").read("Sheet").values
    assert values[1][:2] == ["提退人员经费", "#REF!"]
    assert values[6][3] == "#DIV/0!"


def test_save_refuses_a_workbook_it_would_lose_parts_of(tmp_path):
    """FileBook.save rewrites through openpyxl; a picture it would drop makes it refuse, writing nothing."""
    import zipfile

    import pytest

    from xlperf.errors import OutputError

    src = small_book(tmp_path / "in.xlsx")
    with zipfile.ZipFile(src, "a") as z:
        z.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n")
    book = open_book(src)
    book.mark("附表2", 3, 2, "FFC7CE", "名称与附表3不一致")
    with pytest.raises(OutputError, match="图片"):
        book.save(tmp_path / "out.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]
