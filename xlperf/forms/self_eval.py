"""绩效自评表 (seed 001 附件3; the project version has the same columns).

Funds: a header row 年初预算数 · 全年预算数 · 全年执行数 · 分值 · 执行率 · 得分 over the 年度资金总额 row,
then the parts by income and by spending, written as "label：amount" in one cell. Then 年度总体目标
(预期目标 · 实际完成情况), the indicator block with 实际完成值 / 分值 / 得分 / 偏差原因, and 总分.
"""

from __future__ import annotations

from decimal import Decimal

from xlperf.a1 import column_index
from xlperf.amounts import to_decimal
from xlperf.forms import common
from xlperf.forms.grid import Grid
from xlperf.forms.indicators import read_block
from xlperf.forms.schema import ALWAYS, FieldSpec, FormSchema, Relation
from xlperf.model import Field, SelfEvaluation

UNIT = (
    "市级预算部门(单位)名称",
    "预算部门(单位)名称",
    "部门(单位)名称",
    "预算部门名称",
    "单位名称",
    "部门名称",
    "项目名称",
)
FUND_COLUMNS: dict[str, tuple[str, ...]] = {
    "initial_budget": ("年初预算数",),
    "annual_budget": ("全年预算数", "调整后预算数"),
    "executed": ("全年执行数", "实际执行数"),
    "rate_weight": ("分值",),
    "rate": ("执行率", "预算执行率"),
    "rate_score": ("得分",),
}
GRADE = ("评价等级", "自评等级", "绩效评价等级", "自评结果等级")
STOP = frozenset(
    UNIT
    + ("按收入性质分", "按支出性质分", "年度总体目标", "预期目标", "实际完成情况", "主管部门", "实施单位")
    + common.INCOME_PARTS
    + common.SPENDING_PARTS
)


def matches(keys: set[str]) -> bool:
    return "全年执行数" in keys and ("实际完成值" in keys or "得分" in keys)


def read(grid: Grid) -> SelfEvaluation:
    head = grid.find_one(FUND_COLUMNS["executed"])
    cols = grid.header_columns(head.row, FUND_COLUMNS) if head else {}
    row = grid.next_filled_row(head.row) if head else None
    empty: Field = Field(None, None, grid.name, "")

    def fund(name: str) -> Field[Decimal]:
        if row is None or name not in cols:
            return empty
        return grid.amount_field(row, cols[name])

    rate = empty
    if row is not None and "rate" in cols:
        rate = grid.percent_field(row, cols["rate"])
    goal_head = grid.find_one(("预期目标",))
    goal_cols = (
        grid.header_columns(goal_head.row, {"expected": ("预期目标",), "actual": ("实际完成情况",)})
        if goal_head
        else {}
    )
    goal_row = grid.next_filled_row(goal_head.row) if goal_head else None
    if goal_row is not None and grid.find_one(("一级指标",), start_row=goal_row, end_row=goal_row):
        goal_row = None  # the goal texts were left empty: the next filled row is the indicator header
    parts_end = goal_head.row - 1 if goal_head else grid.n_rows
    indicators = read_block(grid)
    total_weight, total_score = _totals(grid, indicators.columns if indicators else {})
    return SelfEvaluation(
        sheet=grid.name,
        title=common.title(grid),
        unit=common.labelled_text(grid, UNIT, STOP),
        initial_budget=fund("initial_budget"),
        annual_budget=fund("annual_budget"),
        executed=fund("executed"),
        rate_weight=fund("rate_weight"),
        rate=rate,
        rate_score=fund("rate_score"),
        income=common.parts(grid, common.INCOME_PARTS, (row or 1) + 1, parts_end, STOP),
        spending=common.parts(grid, common.SPENDING_PARTS, (row or 1) + 1, parts_end, STOP),
        goal_expected=grid.text_field(goal_row, goal_cols.get("expected")) if goal_row else empty,
        goal_actual=grid.text_field(goal_row, goal_cols.get("actual")) if goal_row else empty,
        indicators=indicators,
        total_weight=total_weight,
        total_score=total_score,
        grade=common.labelled_text(grid, GRADE, STOP),
        authority=common.labelled_text(grid, ("主管部门",), STOP),
        implementer=common.labelled_text(grid, ("实施单位",), STOP),
    )


def _totals(grid: Grid, columns: dict[str, str]) -> tuple[Field[Decimal], Field[Decimal]]:
    """总分 row: the 分值 total and the 得分 total, under their columns (else the numbers in order)."""
    at = grid.find_one(("总分",))
    empty: Field = Field(None, None, grid.name, "")
    if at is None:
        return empty, empty
    if "weight" in columns and "score" in columns:
        w = grid.amount_field(at.row, column_index(columns["weight"]))
        s = grid.amount_field(at.row, column_index(columns["score"]))
        if not (w.empty and s.empty):
            return w, s
    numbers = [h for h in grid.row_hits(at.row) if to_decimal(h.value) is not None]
    fields = [grid.amount_field(at.row, h.col) for h in numbers]
    if len(fields) >= 2:
        return fields[0], fields[1]
    return empty, (fields[0] if fields else empty)


def _relations(form: SelfEvaluation) -> list[Relation]:
    """The parts by income and by spending against 全年预算数 (年初预算数 where 全年 is left empty)."""
    if not form.annual_budget.empty:
        total, name = form.annual_budget, "全年预算数"
    else:
        total, name = form.initial_budget, "年初预算数"
    return [
        Relation(total, [p.amount for p in parts], [p.label for p in parts], side, False, "first_part", name)
        for side, parts in (("按收入性质分", form.income), ("按支出性质分", form.spending))
    ]


SCHEMA = FormSchema(
    kind="self_eval",
    title="绩效自评表",
    fields=(
        FieldSpec("unit", "单位", key=True),
        FieldSpec("initial_budget", "年初预算数", "amount"),
        FieldSpec("annual_budget", "全年预算数", "amount", required=ALWAYS, key=True),
        FieldSpec("executed", "全年执行数", "amount", required=ALWAYS, key=True),
        FieldSpec("income[].amount", "{label}", "amount"),
        FieldSpec("spending[].amount", "{label}", "amount"),
        FieldSpec("total_score", "总分", key=True),
    ),
    derived=_relations,
    captions=(
        "按收入性质分",
        "按支出性质分",
        "年度总体目标",
        "年度资金总额",
        "年度预算申请",
        "年度预算资金",
        "项目资金",
    ),
    unit_fields=("unit",),
)
