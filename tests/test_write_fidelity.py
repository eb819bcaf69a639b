"""Every write path changes only the cells it means to change (docs/fidelity.md).

Each write runs through ``xlperf.cli.main`` (or, for the Excel host, xlwings' remote engine) on every
workbook it applies to — the five examples, the five templates, every workbook of the recalculation corpus,
a workbook holding a chart, a picture, notes, drop-downs, conditional formats, defined names, print settings,
a hidden sheet and an external link, and the same as .xlsm with a VBA project — and the output is compared
with the input by ``fidelity.compare_packages`` (part by part) or ``fidelity.compare_workbooks`` (through
openpyxl, for the one write that rewrites the whole workbook), allowing only what the operation reported.

fill and score run on copies of the examples whose totals and scores were emptied (else they have nothing
to write); recalc runs on the filled examples (whose totals are formulas).
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, example
from fidelity import Allowed, compare_packages, compare_workbooks
from lxml import etree
from openpyxl.drawing.image import Image
from openpyxl.workbook.defined_name import DefinedName

from xlperf.cli import main

TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xlsx"))
CORPUS = ROOT.parent / "shared" / "corpus" / "recalc"
CORPUS_FILES = sorted(CORPUS.glob("*.xlsx")) if CORPUS.is_dir() else []
NO_CORPUS = pytest.param(
    "corpus",
    marks=pytest.mark.skip(reason="the recalculation corpus (../shared/corpus/recalc) is absent in this checkout"),
)

SEEDS = ["000", "001", "002", "003", "004"]
BUILT = ["rich", "rich-plain", "xlsm"]  # made by the fixtures below
FORMS = [f"seed{s}" for s in SEEDS] + [f"template:{p.stem}" for p in TEMPLATES] + BUILT
CORPUS_IDS = [f"corpus:{p.stem}" for p in CORPUS_FILES] or [NO_CORPUS]
SELF_EVAL = ["seed001"] + [f"template:{p.stem}" for p in TEMPLATES if "自评" in p.stem]
SPECIAL_FUNDS = ["seed000", "template:专项资金绩效目标表", "rich-plain"]

RESULT_SHEET = "校验结果"
# What check --output may add: the 校验结果 sheet, notes (comments, their VML drawing) and relationships.
CHECK_PARTS = (
    r"xl/worksheets/sheet\d+\.xml",
    r"xl/worksheets/_rels/sheet\d+\.xml\.rels",
    r"xl/comments\d*\.xml",
    r"xl/comments/comment\d+\.xml",
    r"xl/drawings/vmlDrawing\d+\.vml",
    r"xl/drawings/commentsDrawing\d+\.vml",
)
PNG = bytes.fromhex(  # a 1×1 transparent PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4b80000000049454e44ae426082"
)


def xlperf(*argv: Any) -> tuple[int, str, str]:
    """Run the command in process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def explain(problems: list[str]) -> str:
    return "the write changed more than it reported:\n  " + "\n  ".join(problems)


# --- inputs ------------------------------------------------------------------------------------------------


def blank_cells(package: bytes, cells: set[tuple[str, str]]) -> bytes:
    """The package with the given cells emptied (value, formula and type removed, style kept); every other
    part copied as it is. Written here, not with xlperf's patcher, so that the inputs owe nothing to it."""
    from fidelity import Package

    pkg = Package(package)
    by_part: dict[str, set[str]] = {}
    for sheet, ref in cells:
        by_part.setdefault(pkg.sheet_part(sheet) or "", set()).add(ref)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in pkg.zip.infolist():
            data = pkg.read(info.filename)
            refs = by_part.get(info.filename)
            if refs:
                root = etree.fromstring(data)
                for c in root.iter("{*}c"):
                    if c.get("r") in refs:
                        for child in list(c):
                            c.remove(child)
                        for attr in ("t", "cm", "vm"):
                            c.attrib.pop(attr, None)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            z.writestr(info, data)
    return out.getvalue()


