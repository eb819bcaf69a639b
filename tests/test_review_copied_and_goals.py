"""indicator.copied_set, indicator.foreign_name, goal.restates_name and goal.no_indicator on the published
documents: the real mistakes of seeds 002 and 003 at their cells, and quiet on what is right."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from rule_cases import copied as copied_cases
from rule_cases import goal as goal_cases

from xlperf.checks import check_model, copied, goal
from xlperf.profiles import NATIONAL

SEEDS = ("000", "001", "002", "003", "004")


def numbers(model, findings):
    """The project numbers (“5.” → 5) of the sheets of some findings."""
    return sorted(int(f.sheet.split(".")[0]) for f in findings)


def by_number(model, n: int):
    return next(p for p in model.of_kind("project_target") if p.sheet.startswith(f"{n}."))


def of(findings, code):
    return [f for f in findings if f.code == code]


# indicator.copied_set ----------------------------------------------------------------------------------------

# Seed 002: 19 of the 36 projects share their indicator set with another; six sets, by project number.
SEED002_CLUSTERS = [
    [5, 9, 14, 25, 26],  # 国有企业退休人员社会化管理: 249, 363.87, 42, 4, 97 万元, the same 7 indicators
    [6, 8, 18],  # 困难群众 funds: the same 20 indicators
    [7, 19],  # 老年人居家适老化改造 (福彩公益金 and 本级): 6 indicators
    [10, 16, 20, 21, 30],  # 业务经费 of 地名, 婚姻登记, 社会救助, 社会事务, 养老服务管理: 9 indicators
    [22, 23],  # 社会组织党建, 社区政权建设: 9 indicators
    [27, 31],  # 养老服务体系建设 (预拨 and 本级): 8 indicators
]


def test_seed002_copied_sets_one_finding_per_cluster_at_its_first_indicator(models):
    model = models["002"]
    found = of(copied.check(model, NATIONAL), "indicator.copied_set")
    clusters = [sorted(int(s.split(".")[0]) for s in f.actual) for f in found]
    assert sorted(clusters) == sorted(SEED002_CLUSTERS)
    assert sum(len(c) for c in clusters) == 19
    for f, cluster in zip(found, clusters, strict=True):
        first = by_number(model, cluster[0])
        assert (f.sheet, f.cell) == (first.sheet, "C10") == (first.sheet, first.indicators.filled[0].name.cell)
        assert f.severity == "warning"


def test_seed002_copied_set_message_names_every_member_and_its_amount(models):
    found = of(copied.check(models["002"], NATIONAL), "indicator.copied_set")
    pension = next(f for f in found if f.sheet.startswith("5."))
    for amount in ("249.00 万元", "363.87 万元", "42.00 万元", "4.00 万元", "97.00 万元"):
        assert amount in pension.message
    assert "7 条指标" in pension.message and "请按各项目自己的产出和效果设置指标" in pension.message
    offices = next(f for f in found if f.sheet.startswith("10."))
    for name in ("地名工作业务经费", "婚姻登记管理经费", "社会救助业务费", "社会事务业务经费", "养老服务管理工作经费"):
        assert f"“{name}”" in offices.message


def test_near_identical_sets_are_not_copies(models):
    """2.人事代理专项补助 (2人), 4.专项补助 (3人) and 35.人事代理专项补助 (1人, ≤100%) were adapted to each
    project; so were 1. and 34.汽车保险费 (100% against ≤100%): none of them is reported."""
    found = of(copied.check(models["002"], NATIONAL), "indicator.copied_set")
    members = {int(s.split(".")[0]) for f in found for s in f.actual}
    assert members.isdisjoint({1, 2, 4, 34, 35})


@pytest.mark.parametrize("seed", ["000", "001", "003", "004"])
def test_no_copied_sets_in_the_other_seeds(models, seed):
    assert of(copied.check(models[seed], NATIONAL), "indicator.copied_set") == []


def test_small_sets_are_below_the_profile_minimum(models):
    strict = replace(NATIONAL, copied_set_min_indicators=10)
    found = of(copied.check(models["002"], strict), "indicator.copied_set")
    assert sorted(sorted(int(s.split(".")[0]) for s in f.actual) for f in found) == [[6, 8, 18]]  # 20 indicators


def test_a_thousand_project_sheets_take_one_pass(models):
    model = models["002"]
    big = replace(model, forms=model.forms * 28)  # 1008 project tables
    start = time.perf_counter()
    found = of(copied.check(big, NATIONAL), "indicator.copied_set")
    assert time.perf_counter() - start < 2
    # every project now has 27 twins: the 17 sets of their own and the 6 shared ones, each reported once
    assert len(found) == 17 + 6 and sum(len(f.actual) for f in found) == 1008


def test_tables_on_one_sheet_are_told_apart_by_the_cell_of_their_name(models):
    """Project tables stacked on one sheet (pasted from Word): each member is named with its name's cell."""
    model = models["002"]
    stacked = [replace(by_number(model, n), sheet="项目支出绩效目标表") for n in (22, 23)]
    found = of(copied.check(replace(model, forms=stacked), NATIONAL), "indicator.copied_set")
    assert len(found) == 1 and "见“项目支出绩效目标表”E3" in found[0].message


