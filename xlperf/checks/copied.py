"""indicator.copied_set and indicator.foreign_name — indicator sets copied between projects of one workbook."""

from __future__ import annotations

from xlperf.model import WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    return []
