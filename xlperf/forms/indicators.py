"""The indicator block, shared by every form: a header row (一级指标 · 二级指标 · 三级指标 · 指标值 …) and
the rows under it. Columns are found by their header labels, so a table may carry any subset of the
optional columns (度量单位, 分值, 评(扣)分标准, 实际完成值 …) in any order.
"""

from __future__ import annotations

from typing import Any

from xlperf.a1 import column_letter
from xlperf.amounts import to_percent
from xlperf.forms.grid import Grid
from xlperf.labels import SIGN_OFF, label_weight, level1_key
from xlperf.model import Field, Indicator, IndicatorBlock, missing
from xlperf.values import IndicatorValue, parse_value

# Field name → header labels (as label_key gives them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "三级指标名称"),
    "target": ("指标值", "指标值及单位", "年度指标值", "年度目标值", "目标值", "指标值(包含数字及文字描述)"),
    "actual": ("实际完成值", "全年实际值", "实际值", "全年实际完成值"),
    "weight": ("分值", "权重", "指标分值", "权重(分值)"),
    "score": ("得分",),
    "reason": ("偏差原因分析及改进措施", "偏差原因分析", "未完成原因分析及改进措施", "偏差原因"),
    "unit": ("度量单位", "计量单位"),
    "attribute": ("指标属性", "指标性质"),
    "direction": ("指标方向",),
    "description": ("绩效指标描述", "指标内容", "指标解释", "指标说明"),
    "basis": ("指标值确定依据", "指标值设定依据", "指标值确定依据及数据来源"),
    "standard": ("绩效标准",),
    "rule": ("评(扣)分标准", "评分标准", "扣分标准", "评(扣)分标准及方法"),
    "grade": ("完成等级", "完成情况等级"),
    "completion": ("完成率", "指标完成率"),
}
AMOUNT_COLUMNS = ("weight", "score")
# The columns an Indicator may lack (all but 一级, 二级 and 指标值, which every row has).
OPTIONAL = tuple(name for name in COLUMNS if name not in ("level1", "level2", "target"))
PERCENT_COLUMNS = ("completion",)

# A row whose first filled cell starts with one of these ends the indicator block: a sign-off row, a
# total, a note under the table or the next section of the form.
STOP_PREFIXES = (*SIGN_OFF, "支出明细", "总分", "以上绩效指标值", "说明", "备注", "合计")


def find_header(grid: Grid, start_row: int = 1) -> int | None:
    """The row of an indicator header: one holding 一级指标 and 三级指标 (二级 may be merged away)."""
    for hit in grid.find(COLUMNS["level1"], start_row=start_row):
        cols = grid.header_columns(hit.row, {"name": COLUMNS["name"], "target": COLUMNS["target"]})
        if "name" in cols:
            return hit.row
    return None


def read_block(grid: Grid, start_row: int = 1) -> IndicatorBlock | None:
    """Read the first indicator block at or below ``start_row``; None when the sheet has none."""
    header = find_header(grid, start_row)
    if header is None:
        return None
    cols = grid.header_columns(header, COLUMNS)
    l1_col, l2_col = cols.get("level1"), cols.get("level2")
    indicators: list[Indicator] = []
    weights: dict[str, object] = {}
    l1: Field[str] = Field(None, None, grid.name, "")
    l2: Field[str] = Field(None, None, grid.name, "")
    # The columns this table lacks, as the model's empty default (one shared frozen Field, not one per row),
    # and each distinct value parsed once: a table may have 50,000 rows repeating the same few targets.
    absent = {name: missing() for name in OPTIONAL if name not in cols}
    parsed: dict[tuple[type, Any], IndicatorValue] = {}

    def parse(value: Any) -> IndicatorValue:
        key = (type(value), value)
        if key not in parsed:
            parsed[key] = parse_value(value)
        return parsed[key]

    for row, _ in grid.body_rows(header, STOP_PREFIXES):
        if grid.key(row, cols["name"]) in COLUMNS["name"]:
            continue  # a repeated header (a table printed over two pages)
        if not any(grid.origin(row, c)[0] == row and not grid.blank(row, c) for c in cols.values()):
            continue  # nothing of its own: a spacer row inside merged labels, or only the section label
        cell_l1 = grid.text_field(row, l1_col)
        if not cell_l1.empty:
            if cell_l1.cell != l1.cell:
                l2 = Field(None, None, grid.name, "")
            l1 = cell_l1
            w = label_weight(cell_l1.raw)
            if w is not None:
                weights[level1_key(cell_l1.raw)] = w
        cell_l2 = grid.text_field(row, l2_col)
        if not cell_l2.empty:
            l2 = cell_l2
        values = {name: _field(grid, name, row, col) for name, col in cols.items() if name not in ("level1", "level2")}
        target = values.pop("target", Field(None, None, grid.name, ""))
        values.update(absent)
        ind = Indicator(row=row, level1=l1, level2=l2, target=target, parsed_target=parse(target.value), **values)  # type: ignore[arg-type]
        if "actual" in cols:
            ind.parsed_actual = parse(ind.actual.value)
        indicators.append(ind)
    return IndicatorBlock(grid.name, header, {k: grid_col(v) for k, v in cols.items()}, indicators, weights)  # type: ignore[arg-type]


def _field(grid: Grid, name: str, row: int, col: int) -> Field:
    if name in AMOUNT_COLUMNS:
        return grid.amount_field(row, col)
    cell = grid.text_field(row, col)
    if name in PERCENT_COLUMNS:
        return Field(to_percent(cell.raw), cell.raw, cell.sheet, cell.cell)
    return cell


def grid_col(col: int) -> str:
    return column_letter(col)
