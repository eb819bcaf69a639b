"""指标值 / 实际完成值 parsing, table-driven: one row per distinct form seen in the five seeds, then every
value of every seed checked against properties that do not depend on the parser."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from conftest import seed_data

from xlperf.values import join_target, operator_of, parse_value

# (value as written, kind, operator, number, unit)
TABLE = [
    # operator, number, unit
    ("≥95%", "number", ">=", "95", "%"),
    ("≧80%", "number", ">=", "80", "%"),  # seed 000 writes ≧
    (">=95", "number", ">=", "95", ""),  # seed 003
    (">80", "number", ">", "80", ""),
    ("≤100%", "number", "<=", "100", "%"),  # seed 002 tables 34–36
    ("≤1.5万元", "number", "<=", "1.5", "万元"),
    ("<100", "number", "<", "100", ""),
    ("=100%", "number", "=", "100", "%"),  # seed 004
    ("=1200元/人/年", "number", "=", "1200", "元/人/年"),
    ("=1年", "number", "=", "1", "年"),
    ("≥8种", "number", ">=", "8", "种"),
    ("＞＝90％", "number", ">=", "90", "%"),  # full-width spelling
    ("不低于95%", "number", ">=", "95", "%"),
    ("不高于5万元", "number", "<=", "5", "万元"),
    ("不超过10天", "number", "<=", "10", "天"),
    ("达到100%", "number", ">=", "100", "%"),
    # number and unit, no operator
    ("1人", "number", None, "1", "人"),
    ("12次", "number", None, "12", "次"),
    ("100%", "number", None, "100", "%"),
    ("1594.78万元", "number", None, "1594.78", "万元"),
    ("650元", "number", None, "650", "元"),
    ("12万元/社区", "number", None, "12", "万元/社区"),
    ("100", "number", None, "100", ""),  # seed 003: the unit is in 度量单位
    ("3684.96", "number", None, "3684.96", ""),
    # relative targets: an operator and a reference, not a number
    ("≧上一年标准", "text", ">=", None, ""),
    ("不低于最低生活保障标准的1.3倍", "text", ">=", None, ""),
    ("不低于上年", "text", ">=", None, ""),
    # qualitative targets and descriptions
    ("应保尽保", "text", None, None, ""),
    ("按月发放", "text", None, None, ""),
    ("是/否", "text", None, None, ""),  # a placeholder, reported by the checks, still readable
    ("2023年", "text", None, None, ""),  # a year, not a quantity of years
    ("2023年底前", "text", None, None, ""),
    ("80-99岁=50元/月/人,100岁以上=600元/月/人", "text", None, None, ""),
    ("重度护理补贴2100人;困难生活补贴1000人", "text", None, None, ""),
    ("2名工作人员，30名集中供养特困人员", "text", None, None, ""),
    ("对符合条件的100%覆盖", "text", None, None, ""),
    # empty and unparseable
    ("", "empty", None, None, ""),
    ("   ", "empty", None, None, ""),
    ('< ="11479', "unparseable", "<", None, ""),  # seed 003: two operators and a stray quote
    ("≥≥95%", "unparseable", ">=", None, ""),
    ("≥", "unparseable", ">=", None, ""),
    ('"95%', "unparseable", None, None, ""),
    ("≥95%（含", "unparseable", ">=", None, ""),
]


@pytest.mark.parametrize(("text", "kind", "operator", "number", "unit"), TABLE)
def test_parse_table(text, kind, operator, number, unit):
    v = parse_value(text)
    assert (v.kind, v.operator, v.number, v.unit) == (kind, operator, Decimal(number) if number else None, unit)
    assert v.text == text.strip()


def test_numbers_from_cells():
    assert parse_value(95).number == 95
    assert parse_value(0.95).number == Decimal("0.95")
    assert parse_value(None).kind == "empty"


def test_direction_and_percent():
    assert parse_value("≥95%").direction == 1
    assert parse_value("≤100%").direction == -1
    assert parse_value("=1年").direction == 0
    assert parse_value("100").direction is None
    assert parse_value("95%").is_percent and not parse_value("95人").is_percent


def every_seed_value() -> list[str]:
    """Every 指标值 (and 实际完成值) of the five seeds, as transcribed in the example data tables."""
    values: list[str] = []
    d = seed_data("000")
    values += [i["value"] for i in d["dept_table"]["indicators"]]
    values += [i["value"] for x in d["directions"] for i in x["indicators"]]
    d = seed_data("001")["selfeval"]["indicators"]
    values += [i["target"] for i in d] + [i["actual"] for i in d]
    values += [i["value"] for x in seed_data("002")["projects"] for i in x["indicators"]]
    d = seed_data("003")
    values += [i["value"] for x in [*d["projects"], d["department"]] for i in x["indicators"]]
    values += [i["value"] for i in seed_data("004")["indicators"]]
    return values


SEED_VALUES = every_seed_value()
LEADING = {">=": ">=", "≥": ">=", "≧": ">=", ">": ">", "≤": "<=", "<": "<", "=": "=", "不低于": ">="}
PLAIN_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(%|人|次|元|万元|辆|项|种)?$")


def test_every_seed_value_parses_and_only_the_known_bad_one_fails():
    assert len(SEED_VALUES) > 600
    unparseable = {v for v in SEED_VALUES if parse_value(v).kind == "unparseable"}
    assert unparseable == {'< ="11479'}
    assert all(parse_value(v).kind == "empty" for v in SEED_VALUES if not v.strip())


@pytest.mark.parametrize("text", sorted({v for v in SEED_VALUES if v.startswith(tuple(LEADING))}))
def test_every_seed_value_with_an_operator_keeps_it(text):
    spelling = next(s for s in sorted(LEADING, key=len, reverse=True) if text.startswith(s))
    assert parse_value(text).operator == LEADING[spelling]


@pytest.mark.parametrize("text", sorted({v for v in SEED_VALUES if PLAIN_NUMBER.match(v)}))
def test_every_plain_seed_number_reads_as_that_number(text):
    m = PLAIN_NUMBER.match(text)
    v = parse_value(text)
    assert (v.kind, v.number, v.unit) == ("number", Decimal(m.group(1)), m.group(2) or "")


# --- the operator in its own column (指标性质) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "op"),
    [("≥", ">="), ("＞", ">"), ("＜", "<"), (" ≤ ", "<="), ("=", "="), ("＝", "="), ("不低于", ">="),
     ("不高于", "<="), ("等于", "="), ("大于", ">"), ("小于", "<"), ("定量", None), ("定性", None), ("≥95%", None),
     (None, None), (95, None)],
)  # fmt: skip
def test_operator_of_a_cell_that_holds_only_an_operator(cell, op):
    assert operator_of(cell) == op


@pytest.mark.parametrize(
    ("operator", "value", "unit", "joined"),
    [
        ("≥", 95, "%", "≥95%"),
        ("≥", 95.0, "%", "≥95%"),
        ("不低于", "2500", "人", "不低于2500人"),
        ("≤", "≤1.5万元", "万元", "≤1.5万元"),  # the value's own operator and unit win
        ("＞", "90%", None, ">90%"),  # full-width spellings come out normalised
        (None, 100, "%", "100%"),  # seed 003: the unit in 度量单位
        ("定性", "按月发放", None, "按月发放"),  # no operator: the value as written
        ("≥", "上年水平", None, "≥上年水平"),
        ("≥", None, "%", None),  # a blank value stays blank
        ("≥", 95, "—", "≥95"),
        (None, 12, None, 12),
    ],
)
def test_join_target(operator, value, unit, joined):
    assert join_target(operator, value, unit) == joined


def test_joined_target_parses_as_one_value():
    v = parse_value(join_target("等于", 1, "年"))
    assert (v.kind, v.operator, v.number, v.unit, v.direction) == ("number", "=", Decimal(1), "年", 0)


def test_an_operator_in_both_cells_is_read_once_when_they_agree_and_reported_when_they_do_not():
    from xlperf.values import join_target, parse_value

    assert parse_value(join_target("≥", "≥95%", "%")).text == "≥95%"
    disagree = parse_value(join_target("≤", "≥90", "%"))
    assert disagree.kind == "unparseable"
