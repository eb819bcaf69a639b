"""Form schemas: declared once, used by the amount and required-field rules, 填充合计, inspect and batch.

Each sum relation exists once, so the check and the fill cannot disagree, and a total that is itself
wrong stands for its parts' sum in the totals that depend on it.
"""

from __future__ import annotations

import dataclasses
import typing
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import example

import xlperf.model
from xlperf.book.apply import write_atomically
from xlperf.book.patch import CellPatch, patch_cells
from xlperf.book.sniff import sniff
from xlperf.checks import check_model
from xlperf.forms import FORMS, read_file, schema_of
from xlperf.forms.schema import fields_of, relations
from xlperf.totals import fill_totals

MODEL_CLASSES = {
    "dept_target": xlperf.model.DepartmentTarget,
    "summary": xlperf.model.SpecialFundSummary,
    "direction": xlperf.model.SpendingDirection,
    "project_target": xlperf.model.ProjectTarget,
    "self_eval": xlperf.model.SelfEvaluation,
    "basic_data": xlperf.model.BasicData,
}


def _attribute_types(cls: type) -> dict[str, str]:
    return {f.name: str(f.type) for f in dataclasses.fields(cls)}


def _path_exists(cls: type, path: str) -> bool:
    """Every step of a schema path names a field of the model class it walks through."""
    hints = typing.get_type_hints(cls, vars(xlperf.model))
    step, _, rest = path.partition(".")
    name = step.removesuffix("[]")
    if name not in hints:
        return False
    if not rest:
        return True
    target = hints[name]
    args = [a for a in typing.get_args(target) if a is not type(None)]
    inner = args[0] if args else target
    if typing.get_origin(inner) is list:
        inner = typing.get_args(inner)[0]
    return dataclasses.is_dataclass(inner) and _path_exists(inner, rest)


@pytest.mark.parametrize("spec", FORMS, ids=lambda s: s.kind)
def test_every_schema_path_names_a_field_of_the_model(spec):
    cls = MODEL_CLASSES[spec.kind]
    paths = [f.path for f in spec.schema.fields]
    for s in spec.schema.sums:
        prefix = s.each.removesuffix("[]") + "[]." if s.each else ""
        paths += [prefix + s.total, *(prefix + p for p in s.parts)]
    bad = [p for p in paths if not _path_exists(cls, p)]
    assert bad == []


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_each_form_of_the_examples_resolves_its_key_fields(models, seed):
    for form in models[seed].forms:
        sch = schema_of(form)
        assert sch.kind == form.kind
        keys = [label for spec in sch.fields if spec.key and spec.kind != "count" for label, _ in fields_of(form, spec)]
        assert keys, form.sheet


def test_the_relations_of_a_direction_are_bound_to_its_cells(models):
    d = models["000"].of_kind("direction")[0]
    rels = relations(schema_of(d), d)
    assert [r.label for r in rels] == ["支出明细合计（各明细金额之和）", "金额（= 支出明细合计）", "项目金额（= 金额）"]
    assert rels[0].total.cell == d.details_total.cell
    assert [p.cell for p in rels[0].parts] == [x.amount.cell for x in d.details]


def patched(src: Path, dst: Path, edits: dict[tuple[str, str], object]) -> Path:
    by_sheet: dict[str, dict[str, CellPatch]] = {}
    for (sheet, cell), value in edits.items():
        by_sheet.setdefault(sheet, {})[cell] = CellPatch(value)
    write_atomically(patch_cells(sniff(str(src)), by_sheet), dst)
    return dst


def test_a_mistyped_summary_total_is_reported_once_and_not_passed_on(models, tmp_path):
    """附表2 合计 typed as 1500 where its 12 rows add to 1594.78: the 合计 is wrong, and the 部门整体表's
    项目支出 of 1594.78 is right — neither the check nor 填充合计 tells the clerk it "should be 1500"."""
    summary = models["000"].of_kind("summary")[0]
    path = patched(example("000"), tmp_path / "mistyped.xlsx", {(summary.sheet, summary.total.cell): 1500})
    model = read_file(str(path))

    found = [f for f in check_model(model).findings if f.code in ("amount.sum_mismatch", "xref.total_mismatch")]
    assert [(f.code, f.sheet, f.cell, f.expected, f.actual) for f in found] == [
        ("amount.sum_mismatch", summary.sheet, summary.total.cell, Decimal("1594.78"), Decimal("1500.00"))
    ]
    assert found[0].fix is not None and found[0].fix.formula.startswith("SUM(")
    assert found[0].fix.value == Decimal("1594.78")

    report = fill_totals(model)
    assert report.edits == []
    advice = [(f.sheet, f.cell, f.expected) for f in report.findings]
    assert advice == [(summary.sheet, summary.total.cell, Decimal("1594.78"))]
    assert "应为 1500.00" not in "".join(f.message for f in report.findings)

    overwritten = fill_totals(model, overwrite=True)
    assert [(e.sheet, e.cell, e.value) for e in overwritten.edits] == [
        (summary.sheet, summary.total.cell, Decimal("1594.78"))
    ]


def test_fill_applies_the_fixes_the_check_carries(models, tmp_path):
    """A task row whose 总额 does not add up: the check's finding carries the fix, and fill --overwrite
    writes exactly that fix."""
    task = models["004"].forms[0].tasks[0]
    path = patched(example("004"), tmp_path / "task.xlsx", {(task.total.sheet, task.total.cell): 99})
    model = read_file(str(path))
    found = [f for f in check_model(model).findings if f.code == "amount.sum_mismatch"]
    assert [(f.sheet, f.cell) for f in found] == [(task.total.sheet, task.total.cell)]
    assert fill_totals(model, overwrite=True).edits == [found[0].fix]


def test_batch_finds_the_unit_through_the_schema(models):
    from xlperf.batch import unit_of

    assert unit_of(models["000"]) == "株洲市石峰区民政局"
    assert unit_of(models["001"]) == "株洲市芦淞区民政局"
    assert unit_of(models["002"]).startswith("314001民政部门")


def test_docs_rules_md_is_the_catalog():
    """docs/rules.md is made from the catalog: a rule added to the code and not to the doc fails here."""
    from conftest import ROOT

    from xlperf.rules import RULES, markdown

    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert doc == markdown(), "regenerate: xlperf rules --format markdown > docs/rules.md"
    assert all(f"`{r.code}`" in doc for r in RULES)
