"""The checks: pure functions from the model to findings. Both hosts call :func:`check_model`."""

from __future__ import annotations

from collections.abc import Callable

from xlperf import crosscheck
from xlperf.checks import amount, calc, code, copied, form, goal, indicator, plan, score, selfeval_basic
from xlperf.model import WorkbookModel
from xlperf.profiles import NATIONAL, Profile
from xlperf.report import Finding, Report
from xlperf.scoring import ScoringSettings

FAMILIES = (form.check, amount.check, indicator.check, plan.check)
# The 审核 families: each reads its vocabularies and thresholds from the profile in force.
REVIEW_FAMILIES: tuple[Callable[[WorkbookModel, Profile], list[Finding]], ...] = (
    indicator.review,
    copied.check,
    goal.check,
    calc.check,
    selfeval_basic.check,
    code.check,
)


def check_model(model: WorkbookModel, settings: ScoringSettings | None = None, profile: Profile = NATIONAL) -> Report:
    """Every rule of the catalog on one workbook: findings sorted by sheet order, then row, then column.
    ``profile`` is the review profile in force (see :mod:`xlperf.profiles`); ``settings``, when given, are
    scoring settings over the profile's (``--rules``)."""
    settings = settings if settings is not None else profile.scoring
    report = Report()
    for run in FAMILIES:
        report.findings += run(model)
    for review in REVIEW_FAMILIES:
        report.findings += review(model, profile)
    report.findings += score.check(model, settings, profile)
    report.extend(crosscheck.check(model))
    order = {name: i for i, name in enumerate(model.sheet_names)}
    report.findings.sort(key=lambda f: (order.get(f.sheet, len(order)), _row_col(f.cell)))
    return report


def _row_col(cell: str) -> tuple[int, str]:
    digits = "".join(ch for ch in cell if ch.isdigit())
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (int(digits) if digits else 0, letters.rjust(3))
