"""amount.* — money that must add up.

Amounts compare to the cent of 万元 (0.01) after rounding each side. A part that is empty counts as zero
in a sum; a sum is checked only when some part is filled, so a form left blank is reported by
``form.missing_field``, not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xlperf.amounts import cents, split_labelled
from xlperf.model import (
    BasicData,
    BasicDataRow,
    DepartmentTarget,
    Field,
    Part,
    ProjectTarget,
    SelfEvaluation,
    SpecialFundSummary,
    SpendingDirection,
    WorkbookModel,
)
from xlperf.report import Finding
from xlperf.rules import finding

# What people write in an amount cell to say "not applicable": not a number, and not a mistake either.
NOT_APPLICABLE = {"——", "—", "--", "-", "/", "／", "无", "不适用"}


def fmt(d: Decimal | None) -> str:
    return "空" if d is None else f"{cents(d):f}"


def same(a: Decimal | None, b: Decimal | None) -> bool:
    return cents(a or Decimal(0)) == cents(b or Decimal(0))


def total_of(fields: Iterable[Field[Decimal]]) -> Decimal:
    return sum((f.value for f in fields if f.value is not None), Decimal(0))


def any_filled(fields: Iterable[Field[Decimal]]) -> bool:
    return any(f.value is not None for f in fields)


# --- which fields are amounts ------------------------------------------------------------------------


def amount_fields(form: Any) -> Iterator[tuple[str, Field[Decimal]]]:
    """Every amount of a form, with its name as the form calls it."""
    if isinstance(form, DepartmentTarget):
        yield "资金总额", form.total
        for p in form.income + form.spending:
            yield p.label, p.amount
        for task in [*form.tasks, *([form.tasks_total] if form.tasks_total else [])]:
            yield "总额", task.total
            yield "财政拨款", task.fiscal
            yield "其他资金", task.other
    elif isinstance(form, SpecialFundSummary):
        for r in form.rows:
            yield "金额", r.amount
        yield "合计", form.total
    elif isinstance(form, SpendingDirection):
        yield "项目金额", form.project_amount
        yield "金额", form.amount
        for d in form.details:
            yield "支出明细金额", d.amount
        yield "支出明细合计", form.details_total
    elif isinstance(form, ProjectTarget):
        yield "预算数", form.budget
        yield "财政资金", form.fiscal
        yield "其他资金", form.other
    elif isinstance(form, SelfEvaluation):
        yield "年初预算数", form.initial_budget
        yield "全年预算数", form.annual_budget
        yield "全年执行数", form.executed
        for p in form.income + form.spending:
            yield p.label, p.amount
    elif isinstance(form, BasicData):
        for row in form.cost_rows:
            for v in row.values:
                yield row.label.text, v


def _is_text(raw: str) -> bool:
    """Text in an amount cell, other than "not applicable" or an inline label left empty ("资金总额：")."""
    s = raw.strip()
    return bool(s) and s not in NOT_APPLICABLE and not (split_labelled(s)[2] and split_labelled(s)[1] is None)


def check_cells(form: Any) -> list[Finding]:
    """amount.not_number and amount.negative, cell by cell."""
    out = []
    for name, f in amount_fields(form):
        if f.value is None and isinstance(f.raw, str) and _is_text(f.raw):
            out.append(
                finding(
                    "amount.not_number",
                    f,
                    f"{name}“{f.raw.strip()}”不是数字：金额单元格只填数字（单位万元），不要带单位或文字",
                    actual=f.raw,
                )
            )
        elif f.value is not None and f.value < 0:
            out.append(finding("amount.negative", f, f"{name}为负数 {fmt(f.value)}，金额不能小于零", actual=f.value))
    return out


# --- sums --------------------------------------------------------------------------------------------


def sum_mismatch(total: Field[Decimal], parts: list[Field[Decimal]], what: str, at: Field[Any] | None = None):
    """A finding when a filled total differs from the sum of its (partly) filled parts, else None."""
    if total.value is None or not any_filled(parts):
        return None
    s = total_of(parts)
    if same(s, total.value):
        return None
    return finding(
        "amount.sum_mismatch",
        at or total,
        f"{what}：各项之和 {fmt(s)} 与合计 {fmt(total.value)} 不一致（相差 {fmt(s - total.value)}）",
        expected=cents(s),
        actual=cents(total.value),
    )


def parts_mismatch(total: Field[Decimal], total_name: str, parts: list[Part], side: str):
    """The parts of a total (by income, by spending) against it; reported on the first part."""
    fields = [p.amount for p in parts]
    if total.value is None or not any_filled(fields):
        return None
    s = total_of(fields)
    if same(s, total.value):
        return None
    items = " + ".join(f"{p.label} {fmt(p.amount.value)}" for p in parts if p.amount.value is not None)
    first = next(p.amount for p in parts if p.amount.value is not None)
    return finding(
        "amount.sum_mismatch",
        first,
        f"{side}：{items} = {fmt(s)}，与{total_name} {fmt(total.value)} 不一致（相差 {fmt(s - total.value)}）",
        expected=cents(total.value),
        actual=cents(s),
    )


def check_sums(form: Any) -> list[Finding]:
    out: list[Any] = []
    if isinstance(form, DepartmentTarget):
        out.append(parts_mismatch(form.total, "资金总额", form.income, "按收入性质分"))
        out.append(parts_mismatch(form.total, "资金总额", form.spending, "按支出性质分"))
        for task in form.tasks:
            out.append(
                sum_mismatch(task.total, [task.fiscal, task.other], f"第{task.row}行 总额 = 财政拨款 + 其他资金")
            )
        if form.tasks_total:
            for name in ("total", "fiscal", "other"):
                column = [getattr(t, name) for t in form.tasks]
                label = {"total": "总额", "fiscal": "财政拨款", "other": "其他资金"}[name]
                out.append(sum_mismatch(getattr(form.tasks_total, name), column, f"合计行 {label}（各任务之和）"))
    elif isinstance(form, SpecialFundSummary):
        out.append(sum_mismatch(form.total, [r.amount for r in form.rows], "附表2 合计（各支出方向金额之和）"))
    elif isinstance(form, SpendingDirection):
        out.append(_equal(form.amount, form.project_amount, "金额", "项目金额"))
        out.append(_equal(form.details_total, form.amount, "支出明细合计", "金额"))
        out.append(sum_mismatch(form.details_total, [d.amount for d in form.details], "支出明细合计（各明细金额之和）"))
    elif isinstance(form, ProjectTarget):
        out.append(sum_mismatch(form.budget, [form.fiscal, form.other], "预算数 = 其中财政资金 + 其他资金"))
    elif isinstance(form, SelfEvaluation):
        total, name = (
            (form.annual_budget, "全年预算数") if not form.annual_budget.empty else (form.initial_budget, "年初预算数")
        )
        out.append(parts_mismatch(total, name, form.income, "按收入性质分"))
        out.append(parts_mismatch(total, name, form.spending, "按支出性质分"))
    elif isinstance(form, BasicData):
        out.extend(_basic_data(form))
    return [f for f in out if f is not None]


def _equal(a: Field[Decimal], b: Field[Decimal], a_name: str, b_name: str):
    if a.value is None or b.value is None or same(a.value, b.value):
        return None
    return finding(
        "amount.sum_mismatch",
        a,
        f"{a_name} {fmt(a.value)} 应等于{b_name} {fmt(b.value)}",
        expected=cents(b.value),
        actual=cents(a.value),
    )


# 基础数据表: rows a parent is made of. Numbered children (1、2、3、) are the whole parent; "其中" children
# are "of which" — a partial list that may not exceed the parent — unless the parent is listed here as
# made of exactly its 其中 children.
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


def _groups(rows: list[BasicDataRow]) -> list[_Group]:
    """Parent rows and the rows they are made of, from the labels' numbering and "其中"."""
    groups: list[_Group] = []
    top = numbered = qizhong = None
    for row in rows:
        key = _compact(row)
        if key.startswith(TOP_LEVEL):
            top, numbered, qizhong = _Group(row), None, None
            groups.append(top)
        elif _NUMBERED.match(key):
            if top is not None:
                top.children.append(row)
            numbered, qizhong = _Group(row), None
            groups.append(numbered)
        elif key.startswith("其中"):
            owner = numbered or top
            if owner is not None:
                name = _NUMBERED.sub("", _compact(owner.parent))
                qizhong = _Group(owner.parent, [row], name.startswith(EXHAUSTIVE))
                groups.append(qizhong)
        elif qizhong is not None:
            qizhong.children.append(row)
        elif numbered is not None:
            numbered.children.append(row)  # one line per special fund under "3、市级专项资金"
    return [g for g in groups if g.children]


