"""``xlperf recalc`` and the recalculation engines: values written into the original cells with the formulas
and everything else kept, ``--check`` listing what differs, unsupported functions reported per cell, and
the comparison rules."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import formula_cells
from openpyxl import Workbook, load_workbook

from xlperf.book.patch import KEEP_FORMULA, CellPatch, patch_cells
from xlperf.recalc.baseline import example_workbooks
from xlperf.recalc.compare import compare, volatile_cells
from xlperf.recalc.engine import Computed, Failed, Unsupported, get_engine
from xlperf.recalc.formula_text import functions, references, translate
from xlperf.recalc.package import read_package
from xlperf.recalc.values import XlError, same

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "recalc"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="the recalculation corpus (../shared/corpus/recalc beside the repository) is absent"
)
needs_formulas = pytest.mark.skipif(
    importlib.util.find_spec("formulas") is None, reason="the formulas engine is an optional extra: [formulas]"
)


def xlperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=300)


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def cached(path: Path, sheet: str, cell: str):
    return load_workbook(path, data_only=True)[sheet][cell].value


def with_cached(src: Path, dst: Path, values: dict[str, dict[str, object]]) -> Path:
    """``src`` with the cached values of some formula cells replaced (the formulas kept)."""
    edits = {s: {c: CellPatch(v, KEEP_FORMULA) for c, v in cells.items()} for s, cells in values.items()}
    dst.write_bytes(patch_cells(src.read_bytes(), edits))
    return dst


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """The seed 000 example with its totals cleared and filled again as formulas by ``xlperf fill``."""
    out = tmp_path_factory.mktemp("examples")
    return next(p for p in example_workbooks(out) if p.name.startswith("seed000"))


def made(tmp_path: Path, cells: dict[str, object], name: str = "made.xlsx") -> Path:
    """A workbook written by openpyxl (formulas without cached values) with these cells on Sheet1."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for ref, value in cells.items():
        ws[ref] = value
    path = tmp_path / name
    wb.save(path)
    return path


# --- the command -----------------------------------------------------------------------------------------


def test_recalc_of_an_example_writes_the_values_and_changes_nothing_else(filled, tmp_path):
    package = read_package(filled.read_bytes())
    assert len(package.cells) >= 20
    sheet, row, col = next(iter(package.cells))
    first = package.cells[(sheet, row, col)]
    stale = with_cached(filled, tmp_path / "stale.xlsx", {sheet: {first.ref: 1.5}})
    assert cached(stale, sheet, first.ref) == 1.5

    check = xlperf("recalc", str(stale), "--check")
    assert check.returncode == 1, check.stdout + check.stderr
    assert f"{sheet}!{first.ref}" in check.stdout
    assert "不一致 1" in check.stdout

    out = tmp_path / "recalculated.xlsx"
    before = stale.read_bytes()
    run = xlperf("recalc", str(stale), "--output", str(out))
    assert run.returncode == 0, run.stdout + run.stderr  # written: one cell differed, and is listed
    assert f"{sheet}!{first.ref}" in run.stdout and "不一致 1" in run.stdout
    assert "已写入 1 个" in run.stdout
    assert stale.read_bytes() == before  # the input is never modified
    assert same(cached(out, sheet, first.ref), first.cached)  # the computed value, read back
    assert formula_cells(out) == formula_cells(stale)
    old, new = entries(stale), entries(out)
    assert list(old) == list(new)
    changed = [name for name in old if old[name] != new[name]]
    assert len(changed) == 1 and changed[0].startswith("xl/worksheets/")

    again = xlperf("recalc", str(out), "--check")
    assert again.returncode == 0, again.stdout
    assert "不一致 0" in again.stdout


