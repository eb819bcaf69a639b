"""goal.restates_name and goal.no_indicator — the 绩效目标 against the project and its indicators.

``goal.restates_name``: a 绩效目标 that is its project's name (项目名称) or the 资金用途 again. Both sides lose
their numbering (“1.”, “（一）”, “目标1：”), punctuation and spaces, and are compared with rapidfuzz's ratio
twice — as written, and without the profile's filler words (保障, 确保, 经费, 资金 …) — the higher counting;
at ``goal_restates_ratio`` or above the goal restates. A goal longer than ``goal_restates_max_chars`` that
equals the 资金用途 is a real goal written into both cells (seed 002's six-point goal of the 困难群众 funds),
not a restatement, and is left alone. 附表3 goals are compared with the direction's name, and 附表2 rows with
theirs unless a 附表3 of that direction says the same (reported there once).

``goal.no_indicator``: a numbered clause of a goal (“1.保障车辆工作\\n2.提高工作效率”) that no indicator of
the same table speaks to. A clause speaks through its key words: its text without the profile's generic
words (保障, 提高, 工作, 进一步 …), cut into two-character pieces; an indicator speaks to it when its name,
description or target shares one such piece (“车辆” of 投保车辆数量 for “保障车辆工作”). One shared piece is
enough, so the hint stays quiet unless a clause has nothing at all in common with the indicator table; a
clause made only of generic words is not judged, and a goal that only restates the name is reported once,
as that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz

from xlperf.labels import norm
from xlperf.model import (
    DepartmentTarget,
    Field,
    Indicator,
    IndicatorBlock,
    ProjectTarget,
    SpecialFundSummary,
    SpendingDirection,
    SummaryRow,
    WorkbookModel,
)
from xlperf.profiles import Profile
from xlperf.report import Finding, clip
from xlperf.rules import finding

_CN_NUM = "一二三四五六七八九十"
# The numbering of a goal's items, at its start or after a line break or full stop: “1.” “1、” “1.1.” “（1）”
# “(一)” “一、” “目标1：”. A number followed by a digit (“1.5倍”) is not numbering.
_MARK = (
    r"(?:目标\s*\d+\s*[:：]"  # 目标1：
    rf"|[(（]\s*(?:\d+|[{_CN_NUM}]+)\s*[)）]"  # (1) （一）
    rf"|(?:\d+(?:[.．]\d+)*|[{_CN_NUM}]+)\s*[.、．](?!\d))"  # 1. 1、 1.1. 一、
)
NUMBERING = re.compile(rf"(?:^|(?<=[\n；;。]))\s*(?:{_MARK}\s*)+")
_NOT_WORD = re.compile(r"[\W_]+")


# What the name a goal is compared with is called, by the kind of its form.
NAME_OF = {"项目": "项目名称", "附表3": "支出方向名称", "附表2": "支出方向名称", "部门": "部门名称"}


@dataclass
class Goal:
    """A goal cell, what it is compared with (name / purpose), and the indicators that should speak to it."""

    field: Field[str]
    kind: str  # 项目 / 附表3 / 附表2 / 部门
    name: Field[str]
    purpose: Field[str] | None
    block: IndicatorBlock | None


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    out: list[Finding] = []
    for goal in goals(model):
        restates = restatement(goal, profile)
        if restates is not None:
            out.append(restates)
        elif goal.block is not None and goal.kind in profile.goal_no_indicator_forms:
            out += unspoken_clauses(goal, profile)
    return out


def goals(model: WorkbookModel) -> Iterator[Goal]:
    directions = {
        (norm(d.direction.text), plain(goal.text))
        for d in model.forms
        if isinstance(d, SpendingDirection)
        for goal in (d.annual_goal, d.period_goal)
    }
    for form in model.forms:
        if isinstance(form, ProjectTarget):
            yield Goal(form.goal, "项目", form.name, form.purpose, form.indicators)
        elif isinstance(form, SpendingDirection):
            yield Goal(form.annual_goal, "附表3", form.direction, None, form.indicators)
            if plain(form.period_goal.text) != plain(form.annual_goal.text):
                yield Goal(form.period_goal, "附表3", form.direction, None, None)
        elif isinstance(form, DepartmentTarget):
            yield Goal(form.overall_goal, "部门", form.dept_name, None, form.indicators)
        elif isinstance(form, SpecialFundSummary):
            for row in form.rows:
                yield from _summary_goals(row, directions)


def _summary_goals(row: SummaryRow, directions: set[tuple[str, str]]) -> Iterator[Goal]:
    for field in (row.annual_goal, row.period_goal):
        if (norm(row.name.text), plain(field.text)) not in directions:
            yield Goal(field, "附表2", row.name, None, None)


# goal.restates_name ------------------------------------------------------------------------------------------


def plain(text: str) -> str:
    """A goal as compared: without its numbering, punctuation and spaces."""
    return _NOT_WORD.sub("", norm(NUMBERING.sub("", text)))


def _without(text: str, words: tuple[str, ...]) -> str:
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "")
    return text


def similarity(goal: str, other: str, profile: Profile) -> float:
    """rapidfuzz ratio (0–100) of two texts as written and without filler words; the higher of the two."""
    a, b = plain(goal), plain(other)
    if not a or not b:
        return 0.0
    best = fuzz.ratio(a, b)
    fa, fb = _without(a, profile.goal_filler_words), _without(b, profile.goal_filler_words)
    if len(fa) >= 2 and len(fb) >= 2:
        best = max(best, fuzz.ratio(fa, fb))
    return best


def restatement(goal: Goal, profile: Profile) -> Finding | None:
    text = goal.field.text
    if len(plain(text)) < 2:
        return None
    what, other = "", ""
    if goal.name.text and similarity(text, goal.name.text, profile) >= profile.goal_restates_ratio:
        what, other = NAME_OF[goal.kind], goal.name.text
    elif (
        goal.purpose is not None
        and goal.purpose.text
        and len(plain(text)) <= profile.goal_restates_max_chars
        and similarity(text, goal.purpose.text, profile) >= profile.goal_restates_ratio
    ):
        what, other = "资金用途", goal.purpose.text
    if not what:
        return None
    owner = f"“{clip(goal.name.text, 24)}”" if what == "资金用途" else ""
    return finding(
        "goal.restates_name",
        goal.field,
        f"{goal.kind}{owner}的绩效目标“{clip(text)}”只是重复{what}“{clip(other)}”，没有说明要达到的产出和效果："
        f"请写明本年度要完成的数量、质量、时效和取得的效益{_example(goal.block)}",
        expected=None,
        actual=text,
    )


def _example(block: IndicatorBlock | None) -> str:
    """An example made of the table's own 产出 indicators with a number and a fitting unit (a rate in %, a
    count in 人 / 辆 …): “（可结合本表指标，如“投保车辆数量1辆，车辆到期续保及时率100%”）”."""
    if block is None:
        return ""
    parts = [f"{ind.name.text.strip()}{_target(ind)}" for ind in block.filled if _fit_for_example(ind)][:2]
    return f"（可结合本表指标，如“{'，'.join(parts)}”）" if parts else ""


def _fit_for_example(ind: Indicator) -> bool:
    value = ind.parsed_target
    if ind.level1_key != "产出指标" or ind.level2_key not in ("数量指标", "质量指标", "时效指标"):
        return False
    if value.kind != "number" or not value.unit or value.operator in ("<=", "<") or len(ind.name.text) > 16:
        return False
    return value.is_percent == ind.name.text.strip().endswith("率")


def _target(ind: Indicator) -> str:
    text = ind.operator.text + ind.target.text.strip()
    return text + ind.unit.text if ind.unit.text and not text.endswith(ind.unit.text) else text


# goal.no_indicator -------------------------------------------------------------------------------------------


def clauses(text: str) -> list[tuple[str, str]]:
    """The numbered items of a goal, each (its numbering, its text); [] when the goal is not numbered."""
    marks = list(NUMBERING.finditer(text))
    if not marks or text[: marks[0].start()].strip():
        return []
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end() : end].strip()
        if body:
            out.append((m.group().strip(), body))
    return out


def key_pieces(text: str, profile: Profile) -> set[str]:
    """The two-character pieces of a text's key words: generic words and punctuation cut it into runs."""
    runs = _NOT_WORD.split(_without_as_cut(norm(text), profile.goal_generic_words))
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}


