"""Layouts xlperf was not built from (tests/layouts.py): every form recognised, clean twins quiet, planted
mistakes found at their cells.

Each layout is built twice (clean and planted), read with ``xlperf.forms.read_file`` and checked with
``xlperf.checks.check_model``. A failure message lists what was expected and missed and what was found
instead, so that it says which part of which layout a reader gets wrong.
"""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from layouts import LAYOUTS, NS, Layout, key_text, sheet_parts
from lxml import etree

TWINS = ("clean", "planted")
MIN_SHARE_FOUND = 0.95


def form_key(form: Any) -> str:
    """The key value of a recognised form, as ``ExpectedForm.key`` writes it."""
    kind = form.kind
    if kind == "dept_target":
        total = form.total.value
        if total is None and form.tasks_total is not None:
            total = form.tasks_total.total.value
        return key_text(total) if total is not None else ""
    if kind == "summary":
        return key_text(form.total.value) if form.total.value is not None else ""
    if kind == "direction":
        return key_text(form.direction.text)
    if kind == "project_target":
        return key_text(form.name.text)
    if kind == "self_eval":
        return key_text(form.annual_budget.value) if form.annual_budget.value is not None else ""
    if kind == "basic_data":
        return key_text(form.title.text)
    return ""


class Outcome:
    """One twin read and checked, or the exception that reading or checking raised."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.error: str | None = None
        self.forms: list[tuple[str, str, str]] = []
        self.findings: list[Any] = []
        try:
            from xlperf.checks import check_model
            from xlperf.forms import read_file

            model = read_file(str(path))
            self.forms = [(f.kind, f.sheet, form_key(f)) for f in model.forms]
            self.findings = list(check_model(model).findings)
        except Exception as exc:  # a reader that raises is a failure to report, not a crash of the suite
            self.error = f"{type(exc).__name__}: {exc}"

    def located(self) -> set[tuple[str, str, str]]:
        return {(f.code, f.sheet, f.cell) for f in self.findings}


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory: pytest.TempPathFactory):
    """Each (layout, twin) built once and read once, on first use."""
    folder = tmp_path_factory.mktemp("layouts")
    cache: dict[tuple[str, str], Outcome] = {}

    def get(name: str, twin: str) -> Outcome:
        if (name, twin) not in cache:
            path = LAYOUTS[name].build(folder / f"{name}-{twin}.xlsx", planted=twin == "planted")
            cache[(name, twin)] = Outcome(path)
        return cache[(name, twin)]

    return get


def show(findings: list[Any]) -> str:
    return (
        "\n".join(f"    {f.severity:7} {f.code:28} {f.sheet}!{f.cell}  {f.message[:70]}" for f in findings)
        or "    (none)"
    )


def show_forms(forms: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"    {k:15} {s!r:40} {key!r}" for k, s, key in forms) or "    (none)"


# ---------------------------------------------------------------------------------- the builders


@pytest.mark.parametrize("twin", TWINS)
@pytest.mark.parametrize("name", list(LAYOUTS))
def test_builds_like_its_program(name: str, twin: str, tmp_path: Path) -> None:
    """The builder runs, and the file is what its program saves: Excel and WPS keep text in the shared-string
    table and a cached value for every formula; openpyxl (a program) writes inline strings and no values."""
    layout: Layout = LAYOUTS[name]
    path = layout.build(tmp_path / f"{name}.xlsx", planted=twin == "planted")
    with zipfile.ZipFile(path) as z:
        assert ("xl/sharedStrings.xml" in z.namelist()) == (layout.program != "program")
        formulas, cached = 0, 0
        for part in sheet_parts(z).values():
            root = etree.fromstring(z.read(part))
            for c in root.iterfind(".//m:c", NS):
                if c.find("m:f", NS) is not None:
                    formulas += 1
                    v = c.find("m:v", NS)
                    cached += v is not None and bool(v.text)  # openpyxl writes an empty <v/>
                if layout.program != "program":
                    assert c.get("t") != "inlineStr", f"{part}!{c.get('r')}: inline string"
        if layout.program == "program":
            assert formulas and not cached, "a program-written workbook has formulas without values"
        else:
            assert cached == formulas, f"{formulas - cached} formulas without a cached value"
        if layout.program == "wps":
            assert "docProps/custom.xml" in z.namelist()
    planted = layout.planted
    if twin == "planted":
        assert 3 <= len(planted) <= 6, f"{name}: {len(planted)} planted mistakes"
    from xlperf.rules import BY_CODE

    unknown = [p.code for p in planted if p.code not in BY_CODE and p.code != "form.partly_read"]
    assert not unknown, f"codes not in the catalog: {unknown}"


def test_every_family_is_planted() -> None:
    wanted = {
        "amount.sum_mismatch", "amount.not_number", "xref.amount_mismatch", "xref.name_mismatch",
        "xref.total_mismatch", "form.missing_field", "indicator.direction", "indicator.bad_value",
        "indicator.placeholder_value", "indicator.empty_value", "indicator.unit_mismatch", "plan.not_monotonic",
        "score.weights_sum", "score.over_weight", "score.total_mismatch", "form.partly_read",
    }  # fmt: skip
    planted = {p.code for layout in LAYOUTS.values() for p in layout.planted}
    assert wanted <= planted, f"never planted: {sorted(wanted - planted)}"
    assert len(LAYOUTS) >= 9


# ------------------------------------------------------------------------------------ the reader


@pytest.mark.parametrize("twin", TWINS)
@pytest.mark.parametrize("name", list(LAYOUTS))
def test_forms_recognised(name: str, twin: str, outcomes) -> None:
    """Every form of the layout is recognised, on its sheet, with its key value; nothing else is."""
    layout = LAYOUTS[name]
    got = outcomes(name, twin)
    assert got.error is None, f"{name} ({twin}): reading raised {got.error}"
    expected = [(f.kind, f.sheet, f.key) for f in (layout.planted_forms if twin == "planted" else layout.forms)]
    missed = [f for f in expected if f not in got.forms]
    extra = [f for f in got.forms if f not in expected]
    assert not missed and not extra and len(got.forms) == len(expected), (
        f"{name} ({twin}): {layout.title_zh}\n  expected and not recognised:\n{show_forms(missed)}\n"
        f"  recognised instead:\n{show_forms(extra)}"
    )


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_clean_twin_is_quiet(name: str, outcomes) -> None:
    """A correct document: no error, no form.* finding, and none of the planted findings."""
    layout = LAYOUTS[name]
    got = outcomes(name, "clean")
    assert got.error is None, f"{name} (clean): reading raised {got.error}"
    wrong = [f for f in got.findings if f.severity == "error" or f.code.startswith("form.")]
    planted = {(p.code, p.sheet, p.cell) for p in layout.planted}
    early = [f for f in got.findings if (f.code, f.sheet, f.cell) in planted and f not in wrong]
    assert not wrong and not early, (
        f"{name} (clean): {layout.title_zh}\n  errors and form findings on a correct document:\n{show(wrong)}\n"
        f"  planted findings firing before they were planted:\n{show(early)}"
    )


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_planted_mistakes_found(name: str, outcomes) -> None:
    """Every planted mistake is found at its cell, and no error fires beyond them."""
    layout = LAYOUTS[name]
    got = outcomes(name, "planted")
    assert got.error is None, f"{name} (planted): reading raised {got.error}"
    located = got.located()
    missed = [p for p in layout.planted if (p.code, p.sheet, p.cell) not in located]
    planted = {(p.code, p.sheet, p.cell) for p in layout.planted}
    extra = [f for f in got.findings if f.severity == "error" and (f.code, f.sheet, f.cell) not in planted]
    same_code = [f for f in got.findings if f.code in {p.code for p in missed}]
    assert not missed and not extra, (
        f"{name} (planted): {layout.title_zh}\n  planted and not found:\n"
        + ("\n".join(f"    {p.code:28} {p.sheet}!{p.cell}  ({p.note})" for p in missed) or "    (none)")
        + f"\n  the same codes found elsewhere:\n{show(same_code)}\n  errors beyond the planted ones:\n{show(extra)}"
    )


def test_share_of_planted_mistakes_found(outcomes) -> None:
    """Over all layouts, at least 95% of the planted mistakes are found at their cells."""
    found, total, missed = 0, 0, []
    for name, layout in LAYOUTS.items():
        located = outcomes(name, "planted").located()
        for p in layout.planted:
            total += 1
            if (p.code, p.sheet, p.cell) in located:
                found += 1
            else:
                missed.append(f"    {name:36} {p.code:28} {p.sheet}!{p.cell}")
    share = Decimal(found) / Decimal(total)
    assert share >= Decimal(str(MIN_SHARE_FOUND)), (
        f"found {found} of {total} planted mistakes ({share:.0%}); missed:\n" + "\n".join(missed)
    )
