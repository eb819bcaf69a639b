"""``xlperf check FILE --output COPY`` writes the annotated copy into the original package: every finding's
cell filled and noted, a 校验结果 sheet, and nothing else of the workbook lost or changed — charts, pictures,
VBA, existing notes and form controls stay byte for byte (xlperf/book/package_marks.py)."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import example
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from xlperf.annotate import FILL, RESULT_SHEET, WIDTHS, marks, result_rows
from xlperf.book.package_marks import ResultSheet, mark_package
from xlperf.book.patch import sheet_parts
from xlperf.checks import check_model
from xlperf.cli import main
from xlperf.forms import read_file
from xlperf.report import Report
from xlperf.rules import title_of
from xlperf.templates import libreoffice as lo

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
# The parts the annotated copy may change besides the marked sheets, their rels and their notes.
WORKBOOK_PARTS = {"xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}


def check(path: Path) -> Report:
    return check_model(read_file(str(path)))


def annotate_file(src: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(src), "--output", str(out)])
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    assert f"已写出带标注的副本：{out}" in captured.out


def load(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about parts it does not read (VML of controls …)
        return load_workbook(path)


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (grey pixels), made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class Png(Image):
    """An openpyxl image from PNG bytes (openpyxl's own Image needs Pillow to read the size)."""

    def __init__(self, data: bytes, width: int, height: int) -> None:
        self.ref = io.BytesIO(data)
        self.data = data
        self.width, self.height = width, height
        self.format = "png"

    def _data(self) -> bytes:
        return self.data


# --- what a correct copy is ------------------------------------------------------------------------------


def rels_targets(z: zipfile.ZipFile, part: str) -> set[str]:
    """The parts a part's relationships point at."""
    folder, name = part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in z.namelist():
        return set()
    out = set()
    for rel in etree.fromstring(z.read(rels)).iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("TargetMode") != "External":
            target = rel.get("Target")
            path = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
            parts: list[str] = []
            for piece in path.split("/"):
                if piece == "..":
                    parts.pop()
                elif piece not in ("", "."):
                    parts.append(piece)
            out.add("/".join(parts))
    return out


def c14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n")


def cells(xml: bytes) -> dict[str, etree._Element]:
    return {c.get("r"): c for c in etree.fromstring(xml).iter(f"{{{NS}}}c")}


def assert_only_the_marks_changed(src: Path, out: Path, report: Report) -> None:
    marked = marks(report)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        before, after = a.namelist(), b.namelist()
        assert after[: len(before)] == before  # same entries in the same order, new ones at the end
        parts = sheet_parts(a)
        touched = {parts[sheet] for sheet, _ in marked}
        may_change = set(WORKBOOK_PARTS)
        for part in touched:
            folder, name = part.rsplit("/", 1)
            may_change |= {part, f"{folder}/_rels/{name}.rels"}
            may_change |= {t for t in rels_targets(a, part) if "comments" in t or t.endswith(".vml")}
        for info in a.infolist():
            assert b.getinfo(info.filename).compress_type == info.compress_type, info.filename
            if info.filename not in may_change:
                assert b.read(info.filename) == a.read(info.filename), f"{info.filename} changed"
        for name in set(after) - set(before):  # new parts: notes of the marked sheets, the result sheet
            assert name.startswith(("xl/comments", "xl/drawings/vmlDrawing", "xl/worksheets/")), name

        for part in touched:
            old, new = a.read(part), b.read(part)
            old_cells, new_cells = cells(old), cells(new)
            refs = {cell for sheet, cell in marked if parts[sheet] == part}
            for ref, cell in old_cells.items():
                if ref in refs:
                    was, now = dict(cell.attrib), dict(new_cells[ref].attrib)
                    assert now.pop("s") != was.pop("s", "0") and now == was, ref  # only s differs
                    assert [c14n(c) for c in cell] == [c14n(c) for c in new_cells[ref]], ref
                else:
                    assert c14n(new_cells[ref]) == c14n(cell), ref
            for ref in set(new_cells) - set(old_cells):  # an empty cell that was marked
                assert ref in refs and set(new_cells[ref].attrib) == {"r", "s"} and len(new_cells[ref]) == 0
            # everything of the sheet outside sheetData is as it was, plus a legacyDrawing for new notes
            old_root, new_root = etree.fromstring(old), etree.fromstring(new)
            kept = [c14n(c) for c in old_root if etree.QName(c).localname not in ("sheetData", "dimension")]
            now = [
                c14n(c)
                for c in new_root
                if etree.QName(c).localname not in ("sheetData", "dimension")
                and not (
                    etree.QName(c).localname == "legacyDrawing" and old_root.find(f"{{{NS}}}legacyDrawing") is None
                )
            ]
            assert now == kept


def assert_marked_and_listed(out: Path, report: Report, user_notes: dict[tuple[str, str], str] | None = None) -> None:
    user_notes = user_notes or {}
    wb = load(out)
    for (sheet, ref), (fill, _) in marks(report).items():
        cell = wb[sheet][ref]
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == "FF" + fill, (sheet, ref)
        assert cell.comment is not None, (sheet, ref)
        if (sheet, ref) in user_notes:
            assert cell.comment.text == user_notes[sheet, ref]  # the user's note is kept as it was
        else:
            assert cell.comment.author == "xlperf"
            for f in report.findings:
                if (f.sheet, f.cell) == (sheet, ref):
                    assert f"{f.code} {title_of(f.code)}：{f.message}" in cell.comment.text

    assert wb.sheetnames[-1] == RESULT_SHEET
    ws = wb[RESULT_SHEET]
    rows, links = result_rows(report)
    assert [[c.value for c in row] for row in ws.iter_rows()] == [[v if v != "" else None for v in r] for r in rows]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert [ws.column_dimensions[chr(65 + i)].width for i in range(len(WIDTHS))] == list(WIDTHS)
    for (r, c), target in links.items():
        cell = ws.cell(r, c)
        assert cell.hyperlink.location == target and cell.font.u == "single"
        sheet, ref = target.rsplit("!", 1)
        assert sheet.startswith("'") and sheet[1:-1].replace("''", "'") in wb.sheetnames  # the link goes somewhere
        assert ref == cell.value
    for row in ws.iter_rows(min_row=2):
        assert all(c.data_type != "f" for c in row)  # report text is never a formula

    calamine = CalamineWorkbook.from_path(str(out))
    assert calamine.sheet_names == wb.sheetnames
    table = calamine.get_sheet_by_name(RESULT_SHEET).to_python()
    assert table[0][2:4] == ["代码", "规则名称"]
    codes = [row[2] for row in table[1:]]
    assert codes == [f.code for f in report.findings] or (not report.findings and codes == [""])
    assert [row[3] for row in table[1:]] == [title_of(f.code) for f in report.findings] or not report.findings


# --- the examples ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_the_examples_are_annotated_in_their_own_package(seed, tmp_path, capsys):
    src = example(seed)
    out = tmp_path / "已标注.xlsx"
    annotate_file(src, out, capsys)
    report = check(src)
    assert report.findings
    assert_only_the_marks_changed(src, out, report)
    assert_marked_and_listed(out, report)
    assert check(out).findings == report.findings  # 校验结果 is not a form; the marks change no value


def test_annotating_an_annotated_copy_again_replaces_its_result_sheet(tmp_path, capsys):
    first, second = tmp_path / "一.xlsx", tmp_path / "二.xlsx"
    annotate_file(example("001"), first, capsys)
    annotate_file(first, second, capsys)
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert b.namelist() == a.namelist()  # the same part holds 校验结果; no second set of notes
        for name in a.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                assert a.read(name) == b.read(name), name  # styles, notes, workbook: nothing added twice
    wb = load(second)
    assert wb.sheetnames.count(RESULT_SHEET) == 1
    assert_marked_and_listed(second, check(example("001")))


def test_an_old_xlperf_note_gets_the_new_message_and_an_old_result_sheet_loses_its_notes(tmp_path, capsys):
    first = tmp_path / "一.xlsx"
    annotate_file(example("001"), first, capsys)
    # the copy as Excel would keep it: saved again, with an outdated xlperf note and a note on 校验结果
    wb = load_workbook(first)
    sheet, ref = next(iter(marks(check(example("001")))))
    wb[sheet][ref].comment = Comment("[错误] 旧的说明", "xlperf")
    wb[RESULT_SHEET]["A1"].comment = Comment("看过了", "张三")
    edited = tmp_path / "二.xlsx"
    wb.save(edited)
    out = tmp_path / "三.xlsx"
    annotate_file(edited, out, capsys)
    report = check(edited)
    assert_marked_and_listed(out, report)  # the xlperf note holds the current messages again
    wb = load(out)
    assert wb.sheetnames == load(edited).sheetnames and wb[RESULT_SHEET]["A1"].comment is None
    with zipfile.ZipFile(edited) as a, zipfile.ZipFile(out) as b:
        result_part = sheet_parts(a)[RESULT_SHEET]
        assert sheet_parts(b)[RESULT_SHEET] == result_part  # the same part, rewritten
        gone = rels_targets(a, result_part)
        assert gone and not gone & set(b.namelist())  # its old notes went with it, nothing left dangling
        reachable = {t for name in b.namelist() if "/" in name and "_rels" not in name for t in rels_targets(b, name)}
        parts = {n for n in b.namelist() if n.startswith("xl/") and "_rels" not in n}
        assert parts <= reachable | {"xl/workbook.xml"}  # the workbook is reached from the package root


# --- charts, pictures, notes, macros and controls survive ------------------------------------------------


@pytest.fixture
def rich(tmp_path) -> tuple[Path, dict[tuple[str, str], str]]:
    """Seed 001 with a chart, a picture, a print area and notes, one of them on a cell xlperf marks."""
    src = example("001")
    first_marked = next(iter(marks(check(src))))
    wb = load_workbook(src)
    sheet, ref = first_marked
    ws = wb[sheet]
    ws[ref].comment = Comment("这个数已与财务核对", "张三")
    ws["K1"].comment = Comment("备注：待复核", "张三")
    wb["附件2"]["A1"].comment = Comment("另一张表的批注", "李四")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=4, max_col=6, max_row=5), titles_from_data=True)
    ws.add_chart(chart, "K3")
    ws.add_image(Png(png(), 4, 3), "K20")
    ws.print_area = "A1:I32"
    path = tmp_path / "带图表和批注.xlsx"
    wb.save(path)
    return path, {first_marked: "这个数已与财务核对"}


