"""The 审核 rules of self-evaluation: score.over_achieved, score.unsupported, score.grade_mismatch,
score.band_gap and xref.selfeval_vs_basic.

Each fires at its cell on a mutated example and is quiet on the published ones except for their real
mistakes: seed 001 scores "稳定运行 / 稳定运行" and "有所提升 / 有所提升" in full, rates its execution 99.11%
while its own 基础数据表 shows 特困供养 spent at 28.69% and 养老服务体系建设 at 20.32%, and gives a 项目支出
that is not the sum of its 基础数据表's project lines; seed 003's department table scores 困难群众满意度
(target 95%) in bands that stop at 90%.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import example
from openpyxl import load_workbook
from rule_cases import loc
from rule_cases.selfeval_basic import CASES

from xlperf.checks import check_model
from xlperf.checks.score import _gaps
from xlperf.forms import read_file
from xlperf.model import Field, Indicator
from xlperf.profiles import NATIONAL, Profile
from xlperf.report import Finding
from xlperf.scoring import ACHIEVED, NOT_ACHIEVED, PARTIAL, completion_grade, parse_rule, score_indicator
from xlperf.values import parse_value

CODES = ("score.over_achieved", "score.unsupported", "score.grade_mismatch", "score.band_gap", "xref.selfeval_vs_basic")
SEEDS = ("000", "001", "002", "003", "004")


def D(x: object) -> Decimal:
    return Decimal(str(x))


@pytest.fixture(scope="module")
def reports(models):
    return {seed: check_model(model) for seed, model in models.items()}


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def at(findings: list[Finding], code: str) -> list[tuple[str, str]]:
    return [(f.sheet, f.cell) for f in of(findings, code)]


def mutated(tmp_path: Path, seed: str, edits: dict[tuple[str, str], Any], profile: Profile = NATIONAL) -> list[Finding]:
    """The findings on a copy of a seed's example with ``edits`` ((sheet, cell) → value; "" clears)."""
    wb = load_workbook(example(seed))
    for (sheet, cell), value in edits.items():
        wb[sheet][cell].value = None if value == "" else value
    path = tmp_path / f"seed{seed}-mutated.xlsx"
    wb.save(path)
    return check_model(read_file(str(path)), profile=profile).findings


@pytest.fixture(scope="module")
def selfeval(models):
    return models["001"].of_kind("self_eval")[0]


def row(selfeval, name: str) -> Indicator:
    return next(i for i in selfeval.indicators.filled if i.name.text == name)


# ------------------------------------------------------------------------------ the published documents


def test_only_the_real_mistakes_on_the_seeds(reports, selfeval):
    found = {(seed, code): at(reports[seed].findings, code) for seed in SEEDS for code in CODES}
    expected = {(seed, code): [] for seed in SEEDS for code in CODES}
    expected[("001", "score.unsupported")] = [loc(row(selfeval, "养老服务行业运行状况").actual),
                                              loc(row(selfeval, "困难群众生活水平").actual)]  # fmt: skip
    expected[("001", "xref.selfeval_vs_basic")] = [loc(selfeval.rate), loc(selfeval.rate), ("附件3", "F8")]
    expected[("003", "score.band_gap")] = [("部门整体支出绩效目标表", "H29")]
    assert found == expected


def test_seed001_copied_actuals_scored_in_full(reports):
    found = of(reports["001"].findings, "score.unsupported")
    assert [(f.cell, f.severity) for f in found] == [("F20", "hint"), ("F21", "hint")]
    assert "“稳定运行”只是照抄了年度指标值“稳定运行”，却得了满分 10" in found[0].message
    assert "“有所提升”只是照抄了年度指标值“有所提升”" in found[1].message
    # 应保尽保 / 应保尽保 is a copy too, but scored 9 of 10: not in full, so not this rule


