"""Reading amounts (万元) and percentages from cells, as Decimal.

A cell may hold a number, a numeric string ("14.87", "245 "), a percentage ("99.11%"), or a label with its
amount inside ("政府性基金拨款：205.49", seed 001). Text that is not a number ("14.87万", "约10") reads as
``None`` so that the checks can report it; it is never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Context, Decimal, InvalidOperation

CENT = Decimal("0.01")
_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[-+]?\.\d+$")
_LABELLED = re.compile(r"^(?P<label>.*?)[:：]\s*(?P<num>[-+]?\d[\d,]*(?:\.\d+)?)?\s*$", re.S)


def to_decimal(raw: object) -> Decimal | None:
    """A plain number from a cell, or None (empty, text, or not a number)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        return raw
    s = unicodedata.normalize("NFKC", str(raw)).strip()
    if not _NUMBER.match(s):
        return None
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def to_percent(raw: object) -> Decimal | None:
    """A percentage as a fraction: "99.11%" → 0.9911, 0.9911 → 0.9911, "100" → 1 (a bare number over 1 is %)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        s = unicodedata.normalize("NFKC", raw).strip()
        if s.endswith("%"):
            d = to_decimal(s[:-1])
            return None if d is None else d / 100
        raw = s
    d = to_decimal(raw)
    if d is None:
        return None
    return d / 100 if d > 1 else d


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def split_labelled(raw: object) -> tuple[str, Decimal | None, bool]:
    """Split "政府性基金拨款：205.49" into ("政府性基金拨款", 205.49, True); (text, None, False) otherwise."""
    if not isinstance(raw, str):
        return "", None, False
    m = _LABELLED.match(raw.strip())
    if not m:
        return raw.strip(), None, False
    label = m.group("label").strip()
    num = m.group("num")
    return label, (to_decimal(num) if num else None), True


def quantize(d: Decimal, exp: Decimal, rounding: str | None = None) -> Decimal:
    """``d.quantize(exp)`` for a number of any size: a cell may hold 1E+300 (or a ratio over a tiny budget
    may come to it), whose cents need more than the context's 28 digits — quantize would raise."""
    digits = d.adjusted() - int(exp.as_tuple().exponent) + 2
    return d.quantize(exp, rounding=rounding, context=Context(prec=digits) if digits > 28 else None)


def cents(d: Decimal) -> Decimal:
    """Round to 0.01 万元, the tolerance of every amount comparison."""
    return quantize(d, CENT)