def test_charts_pictures_and_existing_notes_survive(rich, tmp_path, capsys):
    src, user_notes = rich
    out = tmp_path / "已标注.xlsx"
    annotate_file(src, out, capsys)
    report = check(src)
    assert_only_the_marks_changed(src, out, report)
    assert_marked_and_listed(out, report, user_notes)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        kept = [n for n in a.namelist() if n.startswith(("xl/charts/", "xl/media/", "xl/drawings/drawing"))]
        assert any(n.startswith("xl/charts/") for n in kept) and any(n.startswith("xl/media/") for n in kept)
        for name in kept:
            assert b.read(name) == a.read(name), name
        # the workbook's defined names (the print area, sheet-scoped by position) are untouched
        names = [etree.fromstring(z.read("xl/workbook.xml")).find(f"{{{NS}}}definedNames") for z in (a, b)]
        assert c14n(names[0]) == c14n(names[1]) and b"localSheetId" in c14n(names[0])
        # the notes were added to the sheet's existing comments and VML drawing: one shape per note
        parts = sheet_parts(b)
        targets = rels_targets(b, parts[next(iter(user_notes))[0]])
        comments = next(t for t in targets if "comment" in t and t.endswith(".xml"))
        vml = next(t for t in targets if t.endswith(".vml"))
        count = len(etree.fromstring(b.read(comments)).findall(f".//{{{NS}}}comment"))
        shapes = etree.fromstring(b.read(vml)).findall(".//{urn:schemas-microsoft-com:vml}shape")
        assert count == len(shapes) == len(marks(report)) + 1  # ours, the user's on a marked cell, K1
        ids = [s.get("id") for s in shapes]
        assert len(set(ids)) == len(ids)
    wb = load(out)
    assert wb["附件2"]["A1"].comment.text == "另一张表的批注"
    assert wb[next(iter(user_notes))[0]]["K1"].comment.text == "备注：待复核"
    assert check(out).findings == report.findings


