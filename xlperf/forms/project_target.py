"""项目支出绩效目标表 (seeds 002 and 003).

Seed 002: unit line, 项目编码, 项目名称, 预算规模及资金用途 (预算数 = 其中：财政资金 + 其他资金, then the
资金用途 text), 资金支出计划（%） by 3月底 / 6月底 / 10月底 / 12月底, 绩效目标, and indicators with
绩效指标描述 / 指标值 / 指标值确定依据. Seed 003: 项目名称, 项目金额 and indicators with 度量单位,
指标属性, 分值 and 评(扣)分标准.
"""

from __future__ import annotations

from decimal import Decimal

from xlperf.forms import common
from xlperf.forms.grid import Grid
from xlperf.forms.indicators import find_header, has_indicator_header, read_block
from xlperf.forms.schema import ALWAYS, IF_LABELLED, FieldSpec, FormSchema, SumSpec
from xlperf.model import Field, PlanPoint, ProjectTarget

BUDGET = ("预算数", "项目金额", "预算金额", "项目总金额", "年度资金总额", "资金总额")
FISCAL = ("财政资金", "财政拨款")
OTHER = ("其他资金",)
GOAL = ("绩效目标", "年度绩效目标", "项目绩效目标", "总体目标", "年度总体目标", "项目年度绩效目标")
AUTHORITY = ("主管部门", "主管部门及代码", "预算主管部门")
IMPLEMENTER = ("实施单位", "项目实施单位")
BASIS_NOTE = ("以上绩效指标值设定依据", "以上绩效指标值确定依据", "绩效指标值设定依据及数据来源")
PLAN_LABELS = ("3月底", "6月底", "9月底", "10月底", "12月底")
STOP = frozenset(
    BUDGET
    + FISCAL
    + OTHER
    + (
        "项目编码",
        "项目名称",
        "预算规模及资金用途",
        "资金支出计划",
        "资金支出计划(%)",
        "绩效目标",
        "单位名称",
        "单位:万元",
        "金额单位:万元",
        "一级指标",
        "项目资金",
        "项目资金(万元)",
    )
    + GOAL
    + AUTHORITY
    + IMPLEMENTER
)


def matches(keys: set[str]) -> bool:
    budget = any(k in keys for k in BUDGET)
    return "项目名称" in keys and budget and has_indicator_header(keys) and "全年执行数" not in keys


def read(grid: Grid) -> ProjectTarget:
    budget_label = grid.find_one(BUDGET)
    return ProjectTarget(
        sheet=grid.name,
        title=common.title(grid),
        unit_line=_unit_line(grid),
        code=common.labelled_text(grid, ("项目编码", "项目代码"), STOP),
        name=common.labelled_text(grid, ("项目名称",), STOP),
        budget=grid.hit_amount(grid.right_of(budget_label, STOP), budget_label),
        fiscal=_amount(grid, FISCAL),
        other=_amount(grid, OTHER),
        purpose=_purpose(grid, budget_label.row if budget_label else None),
        plan=_plan(grid),
        goal=common.labelled_text(grid, GOAL, STOP),
        indicators=read_block(grid),
        basis_note=_basis_note(grid),
        authority=common.labelled_text(grid, AUTHORITY, STOP),
        implementer=common.labelled_text(grid, IMPLEMENTER, STOP),
    )


# A flat export: one row per indicator under one header, each project's own columns merged down over its
# indicator rows. Field → header labels (as label_key gives them).
FLAT_COLUMNS: dict[str, tuple[str, ...]] = {
    "no": ("序号",),
    "name": ("项目名称",),
    "code": ("项目编码", "项目代码"),
    "budget": BUDGET,
    "fiscal": FISCAL,
    "other": OTHER,
    "goal": GOAL,
    "unit_line": ("单位名称", "预算单位", "部门名称"),
    "authority": AUTHORITY,
    "implementer": IMPLEMENTER,
}


