"""amount.unit_cost_mismatch — 数量 × 标准 × 月数 in a 测算说明 against the line's amount."""

from __future__ import annotations

from xlperf.model import WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    return []
