"""部门（单位）整体支出绩效目标表, in its two published layouts.

Seed 000: 部门名称, 年度预算申请 with 资金总额 and its parts by income and by spending, 部门职责概述,
年度重点工作计划, 年度绩效指标. Seed 004: 部门（单位）名称, a task list (任务名称 · 主要内容 · 总额 ·
财政拨款 · 其他资金) with a 合计 row, 年度总体目标, 年度绩效指标. Seed 003's department-wide indicator
set (with 分值 and 评(扣)分标准) reads as the same form with no funds.
"""

from __future__ import annotations

from xlperf.forms import common
from xlperf.forms.grid import Grid
from xlperf.forms.indicators import has_indicator_header, read_block
from xlperf.forms.schema import ALWAYS, IF_LABELLED, FieldSpec, FormSchema, SumSpec
from xlperf.model import DepartmentTarget, Field, TaskRow, WorkPlanRow

NAME = ("部门名称", "部门(单位)名称", "单位名称", "预算部门名称")
TOTAL = ("资金总额", "年度资金总额")
SECTIONS = (
    "部门职责概述",
    "年度重点工作计划",
    "年度重点工作任务",
    "年度主要任务",
    "年度总体目标",
    "年度绩效指标",
    "绩效指标",
    "一级指标",
)
TASK_COLUMNS: dict[str, tuple[str, ...]] = {
    "no": ("序号",),
    "name": ("任务名称", "任务"),
    "content": ("主要内容",),
    "total": ("总额", "合计", "小计"),
    "fiscal": ("财政拨款", "财政资金"),
    "other": ("其他资金",),
}
PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "item": ("事项", "重点工作事项", "工作事项"),
    "owner": ("责任单位/科室", "责任单位", "责任科室"),
    "goal": ("工作目标",),
}
STOP = frozenset(
    NAME
    + TOTAL
    + SECTIONS
    + common.INCOME_PARTS
    + common.SPENDING_PARTS
    + ("按收入性质分", "按支出性质分", "年度预算申请", "填报单位")
)
TASKS_END = ("年度总体目标", "年度绩效指标", "一级指标", "绩效指标")
PLAN_END = ("部门职责概述", "年度总体目标", "年度绩效指标", "绩效指标", "一级指标", "单位负责人", "填表人")
SIGNATURE = ("单位负责人签字", "填表人", "联系电话")


def matches(keys: set[str]) -> bool:
    has_name = any(k in keys for k in NAME)
    funds = any(k.startswith(TOTAL) for k in keys) or "年度预算申请" in keys or "任务名称" in keys
    return has_name and (funds or "年度总体目标" in keys) and has_indicator_header(keys) and "项目名称" not in keys


def read(grid: Grid) -> DepartmentTarget:
    total_hit = grid.find_one(TOTAL, prefix=True)
    section_rows = [h.row for h in grid.find(SECTIONS)]
    parts_end = min((r for r in section_rows if total_hit and r > total_hit.row), default=grid.n_rows)
    income = spending = []
    if total_hit is not None:
        income = common.parts(grid, common.INCOME_PARTS, total_hit.row, parts_end - 1, STOP)
        spending = common.parts(grid, common.SPENDING_PARTS, total_hit.row, parts_end - 1, STOP)
    tasks, tasks_total = _tasks(grid)
    return DepartmentTarget(
        sheet=grid.name,
        layout="tasks" if tasks else "funds",
        title=common.title(grid),
        dept_name=common.labelled_text(grid, NAME, STOP),
        total=common.labelled_amount(grid, TOTAL, STOP),
        income=income,
        spending=spending,
        tasks=tasks,
        tasks_total=tasks_total,
        duties=common.labelled_text(grid, ("部门职责概述", "部门职责"), STOP),
        work_plan=_work_plan(grid),
        overall_goal=common.labelled_text(grid, ("年度总体目标", "年度绩效目标", "部门年度目标"), STOP),
        indicators=read_block(grid),
        key_work=common.labelled_text(grid, ("年度重点工作任务", "年度重点工作"), STOP),
    )


