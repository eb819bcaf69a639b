"""Cases of the indicator-value 审核 rules: vague and imprecise values, 指标属性 against the value, 成本 under the
2021 framework, 产出 coverage."""

from __future__ import annotations

from rule_cases import Case, dept004, indicator, loc, project
from xlperf.model import WorkbookModel


def _selfeval(model: WorkbookModel):
    return model.of_kind("self_eval")[0].indicators


def _cost_rows(model: WorkbookModel):
    return [i for i in _selfeval(model).indicators if i.level1_key == "成本指标" and not i.is_blank]


def _clear_cost(model: WorkbookModel):
    """Seed 001 (2021 framework) with every 成本指标 row emptied: the table keeps its 成本 rows, none filled."""
    edits = {}
    for ind in _cost_rows(model):
        for field in (ind.name, ind.target, ind.actual, ind.weight, ind.score, ind.reason):
            if field.cell:
                edits[loc(field)] = ""
    return edits


def _timeliness_as_quality(model: WorkbookModel):
    """Seed 004 with its 时效指标 heading (C47:C52) renamed 质量指标: 产出 has no 时效 left."""
    first = next(i for i in dept004(model).indicators.indicators if i.level2_key == "时效指标")
    return {loc(first.level2): "质量指标"}


CASES = [
    Case("indicator.vague_value", "002", "1.汽车保险费",
         lambda m: {loc(indicator(project(m, "1.").indicators, "使用部门满意度").target): "进一步提高"},
         lambda m: loc(indicator(project(m, "1.").indicators, "使用部门满意度").target)),
    Case("indicator.imprecise_number", "004", None,
         lambda m: {loc(indicator(dept004(m).indicators, "发放70周岁以上老年人特殊生活补贴").target): "110多人"},
         lambda m: loc(indicator(dept004(m).indicators, "发放70周岁以上老年人特殊生活补贴").target)),
    Case("indicator.attribute_mismatch", "003", "2.临时救助专项经费",
         lambda m: {loc(indicator(project(m, "2.").indicators, "救助对象满意度").attribute): "定性指标"},
         lambda m: loc(indicator(project(m, "2.").indicators, "救助对象满意度").attribute)),
    Case("indicator.missing_cost", "001", None, _clear_cost, lambda m: loc(_cost_rows(m)[0].name)),
    Case("indicator.output_incomplete", "004", None, _timeliness_as_quality,
         lambda m: loc(dept004(m).indicators.indicators[0].level1)),
]  # fmt: skip
