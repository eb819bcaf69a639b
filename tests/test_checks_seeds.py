"""The checks on the examples as published: the real mistakes of the five documents are found, and the
rules stay quiet where the documents are right."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from conftest import seed_data

from xlperf.checks import check_model


@pytest.fixture(scope="session")
def reports(models):
    return {seed: check_model(model) for seed, model in models.items()}


def of(report, code):
    return [f for f in report.findings if f.code == code]


def test_seed000_two_directions_named_differently(reports):
    found = of(reports["000"], "xref.name_mismatch")
    assert sorted((f.expected, f.actual) for f in found) == [
        ("特困供养人员兜底\n保障经费", "特困人员集中供养兜底保障经费"),
        ("经开区-民政救助专项", "经开区-民政救助资金"),
    ]


def test_seed000_directions_and_amounts_tie(reports):
    codes = Counter(reports["000"].codes())
    for code in ("xref.amount_mismatch", "xref.missing_sheet", "xref.orphan_sheet", "amount.sum_mismatch",
                 "xref.total_mismatch", "xref.duplicate"):  # fmt: skip
        assert codes[code] == 0, code


def test_seed000_pairing_and_its_basis(reports, models):
    pairings = reports["000"].pairings
    assert len(pairings) == 12
    assert Counter(p.basis for p in pairings) == {"exact": 10, "similarity": 2}
    assert {p.sheet for p in pairings} == {f.sheet for f in models["000"].of_kind("direction")}


def test_seed000_itemised_calculation_that_does_not_add_up(reports, models):
    found = of(reports["000"], "amount.text_calc_mismatch")
    sheets = {d.sheet: d.direction.text for d in models["000"].of_kind("direction")}
    assert [(sheets[f.sheet], f.expected, f.actual) for f in found] == [
        ("经开区-民政救助资金", Decimal("174.57"), Decimal("135.57"))  # 92.63 + 35.41 + 4.83 + 2.7
    ]  # and none on 经开区-民政事务专项, whose 52.38 + 45.23 = 97.61


def test_seed001_parts_of_the_budget_do_not_add_up(reports):
    found = of(reports["001"], "amount.sum_mismatch")
    assert sorted((f.expected, f.actual) for f in found) == [
        (Decimal("4532.05"), Decimal("4482.24")),  # 306.91 + 4175.33
        (Decimal("4532.05"), Decimal("4482.29")),  # 3219.95 + 205.49 + 1056.85
    ]
    assert all(f.sheet == "附件3" for f in found)


def test_seed001_target_in_times_actual_in_percent(reports, models):
    found = of(reports["001"], "indicator.unit_mismatch")
    ev = models["001"].of_kind("self_eval")[0]
    row = next(i for i in ev.indicators.indicators if i.name.text == "各乡镇定期上报各类救助对象异动情况")
    assert [(f.sheet, f.cell) for f in found] == [(row.actual.sheet, row.actual.cell)]


def test_seed002_example_holds_all_36_project_tables(models):
    numbers = [p.title.text.split(".")[0] for p in models["002"].of_kind("project_target")]
    assert numbers == [str(n) for n in range(1, 37)]
    assert models["002"].unrecognized == []


def test_seed002_rates_written_at_most_100_percent(reports, models):
    # of the 36 tables only 34–36 write a rate as "≤100%" (the "≥100%" and 成本 "≥…" values are in
    # tests/test_review_indicator_values.py)
    found = [f for f in of(reports["002"], "indicator.direction") if str(f.actual).startswith("≤")]
    names = {(i.target.sheet, i.target.cell): i.name.text for p in models["002"].forms for i in p.indicators.indicators}
    assert sorted(names[(f.sheet, f.cell)] for f in found) == sorted([
        "车辆到期续保及时率",  # table 34
        "工资及保险发放准确率", "资金支付及时率", "满意度人员占总职工人数",  # table 35
        "特困人员就医及时性率", "特困人员满意程度",  # table 36
    ])  # fmt: skip
    assert {f.sheet.split(".")[0] for f in found} == {"34", "35", "36"}


def test_seed002_yes_no_values_are_placeholders(reports, models):
    yes_no = [
        (i.target.sheet, i.target.cell) for p in models["002"].forms for i in p.indicators.indicators
        if i.target.text == "是/否"
    ]  # fmt: skip
    found = {(f.sheet, f.cell) for f in of(reports["002"], "indicator.placeholder_value")}
    assert len(yes_no) == 85 and set(yes_no) <= found


def test_seed002_placeholders_other_than_yes_no(reports):
    found = [f for f in of(reports["002"], "indicator.placeholder_value") if f.actual != "是/否"]
    assert sorted((int(f.sheet.split(".")[0]), f.cell, f.actual) for f in found) == [
        (5, "E15", "促进国有企业公平参与市场竞争"),  # the 三级 name copied as its value
        (6, "E14", "年度内补贴孤儿人数"),  # what is counted, not how many
        (7, "E10", "按照数量改造"),  # a 数量指标 with no quantity
        (8, "E14", "年度内补贴孤儿人数"),
        (9, "E15", "促进国有企业公平参与市场竞争"),
        (10, "E10", "人数"),  # the count's unit word instead of a number
        (12, "E10", "按照标准发放"),
        (14, "E15", "促进国有企业公平参与市场竞争"),
        (16, "E10", "人数"),
        (18, "E14", "年度内补贴孤儿人数"),
        (19, "E10", "按照数量改造"),
        (20, "E10", "人数"),
        (21, "E10", "人数"),
        (25, "E15", "促进国有企业公平参与市场竞争"),
        (26, "E15", "促进国有企业公平参与市场竞争"),
        (27, "E10", "发放符合条件的养老机构运营（护理）补贴机构数"),
        (27, "E11", "按实际发放"),
        (29, "E18", "抽样调查"),  # the survey method as the satisfaction target
        (30, "E10", "人数"),
        (31, "E10", "发放符合条件的养老机构运营（护理）补贴机构数"),
        (31, "E11", "按实际发放"),
        (32, "E18", "满意程度"),
        (36, "E10", "住院人数"),
    ]


def test_seed002_one_indicator_copied_under_three_benefit_subheadings(reports):
    # tables 13 and 29 repeat their 经济效益指标 row, word for word, as 社会效益指标 and 生态效益指标
    found = of(reports["002"], "indicator.duplicate")
    assert sorted((f.sheet, f.cell) for f in found) == [
        ("13.孤儿慰问资金", "C16"),
        ("13.孤儿慰问资金", "C17"),
        ("29.严重精神障碍患者监护人以奖代补资金", "C16"),
        ("29.严重精神障碍患者监护人以奖代补资金", "C17"),
    ]


def test_seed002_nothing_else_fires(reports):
    """Of the form, amount, xref, indicator and plan rules that check the form itself; the 审核 rules
    (REVIEW_CODES) have their own tests."""
    from rule_cases import REVIEW_CODES

    assert Counter(c for c in reports["002"].codes() if c not in REVIEW_CODES) == {
        # 85 是/否, 7 others, and 16 values that only name what is counted or how it is done: 人数 (tables 10,
        # 16, 20, 21, 30), 住院人数 (36), 年度内补贴孤儿人数 (6, 8, 18), …补贴机构数 and 按实际发放 (27, 31),
        # 按照标准发放 (12), 抽样调查 (29), 满意程度 (32)
        "indicator.placeholder_value": 108,
        # 6 "≤100%" rates (34–36); 17 "≥100%" rates (5, 9, 14, 25, 26 rows 10–12; 29 rows 11 and 13); 8 成本
        # "≥…" (5, 9, 14, 25, 26 实际成本 ≥100%; 7 and 19 决算金额 ≥90%; 28 项目预算控制数 ≥90)
        "indicator.direction": 31,
        "indicator.duplicate": 4,
        # rates under 数量 (5, 9, 14, 25, 26 …的比例; 6, 8, 18 保障率), 决算/预算 under 时效 (6, 8, 18), 政策知晓率
        # under 满意度 (6, 8, 18), 社会化发放率 under 成本 (29)
        "indicator.misfiled": 15,
        # counts written as percentages: 散居孤儿人数 ≥85% (13), 机构个数 100% (17), 特困家庭人数 ≥95% (24),
        # 监护人人次 ≥90% (29)
        "indicator.unit_mismatch": 4,
    }


def test_seed002_plans_as_published_are_fine(reports):
    assert [f for f in reports["002"].findings if f.code.startswith("plan.")] == []


def test_seed003_unparseable_value(reports):
    found = of(reports["003"], "indicator.bad_value")
    assert [f.actual for f in found] == ['< ="11479', '< ="11479']  # project 1 and the department-wide set
    assert {f.sheet for f in found} == {"部门整体支出绩效目标表", "1.高龄老人保健长寿补助经费"}


def test_seed004_tasks_add_up(reports):
    assert of(reports["004"], "amount.sum_mismatch") == []


def test_seed004_misfiled_indicators(reports, models):
    names = {(i.name.sheet, i.name.cell): i.name.text for i in models["004"].forms[0].indicators.indicators}
    found = [names[(f.sheet, f.cell)] for f in of(reports["004"], "indicator.misfiled")]
    assert "特困人员供养项目周期" in found  # under 满意度, with no 满意/知晓 meaning
    assert {"儿童福利救助工作完成率", "六项能源减免工作完成率"} <= set(found)  # 完成率 under 成本指标
    assert "残疾人补贴发放政策符合率" in found  # a 符合率 under 时效指标
    # a typo of 干部满意度: still a satisfaction indicator, but of the bureau's own staff, not of those served
    staff = [f for f in of(reports["004"], "indicator.misfiled") if names[(f.sheet, f.cell)] == "干部意度"]
    assert len(staff) == 1 and "干部职工" in staff[0].message


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_every_finding_names_a_sheet_and_a_cell_and_a_known_rule(reports, models, seed):
    from xlperf.rules import BY_CODE

    for f in reports[seed].findings:
        assert f.code in BY_CODE and f.severity == BY_CODE[f.code].severity
        assert f.sheet in models[seed].sheet_names, f
        assert f.cell and f.cell[0].isalpha() and f.cell[-1].isdigit(), f
        assert f.message


def test_seed_data_agrees_with_the_published_counts():
    """The counts the tests above rely on, from the data tables themselves."""
    projects = {p["no"]: p for p in seed_data("002")["projects"]}
    at_most = [i["l3"] for no in ("34", "35", "36") for i in projects[no]["indicators"] if i["value"].startswith("≤")]
    assert len(at_most) == 6
