"""code.format and code.duplicate — 项目编码 of the 预算管理一体化 kind."""

from __future__ import annotations

from xlperf.model import WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    return []