def test_notes_are_skipped_where_the_drawing_is_not_well_formed(rich, tmp_path, capsys):
    src, _ = rich
    broken = tmp_path / "vml.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".vml") and b"<div" in data:
                data = data.replace(b"</xml>", b"<v:shape><br></v:shape></xml>")  # HTML-ish VML, as Excel can
            zout.writestr(info, data)
    out = tmp_path / "已标注.xlsx"
    annotate_file(broken, out, capsys)
    report = check(broken)
    with zipfile.ZipFile(broken) as a, zipfile.ZipFile(out) as b:
        for name in a.namelist():
            if name.endswith(".vml") or "comments" in name:
                assert b.read(name) == a.read(name), name
    wb = load(out)
    for (sheet, ref), (fill, _) in marks(report).items():
        assert wb[sheet][ref].fill.fgColor.rgb == "FF" + fill  # the fills are there all the same


def test_a_macro_enabled_workbook_keeps_its_vba_project(tmp_path, capsys):
    pyopenvba = pytest.importorskip("pyopenvba")
    src = tmp_path / "带宏.xlsm"
    src.write_bytes(example("001").read_bytes())
    with pyopenvba.ExcelFile(src) as book:
        project = book.add_vba_project()
        project.add_module("Module1", 'Sub Hello()\r\n    MsgBox "你好"\r\nEnd Sub\r\n')
        book.save()
    out = tmp_path / "已标注.xlsm"
    annotate_file(src, out, capsys)
    report = check(src)
    assert_only_the_marks_changed(src, out, report)
    assert_marked_and_listed(out, report)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert b.read("xl/vbaProject.bin") == a.read("xl/vbaProject.bin")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(out, keep_vba=True)
    assert "xl/vbaProject.bin" in wb.vba_archive.namelist()
    wb.vba_archive.close()


