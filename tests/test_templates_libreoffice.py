"""The templates in a second spreadsheet program: LibreOffice headless opens each template and each filled
template, recalculates every formula on load (a throwaway profile with "recalculation on file load: always",
see :mod:`xlperf.templates.libreoffice`), and its results are compared, cell by cell, with IronCalc's and
with the values xlperf cached. Skipped where LibreOffice is not installed (.ci/run installs Debian's
package where it can)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from conftest import formula_cells
from openpyxl import load_workbook
from test_templates import facts, filled  # noqa: F401  (the filled-templates fixture)

from xlperf.book.patch import CellPatch, patch_cells
from xlperf.forms import read_file
from xlperf.templates import KINDS, LISTS_SHEET, TEMPLATES
from xlperf.templates import libreoffice as lo
from xlperf.templates.add_direction import add_direction
from xlperf.templates.generate import TEMPLATES_DIR
from xlperf.templates.render import DOCS, SHEET_IMAGES, render
from xlperf.templates.sheet import level2_lists

pytestmark = pytest.mark.skipif(
    lo.soffice() is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc fonts-noto-cjk poppler-utils",
)

ironcalc = pytest.importorskip("ironcalc", reason="IronCalc (in the [test] extra) is xlperf's own recalculation")


def libreoffice_values(path: Path, cells) -> dict:
    wb = load_workbook(path, data_only=True)
    return {(sheet, cell): wb[sheet][cell].value for sheet, cell in cells}


def ironcalc_values(path: Path, cells) -> dict:
    model = ironcalc.load_from_xlsx(str(path), "en", "UTC")
    model.evaluate()
    names = load_workbook(path, read_only=True).sheetnames
    out = {}
    for sheet, cell in cells:
        col = "".join(ch for ch in cell if ch.isalpha())
        row = int(cell[len(col) :])
        out[(sheet, cell)] = model.get_cell_value(names.index(sheet), row, _col(col))
    return out


def cached_values(path: Path, cells) -> dict:
    wb = load_workbook(path, data_only=True)
    return {(sheet, cell): wb[sheet][cell].value for sheet, cell in cells}


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def same(a, b) -> bool:
    """Equal results: numbers to 1e-9 (relative), an empty result and an empty string alike."""
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


@pytest.fixture(scope="module")
def converted(tmp_path_factory, filled):  # noqa: F811
    """Every template, blank and filled (and one with a direction added), as LibreOffice saves it after
    recalculating it: name → (original, LibreOffice's copy)."""
    tmp = tmp_path_factory.mktemp("libreoffice")
    originals: dict[str, Path] = {}
    for kind in KINDS:
        originals[f"blank-{kind}"] = TEMPLATES_DIR / TEMPLATES[kind][0]
    for case, (_, _, _, path) in filled.items():
        originals[f"filled-{case}"] = path
    grown = tmp / "grown.xlsx"
    shutil.copy(filled["special"][3], grown)
    add_direction(str(grown), "新增支出方向")
    originals["filled-special-add-direction"] = grown
    sources = []
    for name, path in originals.items():
        src = tmp / "in" / f"{name}.xlsx"
        src.parent.mkdir(exist_ok=True)
        shutil.copy(path, src)
        sources.append(src)
    results = lo.convert(sources, tmp / "out", "xlsx")
    return {name: (src, out) for name, src, out in zip(originals, sources, results, strict=True)}


def test_libreoffice_opens_every_template(converted):
    assert len(converted) == 2 * len(KINDS) + 1
    for name, (_, out) in converted.items():
        wb = load_workbook(out)
        assert LISTS_SHEET in wb.sheetnames, name


def test_every_formula_gives_the_same_number_in_libreoffice_ironcalc_and_xlperf(converted):
    compared = 0
    for name, (src, out) in converted.items():
        cells = list(formula_cells(src))
        assert cells, name
        theirs = libreoffice_values(out, cells)
        ours = ironcalc_values(src, cells)
        cached = cached_values(src, cells)
        for key in cells:
            assert same(theirs[key], ours[key]), (name, key, theirs[key], ours[key])
            assert same(theirs[key], cached[key]), (name, key, theirs[key], cached[key])
            assert not (isinstance(theirs[key], str) and theirs[key].startswith("#")), (name, key, theirs[key])
            compared += 1
    assert compared > 60


def test_libreoffice_really_recalculates_on_load(tmp_path, filled):  # noqa: F811
    """The cached values are replaced by wrong ones: LibreOffice's results are still the right numbers."""
    path = filled["special"][3]
    cells = formula_cells(path)
    wrong = {}
    for (sheet, cell), formula in cells.items():
        wrong.setdefault(sheet, {})[cell] = CellPatch(99999, formula[1:])
    src = tmp_path / "in" / "poisoned.xlsx"
    src.parent.mkdir()
    src.write_bytes(patch_cells(path.read_bytes(), wrong))
    (out,) = lo.convert([src], tmp_path / "out", "xlsx")
    theirs = libreoffice_values(out, cells)
    right = cached_values(path, cells)
    assert all(same(theirs[k], right[k]) for k in cells)
    assert theirs[("附表2", "C5")] == pytest.approx(1594.78)


def test_libreoffice_keeps_the_drop_downs_and_resolves_the_dependent_lists(tmp_path):
    """The 二级 list is INDIRECT(the 一级 cell): LibreOffice finds each 一级's named list."""
    path = TEMPLATES_DIR / TEMPLATES["selfeval-dept"][0]
    probes = {f"A{i}": CellPatch(None, f'ROWS(INDIRECT("{name}"))') for i, name in enumerate(level2_lists(), 1)}
    src = tmp_path / "in" / "probe.xlsx"
    src.parent.mkdir()
    src.write_bytes(patch_cells(path.read_bytes(), {LISTS_SHEET: {f"Z{k[1:]}": v for k, v in probes.items()}}))
    (out,) = lo.convert([src], tmp_path / "out", "xlsx")
    values = load_workbook(out, data_only=True)[LISTS_SHEET]
    for i, (name, level2) in enumerate(level2_lists().items(), 1):
        assert values[f"Z{i}"].value == len(level2), name
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    kept = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert {"xlperf_一级指标", "xlperf_指标属性", "xlperf_指标方向", "xlperf_完成等级"} <= kept
    assert any(f.startswith("INDIRECT(") for f in kept)
    assert ws.protection.sheet


def test_what_libreoffice_saves_reads_back_the_same(converted):
    for name, (src, out) in converted.items():
        if not name.startswith("filled-") or name.endswith("add-direction"):
            continue
        ours, theirs = read_file(str(src)), read_file(str(out))
        assert [facts(f) for f in theirs.forms] == [facts(f) for f in ours.forms], name


def test_each_form_prints_on_one_page_and_the_images_are_committed(tmp_path):
    if lo.pdftoppm() is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    images = render(tmp_path)  # raises when a form does not fit one page
    assert sorted(p.name for p in images) == sorted(SHEET_IMAGES.values())
    for image in images:
        committed = DOCS / image.name
        assert committed.exists(), f"docs/templates/{image.name} is missing: run python -m xlperf.templates.render"
        assert png_size(committed) == png_size(image)
        short, long = sorted(png_size(committed))
        assert abs(short - 827) <= 1 and abs(long - 1169) <= 1  # one A4 page at 100 dpi


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
