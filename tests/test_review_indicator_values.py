"""The indicator-value 审核 rules on the published documents: every vague 效益 value of seed 003 is found, the
approximate counts of seed 000, the 指标属性 contradicted by its value, the 产出 without 时效, and the fixes of the
placeholder, misfiled, direction and unit rules on seed 002 — each at its cell, and quiet on what is right."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import example
from openpyxl import load_workbook

from xlperf.checks import check_model
from xlperf.forms import read_file
from xlperf.profiles import NATIONAL

REVIEW = (
    "indicator.vague_value",
    "indicator.imprecise_number",
    "indicator.attribute_mismatch",
    "indicator.missing_cost",
    "indicator.output_incomplete",
)


@pytest.fixture(scope="module")
def reports(models):
    return {seed: check_model(model) for seed, model in models.items()}


def at(report, code):
    """(sheet's number or name, cell) of each finding of a code."""
    return sorted(
        (f.sheet.split(".")[0] if "." in f.sheet else f.sheet, f.cell) for f in report.findings if f.code == code
    )


def cells(report, code, sheet_prefix):
    return sorted(f.cell for f in report.findings if f.code == code and f.sheet.startswith(sheet_prefix))


# Seed 003: the 效益 values of the 13 key projects (30 points or more each) and of the department-wide set.
SEED003_VAGUE = {
    "1.": ["D14"],  # 有效改善
    "2.": ["D12", "D13"],  # 有所提高, 不断完善
    "3.": ["D15", "D16"],  # 稳步提升, 不断完善
    "4.": ["D14"],  # 稳步提升
    "5.": ["D11", "D12"],  # 有效推进 ×2
    "6.": ["D15", "D16"],  # 稳步提升, 进一步完善
    "7.": ["D14", "D15"],  # 有效解决, 有效提高
    "8.": ["D12"],  # 稳步提高
    "9.": ["D13", "D14"],  # 稳步提升, 进一步完善
    "10.": ["D13", "D14"],
    "11.": ["D12"],  # 稳步提升
    "12.": ["D11"],  # 有效保障
    "13.": ["D16", "D17", "D18", "D19", "D20"],  # 有效废除 / 保护 / 加强推进 / 保护 / 节约
    "部门整体": ["D24", "D25", "D26", "D27", "D28"],  # 稳步提高, 效果明显, 作用明显, 切实提高, 明显改善
}


def test_seed003_every_benefit_value_is_vague(reports, models):
    report = reports["003"]
    for prefix, expected in SEED003_VAGUE.items():
        assert cells(report, "indicator.vague_value", prefix) == expected, prefix
    # exactly the 效益 rows: nothing under 产出 or 满意度
    benefit = {
        (i.target.sheet, i.target.cell)
        for form in models["003"].forms
        for i in form.indicators.indicators
        if i.level1_key == "效益指标" and i.level2_key != "服务对象满意度指标" and not i.is_blank
    }
    found = {(f.sheet, f.cell) for f in report.findings if f.code == "indicator.vague_value"}
    assert found == benefit and len(found) == 29


def test_seed003_vague_message_names_value_and_rewrite(reports):
    f = next(
        f for f in reports["003"].findings
        if f.code == "indicator.vague_value" and f.sheet.startswith("1.") and f.cell == "D14"
    )  # fmt: skip
    assert "效益指标“老年人生活情况”的指标值“有效改善”没有可考核的数字" in f.message
    assert "定量指标" in f.message  # its 指标属性 says a number is due
    assert "老年人生活满意度≥90%" in f.message and "达到/基本达到/未达到" in f.message


def test_seed003_quantitative_text_is_reported_once(reports):
    """1.D14 is 定量 with the text 有效改善: one mistake, reported once, as the vague value it is."""
    r = reports["003"]
    on_row = [f.code for f in r.findings if f.sheet.startswith("1.") and f.cell in ("D14", "F14")]
    assert on_row == ["indicator.vague_value"]
    # 3.D13 / 6.D13 (定量, 度量单位 %, "按时拨付"): the unit rule says it; no second finding
    for prefix in ("3.", "6."):
        assert [f.code for f in r.findings if f.sheet.startswith(prefix) and f.cell == "D13"] == [
            "indicator.unit_mismatch"
        ]


def test_seed003_qualitative_attribute_with_a_number(reports):
    found = [f for f in reports["003"].findings if f.code == "indicator.attribute_mismatch"]
    assert [(f.sheet.split(".")[0], f.cell) for f in found] == [("5", "F13")]  # 补助对象满意度 90 %, 定性指标
    assert "定性指标" in found[0].message and "90%" in found[0].message and "定量指标" in found[0].message


def test_seed003_department_set_has_no_timeliness(reports):
    found = [f for f in reports["003"].findings if f.code == "indicator.output_incomplete"]
    assert [(f.sheet, f.cell) for f in found] == [("部门整体支出绩效目标表", "A6")]
    assert "时效指标" in found[0].message


def test_seed000_approximate_counts(reports):
    assert at(reports["000"], "indicator.imprecise_number") == sorted([
        ("附表3 (10)", "E10"),  # 418多名 …, 临时救助约150人
        ("附表3 (3)", "E13"),  # 约74万元
        ("附表3 (4)", "E10"),  # 2400多名城乡低保对象, 70多名供养特困人员
        ("部门整体支出绩效目标表", "E24"),  # the same figures, gathered
    ])  # fmt: skip
    f = next(f for f in reports["000"].findings if f.code == "indicator.imprecise_number" and f.sheet == "附表3 (4)")
    assert "“2400多名”" in f.message and "“70多名”" in f.message and "≥2400名" in f.message


def test_thresholds_are_not_approximations(reports, models):
    """ "80岁以上" (seed 000 附表3 (12)) and "100岁以上" (seed 003 1.D13) are age limits."""
    for seed, sheet, cell in (("000", "附表3 (12)", "E13"), ("003", "1.高龄老人保健长寿补助经费", "D13")):
        assert not [f for f in reports[seed].findings if f.code == "indicator.imprecise_number" and f.sheet == sheet
                    and f.cell == cell]  # fmt: skip


CHECKABLE = ("应保尽保", "应救尽救", "按月发放", "按季度发放", "按时发放", "按月支付", "即时", "及时送返", "正常运转",
             "稳定运行", "保障特困供养人员基本生活", "按合同进度支付", "2023年", "按规定时限完成")  # fmt: skip


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_checkable_qualitative_targets_are_not_vague(reports, models, seed):
    targets = {
        (i.target.sheet, i.target.cell): i.target.text
        for form in models[seed].forms
        if getattr(form, "indicators", None)
        for i in form.indicators.indicators
    }
    vague = {(f.sheet, f.cell) for f in reports[seed].findings if f.code == "indicator.vague_value"}
    checkable = [where for where, text in targets.items() if text in CHECKABLE]
    assert checkable or seed in ("003",)
    assert not [targets[w] for w in checkable if w in vague]
    # and no value with a digit is ever called vague
    assert not [targets[w] for w in vague if any(ch.isdigit() for ch in targets[w])]


def test_seed004_vague_benefits(reports):
    assert at(reports["004"], "indicator.vague_value") == [
        ("部门整体支出绩效目标表", "E67"),  # 有效提高
        ("部门整体支出绩效目标表", "E69"),  # 提高: a direction without any measure
    ]


def test_no_cost_rule_on_the_older_forms(reports):
    """Seeds 000, 002, 003 and 004 are on the forms where 成本 is a 二级 under 产出 (seed 003's projects 2, 11
    and 12 have none, which that framework allows); seed 001 is on the 2021 one and has its 成本指标."""
    for seed in ("000", "001", "002", "003", "004"):
        assert at(reports[seed], "indicator.missing_cost") == [], seed


def test_output_complete_elsewhere(reports):
    for seed in ("000", "001", "002", "004"):
        assert at(reports[seed], "indicator.output_incomplete") == [], seed


def test_framework_2021_by_profile(models):
    """With the 2021 framework imposed, seed 003's tables without any 成本 (projects 2, 11, 12) are found; the
    tables with a 成本指标 under 产出 have one."""
    profile = replace(NATIONAL, framework_2021=True)
    found = at(check_model(models["003"], profile=profile), "indicator.missing_cost")
    assert found == [("11", "A5"), ("12", "A5"), ("2", "A5")]
    off = replace(NATIONAL, framework_2021=True, cost_required=False)
    assert at(check_model(models["003"], profile=off), "indicator.missing_cost") == []


def test_missing_cost_in_a_2021_table(tmp_path, models):
    """Seed 001 with its 成本指标 rows emptied: reported at the first 成本 row, where it is to be written."""
    ev = models["001"].of_kind("self_eval")[0]
    rows = [i for i in ev.indicators.indicators if i.level1_key == "成本指标" and not i.is_blank]
    wb = load_workbook(example("001"))
    for ind in rows:
        for field in (ind.name, ind.target, ind.actual, ind.weight, ind.score):
            wb[field.sheet][field.cell].value = None
    path = tmp_path / "no_cost.xlsx"
    wb.save(path)
    found = [f for f in check_model(read_file(str(path))).findings if f.code == "indicator.missing_cost"]
    assert [(f.sheet, f.cell) for f in found] == [(ev.sheet, rows[0].name.cell)]
    assert "财预〔2021〕101号" in found[0].message and "经济成本" in found[0].message


def _without_satisfaction(tmp_path, models):
    """Seed 001's 自评 with its only 满意度 row (政策知晓率) emptied, as 财预〔2020〕10号 allows."""
    ev = models["001"].of_kind("self_eval")[0]
    row = next(i for i in ev.indicators.indicators if i.level1_key == "满意度指标")
    wb = load_workbook(example("001"))
    for field in (row.name, row.target, row.actual, row.weight, row.score, row.reason):
        if field.cell:
            wb[field.sheet][field.cell].value = None
    path = tmp_path / "no_satisfaction.xlsx"
    wb.save(path)
    return read_file(str(path))


def test_selfeval_without_satisfaction_is_allowed(tmp_path, models):
    model = _without_satisfaction(tmp_path, models)
    assert [f for f in check_model(model).findings if f.code == "indicator.missing_level1"] == []
    strict = replace(NATIONAL, selfeval_satisfaction_optional=False)
    found = [f for f in check_model(model, profile=strict).findings if f.code == "indicator.missing_level1"]
    assert len(found) == 1 and "满意度指标" in found[0].message


def test_targets_without_satisfaction_are_still_reported(models, tmp_path):
    """The allowance is for 自评 only: a 项目支出绩效目标表 without 满意度 is still reported (seed 002 table 2)."""
    p = next(p for p in models["002"].of_kind("project_target") if p.sheet.startswith("2."))
    last = p.indicators.indicators[-1]
    wb = load_workbook(example("002"))
    wb[p.sheet][last.name.cell].value = None
    wb[p.sheet][last.target.cell].value = None
    path = tmp_path / "no_satisfaction_target.xlsx"
    wb.save(path)
    found = [f for f in check_model(read_file(str(path))).findings if f.code == "indicator.missing_level1"]
    assert [(f.sheet, f.cell) for f in found] == [(p.sheet, f"A{p.indicators.header_row}")]


# --- seed 002: the fixes of the placeholder, misfiled, direction and unit rules ---------------------------------


def test_seed002_values_that_only_name_what_is_counted(reports):
    found = {(f.sheet.split(".")[0], f.cell): f.actual for f in reports["002"].findings
             if f.code == "indicator.placeholder_value" and f.actual != "是/否"}  # fmt: skip
    for table in ("10", "16", "20", "21", "30"):
        assert found[(table, "E10")] == "人数"
    assert found[("36", "E10")] == "住院人数"
    for table in ("6", "8", "18"):
        assert found[(table, "E14")] == "年度内补贴孤儿人数"
    assert found[("29", "E18")] == "抽样调查"
    assert found[("32", "E18")] == "满意程度"
    assert found[("27", "E11")] == found[("31", "E11")] == "按实际发放"
    assert found[("12", "E10")] == "按照标准发放"


def test_seed002_counts_written_as_percentages(reports):
    assert at(reports["002"], "indicator.unit_mismatch") == [
        ("13", "E10"),  # 散居孤儿人数 ≥85%
        ("17", "E10"),  # 基层社会救助经办机构个数 100%
        ("24", "E10"),  # 特困家庭人数 ≥95%
        ("29", "E10"),  # 严重精神障碍患者的监护人人次 ≥90%
    ]


def test_seed002_rates_of_at_least_100_percent(reports):
    found = {(f.sheet.split(".")[0], f.cell): f.message for f in reports["002"].findings
             if f.code == "indicator.direction" and str(f.actual).startswith("≥")}  # fmt: skip
    rates = [(t, c) for t in ("5", "9", "14", "25", "26") for c in ("E10", "E11", "E12")] + [
        ("29", "E11"),
        ("29", "E13"),
    ]
    costs = [(t, "E13") for t in ("5", "9", "14", "25", "26", "7", "19", "28")]
    assert sorted(found) == sorted(rates + costs)
    assert all("=100%" in found[w] for w in rates)
    assert all("上限" in found[w] for w in costs)


def test_seed002_misfiled(reports, models):
    found = at(reports["002"], "indicator.misfiled")
    assert found == sorted(
        [(t, "C10") for t in ("5", "9", "14", "25", "26")]  # …的比例 under 数量
        + [(t, c) for t in ("6", "8", "18") for c in ("C15", "C19", "C28")]  # 保障率 / 决算 under 时效 / 知晓率
        + [("29", "C13")]  # 社会化发放率 under 成本
    )
    # staff are the people served in the wage and retiree projects: 职工满意度 there is right
    names = {(i.name.sheet, i.name.cell): i.name.text for p in models["002"].forms for i in p.indicators.indicators}
    quiet = {w for w, n in names.items() if "职工" in n}
    assert quiet and not quiet & {(f.sheet, f.cell) for f in reports["002"].findings if f.code == "indicator.misfiled"}


def test_staff_and_awareness_under_satisfaction(reports):
    assert ("部门整体支出绩效目标表", "C30") in at(reports["003"], "indicator.misfiled")  # 内部职工满意度
    assert ("部门整体支出绩效目标表", "D73") in at(reports["004"], "indicator.misfiled")  # 干部(满)意度
    assert at(reports["001"], "indicator.misfiled") == [("附件3", "D24")]  # 政策知晓率 under 满意度
    assert at(reports["000"], "indicator.misfiled") == []  # （问卷形式）职工满意度 of 提退人员经费 is right


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_review_findings_are_warnings_or_hints_in_chinese(reports, seed):
    for f in reports[seed].findings:
        if f.code in REVIEW:
            assert f.severity in ("warning", "hint")
            assert "：" in f.message and "请" in f.message
