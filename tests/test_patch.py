"""patch_cells: writing cells into the original package, everything else carried over byte for byte."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLES, example
from lxml import etree
from openpyxl.styles import Font, PatternFill

from xlperf.book.patch import CellPatch, patch_cells

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = {"m": MAIN}
CALC_CHAIN = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="{MAIN}"><c r="B2" i="1"/></calcChain>'
).encode()
CALC_CHAIN_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
CALC_CHAIN_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"


# --- helpers ---------------------------------------------------------------------------------------------


def _save(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _load(package: bytes, data_only: bool = False) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(package), data_only=data_only)


def _entries(package: bytes) -> list[tuple[str, int, bytes]]:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return [(i.filename, i.compress_type, z.read(i)) for i in z.infolist()]


def _part(package: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return z.read(name)


def _xml(package: bytes, name: str) -> etree._Element:
    return etree.fromstring(_part(package, name))


def _rewrite(package: bytes, replace: dict[str, bytes] | None = None, add: dict[str, tuple[bytes, int]] | None = None):
    """A copy of the package with some entries replaced and others appended (name → (bytes, compression))."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, replace.get(info.filename, zin.read(info)))
        for name, (data, compression) in add.items():
            zout.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return out.getvalue()


def _sheet_xml(package: bytes, index: int = 1) -> str:
    return _part(package, f"xl/worksheets/sheet{index}.xml").decode()


def _with_calc_chain(package: bytes) -> bytes:
    """Inject a minimal valid calcChain.xml with its override and relationship (openpyxl never writes one)."""
    ct = _part(package, "[Content_Types].xml").decode()
    ct = ct.replace("</Types>", f'<Override PartName="/xl/calcChain.xml" ContentType="{CALC_CHAIN_CT}"/></Types>')
    rels = _part(package, "xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>", f'<Relationship Id="rId99" Type="{CALC_CHAIN_REL}" Target="calcChain.xml"/></Relationships>'
    )
    return _rewrite(
        package,
        replace={"[Content_Types].xml": ct.encode(), "xl/_rels/workbook.xml.rels": rels.encode()},
        add={"xl/calcChain.xml": (CALC_CHAIN, zipfile.ZIP_DEFLATED)},
    )


