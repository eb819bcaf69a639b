"""indicator.* — the indicator blocks of every form.

The framework (which 二级 sits under which 一级) is data in :mod:`xlperf.labels`; the vocabularies below
(placeholders, "higher is better" wordings, misfiling patterns) are data too, so that a province's
variant is a line in a table, not a branch in the code.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from xlperf.labels import LEVEL2, is_level1, is_level2, level1_key, level1_key_of_level2, level2_key, norm
from xlperf.model import Field, Indicator, IndicatorBlock, WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding, clip
from xlperf.rules import finding
from xlperf.values import operator_of, parse_value

REQUIRED_LEVEL1 = ("产出指标", "效益指标", "满意度指标")

# 指标值 that are not targets: a value → why it is not one.
PLACEHOLDERS: dict[str, str] = {
    "是/否": "是占位内容",
    "是或否": "是占位内容",
    "是否": "是占位内容",
    "是": "是占位内容",
    "否": "是占位内容",
    "有/无": "是占位内容",
    "有或无": "是占位内容",
    "按照数量改造": "是占位内容",
    "待定": "是占位内容",
    "暂无": "是占位内容",
    "xx": "是占位内容",
    "XX": "是占位内容",
    "***": "是占位内容",
    "人数": "只写了要数什么，没有写数量",
    "住院人数": "只写了要数什么，没有写数量",
    "按实际发放": "只说按实际发放，没有写数量",
    "按照标准发放": "只说按标准发放，没有写数量",
    "按标准发放": "只说按标准发放，没有写数量",
    "满意程度": "只写了要考核什么，没有写目标",
    "抽样调查": "是调查方法，不是目标值",
    "问卷调查": "是调查方法，不是目标值",
}
# A value with no digit that ends with what is counted ("年度内补贴孤儿人数", "…补贴机构数") describes the
# indicator instead of giving its target.
COUNTED = re.compile(r"(?:人数|人次|户数|个数|次数|家数|机构数|床位数|床数)$")

# Wordings of "higher is better" rates, and of rates where lower is better (which are exempt).
HIGHER_IS_BETTER = re.compile(
    r"满意|知晓|覆盖率|及时|准确率|合格率|达标率|完成率|发放率|保障率|到位率|执行率|参保率|救助率|正确率|通过率|"
    r"成功率|好转率|治愈率|普及率|符合率|规范率|核实率|核查率|登记率|使用率|兑现率|享受率"
)
LOWER_IS_BETTER = re.compile(r"差错|投诉|发生率|事故|超支|失误|违规|流失|死亡率|退回率|返贫")
COST_CEILING = re.compile(r"成本|费用|经费|支出|资金|预算")
# Percentages that may pass 100 % (a growth, a multiple); every other rate stops at 100 %, so "≥100%" says "=100%".
MAY_PASS_100 = re.compile(r"增长|增幅|增速|增加|增量|提高率|提升率|倍")

# Units that count things: a percentage target with one of these (or the reverse) is a unit mismatch.
COUNT_UNITS = {"人", "人次", "次", "个", "户", "家", "项", "辆", "台", "件", "所", "名", "批", "场", "期", "床", "张"}
# Names of counts ("散居孤儿人数", "…机构个数"): a percentage for one of them is a unit mismatch, unless the name
# says it is a share ("满意度人员占总职工人数").
COUNT_NAME = re.compile(r"(?:人数|人次|户数|个数|次数|家数|机构数|床位数|车辆数)$")
SHARE_NAME = re.compile(r"占|比例|比重|比率|率")

# Units scoring may convert between (万元 and 元); any other pair of different units cannot be compared.
CONVERTIBLE = [{"万元", "元"}]

# (where — a 二级 or 一级 framework key, what the name must (not) mean, message)
NOT_A_COST = re.compile(r"完成率|及时率|覆盖率|准确率|知晓率|发放率|满意")
SATISFACTION_MEANING = re.compile(r"满意|意度|认可|评价|好评|投诉")
# The satisfaction of one's own staff is not that of the people served (plain 职工 is left alone: in a wage or
# 提退人员 project the staff are the people served).
OWN_STAFF = re.compile(r"干部|内部职工|本单位职工|单位职工|机关职工|在职职工|内部人员")
A_RATE = re.compile(r"(?<![效频功])率|比例|占比|比率|百分比")
MISFILED: tuple[tuple[str, str, re.Pattern[str], bool, str], ...] = (
    ("level2", "服务对象满意度指标", re.compile(r"知晓"), True,
     "知晓率反映政策宣传的效果，属于社会效益或质量指标，不是服务对象满意度"),
    ("level2", "服务对象满意度指标", OWN_STAFF, True,
     "本单位干部职工的满意度不是服务对象满意度，请改为受益群众或服务对象的满意度"),
    ("level2", "服务对象满意度指标", SATISFACTION_MEANING, False, "满意度指标下应是服务对象满意度一类的指标"),
    ("level2", "时效指标", re.compile(r"符合率|准确率|合格率|达标率"), True,
     "符合率、准确率反映的是质量，属于质量指标，不是时效指标"),
    ("level2", "时效指标", re.compile(r"决算|预算"), True, "是否控制在预算内属于成本指标，不是时效指标"),
    ("level2", "数量指标", A_RATE, True, "比率、比例反映的是质量或覆盖面，属于质量指标；数量指标应是人数、次数等"),
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


def _missing_level1(block: IndicatorBlock, optional: tuple[str, ...] = ()) -> list[Finding]:
    """The required 一级 of which a block has no filled 三级; ``optional`` ones may be left out."""
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
        if name not in present and name not in optional
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
    if _is_placeholder(ind):
        why = "照抄了指标名称" if copied else PLACEHOLDERS.get(compact, "只写了要数什么，没有写数量")
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
    name = norm(ind.name.text)
    if target.is_percent and COUNT_NAME.search(name) and not SHARE_NAME.search(name):
        counted = COUNT_NAME.search(name)
        what = counted.group(0) if counted else "数量"
        return [
            finding(
                "indicator.unit_mismatch",
                ind.target,
                f"“{clip(ind.name.text)}”是{what}，指标值却是百分比“{clip(target.text or ind.target.text)}”："
                f"请写成{what}，如“≥{_COUNT_EXAMPLE.get(what, '10个')}”；"
                "要考核比例，就把指标名称改为比率（如“…保障率”）",
                expected=what,
                actual=target.text or ind.target.text,
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


_COUNT_EXAMPLE = {"人数": "12人", "人次": "60人次", "户数": "20户", "次数": "4次", "家数": "3家", "车辆数": "2辆"}


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _is_placeholder(ind: Indicator) -> bool:
    """The 指标值 is no target at all (indicator.placeholder_value): 是/否, the name copied, "人数" …"""
    compact = "".join(ind.target.text.split())
    if compact in PLACEHOLDERS or norm(compact) == norm(ind.name.text):
        return True
    return ind.parsed_target.kind == "text" and not _has_digit(compact) and COUNTED.search(compact) is not None


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
        fix = f"应为“{right}…”"
        if ind.parsed_target.is_percent and ind.parsed_target.number == 100:  # "≤100%": not "≥100%" either
            fix = "比率不会超过100%：应写成“=100%”，或写下限如“≥95%”"
        return [
            finding(
                "indicator.direction",
                _operator_cell(ind),
                f"“{clip(name)}”越高越好，指标值“{clip(shown)}”方向写反了，{fix}",
                expected=right,
                actual=shown,
            )
        ]
    parsed = ind.parsed_target
    is_cost = ind.level2_key == "成本指标" or ind.level1_key == "成本指标"
    # A cost, a fee or a budget is a ceiling: "≥5万元", "≥90%" of the budget, "≥90" all point the wrong way. A
    # relative text ("不低于上年" 资金投入水平) is a floor on purpose and is left alone.
    if (
        op in (">=", ">")
        and is_cost
        and parsed.kind == "number"
        and COST_CEILING.search(name)
        and not HIGHER_IS_BETTER.search(name)
    ):
        money = "元" in parsed.unit
        how = "“≤…”" if money else "金额上限（如“≤12万元”），或“≤100%”（不超过预算）"
        return [
            finding(
                "indicator.direction",
                _operator_cell(ind),
                f"成本指标“{clip(name)}”是上限，指标值“{clip(shown)}”方向写反了：应写成{how}",
                expected="≤",
                actual=shown,
            )
        ]
    if (
        op in (">=", ">")
        and parsed.kind == "number"
        and parsed.unit == "%"
        and parsed.number is not None
        and parsed.number >= 100
        and not MAY_PASS_100.search(name)
    ):
        if op == ">=" and parsed.number == 100:
            why = "比率不会超过100%，“≥100%”实际就是“=100%”：请写成“=100%”"
        else:
            why = f"比率不会超过100%，“{clip(shown)}”无法达到：请写成“=100%”或不超过100%的目标，如“≥95%”"
        return [
            finding(
                "indicator.direction",
                _operator_cell(ind),
                f"“{clip(name)}”的指标值“{clip(shown)}”：{why}",
                expected="=100%",
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
    """The rules of one block that need no profile (indicator.missing_level1 runs in :func:`review`)."""
    out = _levels(block) + _duplicates(block)
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


# --- the 审核 rules: vocabularies and thresholds from the profile in force ------------------------------------

_UNITS = (
    "平方米", "万元", "公里", "人次", "周岁", "元", "人", "名", "户", "个", "家", "次", "项", "件", "床", "张", "辆",
    "台", "所", "米", "天", "日", "月", "年", "份", "场", "批", "期", "岁", "%",
)  # fmt: skip
_PUNCTUATION = re.compile(r"[\s,，.。;；、:：!！?？“”\"'()（）]+")


def _is_attr(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _hint(ind: Indicator, profile: Profile) -> str:
    hints = dict(profile.vague_hints)
    level2 = ind.level2_key
    if level2 == "服务对象满意度指标" or ind.level1_key == "满意度指标":
        key = "服务对象满意度指标"
    elif level2 in hints and level1_key_of_level2(level2) != "效益指标":
        key = level2
    else:
        key = ind.level1_key
    hint = hints.get(key, "请写成可考核的数值（带单位），或明确的完成标准")
    return hint.format(example=_benefit_example(ind.name.text, profile))


def _benefit_example(name: str, profile: Profile) -> str:
    """The example of a benefit target: 老年人生活情况 → 老年人生活满意度≥90%, or the profile's own."""
    subject, stripped = norm(name), False
    leading = sorted(profile.vague_words + profile.vague_trend_words, key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for suffix in profile.vague_subject_suffixes:
            if subject.endswith(suffix) and len(subject) > len(suffix):
                subject, stripped, changed = subject[: -len(suffix)], True, True
        for word in leading:  # "不断改善救助对象生活水平" → "救助对象生活"
            if subject.startswith(word) and len(subject) > len(word):
                subject, changed = subject[len(word) :], True
    people = any(word in subject for word in profile.vague_subject_people)
    if stripped and people and 2 <= len(subject) <= 12 and not _PUNCTUATION.search(subject):
        return f"{subject}满意度≥90%"
    return profile.vague_example


def _vague(ind: Indicator, profile: Profile) -> list[Finding]:
    target = ind.target
    text = "".join(target.text.split())
    parsed = ind.parsed_target
    if parsed.kind != "text" or parsed.operator is not None or _has_digit(text) or _is_placeholder(ind):
        return []  # a placeholder is reported as such
    rest = norm(text)
    for phrase in sorted(profile.vague_allowed, key=len, reverse=True):
        rest = rest.replace(phrase, "")
    words = [w for w in profile.vague_words if w in rest]
    if not words:
        bare = _PUNCTUATION.sub("", rest)
        for word in sorted(profile.vague_trend_words, key=len, reverse=True):
            bare = bare.replace(word, "")
        if _PUNCTUATION.sub("", rest) == "" or bare != "":
            return []
    level = ind.level2.text if ind.level1_key != "效益指标" else ind.level1.text
    where = norm(level) or "指标"
    where = level2_key(where) if is_level2(where) else level1_key(where)
    quantitative = _is_attr(ind.attribute.text, profile.quantitative_words)
    note = f"（指标属性是“{clip(ind.attribute.text)}”，更须填写数值）" if quantitative else ""
    return [
        finding(
            "indicator.vague_value",
            target,
            f"{where}“{clip(ind.name.text)}”的指标值“{clip(target.text)}”没有可考核的数字{note}：{_hint(ind, profile)}",
            actual=target.text,
        )
    ]


@lru_cache(maxsize=16)
def _imprecise_pattern(before_words: tuple[str, ...], after_words: tuple[str, ...]) -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in _UNITS)
    before = "|".join(re.escape(w) for w in before_words)
    after = "|".join(re.escape(w) for w in after_words)
    number = r"\d+(?:\.\d+)?"
    return re.compile(
        rf"(?P<pre>{before})\s*(?P<n1>{number})\s*(?P<u0>{units})?"
        rf"|(?P<n2>{number})\s*(?P<u1>{units})?\s*(?P<post>{after})\s*(?P<u2>{units})?"
    )


