"""Cases of indicator.copied_set and indicator.foreign_name (xlperf/checks/copied.py)."""

from __future__ import annotations

from rule_cases import Case, loc, project

CASES = [
    # 4.专项补助 differs from 2.人事代理专项补助 only in its 3人 (against 2人): written as 2人, the two sets are
    # one, reported once at the first indicator of the first project.
    Case("indicator.copied_set", "002", "2.人事代理专项补助",
         lambda m: {loc(project(m, "4.").indicators.filled[0].target): "2人"},
         lambda m: loc(project(m, "2.").indicators.filled[0].name)),
    # A 农村 indicator in the 城市特困人员 project.
    Case("indicator.foreign_name", "003", "9.城市特困人员救助供养专项资金",
         lambda m: {loc(project(m, "9.").indicators.filled[0].name): "农村特困补助人员人数"},
         lambda m: loc(project(m, "9.").indicators.filled[0].name)),
]  # fmt: skip
