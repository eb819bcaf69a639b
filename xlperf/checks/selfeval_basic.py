"""xref.selfeval_vs_basic — the 自评 against its own 基础数据表."""

from __future__ import annotations

from xlperf.model import WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    return []
