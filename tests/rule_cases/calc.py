"""Cases of the 测算说明 arithmetic (xlperf/checks/calc.py): a product and a listed sum far off the line."""

from __future__ import annotations

from rule_cases import Case, direction, loc


def _basis(m, name: str):
    return loc(direction(m, name).details[0].basis)


CASES = [
    # 社区惠民资金 (396 万元): 34 communities at 12 万元 each come to 408.
    Case("amount.unit_cost_mismatch", "000", "附表3 (9)",
         lambda m: {_basis(m, "社区惠民资金"): "拨付34个城市社区，12万元/社区"},
         lambda m: _basis(m, "社区惠民资金")),
    # 经开区-民政事务专项 (97.61 万元): items of 197.61 万元 compute other money than the line's.
    Case("amount.unit_cost_mismatch", "000", "附表3 (11)",
         lambda m: {_basis(m, "经开区-民政事务专项"): "发放经开区高龄生活补贴152.38万元，两残护理补贴45.23万元"},
         lambda m: _basis(m, "经开区-民政事务专项")),
]  # fmt: skip
