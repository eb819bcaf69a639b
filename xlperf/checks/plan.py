"""plan.* — 资金支出计划: cumulative percentages by 3月底 / 6月底 / 10月底 / 12月底."""

from __future__ import annotations

import itertools

from xlperf.model import ProjectTarget, WorkbookModel
from xlperf.report import Finding
from xlperf.rules import finding


def _pct(v) -> str:
    return (
        f"{v * 100:.0f}%"
        if v == v.to_integral_value() * 1 and (v * 100) == (v * 100).to_integral_value()
        else f"{v * 100}%"
    )


def check_plan(project: ProjectTarget) -> list[Finding]:
    filled = [p for p in project.plan if p.percent.value is not None]
    if not filled:
        return []
    out = []
    for before, after in itertools.pairwise(filled):
        if after.percent.value < before.percent.value:
            out.append(
                finding(
                    "plan.not_monotonic",
                    after.percent,
                    f"资金支出计划是累计比例，{after.label} {_pct(after.percent.value)} 不应低于 {before.label} "
                    f"{_pct(before.percent.value)}",
                    expected=f">= {_pct(before.percent.value)}",
                    actual=_pct(after.percent.value),
                )
            )
    top = max(filled, key=lambda p: p.percent.value)
    if top.percent.value != 1:
        last = filled[-1]
        out.append(
            finding(
                "plan.not_complete",
                last.percent,
                f"资金支出计划最大累计比例为 {_pct(top.percent.value)}，年底前应达到 100%",
                expected="100%",
                actual=_pct(top.percent.value),
            )
        )
    return out


def check(model: WorkbookModel) -> list[Finding]:
    return [f for p in model.of_kind("project_target") for f in check_plan(p)]