def computed_cells(path: Path) -> set[tuple[str, str]]:
    """The totals fill computes and the scores score computes, where the workbook holds a number."""
    from xlperf.forms import read_file
    from xlperf.totals import totals_of

    model = read_file(str(path))
    fields = [t.total for t in totals_of(model)]
    for ev in model.of_kind("self_eval"):
        fields += [ev.rate, ev.rate_score, ev.total_score]
        if ev.indicators:
            fields += [i.score for i in ev.indicators.filled]
    return {(f.sheet, f.cell) for f in fields if f.cell and f.value is not None and not isinstance(f.raw, str)}


def _rich_workbook(src: Path, plain: Path, rich: Path) -> None:
    """seed 000 with what a real workbook carries: notes, drop-downs, conditional formats, defined names,
    print settings, a hidden sheet, an external link, a taller and a hidden row; ``rich`` adds a chart and a
    picture. Several of them sit below 附表2's last direction row, where add-direction inserts its row."""
    import warnings

    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from xlperf.checks import check_model
    from xlperf.forms import read_file

    first = next(f for f in check_model(read_file(str(src))).findings if f.sheet and f.cell)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(src)
    dept, summary, direction = wb["部门整体支出绩效目标表"], wb["附表2"], wb["附表3"]
    summary["A19"].comment = Comment("负责人签字后扫描上传", "张三")
    dept["A1"].comment = Comment("按财政局 2023 年格式", "李四")
    wb[first.sheet][first.cell].comment = Comment("原有批注：已与财务核对", "王五")

    amounts = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", showErrorMessage=True)
    amounts.add("C6:C17")
    phone = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="20", prompt="联系电话")
    phone.add("E19")
    summary.add_data_validation(amounts)
    summary.add_data_validation(phone)
    signer = DataValidation(type="list", formula1="'附表2'!$A$19:$E$19")
    signer.add("H1")
    direction.add_data_validation(signer)

    red = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
    summary.conditional_formatting.add("C6:C17", CellIsRule(operator="greaterThan", formula=["$C$5"], fill=red))
    summary.conditional_formatting.add("A19:E19", FormulaRule(formula=["LEN($C$19)>0"], fill=red))

    wb.defined_names["专项合计"] = DefinedName("专项合计", attr_text="'附表2'!$C$5")
    wb.defined_names["签字行"] = DefinedName("签字行", attr_text="'附表2'!$A$19:$E$19")
    summary.defined_names["明细金额"] = DefinedName("明细金额", attr_text="'附表2'!$C$6:$C$17")

    summary.print_area = "A1:E19"
    summary.print_title_rows = "1:4"
    summary.page_setup.orientation = "landscape"
    summary.page_setup.paperSize = summary.PAPERSIZE_A4
    summary.page_setup.fitToWidth = 1
    summary.sheet_properties.pageSetUpPr.fitToPage = True
    summary.page_margins.left = summary.page_margins.right = 0.5
    summary.print_options.horizontalCentered = True
    summary.oddFooter.center.text = "第 &P 页，共 &N 页"
    dept.page_setup.orientation = "portrait"
    dept.oddHeader.right.text = "&D"
    summary.freeze_panes = "A5"
    summary.row_dimensions[19].height = 30
    summary["A21"] = "内部备注：不打印"
    summary.row_dimensions[21].hidden = True

    summary["E19"].hyperlink = "https://www.mof.gov.cn/"
    dept["A2"].hyperlink = "https://www.mof.gov.cn/zhengwuxinxi/"

    hidden = wb.create_sheet("参数")
    hidden["A1"], hidden["B1"] = "填表人", "='附表2'!C19"
    hidden["A2"], hidden["B2"] = "明细合计", "=SUM('附表2'!C6:C17)"
    hidden.sheet_state = "hidden"
    wb.save(plain)
    _excel_part_names(plain)

    chart = BarChart()
    chart.title = "各支出方向金额"
    chart.add_data(Reference(summary, min_col=3, min_row=6, max_row=17))
    chart.set_categories(Reference(summary, min_col=2, min_row=6, max_row=17))
    summary.add_chart(chart, "G4")
    dept.add_image(_Png(), "H2")
    wb.save(rich)


class _Png(Image):
    """A picture openpyxl writes without Pillow: the bytes of a 1×1 PNG."""

    def __init__(self) -> None:
        self.ref, self.width, self.height, self.format = None, 20, 20, "png"

    def _data(self) -> bytes:
        return PNG


