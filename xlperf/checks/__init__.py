"""The checks: pure functions from the model to findings. Both hosts call :func:`check_model`."""

from __future__ import annotations

from xlperf import crosscheck
from xlperf.checks import amount, form, indicator, plan, score
from xlperf.model import WorkbookModel
from xlperf.report import Report
from xlperf.scoring import DEFAULT, ScoringSettings

FAMILIES = (form.check, amount.check, indicator.check, plan.check)


def check_model(model: WorkbookModel, settings: ScoringSettings = DEFAULT) -> Report:
    """Every rule of the catalog on one workbook: findings sorted by sheet order, then row, then column.
    ``settings`` are the scoring defaults the score.* rules use (see :mod:`xlperf.scoring`)."""
    report = Report()
    for run in FAMILIES:
        report.findings += run(model)
    report.findings += score.check(model, settings)
    report.extend(crosscheck.check(model))
    order = {name: i for i, name in enumerate(model.sheet_names)}
    report.findings.sort(key=lambda f: (order.get(f.sheet, len(order)), _row_col(f.cell)))
    return report


def _row_col(cell: str) -> tuple[int, str]:
    digits = "".join(ch for ch in cell if ch.isdigit())
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (int(digits) if digits else 0, letters.rjust(3))
