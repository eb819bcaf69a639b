"""Cell values as the recalculation engines and the workbook's cache give them, and the one place that says
when two of them are the same.

A value is a ``float`` (numbers, dates and times as Excel serial numbers), a ``str``, a ``bool``, an
:class:`XlError` (``#DIV/0!`` …) or ``None`` (no value: a formula cell without a cached result).

The comparison rules, used by ``xlperf recalc --check``, by ``--engine both`` and by the corpus test:

- numbers are the same when they differ by at most 1e-9 relatively or 1e-9 absolutely (Excel keeps 15
  significant digits; engines differ in the last bits of sums and powers);
- strings are the same only when equal character for character;
- booleans only when equal, and never equal to a number (TRUE is not 1 for this purpose);
- errors by their code (``#N/A`` is ``#N/A``);
- an empty result and the empty string are the same (Excel caches both as empty text).

Formulas with a volatile function — one whose result depends on the clock or on chance, not on the
workbook — are excluded from comparisons, with every formula that depends on them: see :data:`VOLATILE`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

REL_TOL = 1e-9
ABS_TOL = 1e-9

# Functions whose result changes from one calculation to the next with the same workbook: the clock and
# chance. OFFSET, INDIRECT, CELL and INFO are volatile in Excel's sense (recalculated every time), but their
# result is a function of the workbook, so an engine that gets them wrong is wrong: they are compared.
VOLATILE = frozenset({"NOW", "TODAY", "RAND", "RANDBETWEEN", "RANDARRAY"})

# Excel's error codes. Engines have a few of their own (IronCalc: #N/IMPL!, #CIRC!, #ERROR!), which the
# engine adapters turn into "unsupported" or "error" outcomes.
ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)


@dataclass(frozen=True, slots=True)
class XlError:
    """An Excel error value, e.g. ``XlError("#DIV/0!")``."""

    code: str

    def __str__(self) -> str:
        return self.code


Value = float | str | bool | XlError | None


def same(a: Value, b: Value) -> bool:
    """Whether two cell values are the same by the rules above."""
    if a is None or a == "":
        return b is None or b == ""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        if a == b:
            return True
        if not (math.isfinite(a) and math.isfinite(b)):
            return False
        return abs(a - b) <= max(REL_TOL * max(abs(a), abs(b)), ABS_TOL)
    if isinstance(a, XlError) or isinstance(b, XlError):
        return isinstance(a, XlError) and isinstance(b, XlError) and a.code == b.code
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False


def show(value: Value) -> str:
    """A value as a person reads it in a report: numbers with up to 15 significant digits, text quoted."""
    if value is None:
        return "(空)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, XlError):
        return value.code
    return f'"{value}"'


def to_json(value: Value) -> object:
    """A value for JSON output: errors as {"error": "#N/A"}, everything else as itself."""
    if isinstance(value, XlError):
        return {"error": value.code}
    return value