@needs_corpus
def test_recalc_of_a_corpus_workbook_restores_excels_values(tmp_path):
    src = CORPUS / "ironcalc__SUMIF_AVERAGE_IF.xlsx"
    package = read_package(src.read_bytes())
    picked = [c for c in package.cells.values() if isinstance(c.cached, float)][:3]
    stale = with_cached(src, tmp_path / "stale.xlsx", {c.sheet: {c.ref: 123456.0} for c in picked[:1]})
    stale = with_cached(stale, tmp_path / "stale2.xlsx", {c.sheet: {c.ref: -1.0} for c in picked[1:2]})
    out = tmp_path / "out.xlsx"
    run = xlperf("recalc", str(stale), "--output", str(out), "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["written"] == 2
    assert {(c["sheet"], c["cell"]) for c in report["cells"]} == {(c.sheet, c.ref) for c in picked[:2]}
    for c in picked:
        assert same(cached(out, c.sheet, c.ref), c.cached), c
    assert formula_cells(out) == formula_cells(src)
    old, new = entries(stale), entries(out)
    assert list(old) == list(new)
    assert [n for n in old if old[n] != new[n]] == [
        n for n in old if n.startswith("xl/worksheets/sheet") and old[n] != new[n]
    ]
    # shared formulas stay shared, the calculation chain stays
    assert new["xl/calcChain.xml"] == old["xl/calcChain.xml"]
    assert old["xl/worksheets/sheet1.xml"].count(b't="shared"') == new["xl/worksheets/sheet1.xml"].count(b't="shared"')


def test_check_lists_a_function_the_engine_lacks_per_cell_never_as_computed(tmp_path):
    src = made(
        tmp_path,
        {"A1": 5, "B1": "=BAHTTEXT(A1)", "C1": '=IFERROR(BAHTTEXT(A1),"x")', "D1": "=LEN(B1)", "E1": "=A1*2"},
    )
    # give the formulas cached values, as Excel would have written them
    src = with_cached(
        src, tmp_path / "cached.xlsx", {"Sheet1": {"B1": "ห้าบาทถ้วน", "C1": "ห้าบาทถ้วน", "D1": 10, "E1": 10}}
    )
    run = xlperf("recalc", str(src), "--check", "--format", "json")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    by_cell = {c["cell"]: c for c in report["cells"]}
    assert set(by_cell) == {"B1", "C1", "D1"}
    for cell in ("B1", "C1", "D1"):
        assert by_cell[cell]["verdict"] == "unsupported"
        assert by_cell[cell]["computed"] is None
        assert "BAHTTEXT" in by_cell[cell]["note"]
    assert "Sheet1!B1" in by_cell["D1"]["note"]  # D1 depends on the unsupported cell
    assert report["summary"]["matched"] == 1

    out = tmp_path / "out.xlsx"
    written = xlperf("recalc", str(src), "--output", str(out))
    assert written.returncode == 0, written.stderr  # written; the cells not computed are listed
    assert "Sheet1!B1" in written.stdout and "BAHTTEXT" in written.stdout
    assert cached(out, "Sheet1", "B1") == "ห้าบาทถ้วน"  # kept, not replaced by #NAME?
    assert cached(out, "Sheet1", "C1") == "ห้าบาทถ้วน"


def test_formulas_without_cached_values_get_them(tmp_path):
    src = made(tmp_path, {"A1": 2, "A2": 3, "A3": "=SUM(A1:A2)", "B1": '=A1&"x"', "C1": "=A1>1", "D1": "=1/0"})
    out = tmp_path / "out.xlsx"
    run = xlperf("recalc", str(src), "--output", str(out))
    assert run.returncode == 0, run.stderr  # written; the workbook had no cached values, and says so
    assert "无缓存值 4" in run.stdout
    wb = load_workbook(out, data_only=True)["Sheet1"]
    assert (wb["A3"].value, wb["B1"].value, wb["C1"].value, wb["D1"].value) == (5, "2x", True, "#DIV/0!")
    assert xlperf("recalc", str(out), "--check").returncode == 0


def test_exit_code_is_0_after_a_write_and_1_only_for_check_with_stale_values(tmp_path):
    src = made(tmp_path, {"A1": 2, "B1": "=A1*3"})
    src = with_cached(src, tmp_path / "stale.xlsx", {"Sheet1": {"B1": 5}})  # stale: A1*3 is 6
    original = src.read_bytes()
    check = xlperf("recalc", str(src), "--check", "--format", "json")
    assert check.returncode == 1, check.stderr
    assert json.loads(check.stdout)["summary"]["differ"] == 1
    assert src.read_bytes() == original

    out = tmp_path / "out.xlsx"
    for args in (["--output", str(out)], ["--output", str(tmp_path / "j.xlsx"), "--format", "json"], ["--in-place"]):
        run = xlperf("recalc", str(src), *args)
        assert run.returncode == 0, (args, run.stdout, run.stderr)
        assert run.stderr == ""
    assert cached(out, "Sheet1", "B1") == 6 and cached(src, "Sheet1", "B1") == 6  # --in-place: the input
    assert (tmp_path / "stale.xlsx.bak").read_bytes() == original
    assert xlperf("recalc", str(src), "--check").returncode == 0  # nothing stale any more

    # a write that fails is still 2, with one line
    blocked = xlperf("recalc", str(out), "--output", str(tmp_path / "no such folder" / "x.xlsx"))
    assert blocked.returncode == 2, blocked.stdout
    assert len(blocked.stderr.strip().splitlines()) == 1


def test_the_exit_rule_is_in_the_help():
    run = xlperf("recalc", "--help")
    assert run.returncode == 0
    assert "退出码" in run.stdout and "--check" in run.stdout.split("退出码", 1)[1]


def test_volatile_functions_are_not_compared_and_said_to_be(tmp_path):
    src = made(tmp_path, {"A1": "=TODAY()", "A2": "=A1+1", "A3": "=RAND()", "A4": "=2+2"})
    src = with_cached(src, tmp_path / "old.xlsx", {"Sheet1": {"A1": 40000, "A2": 40001, "A3": 0.5, "A4": 4}})
    run = xlperf("recalc", str(src), "--check")
    assert run.returncode == 0, run.stdout
    assert "易变函数" in run.stdout and "3 个公式未比较" in run.stdout
    package = read_package(src.read_bytes())
    assert set(volatile_cells(package)) == {("Sheet1", 1, 1), ("Sheet1", 2, 1), ("Sheet1", 3, 1)}
    out = tmp_path / "out.xlsx"
    xlperf("recalc", str(src), "--output", str(out))
    assert cached(out, "Sheet1", "A1") > 40000  # recalculated all the same: today


def test_a_workbook_without_formulas_is_copied_unchanged(tmp_path):
    from conftest import example

    out = tmp_path / "out.xlsx"
    run = xlperf("recalc", str(example("001")), "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == example("001").read_bytes()


@pytest.mark.parametrize("content", [b"not a workbook", b""])
def test_a_file_that_cannot_be_read_gives_exit_2_and_one_line(tmp_path, content):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(content)
    run = xlperf("recalc", str(bad), "--check")
    assert run.returncode == 2
    assert run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1 and "无法读取" in run.stderr


def test_missing_file_default_output_and_output_over_the_input(tmp_path):
    assert xlperf("recalc", str(tmp_path / "none.xlsx"), "--check").returncode == 2
    src = made(tmp_path, {"A1": "=1+1"})
    original = src.read_bytes()
    run = xlperf("recalc", str(src))  # no --output: a new file beside the input
    assert run.returncode == 0, run.stderr
    assert "made（已重算）.xlsx" in run.stdout and (tmp_path / "made（已重算）.xlsx").exists()
    refused = xlperf("recalc", str(src), "--output", str(src))
    assert refused.returncode == 2 and "--in-place" in refused.stderr
    assert src.read_bytes() == original
    in_place = xlperf("recalc", str(src), "--in-place")
    assert in_place.returncode == 0, in_place.stderr
    assert (tmp_path / "made.xlsx.bak").read_bytes() == original and src.read_bytes() != original


@needs_formulas
def test_both_engines_report_where_they_disagree(tmp_path):
    src = made(tmp_path, {"A1": 4, "B1": "=A1*2", "C1": "=OFFSET(A1,0,1)", "D1": "=SQRT(A1)"})
    src = with_cached(src, tmp_path / "cached.xlsx", {"Sheet1": {"B1": 8, "C1": 8, "D1": 3}})
    run = xlperf("recalc", str(src), "--check", "--engine", "both", "--format", "json")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    cells = {c["cell"]: c for c in report["cells"]}
    assert set(cells) == {"C1", "D1"}  # B1: both engines and Excel agree
    assert cells["C1"]["ironcalc"] == 8 and "OFFSET" in cells["C1"]["formulas"]["not_computed"]
    assert cells["D1"]["ironcalc"] == cells["D1"]["formulas"] == 2 and cells["D1"]["engines_agree"]
    out = tmp_path / "out.xlsx"
    written = xlperf("recalc", str(src), "--output", str(out), "--engine", "both")
    assert written.returncode == 0, written.stderr  # written; the disagreements are listed
    assert "Sheet1!C1" in written.stdout and "Sheet1!D1" in written.stdout
    assert cached(out, "Sheet1", "D1") == 2  # both agree: written
    assert cached(out, "Sheet1", "C1") == 8  # formulas could not: kept


# --- the engines -----------------------------------------------------------------------------------------


def test_ironcalc_outcomes(tmp_path):
    src = made(
        tmp_path,
        {"A1": 3, "B1": "=A1^2", "B2": "=FORECAST.ETS(1,A1:A3,A1:A3)", "B3": "=B2+1", "B4": "=B4+1", "B5": '="a"&"b"'},
    )
    result = get_engine("ironcalc").compute(src.read_bytes())
    cells = {(r, c): o for (_, r, c), o in result.cells.items()}
    assert cells[(1, 2)] == Computed(9.0)
    assert cells[(2, 2)] == Unsupported(("FORECAST.ETS",))
    assert cells[(3, 2)] == Unsupported(("FORECAST.ETS",), via="Sheet1!B2")
    assert isinstance(cells[(4, 2)], Failed)  # circular
    assert cells[(5, 2)] == Computed("ab")


@needs_formulas
def test_formulas_engine_outcomes_and_limits(tmp_path):
    src = made(tmp_path, {"A1": 3, "B1": "=A1^2", "B2": "=OFFSET(A1,0,0)", "B3": "=B2+1", "B4": '=INDIRECT("A1")'})
    result = get_engine("formulas").compute(src)
    assert result.ok, result.message
    cells = {(r, c): o for (_, r, c), o in result.cells.items()}
    assert cells[(1, 2)] == Computed(9.0)
    assert cells[(2, 2)] == Unsupported(("OFFSET",))
    assert cells[(3, 2)] == Unsupported(("OFFSET",), via="Sheet1!B2")
    assert cells[(4, 2)] == Computed(3.0)  # INDIRECT with a literal text is supported
    assert result.peak_rss_mb and result.peak_rss_mb > 10

    slow = get_engine("formulas", time_limit=0.3).compute(src)
    assert slow.status == "timeout" and not slow.cells
    starved = get_engine("formulas", memory_mb=64).compute(src)
    assert starved.status == "memory", starved.message


def test_unreadable_by_the_engine_is_a_status_not_an_exception(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    result = get_engine("ironcalc").compute(bad, package=read_package(made(tmp_path, {"A1": 1}).read_bytes()))
    assert result.status == "load_error" and result.message


# --- the pieces ------------------------------------------------------------------------------------------


def test_comparison_rules():
    assert same(1.0, 1.0 + 1e-12) and same(1e12, 1e12 * (1 + 5e-10)) and same(0.0, 1e-10)
    assert not same(1.0, 1.0001) and not same(1e12, 1e12 * (1 + 5e-9))
    assert same("a", "a") and not same("a", "A") and not same("1", 1.0)
    assert same(True, True) and not same(True, 1.0) and not same(False, 0.0)
    assert same(XlError("#N/A"), XlError("#N/A")) and not same(XlError("#N/A"), XlError("#VALUE!"))
    assert not same(XlError("#N/A"), "#N/A")
    assert same(None, "") and not same(None, 0.0)


def test_formula_text():
    assert functions('_xlfn.IFNA(SUM(A1:B2),_xlfn.CONCAT("LOG10(",LOG10(4)))') == ["IFNA", "SUM", "CONCAT", "LOG10"]
    assert functions('IF(A1>0,"TODAY()",NOW())') == ["IF", "NOW"]
    areas, names = references("SUM('My sheet'!$A$1:B3,Sheet2!C:C,4:4,Rate)+LOG10(A1)")
    assert [(a.sheet, a.row1, a.col1, a.row2, a.col2) for a in areas] == [
        ("My sheet", 1, 1, 3, 2),
        ("Sheet2", 1, 3, 1_048_576, 3),
        (None, 4, 1, 4, 16_384),
        (None, 1, 1, 1, 1),
    ]
    assert names == ["RATE"]
    assert translate("A1+$A$1+A$1+$A1+SUM(B:B)+'x y'!C3", 2, 1) == "B3+$A$1+B$1+$A3+SUM(C:C)+'x y'!D5"
    assert translate('"A1"&A1', 1, 0) == '"A1"&A2'


def test_package_reads_shared_and_array_formulas(tmp_path):
    src = made(tmp_path, {"A1": 1, "A2": 2, "B1": "=A1*2"})
    xml = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1*2</f><v>2</v></c>'
        b'<c r="C1"><f t="array" ref="C1:C2">A1:A2*3</f><v>3</v></c></row>'
        b'<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c><c r="C2"><v>6</v></c></row>'
        b"</sheetData></worksheet>"
    )
    data = entries(src)
    data["xl/worksheets/sheet1.xml"] = xml
    out = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(out, "w") as z:
        for name, content in data.items():
            z.writestr(name, content)
    package = read_package(out.read_bytes())
    cells = {(c.row, c.col): c for c in package.cells.values()}
    assert cells[(2, 2)].formula == "A2*2" and cells[(2, 2)].cached == 4.0
    assert cells[(2, 3)].formula == "A1:A2*3" and cells[(2, 3)].array == "C1:C2" and not cells[(2, 3)].master
    result = get_engine("ironcalc").compute(out, package)
    verdicts = {(v.cell.row, v.cell.col): v.verdict for v in compare(package, result).verdicts}
    assert verdicts == {(1, 2): "matched", (2, 2): "matched", (1, 3): "matched", (2, 3): "matched"}

    # written back with the formulas kept as they were: shared and array
    patched = patch_cells(
        out.read_bytes(), {"Sheet1": {"B2": CellPatch(5, KEEP_FORMULA), "C2": CellPatch(7, KEEP_FORMULA)}}
    )
    with zipfile.ZipFile(__import__("io").BytesIO(patched)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b'<c r="B2"><f t="shared" si="0"/><v>5</v></c>' in sheet
    assert b'<c r="C2"><v>7</v></c>' in sheet
    assert b'<f t="shared" ref="B1:B2" si="0">A1*2</f><v>2</v>' in sheet