# indicator.foreign_name --------------------------------------------------------------------------------------


def test_seed003_rural_project_carries_the_urban_standard(models):
    model = models["003"]
    found = of(copied.check(model, NATIONAL), "indicator.foreign_name")
    rural = next(p for p in model.of_kind("project_target") if p.sheet.startswith("10."))
    row = next(i for i in rural.indicators.filled if i.name.text == "城市特困人员供养标准")
    assert [(f.sheet, f.cell) for f in found] == [(rural.sheet, row.name.cell)] == [(rural.sheet, "C12")]
    assert "农村特困人员供养标准" in found[0].message and "858" in found[0].message
    assert "城市特困人员救助供养专项资金" in found[0].message  # the project it was copied from
    assert found[0].severity == "hint"


@pytest.mark.parametrize("seed", ["000", "001", "002", "004"])
def test_no_foreign_names_in_the_other_seeds(models, seed):
    """城乡 indicators (城乡低保标准) and 农村留守儿童 in projects named after neither subject are not judged."""
    assert of(copied.check(models[seed], NATIONAL), "indicator.foreign_name") == []


# goal.restates_name ------------------------------------------------------------------------------------------

# Seed 002: the goals (B8) that are the project's name or its 资金用途 again, by project number.
SEED002_RESTATE_NAME = [17, 32, 33, 34, 35, 36]  # “1.汽车保险费” … (17: 保障 + the name without 建设经费)
SEED002_RESTATE_PURPOSE = [1, 2, 3, 4, 10, 11, 12, 15, 16, 19, 20, 21, 22, 23, 27, 28, 29, 30, 31]


def test_seed002_goals_that_restate_name_or_purpose(models):
    model = models["002"]
    found = of(goal.check(model, NATIONAL), "goal.restates_name")
    assert numbers(model, found) == sorted(SEED002_RESTATE_NAME + SEED002_RESTATE_PURPOSE)
    assert len(found) == 25
    assert all(f.cell == "B8" and f.severity == "warning" for f in found)
    said = {int(f.sheet.split(".")[0]): f.message for f in found}
    assert all("重复项目名称" in said[n] for n in SEED002_RESTATE_NAME)
    assert all("重复资金用途" in said[n] for n in SEED002_RESTATE_PURPOSE)
    assert "投保车辆数量1辆" in said[1]  # an example made of the table's own indicators


