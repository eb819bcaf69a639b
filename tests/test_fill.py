"""填充合计: on examples whose totals were cleared, ``xlperf fill`` restores the published totals exactly, as
formulas whose cached values a second engine (IronCalc) computes the same."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import example
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from xlperf.forms import read_file
from xlperf.model import WorkbookModel


def totals(model: WorkbookModel) -> dict[tuple[str, str], Decimal]:
    """Every total cell the fill computes, with its published value."""
    out: dict[tuple[str, str], Decimal] = {}

    def put(field):
        out[(field.sheet, field.cell)] = field.value

    for form in model.forms:
        if form.kind == "direction":
            put(form.details_total), put(form.amount), put(form.project_amount)
        elif form.kind == "summary":
            put(form.total)
        elif form.kind == "project_target":
            put(form.budget)
        elif form.kind == "dept_target":
            for task in form.tasks:
                put(task.total)
            if form.tasks_total:
                put(form.tasks_total.total), put(form.tasks_total.fiscal), put(form.tasks_total.other)
            if form.spending_part("项目支出"):
                put(form.spending_part("项目支出").amount)
    return out


def cleared(seed: str, tmp: Path, models) -> tuple[Path, dict[tuple[str, str], Decimal]]:
    expected = totals(models[seed])
    wb = load_workbook(example(seed))
    for sheet, cell in expected:
        wb[sheet][cell].value = None
    if seed == "000":
        dept = models[seed].forms[0]
        wb[dept.total.sheet][dept.total.cell].value = "资金总额："  # the amount is written inside its label
        expected[(dept.total.sheet, dept.total.cell)] = dept.total.value
    path = tmp / f"cleared_{seed}.xlsx"
    wb.save(path)
    return path, expected


def xlperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=120)


def ironcalc_values(path: Path, cells: list[tuple[str, str]]) -> dict[tuple[str, str], object]:
    ironcalc = pytest.importorskip("ironcalc", reason="IronCalc (in the [test] extra) recalculates the workbook")
    model = ironcalc.load_from_xlsx(str(path), "en", "UTC")
    model.evaluate()
    names = load_workbook(path, read_only=True).sheetnames
    out = {}
    for sheet, cell in cells:
        col, row = coordinate_from_string(cell)
        out[(sheet, cell)] = model.get_cell_value(names.index(sheet), row, column_index_from_string(col))
    return out


@pytest.mark.parametrize("seed", ["000", "002", "004"])
def test_fill_restores_the_published_totals_as_live_formulas(seed, models, tmp_path):
    src, expected = cleared(seed, tmp_path, models)
    before = src.read_bytes()
    out = tmp_path / f"filled_{seed}.xlsx"
    run = xlperf("fill", str(src), "--output", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    assert src.read_bytes() == before  # the input is never modified
    filled = read_file(str(out))
    assert totals(filled) == {k: v for k, v in expected.items() if k in totals(filled)}
    if seed == "000":
        assert filled.forms[0].total.value == Decimal("1786.46")
    formulas = load_workbook(out)
    inline = {(f.total.sheet, f.total.cell) for f in filled.of_kind("dept_target") if isinstance(f.total.raw, str)}
    written = [k for k in expected if k not in inline]
    assert written and all(str(formulas[s][c].value).startswith("=") for s, c in written)
    recalculated = ironcalc_values(out, written)
    assert len(recalculated) == len(written)
    for key, value in recalculated.items():
        assert Decimal(str(value)).quantize(Decimal("0.01")) == expected[key], key


def test_fill_formulas_on_seed000(models, tmp_path):
    src, _ = cleared("000", tmp_path, models)
    out = tmp_path / "filled.xlsx"
    assert xlperf("fill", str(src), "--output", str(out)).returncode == 0
    wb = load_workbook(out)
    summary = models["000"].of_kind("summary")[0]
    first, last = summary.rows[0].amount.cell, summary.rows[-1].amount.cell
    assert wb["附表2"][summary.total.cell].value == f"=SUM({first}:{last})"
    project = models["000"].forms[0].spending_part("项目支出").amount
    assert wb[project.sheet][project.cell].value == f"='附表2'!{summary.total.cell}"
    direction = models["000"].of_kind("direction")[0]
    assert wb[direction.sheet][direction.project_amount.cell].value == f"={direction.amount.cell}"
    assert load_workbook(out, data_only=True)["附表2"][summary.total.cell].value == 1594.78


def test_fill_values_writes_plain_numbers(models, tmp_path):
    src, expected = cleared("004", tmp_path, models)
    out = tmp_path / "values.xlsx"
    assert xlperf("fill", str(src), "--output", str(out), "--values").returncode == 0
    ws = load_workbook(out).active
    for (_, cell), value in expected.items():
        assert ws[cell].value == float(value) or ws[cell].value == int(value)


def test_a_total_that_disagrees_is_reported_not_overwritten(models, tmp_path):
    summary = models["000"].of_kind("summary")[0]
    wb = load_workbook(example("000"))
    wb["附表2"][summary.total.cell].value = 1600
    src = tmp_path / "typed.xlsx"
    wb.save(src)
    out = tmp_path / "kept.xlsx"
    run = xlperf("fill", str(src), "--output", str(out), "--format", "json")
    assert run.returncode == 1
    data = json.loads(run.stdout)
    assert data["written"] is None and data["edits"] == [] and not out.exists()  # nothing else to fill
    assert [(f["code"], f["cell"]) for f in data["not_changed"]] == [("amount.sum_mismatch", summary.total.cell)]
    assert "--overwrite" in data["not_changed"][0]["message"]
    assert ("amount.sum_mismatch", summary.total.cell) in [(f["code"], f["cell"]) for f in data["findings"]]
    replaced = tmp_path / "replaced.xlsx"
    assert xlperf("fill", str(src), "--output", str(replaced), "--overwrite").returncode == 0
    assert load_workbook(replaced)["附表2"][summary.total.cell].value.startswith("=SUM(")


def test_fill_refuses_to_write_over_its_input(tmp_path):
    src = tmp_path / "in.xlsx"
    src.write_bytes(example("004").read_bytes())
    run = xlperf("fill", str(src), "--output", str(src))
    assert run.returncode == 2 and "输出文件不能是输入文件本身" in run.stderr