def _excel_part_names(path: Path) -> None:
    """Name the notes' parts as Excel does (xl/comments1.xml, xl/drawings/vmlDrawing1.vml) rather than as
    openpyxl does (xl/comments/comment1.xml, xl/drawings/commentsDrawing1.vml): add-direction's list of the
    parts openpyxl carries (xlperf/book/carry.py) knows Excel's names only, and refuses openpyxl's."""
    renames = {}
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    for name in parts:
        if m := re.fullmatch(r"xl/comments/comment(\d+)\.xml", name):
            renames[name] = f"xl/comments{m.group(1)}.xml"
        elif m := re.fullmatch(r"xl/drawings/commentsDrawing(\d+)\.vml", name):
            renames[name] = f"xl/drawings/vmlDrawing{m.group(1)}.vml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name.endswith(".rels") or name == "[Content_Types].xml":
                for old, new in renames.items():
                    data = data.replace(old.encode(), new.encode())
            z.writestr(renames.get(name, name), data)


def _with_vba(src: Path, out: Path) -> None:
    """``src`` as a macro-enabled workbook with a VBA project (written by pyOpenVBA, as the add-in is)."""
    pyopenvba = pytest.importorskip("pyopenvba", reason="pyOpenVBA (the [test] extra) writes the VBA project")
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            o.writestr(info, data)
    with pyopenvba.ExcelFile(out) as book:
        project = book.add_vba_project()
        project.add_module("Module1", 'Sub Hello()\r\n    MsgBox "你好"\r\nEnd Sub\r\n')
        book.save()


@pytest.fixture(scope="session")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    """Every workbook by its id: the examples, templates and corpus in place, the built ones in a folder."""
    out: dict[str, Path] = {f"seed{s}": example(s) for s in SEEDS}
    out |= {f"template:{p.stem}": p for p in TEMPLATES}
    out |= {f"corpus:{p.stem}": p for p in CORPUS_FILES}
    folder = tmp_path_factory.mktemp("fidelity")
    cleared = folder / "seed000_cleared.xlsx"
    cleared.write_bytes(blank_cells(example("000").read_bytes(), computed_cells(example("000"))))
    out["rich-plain"], out["rich"] = folder / "rich_plain.xlsx", folder / "rich.xlsx"
    _rich_workbook(cleared, out["rich-plain"], out["rich"])
    out["xlsm"] = folder / "rich.xlsm"
    try:
        _with_vba(out["rich"], out["xlsm"])
    except pytest.skip.Exception:
        del out["xlsm"]
    return out


@pytest.fixture(scope="session")
def to_fill(workbooks, tmp_path_factory) -> dict[str, Path]:
    """The workbooks with their totals and scores emptied (the built ones are emptied already)."""
    folder = tmp_path_factory.mktemp("to_fill")
    out = {}
    for key, path in workbooks.items():
        if key in BUILT or key.startswith("corpus:"):
            out[key] = path
            continue
        target = folder / f"{key.replace(':', '_')}{path.suffix}"
        target.write_bytes(blank_cells(path.read_bytes(), computed_cells(path)))
        out[key] = target
    return out


def source(workbooks: dict[str, Path], key: str) -> Path:
    if key not in workbooks:
        pytest.skip(f"{key} could not be built here (pyOpenVBA missing)")
    return workbooks[key]


# --- fill, score: edits patched into the package -----------------------------------------------------------


def _edits(stdout: str) -> list[dict[str, Any]]:
    return json.loads(stdout).get("edits", [])