@pytest.fixture
def simple(tmp_path: Path) -> bytes:
    """A small workbook: labels, numbers, a styled amount column, a formula, and a second sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws["A1"] = "项目"
    ws["B1"] = "金额"
    for r, amount in enumerate([10, 20.5, 30], start=2):
        ws.cell(r, 1, f"项目{r - 1}")
        ws.cell(r, 2, amount)
    ws["B5"] = "=SUM(B2:B4)"
    for ref in ("B2", "B3", "B4", "B5", "C2"):
        ws[ref].number_format = "#,##0.00"
        ws[ref].font = Font(bold=True, color="FFC00000")
        ws[ref].fill = PatternFill("solid", start_color="FFFFFF00", end_color="FFFFFF00")
    ws["C2"] = "旧值"
    wb.create_sheet("其他")["A1"] = "x"
    path = tmp_path / "simple.xlsx"
    wb.save(path)
    return path.read_bytes()


# --- values ----------------------------------------------------------------------------------------------


def test_numbers_text_bools_and_none_read_back(simple: bytes) -> None:
    edits = {
        "数据": {
            "B2": CellPatch(7),
            "B3": CellPatch(2.25),
            "B4": CellPatch(Decimal("1594.78")),
            "D1": CellPatch(True),
            "D2": CellPatch(False),
            "A2": CellPatch("新项目"),
            "C2": CellPatch(None),
            "A3": CellPatch(None),
        }
    }
    out = patch_cells(simple, edits)
    for data_only in (False, True):
        ws = _load(out, data_only)["数据"]
        assert ws["B2"].value == 7 and isinstance(ws["B2"].value, int)
        assert ws["B3"].value == 2.25
        assert ws["B4"].value == 1594.78
        assert ws["D1"].value is True
        assert ws["D2"].value is False
        assert ws["A2"].value == "新项目"
        assert ws["C2"].value is None
        assert ws["A3"].value is None
        assert ws["A4"].value == "项目3"  # untouched neighbours keep their values
    xml = _sheet_xml(out)
    assert '<c r="B4" s="1"><v>1594.78</v></c>' in xml
    assert re.search(r'<c r="C2" s="\d+"/>', xml)  # style kept, no value
    assert '<c r="A2" t="inlineStr"><is><t>新项目</t></is></c>' in xml
    assert '<c r="D1" t="b"><v>1</v></c>' in xml


def test_decimal_is_written_exactly_and_read_back(simple: bytes) -> None:
    out = patch_cells(simple, {"数据": {"B2": CellPatch(Decimal("1594.78")), "B3": CellPatch(Decimal("1.500"))}})
    xml = _sheet_xml(out)
    assert "<v>1594.78</v>" in xml and "<v>1.5</v>" in xml
    ws = _load(out, data_only=True)["数据"]
    assert ws["B2"].value == 1594.78
    assert Decimal(str(ws["B2"].value)) == Decimal("1594.78")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-05, "0.00001"),
        (2**53, "9007199254740992"),
        (1e16, "10000000000000000"),
        (1.5e-22, "1.5E-22"),
        (Decimal("1E+2"), "100"),
        (Decimal("-0.00"), "0"),
        (-3, "-3"),
    ],
)
def test_number_lexical_forms(simple: bytes, value: object, text: str) -> None:
    out = patch_cells(simple, {"数据": {"E9": CellPatch(value)}})  # type: ignore[arg-type]
    assert f'<c r="E9"><v>{text}</v></c>' in _sheet_xml(out)
    assert _load(out, data_only=True)["数据"]["E9"].value == float(value)  # type: ignore[arg-type]


def test_text_with_newlines_and_spaces_round_trips(simple: bytes) -> None:
    texts = {
        "A2": "  前导空格\n第二行\n\n  缩进的第四行  ",
        "A3": "末尾空格 ",
        "A4": "行一\r\n行二",
        "A5": "tab\tinside & <markup>",
    }
    out = patch_cells(simple, {"数据": {ref: CellPatch(t) for ref, t in texts.items()}})
    for data_only in (False, True):
        ws = _load(out, data_only)["数据"]
        for ref, text in texts.items():
            assert ws[ref].value == text, ref
    root = _xml(out, "xl/worksheets/sheet1.xml")
    preserve = "{http://www.w3.org/XML/1998/namespace}space"
    t = root.find(".//m:c[@r='A2']/m:is/m:t", NS)
    assert t.get(preserve) == "preserve"
    assert root.find(".//m:c[@r='A5']/m:is/m:t", NS).get(preserve) is None


def test_characters_xml_cannot_carry_are_escaped(simple: bytes) -> None:
    out = patch_cells(simple, {"数据": {"A2": CellPatch("a\x01b")}})
    assert "<t>a_x0001_b</t>" in _sheet_xml(out)
    _load(out)  # still well-formed


# --- formulas --------------------------------------------------------------------------------------------


def test_formulas_show_their_text_and_cached_values(simple: bytes) -> None:
    edits = {
        "数据": {
            "B5": CellPatch(Decimal("60.5"), "SUM(B2:B4)"),
            "C5": CellPatch("合计", 'IF(B5>0,"合计","")'),
            "D5": CellPatch(True, "B5>0"),
            "E5": CellPatch(None, "B5*2"),
            "F5": CellPatch("#DIV/0!", "B5/0"),
            "G5": CellPatch(3, "=1+2"),
        }
    }
    out = patch_cells(simple, edits)
    ws = _load(out)["数据"]
    assert ws["B5"].value == "=SUM(B2:B4)"
    assert ws["C5"].value == '=IF(B5>0,"合计","")'
    assert ws["D5"].value == "=B5>0"
    assert ws["E5"].value == "=B5*2"
    assert ws["G5"].value == "=1+2"
    cached = _load(out, data_only=True)["数据"]
    assert cached["B5"].value == 60.5
    assert cached["C5"].value == "合计"
    assert cached["D5"].value is True
    assert cached["E5"].value is None
    assert cached["F5"].value == "#DIV/0!"
    assert cached["G5"].value == 3
    xml = _sheet_xml(out)
    assert re.search(r'<c r="B5" s="\d+"><f>SUM\(B2:B4\)</f><v>60.5</v></c>', xml)
    assert '<c r="C5" t="str"><f>IF(B5&gt;0,"合计","")</f><v>合计</v></c>' in xml
    assert '<c r="D5" t="b"><f>B5&gt;0</f><v>1</v></c>' in xml
    assert '<c r="E5"><f>B5*2</f></c>' in xml
    assert '<c r="F5" t="e"><f>B5/0</f><v>#DIV/0!</v></c>' in xml
    assert _xml(out, "xl/workbook.xml").find("m:calcPr", NS).get("fullCalcOnLoad") == "1"


def test_formula_cell_keeps_its_style(simple: bytes) -> None:
    before = _load(simple)["数据"]["B5"]
    out = patch_cells(simple, {"数据": {"B5": CellPatch(60.5, "SUM(B2:B4)")}})
    after = _load(out)["数据"]["B5"]
    assert after.number_format == before.number_format == "#,##0.00"
    assert after.font.b and after.font.color.rgb == "FFC00000"
    assert after.fill.fgColor.rgb == "FFFFFF00"


def test_patched_cells_keep_their_styles(simple: bytes) -> None:
    original = _load(simple)["数据"]
    out = patch_cells(simple, {"数据": {"B2": CellPatch(1), "B3": CellPatch("文字"), "C2": CellPatch(None)}})
    patched = _load(out)["数据"]
    for ref in ("B2", "B3", "C2"):
        assert patched[ref].number_format == original[ref].number_format == "#,##0.00"
        for a, b in ((patched[ref].font, original[ref].font), (patched[ref].fill, original[ref].fill)):
            assert repr(a) == repr(b)
        assert patched[ref].font.b and patched[ref].font.color.rgb == "FFC00000"
        assert patched[ref].fill.fill_type == "solid" and patched[ref].fill.fgColor.rgb == "FFFFFF00"


def test_calc_chain_is_dropped_when_a_formula_is_written(simple: bytes) -> None:
    package = _with_calc_chain(simple)
    _load(package)  # the injected chain is valid enough for openpyxl
    out = patch_cells(package, {"数据": {"B6": CellPatch(61, "B5+0.5")}})
    names = [name for name, _, _ in _entries(out)]
    assert "xl/calcChain.xml" not in names
    assert b"calcChain" not in _part(out, "[Content_Types].xml")
    assert b"calcChain" not in _part(out, "xl/_rels/workbook.xml.rels")
    assert _xml(out, "xl/workbook.xml").find("m:calcPr", NS).get("fullCalcOnLoad") == "1"
    wb = _load(out)
    assert wb["数据"]["B6"].value == "=B5+0.5"
    assert _load(out, data_only=True)["数据"]["B6"].value == 61
    # Everything else is the same entry, same order, same bytes.
    changed = {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    before = [e for e in _entries(package) if e[0] != "xl/calcChain.xml"]
    after = _entries(out)
    assert [e[0] for e in before] == [e[0] for e in after]
    assert [e for e in before if e[0] not in changed] == [e for e in after if e[0] not in changed]


def test_replacing_a_formula_with_a_value_drops_the_calc_chain(simple: bytes) -> None:
    package = _with_calc_chain(simple)
    out = patch_cells(package, {"数据": {"B5": CellPatch(60.5)}})
    assert "xl/calcChain.xml" not in [name for name, _, _ in _entries(out)]
    assert _load(out)["数据"]["B5"].value == 60.5


def test_plain_values_leave_the_calc_chain_and_workbook_alone(simple: bytes) -> None:
    package = _with_calc_chain(simple)
    out = patch_cells(package, {"数据": {"A2": CellPatch("改名")}})
    before, after = _entries(package), _entries(out)
    assert [e[0] for e in before] == [e[0] for e in after]
    assert [e for e in before if e[0] != "xl/worksheets/sheet1.xml"] == [
        e for e in after if e[0] != "xl/worksheets/sheet1.xml"
    ]


@pytest.mark.parametrize("defined_names", [True, False])
def test_missing_calc_pr_is_created_where_the_schema_wants_it(simple: bytes, defined_names: bool) -> None:
    workbook = _part(simple, "xl/workbook.xml").decode()
    workbook = re.sub(r"<calcPr[^>]*/>", "", workbook)
    workbook = re.sub(r"<definedNames/>", "", workbook)
    names = "<definedNames><definedName name=\"总额\">'数据'!$B$5</definedName></definedNames>"
    workbook = workbook.replace("</sheets>", "</sheets>" + (names if defined_names else ""))
    workbook = workbook.replace("</workbook>", '<fileRecoveryPr repairLoad="1"/></workbook>')
    package = _rewrite(simple, replace={"xl/workbook.xml": workbook.encode()})
    out = patch_cells(package, {"数据": {"B5": CellPatch(60.5, "SUM(B2:B4)")}})
    children = [etree.QName(el).localname for el in _xml(out, "xl/workbook.xml")]
    anchor = "definedNames" if defined_names else "sheets"
    assert children[children.index(anchor) + 1] == "calcPr"
    assert children[-1] == "fileRecoveryPr"
    _load(out)


def test_shared_formula_master_is_refused(simple: bytes) -> None:
    xml = _sheet_xml(simple)
    xml = re.sub(
        r'(<row r="3"[^>]*>.*?)(</row>)', r'\1<c r="C3"><f t="shared" ref="C3:C4" si="0">B3*2</f><v>41</v></c>\2', xml
    )
    xml = re.sub(r'(<row r="4"[^>]*>.*?)(</row>)', r'\1<c r="C4"><f t="shared" si="0"/><v>60</v></c>\2', xml)
    package = _rewrite(simple, replace={"xl/worksheets/sheet1.xml": xml.encode()})
    assert _load(package)["数据"]["C4"].value == "=B4*2"
    with pytest.raises(ValueError, match="shared formula"):
        patch_cells(package, {"数据": {"C3": CellPatch(1)}})
    # A dependent of the group can be replaced: the master still describes the rest.
    out = patch_cells(package, {"数据": {"C4": CellPatch(5)}})
    assert _load(out)["数据"]["C3"].value == "=B3*2"
    assert _load(out)["数据"]["C4"].value == 5


def test_part_of_an_array_formula_is_refused(simple: bytes) -> None:
    xml = _sheet_xml(simple)
    xml = re.sub(
        r'(<row r="3"[^>]*>.*?)(</row>)', r'\1<c r="E3"><f t="array" ref="E3:E4">B3:B4*2</f><v>41</v></c>\2', xml
    )
    xml = re.sub(r'(<row r="4"[^>]*>.*?)(</row>)', r'\1<c r="E4"><v>60</v></c>\2', xml)
    package = _rewrite(simple, replace={"xl/worksheets/sheet1.xml": xml.encode()})
    for ref in ("E3", "E4"):
        with pytest.raises(ValueError, match="array formula"):
            patch_cells(package, {"数据": {ref: CellPatch(1)}})


# --- structure -------------------------------------------------------------------------------------------


def test_new_rows_and_cells_are_inserted_in_order_in_a_sparse_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "稀疏"
    ws["B2"] = "b2"
    ws["D2"] = "d2"
    ws["C5"] = "c5"
    ws["A9"] = "a9"
    package = _save(wb)
    assert _xml(package, "xl/worksheets/sheet1.xml").find("m:dimension", NS).get("ref") == "A2:D9"
    cells = {"C2": 3, "A2": 1, "F2": 6, "B7": "b7", "H12": 8, "A1": "a1"}
    edits = {"稀疏": {ref: CellPatch(v) for ref, v in cells.items()}}
    out = patch_cells(package, edits)
    root = _xml(out, "xl/worksheets/sheet1.xml")
    rows = root.findall("m:sheetData/m:row", NS)
    assert [r.get("r") for r in rows] == ["1", "2", "5", "7", "9", "12"]
    row2 = rows[1]
    assert [c.get("r") for c in row2.findall("m:c", NS)] == ["A2", "B2", "C2", "D2", "F2"]
    assert root.find("m:dimension", NS).get("ref") == "A1:H12"
    ws = _load(out)["稀疏"]
    expected = {"A1": "a1", "A2": 1, "B2": "b2", "C2": 3, "D2": "d2", "F2": 6, "C5": "c5", "B7": "b7", "A9": "a9"}
    for ref, value in expected.items():
        assert ws[ref].value == value, ref
    assert ws["H12"].value == 8


def test_rows_and_cells_without_r_keep_their_positions(simple: bytes) -> None:
    xml = _sheet_xml(simple)
    # Drop r from row 3 and 4 and from their cells: they follow row 2 and each other implicitly.
    xml = re.sub(r'<row r="(3|4)"', "<row", xml)
    xml = re.sub(r'<c r="[A-Z]+(3|4)"', "<c", xml)
    package = _rewrite(simple, replace={"xl/worksheets/sheet1.xml": xml.encode()})
    assert _load(package)["数据"]["B4"].value == 30
    out = patch_cells(package, {"数据": {"A3": CellPatch("改"), "C6": CellPatch(1)}})
    ws = _load(out)["数据"]
    assert ws["A3"].value == "改"
    assert ws["B3"].value == 20.5
    assert ws["A4"].value == "项目3" and ws["B4"].value == 30
    assert ws["C6"].value == 1


def test_namespace_prefixes_and_ignorable_markup_survive(simple: bytes) -> None:
    xml = _sheet_xml(simple)
    xml = xml.replace(
        f'<worksheet xmlns="{MAIN}"',
        f'<worksheet xmlns="{MAIN}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac"',
        1,
    )
    xml = xml.replace('<row r="2"', '<row r="2" spans="1:3" x14ac:dyDescent="0.25"', 1)
    package = _rewrite(simple, replace={"xl/worksheets/sheet1.xml": xml.encode()})
    out = patch_cells(package, {"数据": {"F2": CellPatch(1)}})
    text = _sheet_xml(out)
    assert 'mc:Ignorable="x14ac"' in text
    assert '<row r="2" spans="1:6" x14ac:dyDescent="0.25">' in text
    _load(out)


def test_relative_targets_and_stored_entries(simple: bytes) -> None:
    rels = _part(simple, "xl/_rels/workbook.xml.rels").decode().replace('Target="/xl/', 'Target="')
    package = _rewrite(
        simple,
        replace={"xl/_rels/workbook.xml.rels": rels.encode()},
        add={
            "xl/media/image1.png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), zipfile.ZIP_STORED),
            "xl/vbaProject.bin": (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, zipfile.ZIP_DEFLATED),
        },
    )
    out = patch_cells(package, {"其他": {"A1": CellPatch("y")}})
    assert _load(out)["其他"]["A1"].value == "y"
    before, after = _entries(package), _entries(out)
    assert [e[0] for e in before] == [e[0] for e in after]
    assert [e for e in before if e[0] != "xl/worksheets/sheet2.xml"] == [
        e for e in after if e[0] != "xl/worksheets/sheet2.xml"
    ]
    assert dict((n, c) for n, c, _ in after)["xl/media/image1.png"] == zipfile.ZIP_STORED


# --- the example workbooks -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.xlsx")), ids=lambda p: p.name[:7])
def test_examples_untouched_entries_are_byte_identical(path: Path) -> None:
    package = path.read_bytes()
    first = _load(package).sheetnames[0]
    out = patch_cells(package, {first: {"A1": CellPatch("标题"), "Z200": CellPatch(1, "1+0")}})
    before, after = _entries(package), _entries(out)
    assert [(n, c) for n, c, _ in before] == [(n, c) for n, c, _ in after]
    changed = {n for (n, _, b), (_, _, a) in zip(before, after, strict=True) if a != b}
    assert changed == {"xl/worksheets/sheet1.xml", "xl/workbook.xml"}
    ws = _load(out)[first]
    assert ws["A1"].value == "标题" and ws["Z200"].value == "=1+0"
    assert _load(out, data_only=True)[first]["Z200"].value == 1


def test_sheet_name_with_chinese_and_spaces() -> None:
    package = example("000").read_bytes()
    original = _load(package, data_only=True)["附表3 (2)"]
    b5 = original["B5"].value
    out = patch_cells(
        package,
        {"附表3 (2)": {"B5": CellPatch(Decimal("1594.78")), "E5": CellPatch(Decimal("1594.78"), "B5")}},
    )
    wb = _load(out, data_only=True)
    assert wb["附表3 (2)"]["B5"].value == 1594.78 != b5
    assert wb["附表3 (2)"]["E5"].value == 1594.78
    assert _load(out)["附表3 (2)"]["E5"].value == "=B5"
    assert wb["附表3"]["B5"].value == _load(package, data_only=True)["附表3"]["B5"].value
    changed = {n for (n, _, b), (_, _, a) in zip(_entries(package), _entries(out), strict=True) if a != b}
    assert changed == {"xl/worksheets/sheet4.xml", "xl/workbook.xml"}


def test_the_book_reader_sees_the_patched_values(tmp_path: Path) -> None:
    from xlperf.book import open_book

    out = patch_cells(example("000").read_bytes(), {"附表3": {"B5": CellPatch(Decimal("14.88"))}})
    path = tmp_path / "patched.xlsx"
    path.write_bytes(out)
    assert open_book(path).read("附表3").values[4][1] == 14.88


# --- errors ----------------------------------------------------------------------------------------------


def test_unknown_sheet_is_a_key_error(simple: bytes) -> None:
    with pytest.raises(KeyError, match="不存在的表"):
        patch_cells(simple, {"不存在的表": {"A1": CellPatch(1)}})


@pytest.mark.parametrize(
    ("patch", "ref", "error"),
    [
        (CellPatch(float("nan")), "A1", ValueError),
        (CellPatch(Decimal("Infinity")), "A1", ValueError),
        (CellPatch(1), "1A", ValueError),
        (CellPatch(1), "XFE1", ValueError),
        (CellPatch(1), "A0", ValueError),
        (CellPatch(1, ""), "A1", ValueError),
        (CellPatch(object()), "A1", TypeError),  # type: ignore[arg-type]
    ],
)
def test_bad_edits_are_refused(simple: bytes, patch: CellPatch, ref: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        patch_cells(simple, {"数据": {ref: patch}})


def test_no_edits_returns_the_package_unchanged(simple: bytes) -> None:
    assert patch_cells(simple, {}) == simple
    assert patch_cells(simple, {"数据": {}}) == simple
