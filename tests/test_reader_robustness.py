"""The readers anchor on labels, not coordinates: after the edits people make to real workbooks — blank
rows inside and between blocks, columns inserted, merges undone, sheets renamed, labels respelled — every
example reads to exactly the same data."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import example
from workbook_edits import rebuild, rows_of

from xlperf.forms import read_file
from xlperf.labels import level1_key, level2_key, norm
from xlperf.model import Field, Indicator

SEEDS = ("000", "001", "002", "003", "004")
# Where cells are, and what the sheets are called, may change; what they hold may not.
PLACE = {"sheet", "row", "header_row", "columns", "path", "sheet_names", "unrecognized"}


def facts(obj: Any, skip: frozenset[str] = frozenset()) -> Any:
    """A model reduced to its values, without locations."""
    if isinstance(obj, Field):
        return facts(obj.value, skip)
    if isinstance(obj, Indicator):
        out = facts_of_fields(obj, skip | {"level1", "level2"})
        out["level1"], out["level2"] = level1_key(obj.level1.text), level2_key(obj.level2.text)
        return out
    if is_dataclass(obj) and not isinstance(obj, type):
        return facts_of_fields(obj, skip)
    if isinstance(obj, list):
        return [facts(x, skip) for x in obj]
    if isinstance(obj, dict):
        return {k: facts(v, skip) for k, v in obj.items()}
    if isinstance(obj, str) and "text" in skip:
        return norm(obj)  # respelled labels: compare text as labels are compared
    return obj


def facts_of_fields(obj: Any, skip: frozenset[str]) -> dict[str, Any]:
    return {f.name: facts(getattr(obj, f.name), skip) for f in fields(obj) if f.name not in PLACE | skip}


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two fact trees first differ, for a readable failure message."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a.keys() | b.keys():
            found = first_difference(a.get(k), b.get(k), f"{path}.{k}")
            if found:
                return found
        return None
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) != len(b):
            return f"{path}: {len(a)} items, then {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} became {b!r}"


def read_facts(path: Path, skip: frozenset[str] = frozenset()) -> Any:
    model = read_file(str(path))
    return facts(model.forms, skip), len(model.unrecognized)


def between_and_inside_blocks(ws: Any) -> list[int]:
    """Blank rows: under the title, before each block's header, and inside each block."""
    headers = rows_of(ws, "一级指标", "支出内容简介", "任务名称", "序号", "年初预算数", "经费控制情况", "事项")
    inside = [h + 2 for h in headers] + [h + 5 for h in headers]
    return [2, *headers, *inside, ws.max_row // 2]


# Labels the readers anchor on, and the ways people write them.
LABELS = {
    "一级指标", "二级指标", "三级指标", "指标值", "指标值及单位", "年度指标值", "实际完成值", "分值", "得分",
    "偏差原因分析及改进措施", "度量单位", "指标属性", "评(扣)分标准", "指标内容", "绩效指标描述", "指标值确定依据",
    "绩效标准", "项目名称", "项目编码", "预算数", "其他资金", "项目金额", "金额", "支出方向（子项）", "所属专项",
    "名称", "项目实施期", "实施期绩效目标", "年度绩效目标", "部门名称", "部门（单位）名称", "年度总体目标",
    "任务名称", "主要内容", "总额", "财政拨款", "序号", "合计", "支出内容简介", "支出明细", "支出测算依据及过程说明",
    "年初预算数", "全年预算数", "全年执行数", "执行率", "编制数", "控制率", "3月底", "6月底", "10月底", "12月底",
    "数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标",
    "服务对象满意度指标", "总分", "部门职责概述", "资金支出计划（%）", "市级预算部门（单位）名称", "单位名称",
}  # fmt: skip
LEVEL1 = {"产出指标": "（50分）", "效益指标": "(30分)", "满意度指标": "（10分）"}


def respell(value: Any) -> Any:
    """Write a label as another person would: spaced, broken over lines, other brackets, with a weight."""
    if not isinstance(value, str):
        return value
    compact = "".join(value.split())
    if compact in LEVEL1:
        return compact + LEVEL1[compact]
    if compact not in LABELS:
        return value
    turn = sum(map(ord, compact)) % 4  # each label its own way, the same on every run
    if turn == 0:
        return " ".join(compact) if len(compact) <= 4 else compact[:2] + "  " + compact[2:]
    if turn == 1:
        return compact[: len(compact) // 2] + "\n" + compact[len(compact) // 2 :]
    if turn == 2:
        return compact.translate(str.maketrans("（）()", "()（）")) + " "
    return "\u3000" + compact + "："


MUTATIONS = {
    "blank_rows": dict(insert_rows=between_and_inside_blocks),
    "column_left": dict(insert_cols=[1]),
    "column_middle": dict(insert_cols=[3]),
    "no_merges": dict(keep_merges=False),
    "renamed_sheets": dict(rename=lambda name, i: f"Sheet{i + 1}" if i % 2 else f"数据{i}"),
    "respelled_labels": dict(transform=respell),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reads_the_same_after_edits(tmp_path, seed, mutation):
    src = example(seed)
    dst = rebuild(src, tmp_path / f"{seed}_{mutation}.xlsx", **MUTATIONS[mutation])
    # A label respelled with a weight ("产出指标（50分）") adds that weight: compare everything else.
    skip = frozenset({"level1_weights", "text"}) if mutation == "respelled_labels" else frozenset()
    expected = read_facts(src, skip)
    assert expected[0], "the example must read to something"
    got = read_facts(dst, skip)
    assert got == expected, first_difference(expected, got)


def test_a_rebuilt_copy_without_edits_reads_the_same(tmp_path):
    """The edit helper itself changes nothing when asked for no edit (so the tests above test the readers)."""
    src = example("000")
    assert read_facts(rebuild(src, tmp_path / "copy.xlsx")) == read_facts(src)


def test_respelled_weights_are_read_from_the_labels(tmp_path):
    dst = rebuild(example("000"), tmp_path / "weights.xlsx", transform=respell)
    block = read_file(str(dst)).forms[0].indicators
    assert block.level1_weights == {"产出指标": 50, "效益指标": 30}
