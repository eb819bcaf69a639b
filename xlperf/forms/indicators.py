"""The indicator block, shared by every form: a header row (一级指标 · 二级指标 · 三级指标 · 指标值 …) and
the rows under it. Columns are found by their header labels, so a table may carry any subset of the
optional columns (度量单位, 分值, 评(扣)分标准, 实际完成值 …) in any order.

The hierarchy is read from whatever the table gives:

- 一级 and 二级 columns (the common layout);
- a 二级 column only: the 一级 is the one the framework puts that 二级 under (:data:`xlperf.labels.LEVEL2`);
- neither: section rows name the 一级 and 二级 ("一、产出指标", "（一）数量指标"), by the numbering in a
  序号 column or inside the name cell, or by the label alone when it is a framework name; the 三级 rows
  under them ("1.救助人数") take the levels of the last sections above.

Where the operator has its own column (指标性质 "≥" beside 指标值 "95" and 度量单位 "%"), the column is
told from the 定量/定性 attribute column by what it holds, not by its header; the parsed target joins the
three cells. A header split over two rows (指标值 over 年初目标值 · 全年目标值) is read as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlperf.a1 import column_letter
from xlperf.forms.grid import Grid
from xlperf.labels import LEVEL2, SIGN_OFF, is_level1, is_level2, label_weight, level1_key, level2_key, norm
from xlperf.model import Field, Indicator, IndicatorBlock, missing
from xlperf.values import IndicatorValue, join_target, operator_of, parse_value

# Field name → header labels (as label_key gives them). Where one table has two columns of one field, the
# label listed first wins (全年目标值 over 年初目标值); see SECOND for where the other one goes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标", "一级指标名称"),
    "level2": ("二级指标", "二级指标名称"),
    "name": (
        "三级指标",
        "三级指标名称",
        "三级指标内容",
        "指标名称",
        "绩效指标名称",
        "具体指标",
        "三级绩效指标",
    ),
    "target": (
        "指标值",
        "指标值及单位",
        "年度指标值",
        "年度目标值",
        "全年目标值",
        "目标值",
        "预期目标值",
        "预期指标值",
        "绩效指标值",
        "计划指标值",
        "计划目标值",
        "目标指标值",
        "年度绩效指标值",
        "调整后目标值",
        "年初目标值",
        "指标值(包含数字及文字描述)",
    ),
    "actual": (
        "实际完成值",
        "全年实际值",
        "全年实际完成值",
        "年度实际完成值",
        "实际完成指标值",
        "实际值",
        "完成值",
        "实际达成值",
        "年度实际值",
    ),
    "weight": ("分值", "权重", "指标分值", "权重(分值)", "指标权重", "分值(权重)"),
    "score": ("得分", "自评得分", "评价得分"),
    "reason": (
        "偏差原因分析及改进措施",
        "偏差原因分析",
        "未完成原因分析及改进措施",
        "未完成原因及改进措施",
        "偏差原因",
        "未完成原因分析",
        "偏差原因及改进措施",
    ),
    "unit": ("度量单位", "计量单位", "单位"),
    "operator": ("运算符", "运算符号", "比较符", "符号", "计算符号"),
    "attribute": ("指标属性", "指标性质", "指标类型", "定量/定性"),
    "direction": ("指标方向",),
    "description": ("绩效指标描述", "指标内容", "指标解释", "指标说明", "指标描述"),
    "basis": ("指标值确定依据", "指标值设定依据", "指标值确定依据及数据来源", "指标值设定依据及数据来源", "数据来源"),
    "standard": ("绩效标准", "评价标准"),
    "rule": ("评(扣)分标准", "评分标准", "扣分标准", "评(扣)分标准及方法", "评分规则", "评(扣)分细则"),
    "grade": ("完成等级", "完成情况等级"),
    "completion": ("完成率", "指标完成率"),
    "no": ("序号", "编号"),
    "note": ("备注", "备注说明"),
}
# A second column of one field goes to another: a table with both 年初目标值 and 全年目标值 targets the
# latter and keeps the former as the initial target.
SECOND: dict[str, str] = {"target": "initial_target"}
# Header labels that name the 三级 column only in a table that has no label of COLUMNS["name"]: elsewhere
# 指标内容 describes the indicator (seed 003 has 三级指标 and 指标内容).
NAME_ALONE: tuple[str, ...] = ("指标内容", "指标", "绩效指标内容")
# Columns whose header does not say what they hold: the operator (≥, 不低于 …) and the 定量/定性 attribute
# share the headers 指标性质 / 指标属性, and some tables write operators under 指标方向. Their content decides.
BY_CONTENT = ("operator", "attribute", "direction")
ATTRIBUTE_WORDS = ("定量", "定性", "定量指标", "定性指标")

AMOUNT_COLUMNS = ("weight", "score")
# The columns an Indicator may lack (all but 一级, 二级 and 指标值, which every row has).
OPTIONAL = (*(name for name in COLUMNS if name not in ("level1", "level2", "target")), *SECOND.values())
PERCENT_COLUMNS = ("completion",)

# A row whose first filled cell is one of these ends the indicator block: a sign-off row, a total, a note
# under the table. END_PREFIXES end it as the start of any label ("支出明细及测算说明" is the next section);
# END_WORDS only as a whole word or before a colon or bracket, so that "说明会召开次数" stays an indicator.
END_PREFIXES = (*SIGN_OFF, "支出明细", "以上绩效指标值")
END_WORDS = ("合计", "总计", "总分", "说明", "备注", "填报说明", "注")
STOP_PREFIXES = (*END_PREFIXES, *END_WORDS)
_AFTER_WORD = ":：(（,，;；、"

# Numbering of section and indicator rows, in a 序号 column or at the start of a label.
_CN = "一二三四五六七八九十"
_NUMBERING = (
    (1, re.compile(rf"^([{_CN}]+)\s*[、.．,，]\s*")),
    (2, re.compile(rf"^[(（]\s*([{_CN}]+)\s*[)）]\s*[、.．]?\s*")),
    (3, re.compile(r"^[(（]?\s*(\d{1,3})\s*[)）]\s*[、.．]?\s*")),
    (3, re.compile(r"^(\d{1,3})\s*[、.．](?!\d)\s*")),
)
_NO_STYLE = (
    (1, re.compile(rf"^[{_CN}]+[、.．]?$")),
    (2, re.compile(rf"^[(（][{_CN}]+[)）]$")),
    (3, re.compile(r"^[(（]?\d{1,3}[)）]?[、.．]?$|^\d+(\.\d+)+$")),
)


def _header_aliases() -> frozenset[str]:
    return frozenset(a for aliases in COLUMNS.values() for a in aliases) | frozenset(NAME_ALONE)


HEADER_LABELS = _header_aliases()


def has_indicator_header(keys: Iterable[str]) -> bool:
    """Whether a set of label keys (a header row's, or a sheet's or region's ``Grid.index`` keys) carries the
    header of an indicator table of some supported layout: a 一级 or 二级 column with a 三级 column
    (一级指标 · 三级指标, 二级指标 · 三级指标, 一级指标 · 指标内容), or a 三级 column with a target column
    (序号 · 指标名称 · 指标值, 指标 · 指标值)."""
    ks = keys if isinstance(keys, set | frozenset | dict) else set(keys)
    has_name = any(k in ks for k in COLUMNS["name"]) or any(k in ks for k in NAME_ALONE)
    if not has_name:
        return False
    if any(k in ks for k in COLUMNS["level1"]) or any(k in ks for k in COLUMNS["level2"]):
        return True
    return any(k in ks for k in COLUMNS["target"])


def find_header(grid: Grid, start_row: int = 1) -> int | None:
    """The first row at or below ``start_row`` that is an indicator header (see :func:`has_indicator_header`)."""
    anchors = (*COLUMNS["level1"], *COLUMNS["level2"], *COLUMNS["name"], *NAME_ALONE)
    for row in sorted({hit.row for hit in grid.find(anchors, start_row=start_row)}):
        if row >= start_row and has_indicator_header(_row_keys(grid, row)):
            return row
    return None


def _row_keys(grid: Grid, row: int) -> set[str]:
    return {k for h in grid.row_hits(row) if (k := grid.key(h.row, h.col))}


@dataclass
class _Layout:
    header: int  # the (first) header row
    first: int  # the first row under the header
    cols: dict[str, int]
    by_content: dict[int, str]  # column → header label, of the columns whose content tells their field


def _layout(grid: Grid, header: int) -> _Layout:
    """The columns of a table by their header labels, over one header row or two."""
    labels: dict[int, str] = {}
    for h in grid.row_hits(header):
        labels[h.col] = grid.key(h.row, h.col)
        grid.mark_read(h.row, h.col)  # the header is read, whether or not each of its columns is a field
    first = header + 1
    lower: set[int] = set()
    second = grid.next_filled_row(header)
    if second is not None and _is_header_row(grid, second):
        first = second + 1
        for h in grid.row_hits(second):
            grid.mark_read(h.row, h.col)
            if grid.origin(second, h.col)[0] != second:
                continue  # a label merged down from the first header row
            key = grid.key(h.row, h.col)
            if key in HEADER_LABELS:
                parent = grid.origin(header, h.col)[1]
                if parent not in lower:
                    labels.pop(parent, None)  # 指标值 over 年初目标值 · 全年目标值: the lower labels name the columns
                labels[h.col] = key
                lower.add(h.col)
    cols: dict[str, int] = {}
    extra: dict[str, int] = {}
    ranked: dict[str, list[tuple[int, int]]] = {}
    for col, key in sorted(labels.items()):
        for fname, aliases in COLUMNS.items():
            if key in aliases:
                ranked.setdefault(fname, []).append((aliases.index(key), col))
                break
    by_content: list[int] = []
    for fname, found in ranked.items():
        if fname in BY_CONTENT:
            by_content += [col for _, col in found]  # 指标性质 and 指标属性 both: their content tells them apart
            continue
        found.sort()
        cols[fname] = found[0][1]
        if fname in SECOND and len(found) > 1:
            extra[SECOND[fname]] = found[1][1]
    if "name" not in cols:
        for col, key in sorted(labels.items()):
            if key in NAME_ALONE:
                cols["name"] = col
                if cols.get("description") == col:
                    del cols["description"]
                break
    cols.update(extra)
    return _Layout(header, first, cols, {col: labels[col] for col in sorted(by_content)})


def _is_header_row(grid: Grid, row: int) -> bool:
    """Whether the row under a header is its second line: it holds header labels of its own and no label of
    the framework (a data row may hold 产出指标, never 全年目标值)."""
    own = [grid.key(h.row, h.col) for h in grid.row_hits(row) if grid.origin(row, h.col)[0] == row]
    if not own or any(is_level1(k) or is_level2(k) for k in own):
        return False
    return any(k in HEADER_LABELS for k in own) and all(k in HEADER_LABELS or not k for k in own)


def _ends(key: str) -> bool:
    """Whether a row starting with this label key ends the block."""
    if key.startswith(END_PREFIXES):
        return True
    for word in END_WORDS:
        if key == word or (key.startswith(word) and key[len(word)] in _AFTER_WORD):
            return True
    return False


def _body(grid: Grid, layout: _Layout) -> list[int]:
    """The rows of a table under its header down to a sign-off, total or note row; blank rows skipped."""
    rows: list[int] = []
    for row in range(layout.first, grid.n_rows + 1):
        own = next((h for h in grid.row_hits(row) if grid.origin(row, h.col)[0] == row), None)
        if own is None:
            if grid.first_hit(row) is not None:
                rows.append(row)  # only cells merged from above: kept, skipped later as a spacer
            continue
        if _ends(grid.key(row, own.col)):
            break
        rows.append(row)
    return rows


def _classify(grid: Grid, layout: _Layout, rows: list[int]) -> None:
    """Assign the operator, attribute and direction columns by what they hold, whatever their headers say: a
    column of operators (≥, 不低于 …) is the operator column, one of 定量/定性 the attribute column; a column
    whose content tells nothing keeps the field its header names."""
    header_field = {a: fname for fname in BY_CONTENT for a in COLUMNS[fname]}
    for col, label in layout.by_content.items():
        ops = words = other = 0
        for row in rows:
            if grid.origin(row, col)[0] != row or grid.blank(row, col):
                continue
            raw = grid.raw(row, col)
            if operator_of(raw):
                ops += 1
            elif norm(raw) in ATTRIBUTE_WORDS:
                words += 1
            else:
                other += 1
        if ops and ops >= other:
            kind = "operator"
        elif words and words >= other:
            kind = "attribute"
        else:
            kind = header_field[label]
        layout.cols.setdefault(kind, col)


def _numbering(text: str) -> tuple[int, str, str]:
    """(level of the numbering: 1 一、, 2 （一）, 3 1. — 0 for none; the number; the text after it)."""
    for level, pattern in _NUMBERING:
        m = pattern.match(text)
        if m and m.end() < len(text):
            return level, m.group(1), text[m.end() :]
    return 0, "", text


def _no_style(text: str) -> int:
    s = "".join(text.split())
    for level, pattern in _NO_STYLE:
        if pattern.match(s):
            return level
    return 0


def framework_level1(level2: str) -> str | None:
    """The 一级 the framework puts a 二级 under (its first, for 二级 that older forms file elsewhere)."""
    spec = LEVEL2.get(level2_key(level2))
    return spec[1][0] if spec else None


def _section_level(label: str, style: int, level1: str) -> int:
    """Which level a section row names (1 or 2), or 0 when the row is an indicator."""
    l1, l2 = is_level1(label), is_level2(label)
    if l1 and l2:  # 成本指标, 满意度指标: the numbering says, else where it stands
        if style in (1, 2):
            return style
        allowed = LEVEL2[level2_key(label)][1]
        return 2 if level1 and level1_key(level1) in allowed else 1
    if l1:
        return 1
    if l2:
        return 2
    return style if style in (1, 2) else 0


def read_block(grid: Grid, start_row: int = 1) -> IndicatorBlock | None:
    """Read the first indicator block at or below ``start_row``; None when the sheet has none."""
    header = find_header(grid, start_row)
    if header is None:
        return None
    layout = _layout(grid, header)
    rows = _body(grid, layout)
    _classify(grid, layout, rows)
    cols = layout.cols
    l1_col, l2_col, name_col, no_col = cols.get("level1"), cols.get("level2"), cols.get("name"), cols.get("no")
    sections = l1_col is None or l2_col is None
    indicators: list[Indicator] = []
    weights: dict[str, Decimal] = {}
    empty: Field[str] = Field(None, None, grid.name, "")
    l1, l2 = empty, empty
    # The columns this table lacks, as the model's empty default (one shared frozen Field, not one per row),
    # and each distinct value parsed once: a table may have 50,000 rows repeating the same few targets.
    absent = {name: missing() for name in OPTIONAL if name not in cols}
    parsed: dict[tuple[type, Any], IndicatorValue] = {}

    def parse(value: Any) -> IndicatorValue:
        key = (type(value), value)
        if key not in parsed:
            parsed[key] = parse_value(value)
        return parsed[key]

    def weigh(label: Field[str], row: int) -> None:
        """The weight of a 一级 section row: in its label ("一、产出指标(50分)") or in its own 分值 cell."""
        w = label_weight(label.raw)
        if w is None and "weight" in cols and grid.origin(row, cols["weight"])[0] == row:
            w = grid.amount_field(row, cols["weight"]).value
        if w is not None:
            weights[level1_key(label.text)] = w

    for row in rows:
        if name_col is not None and grid.key(row, name_col) in (*COLUMNS["name"], *NAME_ALONE):
            continue  # a repeated header (a table printed over two pages)
        if not any(grid.origin(row, c)[0] == row and not grid.blank(row, c) for c in cols.values()):
            continue  # nothing of its own: a spacer row inside merged labels, or only the section label
        name = grid.text_field(row, name_col)
        no = grid.text_field(row, no_col)
        if sections:
            style = _no_style(no.text) if not no.empty else 0
            own_name = name_col is not None and grid.origin(row, name_col)[0] == row
            lstyle, number, rest = _numbering(name.text) if own_name and not name.empty else (0, "", name.text)
            target_blank = "target" not in cols or grid.blank(row, cols["target"])
            level = _section_level(norm(rest), lstyle or style, l1.text) if own_name and not name.empty else 0
            if level and (target_blank or (lstyle or style) in (1, 2)):
                label = Field(rest.strip(), name.raw, name.sheet, name.cell)
                if level == 1 and l1_col is None:
                    l1, l2 = label, empty
                    weigh(label, row)
                    continue
                if level == 2 and l2_col is None:
                    l2 = label
                    if l1_col is None and (l1.empty or l1.cell == ""):
                        l1 = _derived(grid, l2.text)
                    continue
            if lstyle and own_name:
                name = Field(rest.strip(), name.raw, name.sheet, name.cell)
                if no.empty:
                    no = Field(number, name.raw, name.sheet, name.cell)
        if l1_col is not None:
            cell_l1 = grid.text_field(row, l1_col)
            if not cell_l1.empty:
                if cell_l1.cell != l1.cell:
                    l2 = empty
                l1 = cell_l1
                w = label_weight(cell_l1.raw)
                if w is not None:
                    weights[level1_key(cell_l1.raw)] = w
        if l2_col is not None:
            cell_l2 = grid.text_field(row, l2_col)
            if not cell_l2.empty:
                l2 = cell_l2
                if l1_col is None and (l1.empty or l1.cell == ""):
                    l1 = _derived(grid, l2.text)
        skip = {"level1", "level2", "name", "no", "target"}
        values = {fname: _field(grid, fname, row, col) for fname, col in cols.items() if fname not in skip}
        target = grid.text_field(row, cols.get("target"))
        values.update(absent)
        values.pop("name", None)
        values["no"] = no
        operator, unit = values.get("operator", empty), values.get("unit", empty)
        shown = target.raw if target.value is None else target.value  # as the cell shows it: 1 in a "0%" cell is 100%
        joined = join_target(operator.raw, shown, unit.raw) if (operator.raw or unit.raw) else shown
        if "attribute" not in cols and not operator.empty and norm(operator.raw) in ATTRIBUTE_WORDS:
            values["attribute"] = operator
        # ``values`` holds Field-typed columns only (names from COLUMNS), which a checker cannot see.
        ind = Indicator(row=row, level1=l1, level2=l2, name=name, target=target, parsed_target=parse(joined), **values)  # type: ignore[arg-type]
        if "actual" in cols:
            ind.parsed_actual = parse(ind.actual.value)
        indicators.append(ind)
    columns = {k: column_letter(v) for k, v in cols.items()}
    return IndicatorBlock(grid.name, header, columns, indicators, weights)


def _derived(grid: Grid, level2: str | None) -> Field[str]:
    """The 一级 of a table without a 一级 column: the framework's, for the 二级 the row sits under. It has no
    cell of its own."""
    name = framework_level1(level2 or "")
    return Field(name, None, grid.name, "")


def _field(grid: Grid, name: str, row: int, col: int) -> Field[Any]:
    if name in AMOUNT_COLUMNS:
        return grid.amount_field(row, col)
    if name in PERCENT_COLUMNS:
        return grid.percent_field(row, col)
    return grid.text_field(row, col)


def grid_col(col: int) -> str:
    return column_letter(col)
