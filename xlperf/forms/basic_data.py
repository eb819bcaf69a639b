"""部门（单位）整体支出绩效评价基础数据表 (seed 001 附件2).

财政供养人员 (编制数, 实际在职人数, 控制率), then 经费控制情况 by year: 三公经费 and its parts, 项目支出
lines, 公用经费 and its parts. Row labels keep their text; the year columns come from the header row.
"""

from __future__ import annotations

from xlperf.amounts import to_percent
from xlperf.forms import common
from xlperf.forms.grid import Grid
from xlperf.model import BasicData, BasicDataRow, Field

END = ("楼堂馆所", "厉行节约", "说明", "填表人", "单位负责人")


def matches(keys: set[str]) -> bool:
    return "编制数" in keys and any(k.startswith("经费控制情况") for k in keys)


def read(grid: Grid) -> BasicData:
    empty: Field = Field(None, None, grid.name, "")
    staff = grid.find_one(("编制数",))
    quota = actual = rate = empty
    if staff is not None:
        cols = grid.header_columns(staff.row, {"quota": ("编制数",), "rate": ("控制率",)})
        actual_hit = next((h for h in grid.row_hits(staff.row) if "在职人数" in grid.key(h.row, h.col)), None)
        row = grid.next_filled_row(staff.row)
        if row is not None:
            quota = grid.amount_field(row, cols.get("quota"))
            actual = grid.amount_field(row, actual_hit.col if actual_hit else None)
            cell = grid.text_field(row, cols.get("rate"))
            rate = Field(to_percent(cell.raw), cell.raw, cell.sheet, cell.cell)
    head = grid.find_one(("经费控制情况",), prefix=True)
    header: list[str] = []
    rows: list[BasicDataRow] = []
    if head is not None:
        year_hits = [h for h in grid.row_hits(head.row) if h.col != head.col]
        header = [str(h.value).strip() for h in year_hits]
        for row, _first in grid.body_rows(head.row, END):
            label = grid.text_field(row, head.col)
            raw = label.raw if isinstance(label.raw, str) else ""
            indent = (len(raw) - len(raw.lstrip())) // 3
            rows.append(BasicDataRow(row, label, indent, [grid.amount_field(row, h.col) for h in year_hits]))
    return BasicData(grid.name, common.title(grid), quota, actual, rate, header, rows)