def _imprecise(ind: Indicator, profile: Profile) -> list[Finding]:
    text = ind.target.text
    if not _has_digit(text):
        return []
    pieces, fixes = [], []
    for m in _imprecise_pattern(tuple(profile.imprecise_before), tuple(profile.imprecise_after)).finditer(text):
        if m.group("pre"):
            number, unit, exact = m.group("n1"), m.group("u0") or "", True
        else:
            number, unit = m.group("n2"), m.group("u1") or m.group("u2") or ""
            if m.group("u1") in profile.imprecise_threshold_units:
                continue  # "80岁以上": an age threshold, not an approximation
            exact = m.group("post") in ("左右", "上下")
        pieces.append(f"“{m.group(0).strip()}”")
        fixes.append(f"“{number}{unit}”" if exact else f"“≥{number}{unit}”")
    if not pieces:
        return []
    return [
        finding(
            "indicator.imprecise_number",
            ind.target,
            f"“{clip(ind.name.text)}”的指标值中{'、'.join(pieces[:4])}{'等' if len(pieces) > 4 else ''}不是确切的数，"
            f"考核时无法判断是否达成：请写成确切的目标，如{fixes[0]}",
            actual=text,
        )
    ]


def _attribute(ind: Indicator, profile: Profile) -> list[Finding]:
    attr = ind.attribute.text
    if not attr or ind.target.empty or _is_placeholder(ind):
        return []
    parsed = ind.parsed_target
    shown = parsed.text or ind.target.text
    if _is_attr(attr, profile.qualitative_words) and parsed.kind == "number" and parsed.unit:
        return [
            finding(
                "indicator.attribute_mismatch",
                ind.attribute,
                f"“{clip(ind.name.text)}”的指标属性是“{clip(attr)}”，指标值却是数值“{clip(shown)}”："
                f"请把指标属性改为“定量指标”",
                expected="定量",
                actual=attr,
            )
        ]
    if _is_attr(attr, profile.quantitative_words) and parsed.kind == "text" and parsed.operator is None:
        if _has_digit(parsed.text) or _vague(ind, profile) or any(f.cell == ind.target.cell for f in _units(ind)):
            return []  # figures in a text; a vague value or a "%" with text are reported by their own rules
        return [
            finding(
                "indicator.attribute_mismatch",
                ind.target,
                f"“{clip(ind.name.text)}”的指标属性是“{clip(attr)}”，指标值“{clip(ind.target.text)}”却是文字："
                f"请写成数值（如“=100%”“≥300人”），或把指标属性改为“定性指标”并用“达到/基本达到/未达到”分级",
                expected="定量",
                actual=ind.target.text,
            )
        ]
    return []


