"""score.* — weights, recorded scores, 执行率 and 总分, against what the scoring rules give."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xlperf.checks.amount import fmt
from xlperf.model import Field, IndicatorBlock, SelfEvaluation, WorkbookModel
from xlperf.report import Finding, clip
from xlperf.rules import finding
from xlperf.scoring import DEFAULT, ScoringSettings, TableScore, execution_rate, parse_rule, r2, score_table

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


def check(model: WorkbookModel, settings: ScoringSettings = DEFAULT) -> list[Finding]:
    out: list[Finding] = []
    for form in model.forms:
        if isinstance(form, SelfEvaluation):
            out += self_evaluation(form, settings)
        elif form.kind in ("project_target", "dept_target") and form.indicators is not None:
            out += weights_sum(form.indicators, None)
            out += rule_weights(form.indicators)
    return out