def _basic_data(form: BasicData) -> list[Finding]:
    out = []
    for g in _groups(form.cost_rows):
        for i, total in enumerate(g.parent.values):
            column = [c.values[i] for c in g.children if i < len(c.values)]
            if total.value is None or not any_filled(column):
                continue
            s = total_of(column)
            wrong = not same(s, total.value) if g.exhaustive else cents(s) > cents(total.value)
            if wrong:
                year = form.cost_header[i] if i < len(form.cost_header) else ""
                rel = "之和" if g.exhaustive else "之和超过了它"
                out.append(
                    finding(
                        "amount.sum_mismatch",
                        total,
                        f"{g.parent.label.text}（{year}）{fmt(total.value)} 与其下各项{rel}：{fmt(s)}",
                        expected=cents(s),
                        actual=cents(total.value),
                    )
                )
    return out


# --- 测算依据 text ------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*万(?:元)?(?!\s*[/／每])")
_STATED_TOTAL = re.compile(r"(?:共计|合计|总计|共|总额|累计|小计)\s*(?:为|约)?\s*$")
_OPEN_LIST = re.compile(r"等(?![级于同额次])")
_SHARES = re.compile(r"\d+(?:\.\d+)?\s*[%％]|\d+\s*[:：]\s*\d+|配套|承担|比例")