COST_LEVEL2 = ("成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标")


def _has_cost_level1(block: IndicatorBlock) -> bool:
    """The table is on the 2021 framework: 成本指标 is a 一级 of its own (a filled or an empty row)."""
    return any(ind.level1_key == "成本指标" for ind in block.indicators)


def _missing_cost(block: IndicatorBlock) -> list[Finding]:
    if any(ind.level1_key == "成本指标" or ind.level2_key in COST_LEVEL2 for ind in block.filled):
        return []
    empty_cost_row = next((ind for ind in block.indicators if ind.level1_key == "成本指标"), None)
    at: Field[str] | tuple[str, str]
    if empty_cost_row is not None and empty_cost_row.name.cell:
        at = empty_cost_row.name
    else:
        at = (block.sheet, f"{block.columns.get('level1', 'A')}{block.header_row}")
    return [
        finding(
            "indicator.missing_cost",
            at,
            "按2021年指标体系（财预〔2021〕101号）应设成本指标，本表没有任何成本指标：请在成本指标下填写经济成本"
            "（如“人均补助标准=100元/人/月”“项目总成本≤12万元”），有社会成本、生态环境成本的一并填写",
        )
    ]


def _output_incomplete(block: IndicatorBlock, profile: Profile) -> list[Finding]:
    output = [ind for ind in block.indicators if ind.level1_key == "产出指标"]
    if not any(not ind.is_blank for ind in output):
        return []  # no 产出 at all: indicator.missing_level1
    present = {ind.level2_key for ind in output if not ind.is_blank}
    missing = [(name, example) for name, example in profile.output_level2 if name not in present]
    if not missing:
        return []
    names = "、".join(name for name, _ in missing)
    examples = "，".join(f"{name}如{example}" for name, example in missing)
    return [
        finding(
            "indicator.output_incomplete",
            output[0].level1,
            f"产出指标缺少{names}：请补充（{examples}）",
            actual=names,
        )
    ]


def _blocks(model: WorkbookModel) -> list[tuple[Any, IndicatorBlock]]:
    out = []
    for form in model.forms:
        block: Any = getattr(form, "indicators", None)
        if block is not None:
            out.append((form, block))
    return out


def review(model: WorkbookModel, profile: Profile) -> list[Finding]:
    """The indicator rules that read the profile: 一级 present (indicator.missing_level1), vague and imprecise
    values, 指标属性 against the value, 成本 under the 2021 framework, 产出 coverage."""
    out: list[Finding] = []
    blocks = _blocks(model)
    framework_2021 = profile.framework_2021 or any(_has_cost_level1(block) for _, block in blocks)
    for form, block in blocks:
        optional = ("满意度指标",) if form.kind == "self_eval" and profile.selfeval_satisfaction_optional else ()
        out += _missing_level1(block, optional)
        if framework_2021 and profile.cost_required:
            out += _missing_cost(block)
        out += _output_incomplete(block, profile)
        for ind in block.filled:
            if ind.name.empty or ind.target.empty:
                continue
            out += _vague(ind, profile)
            out += _imprecise(ind, profile)
            out += _attribute(ind, profile)
    return out