def test_seed002_goals_that_say_more_than_name_or_purpose_are_quiet(models):
    """6: a six-point goal also written as 资金用途 (a real goal in both cells); 5, 9, 14, 25, 26: 资金用途 and a
    second item; 7, 8, 13, 18, 24: goals of their own."""
    found = of(goal.check(models["002"], NATIONAL), "goal.restates_name")
    assert {int(f.sheet.split(".")[0]) for f in found}.isdisjoint({5, 6, 7, 8, 9, 13, 14, 18, 24, 25, 26})


@pytest.mark.parametrize("seed", ["000", "001", "003", "004"])
def test_no_restated_goals_in_the_other_seeds(models, seed):
    """Seed 000's 附表3 goals (“发放高龄补贴” for 高龄老人补贴资金) say what is done; seed 003 has no project goals."""
    assert of(goal.check(models[seed], NATIONAL), "goal.restates_name") == []


# goal.no_indicator -------------------------------------------------------------------------------------------


def test_seed002_goal_of_the_lottery_funded_adaptation_has_no_indicator(models):
    """7.: “1.保障全区重点项目的顺利实施” for 老年人居家适老化改造, whose indicators speak of 改造 only. 19. has
    the same goal, reported as restating its 资金用途 (once)."""
    model = models["002"]
    found = of(goal.check(model, NATIONAL), "goal.no_indicator")
    assert [(f.sheet, f.cell) for f in found] == [(by_number(model, 7).sheet, "B8")]
    assert "第1条" in found[0].message and "重点" in found[0].message and found[0].severity == "hint"


@pytest.mark.parametrize("seed", ["000", "001", "003", "004"])
def test_no_unspoken_goal_items_in_the_other_seeds(models, seed):
    assert of(goal.check(models[seed], NATIONAL), "goal.no_indicator") == []


def test_department_goals_when_the_profile_asks(models):
    """With 部门 goals judged too: seed 003's (6) 地名区划和社区治理 and (8) 疫情防控, seed 004's 目标5 婚姻登记 ….
    have no department indicator."""
    wide = replace(NATIONAL, goal_no_indicator_forms=("项目", "附表3", "部门"))
    f003 = of(goal.check(models["003"], wide), "goal.no_indicator")
    assert [(f.cell, f.actual[:4]) for f in f003] == [("B3", "地名区划"), ("B3", "全力打好")]
    f004 = of(goal.check(models["004"], wide), "goal.no_indicator")
    assert [(f.cell, f.actual[:4]) for f in f004] == [("B27", "使婚姻登")]


def test_goal_items_are_read_from_their_numbering():
    assert goal.clauses("1.保障车辆工作\n2.提高工作效率") == [("1.", "保障车辆工作"), ("2.", "提高工作效率")]
    assert [n for n, _ in goal.clauses("1.1.稳步推进城乡低保提标。\n2.规范实施临时救助政策")] == ["1.1.", "2."]
    assert [n for n, _ in goal.clauses("(1)民政扶贫;(2)政府购买服务")] == ["(1)", "(2)"]
    assert [n for n, _ in goal.clauses("目标1：救助；目标2：保障工资")] == ["目标1：", "目标2："]
    assert goal.clauses("保障80周岁以上老年人享受高龄津贴，标准提高1.5倍") == []  # not numbered


# all four through check_model, and the rule cases of tests/rule_cases/{copied,goal}.py ----------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_check_model_runs_the_families(models, seed):
    codes = {"indicator.copied_set", "indicator.foreign_name", "goal.restates_name", "goal.no_indicator"}
    through = [f for f in check_model(models[seed]).findings if f.code in codes]
    direct = copied.check(models[seed], NATIONAL) + goal.check(models[seed], NATIONAL)
    assert sorted((f.code, f.sheet, f.cell) for f in through) == sorted((f.code, f.sheet, f.cell) for f in direct)


CASES = copied_cases.CASES + goal_cases.CASES


def test_one_case_per_rule():
    assert sorted(c.code for c in CASES) == sorted(
        ["indicator.copied_set", "indicator.foreign_name", "goal.restates_name", "goal.no_indicator"]
    )
