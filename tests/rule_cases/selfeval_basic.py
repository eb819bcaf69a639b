"""Cases of xref.selfeval_vs_basic (xlperf/checks/selfeval_basic.py).

Seed 001's 自评 (附件3) is wrong for this rule as published: its 执行率 99.11% stands against two project lines
of its 基础数据表 (附件2) spent at 28.69% and 20.32%, and its 项目支出 is not the sum of the 附件2 lines (those
findings are asserted in tests/test_review_selfeval.py). Its 附件2 never carries the finding (the 决算数 are
the accounts; the finding is at the 自评's 执行率), so that is the sheet where the example must be quiet.
The mutation first repairs the published mistakes (both lines spent as budgeted, 项目支出 = the lines'
决算数 after the repair), then plants one: 城乡最低生活保障 spent 500 of 2061.3.
"""

from __future__ import annotations

from rule_cases import Case, loc


def _planted(m):
    return {
        ("附件2", "F17"): 602.19,  # 特困供养基本生活补贴和护理补贴: as budgeted
        ("附件2", "F23"): 291.32,  # 养老服务体系建设: as budgeted
        ("附件2", "F16"): 500,  # 城乡最低生活保障: 500 of 2061.3 (24.26%)
        ("附件3", "F8"): "项目支出：2484.16",  # the lines' 2024年决算数 after these edits
    }


CASES = [
    Case("xref.selfeval_vs_basic", "001", "附件2", _planted, lambda m: loc(m.of_kind("self_eval")[0].rate)),
]