def check_text_calc(direction: SpendingDirection) -> list[Finding]:
    """amount.text_calc_mismatch: the amounts a 测算依据 text itemises against the line's amount."""
    out = []
    for d in direction.details:
        text = d.basis.text
        items = [(m.start(), Decimal(m.group("num"))) for m in _AMOUNT.finditer(text)]
        if len(items) < 2 or _OPEN_LIST.search(text):
            continue
        stated = [(pos, v) for pos, v in items if _STATED_TOTAL.search(text[max(0, pos - 6) : pos])]
        if stated:
            pos, total = stated[-1]
            parts = [v for p, v in items if p < pos]
            if len(parts) >= 2 and not same(sum(parts, Decimal(0)), total):
                out.append(_text_finding(d.basis, parts, total, "文中所写合计"))
            continue
        values = [v for _, v in items]
        line = d.amount.value
        if line is None or any(same(v, line) for v in values) or _SHARES.search(text):
            continue  # the text states the line's amount, or relates amounts by shares, not by a sum
        if same(values[0], sum(values[1:], Decimal(0))):
            continue  # a total followed by its breakdown
        if not same(sum(values, Decimal(0)), line):
            out.append(_text_finding(d.basis, values, line, "该行金额"))
    return out


def _text_finding(at: Field[str], parts: list[Decimal], total: Decimal, what: str) -> Finding:
    s = sum(parts, Decimal(0))
    items = " + ".join(fmt(v) for v in parts)
    return finding(
        "amount.text_calc_mismatch",
        at,
        f"测算说明列出的金额 {items} = {fmt(s)} 万元，与{what} {fmt(total)} 万元不符",
        expected=cents(total),
        actual=cents(s),
    )


def check(model: WorkbookModel) -> list[Finding]:
    out: list[Finding] = []
    for form in model.forms:
        out += check_cells(form)
        out += check_sums(form)
        if isinstance(form, SpendingDirection):
            out += check_text_calc(form)
    return out
