"""goal.restates_name and goal.no_indicator — the 绩效目标 against the project and its indicators."""

from __future__ import annotations

from xlperf.model import WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    return []
