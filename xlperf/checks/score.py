"""score.* — weights, recorded scores, 执行率 and 总分, against what the scoring rules give."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xlperf.checks.amount import fmt
from xlperf.labels import norm
from xlperf.model import Field, Indicator, IndicatorBlock, SelfEvaluation, WorkbookModel
from xlperf.profiles import NATIONAL, Profile
from xlperf.report import Finding, clip
from xlperf.rules import finding
from xlperf.scoring import (
    DEFAULT,
    Band,
    ScoringSettings,
    TableScore,
    WrittenRule,
    _comparable,
    _operator,
    completion_grade,
    execution_rate,
    parse_rule,
    r2,
    score_table,
    table_grade,
)
from xlperf.values import parse_value

RATE_TOLERANCE = Decimal("0.00005")  # a recorded 执行率 is printed to 0.01 of a percent


def pct(d: Decimal) -> str:
    return f"{r2(d * 100)}%"


def _weight_cell(block: IndicatorBlock) -> tuple[str, str]:
    return (block.sheet, f"{block.columns.get('weight', 'A')}{block.header_row}")


def weights_sum(block: IndicatorBlock, rate_weight: Decimal | None) -> list[Finding]:
    """分值 of one table sum to 100, or to 90 where 执行率 carries 10 (a target table, which has no 执行率
    row, may be either: its 执行率 is scored at the self-evaluation)."""
    given = [i.weight.value for i in block.filled if i.weight.value is not None]
    if not given:
        return []
    total = sum(given, Decimal(0))
    allowed = {Decimal(100) - rate_weight} if rate_weight is not None else {Decimal(100), Decimal(90)}
    if total in allowed:
        return []
    want = "、".join(str(a) for a in sorted(allowed, reverse=True))
    why = f"（执行率占 {rate_weight} 分）" if rate_weight is not None else "（或 90，执行率另占 10 分）"
    return [
        finding(
            "score.weights_sum",
            _weight_cell(block),
            f"各指标分值合计 {total}，应为 {want}{why}",
            expected=min(allowed) if rate_weight is not None else Decimal(100),
            actual=total,
        )
    ]


def rule_weights(block: IndicatorBlock) -> list[Finding]:
    """The weight written in a 评(扣)分标准 must agree with the 分值 column."""
    out = []
    for ind in block.filled:
        rule = parse_rule(ind.rule.text)
        if rule is not None and ind.weight.value is not None and rule.weight != ind.weight.value:
            out.append(
                finding(
                    "score.mismatch",
                    ind.weight,
                    f"“{clip(ind.name.text)}”的分值 {ind.weight.value} 与评(扣)分标准中的 {rule.weight} 分不一致",
                    expected=rule.weight,
                    actual=ind.weight.value,
                )
            )
    return out


def self_evaluation(
    ev: SelfEvaluation, settings: ScoringSettings = DEFAULT, scored: TableScore | None = None
) -> list[Finding]:
    out: list[Finding] = []
    ts = scored or score_table(ev, settings)
    block = ev.indicators
    if block is not None:
        out += weights_sum(block, ts.rate_weight)
        out += rule_weights(block)
        out += _rows(ev, block, ts)
    out += _rate(ev, ts, settings)
    out += _total(ev)
    return out


def _rows(ev: SelfEvaluation, block: IndicatorBlock, ts: TableScore) -> list[Finding]:
    out = []
    has_reason = "reason" in block.columns
    for ind in block.filled:
        outcome = ts.rows.get(ind.row)
        recorded, weight = ind.score.value, ind.weight.value
        name = clip(ind.name.text)
        if recorded is not None and weight is not None and recorded > weight:
            out.append(finding("score.over_weight", ind.score, f"“{name}”得分 {recorded} 超过分值 {weight}",
                               expected=weight, actual=recorded))  # fmt: skip
        if outcome is None:
            continue
        if outcome.manual:
            out.append(
                finding(
                    "score.manual_needed",
                    next((f for f in (ind.score, ind.actual) if f.cell), ind.name),
                    f"“{name}”需要人工评分：{outcome.basis}",
                )
            )
        elif recorded is not None and not (outcome.low <= recorded <= outcome.high):
            allowed = f"{outcome.low}–{outcome.high}" if outcome.band else f"{outcome.score}"
            out.append(
                finding(
                    "score.mismatch",
                    ind.score,
                    f"“{name}”填报得分 {recorded}，按评分规则应为 {allowed}（{outcome.basis}）",
                    expected=outcome.score,
                    actual=recorded,
                )
            )
        if has_reason and recorded is not None and weight is not None and recorded < weight and ind.reason.empty:
            out.append(
                finding(
                    "score.reason_missing",
                    ind.reason,
                    f"“{name}”得分 {recorded} 低于分值 {weight}，请填写偏差原因分析及改进措施",
                )
            )
    return out


def _rate(ev: SelfEvaluation, ts: TableScore, settings: ScoringSettings) -> list[Finding]:
    out = []
    rate = execution_rate(ev)
    recorded = ev.rate.value
    if rate is not None and recorded is not None and abs(recorded - rate) > RATE_TOLERANCE:
        basis = ""
        initial = ev.initial_budget.value
        if initial and ev.executed.value is not None and abs(recorded - ev.executed.value / initial) <= RATE_TOLERANCE:
            basis = f"：{pct(recorded)} 是 {fmt(ev.executed.value)} / {fmt(initial)}，除以的是年初预算数"
        out.append(
            finding(
                "score.rate_basis",
                ev.rate,
                f"执行率应为全年执行数 / 全年预算数 = {fmt(ev.executed.value)} / {fmt(ev.annual_budget.value)} = "
                f"{pct(rate)}，填报为 {pct(recorded)}{basis}",
                expected=r2(rate * 100),
                actual=r2(recorded * 100),
            )
        )
    weight, score = ts.rate_weight, ev.rate_score.value
    if score is not None and weight is not None and score > weight:
        out.append(finding("score.over_weight", ev.rate_score, f"执行率得分 {score} 超过分值 {weight}",
                           expected=weight, actual=score))  # fmt: skip
    elif score is not None and ts.rate_score is not None and r2(score) != ts.rate_score:
        out.append(
            finding(
                "score.mismatch",
                ev.rate_score,
                f"执行率得分填报 {score}，按执行率 {pct(rate)} 应为 {ts.rate_score}",
                expected=ts.rate_score,
                actual=score,
            )
        )
    low_rate = rate is not None and rate < settings.rate_reason_below
    if (score is not None and weight is not None and score < weight) or low_rate:
        why = (
            f"执行率 {pct(rate)} 低于 {pct(settings.rate_reason_below)}"
            if low_rate
            else f"执行率得分 {score} 低于分值 {weight}"
        )
        where = next((f for f in (ev.rate_score, ev.rate) if f.cell), ev.executed)  # executed: rate needs it
        out.append(finding("score.reason_missing", where, f"{why}，请说明偏差原因及改进措施"))
    return out


def _total(ev: SelfEvaluation) -> list[Finding]:
    block = ev.indicators
    if ev.total_score.value is None or block is None:
        return []
    scores: list[Field[Any]] = [
        i.score for i in block.filled if i.weight.value is not None or i.score.value is not None
    ]
    if ev.rate_score.value is None or any(s.value is None for s in scores):
        return []
    total = ev.rate_score.value + sum((s.value for s in scores), Decimal(0))
    if r2(total) == r2(ev.total_score.value):
        return []
    return [
        finding(
            "score.total_mismatch",
            ev.total_score,
            f"总分 {ev.total_score.value} 与执行率得分和各指标得分之和 {r2(total)} 不一致",
            expected=r2(total),
            actual=ev.total_score.value,
        )
    ]


def check(model: WorkbookModel, settings: ScoringSettings = DEFAULT, profile: Profile = NATIONAL) -> list[Finding]:
    """The score.* rules on every table; ``profile`` gives the thresholds and vocabularies of the 审核 ones."""
    out: list[Finding] = []
    for form in model.forms:
        if isinstance(form, SelfEvaluation):
            ts = score_table(form, settings)
            out += self_evaluation(form, settings, ts)
            out += review(form, ts, settings, profile)
        elif form.kind in ("project_target", "dept_target") and form.indicators is not None:
            out += weights_sum(form.indicators, None)
            out += rule_weights(form.indicators)
            out += band_gaps(form.indicators)
    return out


# --- 审核: judgements of substance on a self-evaluation ---------------------------------------------------


def review(ev: SelfEvaluation, ts: TableScore, settings: ScoringSettings, profile: Profile) -> list[Finding]:
    """score.over_achieved, score.unsupported, score.band_gap and score.grade_mismatch on one table."""
    out: list[Finding] = []
    block = ev.indicators
    if block is not None:
        out += over_achieved(block, profile)
        out += unsupported(block, profile)
        out += band_gaps(block)
    out += grade_mismatch(ev, ts, settings, profile)
    return out


def over_achieved(block: IndicatorBlock, profile: Profile) -> list[Finding]:
    """An actual far above its target (正向 or 等于) with no 偏差原因: the target was set too low, or the actual
    counts something else; either way the table must say which."""
    out = []
    has_reason = "reason" in block.columns
    for ind in block.filled:
        if has_reason and not ind.reason.empty:
            continue
        target = ind.parsed_target
        actual = ind.parsed_actual or parse_value(ind.actual.value)
        if target.kind != "number" or actual.kind != "number" or _operator(ind) in ("<=", "<"):
            continue
        numbers = _comparable(target, actual, ind.unit.text.strip())
        if numbers is None or numbers[0] <= 0:
            continue
        t, a = numbers
        percent = (target.unit or ind.unit.text.strip()) in ("%", "‰")
        if a < t * profile.over_achieved_ratio or (percent and a - t < profile.over_achieved_min_points):
            continue
        where = ind.reason if has_reason and ind.reason.cell else ind.actual
        out.append(
            finding(
                "score.over_achieved",
                where,
                f"“{clip(ind.name.text)}”实际完成值“{clip(ind.actual.text)}”是年度指标值“{clip(ind.target.text)}”的 "
                f"{r2(a / t)} 倍，却没有说明原因：请在偏差原因分析中写明超额完成的原因（指标值是否定得过低、"
                f"实际完成值的统计口径是否与指标值一致），并据此调整今后的指标值",
                expected=t,
                actual=a,
            )
        )
    return out


def _core(text: str, profile: Profile) -> str:
    """A qualitative value without the words a copy adds to it (已…, …了) and without punctuation at its end."""
    s = norm(text).rstrip("。.，,；;！!")
    for prefix in profile.copied_actual_prefixes:
        if s.startswith(prefix) and len(s) > len(prefix):
            s = s[len(prefix) :]
            break
    for suffix in profile.copied_actual_suffixes:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    return s


def copies_target(ind: Indicator, profile: Profile) -> bool:
    """The actual of a qualitative indicator is its target again (稳定运行 / 稳定运行, 有所提升 / 已有所提升)."""
    if ind.parsed_target.kind not in ("text",) or ind.actual.empty or ind.target.empty:
        return False
    actual, target = _core(ind.actual.text, profile), _core(ind.target.text, profile)
    return bool(actual) and actual == target


def unsupported(block: IndicatorBlock, profile: Profile) -> list[Finding]:
    """A qualitative indicator scored in full on an actual that only copies its target: nothing says what was
    achieved, so nothing supports the score."""
    out = []
    for ind in block.filled:
        weight, recorded = ind.weight.value, ind.score.value
        if weight is None or recorded is None or recorded < weight or not copies_target(ind, profile):
            continue
        out.append(
            finding(
                "score.unsupported",
                ind.actual,
                f"“{clip(ind.name.text)}”的实际完成值“{clip(ind.actual.text)}”只是照抄了年度指标值"
                f"“{clip(ind.target.text)}”，却得了满分 {recorded}：请写明实际完成的情况（可核实的事实或数量："
                f"做成了什么、覆盖多少对象、依据哪份文件或检查结果），再按完成情况评分",
            )
        )
    return out


# --- 评(扣)分标准 bands that leave values unscored -------------------------------------------------------

_INF = Decimal("Infinity")


def num(d: Decimal) -> str:
    """A boundary or grade limit as written: 90, 92.5 (no trailing zeros)."""
    return format(d.normalize(), "f")


def _gaps(rule: WrittenRule, goal: Decimal | None) -> list[tuple[Decimal, bool, Decimal, bool]]:
    """The stretches of [0, ∞) the rule scores nowhere, as (low, low included, high, high included): above
    the target 达标 scores in full, below ``zero_below`` nothing, the bands in between."""
    spans = [(b.low, b.low_inclusive, b.high, b.high_inclusive) for b in rule.bands]
    if rule.zero_below is not None:
        spans.append((Decimal(0), True, rule.zero_below, False))
    if goal is not None:
        spans.append((goal, True, _INF, False))
    spans.sort(key=lambda s: (s[0], not s[1]))
    gaps = []
    pos, covered = Decimal(0), False  # every value below pos is scored; pos itself is scored iff covered
    for low, low_in, high, high_in in spans:
        if low > pos or (low == pos and not covered and not low_in):
            gaps.append((pos, not covered, low, not low_in))
        if high > pos:
            pos, covered = high, high_in
        elif high == pos:
            covered = covered or high_in
    if goal is not None and pos < _INF:
        gaps.append((pos, not covered, _INF, False))
    return [g for g in gaps if g[0] < g[2] or (g[0] == g[2] and g[1] and g[3])]


def _span(gap: tuple[Decimal, bool, Decimal, bool], unit: str) -> str:
    low, low_in, high, high_in = gap
    if low == high:
        return f"恰为 {num(low)}{unit}"
    if high == _INF:
        return f"{num(low)}{unit}{'（含）' if low_in else ''}以上"
    return f"{num(low)}{unit}{'（含）' if low_in else ''}–{num(high)}{unit}{'（含）' if high_in else ''}"


def band_gaps(block: IndicatorBlock) -> list[Finding]:
    """A 评(扣)分标准 in bands must score every possible value: 达标 (≥ the target) in full, the bands, and
    below the lowest band nothing — with no stretch between them (seed 003: target 95%, bands stop at 90%)."""
    out = []
    for ind in block.filled:
        rule = parse_rule(ind.rule.text)
        if rule is None or rule.kind != "bands" or not rule.bands:
            continue
        goal = ind.parsed_target.number if ind.parsed_target.kind == "number" else None
        gaps = _gaps(rule, goal)
        if not gaps:
            continue
        unit = "%" if (ind.parsed_target.unit or ind.unit.text.strip()) == "%" else ""
        spans = "、".join(_span(g, unit) for g in gaps)
        target = ind.parsed_target.text or ind.target.text
        if unit and not target.endswith(unit):
            target += unit
        top: Band = max(rule.bands, key=lambda b: b.high)
        advice = "补上这一段的得分档次（相邻两档首尾相接，用“含”标明边界归哪一档）"
        if goal is not None and top.high < goal and any(g[2] == goal for g in gaps):
            advice += f"，如把最高一档改为“{num(top.low)}{unit}(含)-{num(goal)}{unit}”"
        out.append(
            finding(
                "score.band_gap",
                ind.rule,
                f"“{clip(ind.name.text)}”的评(扣)分标准“{clip(ind.rule.text)}”没有规定完成值为 {spans} 时的得分"
                + (f"（年度指标值 {target}，分档止于 {num(top.high)}{unit}）" if goal is not None else "")
                + f"：请{advice}",
                expected=goal,
                actual=top.high,
            )
        )
    return out


# --- 评价等级 against 总分 --------------------------------------------------------------------------------


def _recorded_grade(text: str, settings: ScoringSettings, profile: Profile) -> tuple[str, str] | None:
    """What a 评价等级 cell says: ("table", 优 …) for a table grade, ("completion", 达成年度指标 …) for one written
    as a completion grade; None when it is neither."""
    key = norm(text)
    names = [name for name, _ in settings.grades] + ["差"]
    for name in names:
        if norm(name) == key:
            return ("table", name)
    aliases = {norm(k): v for k, v in profile.table_grade_aliases.items()}
    if aliases.get(key) in names:
        return ("table", aliases[key])
    grade = completion_grade(text, settings)
    return ("completion", grade) if grade is not None else None


def _grade_bounds(settings: ScoringSettings) -> str:
    parts, upper = [], None
    for name, low in settings.grades:
        parts.append(f"{name} ≥ {num(low)}" if upper is None else f"{name} {num(low)}–<{num(upper)}")
        upper = low
    if upper is not None:
        parts.append(f"差 < {num(upper)}")
    return "、".join(parts)


def grade_mismatch(ev: SelfEvaluation, ts: TableScore, settings: ScoringSettings, profile: Profile) -> list[Finding]:
    """The 评价等级 a table records must be the grade of its 总分 (the recorded one, else the rules')."""
    if ev.grade.empty or not ev.grade.cell:
        return []
    total = ev.total_score.value if ev.total_score.value is not None else ts.total
    recorded = _recorded_grade(ev.grade.text, settings, profile)
    if total is None or recorded is None:
        return []
    kind, name = recorded
    if kind == "table":
        want = table_grade(total, settings)
        if want == name:
            return []
        why = f"（{_grade_bounds(settings)}）"
    else:
        out_of = ev.total_weight.value or Decimal(100)
        share = total / out_of
        bands = sorted(settings.qualitative.items(), key=lambda kv: kv[1].low, reverse=True)
        want = next((n for n, band in bands if share >= band.low), bands[-1][0])
        if want == name:
            return []
        lows = "、".join(f"{n} ≥ {num(band.low * out_of)}" for n, band in bands if band.low > 0)
        why = f"（满分 {num(out_of)}：{lows}）"
    return [
        finding(
            "score.grade_mismatch",
            ev.grade,
            f"评价等级填报为“{ev.grade.text}”，总分 {num(total)} 对应的等级是“{want}”{why}：请改为“{want}”，"
            f"或先更正总分",
            expected=want,
            actual=ev.grade.text,
        )
    ]
