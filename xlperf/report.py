"""What an operation returns: findings (what is wrong, where) and edits (what to write, where).

Operations never write. A host applies the edits and presents the findings — in a terminal table, as
JSON, as marks in the workbook, or in the 校验结果 sheet. The JSON keys of a finding are those of the rule
catalog (``shared/spec/rules.md``): code, severity, sheet, cell, message, expected, actual.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

SEVERITIES = ("error", "warning", "hint")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "hint": "提示"}


@dataclass(frozen=True)
class Edit:
    """Write ``value`` (or ``formula``, whose result is ``value``) into a cell.

    ``inline_label`` is set when the form writes the amount inside its label cell ("资金总额：1786.46"):
    then the cell receives that text, not a number or formula.
    """

    sheet: str
    cell: str
    value: Any
    formula: str | None = None
    reason: str = ""
    inline_label: str | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    sheet: str
    cell: str
    message: str
    expected: Any = None
    actual: Any = None
    fix: Edit | None = None  # what would repair it (a sum's formula and value), where the rule knows

    def with_fix(self, fix: Edit) -> Finding:
        return replace(self, fix=fix)

    def to_json(self) -> dict[str, Any]:
        out = {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
            "expected": _plain(self.expected),
            "actual": _plain(self.actual),
        }
        if self.fix is not None:
            out["fix"] = {"cell": self.fix.cell, "value": _plain(self.fix.value), "formula": self.fix.formula}
        return out


@dataclass(frozen=True)
class Pairing:
    """A 附表2 row paired with a 附表3 sheet, and on what basis (exact · normalised · similarity)."""

    row_name: str
    row_cell: str
    sheet: str
    sheet_name: str
    basis: str
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "row_name": self.row_name,
            "row_cell": self.row_cell,
            "sheet": self.sheet,
            "sheet_name": self.sheet_name,
            "basis": self.basis,
            "score": round(self.score, 1),
        }


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    pairings: list[Pairing] = field(default_factory=list)

    def extend(self, other: Report) -> Report:
        self.findings += other.findings
        self.edits += other.edits
        self.pairings += other.pairings
        return self

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


def clip(text: str, limit: int = 30) -> str:
    """User text quoted in a message: on one line, and cut to ``limit`` characters."""
    one = " ".join(str(text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _plain(v: Any) -> Any:
    """JSON-ready: Decimal amounts as numbers (to the cent as written), others as they are."""
    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral_value() else int(v)
    return v
