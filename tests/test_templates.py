"""The blank official forms of workbook_templates/: current with the code that generates them, laid out as
the official forms, protected with their input cells open, with drop-downs from the indicator framework
and totals as the formulas ``xlperf fill`` writes; and, filled with an example's data, read back exactly
by the readers with the checks finding only what the example's own data carries."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, example
from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from xlperf.book.apply import apply_edits
from xlperf.checks import check_model
from xlperf.evaluate import score_workbook
from xlperf.forms import read_file
from xlperf.labels import LEVEL1
from xlperf.model import Field, Part
from xlperf.scoring import ACHIEVED, NOT_ACHIEVED, PARTIAL, execution_rate
from xlperf.selfeval import self_evaluation_from_targets
from xlperf.templates import GUIDE_SHEET, KINDS, LISTS_SHEET, TEMPLATES
from xlperf.templates.generate import TEMPLATES_DIR, generate
from xlperf.templates.layout import LINE_HEIGHT, lines, span_width
from xlperf.templates.sheet import framework_rows, level2_lists
from xlperf.totals import fill_totals, sum_formula, totals_of

ACTUALS_003 = FIXTURES / "seed003_临时救助专项经费_实际完成值.csv"
FORM_KINDS = {
    "dept": ["dept_target"],
    "special": ["summary", "direction"],
    "project": ["project_target"],
    "selfeval-project": ["self_eval"],
    "selfeval-dept": ["self_eval"],
}


def xlperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=120)


def workbook(data: bytes, data_only: bool = False):
    return load_workbook(io.BytesIO(data), data_only=data_only)


def form_sheets(wb):
    return [ws for ws in wb.worksheets if ws.title not in (GUIDE_SHEET, LISTS_SHEET)]


# --- the filled templates, shared by the tests ------------------------------------------------------------------


def scored_selfeval_003(tmp: Path):
    """Seed 003's project 临时救助专项经费 with invented year-end actuals, as ``xlperf score --actuals`` makes it."""
    raw = tmp / "selfeval_003.xlsx"
    self_evaluation_from_targets(read_file(str(example("003"))), str(ACTUALS_003), str(raw))
    scored = tmp / "selfeval_003_scored.xlsx"
    apply_edits(raw, score_workbook(read_file(str(raw))).edits, scored)
    return read_file(str(scored))


@pytest.fixture(scope="module")
def filled(tmp_path_factory, models):
    """Each template filled with an example's data: case → (template kind, source model, source forms, file)."""
    tmp = tmp_path_factory.mktemp("filled")
    seed002 = models["002"]
    cases = {
        "dept": ("dept", models["000"], models["000"].of_kind("dept_target")),
        "special": ("special", models["000"], models["000"].of_kind("summary") + models["000"].of_kind("direction")),
        "project": ("project", seed002, [p for p in seed002.of_kind("project_target") if p.sheet.startswith("2.")]),
        "selfeval-dept": ("selfeval-dept", models["001"], models["001"].of_kind("self_eval")),
    }
    source = scored_selfeval_003(tmp)
    cases["selfeval-project"] = ("selfeval-project", source, source.of_kind("self_eval"))
    out = {}
    for case, (kind, model, forms) in cases.items():
        path = tmp / f"{case}.xlsx"
        path.write_bytes(generate(kind, content=forms))
        out[case] = (kind, model, forms, path)
    return out


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    return {kind: TEMPLATES_DIR / TEMPLATES[kind][0] for kind in KINDS}


# --- committed and deterministic ---------------------------------------------------------------------------------


def canonical_parts(data: bytes) -> dict[str, object]:
    """A package's parts as what they say — XML as its elements, attributes and text — whatever serialiser
    wrote them (openpyxl writes through lxml or the standard library, which place namespaces differently)."""

    def tree(e) -> tuple:
        children = tuple(tree(c) for c in e)
        return (e.tag, tuple(sorted(e.attrib.items())), (e.text or "").strip(), (e.tail or "").strip(), children)

    out: dict[str, object] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            body = z.read(name)
            out[name] = tree(etree.fromstring(body)) if name.endswith((".xml", ".rels")) else body
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_committed_templates_are_current(kind):
    path = TEMPLATES_DIR / TEMPLATES[kind][0]
    assert path.exists(), f"{path.name} is missing: run python -m xlperf.templates"
    fresh = generate(kind)
    if fresh != path.read_bytes():
        assert canonical_parts(fresh) == canonical_parts(path.read_bytes()), (
            f"workbook_templates/{path.name} is stale: run python -m xlperf.templates"
        )


