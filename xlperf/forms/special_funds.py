"""附表2 专项资金绩效目标汇总表 and 附表3 专项资金支出方向绩效目标表 (seed 000).

附表2 lists one row per spending direction with a 合计 row (first or last); each direction has one 附表3
sheet, named anything, carrying 支出方向（子项）, 项目金额, the indicator block and 支出明细及测算说明.
"""

from __future__ import annotations

from xlperf.forms import common
from xlperf.forms.grid import Grid
from xlperf.forms.indicators import has_indicator_header, read_block
from xlperf.forms.schema import ALWAYS, FieldSpec, FormSchema, SumSpec
from xlperf.model import DetailRow, SpecialFundSummary, SpendingDirection, SummaryRow

SUMMARY_COLUMNS: dict[str, tuple[str, ...]] = {
    "no": ("序号",),
    "name": ("名称", "专项名称", "支出方向", "项目名称"),
    "amount": ("金额", "预算金额", "资金金额"),
    "period_goal": ("实施期绩效目标", "实施期目标"),
    "annual_goal": ("年度绩效目标", "年度目标"),
}
DETAIL_COLUMNS: dict[str, tuple[str, ...]] = {
    "intro": ("支出内容简介",),
    "detail": ("支出明细",),
    "amount": ("金额",),
    "basis": ("支出测算依据及过程说明", "测算依据及说明", "支出测算依据"),
}
DIRECTION = ("支出方向(子项)", "支出方向")
DIRECTION_STOP = frozenset(
    DIRECTION + ("所属专项", "名称", "项目金额", "金额", "项目实施期", "实施期绩效目标", "年度绩效目标", "年度绩效指标")
)
END = ("单位负责人", "填表人", "联系电话")


def matches_summary(keys: set[str]) -> bool:
    header = {"序号", "实施期绩效目标", "年度绩效目标"} <= keys
    return header and not has_indicator_header(keys) and not matches_direction(keys)


def matches_direction(keys: set[str]) -> bool:
    return any(k in keys for k in DIRECTION) and "项目金额" in keys


def read_summary(grid: Grid) -> SpecialFundSummary:
    head = grid.find_one(SUMMARY_COLUMNS["period_goal"])
    cols = grid.header_columns(head.row, SUMMARY_COLUMNS) if head else {}
    rows: list[SummaryRow] = []
    total = None
    for row, first in grid.body_rows((head.row if head else 0), END):
        name = grid.text_field(row, cols.get("name"))
        amount = grid.amount_field(row, cols.get("amount"))
        if grid.key(row, cols.get("name", first.col)) == "合计" or grid.key(row, first.col) == "合计":
            grid.find(("合计",), start_row=row, end_row=row)  # the 合计 label: read
            total = amount
            continue
        if name.empty and amount.empty:
            grid.text_field(row, cols.get("no"))  # a numbered row left empty: its 序号 is read
            continue
        rows.append(
            SummaryRow(
                row,
                grid.text_field(row, cols.get("no")),
                name,
                amount,
                grid.text_field(row, cols.get("period_goal")),
                grid.text_field(row, cols.get("annual_goal")),
            )
        )
    from xlperf.model import Field

    return SpecialFundSummary(grid.name, common.title(grid), rows, total or Field(None, None, grid.name, ""))


def read_direction(grid: Grid) -> SpendingDirection:
    stop = DIRECTION_STOP
    special_label = grid.find_one(("所属专项",))
    special = None
    if special_label is not None:
        # "所属专项 | 名称 | <name>": the value sits right of the 名称 sub-label when there is one.
        nxt = grid.right_of(special_label)
        if nxt is not None and grid.key(nxt.row, nxt.col) == "名称":
            grid.mark_read(nxt.row, nxt.col)
            special = grid.right_of(nxt, stop)
        else:
            special = grid.right_of(special_label, stop)
    project_amount_label = grid.find_one(("项目金额",))
    amount_label = None
    if project_amount_label is not None:
        amount_label = grid.find_one(("金额",), start_row=project_amount_label.row, end_row=project_amount_label.row)
    indicators = read_block(grid)
    details, details_total = _details(grid)
    return SpendingDirection(
        sheet=grid.name,
        title=common.title(grid),
        direction=common.labelled_text(grid, DIRECTION, stop),
        special=grid.hit_text(special, special_label),
        project_amount=grid.hit_amount(grid.right_of(project_amount_label, stop), project_amount_label),
        amount=grid.hit_amount(grid.right_of(amount_label, stop), amount_label),
        period=common.labelled_text(grid, ("项目实施期", "实施期"), stop),
        period_goal=common.labelled_text(grid, ("实施期绩效目标",), stop),
        annual_goal=common.labelled_text(grid, ("年度绩效目标",), stop),
        indicators=indicators,
        details=details,
        details_total=details_total,
    )


def _details(grid: Grid) -> tuple[list[DetailRow], object]:
    from xlperf.model import Field

    head = grid.find_one(DETAIL_COLUMNS["intro"])
    empty = Field(None, None, grid.name, "")
    if head is None:
        return [], empty
    cols = grid.header_columns(head.row, DETAIL_COLUMNS)
    rows: list[DetailRow] = []
    total = empty
    for row, _first in grid.body_rows(head.row, END):
        keys = {grid.key(row, c) for c in cols.values()}
        amount = grid.amount_field(row, cols.get("amount"))
        if "合计" in keys:
            grid.find(("合计",), start_row=row, end_row=row)  # the 合计 label: read
            total = amount
            continue
        intro = grid.text_field(row, cols.get("intro"))
        if intro.empty and amount.empty and grid.blank(row, cols.get("detail", 0)):
            continue
        rows.append(
            DetailRow(
                row, intro, grid.text_field(row, cols.get("detail")), amount, grid.text_field(row, cols.get("basis"))
            )
        )
    return rows, total


SUMMARY_SCHEMA = FormSchema(
    kind="summary",
    title="附表2 专项资金绩效目标汇总表",
    fields=(
        FieldSpec("rows", "方向数", "count", key=True),
        FieldSpec("rows[].name", "名称"),
        FieldSpec("rows[].amount", "金额", "amount"),
        FieldSpec("total", "合计", "amount", required=ALWAYS, key=True),
    ),
    sums=(SumSpec("total", ("rows[].amount",), "附表2 合计（各支出方向金额之和）"),),
)

DIRECTION_SCHEMA = FormSchema(
    kind="direction",
    title="附表3 专项资金支出方向绩效目标表",
    fields=(
        FieldSpec("direction", "支出方向", required=ALWAYS, key=True),
        FieldSpec("special", "所属专项"),
        FieldSpec("project_amount", "项目金额", "amount", required=ALWAYS, key=True),
        FieldSpec("amount", "金额", "amount"),
        FieldSpec("details[].amount", "支出明细金额", "amount"),
        FieldSpec("details_total", "支出明细合计", "amount", key=True),
        FieldSpec("annual_goal", "年度绩效目标", required=ALWAYS),
    ),
    # In the order 填充合计 computes them: the details' total, then 金额, then 项目金额.
    sums=(
        SumSpec("details_total", ("details[].amount",), "支出明细合计（各明细金额之和）"),
        SumSpec("amount", ("details_total",), "金额（= 支出明细合计）"),
        SumSpec("project_amount", ("amount",), "项目金额（= 金额）"),
    ),
    captions=("年度绩效指标", "支出明细及测算说明"),
)