@pytest.mark.parametrize("key", FORMS)
@pytest.mark.parametrize("values", [False, True], ids=["formulas", "values"])
def test_fill_changes_only_the_totals_it_reports(key, values, to_fill, tmp_path):
    src = source(to_fill, key)
    out = tmp_path / f"out{src.suffix}"
    code, stdout, stderr = xlperf("fill", src, "--output", out, "--format", "json", *(["--values"] if values else []))
    assert code in (0, 1), stderr
    edits = _edits(stdout)
    cells = {(e["sheet"], e["cell"]) for e in edits}
    if key in ("seed000", "seed002", "seed004", *BUILT):
        assert cells, "fill found nothing to fill in a workbook whose totals were emptied"
    if not cells:
        assert not out.exists()  # nothing to change: no copy is written
        return
    allowed = Allowed(values=frozenset(cells)) if values else Allowed.edits(cells)
    written: dict = {}
    problems = compare_packages(src.read_bytes(), out.read_bytes(), allowed, written)
    assert not problems, explain(problems)
    assert set(written) == cells  # each reported edit was written (a cell already right would not be)
    for e in edits:
        formula = written[(e["sheet"], e["cell"])][1].formula[0]
        assert formula is None if values or e["formula"] is None else formula[0] == e["formula"].lstrip("=")


@pytest.mark.parametrize("key", SELF_EVAL)
def test_score_changes_only_the_scores_it_reports(key, to_fill, tmp_path):
    src = source(to_fill, key)
    out = tmp_path / "out.xlsx"
    code, stdout, stderr = xlperf("score", src, "--output", out, "--format", "json")
    assert code in (0, 1), stderr
    cells = {(e["sheet"], e["cell"]) for e in _edits(stdout)}
    if key.startswith("seed"):
        assert cells, "score found nothing to write in a table whose scores were emptied"
    if not cells:
        assert not out.exists()  # nothing to change: no copy is written
        return
    written: dict = {}
    problems = compare_packages(src.read_bytes(), out.read_bytes(), Allowed.edits(cells), written)
    assert not problems, explain(problems)
    assert set(written) == cells


def _without_cells(package: bytes, cells: set[tuple[str, str]]) -> bytes:
    """The package with the given cells' elements removed and their style given to their rows instead, as
    Excel saves a row formatted as a whole: a cell that is not in the XML shows its row's style."""
    from fidelity import Package

    pkg = Package(package)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in pkg.zip.infolist():
            data = pkg.read(info.filename)
            refs = {ref for sheet, ref in cells if pkg.sheet_part(sheet) == info.filename}
            if refs:
                root = etree.fromstring(data)
                for c in [c for c in root.iter("{*}c") if c.get("r") in refs]:
                    row = c.getparent()
                    row.set("s", c.get("s", "0"))
                    row.set("customFormat", "1")
                    row.remove(c)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            z.writestr(info, data)
    return out.getvalue()


def test_a_total_written_where_the_xml_has_no_cell_keeps_the_style_of_its_row(to_fill, tmp_path):
    src = tmp_path / "src.xlsx"
    data = to_fill["seed004"].read_bytes()
    code, stdout, _ = xlperf("fill", to_fill["seed004"], "--output", tmp_path / "probe.xlsx", "--format", "json")
    cells = {(e["sheet"], e["cell"]) for e in _edits(stdout)}
    src.write_bytes(_without_cells(data, cells))
    out = tmp_path / "out.xlsx"
    code, stdout, stderr = xlperf("fill", src, "--output", out, "--format", "json")
    assert code in (0, 1) and {(e["sheet"], e["cell"]) for e in _edits(stdout)} == cells, stderr
    problems = compare_packages(src.read_bytes(), out.read_bytes(), Allowed.edits(cells))
    assert not problems, explain(problems)


def test_a_cell_created_in_a_formatted_column_keeps_the_column_style(tmp_path):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from xlperf.book.patch import CellPatch, patch_cells

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "金额"
    ws.column_dimensions["B"].font = Font(bold=True)  # the whole column B is bold; B2 is not in the XML
    src = tmp_path / "src.xlsx"
    wb.save(src)
    patched = patch_cells(src.read_bytes(), {ws.title: {"B2": CellPatch(12.5)}})
    problems = compare_packages(src.read_bytes(), patched, Allowed(values=frozenset({(ws.title, "B2")})))
    assert not problems, explain(problems)


# --- recalc: cached values of formulas ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def filled(to_fill, tmp_path_factory) -> dict[str, Path]:
    """The emptied examples filled again: their totals are formulas, which recalc computes."""
    folder = tmp_path_factory.mktemp("filled")
    out = {}
    for key in [f"seed{s}" for s in SEEDS]:
        out[key] = folder / f"{key}.xlsx"
        code, _, stderr = xlperf("fill", to_fill[key], "--output", out[key], "--format", "json")
        assert code in (0, 1), stderr
        if not out[key].exists():  # a form with no total to fill (self-evaluations): no copy was written
            out[key] = to_fill[key]
    return out