def read_flat(grid: Grid) -> list[tuple[ProjectTarget, Grid]] | None:
    """The projects of a flat export, each with the view of its rows; None when the region is not one (its
    项目名称 is a label beside its value, not a column of the indicator table's header)."""
    header = find_header(grid)
    name = grid.find_one(("项目名称",))
    if header is None or name is None or name.row != header:
        return None
    cols = grid.header_columns(header, FLAT_COLUMNS)
    name_col = cols["name"]
    starts = [
        r
        for r in range(header + 1, grid.n_rows + 1)
        if grid.origin(r, name_col) == (r, name_col) and not grid.blank(r, name_col)
    ]
    if not starts:
        return None
    out = []
    title = common.title(grid)
    ends = [s - 1 for s in starts[1:]] + [grid.n_rows]
    for i, (first, last) in enumerate(zip(starts, ends, strict=True)):
        # The first project's view also holds what stands above the header (the table's title).
        view = grid.rows_view(header, first, last, top=grid.top if i == 0 else header)
        view.detect_unit()
        if i == 0:
            common.title(view)

        def text(field: str, view: Grid = view, first: int = first) -> Field[str]:
            return view.text_field(first, cols.get(field)) if field in cols else Field(None, None, grid.name, "")

        def amount(field: str, view: Grid = view, first: int = first) -> Field[Decimal]:
            return view.amount_field(first, cols.get(field)) if field in cols else Field(None, None, grid.name, "")

        text("no")
        form = ProjectTarget(
            sheet=grid.name,
            title=title,
            unit_line=text("unit_line"),
            code=text("code"),
            name=text("name"),
            budget=amount("budget"),
            fiscal=amount("fiscal"),
            other=amount("other"),
            purpose=Field(None, None, grid.name, ""),
            plan=[],
            goal=text("goal"),
            indicators=read_block(view),
            authority=text("authority"),
            implementer=text("implementer"),
        )
        out.append((form, view))
    return out


def _basis_note(grid: Grid) -> Field[str]:
    """The note under the indicator table naming where the targets come from, label and text in one cell."""
    at = grid.find_one(BASIS_NOTE, prefix=True)
    return grid.text_field(at.row, at.col) if at is not None else Field(None, None, grid.name, "")


def _amount(grid: Grid, labels: tuple[str, ...]) -> Field:
    at = grid.find_one(labels)
    return grid.hit_amount(grid.right_of(at, STOP), at)


def _unit_line(grid: Grid) -> Field[str]:
    labelled = grid.find_one(("单位名称", "预算单位", "部门名称"))
    if labelled is not None:
        return grid.hit_text(grid.right_of(labelled, STOP), labelled)
    # Seed 002 prints the unit as a line of its own under the title ("314001民政部门…").
    title = common.title(grid)
    start = int("".join(ch for ch in title.cell if ch.isdigit()) or 0) + 1
    for row in range(start, min(grid.n_rows, start + 3) + 1):
        for hit in grid.row_hits(row):
            key = grid.key(row, hit.col)
            if isinstance(hit.value, str) and key not in STOP and not key.startswith(("单位:", "金额单位")):
                return grid.text_field(row, hit.col)
    return Field(None, None, grid.name, "")


def _purpose(grid: Grid, budget_row: int | None) -> Field[str]:
    """资金用途: the text in the row under 预算数, inside the merged 预算规模及资金用途 block."""
    if budget_row is None:
        return Field(None, None, grid.name, "")
    row = grid.next_filled_row(budget_row)
    if row is None:
        return Field(None, None, grid.name, "")
    for hit in grid.row_hits(row):
        key = grid.key(row, hit.col)
        if key == "预算规模及资金用途":
            continue
        if key in STOP or key.startswith("资金支出计划"):
            break
        return grid.text_field(row, hit.col)
    return Field(None, None, grid.name, "")


def _plan(grid: Grid) -> list[PlanPoint]:
    head = grid.find_one(("3月底", "6月底", "12月底"))
    if head is None:
        return []
    cols = grid.header_columns(head.row, {label: (label,) for label in PLAN_LABELS})
    row = grid.next_filled_row(head.row)
    points: list[PlanPoint] = []
    for label, col in cols.items():
        points.append(PlanPoint(label, grid.percent_field(row, col) if row else Field(None, None, grid.name, "")))
    return points


SCHEMA = FormSchema(
    kind="project_target",
    title="项目支出绩效目标表",
    fields=(
        FieldSpec("unit_line", "单位"),
        FieldSpec("name", "项目名称", required=ALWAYS, key=True),
        FieldSpec("code", "项目编码", key=True),
        FieldSpec("budget", "预算数", "amount", required=ALWAYS, key=True),
        FieldSpec("fiscal", "财政资金", "amount"),
        FieldSpec("other", "其他资金", "amount"),
        FieldSpec("purpose", "资金用途"),
        # The seed 002 form carries 绩效目标; the seed 003 form (分值 and 评(扣)分标准) has no such field.
        FieldSpec("goal", "绩效目标", required=IF_LABELLED),
        FieldSpec("basis_note", "指标值设定依据及数据来源"),
        FieldSpec("authority", "主管部门"),
        FieldSpec("implementer", "实施单位"),
    ),
    sums=(SumSpec("budget", ("fiscal", "other"), "预算数（= 其中财政资金 + 其他资金）"),),
    captions=(
        "预算规模及资金用途",
        "资金支出计划",
        "单位:万元",
        "金额单位:万元",
        "年度绩效指标",
        "项目资金",
        "绩效指标",
    ),
    unit_fields=("unit_line",),
)
