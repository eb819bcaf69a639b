"""The official forms as templates: one builder per form, blank or filled from a form of the model.

Each builder writes the form the way the official one prints it and the readers of :mod:`xlperf.forms`
read it: labels where the readers look for them, the value cell of each label right of it, the indicator
table under its header row. Given a form read from a workbook (``form``), a builder fills the input cells
with that form's values — which is how the tests check that a filled template reads back exactly.

Blank, an indicator table starts with the framework's 一级/二级 rows (:func:`framework_rows`); the clerk
fills in 三级 and the values, and inserts rows where a 二级 needs more than one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from xlperf.amounts import split_labelled
from xlperf.labels import label_key
from xlperf.model import (
    DepartmentTarget,
    Field,
    Part,
    ProjectTarget,
    SelfEvaluation,
    SpecialFundSummary,
    SpendingDirection,
)
from xlperf.templates import GUIDE_SHEET
from xlperf.templates.guide import GUIDES
from xlperf.templates.layout import merge_down, new_sheet, put_row, sheet_name
from xlperf.templates.sheet import COMPUTED, FormSheet, Input, TemplateBook, framework_rows

BLANK_YEAR = "____"  # an official blank form leaves room for the year in its title

# Indicator columns: model attribute → (header, kind, drop-down).
COLUMNS: dict[str, tuple[str, str, str | None]] = {
    "level1": ("一级指标", "label", "level1"),
    "level2": ("二级指标", "label", "level2"),
    "name": ("三级指标", "text", None),
    "description": ("绩效指标描述", "text", None),
    "target": ("指标值", "text", None),
    "unit": ("度量单位", "label", None),
    "attribute": ("指标属性", "label", "attribute"),
    "direction": ("指标方向", "label", "direction"),
    "standard": ("绩效标准", "label", "standard"),
    "weight": ("分值", "score", None),
    "rule": ("评（扣）分标准", "text", None),
    "basis": ("指标值确定依据", "text", None),
    "actual": ("实际完成值", "label", None),
    "grade": ("完成等级", "label", "grade"),
    "score": ("得分", "score", None),
    "reason": ("偏差原因分析及改进措施", "text", None),
}

INCOME = ("一般公共预算拨款", "政府性基金拨款", "其他资金")
SPENDING = ("基本支出", "项目支出")
# The self-evaluation's parts, as seed 001's official 附件3 prints them.
SELFEVAL_INCOME = ("一般公共预算", "政府性基金拨款", "纳入专户管理的非税收入拨款", "其他资金")
PLAN_MONTHS = ("3月底", "6月底", "10月底", "12月底")


# --- values of a form, to write back -------------------------------------------------------------------------


def value(field: Field[Any] | None) -> Any:
    """What a cell of the form held, to write it again: the typed value, or text that is not one (an amount
    written "——"); None for an empty field or for a label whose amount was left out ("其他资金：")."""
    if field is None:
        return None
    if field.value is not None:
        return field.value
    raw = field.raw
    if isinstance(raw, str) and raw.strip() and not split_labelled(raw)[2]:
        return raw.strip()
    return None


def text(field: Field[Any] | None) -> str | None:
    return field.text if field is not None and not field.empty else None


def amounts(parts: Sequence[Part]) -> dict[str, Any]:
    return {label_key(p.label): value(p.amount) for p in parts}


def indicator_rows(form: Any) -> list[dict[str, Any]]:
    """The rows of a form's indicator table, as values by attribute; a blank form gets the framework rows."""
    if form is None or form.indicators is None:
        return [{"level1": l1, "level2": l2} for l1, l2 in framework_rows()]
    rows: list[dict[str, Any]] = []
    for ind in form.indicators.indicators:
        row = {name: value(getattr(ind, name)) for name in COLUMNS if isinstance(getattr(ind, name, None), Field)}
        row["level1"], row["level2"] = text(ind.level1), text(ind.level2)
        rows.append(row)
    return rows


def title(form: Any, year: str | None, name: str, year_word: str = "年") -> str:
    """The form's own title when it has one, else the official name after the year (or room for it)."""
    if form is not None and not form.title.empty:
        return form.title.text
    return f"{year or BLANK_YEAR}{year_word}{name}"


