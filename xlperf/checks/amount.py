"""amount.* — money that must add up.

Amounts compare to the cent of 万元 (0.01) after rounding each side. A part that is empty counts as zero
in a sum; a sum is checked only when some part is filled, so a form left blank is reported by
``form.missing_field``, not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from xlperf.amounts import split_labelled
from xlperf.checks import calc, sums
from xlperf.checks.sums import fmt, money, same
from xlperf.forms import schema, schema_of
from xlperf.model import Field, SpendingDirection, WorkbookModel
from xlperf.profiles import NATIONAL, Profile
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
# The arithmetic of a 测算说明 (amount.text_calc_mismatch, amount.unit_cost_mismatch) is read in
# xlperf/checks/calc.py, a review family run with the profile in force (its tolerances and vocabularies).


def check_text_calc(direction: SpendingDirection, profile: Profile = NATIONAL) -> list[Finding]:
    """amount.text_calc_mismatch and amount.unit_cost_mismatch on the 测算依据 texts of one 附表3."""
    out = []
    for d in direction.details:
        text = d.basis if d.basis.text.strip() else d.detail
        if text.text.strip() and d.amount.value is not None:
            out += calc.check_line(text, d.amount, profile)
    return out


def check(model: WorkbookModel) -> list[Finding]:
    out: list[Finding] = []
    for form in model.forms:
        out += check_cells(form)
    return out + sums.check(model)
