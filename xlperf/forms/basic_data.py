"""部门（单位）整体支出绩效评价基础数据表 (seed 001 附件2).

财政供养人员 (编制数, 实际在职人数, 控制率), then 经费控制情况 by year: 三公经费 and its parts, 项目支出
lines, 公用经费 and its parts. Row labels keep their text; the year columns come from the header row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from xlperf.forms import common
from xlperf.forms.grid import Grid
from xlperf.forms.schema import FieldSpec, FormSchema, Relation
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
        if actual_hit is not None:
            grid.mark_read(actual_hit.row, actual_hit.col)
        row = grid.next_filled_row(staff.row)
        if row is not None:
            quota = grid.amount_field(row, cols.get("quota"))
            actual = grid.amount_field(row, actual_hit.col if actual_hit else None)
            rate = grid.percent_field(row, cols.get("rate"))
    head = grid.find_one(("经费控制情况",), prefix=True)
    header: list[str] = []
    rows: list[BasicDataRow] = []
    if head is not None:
        year_hits = [h for h in grid.row_hits(head.row) if h.col != head.col]
        for h in year_hits:
            grid.mark_read(h.row, h.col)
        header = [str(h.value).strip() for h in year_hits]
        for row, _first in grid.body_rows(head.row, END):
            label = grid.text_field(row, head.col)
            raw = label.raw if isinstance(label.raw, str) else ""
            indent = (len(raw) - len(raw.lstrip())) // 3
            rows.append(BasicDataRow(row, label, indent, [grid.amount_field(row, h.col) for h in year_hits]))
    return BasicData(grid.name, common.title(grid), quota, actual, rate, header, rows)


# Rows a parent is made of. Numbered children (1、2、3、) are the whole parent; "其中" children are "of
# which" — a partial list that may not exceed the parent — unless the parent is listed here as made of
# exactly its 其中 children.
TOP_LEVEL = ("三公经费", "项目支出", "公用经费", "政府采购金额", "部门基本支出预算调整")
EXHAUSTIVE = ("公务用车购置和维护经费",)
_NUMBERED = re.compile(r"^\d+\s*[、.．]")


@dataclass
class _Group:
    parent: BasicDataRow
    children: list[BasicDataRow] = field(default_factory=list)
    exhaustive: bool = True


def _compact(row: BasicDataRow) -> str:
    return "".join(row.label.text.split()).rstrip(":：")


def groups(rows: list[BasicDataRow]) -> list[_Group]:
    """Parent rows and the rows they are made of, from the labels' numbering and "其中"."""
    found: list[_Group] = []
    top = numbered = qizhong = None
    for row in rows:
        key = _compact(row)
        if key.startswith(TOP_LEVEL):
            top, numbered, qizhong = _Group(row), None, None
            found.append(top)
        elif _NUMBERED.match(key):
            if top is not None:
                top.children.append(row)
            numbered, qizhong = _Group(row), None
            found.append(numbered)
        elif key.startswith("其中"):
            owner = numbered or top
            if owner is not None:
                name = _NUMBERED.sub("", _compact(owner.parent))
                qizhong = _Group(owner.parent, [row], name.startswith(EXHAUSTIVE))
                found.append(qizhong)
        elif qizhong is not None:
            qizhong.children.append(row)
        elif numbered is not None:
            numbered.children.append(row)  # one line per special fund under "3、市级专项资金"
    return [g for g in found if g.children]


def _relations(form: BasicData) -> list[Relation]:
    out = []
    for g in groups(form.cost_rows):
        for i, total in enumerate(g.parent.values):
            column = [c.values[i] for c in g.children if i < len(c.values)]
            year = form.cost_header[i] if i < len(form.cost_header) else ""
            out.append(
                Relation(
                    total,
                    column,
                    [c.label.text for c in g.children if i < len(c.values)],
                    f"{g.parent.label.text}（{year}）",
                    fill=False,
                    exhaustive=g.exhaustive,
                    message=_message(g, year),
                )
            )
    return out


def _message(g: _Group, year: str) -> Callable[[str, str], str]:
    rel = "之和" if g.exhaustive else "之和超过了它"
    return lambda s, total: f"{g.parent.label.text}（{year}）{total} 与其下各项{rel}：{s}"


SCHEMA = FormSchema(
    kind="basic_data",
    title="部门整体支出绩效评价基础数据表",
    fields=(
        FieldSpec("staff_quota", "编制数", key=True),
        FieldSpec("staff_actual", "实际在职人数", key=True),
        FieldSpec("cost_rows", "经费行数", "count", key=True),
        FieldSpec("cost_rows[].values[]", "{label}", "amount"),
    ),
    derived=_relations,
    # The sections after the cost table, which xlperf recognises but does not check: a value typed under
    # them is reported as not read.
    captions=(
        "财政供养人员",
        "楼堂馆所控制情况",
        "批复规模",
        "实际规模",
        "规模控制率",
        "预算投资",
        "实际投资",
        "投资概算控制率",
        "厉行节约保障措施",
        "说明",
    ),
)
