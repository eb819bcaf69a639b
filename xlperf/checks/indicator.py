"""indicator.* — the indicator blocks of every form.

The framework (which 二级 sits under which 一级) is data in :mod:`xlperf.labels`; the vocabularies below
(placeholders, "higher is better" wordings, misfiling patterns) are data too, so that a province's
variant is a line in a table, not a branch in the code.
"""

from __future__ import annotations

import re
from typing import Any

from xlperf.labels import LEVEL2, is_level1, is_level2, level1_key, level1_key_of_level2, level2_key, norm
from xlperf.model import Field, Indicator, IndicatorBlock, WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding, clip
from xlperf.rules import finding
from xlperf.values import operator_of, parse_value

REQUIRED_LEVEL1 = ("产出指标", "效益指标", "满意度指标")

# 指标值 that are not targets.
PLACEHOLDERS = {
    "是/否",
    "是或否",
    "是否",
    "是",
    "否",
    "有/无",
    "有或无",
    "按照数量改造",
    "待定",
    "暂无",
    "xx",
    "XX",
    "***",
}

# Wordings of "higher is better" rates, and of rates where lower is better (which are exempt).
HIGHER_IS_BETTER = re.compile(
    r"满意|知晓|覆盖率|及时|准确率|合格率|达标率|完成率|发放率|保障率|到位率|执行率|参保率|救助率|正确率|通过率|"
    r"成功率|好转率|治愈率|普及率|符合率|规范率|核实率|核查率|登记率|使用率|兑现率|享受率"
)
LOWER_IS_BETTER = re.compile(r"差错|投诉|发生率|事故|超支|失误|违规|流失|死亡率|退回率|返贫")
COST_CEILING = re.compile(r"成本|费用|经费|支出|资金|预算")

# Units that count things: a percentage target with one of these (or the reverse) is a unit mismatch.
COUNT_UNITS = {"人", "人次", "次", "个", "户", "家", "项", "辆", "台", "件", "所", "名", "批", "场", "期", "床", "张"}

# Units scoring may convert between (万元 and 元); any other pair of different units cannot be compared.
CONVERTIBLE = [{"万元", "元"}]

# (where — a 二级 or 一级 framework key, what the name must (not) mean, message)
NOT_A_COST = re.compile(r"完成率|及时率|覆盖率|准确率|知晓率|满意")
SATISFACTION_MEANING = re.compile(r"满意|知晓|意度|认可|评价|好评|投诉")
MISFILED: tuple[tuple[str, str, re.Pattern[str], bool, str], ...] = (
    ("level2", "服务对象满意度指标", SATISFACTION_MEANING, False, "满意度指标下应是满意度、知晓率一类的指标"),
    ("level2", "成本指标", NOT_A_COST, True, "完成率一类的指标属于质量或时效指标，不是成本指标"),
    ("level1", "成本指标", NOT_A_COST, True, "完成率一类的指标属于质量或时效指标，不是成本指标"),
    ("level2", "经济效益指标", re.compile(r"成本"), True, "工作成本属于成本指标，不是经济效益指标"),
    ("level2", "社会效益指标", re.compile(r"成本"), True, "工作成本属于成本指标，不是社会效益指标"),
)  # fmt: skip


def _levels(block: IndicatorBlock) -> list[Finding]:
    out: list[Finding] = []
    seen: set[str] = set()
    for ind in block.indicators:
        l1, l2 = ind.level1, ind.level2
        for field, known, what in ((l1, is_level1, "一级"), (l2, is_level2, "二级")):
            if field.empty or field.cell in seen:
                continue
            seen.add(field.cell)
            if not known(field.text):
                out.append(
                    finding(
                        "indicator.unknown_level",
                        field,
                        f"{what}指标“{clip(field.text)}”不在指标体系中，请按规范名称填写",
                    )
                )
        if l1.empty or l2.empty or not is_level1(l1.text) or not is_level2(l2.text):
            continue
        allowed = LEVEL2[level2_key(l2.text)][1]
        key = (l2.cell, l1.cell)
        if level1_key(l1.text) not in allowed and str(key) not in seen:
            seen.add(str(key))
            out.append(
                finding(
                    "indicator.level_mismatch",
                    l2,
                    f"二级指标“{clip(l2.text)}”不属于一级指标“{clip(l1.text)}”，应放在“{allowed[0]}”下",
                    expected=allowed[0],
                    actual=level1_key(l1.text),
                )
            )
    return out


def _missing_level1(block: IndicatorBlock) -> list[Finding]:
    present = set()
    for l1, l2 in {(ind.level1.text, ind.level2.text) for ind in block.filled}:  # a few distinct pairs
        present.add(level1_key(l1))
        via_level2 = level1_key_of_level2(l2)
        if via_level2:
            present.add(via_level2)  # 满意度 filed under 效益 (older forms) still counts as 满意度
    at = (block.sheet, f"{block.columns.get('level1', 'A')}{block.header_row}")
    return [
        finding("indicator.missing_level1", at, f"缺少{name}：至少填写一个{name}下的三级指标")
        for name in REQUIRED_LEVEL1
        if name not in present
    ]


