"""Every rule of the form, amount, xref, indicator and plan families: it fires at the right cell on an
example mutated to carry the mistake, and it is quiet on the unmutated example.

Each case names an example and a scope (a sheet, or the whole workbook) where the published document is
right for that rule, a mutation made with openpyxl on a copy, and the cell where the finding must be.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import example
from openpyxl import load_workbook
from rule_cases import (
    Case,
    dept004,
    direction,
    drop_last_direction,
    indicator,
    loc,
    more_cases,
    new_sheet,
    project,
    summary_row,
)

from xlperf.checks import check_model
from xlperf.forms import read_file
from xlperf.model import WorkbookModel

QUALITY = "工资及政策性社会保障、公用经费保障率"  # the first 质量指标 of seed 004

CASES = [
    Case("form.unrecognized", "004", None, lambda m: {}, lambda m: ("备注", "A1"), extra=new_sheet),
    Case("form.partly_read", "004", None,
         lambda m: {(dept004(m).sheet, "I7"): "备用：已报财政局"}, lambda m: (dept004(m).sheet, "I7")),
    Case("form.missing_field", "002", "1.汽车保险费",
         lambda m: {loc(project(m, "1.").name): ""}, lambda m: loc(project(m, "1.").name)),
    Case("amount.not_number", "000", None,
         lambda m: {loc(summary_row(m, 0).amount): "14.87万"}, lambda m: loc(summary_row(m, 0).amount)),
    Case("amount.negative", "000", None,
         lambda m: {loc(summary_row(m, 1).amount): -160}, lambda m: loc(summary_row(m, 1).amount)),
    Case("amount.sum_mismatch", "004", None,
         lambda m: {loc(dept004(m).tasks[0].fiscal): 11}, lambda m: loc(dept004(m).tasks[0].total)),
    Case("amount.text_calc_mismatch", "000", "附表3 (11)",
         lambda m: {loc(direction(m, "经开区-民政事务专项").details[0].basis):
                    "发放经开区高龄生活补贴52.48万元，两残护理补贴45.23万元"},
         lambda m: loc(direction(m, "经开区-民政事务专项").details[0].basis)),
    Case("xref.missing_sheet", "000", None, lambda m: {}, lambda m: loc(summary_row(m, 11).name),
         extra=drop_last_direction),
    Case("xref.orphan_sheet", "000", None,
         lambda m: {loc(direction(m, "经开区-政府购买民政服务专项").direction): "殡葬管理",
                    loc(direction(m, "经开区-政府购买民政服务专项").special): "殡葬管理"},
         lambda m: loc(direction(m, "经开区-政府购买民政服务专项").direction)),
    Case("xref.name_mismatch", "000", "附表3 (9)",
         lambda m: {loc(direction(m, "社区惠民资金").direction): "社区惠民专项资金",
                    loc(direction(m, "社区惠民资金").special): "社区惠民专项资金"},
         lambda m: loc(direction(m, "社区惠民资金").direction)),
    Case("xref.amount_mismatch", "000", None,
         lambda m: {loc(summary_row(m, 0).amount): 15.87}, lambda m: loc(direction(m, "提退人员经费").project_amount)),
    Case("xref.goal_mismatch", "000", "附表3",
         lambda m: {loc(direction(m, "提退人员经费").annual_goal): "保障离退休人员待遇"},
         lambda m: loc(direction(m, "提退人员经费").annual_goal)),
    Case("xref.total_mismatch", "000", None,
         lambda m: {loc(m.forms[0].spending_part("项目支出").amount): 1600},
         lambda m: loc(m.forms[0].spending_part("项目支出").amount)),
    Case("xref.duplicate", "000", None,
         lambda m: {loc(summary_row(m, 1).name): "提退人员经费"}, lambda m: loc(summary_row(m, 1).name)),
    Case("indicator.unknown_level", "004", None,
         lambda m: {loc(dept004(m).indicators.indicators[0].level2): "数量目标"},
         lambda m: loc(dept004(m).indicators.indicators[0].level2)),
    Case("indicator.level_mismatch", "004", None,
         lambda m: {loc(indicator(dept004(m).indicators, QUALITY).level2): "社会效益指标"},
         lambda m: loc(indicator(dept004(m).indicators, QUALITY).level2)),
    Case("indicator.missing_level1", "002", "2.人事代理专项补助",
         lambda m: {loc(project(m, "2.").indicators.indicators[-1].name): "",
                    loc(project(m, "2.").indicators.indicators[-1].target): ""},
         lambda m: (project(m, "2.").sheet, f"A{project(m, '2.').indicators.header_row}")),
    Case("indicator.empty_value", "004", None,
         lambda m: {loc(indicator(dept004(m).indicators, "群众满意度").target): ""},
         lambda m: loc(indicator(dept004(m).indicators, "群众满意度").target)),
    Case("indicator.bad_value", "004", None,
         lambda m: {loc(indicator(dept004(m).indicators, "群众满意度").target): "≥≥95%"},
         lambda m: loc(indicator(dept004(m).indicators, "群众满意度").target)),
    Case("indicator.placeholder_value", "004", None,
         lambda m: {loc(indicator(dept004(m).indicators, "群众满意度").target): "是/否"},
         lambda m: loc(indicator(dept004(m).indicators, "群众满意度").target)),
    Case("indicator.unit_mismatch", "003", "2.临时救助专项经费",
         lambda m: {loc(indicator(project(m, "2.").indicators, "救助人数").target): "100%"},
         lambda m: loc(indicator(project(m, "2.").indicators, "救助人数").target)),
    Case("indicator.direction", "004", None,
         lambda m: {loc(indicator(dept004(m).indicators, "群众满意度").target): "≤95%"},
         lambda m: loc(indicator(dept004(m).indicators, "群众满意度").target)),
    Case("indicator.misfiled", "000", None,
         lambda m: {loc(direction(m, "提退人员经费").indicators.indicators[-1].name): "项目周期"},
         lambda m: loc(direction(m, "提退人员经费").indicators.indicators[-1].name)),
    Case("indicator.duplicate", "004", None,
         lambda m: {loc(dept004(m).indicators.indicators[1].name): "保障在职人员工资社保人数",
                    loc(dept004(m).indicators.indicators[1].target): "≥4人"},
         lambda m: loc(dept004(m).indicators.indicators[1].name)),
    Case("plan.not_monotonic", "002", None,
         lambda m: {loc(project(m, "2.").plan[2].percent): "40%"}, lambda m: loc(project(m, "2.").plan[2].percent)),
    Case("plan.not_complete", "002", None,
         lambda m: {loc(project(m, "2.").plan[3].percent): "90%"}, lambda m: loc(project(m, "2.").plan[3].percent)),
]  # fmt: skip
CASES += more_cases()  # the 审核 families' cases (tests/rule_cases/), before the tests are parametrised


def mutated(case: Case, model: WorkbookModel, tmp: Path) -> Path:
    wb = load_workbook(example(case.seed))
    for (sheet, cell), value in case.mutate(model).items():
        c = wb[sheet][cell]
        c.value = None if value == "" else value
    if case.extra:
        case.extra(wb)
    out = tmp / f"{case.code}.xlsx"
    wb.save(out)
    return out


def in_scope(finding, case: Case) -> bool:
    return case.scope is None or finding.sheet == case.scope


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_rule_fires_on_the_mutated_example(case, models, tmp_path):
    report = check_model(read_file(str(mutated(case, models[case.seed], tmp_path))))
    where = [(f.sheet, f.cell) for f in report.findings if f.code == case.code]
    assert case.at(models[case.seed]) in where, f"{case.code} expected at {case.at(models[case.seed])}, got {where}"


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_rule_is_quiet_on_the_unmutated_example(case, models):
    report = check_model(models[case.seed])
    assert [f for f in report.findings if f.code == case.code and in_scope(f, case)] == []


def test_every_rule_of_these_families_has_a_case():
    from xlperf.rules import RULES

    families = ("form.", "amount.", "xref.", "indicator.", "plan.", "goal.", "code.")
    assert {c.code for c in CASES} == {r.code for r in RULES if r.code.startswith(families)}