@pytest.mark.parametrize("kind", KINDS)
def test_generation_gives_the_same_bytes_every_time(kind):
    assert generate(kind) == generate(kind)
    assert generate(kind, "2025", "某县民政局") == generate(kind, "2025", "某县民政局")


# --- recognised, and laid out as the official forms -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_template_is_the_form_it_names(kind, blank):
    model = read_file(str(blank[kind]))
    assert [f.kind for f in model.forms] == FORM_KINDS[kind]
    assert model.unrecognized == []
    wb = load_workbook(blank[kind])
    assert wb.sheetnames[-2:] == [GUIDE_SHEET, LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden" and wb[GUIDE_SHEET].sheet_state == "visible"
    assert wb.active.title == wb.sheetnames[0]
    guide = " ".join(str(c.value) for row in wb[GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "万元" in guide and "自动计算" in guide and "xlperf check" in guide


@pytest.mark.parametrize("kind", KINDS)
def test_official_look(kind, blank):
    wb = load_workbook(blank[kind])
    for ws in form_sheets(wb):
        width = ws.max_column
        title = next(c for row in ws.iter_rows(max_row=3) for c in row if c.font.sz and c.font.sz >= 16)
        assert title.value.startswith("____年") and title.value.endswith("表"), title.value
        assert f"A{title.row}:{get_column_letter(width)}{title.row}" in {str(r) for r in ws.merged_cells.ranges}
        assert title.alignment.horizontal == "center" and title.font.b and title.font.sz >= 16
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert fonts == {"宋体"}
        header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value in ("一级指标", "名称"))
        for col in range(2, width + 1):
            border = ws.cell(header, col).border
            assert {border.left.style, border.right.style, border.top.style, border.bottom.style} == {"thin"}
        signature = [c.value for c in ws[ws.max_row] if c.value]
        assert signature == ["单位负责人签字：", "填表人：", "联系电话："]
        setup = ws.page_setup
        assert int(setup.paperSize) == 9 and setup.fitToWidth == 1 and setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows and ws.print_title_rows.startswith("$1:$")
        assert ws.freeze_panes and ws.freeze_panes != "A1"
        assert ws.protection.sheet and not ws.protection.password


@pytest.mark.parametrize("kind", KINDS)
def test_column_widths_fit_the_labels(kind, blank):
    """A label (locked, not a block label merged down its rows) wraps to at most two lines, and its row is
    high enough for them."""
    wb = load_workbook(blank[kind])
    for ws in form_sheets(wb):
        spans = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for cell in row:
                label = isinstance(cell.value, str) and not cell.value.startswith("=")
                if not label or not cell.protection.locked or cell.font.sz >= 16:
                    continue
                merged = spans.get((cell.row, cell.column))
                if merged is not None and merged.max_row > merged.min_row:
                    continue  # a block label: it has its block's rows
                span = merged.max_col - merged.min_col + 1 if merged else 1
                n = lines(cell.value, span_width(ws, cell.column, span))
                assert n <= 2, (ws.title, cell.coordinate, cell.value)
                height = ws.row_dimensions[cell.row].height or LINE_HEIGHT
                assert height >= n * LINE_HEIGHT, (ws.title, cell.coordinate, cell.value)


# --- input cells open, labels and totals protected ---------------------------------------------------------------


def unlocked_values(ws) -> list:
    return [c.value for row in ws.iter_rows() for c in row if not c.protection.locked and c.value is not None]


@pytest.mark.parametrize("kind", KINDS)
def test_a_blank_template_prefills_only_what_the_clerk_may_change(kind, blank):
    """Unlocked cells of a blank form hold only the title (its year), 序号 1–5, the framework's 一级/二级 rows, the
    执行率 分值 (10) and the signature labels; every other filled cell is a locked label or formula."""
    wb = load_workbook(blank[kind])
    framework = {name for pair in framework_rows() for name in pair}
    for ws in form_sheets(wb):
        for value in unlocked_values(ws):
            assert (
                value in framework
                or value in (1, 2, 3, 4, 5, 10)
                or "____年" in str(value)
                or value in ("单位负责人签字：", "填表人：", "联系电话：")
            ), (ws.title, value)
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    assert c.protection.locked, (ws.title, c.coordinate)


@pytest.mark.parametrize("case", ["dept", "special", "project", "selfeval-dept", "selfeval-project"])
def test_what_the_clerk_fills_in_lands_in_unlocked_cells(case, filled):
    _, _, _, path = filled[case]
    wb = load_workbook(path)
    computed = set(computed_cells(wb))
    for form in read_file(str(path)).forms:
        for field in fields_of(form):
            if field.empty or not field.cell or (field.sheet, field.cell) in computed:
                continue
            assert not wb[field.sheet][field.cell].protection.locked, (field.sheet, field.cell, field.value)
    for sheet, cell in computed:
        assert wb[sheet][cell].protection.locked


def computed_cells(wb) -> list[tuple[str, str]]:
    return [
        (ws.title, c.coordinate)
        for ws in form_sheets(wb)
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]


def fields_of(obj) -> list[Field]:
    if isinstance(obj, Field):
        return [obj]
    if isinstance(obj, list):
        return [f for x in obj for f in fields_of(x)]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        skip = ("title",)
        return [f for fld in dataclasses.fields(obj) if fld.name not in skip for f in fields_of(getattr(obj, fld.name))]
    return []


# --- drop-downs ---------------------------------------------------------------------------------------------------


def validations(ws) -> dict[str, set[str]]:
    """List formula → the cells it applies to."""
    out: dict[str, set[str]] = {}
    for dv in ws.data_validations.dataValidation:
        cells = out.setdefault(dv.formula1, set())
        for rng in dv.sqref.ranges:
            c1, r1, c2, r2 = range_boundaries(str(rng))
            cells |= {f"{get_column_letter(c)}{r}" for c in range(c1, c2 + 1) for r in range(r1, r2 + 1)}
    return out


def test_the_lists_come_from_the_framework_and_the_scoring_grades(blank):
    wb = load_workbook(blank["selfeval-dept"])
    lists = wb[LISTS_SHEET]

    def named(name: str) -> list[str]:
        sheet, ref = wb.defined_names[name].attr_text.split("!")
        assert sheet.strip("'") == LISTS_SHEET
        return [c.value for row in lists[ref.replace("$", "")] for c in row]

    assert named("xlperf_一级指标") == list(LEVEL1)
    for level1, level2 in level2_lists().items():
        assert named(level1) == list(level2) and level2
    assert "经济成本指标" in named("成本指标") and "数量指标" in named("产出指标")
    assert named("xlperf_指标属性") == ["定量", "定性"]
    assert named("xlperf_指标方向") == ["正向", "反向", "等于"]
    assert named("xlperf_完成等级") == [ACHIEVED, PARTIAL, NOT_ACHIEVED]


@pytest.mark.parametrize("kind", KINDS)
def test_drop_downs_on_every_indicator_row(kind, blank):
    wb = load_workbook(blank[kind])
    model = read_file(str(blank[kind]))
    for form in model.forms:
        block = getattr(form, "indicators", None)
        if block is None:
            continue
        dvs = validations(wb[form.sheet])
        rows = block.indicators
        assert len(rows) == len(framework_rows())
        assert {i.level1.cell for i in rows} <= dvs["xlperf_一级指标"]
        first = rows[0].level1.cell
        level2 = dvs[f"INDIRECT(${first[0]}{first[1:]})"]
        assert {i.level2.cell for i in rows} <= level2
        assert {i.attribute.cell for i in rows} <= dvs["xlperf_指标属性"]
        assert {i.direction.cell for i in rows} <= dvs["xlperf_指标方向"]
        if kind.startswith("selfeval"):
            assert {i.grade.cell for i in rows} <= dvs["xlperf_完成等级"]
        if kind == "special" and form.kind == "direction":
            assert {i.standard.cell for i in rows} <= dvs["xlperf_绩效标准"]


# --- totals: the formulas xlperf fill writes, with the numbers xlperf computes ----------------------------------


@pytest.mark.parametrize("case", ["dept", "special", "project", "selfeval-dept", "selfeval-project"])
def test_totals_are_the_formulas_xlperf_fill_writes(case, filled):
    _, _, _, path = filled[case]
    model = read_file(str(path))
    report = fill_totals(model)
    assert report.edits == [] and report.findings == []  # every total already holds what xlperf computes
    wb = load_workbook(path)
    for total in totals_of(model):
        if total.total.cell:
            parts = [p for p in total.parts if p.cell]
            assert wb[total.total.sheet][total.total.cell].value == "=" + sum_formula(parts, total.total.sheet)


@pytest.mark.parametrize("case", ["selfeval-dept", "selfeval-project"])
def test_rate_and_total_score_are_live(case, filled):
    _, _, _, path = filled[case]
    ev = read_file(str(path)).of_kind("self_eval")[0]
    wb = load_workbook(path)
    ws = wb[ev.sheet]
    assert ws[ev.rate.cell].value == f'=IF({ev.annual_budget.cell}>0,{ev.executed.cell}/{ev.annual_budget.cell},"")'
    assert ws[ev.rate.cell].number_format == "0.00%"
    assert ev.rate.value == execution_rate(ev)
    scores = [i.score.value for i in ev.indicators.filled if i.score.value is not None]
    weights = [i.weight.value for i in ev.indicators.filled if i.weight.value is not None]
    assert ev.total_score.value == ev.rate_score.value + sum(scores)
    assert ev.total_weight.value == ev.rate_weight.value + sum(weights) == 100
    assert str(ws[ev.total_score.cell].value).startswith(f"={ev.rate_score.cell}+SUM(")


@pytest.mark.parametrize("case", ["dept", "special", "project", "selfeval-dept"])
def test_amounts_are_in_wan_yuan_to_the_cent(case, filled):
    from xlperf.checks.amount import amount_fields

    _, _, _, path = filled[case]
    wb = load_workbook(path)
    for form in read_file(str(path)).forms:
        for _, field in amount_fields(form):
            if field.cell:
                assert wb[field.sheet][field.cell].number_format == "0.00", (field.sheet, field.cell)


# --- round trip: filled with an example's data, read back exactly -------------------------------------------------


def facts(obj, computed: dict[str, object] | None = None, name: str = ""):
    """The values of a form (not where they are): Fields as values, parts as {label: amount} without the
    empty ones (a form may print a part the other leaves out)."""
    if isinstance(obj, Field):
        return obj.value
    if isinstance(obj, list) and all(isinstance(p, Part) for p in obj) and name in ("income", "spending"):
        return {p.label: p.amount.value for p in obj if p.amount.value is not None}
    if isinstance(obj, list):
        return [facts(x) for x in obj]
    if isinstance(obj, dict):
        return {k: facts(v) for k, v in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        skip = ("sheet", "row", "header_row", "columns")
        fields = [f.name for f in dataclasses.fields(obj) if f.name not in skip]
        out = {n: facts(getattr(obj, n), name=n) for n in fields}
        return {**out, **(computed or {})}
    return obj


# What each example's own data carries, as the checks report it on the filled template (the template's
# cells); only seed 001's 执行率 differs from the example, being computed (4532.05 / 4532.05 = 100%, where the
# document printed 99.11%, 全年执行数 / 年初预算数): its score.rate_basis finding is gone.
EXPECTED_FINDINGS = {
    "dept": [("indicator.duplicate", "部门整体支出绩效目标表", "D32")],
    "special": [
        ("amount.text_calc_mismatch", "附表3 (10)", "F20"),
        ("indicator.placeholder_value", "附表3 (12)", "E11"),
        ("indicator.placeholder_value", "附表3 (6)", "E11"),
        ("indicator.placeholder_value", "附表3 (7)", "E11"),
        ("indicator.placeholder_value", "附表3 (7)", "E15"),
        ("xref.goal_mismatch", "附表3 (2)", "B7"),
        ("xref.goal_mismatch", "附表3 (3)", "B8"),
        ("xref.goal_mismatch", "附表3 (4)", "B7"),
        ("xref.name_mismatch", "附表3 (10)", "B4"),
        ("xref.name_mismatch", "附表3 (6)", "B4"),
    ],
    "project": [("indicator.placeholder_value", "2.人事代理专项补助", "F14")],
    "selfeval-dept": [
        ("amount.sum_mismatch", "附件3", "F7"),
        ("amount.sum_mismatch", "附件3", "M7"),
        ("indicator.misfiled", "附件3", "D24"),  # 政策知晓率 under 服务对象满意度, as seed 001 files it
        ("indicator.placeholder_value", "附件3", "E28"),
        ("indicator.placeholder_value", "附件3", "E29"),
        ("indicator.unit_mismatch", "附件3", "K15"),
        ("score.manual_needed", "附件3", "M15"),
        ("score.manual_needed", "附件3", "M28"),
        ("score.mismatch", "附件3", "M16"),
        ("score.mismatch", "附件3", "M17"),
        ("score.mismatch", "附件3", "M24"),
        ("score.mismatch", "附件3", "M5"),
        ("score.reason_missing", "附件3", "M5"),
        ("score.reason_missing", "附件3", "N14"),
        ("score.reason_missing", "附件3", "N16"),
        ("score.reason_missing", "附件3", "N17"),
        ("score.reason_missing", "附件3", "N19"),
        ("score.reason_missing", "附件3", "N24"),
    ],
    # 执行率 19.56 / 20.00 = 97.80%: its score 9.78 is below the 分值 10, which asks for a reason.
    "selfeval-project": [("score.reason_missing", "临时救助专项经费", "M6")],
}
GONE = {"selfeval-dept": Counter({"score.rate_basis": 1})}


@pytest.mark.parametrize("case", ["dept", "special", "project", "selfeval-dept", "selfeval-project"])
def test_filled_template_reads_back_exactly(case, filled):
    _, _, forms, path = filled[case]
    read = read_file(str(path))
    assert read.unrecognized == []
    assert [f.kind for f in read.forms] == [f.kind for f in forms]
    for source, back in zip(forms, read.forms, strict=True):
        computed = {}
        if case == "selfeval-dept":
            computed = {"rate": Decimal("4532.05") / Decimal("4532.05")}
            assert source.rate.value == Decimal("0.9911")
        assert facts(back) == facts(source, computed), back.sheet


@pytest.mark.parametrize("case", ["dept", "special", "project", "selfeval-dept", "selfeval-project"])
def test_checks_find_only_what_the_example_carries(case, filled):
    _, model, forms, path = filled[case]
    from rule_cases import REVIEW_CODES  # judgements of substance: tested on the examples in their own files

    found = [f for f in check_model(read_file(str(path))).findings if f.code not in REVIEW_CODES]
    assert sorted((f.code, f.sheet, f.cell) for f in found) == sorted(EXPECTED_FINDINGS[case])
    sheets = {f.sheet for f in forms}
    in_example = Counter(
        f.code for f in check_model(model).findings if f.sheet in sheets and f.code not in REVIEW_CODES
    )
    assert Counter(f.code for f in found) == in_example - GONE.get(case, Counter())


def test_the_seed003_self_evaluation_is_plausibly_scored(filled):
    path = filled["selfeval-project"][3]
    ev = read_file(str(path)).of_kind("self_eval")[0]
    assert ev.unit.text == "临时救助专项经费" and ev.executed.value == Decimal("19.56")
    assert ev.total_score.value == Decimal("99.08") and ev.grade.text == "优"
    by_name = {i.name.text: i for i in ev.indicators.filled}
    assert by_name["救助人数"].score.value == Decimal("9.52")  # 2380 of 2500 people, weight 10
    assert by_name["困难群众生活水平"].grade.text == ACHIEVED


# --- the command ---------------------------------------------------------------------------------------------------


def test_template_command_writes_each_kind(tmp_path):
    for kind in KINDS:
        out = tmp_path / f"{kind}.xlsx"
        run = xlperf("template", kind, "--output", str(out), "--year", "2025", "--unit", "某县民政局")
        assert run.returncode == 0, run.stderr
        assert out.read_bytes() == generate(kind, "2025", "某县民政局")
        model = read_file(str(out))
        assert [f.kind for f in model.forms] == FORM_KINDS[kind]
        assert model.forms[0].title.text.startswith("2025年")


def test_template_command_fills_the_unit(tmp_path):
    out = tmp_path / "dept.xlsx"
    assert xlperf("template", "dept", "--output", str(out), "--unit", "某县民政局").returncode == 0
    assert read_file(str(out)).forms[0].dept_name.text == "某县民政局"


def test_template_command_does_not_overwrite_unasked(tmp_path):
    out = tmp_path / "mine.xlsx"
    out.write_bytes(b"the clerk's own file")
    run = xlperf("template", "project", "--output", str(out))
    assert run.returncode == 2 and "--overwrite" in run.stderr
    assert out.read_bytes() == b"the clerk's own file"
    assert xlperf("template", "project", "--output", str(out), "--overwrite").returncode == 0
    assert read_file(str(out)).forms[0].kind == "project_target"


def test_template_command_lists_the_kinds():
    run = xlperf("template", "--help")
    assert run.returncode == 0
    for kind in (*KINDS, "add-direction"):
        assert kind in run.stdout


def test_python_m_xlperf_templates_rewrites_the_folder(tmp_path):
    from xlperf.templates.generate import write_all

    paths = write_all(tmp_path)
    assert sorted(p.name for p in paths) == sorted(name for name, _ in TEMPLATES.values())
    for path in paths:
        assert path.read_bytes() == (ROOT / "workbook_templates" / path.name).read_bytes() or canonical_parts(
            path.read_bytes()
        ) == canonical_parts((ROOT / "workbook_templates" / path.name).read_bytes())