def _tasks(grid: Grid) -> tuple[list[TaskRow], TaskRow | None]:
    head = grid.find_one(TASK_COLUMNS["name"])
    if head is None:
        return [], None
    cols = grid.header_columns(head.row, TASK_COLUMNS)
    # 总额 · 财政拨款 · 其他资金 usually sit in a sub-header row under 预算金额（万元）; a row under a one-row
    # header that holds no header label is the first task, not a second header.
    sub = grid.next_filled_row(head.row)
    sub_cols = grid.header_columns(sub, TASK_COLUMNS) if sub is not None else {}
    if sub_cols:
        for name, col in sub_cols.items():
            cols.setdefault(name, col)
    else:
        sub = None
    rows: list[TaskRow] = []
    total: TaskRow | None = None
    for row, first in grid.body_rows(sub or head.row, TASKS_END):
        key = grid.key(row, cols.get("name", first.col))
        name_cell = grid.text_field(row, cols.get("name"))
        if name_cell.empty and all(grid.blank(row, c) for c in cols.values()):
            continue  # only the merged 年度主要任务 label
        content = grid.text_field(row, cols.get("content"))
        if content.cell == name_cell.cell:
            content = Field(None, None, grid.name, "")  # "合计" merged over 任务名称 and 主要内容
        task = TaskRow(
            row=row,
            name=name_cell,
            content=content,
            total=grid.amount_field(row, cols.get("total")),
            fiscal=grid.amount_field(row, cols.get("fiscal")),
            other=grid.amount_field(row, cols.get("other")),
            no=grid.text_field(row, cols.get("no")),
        )
        if key == "合计":
            total = task
        else:
            rows.append(task)
    return rows, total


def _work_plan(grid: Grid) -> list[WorkPlanRow]:
    head = grid.find_one(PLAN_COLUMNS["item"])
    if head is None:
        return []
    cols = grid.header_columns(head.row, PLAN_COLUMNS)
    rows: list[WorkPlanRow] = []
    for row, _first in grid.body_rows(head.row, PLAN_END):
        item = grid.text_field(row, cols.get("item"))
        if item.empty and grid.blank(row, cols.get("goal", 0)):
            continue
        rows.append(
            WorkPlanRow(row, item, grid.text_field(row, cols.get("owner")), grid.text_field(row, cols.get("goal")))
        )
    return rows


SCHEMA = FormSchema(
    kind="dept_target",
    title="部门（单位）整体支出绩效目标表",
    fields=(
        FieldSpec("dept_name", "部门名称", required=ALWAYS, key=True),
        FieldSpec("total", "资金总额", "amount", required=IF_LABELLED, key=True),
        FieldSpec("income[].amount", "{label}", "amount", key=True),
        FieldSpec("spending[].amount", "{label}", "amount", key=True),
        FieldSpec("tasks", "任务数", "count", key=True),
        FieldSpec("tasks[].total", "总额", "amount"),
        FieldSpec("tasks[].fiscal", "财政拨款", "amount"),
        FieldSpec("tasks[].other", "其他资金", "amount"),
        FieldSpec("tasks_total.total", "合计", "amount", required=ALWAYS, key=True),
        FieldSpec("tasks_total.fiscal", "财政拨款", "amount"),
        FieldSpec("tasks_total.other", "其他资金", "amount"),
        FieldSpec("duties", "部门职责概述"),
        FieldSpec("overall_goal", "年度总体目标"),
        FieldSpec("key_work", "年度重点工作任务"),
    ),
    sums=(
        SumSpec("total", ("income[].amount",), "按收入性质分", fill=False, at="first_part", total_label="资金总额"),
        SumSpec("total", ("spending[].amount",), "按支出性质分", at="first_part", total_label="资金总额", inline=True),
        SumSpec("total", ("fiscal", "other"), "第{row}行 总额 = 财政拨款 + 其他资金", each="tasks"),
        SumSpec("tasks_total.total", ("tasks[].total",), "合计行 总额（各任务之和）"),
        SumSpec("tasks_total.fiscal", ("tasks[].fiscal",), "合计行 财政拨款（各任务之和）"),
        SumSpec("tasks_total.other", ("tasks[].other",), "合计行 其他资金（各任务之和）"),
    ),
    captions=("按收入性质分", "按支出性质分", "年度预算申请", "填报单位", "年度绩效指标", "年度主要任务", "预算金额"),
    unit_fields=("dept_name",),
)
