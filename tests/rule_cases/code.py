"""Cases of code.format and code.duplicate (项目编码 of the 预算管理一体化 kind), on seed 002's project tables."""

from __future__ import annotations

from rule_cases import Case, loc, project

CASES = [
    # One character lost: 20 instead of 21.
    Case("code.format", "002", None,
         lambda m: {loc(project(m, "1.").code): "13030322P0039141001H"}, lambda m: loc(project(m, "1.").code)),
    # Project 4 given the code of project 3 (same unit, another project).
    Case("code.duplicate", "002", "4.专项补助",
         lambda m: {loc(project(m, "4.").code): project(m, "3.").code.text}, lambda m: loc(project(m, "4.").code)),
]  # fmt: skip
