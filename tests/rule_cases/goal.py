"""Cases of goal.restates_name and goal.no_indicator (xlperf/checks/goal.py)."""

from __future__ import annotations

from rule_cases import Case, loc, project

CASES = [
    # 13.孤儿慰问资金 states what its money achieves; written as its name, the goal restates it.
    Case("goal.restates_name", "002", "13.孤儿慰问资金",
         lambda m: {loc(project(m, "13.").goal): "1.孤儿慰问资金"}, lambda m: loc(project(m, "13.").goal)),
    # A second goal item that none of the nine 孤儿 indicators measures.
    Case("goal.no_indicator", "002", "13.孤儿慰问资金",
         lambda m: {loc(project(m, "13.").goal): "1.保障孤儿基本生活\n2.做好殡葬改革宣传"},
         lambda m: loc(project(m, "13.").goal)),
]  # fmt: skip