def test_seed001_execution_against_its_basic_data(reports, selfeval):
    found = of(reports["001"].findings, "xref.selfeval_vs_basic")
    lines = [f for f in found if f.cell == selfeval.rate.cell]
    assert [(f.sheet, f.expected, f.actual) for f in lines] == [
        ("附件3", D(90), D("28.69")),
        ("附件3", D(90), D("20.32")),
    ]
    assert "执行率填报为 99.11%" in lines[0].message
    assert "“特困供养基本生活补贴和护理补贴”2024年决算数 172.77（附件2!F17）" in lines[0].message
    assert "预算数 602.19（附件2!D17）的 28.69%" in lines[0].message
    assert "“养老服务体系建设”2024年决算数 59.20（附件2!F23）" in lines[1].message
    assert "预算数 291.32（附件2!D23）的 20.32%" in lines[1].message
    (total,) = [f for f in found if f.cell == "F8"]
    assert (total.expected, total.actual) == (D("4091.19"), D("4175.33"))
    assert "2024年预算数合计 4091.19（相差 84.14），2024年决算数合计 3857.94（相差 317.39）" in total.message
    assert all(f.severity == "warning" for f in found)


def test_seed001_smaller_lines_are_below_the_materiality_of_the_profile(tmp_path, models):
    # 临时救助 (1.1 of 55), 孤儿 (18.65 of 32.18), 收养评估 (0 of 4) and 民政管理事务经费 (0 of 6) were spent below
    # 90% too, but their unspent amounts are under 2% of the 4532.05 budget; at 1%, 临时救助 (53.9) counts.
    profile = Profile(basic_line_min_share=D("0.01"))
    found = check_model(models["001"], profile=profile).findings
    lines = [f for f in of(found, "xref.selfeval_vs_basic") if f.cell == "H5"]
    assert [f.actual for f in lines] == [D("28.69"), D("2.00"), D("20.32")]


def test_seed003_satisfaction_bands_that_stop_below_the_target(reports):
    (gap,) = of(reports["003"].findings, "score.band_gap")
    assert (gap.expected, gap.actual) == (D(95), D(90))
    assert "没有规定完成值为 90%（含）–95% 时的得分（年度指标值 95%，分档止于 90%）" in gap.message
    assert "如把最高一档改为“70%(含)-95%”" in gap.message
    # 内部职工满意度 of the same table (target 90%, bands to 90%) and the 13 project tables are scored throughout


# ------------------------------------------------------------------------------ score.over_achieved


def test_over_achieved_fires_on_a_count_far_above_its_target(tmp_path, selfeval):
    ind = row(selfeval, "最低生活保障线标准")  # 650元, actually 700元 (1.08×): quiet as published
    found = mutated(tmp_path, "001", {loc(ind.actual): "1000元"})  # 1.54×
    (f,) = of(found, "score.over_achieved")
    assert loc(f) == loc(ind.reason) and (f.expected, f.actual) == (D(650), D(1000))
    assert "“1000元”是年度指标值“650元”的 1.54 倍" in f.message


def test_over_achieved_fires_on_a_percentage_far_above_its_target(tmp_path, selfeval):
    ind = row(selfeval, "婚姻登记合格率")
    assert at(mutated(tmp_path, "001", {loc(ind.target): "60%"}), "score.over_achieved") == [loc(ind.reason)]
    # 80% → 100% is 1.25×; 6% → 9.5% is 1.58× but only 3.5 points above
    assert at(mutated(tmp_path, "001", {loc(ind.target): "80%"}), "score.over_achieved") == []
    assert at(mutated(tmp_path, "001", {loc(ind.target): "6%", loc(ind.actual): "9.5%"}), "score.over_achieved") == []


def test_over_achieved_is_quiet_when_explained_or_lower_is_better(tmp_path, selfeval):
    ind = row(selfeval, "最低生活保障线标准")
    explained = {loc(ind.actual): "1000元", loc(ind.reason): "2024年起按省定标准提标"}
    assert at(mutated(tmp_path, "001", explained), "score.over_achieved") == []
    lower = {loc(ind.target): "≤650元", loc(ind.actual): "1000元"}
    assert at(mutated(tmp_path, "001", lower), "score.over_achieved") == []