# --- pieces every form has ------------------------------------------------------------------------------------


def unit_line(s: FormSheet, unit: str | None, left: int = 2, right: int = 2) -> None:
    """填报单位（盖章）: the unit's name on a line of its own, and the money unit on the right."""
    s.row(
        [
            (left, "填报单位（盖章）：", "plain"),
            (s.n_cols - left - right, Input(unit), "plain"),
            (right, "金额单位：万元", "plainr"),
        ]
    )


SIGNATURE = ("单位负责人签字：", "填表人：", "联系电话：")


def signature(s: FormSheet, spans: tuple[int, int, int]) -> None:
    """The line under the form, as the official forms print it: 单位负责人签字 / 填表人 / 联系电话, each an
    input cell that starts with its label, so that the name or number is written after the colon."""
    s.skip()
    s.row([(span, Input(label), "plain") for span, label in zip(spans, SIGNATURE, strict=True)], min_height=24)


def indicator_table(
    s: FormSheet,
    block: str | None,
    columns: Sequence[tuple[str, int]],
    rows: Sequence[dict[str, Any]],
    heads: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    """The indicator table: a header row and one row per indicator, every cell of a row an input (一级, 二级
    and the choice columns with drop-downs). ``block`` is the label merged down its left, if the form has one.
    Returns the cells of each column, by attribute."""
    lead: list[tuple[int, Any, str]] = [(1, block, "block")] if block else []
    spacer: list[tuple[int, Any, str]] = [(1, "", "block")] if block else []
    top = s.r
    s.row([*lead, *((span, (heads or {}).get(attr, COLUMNS[attr][0]), "head") for attr, span in columns)])
    l1_col = 1 + len(lead)
    cells: dict[str, list[str]] = {attr: [] for attr, _ in columns}
    for row in rows:
        spec = []
        for attr, span in columns:
            _, kind, choices = COLUMNS[attr]
            spec.append((span, Input(row.get(attr), choices, l1_col), kind))
        refs = s.row([*spacer, *spec])
        for (attr, _), ref in zip(columns, refs[len(lead) :], strict=True):
            cells[attr].append(ref)
    if block:
        merge_down(s.ws, 1, top, s.r - 1)
    return cells


# --- 部门（单位）整体支出绩效目标表 ------------------------------------------------------------------------------

DEPT_WIDTHS = (14, 12, 20, 28, 22, 10, 10, 10)
DEPT_COLUMNS = (
    ("level1", 1),
    ("level2", 1),
    ("name", 1),
    ("target", 1),
    ("unit", 1),
    ("attribute", 1),
    ("direction", 1),
)


def dept(book: TemplateBook, form: DepartmentTarget | None, year: str | None, unit: str | None) -> None:
    """部门（单位）整体支出绩效目标表, as seed 000 prints it: 部门名称, 年度预算申请 (资金总额 = 基本支出 + 项目支出,
    and its parts by income and by spending), 部门职责概述, 年度重点工作计划, 年度总体目标, 年度绩效指标."""
    s = book.sheet(form.sheet if form else "部门整体支出绩效目标表", DEPT_WIDTHS)
    n = s.n_cols
    s.row([(n, Input(title(form, year, "部门（单位）整体支出绩效目标表")), "title")])
    unit_line(s, unit)
    s.row([(1, "部门（单位）名称", "label"), (n - 1, Input(value(form.dept_name) if form else unit), "text")])

    income = amounts(form.income) if form else {}
    spending = amounts(form.spending) if form else {}
    top = s.r
    total = s.row(
        [
            (1, "年度预算申请\n（万元）", "block"),
            (2, "资金总额", "label"),
            (1, COMPUTED, "amount"),
            (4, "（自动计算：基本支出 + 项目支出）", "text"),
        ]
    )[2]
    s.row([(1, "", "block"), (3, "按收入性质分", "head"), (4, "按支出性质分", "head")])
    spent = []
    for i, label in enumerate(INCOME):
        right: list[tuple[int, Any, str]] = [(3, "", "label"), (1, "", "amount")]
        if i < len(SPENDING):
            right = [(3, SPENDING[i], "label"), (1, Input(spending.get(SPENDING[i])), "amount")]
        refs = s.row([(1, "", "block"), (2, label, "label"), (1, Input(income.get(label)), "amount"), *right])
        if i < len(SPENDING):
            spent.append(refs[4])
    merge_down(s.ws, 1, top, s.r - 1)
    s.total(total, spent)

    s.row([(1, "部门职责概述", "label"), (n - 1, Input(value(form.duties) if form else None), "text")], 48)
    top = s.r
    s.row(
        [(1, "年度重点工作计划", "block"), (3, "事项", "head"), (1, "责任单位/科室", "head"), (3, "工作目标", "head")]
    )
    plan = [(w.item, w.owner, w.goal) for w in form.work_plan] if form else [(None, None, None)] * 5
    for item, owner, goal in plan:
        s.row(
            [
                (1, "", "block"),
                (3, Input(value(item)), "text"),
                (1, Input(value(owner)), "label"),
                (3, Input(value(goal)), "text"),
            ],
        )
    merge_down(s.ws, 1, top, s.r - 1)
    s.row([(1, "年度总体目标", "label"), (n - 1, Input(value(form.overall_goal) if form else None), "text")], 36)
    indicator_table(s, "年度绩效指标", DEPT_COLUMNS, indicator_rows(form))
    signature(s, (3, 3, 2))
    s.finish(title_rows=2, freeze="A3", landscape=False)


# --- 附表2 专项资金绩效目标汇总表 and 附表3 专项资金支出方向绩效目标表 --------------------------------------------

SUMMARY_WIDTHS = (8, 26, 14, 44, 44)
DIRECTION_WIDTHS = (14, 12, 20, 26, 22, 10, 10, 10, 12)
DIRECTION_COLUMNS = (
    ("level1", 1),
    ("level2", 1),
    ("name", 1),
    ("target", 1),
    ("unit", 1),
    ("attribute", 1),
    ("direction", 1),
    ("standard", 1),
)
SUMMARY_NAME_COL, SUMMARY_AMOUNT_COL = 2, 3  # B and C of 附表2


def summary(
    book: TemplateBook, form: SpecialFundSummary | None, year: str | None, unit: str | None, rows: int = 5
) -> None:
    """附表2: 序号 · 名称 · 金额 · 实施期绩效目标 · 年度绩效目标, its 合计 row first (as seed 000 prints it), then
    one row per spending direction (``rows`` numbered blank ones, which add-direction fills first, or the
    form's)."""
    s = book.sheet(form.sheet if form else "附表2", SUMMARY_WIDTHS)
    n = s.n_cols
    s.row([(2, "附表2", "plain")])
    s.row([(n, Input(title(form, year, "专项资金绩效目标汇总表")), "title")])
    unit_line(s, unit, left=2, right=1)
    s.row(
        [
            (1, "序号", "head"),
            (1, "名称", "head"),
            (1, "金额", "head"),
            (1, "实施期绩效目标", "head"),
            (1, "年度绩效目标", "head"),
        ]
    )
    total = s.row([(1, "", "label"), (1, "合计", "label"), (1, COMPUTED, "amount"), (1, "", "text"), (1, "", "text")])[
        2
    ]
    lines = (
        [(value(r.no), value(r.name), value(r.amount), value(r.period_goal), value(r.annual_goal)) for r in form.rows]
        if form
        else [(i, None, None, None, None) for i in range(1, rows + 1)]
    )
    cells = [summary_row(s, line) for line in lines]
    s.total(total, cells)
    signature(s, (2, 2, 1))
    s.finish(title_rows=4, freeze="A6")


def summary_row(s: FormSheet, line: tuple[Any, ...]) -> str:
    """One direction row of 附表2; returns its 金额 cell."""
    no, name, amount, period_goal, annual_goal = line
    refs = s.row(
        [
            (1, Input(no), "label"),
            (1, Input(name), "label"),
            (1, Input(amount), "amount"),
            (1, Input(period_goal), "text"),
            (1, Input(annual_goal), "text"),
        ],
    )
    return refs[2]


def direction(
    book: TemplateBook,
    form: SpendingDirection | None,
    year: str | None,
    unit: str | None,
    name: str | None = None,
    index: int | None = None,
    heading: str | None = None,
) -> FormSheet:
    """附表3 for one spending direction: 支出方向（子项） and 所属专项, 项目金额 = 金额 = 支出明细合计 (computed),
    项目实施期 and the goals, 年度绩效指标 with 绩效标准, 支出明细及测算说明 with its 合计."""
    taken = set(book.wb.sheetnames)
    direction_name = value(form.direction) if form else name
    sheet = form.sheet if form else sheet_name(f"附表3 {name}" if name else "附表3", taken)
    s = book.sheet(sheet, DIRECTION_WIDTHS, index)
    n = s.n_cols
    s.row([(1, "附表3", "plain")])
    s.row([(n, Input(heading or title(form, year, "专项资金支出方向绩效目标表")), "title")])
    unit_line(s, unit, left=2, right=2)
    s.row(
        [
            (1, "支出方向（子项）", "label"),
            (2, Input(direction_name), "label"),
            (1, "所属专项", "block"),
            (1, "名称", "label"),
            (4, Input(value(form.special) if form else None), "label"),
        ]
    )
    refs = s.row(
        [
            (1, "项目金额", "label"),
            (2, COMPUTED, "amount"),
            (1, "", "block"),
            (1, "金额", "label"),
            (4, COMPUTED, "amount"),
        ]
    )
    project_amount, amount = refs[1], refs[4]
    merge_down(s.ws, 4, s.r - 2, s.r - 1)
    for label, attr, height in (
        ("项目实施期", "period", 20),
        ("实施期绩效目标", "period_goal", 36),
        ("年度绩效目标", "annual_goal", 36),
    ):
        s.row([(1, label, "label"), (n - 1, Input(value(getattr(form, attr)) if form else None), "text")], height)
    indicator_table(s, "年度绩效指标", DIRECTION_COLUMNS, indicator_rows(form))
    top = s.r
    s.row(
        [
            (1, "支出明细及\n测算说明", "block"),
            (2, "支出内容简介", "head"),
            (1, "支出明细", "head"),
            (1, "金额", "head"),
            (4, "支出测算依据及过程说明", "head"),
        ]
    )
    details = (
        [(value(d.intro), value(d.detail), value(d.amount), value(d.basis)) for d in form.details]
        if form
        else [(None, None, None, None)] * 3
    )
    detail_amounts = []
    for intro, detail, money, basis in details:
        refs = s.row(
            [
                (1, "", "block"),
                (2, Input(intro), "text"),
                (1, Input(detail), "text"),
                (1, Input(money), "amount"),
                (4, Input(basis), "text"),
            ],
        )
        detail_amounts.append(refs[3])
    details_total = s.row([(1, "", "block"), (3, "合计", "label"), (1, COMPUTED, "amount"), (4, "", "text")])[2]
    merge_down(s.ws, 1, top, s.r - 1)
    s.total(details_total, detail_amounts)
    s.total(amount, [details_total])
    s.total(project_amount, [amount])
    signature(s, (4, 3, 2))
    s.finish(title_rows=3, freeze="A4")
    return s


# --- 项目支出绩效目标表 ---------------------------------------------------------------------------------------------

PROJECT_WIDTHS = (12, 12, 20, 20, 18, 14, 10, 10, 10, 7, 22, 16)
PROJECT_COLUMNS = (
    ("level1", 1),
    ("level2", 1),
    ("name", 1),
    ("description", 1),
    ("target", 1),
    ("unit", 1),
    ("attribute", 1),
    ("direction", 1),
    ("weight", 1),
    ("rule", 1),
    ("basis", 1),
)


def project(book: TemplateBook, form: ProjectTarget | None, year: str | None, unit: str | None) -> None:
    """项目支出绩效目标表 (seed 002's form, with seed 003's 度量单位, 指标属性, 分值 and 评(扣)分标准): 单位名称,
    项目编码, 项目名称, 预算数 = 财政资金 + 其他资金 (computed), 资金用途, 资金支出计划（%）, 绩效目标, indicators."""
    s = book.sheet(form.sheet if form else "项目支出绩效目标表", PROJECT_WIDTHS)
    n = s.n_cols
    s.row([(n, Input(title(form, year, "项目支出绩效目标表")), "title")])
    unit_line(s, unit)
    s.row(
        [
            (1, "单位名称", "label"),
            (5, Input(value(form.unit_line) if form else unit), "text"),
            (2, "项目编码", "label"),
            (4, Input(value(form.code) if form else None), "text"),
        ]
    )
    s.row([(1, "项目名称", "label"), (n - 1, Input(value(form.name) if form else None), "text")])
    top = s.r
    refs = s.row(
        [
            (1, "预算规模及资金用途", "block"),
            (1, "预算数", "label"),
            (2, COMPUTED, "amount"),
            (1, "其中：财政资金", "label"),
            (2, Input(value(form.fiscal) if form else None), "amount"),
            (2, "其他资金", "label"),
            (3, Input(value(form.other) if form else None), "amount"),
        ]
    )
    s.row([(1, "", "block"), (n - 1, Input(value(form.purpose) if form else None), "text")], 36)
    merge_down(s.ws, 1, top, s.r - 1)
    s.total(refs[2], [refs[4], refs[6]])
    spans = (2, 2, 3, 4)
    plan = {p.label: value(p.percent) for p in form.plan} if form else {}
    top = s.r
    s.row([(1, "资金支出计划\n（%）", "block"), *((w, m, "head") for w, m in zip(spans, PLAN_MONTHS, strict=True))])
    s.row([(1, "", "block"), *((w, Input(plan.get(m)), "pct") for w, m in zip(spans, PLAN_MONTHS, strict=True))])
    merge_down(s.ws, 1, top, s.r - 1)
    s.row([(1, "绩效目标", "label"), (n - 1, Input(value(form.goal) if form else None), "text")], 48)
    indicator_table(s, "绩效指标", PROJECT_COLUMNS, indicator_rows(form))
    signature(s, (5, 4, 3))
    s.finish(title_rows=2, freeze="A3")


# --- 绩效自评表 -------------------------------------------------------------------------------------------------

SELFEVAL_WIDTHS = (10, 12, 20, 20, 14, 10, 10, 10, 7, 20, 12, 14, 7, 22)
SELFEVAL_COLUMNS = (
    ("level1", 1),
    ("level2", 1),
    ("name", 1),
    ("target", 1),
    ("unit", 1),
    ("attribute", 1),
    ("direction", 1),
    ("weight", 1),
    ("rule", 1),
    ("actual", 1),
    ("grade", 1),
    ("score", 1),
    ("reason", 1),
)
RATE_WEIGHT = 10


def selfeval(
    book: TemplateBook, form: SelfEvaluation | None, year: str | None, unit: str | None, of_project: bool
) -> None:
    """绩效自评表, department or project version (seed 001's 附件3 with the project form's rows): the funds
    (年初预算数 · 全年预算数 · 全年执行数 · 分值 · 执行率 = 全年执行数 / 全年预算数 · 得分) and their parts,
    年度总体目标 (预期目标 · 实际完成情况), the indicators with 实际完成值, 完成等级 and 得分, 总分 (computed) and
    评价等级."""
    kind = "项目支出绩效自评表" if of_project else "部门（单位）整体支出绩效自评表"
    s = book.sheet(form.sheet if form else kind.replace("（单位）", ""), SELFEVAL_WIDTHS)
    n = s.n_cols
    s.row([(n, Input(title(form, year, kind, "年度")), "title")])
    unit_line(s, unit)
    if of_project:
        s.row([(3, "项目名称", "label"), (n - 3, Input(value(form.unit) if form else None), "text")])
        s.row(
            [
                (3, "主管部门", "label"),
                (5, Input(value(form.authority) if form and not form.authority.empty else unit), "text"),
                (2, "实施单位", "label"),
                (4, Input(value(form.implementer) if form and not form.implementer.empty else unit), "text"),
            ]
        )
    else:
        s.row([(3, "预算部门（单位）名称", "label"), (n - 3, Input(value(form.unit) if form else unit), "text")])

    top = s.r
    heads = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    spans = (2, 2, 2, 1, 1, 2)
    s.row(
        [
            (1, "项目资金\n（万元）" if of_project else "年度预算资金\n（万元）", "block"),
            (3, "", "label"),
            *((w, h, "head") for w, h in zip(spans, heads, strict=True)),
        ]
    )
    funds: list[tuple[Any, str]] = [
        (Input(value(form.initial_budget) if form else None), "amount"),
        (Input(value(form.annual_budget) if form else None), "amount"),
        (Input(value(form.executed) if form else None), "amount"),
        (Input(value(form.rate_weight) if form else RATE_WEIGHT), "score"),
        (COMPUTED, "pct"),
        (Input(value(form.rate_score) if form else None), "score"),
    ]
    refs = s.row(
        [(1, "", "block"), (3, "年度资金总额", "label"), *((w, v, k) for w, (v, k) in zip(spans, funds, strict=True))]
    )
    budget, executed, rate_weight, rate, rate_score = refs[3], refs[4], refs[5], refs[6], refs[7]
    s.ratio(rate, executed, budget)
    income = amounts(form.income) if form else {}
    spending = amounts(form.spending) if form else {}
    if of_project:
        s.row([(1, "", "block"), (n - 1, "按收入性质分", "head")])
        pairs = [SELFEVAL_INCOME[i : i + 2] for i in range(0, len(SELFEVAL_INCOME), 2)]
        for left, right in pairs:
            s.row(
                [
                    (1, "", "block"),
                    (4, left, "label"),
                    (2, Input(income.get(left)), "amount"),
                    (5, right, "label"),
                    (2, Input(income.get(right)), "amount"),
                ]
            )
    else:
        s.row([(1, "", "block"), (6, "按收入性质分", "head"), (7, "按支出性质分", "head")])
        for i, left in enumerate(SELFEVAL_INCOME):
            right = SPENDING[i] if i < len(SPENDING) else None
            s.row(
                [
                    (1, "", "block"),
                    (4, left, "label"),
                    (2, Input(income.get(left)), "amount"),
                    (5, right or "", "label"),
                    (2, Input(spending.get(right)) if right else "", "amount"),
                ]
            )
    merge_down(s.ws, 1, top, s.r - 1)

    top = s.r
    s.row([(1, "年度总体目标", "block"), (6, "预期目标", "head"), (7, "实际完成情况", "head")])
    s.row(
        [
            (1, "", "block"),
            (6, Input(value(form.goal_expected) if form else None), "text"),
            (7, Input(value(form.goal_actual) if form else None), "text"),
        ],
        60,
    )
    merge_down(s.ws, 1, top, s.r - 1)
    cells = indicator_table(s, "绩效指标", SELFEVAL_COLUMNS, indicator_rows(form), {"target": "年度指标值"})
    refs = s.row(
        [
            (8, "总分", "head"),
            (1, COMPUTED, "score"),
            (3, "", "text"),
            (1, COMPUTED, "score"),
            (1, "", "text"),
        ]
    )
    weights, scores = cells["weight"], cells["score"]
    s.formula(refs[1], f"{rate_weight}+SUM({weights[0]}:{weights[-1]})", [rate_weight, *weights])
    s.formula(refs[3], f"{rate_score}+SUM({scores[0]}:{scores[-1]})", [rate_score, *scores])
    s.row([(8, "评价等级", "head"), (6, Input(value(form.grade) if form else None), "label")])
    signature(s, (5, 5, 4))
    s.finish(title_rows=2, freeze="A3")


# --- 填表说明 ----------------------------------------------------------------------------------------------------


def guide(book: TemplateBook, kind: str) -> None:
    """The 填表说明 sheet: what each part of the form is, the units, what computes itself, how to check."""
    ws = new_sheet(book.wb, GUIDE_SHEET, (16, 92))
    r = put_row(ws, 1, [(2, "填表说明", "title")])
    for head, body in GUIDES[kind]:
        r = put_row(ws, r, [(1, head, "label"), (1, body, "text")])
    ws.protection.sheet = True
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


_YEAR = re.compile(r"(\d{4})\s*年")


def year_of(text: str) -> str | None:
    m = _YEAR.search(text or "")
    return m.group(1) if m else None
