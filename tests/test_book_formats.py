"""What a reader sees besides the values: each cell's number format (read only when asked for), and the
values of formulas that a program wrote without calculating them (computed in memory, said so)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import date
from importlib.util import find_spec
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES, ROOT, example
from openpyxl import Workbook

from xlperf.book import number_formats, open_book, sheet_xml
from xlperf.book.number_formats import BUILTIN_FORMATS, is_percent_format

# --- is_percent_format -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["0%", "0.00%", "0.0%;[Red]-0.0%", "#,##0.00%", "[Red]0%", "[$-804]0.0%", '0.0%"完成"', "0%_);(0%)", "  0.0 %"],
)
def test_percent_formats(code):
    assert is_percent_format(code)


@pytest.mark.parametrize(
    "code",
    [None, "", "General", "@", "0.00", '0.00"%"', "0.00\\%", "0_%", "0*%", '"%"0', "0;0%", "[%]0", 'yyyy"年"m"月"'],
)
def test_formats_that_only_show_a_percent_sign_or_none_are_not_percent(code):
    assert not is_percent_format(code)


def test_builtin_percent_and_date_ids():
    assert BUILTIN_FORMATS[9] == "0%" and BUILTIN_FORMATS[10] == "0.00%"
    assert is_percent_format(BUILTIN_FORMATS[9]) and is_percent_format(BUILTIN_FORMATS[10])
    assert sheet_xml.format_kind(BUILTIN_FORMATS[14]) == "date"
    assert number_formats.shown("General") is None and number_formats.shown("G/通用格式") is None


# --- workbooks -------------------------------------------------------------------------------------------


def formatted_book(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "附表2"
    ws.append(["名称", "金额", "执行率", "满意度", "日期", "增长"])
    ws.append(["提退人员经费", 14.87, 1.23, 0.9911, date(2024, 1, 5), -0.05])
    ws.merge_cells("A3:B3")
    ws["A3"] = "合计"
    ws["C2"].number_format = "0%"
    ws["D2"].number_format = "0.00%"
    ws["E2"].number_format = "yyyy/m/d"  # openpyxl stores the built-in id 14
    ws["F2"].number_format = "0.0%;[Red]-0.0%"  # the workbook's own code (numFmts)
    ws["B2"].number_format = "#,##0.00"
    ws["A3"].number_format = "0%"
    wb.save(path)
    return path


def patch_part(path: Path, name: str, change) -> None:
    """Rewrite one part of a package in place (the test's own file)."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            zout.writestr(info, change(data) if info.filename == name else data)
    path.write_bytes(out.getvalue())


def test_number_formats_of_a_file(tmp_path):
    data = open_book(formatted_book(tmp_path / "b.xlsx")).read("附表2")
    assert data.values[1][2:4] == [1.23, 0.9911]
    assert data.number_format(2, 3) == "0%" and is_percent_format(data.number_format(2, 3))  # 1.23 is 123 %
    assert data.number_format(2, 4) == "0.00%"  # 0.9911 is 99.11 %
    assert data.number_format(2, 5) == "yyyy/m/d" and data.values[1][4] == date(2024, 1, 5)
    assert data.number_format(2, 6) == "0.0%;[Red]-0.0%" and is_percent_format(data.number_format(2, 6))
    assert data.number_format(2, 2) == "#,##0.00" and not is_percent_format(data.number_format(2, 2))
    assert data.number_format(1, 1) is None  # General
    assert data.number_format(3, 1) == "0%"
    assert data.number_format(3, 2) is None  # merges are not resolved: B3 is asked, not A3
    assert data.number_format(500, 500) is None  # outside the rows read


def test_formats_are_parsed_on_the_first_call_only(tmp_path, monkeypatch):
    calls = []
    original = sheet_xml.cell_formats
    monkeypatch.setattr(sheet_xml, "cell_formats", lambda *a: calls.append(a[0]) or original(*a))
    book = open_book(formatted_book(tmp_path / "b.xlsx"))
    data = book.read("附表2")
    assert calls == [] and book._package is None  # reading values touches no style
    assert [data.number_format(2, c) for c in (3, 4)] == ["0%", "0.00%"]
    assert data.number_format(1, 1) is None
    assert len(calls) == 1  # one parse for the sheet, then lookups


def respell(xml: bytes) -> bytes:
    """The same XML spelled otherwise: single quotes, spaces and line breaks around every attribute's "=", and
    the main namespace with a prefix ("<x:c")."""
    xml = re.sub(rb'(\s)(\w+)="([^"]*)"', lambda m: m.group(1) + m.group(2) + b" =\n '" + m.group(3) + b"'", xml)
    main = b"'http://schemas.openxmlformats.org/spreadsheetml/2006/main'"
    xml = xml.replace(b"xmlns =\n " + main, b"xmlns:x=" + main)
    return re.sub(rb"<(/?)(?!\?)(\w+[\s/>])", rb"<\1x:\2", xml)


def test_the_xml_decides_not_its_spelling(tmp_path):
    """Single quotes, spaces and line breaks around attributes, and a namespace prefix: the same formats."""
    path = formatted_book(tmp_path / "b.xlsx")
    patch_part(path, "xl/worksheets/sheet1.xml", respell)
    patch_part(path, "xl/styles.xml", lambda xml: xml.replace(b'numFmtId="9"', b"numFmtId = '9' "))
    assert b"<x:c r =\n 'C2'" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    data = open_book(path).read("附表2")
    assert data.values[1][2:4] == [1.23, 0.9911]
    assert [data.number_format(2, c) for c in range(1, 7)] == [
        None, "#,##0.00", "0%", "0.00%", "yyyy/m/d", "0.0%;[Red]-0.0%"
    ]  # fmt: skip


def test_row_and_column_formats_apply_to_cells_without_their_own(tmp_path):
    path = tmp_path / "b.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["a", None, "c", None])
    ws.append([None, None, None, 5])
    ws["C1"].number_format = "0.00%"  # cell style 1 in the file
    wb.save(path)

    def styled(xml: bytes) -> bytes:
        xml = xml.replace(b"<sheetData>", b'<cols><col min="2" max="4" style="1"/></cols><sheetData>')
        return xml.replace(b'<row r="2">', b'<row r="2" s="1" customFormat="1">')

    patch_part(path, "xl/worksheets/sheet1.xml", styled)
    data = open_book(path).read("Sheet")
    assert data.number_format(1, 1) is None  # its own General, no column style
    assert data.number_format(1, 2) == "0.00%"  # no cell: the column's
    assert data.number_format(2, 1) == "0.00%"  # no cell: the row's
    assert data.number_format(2, 4) is None  # a cell of its own, General, hides the row's and column's


def test_a_legacy_xls_has_no_formats():
    book = open_book(FIXTURES / "seed000_saved_as_xls.xls")
    data = book.read(book.sheet_names()[0])
    assert data.number_format(1, 1) is None and data.computed == data.uncomputed == frozenset()


# --- formulas without values -----------------------------------------------------------------------------


def program_written(path: Path) -> Path:
    """A workbook as openpyxl writes it: formulas with no values."""
    wb = Workbook()
    ws = wb.active
    ws.title = "附表2"
    ws.append(["名称", "金额", "占比"])
    ws.append(["提退人员经费", 14.87, "=B2/B$4"])
    ws.append(["残疾人两项补贴", 160, "=B3/B$4"])
    ws.append(["合  计", "=SUM(B2:B3)", "=SUM(C2:C3)"])
    ws.append(["开始", "=DATE(2024,1,5)", "=BAHTTEXT(1)"])
    ws.append(["循环", "=B6+1", '=""'])
    for cell in ("C2", "C3", "C4"):
        ws[cell].number_format = "0.00%"
    ws["B5"].number_format = "yyyy/m/d"
    other = wb.create_sheet("部门")
    other.append(["项目支出", "='附表2'!B4"])
    wb.save(path)
    return path


def test_formulas_without_values_are_computed_in_memory(tmp_path):
    path = program_written(tmp_path / "b.xlsx")
    before = path.read_bytes(), path.stat().st_mtime_ns
    book = open_book(path)
    data = book.read("附表2")
    assert data.values[3][1] == pytest.approx(174.87)  # not an empty total
    assert data.values[1][2] == pytest.approx(14.87 / 174.87) and data.number_format(2, 3) == "0.00%"
    assert data.values[3][2] == 1
    assert data.values[4][1] == date(2024, 1, 5)  # a number in a date format reads as a date, as a cached one
    assert data.values[5][2] is None  # computed, and empty
    assert data.computed == {(2, 3), (3, 3), (4, 2), (4, 3), (5, 2), (6, 3)}
    assert data.uncomputed == {(5, 3), (6, 2)}  # a function the engine does not know; a circular reference
    assert data.values[4][2] is None and data.values[5][1] is None  # they stay empty
    assert book.read("部门").values[0][1] == pytest.approx(174.87)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before  # the file is never written


def test_formulas_without_values_whatever_the_spelling(tmp_path):
    path = program_written(tmp_path / "b.xlsx")
    patch_part(path, "xl/worksheets/sheet1.xml", respell)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"<x:f>SUM(B2:B3)</x:f><x:v></x:v>" in xml
    data = open_book(path).read("附表2")
    assert data.values[3][1] == pytest.approx(174.87) and (4, 2) in data.computed
    assert data.uncomputed == {(5, 3), (6, 2)}


def test_formulas_with_values_are_told_by_a_scan_of_the_bytes():
    assert sheet_xml.uncached_formulas(b'<worksheet><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c>'
                                       b'<c r="B1"><f t="shared" si="0"/><v>2</v></c></row></sheetData>'
                                       b"</worksheet>") == {}  # fmt: skip
    assert sheet_xml.uncached_formulas(b'<worksheet><sheetData><row r="1"><c r="A1" s="3"><f>1+1</f></c>'
                                       b'<c r="B1"><f>1</f><v/></c><c r="C1"><f>1</f><v>1</v></c></row>'
                                       b"</sheetData></worksheet>") == {(1, 1): 3, (1, 2): 0}  # fmt: skip


def test_the_workbook_is_computed_once(tmp_path, monkeypatch):
    from xlperf.recalc.ironcalc_engine import IronCalcEngine

    calls = []
    original = IronCalcEngine.compute
    monkeypatch.setattr(IronCalcEngine, "compute", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    book = open_book(program_written(tmp_path / "b.xlsx"))
    for sheet in book.sheet_names() * 2:
        assert book.read(sheet).computed
    assert len(calls) == 1


def test_an_empty_number_value_is_no_value_and_empty_text_is_one(tmp_path):
    path = program_written(tmp_path / "b.xlsx")
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b"<f>SUM(B2:B3)</f><v></v>" in xml  # how openpyxl writes a formula: an empty value
    text = b'<c r="C6" t="str"><f>""</f><v></v>'  # a formula whose cached value is empty text
    patch_part(path, "xl/worksheets/sheet1.xml", lambda x: x.replace(b'<c r="C6"><f>""</f><v></v>', text))
    data = open_book(path).read("附表2")
    assert (4, 2) in data.computed and (6, 3) not in data.computed | data.uncomputed  # "" is a cached value


def cached(path: Path) -> Path:
    """The program-written workbook with a value after every formula, as Excel saves it."""

    def with_values(xml: bytes) -> bytes:
        return xml.replace(b"<v></v>", b"<v>1</v>")

    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        patch_part(path, name, with_values)
    return path


PROBE = """
import json, sys
from xlperf.book import open_book
out = {}
for path in sys.argv[1:]:
    book = open_book(path)
    for sheet in book.sheet_names():
        data = book.read(sheet)
        out[path + "!" + sheet] = [sorted(data.computed), sorted(data.uncomputed)]
loaded = sorted(m for m in sys.modules if "ironcalc" in m or m.startswith("xlperf.recalc"))
print(json.dumps({"sets": out, "engine": loaded}))
"""


def test_workbooks_with_every_value_cached_load_no_engine(tmp_path):
    files = [str(p) for p in sorted(EXAMPLES.glob("seed*.xlsx"))]  # written with values, no formula
    files += [str(p) for p in sorted((ROOT / "workbook_templates").glob("*.xlsx"))]  # formulas with values
    files.append(str(cached(program_written(tmp_path / "b.xlsx"))))
    done = subprocess.run([sys.executable, "-c", PROBE, *files], capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(done.stdout)
    assert len(result["sets"]) >= len(files)
    assert all(sets == [[], []] for sets in result["sets"].values())
    assert result["engine"] == []  # neither IronCalc nor the recalculation layer was imported


def test_an_example_reads_as_before():
    book = open_book(example("000"))
    data = book.read(book.sheet_names()[0])
    assert data.computed == data.uncomputed == frozenset()


# --- live Excel through xlwings ----------------------------------------------------------------------------


@pytest.mark.skipif(find_spec("xlwings") is None, reason="xlwings is not installed (pip install '.[excel]')")
def test_the_remote_engine_gives_no_formats_and_is_asked_once(monkeypatch, tmp_path):
    import copy

    from remote_payload import payload, remote_engine

    from xlperf.book.xlwings_book import XlwingsBook

    xw = remote_engine(monkeypatch)
    from xlwings.pro import _xlremote

    asked = []
    original = _xlremote.Range.number_format

    def counting(rng):
        asked.append(rng.address)
        return original.fget(rng)

    monkeypatch.setattr(_xlremote.Range, "number_format", property(counting, original.fset))
    book = xw.Book(json=copy.deepcopy(payload(formatted_book(tmp_path / "b.xlsx"))))
    try:
        live = XlwingsBook(book)
        data = live.read("附表2")
        assert data.values[1][2:4] == [1.23, 0.9911]
        assert asked == []  # reading values asks for no format
        assert data.number_format(2, 3) is None and data.number_format(2, 4) is None
        assert live.read("附表2").number_format(2, 3) is None
        assert asked == ["$C$2"]  # the engine refused once; nothing more was asked
        assert not live.formats_readable
    finally:
        book.close()
