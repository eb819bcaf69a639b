"""评分: scores of self-evaluation tables, as ``shared/spec/scoring.md`` describes them.

Everything a province may set differently — the weight of 执行率, default weights per 一级, the bands of
the qualitative grades, the grade of the whole table, optional 执行率 bands — lives in one
:class:`ScoringSettings`, which a TOML file can override (``--rules rules.toml``; see
``examples/rules.toml``). A written 评(扣)分标准 on the row overrides the defaults for that row.

Scores are Decimals rounded to 0.01 and clamped to [0, weight]. A row the rules cannot score — a
qualitative indicator with no completion grade whose actual does not restate its target, values in
units that cannot be compared — is an :class:`Outcome` with ``manual`` set: it needs a person.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from xlperf.amounts import quantize
from xlperf.labels import level1_key_of_level2, norm
from xlperf.model import Indicator, IndicatorBlock, SelfEvaluation
from xlperf.values import IndicatorValue, parse_value

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

ACHIEVED = "达成年度指标"
PARTIAL = "部分达成年度指标并具有一定效果"
NOT_ACHIEVED = "未达成年度指标且效果较差"


@dataclass(frozen=True)
class GradeBand:
    """A qualitative completion grade: the share of the weight it may score, and its default share."""

    low: Decimal
    high: Decimal
    default: Decimal


@dataclass(frozen=True)
class ScoringSettings:
    rate_weight: Decimal = Decimal(10)
    # Default weights per 一级, used only where the table's 分值 column is empty.
    level1_weights: dict[str, Decimal] = field(
        default_factory=lambda: {"产出指标": Decimal(50), "效益指标": Decimal(30), "满意度指标": Decimal(10)}
    )
    qualitative: dict[str, GradeBand] = field(
        default_factory=lambda: {
            ACHIEVED: GradeBand(Decimal("0.8"), Decimal(1), Decimal(1)),
            PARTIAL: GradeBand(Decimal("0.6"), Decimal("0.8"), Decimal("0.7")),
            NOT_ACHIEVED: GradeBand(Decimal(0), Decimal("0.6"), Decimal(0)),
        }
    )
    # Grade of the whole table: the lowest 总分 of each grade, best first; below the last is 差.
    grades: tuple[tuple[str, Decimal], ...] = (("优", Decimal(90)), ("良", Decimal(80)), ("中", Decimal(60)))
    # 执行率 bands, optional: (lowest rate, share of the weight), best first. Empty: 分值 × min(执行率, 100%).
    rate_bands: tuple[tuple[Decimal, Decimal], ...] = ()
    # Below this 执行率 a 偏差原因 is required.
    rate_reason_below: Decimal = Decimal("0.9")
    # How a 反向 indicator (≤ target) that overshoots is scored: "linear" — 分值 × (1 − 超出部分 / 目标), nothing at
    # twice the target; "ratio" — 分值 × 目标 / 实际.
    reverse_formula: str = "linear"
    # A 满意度 indicator whose actual falls below this share (0.6: "满意度低于60%不得分") scores nothing, where
    # its row writes no 评(扣)分标准 of its own. 0: no floor (the proportional rule applies).
    satisfaction_floor: Decimal = Decimal(0)
    # Local wordings of the three completion grades (10号: 达到 / 基本达到 / 未达到), read as the grades of
    # ``qualitative`` wherever a 完成等级 (or a 评价等级 written as one) is read.
    grade_aliases: dict[str, str] = field(
        default_factory=lambda: {
            "达成预期指标": ACHIEVED, "达成预期目标": ACHIEVED, "达成年度目标": ACHIEVED, "已达成": ACHIEVED,
            "全部达成": ACHIEVED, "达到": ACHIEVED, "达到预期": ACHIEVED, "达到预期指标": ACHIEVED,
            "部分达成预期指标并具有一定效果": PARTIAL, "部分达成预期目标并具有一定效果": PARTIAL,
            "部分达成": PARTIAL, "部分达到": PARTIAL, "基本达到": PARTIAL, "基本达成": PARTIAL,
            "未达成预期指标且效果较差": NOT_ACHIEVED, "未达成预期目标且效果较差": NOT_ACHIEVED,
            "未达成": NOT_ACHIEVED, "未达到": NOT_ACHIEVED,
        }
    )  # fmt: skip


DEFAULT = ScoringSettings()


def load_settings(path: str | Path | None) -> ScoringSettings:
    """Settings from a TOML file over the defaults (see examples/rules.toml); the defaults without one."""
    if path is None:
        return DEFAULT
    with open(path, "rb") as f:
        data = tomllib.load(f)
    changes: dict[str, Any] = {}
    if "rate_weight" in data:
        changes["rate_weight"] = Decimal(str(data["rate_weight"]))
    if "level1_weights" in data:
        changes["level1_weights"] = {norm(k): Decimal(str(v)) for k, v in data["level1_weights"].items()}
    if "qualitative" in data:
        bands = dict(DEFAULT.qualitative)
        for name, spec in data["qualitative"].items():
            bands[name] = GradeBand(*(Decimal(str(spec[k])) / HUNDRED for k in ("low", "high", "default")))
        changes["qualitative"] = bands
    if "grades" in data:
        changes["grades"] = tuple(
            (name, Decimal(str(low))) for name, low in sorted(data["grades"].items(), key=lambda kv: -kv[1])
        )
    if "rate_bands" in data:
        changes["rate_bands"] = tuple(
            (Decimal(str(b["from"])) / HUNDRED, Decimal(str(b["share"])) / HUNDRED) for b in data["rate_bands"]
        )
    if "rate_reason_below" in data:
        changes["rate_reason_below"] = Decimal(str(data["rate_reason_below"])) / HUNDRED
    if "grade_aliases" in data:
        changes["grade_aliases"] = {
            **DEFAULT.grade_aliases,
            **{norm(k): str(v) for k, v in data["grade_aliases"].items()},
        }
    return replace(DEFAULT, **changes)


def r2(d: Decimal) -> Decimal:
    return quantize(d, CENT, ROUND_HALF_UP)


def clamp(score: Decimal, weight: Decimal) -> Decimal:
    return r2(min(max(score, Decimal(0)), weight))


# --- written 评(扣)分标准 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    low: Decimal
    low_inclusive: bool
    high: Decimal
    high_inclusive: bool
    score: Decimal

    def contains(self, x: Decimal) -> bool:
        above = x >= self.low if self.low_inclusive else x > self.low
        below = x <= self.high if self.high_inclusive else x < self.high
        return above and below


@dataclass(frozen=True)
class WrittenRule:
    """A parsed 评(扣)分标准: ``proportional`` (满分 when reached, else 完成率 × 分值), ``all_or_nothing``
    (效益达标得N分，反之不得分) or ``bands`` (满意度 by bands, 含 marking an inclusive boundary)."""

    kind: str
    weight: Decimal
    bands: tuple[Band, ...] = ()
    zero_below: Decimal | None = None
    text: str = ""


_NUM = r"(\d+(?:\.\d+)?)"
_INCL = r"\s*(?:\(\s*含\s*\))?"
_FULL = re.compile(r"满分\s*\(\s*" + _NUM + r"\s*分\s*\)")
_PROPORTIONAL = re.compile(r"完成率\s*[*×xX]\s*指标分|实际完成[数值]?\s*/\s*年度指标值\s*[*×xX]\s*指标分")
_ALL_OR_NOTHING = re.compile(r"达标得?\s*" + _NUM + r"\s*分\s*[,，;；]?\s*(?:反之|否则|未达标)\s*不得分")
_BANDS_FULL = re.compile(r"满意度\s*达标\s*(?:得)?\s*" + _NUM + r"\s*分")
_BAND = re.compile(
    _NUM + r"\s*[%分]?(?P<li>" + _INCL + r")\s*[-－—~～至到]\s*" + _NUM + r"\s*[%分]?(?P<hi>" + _INCL
    + r")\s*[,，]?\s*得\s*" + _NUM + r"\s*分"
)  # fmt: skip
_BELOW = re.compile(r"低于\s*" + _NUM + r"\s*[%分]?\s*[,，]?\s*不得分")


def parse_rule(text: str) -> WrittenRule | None:
    """Parse a 评(扣)分标准; None when the text is not one of the understood forms (a person scores it)."""
    s = unicodedata.normalize("NFKC", text or "").replace(" ", "")
    if not s:
        return None
    m = _BANDS_FULL.search(s)
    if m:
        bands = tuple(
            Band(
                Decimal(b.group(1)),
                "含" in b.group("li"),
                Decimal(b.group(3)),
                "含" in b.group("hi"),
                Decimal(b.group(5)),
            )
            for b in _BAND.finditer(s)
        )
        below = _BELOW.search(s)
        return WrittenRule("bands", Decimal(m.group(1)), bands, Decimal(below.group(1)) if below else None, text)
    m = _ALL_OR_NOTHING.search(s)
    if m:
        return WrittenRule("all_or_nothing", Decimal(m.group(1)), text=text)
    m = _FULL.search(s)
    if m and _PROPORTIONAL.search(s):
        return WrittenRule("proportional", Decimal(m.group(1)), text=text)
    return None


# --- one indicator ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """The score the rules give one row, how (``basis``, in Chinese), or why a person must score it."""

    score: Decimal | None
    weight: Decimal
    basis: str
    completion: Decimal | None = None  # 完成率 as a fraction, where a number gives one
    band: tuple[Decimal, Decimal] | None = None  # for a qualitative grade: the scores it allows
    manual: bool = False

    @property
    def low(self) -> Decimal | None:
        return self.band[0] if self.band else self.score

    @property
    def high(self) -> Decimal | None:
        return self.band[1] if self.band else self.score


def manual(weight: Decimal, why: str) -> Outcome:
    return Outcome(None, weight, why, manual=True)


_UNIT_FACTOR = {"万元": Decimal(10000), "元": Decimal(1)}
_DONE = {"完成", "已完成", "全部完成", "按时完成", "达成", "已达成", "达到", "已达到", "是", "已落实", "落实"}
_DIRECTION_WORDS = {"正向": ">=", "反向": "<=", "等于": "="}


def _comparable(target: IndicatorValue, actual: IndicatorValue, unit: str) -> tuple[Decimal, Decimal] | None:
    """Target and actual in the same unit (万元/元 converted; a unit given on one side only is shared)."""
    t_unit, a_unit = target.unit or unit, actual.unit or target.unit or unit
    t, a = target.number, actual.number
    if t is None or a is None:
        return None
    if t_unit == a_unit or not t_unit or not a_unit:
        return t, a
    if t_unit in _UNIT_FACTOR and a_unit in _UNIT_FACTOR:
        return t * _UNIT_FACTOR[t_unit], a * _UNIT_FACTOR[a_unit]
    return None


def quantitative(
    target: Decimal, actual: Decimal, operator: str | None, weight: Decimal, settings: ScoringSettings = DEFAULT
) -> tuple[Decimal, Decimal]:
    """(score, 完成率) by direction: 正向 (≥ > 不低于 达到, and no operator), 反向 (≤ < 不高于 不超过; scored by
    ``settings.reverse_formula``), 等于."""
    op = operator or ">="
    if op in ("<=", "<"):  # 反向
        if actual <= target:
            return weight, Decimal(1)
        if target <= 0:
            return Decimal(0), Decimal(0)
        if settings.reverse_formula == "ratio":
            share = target / actual
            return clamp(weight * share, weight), share
        if actual >= 2 * target:
            return Decimal(0), Decimal(0)
        share = 1 - (actual - target) / target
        return clamp(weight * share, weight), share
    if op == "=" and target == 0:
        return (weight, Decimal(1)) if actual <= 0 else (Decimal(0), Decimal(0))
    if actual >= target:  # 正向, and 等于 with a positive target
        return weight, Decimal(1)
    if target <= 0:
        return Decimal(0), Decimal(0)
    share = actual / target
    return clamp(weight * share, weight), share


def restates(target: str, actual: str) -> bool:
    """An actual that says the target was met: the same words ("应保尽保"), the target's core ("已及时发放"
    for "按规定要求及时发放…"), or a plain completion word ("完成")."""
    t, a = norm(target), norm(actual)
    if not a:
        return False
    if a == t or a in _DONE:
        return True
    core = re.sub(r"^(已经|已|均已|全部|均)", "", a)
    core = re.sub(r"了$", "", core)
    return len(core) >= 2 and core in t


def _operator(ind: Indicator) -> str | None:
    word = norm(ind.direction.text)
    return _DIRECTION_WORDS.get(word) or ind.parsed_target.operator


def completion_grade(text: str, settings: ScoringSettings = DEFAULT) -> str | None:
    """The completion grade (a key of ``settings.qualitative``) a cell names, in its own or a local wording
    (``settings.grade_aliases``); None when it names none."""
    key = norm(text)
    if not key:
        return None
    for name in settings.qualitative:
        if norm(name) == key:
            return name
    aliases = {norm(k): v for k, v in settings.grade_aliases.items()}
    name = aliases.get(key)
    return name if name in settings.qualitative else None


def _grade(ind: Indicator, settings: ScoringSettings) -> GradeBand | None:
    name = completion_grade(ind.grade.text, settings)
    return settings.qualitative[name] if name is not None else None


def score_indicator(ind: Indicator, weight: Decimal, settings: ScoringSettings = DEFAULT) -> Outcome:
    """The score of one indicator row with the given weight."""
    target = ind.parsed_target
    actual = ind.parsed_actual or parse_value(ind.actual.value)
    rule = parse_rule(ind.rule.text)
    grade = _grade(ind, settings)
    if actual.kind == "empty" and grade is None:
        return manual(weight, "没有实际完成值")
    if target.kind == "unparseable" or actual.kind == "unparseable":
        return manual(weight, "指标值或实际完成值无法识别")
    numbers = _comparable(target, actual, ind.unit.text.strip()) if target.kind == actual.kind == "number" else None
    if target.kind == actual.kind == "number" and numbers is None:
        return manual(weight, f"单位不同无法比较（{target.unit or '无单位'} 与 {actual.unit or '无单位'}）")
    if rule is not None and rule.kind == "bands":
        return _bands(rule, target, actual, numbers, weight)
    if numbers is not None and grade is None:
        if rule is None and settings.satisfaction_floor and _is_satisfaction(ind) and target.is_percent:
            floor = settings.satisfaction_floor * HUNDRED
            if numbers[1] < floor:
                return Outcome(
                    Decimal(0), weight, f"满意度 {numbers[1]}% 低于 {floor}%，不得分", numbers[1] / numbers[0]
                )
        score, share = quantitative(numbers[0], numbers[1], _operator(ind), weight, settings)
        if rule is not None and rule.kind == "all_or_nothing":
            met = score == weight
            return Outcome(weight if met else Decimal(0), weight, "达标得满分，未达标不得分", share)
        how = {"<=": "反向", "<": "反向", "=": "等于"}.get(_operator(ind) or "", "正向")
        return Outcome(score, weight, f"定量{how}：完成率 {r2(share * HUNDRED)}%", share)
    # qualitative
    if grade is None and restates(ind.target.text, ind.actual.text):
        grade = settings.qualitative.get(ACHIEVED)
    if grade is None:
        return manual(weight, "定性指标没有完成等级，实际完成情况需要人工判断")
    if rule is not None and rule.kind == "all_or_nothing":
        met = grade.default >= settings.qualitative[ACHIEVED].low
        return Outcome(weight if met else Decimal(0), weight, "达标得满分，未达标不得分")
    band = (r2(weight * grade.low), r2(weight * grade.high))
    return Outcome(r2(weight * grade.default), weight, "定性：按完成等级", band=band)


def _is_satisfaction(ind: Indicator) -> bool:
    return (
        ind.level1_key == "满意度指标"
        or level1_key_of_level2(ind.level2.text) == "满意度指标"
        or "满意" in ind.name.text
    )


def _bands(rule: WrittenRule, target: IndicatorValue, actual: IndicatorValue, numbers, weight: Decimal) -> Outcome:
    if actual.number is None:
        return manual(weight, "满意度没有数值")
    x = numbers[1] if numbers else actual.number
    goal = numbers[0] if numbers else target.number
    if goal is not None and x >= goal:
        return Outcome(weight, weight, "满意度达标得满分", x / goal if goal else None)
    for band in rule.bands:
        if band.contains(x):
            return Outcome(min(band.score, weight), weight, f"满意度 {x} 在 {band.low}–{band.high} 之间")
    if rule.zero_below is not None and x < rule.zero_below:
        return Outcome(Decimal(0), weight, f"满意度低于 {rule.zero_below}，不得分")
    return manual(weight, "满意度不在评分标准列出的区间内")


# --- a table ----------------------------------------------------------------------------------------------


def weights(block: IndicatorBlock, settings: ScoringSettings = DEFAULT) -> dict[int, Decimal]:
    """Each filled row's weight: the 分值 column; where it is empty, the 一级's weight (its label's or the
    settings') less the weights given, shared evenly among the rows without one."""
    out: dict[int, Decimal] = {}
    missing: dict[str, list[Indicator]] = {}
    given: dict[str, Decimal] = {}
    for ind in block.filled:
        if ind.weight.value is not None:
            out[ind.row] = ind.weight.value
            given[ind.level1_key] = given.get(ind.level1_key, Decimal(0)) + ind.weight.value
        else:
            missing.setdefault(ind.level1_key, []).append(ind)
    for level1, rows in missing.items():
        total = block.level1_weights.get(level1) or settings.level1_weights.get(level1)
        if total is None:
            continue
        share = r2((total - given.get(level1, Decimal(0))) / len(rows))
        for ind in rows:
            out[ind.row] = max(share, Decimal(0))
    return out


def execution_rate(ev: SelfEvaluation) -> Decimal | None:
    """执行率 = 全年执行数 / 全年预算数 (the adjusted budget, not 年初预算数)."""
    budget, done = ev.annual_budget.value, ev.executed.value
    if budget is None or done is None or budget == 0:
        return None
    return done / budget


def rate_score(rate: Decimal, weight: Decimal, settings: ScoringSettings = DEFAULT) -> Decimal:
    if settings.rate_bands:
        for low, share in settings.rate_bands:
            if rate >= low:
                return clamp(weight * share, weight)
        return Decimal(0)
    return clamp(weight * min(rate, Decimal(1)), weight)


def table_grade(total: Decimal, settings: ScoringSettings = DEFAULT) -> str:
    for name, low in settings.grades:
        if total >= low:
            return name
    return "差"


@dataclass
class TableScore:
    """The scores the rules give a self-evaluation table, row by row, and its total and grade."""

    rows: dict[int, Outcome]
    rate: Decimal | None
    rate_weight: Decimal
    rate_score: Decimal | None
    total: Decimal | None
    grade: str | None


def score_table(ev: SelfEvaluation, settings: ScoringSettings = DEFAULT) -> TableScore:
    block = ev.indicators
    rows: dict[int, Outcome] = {}
    if block is not None:
        w = weights(block, settings)
        for ind in block.filled:
            if ind.row in w:
                rows[ind.row] = score_indicator(ind, w[ind.row], settings)
    rate = execution_rate(ev)
    rate_weight = ev.rate_weight.value if ev.rate_weight.value is not None else settings.rate_weight
    r_score = rate_score(rate, rate_weight, settings) if rate is not None else None
    scores = [o.score for o in rows.values()]
    total = None
    if r_score is not None and all(s is not None for s in scores):
        total = r2(r_score + sum(scores, Decimal(0)))
    return TableScore(
        rows, rate, rate_weight, r_score, total, table_grade(total, settings) if total is not None else None
    )