@pytest.mark.parametrize("key", FORMS + CORPUS_IDS)
def test_recalc_changes_only_the_values_it_recomputes(key, workbooks, filled, tmp_path):
    src = filled.get(key) or source(workbooks, key)
    out = tmp_path / f"out{src.suffix}"
    code, stdout, stderr = xlperf("recalc", src, "--output", out, "--format", "json")
    assert code in (0, 1), stderr
    if stdout.lstrip().startswith("{"):
        report = json.loads(stdout)
        listed = {(c["sheet"], c["cell"]) for c in report["cells"] if c["verdict"] in ("differ", "no_cached")}
        listed |= {tuple(ref.rsplit("!", 1)) for ref in report["volatile_excluded"]}
        written = report["written"]
    else:  # no formulas: the file is copied as it is
        listed, written = set(), 0
    changed: dict = {}
    problems = compare_packages(src.read_bytes(), out.read_bytes(), Allowed(values=frozenset(listed)), changed)
    assert not problems, explain(problems)
    assert len(changed) == written
    assert all(old.formula == new.formula for old, new in changed.values())  # only cached values


# --- check --output: marks, notes and the 校验结果 sheet -----------------------------------------------------------


@pytest.mark.parametrize("key", FORMS + CORPUS_IDS)
def test_check_output_adds_only_its_marks_notes_and_result_sheet(key, workbooks, tmp_path):
    src = source(workbooks, key)
    out = tmp_path / f"out{src.suffix}"
    code, stdout, stderr = xlperf("check", src, "--output", out, "--format", "json")
    assert out.exists(), f"check --output wrote nothing (exit {code}): {stderr.strip()}"
    marked = frozenset((f["sheet"], f["cell"]) for f in json.loads(stdout)["findings"] if f["sheet"] and f["cell"])
    allowed = Allowed(styles=marked, notes=marked, added_sheets=frozenset({RESULT_SHEET}), added_parts=CHECK_PARTS)
    problems = compare_packages(src.read_bytes(), out.read_bytes(), allowed)
    assert not problems, explain(problems)


# --- template add-direction: a whole-workbook rewrite through openpyxl ------------------------------------------

_ADDED = re.compile(r"[“](?P<sheet>.+?)[”]，并在(?P<summary>.+?)第(?P<row>\d+)行（(?P<how>新增一行|原有空行)）")


