"""amount.* — money that must add up.

Amounts compare to the cent of 万元 (0.01) after rounding each side. A part that is empty counts as zero
in a sum; a sum is checked only when some part is filled, so a form left blank is reported by
``form.missing_field``, not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from xlperf.amounts import cents, split_labelled
from xlperf.checks import sums
from xlperf.checks.sums import fmt, money, same
from xlperf.forms import schema, schema_of
from xlperf.model import Field, SpendingDirection, WorkbookModel
from xlperf.report import Finding
from xlperf.rules import finding

__all__ = ["NOT_APPLICABLE", "check", "fmt", "same"]

# What people write in an amount cell to say "not applicable": not a number, and not a mistake either.
NOT_APPLICABLE = {"——", "—", "--", "-", "/", "／", "无", "不适用"}


def _is_text(raw: str) -> bool:
    """Text in an amount cell, other than "not applicable" or an inline label left empty ("资金总额：")."""
    s = raw.strip()
    return bool(s) and s not in NOT_APPLICABLE and not (split_labelled(s)[2] and split_labelled(s)[1] is None)


def amount_fields(form: Any) -> Iterator[tuple[str, Field[Decimal]]]:
    """Every amount of a form, with its name as the form calls it (from the form's schema)."""
    return schema.amount_fields(schema_of(form), form)


def check_cells(form: Any) -> list[Finding]:
    """amount.not_number and amount.negative, over every amount field the form's schema declares."""
    out = []
    for name, f in amount_fields(form):
        if f.value is None and isinstance(f.raw, str) and _is_text(f.raw):
            out.append(
                finding(
                    "amount.not_number",
                    f,
                    f"{name}“{f.raw.strip()}”不是数字：金额单元格只填数字（单位{f.unit or '万元'}），不要带单位或文字",
                    actual=f.raw,
                )
            )
        elif f.value is not None and f.value < 0:
            out.append(
                finding("amount.negative", f, f"{name}为负数 {money(f.value, f.unit)}，金额不能小于零", actual=f.value)
            )
    return out


# --- 测算依据 text ------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万元|万|元)(?!\s*[/／每])")
# An amount right after these words is a rate (每人每月50元, 标准为650元), not a sum of money.
_RATE_BEFORE = re.compile(r"(每|标准|按|补助为|补贴为)[^，,；;。]{0,4}$")
_STATED_TOTAL = re.compile(r"(?:共计|合计|总计|共|总额|累计|小计)\s*(?:为|约)?\s*$")
_OPEN_LIST = re.compile(r"等(?![级于同额次])")
_SHARES = re.compile(r"\d+(?:\.\d+)?\s*[%％]|\d+\s*[:：]\s*\d+|配套|承担|比例")


def _amounts(text: str) -> list[tuple[int, Decimal]]:
    """The sums of money a text names, in 万元, with where each stands: "14.87万元" as 14.87, "7800元" as 0.78
    (a text may itemise in 元 and total in 万元); rates per person or month are left out."""
    out = []
    for m in _AMOUNT.finditer(text):
        value = Decimal(m.group("num"))
        if m.group("unit") == "元":
            if _RATE_BEFORE.search(text[max(0, m.start() - 8) : m.start()]):
                continue
            value = value / 10000
        out.append((m.start(), value))
    return out


def check_text_calc(direction: SpendingDirection) -> list[Finding]:
    """amount.text_calc_mismatch: the amounts a 测算依据 text itemises against the line's amount."""
    out = []
    for d in direction.details:
        text = d.basis.text
        items = _amounts(text)
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
        if isinstance(form, SpendingDirection):
            out += check_text_calc(form)
    return out + sums.check(model)