def test_over_achieved_ratio_is_the_profile_s(tmp_path, selfeval):
    ind = row(selfeval, "最低生活保障线标准")  # 700 / 650 = 1.08
    found = mutated(tmp_path, "001", {}, Profile(over_achieved_ratio=D("1.05")))
    assert at(found, "score.over_achieved") == [loc(ind.reason)]


# ------------------------------------------------------------------------------ score.unsupported


def test_unsupported_fires_on_a_copied_actual_scored_in_full(tmp_path, selfeval):
    ind = row(selfeval, "城乡低保人数、城乡特困供养人数、孤儿基本生活保障人数、临时救助人次数")  # 应保尽保, 9 of 10
    assert loc(ind.actual) not in at(of_seed(tmp_path), "score.unsupported")
    found = mutated(tmp_path, "001", {loc(ind.score): 10})
    assert loc(ind.actual) in at(found, "score.unsupported")
    found = mutated(tmp_path, "001", {loc(ind.score): 10, loc(ind.actual): "已应保尽保。"})
    assert loc(ind.actual) in at(found, "score.unsupported")


def of_seed(tmp_path: Path) -> list[Finding]:
    return mutated(tmp_path, "001", {})


def test_unsupported_is_quiet_on_an_actual_that_says_what_was_done(tmp_path, selfeval):
    ind = row(selfeval, "养老服务行业运行状况")
    found = mutated(tmp_path, "001", {loc(ind.actual): "全区12家养老机构全年正常运营，无安全事故"})
    assert at(found, "score.unsupported") == [loc(row(selfeval, "困难群众生活水平").actual)]


# ------------------------------------------------------------------------------ score.grade_mismatch


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        ("优", None),
        ("优秀", None),
        ("达成预期指标", None),  # 94 of 100 is in 达成's 80–100%
        ("良", "优"),
        ("良好", "优"),
        ("差", "优"),
        ("部分达成预期指标并具有一定效果", ACHIEVED),
        ("基本达到", ACHIEVED),
    ],
)
def test_grade_against_the_total(tmp_path, grade, expected):
    # seed 001 records 总分 94 and no 评价等级: one is written under the 总分 row
    found = of(
        mutated(tmp_path, "001", {("附件3", "A33"): "评价等级", ("附件3", "D33"): grade}), "score.grade_mismatch"
    )
    assert [(f.sheet, f.cell, f.expected) for f in found] == ([] if expected is None else [("附件3", "D33", expected)])
    if expected == "优":
        assert (
            f"评价等级填报为“{grade}”，总分 94 对应的等级是“优”（优 ≥ 90、良 80–<90、中 60–<80、差 < 60）"
            in found[0].message
        )


def test_grade_against_a_corrected_total(tmp_path, selfeval):
    edits = {("附件3", "A33"): "评价等级", ("附件3", "D33"): "优", loc(selfeval.total_score): 85}
    found = of(mutated(tmp_path, "001", edits), "score.grade_mismatch")
    assert [(f.cell, f.expected, f.actual) for f in found] == [("D33", "良", "优")]


def test_local_completion_wordings_are_the_10hao_grades():
    assert completion_grade("达成预期指标") == ACHIEVED
    assert completion_grade("部分达成预期指标并具有一定效果") == PARTIAL
    assert completion_grade("未达成预期指标且效果较差") == NOT_ACHIEVED
    assert completion_grade("基本达到") == PARTIAL and completion_grade("未达到") == NOT_ACHIEVED
    assert completion_grade("达成年度指标") == ACHIEVED and completion_grade("稳定运行") is None
    grade = Field("部分达成预期指标并具有一定效果")
    ind = Indicator(0, Field("效益指标"), Field("社会效益指标"), Field("困难群众生活水平"), Field("有所提升"),
                    parse_value("有所提升"), actual=Field("生活水平明显改善"), grade=grade)  # fmt: skip
    outcome = score_indicator(ind, D(10))
    assert not outcome.manual and outcome.band == (D("6.00"), D("8.00"))


