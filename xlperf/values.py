"""Parsing of 指标值 and 实际完成值: operator, number, unit, percentage, or qualitative text.

A value is one of four kinds:

- ``number``: an optional operator and one number with an optional unit ("≥95%", "1人", "=1200元/人/年",
  "100" where the unit is in a 度量单位 column);
- ``text``: a qualitative target ("应保尽保", "按月发放"), possibly with an operator when it is relative
  ("≧上一年标准", "不低于最低生活保障标准的1.3倍"), or a description that itemises several figures;
- ``empty``;
- ``unparseable``: something that looks like a target but cannot be read (``< ="11479``: two operators
  and a stray quote). Callers report it instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Operator spellings → canonical operator. Longest first, so "≥" is not read as ">" and "不低于" wins.
OPERATORS: tuple[tuple[str, str], ...] = (
    ("大于等于", ">="),
    ("小于等于", "<="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("不高于", "<="),
    ("不超过", "<="),
    ("不多于", "<="),
    ("不大于", "<="),
    ("达到", ">="),
    ("高于", ">"),
    ("大于", ">"),
    ("超过", ">"),
    ("等于", "="),
    ("低于", "<"),
    ("小于", "<"),
    (">=", ">="),
    ("=>", ">="),
    ("<=", "<="),
    ("=<", "<="),
    ("≥", ">="),
    ("≧", ">="),
    ("⩾", ">="),
    ("≤", "<="),
    ("≦", "<="),
    ("⩽", "<="),
    ("==", "="),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
)

# Which way an operator points: +1 higher is better, -1 lower is better, 0 equal.
DIRECTION = {">=": 1, ">": 1, "<=": -1, "<": -1, "=": 0}

_OPERATOR_CHARS = set("<>=≥≧≤≦⩾⩽")
_NUMBER_UNIT = re.compile(r"^(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>%|‰|[^\d\s<>=≥≧≤≦,，;；、]{1,8})?$")
# A number followed by one of these is a date or deadline ("2023年底前"), not a quantity.
_DEADLINE_UNIT = re.compile(r"(前|底|以前|之前)$")
_PAIRS = (("(", ")"), ("（", "）"), ("“", "”"), ("《", "》"), ("[", "]"), ("【", "】"))


@dataclass(frozen=True)
class IndicatorValue:
    """A parsed 指标值 / 实际完成值."""

    kind: str  # "number" | "text" | "empty" | "unparseable"
    text: str
    operator: str | None = None
    number: Decimal | None = None
    unit: str = ""
    reason: str = ""

    @property
    def is_percent(self) -> bool:
        return self.unit in ("%", "‰")

    @property
    def direction(self) -> int | None:
        """+1 正向, -1 反向, 0 等于, None without an operator."""
        return DIRECTION.get(self.operator) if self.operator else None

    @property
    def ok(self) -> bool:
        return self.kind != "unparseable"


def operator_of(raw: object) -> str | None:
    """The canonical operator when a cell holds an operator and nothing else ("≥", "＞", "不低于"), else None:
    how a table that writes the operator in its own column (指标性质) is told from one holding 定量/定性."""
    if not isinstance(raw, str):
        return None
    s = unicodedata.normalize("NFKC", raw).strip()
    s = "".join(s.split())
    for spelling, op in OPERATORS:
        if s == spelling:
            return op
    return None


def join_target(operator: object, value: object, unit: object) -> object:
    """One 指标值 from a table that writes it in up to three cells — operator (指标性质), value (指标值) and
    unit (度量单位) — as :func:`parse_value` reads it: ("≥", 95, "%") → "≥95%". The value's own operator and
    unit win over the separate cells; a blank value stays blank, a bare value without the others stays as is."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return value
    op_text = "".join(unicodedata.normalize("NFKC", str(operator)).split()) if operator_of(operator) else ""
    unit_text = unicodedata.normalize("NFKC", str(unit)).strip() if isinstance(unit, str) else ""
    if unit_text in _NO_UNIT:
        unit_text = ""
    if not op_text and not unit_text:
        return value
    text = _plain(value)
    own = parse_value(text)
    if own.kind in ("empty", "unparseable"):
        return value
    if own.operator is not None and op_text:
        if operator_of(op_text) == own.operator:
            op_text = ""  # the same operator written twice ("≥" beside "≥95%"): the value says it already
        else:
            return f"{op_text}{text}"  # "≤" beside "≥90": two operators that disagree, reported
    if own.kind != "number" or own.unit:
        unit_text = ""
    if not op_text and not unit_text:
        return value
    return f"{op_text}{text}{unit_text}"


# 度量单位 cells that say there is no unit.
_NO_UNIT = ("", "-", "—", "——", "/", "\\", "无", "/无", "定性")


def _plain(value: object) -> str:
    """A cell value as text: 95.0 → "95", Decimal("0.50") → "0.50"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split_operator(s: str) -> tuple[str | None, str]:
    for spelling, op in OPERATORS:
        if s.startswith(spelling):
            return op, s[len(spelling) :].strip()
    return None, s


def _balanced(s: str) -> bool:
    if s.count('"') % 2 or s.count("'") % 2:
        return False
    for left, right in _PAIRS:
        depth = 0
        for ch in s:
            if ch == left:
                depth += 1
            elif ch == right:
                depth -= 1
                if depth < 0:
                    return False
        if depth:
            return False
    return True


def parse_value(raw: object) -> IndicatorValue:
    """Parse a target or actual value as written in a cell (str, number, or None)."""
    if raw is None:
        return IndicatorValue("empty", "")
    if isinstance(raw, bool):
        return IndicatorValue("text", str(raw))
    if isinstance(raw, int | float | Decimal):
        return IndicatorValue("number", str(raw), None, Decimal(str(raw)))
    text = str(raw).strip()
    if not text:
        return IndicatorValue("empty", "")
    s = unicodedata.normalize("NFKC", text).strip().rstrip("。.;；,，").strip()
    op, rest = _split_operator(s)
    if op is not None:
        if not rest:
            return IndicatorValue("unparseable", text, op, reason="运算符后没有数值")
        if rest[0] in _OPERATOR_CHARS:
            return IndicatorValue("unparseable", text, op, reason="连续出现两个运算符")
        if not _balanced(rest):
            return IndicatorValue("unparseable", text, op, reason="引号或括号不成对")
    elif not _balanced(s):
        return IndicatorValue("unparseable", text, reason="引号或括号不成对")
    m = _NUMBER_UNIT.match(rest)
    if m and not _DEADLINE_UNIT.search(m.group("unit") or ""):
        return _number(text, op, m)
    return IndicatorValue("text", text, op)


def _number(text: str, op: str | None, m: re.Match[str]) -> IndicatorValue:
    try:
        number = Decimal(m.group("num"))
    except InvalidOperation:  # pragma: no cover - the pattern only admits decimals
        return IndicatorValue("unparseable", text, op, reason="数值无法识别")
    unit = (m.group("unit") or "").strip()
    if op is None and unit == "年" and number == number.to_integral_value() and 1900 <= number <= 2100:
        return IndicatorValue("text", text)  # "2023年" is a date, not a number of years
    return IndicatorValue("number", text, op, number, unit)