@pytest.mark.parametrize("key", SPECIAL_FUNDS)
def test_add_direction_moves_everything_below_its_row_and_changes_nothing_else(key, workbooks, tmp_path):
    from xlperf.forms import read_file

    src = source(workbooks, key)
    out = tmp_path / "out.xlsx"
    code, stdout, stderr = xlperf("template", "add-direction", src, "新增支出方向", "--output", out)
    assert code == 0, stderr
    m = _ADDED.search(stdout)
    assert m, stdout
    summary_sheet, row, inserted = m["summary"], int(m["row"]), m["how"] == "新增一行"
    model = read_file(str(src))
    (summary,) = model.of_kind("summary")
    allowed = {(summary_sheet, f"{c}{row}") for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    if summary.total.cell:
        total_row = int(re.sub(r"\D", "", summary.total.cell))
        moved = total_row + 1 if inserted and total_row >= row else total_row
        allowed.add((summary_sheet, re.sub(r"\d+", str(moved), summary.total.cell)))
    added = set()
    if m["sheet"] in model.sheet_names:  # an empty 附表3 was used: its 支出方向 is written
        for d in model.of_kind("direction"):
            if d.sheet == m["sheet"]:
                allowed.add((d.sheet, d.direction.cell))
    else:  # a new 附表3, and the hidden sheet of its drop-down lists where the workbook had none
        added |= {m["sheet"], "_xlperf_lists"}
    problems = compare_workbooks(
        src, out, inserted=(summary_sheet, row) if inserted else None, allowed=allowed, added_sheets=added
    )
    assert not problems, explain(problems)


@pytest.mark.parametrize(("key", "kinds"), [("rich", ("图表", "图片")), ("xlsm", ("宏",))])
def test_add_direction_refuses_what_openpyxl_cannot_carry_and_writes_nothing(key, kinds, workbooks, tmp_path):
    src = tmp_path / source(workbooks, key).name
    shutil.copy(source(workbooks, key), src)
    before = src.read_bytes()
    out = tmp_path / "out.xlsx"
    code, _, stderr = xlperf("template", "add-direction", src, "新增支出方向", "--output", out)
    assert code == 2 and not out.exists()
    assert all(k in stderr for k in kinds), stderr
    code, _, _ = xlperf("template", "add-direction", src, "新增支出方向")  # in place: refused just the same
    assert code == 2 and src.read_bytes() == before


# --- the Excel host: 校验 then 清除标注 leaves the workbook as it was -------------------------------------------------


class ExcelState:
    """What Excel holds and the remote engine's actions change: per sheet (in tab order) its visibility,
    values, formulas, fills, notes and column widths. An action this does not know fails the test, so that a
    new kind of write cannot go unchecked."""

    UI_ONLY = frozenset({"alert", "activateSheet", "rangeSelect"})

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        import warnings

        from openpyxl import load_workbook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path)
        self.sheets: list[dict[str, Any]] = []
        for sheet in data["sheets"]:
            ws = wb[sheet["name"]]
            values = {(r, c): v for r, row in enumerate(sheet["values"]) for c, v in enumerate(row) if v != ""}
            formulas = {
                (cell.row - 1, cell.column - 1): cell.value
                for row in ws.iter_rows()
                for cell in row
                if isinstance(cell.value, str) and cell.value.startswith("=")
            }
            fills = {
                (cell.row - 1, cell.column - 1): "#" + cell.fill.fgColor.rgb[-6:].lower()
                for row in ws.iter_rows()
                for cell in row
                if cell.fill.fill_type == "solid" and isinstance(cell.fill.fgColor.rgb, str)
            }
            notes = {
                (cell.row - 1, cell.column - 1): cell.comment.text
                for row in ws.iter_rows()
                for cell in row
                if cell.comment
            }
            self.sheets.append(
                {"name": sheet["name"], "visibility": sheet.get("visibility", "Visible"), "values": values,
                 "formulas": formulas, "fills": fills, "notes": notes, "widths": {}}
            )  # fmt: skip

    def snapshot(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.sheets)

    def apply(self, actions: list[dict[str, Any]]) -> None:
        for a in actions:
            func, args = a["func"], a["args"]
            sheet = self.sheets[a["sheet_position"]] if a.get("sheet_position") is not None else None
            r0, c0 = a.get("start_row"), a.get("start_column")
            if func in self.UI_ONLY:
                continue
            if func == "addSheet":
                self.sheets.insert(args[0], {"name": args[1], "visibility": "Visible", "values": {}, "formulas": {},
                                             "fills": {}, "notes": {}, "widths": {}})  # fmt: skip
            elif func == "sheetDelete":
                del self.sheets[a["sheet_position"]]
            elif func == "setSheetVisibility":
                sheet["visibility"] = args[0]
            elif func in ("setValues", "setFormula"):
                for dr, row in enumerate(a["values"]):
                    for dc, v in enumerate(row):
                        key = (r0 + dr, c0 + dc)
                        sheet["formulas"].pop(key, None)
                        sheet["values"].pop(key, None)
                        if func == "setFormula" and isinstance(v, str) and v.startswith("="):
                            sheet["formulas"][key] = v
                        elif v not in (None, ""):
                            sheet["values"][key] = v[1:] if isinstance(v, str) and v.startswith("'") else v
            elif func == "setRangeColors":
                for dr, row in enumerate(args[0]):
                    for dc, colour in enumerate(row):
                        if colour == "keep":
                            continue
                        if colour is None:
                            sheet["fills"].pop((r0 + dr, c0 + dc), None)
                        else:
                            sheet["fills"][(r0 + dr, c0 + dc)] = colour.lower()
            elif func in ("addNote", "setNoteText", "deleteNote"):
                from xlperf.a1 import split

                r, c = split(args[0].replace("$", ""))
                key = (r - 1, c - 1)
                assert (key in sheet["notes"]) == (func != "addNote"), f"{func} {args[0]} on {sheet['name']}"
                if func == "deleteNote":
                    del sheet["notes"][key]
                else:
                    sheet["notes"][key] = args[1]
            elif func == "setColumnWidth":
                sheet["widths"][c0] = args
            else:
                raise AssertionError(f"an action the fidelity test does not model: {func} {args}")