def _without_as_cut(text: str, words: tuple[str, ...]) -> str:
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, " ")
    return text


def unspoken_clauses(goal: Goal, profile: Profile) -> list[Finding]:
    items = clauses(goal.field.text)
    if not items or goal.block is None:
        return []
    filled = goal.block.filled
    spoken: set[str] = set()
    for ind in filled:
        for field in (ind.name, ind.description, ind.target):
            spoken |= key_pieces(field.text, profile)
    out: list[Finding] = []
    for mark, body in items:
        pieces = key_pieces(body, profile)
        if not pieces or pieces & spoken:
            continue
        out.append(
            finding(
                "goal.no_indicator",
                goal.field,
                f"绩效目标第{_number(mark)}条“{clip(body)}”没有任何指标与之对应（{len(filled)} 条指标都没有提到"
                f"“{'”“'.join(_words(body, profile)[:3])}”）：请为这一条设置衡量它的指标，或改写这一条目标",
                expected=None,
                actual=body,
            )
        )
    return out


def _number(mark: str) -> str:
    """The number of an item's numbering: “1.1.” → 1, “（三）” → 三, “目标5：” → 5."""
    found = re.findall(rf"\d+|[{_CN_NUM}]+", mark)
    return found[0] if found else mark


def _words(text: str, profile: Profile) -> list[str]:
    return [run for run in _NOT_WORD.split(_without_as_cut(norm(text), profile.goal_generic_words)) if len(run) >= 2]