CHECKBOX_VML = (
    b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
    b'data="1"/></o:shapelayout><v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" '
    b'path="m,l,21600r21600,l21600,xe"/><v:shape id="_x0000_s1025" type="#_x0000_t201" '
    b'style="position:absolute;margin-left:400pt;margin-top:10pt;width:80pt;height:18pt;z-index:1">'
    b'<x:ClientData ObjectType="Checkbox"><x:Anchor>10, 0, 1, 0, 12, 0, 2, 0</x:Anchor>'
    b"<x:AutoFill>False</x:AutoFill><x:Checked>1</x:Checked></x:ClientData></v:shape></xml>"
)


def test_a_sheet_with_form_controls_keeps_its_drawing_and_gets_fills_only(tmp_path, capsys):
    src = tmp_path / "带控件.xlsx"
    with zipfile.ZipFile(example("001")) as zin, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":  # 附件3, where the findings are
                data = data.replace(
                    b"</worksheet>",
                    b'<legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships" r:id="rId1"/></worksheet>',
                )
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"<Default ",
                    b'<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.'
                    b'vmlDrawing"/><Default ',
                    1,
                )
            zout.writestr(info, data)
        zout.writestr("xl/drawings/vmlDrawing1.vml", CHECKBOX_VML)
        zout.writestr(
            "xl/worksheets/_rels/sheet2.xml.rels",
            f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/></Relationships>',
        )
    out = tmp_path / "已标注.xlsx"
    annotate_file(src, out, capsys)
    report = check(src)
    assert_only_the_marks_changed(src, out, report)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        for name in ("xl/drawings/vmlDrawing1.vml", "xl/worksheets/_rels/sheet2.xml.rels"):
            assert b.read(name) == a.read(name), name
        assert not [n for n in b.namelist() if "comments" in n]
    wb = load(out)
    for (sheet, ref), (fill, _) in marks(report).items():
        assert wb[sheet][ref].fill.fgColor.rgb == "FF" + fill and wb[sheet][ref].comment is None
    assert [[c.value for c in r] for r in wb[RESULT_SHEET].iter_rows(max_row=1)] == [result_rows(report)[0][0]]