def _values(ind: Indicator) -> list[Finding]:
    out = []
    name, target = ind.name, ind.target
    if name.empty and not target.empty:
        return [finding("indicator.empty_value", name, f"指标值“{clip(target.text)}”没有对应的三级指标名称")]
    if not name.empty and target.empty:
        where = target if target.cell else name  # a table with no 指标值 column: point at the indicator
        return [finding("indicator.empty_value", where, f"三级指标“{clip(name.text)}”没有填写指标值")]
    if name.empty:
        return []
    parsed = ind.parsed_target
    if parsed.kind == "unparseable":
        out.append(
            finding(
                "indicator.bad_value",
                target,
                f"指标值“{clip(target.text)}”无法识别（{parsed.reason}）：请写成“≥95%”“12次”或文字目标",
                actual=target.text,
            )
        )
    compact = "".join(target.text.split())
    copied = norm(compact) == norm(name.text)
    if compact in PLACEHOLDERS or copied:
        why = "照抄了指标名称" if copied else "是占位内容"
        out.append(
            finding(
                "indicator.placeholder_value",
                target,
                f"指标值“{clip(target.text)}”{why}，不是可考核的目标值：请填写具体数值或明确的完成标准",
                actual=target.text,
            )
        )
    out += _units(ind)
    out += _direction(ind)
    return out


def _units(ind: Indicator) -> list[Finding]:
    target, unit = ind.parsed_target, ind.unit.text.strip()
    if unit:
        if unit in ("%", "％") and target.kind == "text" and target.operator is None:
            return [
                finding(
                    "indicator.unit_mismatch",
                    ind.target,
                    f"度量单位是“%”，指标值却是文字“{clip(ind.target.text)}”：请填写百分比数值",
                    expected="%",
                    actual=ind.target.text,
                )
            ]
        if unit in COUNT_UNITS and target.is_percent:
            return [
                finding(
                    "indicator.unit_mismatch",
                    ind.target,
                    f"度量单位是“{unit}”，指标值却是百分比“{clip(ind.target.text)}”",
                    expected=unit,
                    actual=ind.target.text,
                )
            ]
    actual = ind.parsed_actual
    if actual is not None and target.kind == actual.kind == "number" and target.unit and actual.unit:
        if target.unit != actual.unit and {target.unit, actual.unit} not in CONVERTIBLE:
            return [
                finding(
                    "indicator.unit_mismatch",
                    ind.actual,
                    f"实际完成值“{clip(ind.actual.text)}”与指标值“{clip(ind.target.text)}”单位不同，无法比较",
                    expected=target.unit,
                    actual=actual.unit,
                )
            ]
    return []


def _operator_cell(ind: Indicator) -> Field[str]:
    """Where the operator was written: its own column (指标性质) when the table has one and the value carries
    none of its own, else the 指标值 cell."""
    if ind.operator.cell and ind.operator.text and operator_of(ind.target.raw) is None:
        own = parse_value(ind.target.text)
        if own.operator is None:
            return ind.operator
    return ind.target


def _direction(ind: Indicator) -> list[Finding]:
    name, op = ind.name.text, ind.parsed_target.operator
    shown = ind.parsed_target.text or ind.target.text  # "≥95%" even where ≥, 95 and % sit in three columns
    if op in ("<=", "<") and HIGHER_IS_BETTER.search(name) and not LOWER_IS_BETTER.search(name):
        right = "≥" if op == "<=" else ">"
        return [
            finding(
                "indicator.direction",
                _operator_cell(ind),
                f"“{clip(name)}”越高越好，指标值“{clip(shown)}”方向写反了，应为“{right}…”",
                expected=right,
                actual=shown,
            )
        ]
    is_cost = ind.level2_key == "成本指标" or ind.level1_key == "成本指标"
    money = "元" in ind.parsed_target.unit  # a ceiling is an amount ("≥5万元"); a percentage is not
    if op in (">=", ">") and is_cost and money and COST_CEILING.search(name) and not HIGHER_IS_BETTER.search(name):
        return [
            finding(
                "indicator.direction",
                _operator_cell(ind),
                f"成本指标“{clip(name)}”是上限，指标值“{clip(shown)}”应写成“≤…”",
                expected="≤",
                actual=shown,
            )
        ]
    return []


def _misfiled(ind: Indicator) -> list[Finding]:
    keys = {"level1": ind.level1_key, "level2": ind.level2_key}
    for level, key, pattern, matching, why in MISFILED:
        if keys[level] != key:
            continue
        if bool(pattern.search(ind.name.text)) == matching:
            where = ind.level2.text if level == "level2" else ind.level1.text
            return [
                finding("indicator.misfiled", ind.name, f"“{clip(ind.name.text)}”放在“{norm(where)}”下可能不对：{why}")
            ]
    return []


def _duplicates(block: IndicatorBlock) -> list[Finding]:
    seen: dict[tuple[str, str], Indicator] = {}
    out = []
    for ind in block.filled:
        key = (norm(ind.name.text), norm(ind.target.text))
        if key in seen:
            first = seen[key]
            out.append(
                finding(
                    "indicator.duplicate",
                    ind.name,
                    f"三级指标“{clip(ind.name.text)}”（{clip(ind.target.text)}）与第{first.row}行重复",
                )
            )
        else:
            seen[key] = ind
    return out


def check_block(block: IndicatorBlock) -> list[Finding]:
    out = _levels(block) + _missing_level1(block) + _duplicates(block)
    for ind in block.indicators:
        out += _values(ind)
        if not ind.name.empty:
            out += _misfiled(ind)
    return out


def check(model: WorkbookModel) -> list[Finding]:
    out: list[Finding] = []
    for form in model.forms:
        block: Any = getattr(form, "indicators", None)
        if block is not None:
            out += check_block(block)
    return out


def review(model: WorkbookModel, profile: Profile) -> list[Finding]:
    """The 审核 rules of the indicator family (vague and imprecise values, 指标属性, 成本 and 产出 coverage)."""
    return []