# ------------------------------------------------------------------------------ score.band_gap


def test_band_gap_fires_on_a_mutated_rule(tmp_path, models):
    p = next(f for f in models["003"].forms if f.sheet.startswith("2."))
    ind = next(i for i in p.indicators.filled if i.name.text == "救助对象满意度")  # target 95
    rule = "满意度达标10分;满意度80%(含)-90%,得6分;满意度60%(含)-80%,得4分;满意度低于60%,不得分"
    assert at(mutated(tmp_path, "003", {loc(ind.rule): rule}), "score.band_gap") == [
        ("部门整体支出绩效目标表", "H29"),
        loc(ind.rule),
    ]


@pytest.mark.parametrize(
    ("rule", "target", "gaps"),
    [
        ("满意度达标10分;满意度80%(含)-95%,得6分;满意度60%(含)-80%,得4分;满意度低于60%,不得分", 95, []),
        ("满意度达标5分;满意度70%(含)-90%,得3分;满意度60%(含)-70%,得2分;满意度低于60%,不得分", 95,
         [(90, True, 95, False)]),
        # 80 belongs to neither band
        ("满意度达标10分;满意度80%-95%,得6分;满意度60%(含)-80%,得4分;满意度低于60%,不得分", 95, [(80, True, 80, True)]),
        # nothing said below 60
        ("满意度达标10分;满意度80%(含)-95%,得6分;满意度60%(含)-80%,得4分", 95, [(0, True, 60, False)]),
        # a stretch between two bands
        ("满意度达标10分;满意度85%(含)-95%,得6分;满意度60%(含)-80%,得4分;满意度低于60%,不得分", 95,
         [(80, True, 85, False)]),
    ],
)  # fmt: skip
def test_band_gaps(rule, target, gaps):
    parsed = parse_rule(rule)
    assert parsed is not None and parsed.kind == "bands"
    assert _gaps(parsed, D(target)) == [(D(a), ai, D(b), bi) for a, ai, b, bi in gaps]


# ------------------------------------------------------------------------------ xref.selfeval_vs_basic


def test_selfeval_vs_basic_case(tmp_path, models):
    """The rule case of tests/rule_cases/selfeval_basic.py: the repaired example fires only on the planted line."""
    (case,) = CASES
    found = of(mutated(tmp_path, case.seed, case.mutate(models[case.seed])), case.code)
    assert [(loc(f), f.actual) for f in found] == [(case.at(models[case.seed]), D("24.26"))]
    assert "“城乡最低生活保障”2024年决算数 500.00（附件2!F16）" in found[0].message
    assert of(check_model(models[case.seed]).findings, case.code) and not [
        f for f in check_model(models[case.seed]).findings if f.code == case.code and f.sheet == case.scope
    ]


def test_selfeval_vs_basic_is_quiet_when_the_rate_admits_the_shortfall(tmp_path, selfeval):
    found = of(mutated(tmp_path, "001", {loc(selfeval.rate): 0.85}), "xref.selfeval_vs_basic")
    assert [loc(f) for f in found] == [("附件3", "F8")]  # the 项目支出 total is still not the lines' sum


def test_selfeval_vs_basic_project_total_matches_either_column(tmp_path):
    for total in ("项目支出：4091.19", "项目支出：3857.94"):  # the 2024年预算数 or the 2024年决算数 of the lines
        found = of(mutated(tmp_path, "001", {("附件3", "F8"): total}), "xref.selfeval_vs_basic")
        assert [f.cell for f in found] == ["H5", "H5"]