# --- the parts of the module -----------------------------------------------------------------------------


def test_an_empty_marked_cell_starts_from_its_row_or_column_style(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws["A1"] = "标题"
    ws.column_dimensions["D"].font = Font(italic=True)
    ws.row_dimensions[5].font = Font(bold=True)
    ws["C5"] = 1
    buf = io.BytesIO()
    wb.save(buf)
    package = buf.getvalue()
    marked = {
        ("表", "D3"): (FILL["error"], "列"),
        ("表", "B5"): (FILL["warning"], "行"),
        ("表", "Z9"): (FILL["hint"], None),
    }
    out = load_workbook(io.BytesIO(mark_package(package, marked)))["表"]
    assert out["D3"].font.i and out["D3"].fill.fgColor.rgb == "FFFFC7CE" and out["D3"].comment.text == "列"
    assert out["B5"].font.b and out["B5"].fill.fgColor.rgb == "FFFFEB9C" and out["B5"].comment.text == "行"
    assert not out["Z9"].font.b and out["Z9"].fill.fgColor.rgb == "FFDDEBF7" and out["Z9"].comment is None
    assert out["C5"].value == 1 and out["A1"].value == "标题"
    with zipfile.ZipFile(io.BytesIO(mark_package(package, marked))) as z:
        rows = etree.fromstring(z.read(sheet_parts(z)["表"])).iter(f"{{{NS}}}row")
        numbers = [int(r.get("r")) for r in rows]
        assert numbers == sorted(numbers) and {3, 5, 9} <= set(numbers)


def test_report_text_is_written_as_text_never_as_a_formula():
    wb = Workbook()
    wb.active.title = "表"
    buf = io.BytesIO()
    wb.save(buf)
    hostile = ['=HYPERLINK("http://example.invalid","点击")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)"]
    result = ResultSheet(RESULT_SHEET, [["说明"], *[[text] for text in hostile]], {(2, 1): "'表'!A1"})
    package = mark_package(buf.getvalue(), {}, result)
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        xml = z.read(sheet_parts(z)[RESULT_SHEET])
    assert b"<f>" not in xml and b"<f " not in xml
    ws = load_workbook(io.BytesIO(package))[RESULT_SHEET]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == hostile
    assert all(ws.cell(r, 1).data_type == "s" for r in range(2, 6))


# --- a second program ------------------------------------------------------------------------------------


@pytest.mark.skipif(lo.soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_annotated_copy(rich, tmp_path, capsys):
    src, user_notes = rich
    out = tmp_path / "已标注.xlsx"
    annotate_file(src, out, capsys)
    report = check(src)
    (converted,) = lo.convert([out], tmp_path / "lo", "xlsx")
    wb = load(converted)
    assert wb.sheetnames == load(out).sheetnames
    for (sheet, ref), (fill, _) in marks(report).items():
        cell = wb[sheet][ref]
        assert cell.fill.fgColor.rgb == "FF" + fill
        assert cell.comment is not None
        if (sheet, ref) not in user_notes:
            assert any(f.code in cell.comment.text for f in report.findings if (f.sheet, f.cell) == (sheet, ref))
    with zipfile.ZipFile(converted) as z:
        names = z.namelist()
    assert any(n.startswith("xl/charts/") for n in names) and any(n.startswith("xl/media/") for n in names)
