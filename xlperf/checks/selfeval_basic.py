"""xref.selfeval_vs_basic — the 自评 against its own 基础数据表.

The 基础数据表 (seed 001 附件2) lists each project line's 预算数 and 决算数 by year; the 部门整体 自评 (附件3)
scores the whole table's 执行率. Two things must agree:

- a 执行率 of 99% or more (``Profile.basic_full_rate``) while a project line of the evaluated year was spent
  below 90% of its budget (``basic_line_rate``), on an unspent amount that matters for the table
  (``basic_line_min_share`` of its 全年预算数), is a claim the table's own data contradicts. The finding is at
  the 自评's 执行率: the 决算数 are the accounts, and what the unit corrects or explains is the rate it
  scored (one finding per line, each naming the line's cells);
- the 自评's 项目支出 must be the sum of the project lines, in the year's 预算数 or its 决算数 column.
"""

from __future__ import annotations

import re
from decimal import Decimal

from xlperf.checks.sums import fmt, same
from xlperf.forms.basic_data import TOP_LEVEL, groups
from xlperf.labels import norm
from xlperf.model import BasicData, BasicDataRow, Field, SelfEvaluation, WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding, clip
from xlperf.rules import finding
from xlperf.scoring import execution_rate, r2

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
PROJECTS = "项目支出"


def _compact(row: BasicDataRow) -> str:
    return norm(row.label.text).rstrip(":：")


def year_columns(header: list[str], year: int | None, profile: Profile) -> tuple[int, int, str] | None:
    """(预算数 column, 决算数 column, the year as the header writes it) of the evaluated year: ``year`` where
    the header has both columns for it, else the latest year that has both (or the one pair without years)."""
    by_year: dict[int, dict[str, int]] = {}
    for i, text in enumerate(header):
        key = norm(text)
        m = _YEAR.search(key)
        y = int(m.group(1)) if m else 0
        if any(w in key for w in profile.basic_final_words):
            by_year.setdefault(y, {}).setdefault("final", i)
        elif any(w in key for w in profile.basic_budget_words):
            by_year.setdefault(y, {}).setdefault("budget", i)
    both = {y: c for y, c in by_year.items() if "budget" in c and "final" in c}
    if not both:
        return None
    y = year if year in both else max(both)
    return both[y]["budget"], both[y]["final"], f"{y}年" if y else ""


def project_lines(form: BasicData) -> list[BasicDataRow]:
    """The rows of the 项目支出 section that are lines of their own: not a heading made of the rows under it
    (3、市级专项资金), not an "其中" part of another line."""
    rows = form.cost_rows
    start = next((i for i, r in enumerate(rows) if _compact(r).startswith(PROJECTS)), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(rows)) if _compact(rows[i]).startswith(TOP_LEVEL)), len(rows))
    section = rows[start + 1 : end]
    parents: set[int] = set()
    parts: set[int] = set()
    for g in groups(rows):
        if g.exhaustive:
            parents.add(id(g.parent))
        else:
            parts.update(id(c) for c in g.children)
    return [r for r in section if id(r) not in parents and id(r) not in parts]


def _value(row: BasicDataRow, i: int) -> Field[Decimal] | None:
    return row.values[i] if i < len(row.values) else None


def _year_of(ev: SelfEvaluation) -> int | None:
    m = _YEAR.search(ev.title.text)
    return int(m.group(1)) if m else None


def _at(field: Field[Decimal]) -> str:
    return f"{field.sheet}!{field.cell}" if field.cell else field.sheet


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def low_lines(ev: SelfEvaluation, basic: BasicData, profile: Profile) -> list[Finding]:
    recorded = ev.rate.value is not None
    rate = ev.rate.value if recorded else execution_rate(ev)
    cols = year_columns(basic.cost_header, _year_of(ev), profile)
    if rate is None or rate < profile.basic_full_rate or cols is None:
        return []
    b_col, f_col, year = cols
    where = ev.rate if ev.rate.cell else ev.executed
    lines = project_lines(basic)
    total = ev.annual_budget.value or ev.initial_budget.value
    if not total:
        total = sum((v.value for r in lines if (v := _value(r, b_col)) is not None and v.value), Decimal(0))
    said = f"执行率填报为 {r2(rate * 100)}%" if recorded else f"执行率为 {r2(rate * 100)}%"
    out = []
    for line in lines:
        budget, spent = _value(line, b_col), _value(line, f_col)
        if budget is None or spent is None or budget.value is None or spent.value is None or budget.value <= 0:
            continue
        share = spent.value / budget.value
        unspent = budget.value - spent.value
        if share >= profile.basic_line_rate or unspent < profile.basic_line_min_share * total:
            continue
        out.append(
            finding(
                "xref.selfeval_vs_basic",
                where,
                f"{said}，但基础数据表“{clip(line.label.text)}”{year}决算数 {fmt(spent.value)}（{_at(spent)}）只占"
                f"预算数 {fmt(budget.value)}（{_at(budget)}）的 {r2(share * 100)}%，低于 "
                f"{_percent(profile.basic_line_rate)}，未支出 {fmt(unspent)} 万元：请核实全年执行数和执行率，"
                f"或在偏差原因中说明该项目执行偏低的原因",
                expected=r2(profile.basic_line_rate * 100),
                actual=r2(share * 100),
            )
        )
    return out


def project_total(ev: SelfEvaluation, basic: BasicData, profile: Profile) -> list[Finding]:
    part = next((p for p in ev.spending if norm(p.label) == PROJECTS), None)
    cols = year_columns(basic.cost_header, _year_of(ev), profile)
    if part is None or part.amount.value is None or cols is None:
        return []
    b_col, f_col, year = cols
    lines = project_lines(basic)

    def column_sum(i: int) -> Decimal | None:
        values = [v.value for r in lines if (v := _value(r, i)) is not None and v.value is not None]
        return sum(values, Decimal(0)) if values else None

    budget, spent = column_sum(b_col), column_sum(f_col)
    if budget is None and spent is None:
        return []
    amount = part.amount.value
    if any(s is not None and same(amount, s) for s in (budget, spent)):
        return []
    filled = [r.row for r in lines if any(v.value is not None for v in r.values)]
    where = f"（{basic.sheet} 第 {min(filled)}–{max(filled)} 行）" if filled else ""
    sums = "，".join(
        f"{year}{name}合计 {fmt(s)}（相差 {fmt(amount - s)}）"
        for name, s in (("预算数", budget), ("决算数", spent))
        if s is not None
    )
    return [
        finding(
            "xref.selfeval_vs_basic",
            part.amount,
            f"项目支出 {fmt(amount)} 与基础数据表各项目支出之和{where}不符：{sums}：请核对——基础数据表应逐项列出"
            f"全部项目支出，漏列的请补上，或更正本表的项目支出",
            expected=budget if budget is not None else spent,
            actual=amount,
        )
    ]


def paired(model: WorkbookModel, profile: Profile) -> list[SelfEvaluation]:
    """The 自评 tables a 基础数据表 belongs to: the 部门整体 ones (the only one, when a title says neither)."""
    evs: list[SelfEvaluation] = model.of_kind("self_eval")
    whole = [ev for ev in evs if any(w in ev.title.text for w in profile.basic_selfeval_titles)]
    return whole or (evs if len(evs) == 1 else [])


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    out: list[Finding] = []
    for basic in model.of_kind("basic_data"):
        for ev in paired(model, profile):
            out += low_lines(ev, basic, profile)
            out += project_total(ev, basic, profile)
    return out
