"""The arithmetic of 测算说明 (amount.unit_cost_mismatch, amount.text_calc_mismatch) on the seeds and on
the ways people write a calculation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xlperf.checks import calc, check_model
from xlperf.model import Field
from xlperf.profiles import NATIONAL, Profile

CODES = ("amount.unit_cost_mismatch", "amount.text_calc_mismatch")


@pytest.fixture(scope="module")
def found(models):
    return {seed: [f for f in check_model(m).findings if f.code in CODES] for seed, m in models.items()}


def by_direction(models, found):
    names = {d.sheet: d.direction.text for d in models["000"].of_kind("direction")}
    return sorted((names[f.sheet], f.code, f.cell, f.expected, f.actual) for f in found["000"])


def test_seed000_calculations_that_do_not_give_the_line(models, found):
    assert by_direction(models, found) == sorted([
        # 414 + 90 = 504 万元 (6900人 × 50元 × 12 + 750人 × 100元 × 12), 市区各配套50%: 252, not 245
        ("高龄老人补贴资金", "amount.unit_cost_mismatch", "E20", Decimal("252.00"), Decimal("245.00")),
        # 其余306万元由市、区按1:1承担: 153, not 160
        ("残疾人两项补贴", "amount.unit_cost_mismatch", "E20", Decimal("153.00"), Decimal("160.00")),
        # 60 + 144 + 2 + 15 + 27 + 20 + 90 + 19 + 19.8 + 8 = 404.8 万元 listed for a line of 90
        ("养老服务专项经费", "amount.unit_cost_mismatch", "E20", Decimal("90.00"), Decimal("404.80")),
        # 92.63 + 35.41 + 4.83 + 2.7 = 135.57 for 174.57: an item missing, a hint
        ("经开区-民政救助资金", "amount.text_calc_mismatch", "E20", Decimal("174.57"), Decimal("135.57")),
    ])  # fmt: skip
    severities = {f.sheet: f.severity for f in found["000"]}
    assert sorted(severities.values()) == ["hint", "warning", "warning", "warning"]


def test_seed000_findings_are_at_the_basis_cell_and_say_what_to_write(models, found):
    basis = {d.sheet: (d.details[0].basis.sheet, d.details[0].basis.cell) for d in models["000"].of_kind("direction")}
    for f in found["000"]:
        assert (f.sheet, f.cell) == basis[f.sheet]
        assert "请" in f.message
    high = next(f for f in found["000"] if f.expected == Decimal("252.00"))
    assert "共计504万元，市区各配套50%" in high.message and "504 × 50% = 252.00" in high.message


def test_seed000_correct_calculations_are_quiet(models, found):
    quiet = {
        "提退人员经费",  # …7800元等共计14.87万元: an open list
        "困难群众救助补助资金",  # 1800万元的20%预算360万元
        "特困人员集中供养兜底保障经费",  # 30 + 30 asked, 实际批复金额为10万元
        "业务性经费",  # one amount, the line's
        "困难帮扶-民政专项",  # 1000元/人 × 50人 + 5万, and 280元/人/年 for people not counted
        "社区惠民资金",  # 33个城市社区 × 12万元/社区 = 396
        "经开区-民政事务专项",  # 52.38 + 45.23 = 97.61
        "经开区-政府购买民政服务专项",  # 合同13.65万, 市、区按1:1配套: the line is the contract
    }
    names = {d.sheet: d.direction.text for d in models["000"].of_kind("direction")}
    assert quiet.isdisjoint(names[f.sheet] for f in found["000"])
    assert quiet <= set(names.values())


@pytest.mark.parametrize("seed", ["001", "002", "003", "004"])
def test_other_seeds_are_quiet(found, seed):
    # seed 003's 城乡低保对象人数 23859 = 6900 + 16959 is an indicator, not a 测算; seed 002's 资金用途 compute nothing
    assert found[seed] == []


def one(text: str, line: str, profile: Profile = NATIONAL):
    return calc.check_line(Field(text, text, "附表3", "E20"), Field(Decimal(line), line, "附表3", "D20"), profile)


@pytest.mark.parametrize(
    "text, line",
    [
        ("6900人×50元/人/月×12个月", "414"),
        ("6900人*50元*12", "414"),
        ("6900x50元x12", "414"),
        ("6900人乘50元乘12个月", "414"),
        ("6900*50*12=414万元", "414"),
        ("每人每月50元，共6900人", "414"),
        ("按每人每月50元标准发放，共6900人，计414万元", "414"),
        ("(6900人×50元×12+750人×100元×12)×50%", "252"),
        ("6900人×50元×12+750人×100元×12=504万元，市区各配套50%", "252"),
        ("12万元/社区×33个", "396"),
        ("建设补贴60万元，省市区5:3:2", "12"),
        ("全年测算应发放380万元，省按省定标准80元/人/月的25%，约74万元；其余306万元由市、区按1:1承担", "153"),
        ("按每人每月50元发放高龄补贴，两残护理补贴452300元", "97.61"),
        ("5万人受益，补助50万元，培训20万元", "70"),
        ("6900人×50元×12个月", "412"),  # within the rounding tolerance (1 % of the line)
    ],
)
def test_calculations_that_give_the_line_are_quiet(text, line):
    assert one(text, line) == []


@pytest.mark.parametrize(
    "text, line, expected",
    [
        ("6900人×50元/人/月×12个月", "400", "414.00"),
        ("6900人乘50元乘12个月", "400", "414.00"),
        ("每人每月50元，共6900人", "420", "414.00"),
        ("(6900人×50元×12+750人×100元×12)×50%", "245", "252.00"),
        ("6900人×50元×12+750人×100元×12=504万元，市区各配套50%", "245", "252.00"),
        ("拨付34个城市社区，12万元/社区", "396", "408.00"),
        ("每个社区每年12万元，共34个社区", "396", "408.00"),
        ("建设补贴60万元，省市区5:3:2", "20", "12.00"),
        ("6900人×50元×12=430万元", "430", "414.00"),  # the product against its own written result
    ],
)
def test_products_and_shares_that_miss_the_line(text, line, expected):
    (f,) = one(text, line)
    assert f.code == "amount.unit_cost_mismatch" and f.severity == "warning"
    assert f.expected == Decimal(expected) and f.cell == "E20"


def test_a_listed_sum_a_little_off_is_a_hint_far_off_a_warning():
    (small,) = one("发放高龄生活补贴52.48万元，两残护理补贴45.23万元", "97.61")
    assert small.code == "amount.text_calc_mismatch"
    assert (small.expected, small.actual) == (Decimal("97.61"), Decimal("97.71"))
    (large,) = one("发放高龄生活补贴152.38万元，两残护理补贴45.23万元", "97.61")
    assert large.code == "amount.unit_cost_mismatch" and "2.02 倍" in large.message


def test_the_thresholds_come_from_the_profile():
    strict = Profile(calc_rounding=Decimal(0))
    assert one("6900人×50元×12个月", "412") == []
    assert [f.code for f in one("6900人×50元×12个月", "412", strict)] == ["amount.unit_cost_mismatch"]
    lenient = Profile(calc_large_gap=Decimal(5))
    assert [f.code for f in one("发放高龄生活补贴152.38万元，两残护理补贴45.23万元", "97.61", lenient)] == [
        "amount.text_calc_mismatch"
    ]


def test_a_stated_conclusion_other_than_the_line():
    (f,) = one("运转经费30万元；补差经费30万元，实际批复金额为12万元。", "10")
    assert f.code == "amount.text_calc_mismatch" and f.actual == Decimal("12.00")
    assert one("运转经费30万元；补差经费30万元，实际批复金额为10万元。", "10") == []


def test_hostile_texts_do_not_raise():
    for text in ["9" * 40 + "元×" + "9" * 40, "×××", "1:0", "0%的", "（（1×2", "1e999元×2", "50元/人/月" * 200]:
        one(text, "1")
