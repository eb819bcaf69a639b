"""Reading each example gives the seed's data exactly: every field compared with the data table the
example was built from, and the published totals asserted as numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import example, seed_data
from openpyxl import load_workbook

from xlperf.model import DepartmentTarget, Field, ProjectTarget, SelfEvaluation, SpendingDirection


def d(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def t(field: Field) -> str:
    return field.text


def only(model, kind):
    forms = model.of_kind(kind)
    assert len(forms) == 1, f"expected one {kind}, found {len(forms)}"
    return forms[0]


def indicator_rows(block, *columns: str) -> list[tuple]:
    return [(ind.level1.text, ind.level2.text, *(t(getattr(ind, c)) for c in columns)) for ind in block.indicators]


# --- seed 000: department table, 附表2 and 12 × 附表3 ---------------------------------------------------


def test_seed000_department_table(models):
    data = seed_data("000")["dept_table"]
    dept: DepartmentTarget = only(models["000"], "dept_target")
    assert t(dept.dept_name) == data["dept_name"]
    assert dept.total.value == Decimal("1786.46")
    assert {p.label: p.amount.value for p in dept.income} == {k: d(v) for k, v in data["income"]}
    assert {p.label: p.amount.value for p in dept.spending} == {k: d(v) for k, v in data["spending"]}
    assert t(dept.duties) == data["duties"]
    assert [(t(w.item), t(w.owner), t(w.goal)) for w in dept.work_plan] == [
        (w["item"], w["owner"], w["goal"]) for w in data["work_plan"]
    ]
    assert indicator_rows(dept.indicators, "name", "target") == [
        (i["l1"], i["l2"], i["l3"], i["value"]) for i in data["indicators"]
    ]


def test_seed000_summary_has_12_rows_adding_up_to_its_total(models):
    data = seed_data("000")["summary"]
    summary = only(models["000"], "summary")
    assert len(summary.rows) == 12
    assert sum(r.amount.value for r in summary.rows) == Decimal("1594.78")
    assert summary.total.value == Decimal("1594.78")
    assert [(t(r.no), t(r.name), r.amount.value, t(r.period_goal), t(r.annual_goal)) for r in summary.rows] == [
        (r["no"], r["name"], d(r["amount"]), r["period_goal"], r["annual_goal"]) for r in data["rows"]
    ]


def test_seed000_each_direction_sheet_reads_as_published(models):
    data = seed_data("000")["directions"]
    directions: list[SpendingDirection] = models["000"].of_kind("direction")
    assert len(directions) == 12
    for sheet, expected in zip(directions, data, strict=True):
        assert t(sheet.direction) == expected["direction"]
        assert t(sheet.special) == expected["special"]
        assert sheet.project_amount.value == d(expected["project_amount"])
        assert sheet.amount.value == d(expected["amount"])
        assert (t(sheet.period), t(sheet.period_goal), t(sheet.annual_goal)) == (
            expected["period"],
            expected["period_goal"],
            expected["annual_goal"],
        )
        assert indicator_rows(sheet.indicators, "name", "target", "standard") == [
            (i["l1"], i["l2"], i["l3"], i["value"], i["standard"]) for i in expected["indicators"]
        ]
        assert [(t(r.intro), t(r.detail), r.amount.value, t(r.basis)) for r in sheet.details] == [
            (r["intro"], r["detail"], d(r["amount"]), r["basis"]) for r in expected["details"]
        ]
        assert sheet.details_total.value == d(expected["details_total"])


# The two directions whose 附表3 is named differently from its 附表2 row (real mistakes in seed 000).
RENAMED = {"特困人员集中供养兜底保障经费": "特困供养人员兜底\n保障经费", "经开区-民政救助资金": "经开区-民政救助专项"}


def test_seed000_each_direction_amount_equals_its_summary_row(models):
    rows = {t(r.name): r.amount.value for r in only(models["000"], "summary").rows}
    for sheet in models["000"].of_kind("direction"):
        name = t(sheet.direction)
        assert sheet.project_amount.value == rows[RENAMED.get(name, name)], name


def test_fields_point_at_their_cells(models):
    summary = only(models["000"], "summary")
    first = summary.rows[0]
    assert first.amount.sheet == "附表2"
    assert first.amount.cell[0] == "C"  # 金额 is the third column of 附表2
    assert int(first.amount.cell[1:]) == first.row
    direction = models["000"].of_kind("direction")[0]
    assert direction.indicators.indicators[0].target.sheet == direction.sheet


# --- seed 001: 附件2 基础数据表 and 附件3 自评表 -----------------------------------------------------------


def test_seed001_self_evaluation(models):
    data = seed_data("001")["selfeval"]
    ev: SelfEvaluation = only(models["001"], "self_eval")
    assert t(ev.unit) == "株洲市芦淞区民政局"
    funds = data["funds"]
    assert (ev.initial_budget.value, ev.annual_budget.value, ev.executed.value) == (
        d(funds["年初预算数"]),
        d(funds["全年预算数"]),
        d(funds["全年执行数"]),
    )
    assert ev.rate.value == Decimal("0.9911")
    assert (ev.rate_weight.value, ev.rate_score.value) == (10, 9)
    assert {p.label: p.amount.value for p in ev.income} == {
        "一般公共预算": Decimal("3219.95"),
        "政府性基金拨款": Decimal("205.49"),
        "纳入专户管理的非税收入拨款": None,
        "其他资金": Decimal("1056.85"),
    }
    assert {p.label: p.amount.value for p in ev.spending} == {
        "基本支出": Decimal("306.91"),
        "项目支出": Decimal("4175.33"),
    }
    assert (t(ev.goal_expected), t(ev.goal_actual)) == (data["goal_expected"], data["goal_actual"])
    assert [
        (i.level1.text, i.level2.text, t(i.name), t(i.target), t(i.actual), i.weight.value, i.score.value, t(i.reason))
        for i in ev.indicators.indicators
    ] == [
        (i["l1"], i["l2"], i["l3"], i["target"], i["actual"], d(i["weight"]), d(i["score"]), i["reason"])
        for i in data["indicators"]
    ]


def test_seed001_weights_and_total_as_published(models):
    ev: SelfEvaluation = only(models["001"], "self_eval")
    filled = ev.indicators.filled
    assert len(filled) == 14
    assert sum(i.weight.value for i in filled) == 90
    assert ev.rate_weight.value == 10
    assert ev.total_weight.value == 100
    assert ev.total_score.value == 94
    assert ev.rate_score.value + sum(i.score.value for i in filled) == 94
    assert ev.indicators.level1_weights == {"产出指标": 40, "效益指标": 20, "满意度指标": 10, "成本指标": 20}


def test_seed001_basic_data(models):
    data = seed_data("001")["basic"]
    basic = only(models["001"], "basic_data")
    assert (basic.staff_quota.value, basic.staff_actual.value, basic.staff_rate.value) == (12, 12, 1)
    assert basic.cost_header == data["cost_header"]
    assert [(t(r.label), [v.raw if v.value is None else v.value for v in r.values]) for r in basic.cost_rows] == [
        (r["label"], [d(v) if v not in ("", "——") else (v or None) for v in r["values"]]) for r in data["cost_rows"]
    ]


# --- seed 002: project tables ------------------------------------------------------------------------


def test_seed002_project_tables(models):
    data = {p["no"]: p for p in seed_data("002")["projects"]}
    projects: list[ProjectTarget] = models["002"].of_kind("project_target")
    numbers = [p.title.text.split(".")[0] for p in projects]
    assert numbers == [str(n) for n in range(1, 37)]
    for project, no in zip(projects, numbers, strict=True):
        expected = data[no]
        assert t(project.unit_line) == expected["unit_line"]
        assert (t(project.code), t(project.name)) == (expected["code"], expected["name"])
        assert (project.budget.value, project.fiscal.value, project.other.value) == (
            d(expected["budget"]),
            d(expected["fiscal"]),
            d(expected["other"]),
        )
        assert t(project.purpose) == expected["purpose"]
        assert [p.label for p in project.plan] == ["3月底", "6月底", "10月底", "12月底"]
        assert [p.percent.raw or "" for p in project.plan] == expected["plan"]
        assert t(project.goal) == expected["goal"]
        assert indicator_rows(project.indicators, "name", "description", "target", "basis") == [
            (i["l1"], i["l2"], i["l3"], i["desc"], i["value"], i["basis"]) for i in expected["indicators"]
        ]


def test_seed002_plan_percentages_are_fractions(models):
    table2 = next(p for p in models["002"].of_kind("project_target") if p.title.text.startswith("2."))
    assert [p.percent.value for p in table2.plan] == [Decimal("0.25"), Decimal("0.5"), Decimal("0.83"), 1]


# --- seed 003: key projects and the department-wide set, with 分值 and 评(扣)分标准 --------------------------


def indicator003(block) -> list[tuple]:
    return [
        (
            i.level1.text,
            i.level2.text,
            t(i.name),
            t(i.target),
            t(i.unit),
            t(i.attribute),
            i.weight.value,
            t(i.rule),
            t(i.description),
        )
        for i in block.indicators
    ]


def expected003(indicators) -> list[tuple]:
    return [
        (i["l1"], i["l2"], i["l3"], i["value"], i["unit"], i["attr"], d(i["weight"]), i["rule"], i["content"])
        for i in indicators
    ]


def test_seed003_projects(models):
    data = seed_data("003")
    projects: list[ProjectTarget] = models["003"].of_kind("project_target")
    assert len(projects) == 13
    for project, expected in zip(projects, data["projects"], strict=True):
        assert t(project.name) == expected["name"]
        assert project.budget.value == d(expected["amount"])
        assert indicator003(project.indicators) == expected003(expected["indicators"])
        assert sum(i.weight.value for i in project.indicators.filled) == 90


def test_seed003_project_total_line_opens_the_project_tables(models):
    line = seed_data("003")["project_total_line"]
    assert line == "个旧市民政局2022项目安排13项3830.65万元"
    wb = load_workbook(example("003"), read_only=True)
    first = models["003"].of_kind("project_target")[0]
    assert first.sheet == wb.sheetnames[1]  # the first project table, right after the department-wide set
    assert wb[first.sheet]["A1"].value == line  # above its title, outside the table, as the seed prints it
    assert first.title.cell == "A2" and first.budget.value == d(seed_data("003")["projects"][0]["amount"])
    assert sum(str(c.value).count(line) for ws in wb for row in ws.iter_rows() for c in row if c.value) == 1
    assert models["003"].unrecognized == []


def test_seed003_department_set(models):
    data = seed_data("003")["department"]
    dept: DepartmentTarget = only(models["003"], "dept_target")
    assert t(dept.dept_name) == "个旧市民政局"
    assert indicator003(dept.indicators) == expected003(data["indicators"])
    assert sum(i.weight.value for i in dept.indicators.filled) == 85


# --- seed 004: department table with tasks ------------------------------------------------------------


def test_seed004_tasks_add_up_to_total(models):
    data = seed_data("004")
    dept: DepartmentTarget = only(models["004"], "dept_target")
    assert dept.layout == "tasks"
    assert t(dept.dept_name) == "乌尔禾区民政局"
    assert len(dept.tasks) == 20
    assert dept.tasks[-1].total.value == Decimal("124.06")
    assert "保障部门正常运转" in t(dept.tasks[-1].name)
    assert sum(task.total.value for task in dept.tasks) == Decimal("182.36")
    assert dept.tasks_total.total.value == Decimal("182.36")
    assert [(t(x.name), t(x.content), x.total.value, x.fiscal.value, x.other.value) for x in dept.tasks] == [
        (x["name"], x["content"], d(x["total"]), d(x["fiscal"]), d(x["other"])) for x in data["tasks"]
    ]
    assert t(dept.overall_goal) == data["goal"]
    assert indicator_rows(dept.indicators, "name", "target") == [
        (i["l1"], i["l2"], i["l3"], i["value"]) for i in data["indicators"]
    ]


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_every_sheet_of_every_example_is_recognised(models, seed):
    assert models[seed].unrecognized == []
    assert len(models[seed].forms) == len(models[seed].sheet_names)