@pytest.mark.parametrize("seed", SEEDS)
def test_excel_marks_then_clear_marks_restore_every_sheet(seed, monkeypatch):
    pytest.importorskip("xlwings", reason="xlwings is not installed: no Excel host to test")
    from remote_payload import apply, payload, remote_engine

    from xlperf import xl

    xw = remote_engine(monkeypatch)
    path = example(seed)
    data = payload(path)
    state = ExcelState(path, data)
    original = state.snapshot()

    book = xw.Book(json=copy.deepcopy(data))
    report = xl.validate(book)
    done = book.json()["actions"]
    book.close()
    state.apply(done)
    marked = [s for s in state.sheets if s["notes"] or s["fills"]]
    assert report.findings and marked and RESULT_SHEET in [s["name"] for s in state.sheets]

    book = xw.Book(json=apply(data, done))
    xl.clear_marks(book)
    undone = book.json()["actions"]
    book.close()
    state.apply(undone)
    assert [s["name"] for s in state.sheets] == [s["name"] for s in original]
    for now, before in zip(state.sheets, original, strict=True):
        for what in ("visibility", "values", "formulas", "fills", "notes", "widths"):
            assert now[what] == before[what], f"{now['name']}: {what} not restored"


# --- the comparators find what they are meant to find ---------------------------------------------------------


def test_the_package_comparator_sees_what_a_careless_write_would_change(workbooks):
    from xlperf.book.patch import CellPatch, patch_cells

    data = workbooks["rich"].read_bytes()
    assert compare_packages(data, data) == []
    patched = patch_cells(data, {"附表2": {"C6": CellPatch(1), "D6": CellPatch(2, "C6*2")}})
    found = compare_packages(data, patched, Allowed.edits({("附表2", "C6")}))
    assert any("D6" in p and "value" in p for p in found), found
    assert not compare_packages(data, patched, Allowed.edits({("附表2", "C6"), ("附表2", "D6")}))

    def rewritten(change) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(out, "w") as o:
            for info in z.infolist():
                o.writestr(info, change(info.filename, z.read(info)))
        return out.getvalue()

    chart = rewritten(lambda n, d: d + b"\n" if n.startswith("xl/charts/") else d)
    assert any("xl/charts/" in p for p in compare_packages(data, chart, Allowed.edits({("附表2", "C6")})))
    merges = rewritten(lambda n, d: re.sub(rb'<mergeCell ref="[^"]+"/>', b"", d, count=1) if n.endswith("2.xml") else d)
    found = compare_packages(data, merges, Allowed.edits({("附表2", "C6")}))
    assert any("mergeCells" in p for p in found), found


def test_the_workbook_comparator_sees_what_an_inserted_row_leaves_behind(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "附表2"
    ws["A1"], ws["A5"], ws["C5"] = "合计", "签字", "=SUM(C2:C4)"
    ws.merge_cells("A5:B5")
    wb.defined_names["签字行"] = DefinedName("签字行", attr_text="'附表2'!$A$5:$B$5")
    src, out = tmp_path / "src.xlsx", tmp_path / "out.xlsx"
    wb.save(src)
    ws.insert_rows(4)  # openpyxl moves the cells only: the merge, the name and the formula's range stay behind
    wb.save(out)
    found = compare_workbooks(src, out, inserted=("附表2", 4))
    assert any("merged" in p for p in found) and any("defined names" in p for p in found), found
    assert any("C6" in p and "SUM(C2:C4)" in p for p in found), found  # Excel would make it SUM(C2:C5)
    assert compare_workbooks(src, src) == []
