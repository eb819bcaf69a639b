"""Cases for the fire-and-stay-quiet test: each a rule, an example, a scope where the published document is
right for that rule, a mutation and the cell where the finding must be.

The cases of the first rule families are in ``tests/test_rules_fire_and_stay_quiet.py``; each module of this
package adds the cases of one family of 审核 rules as a list ``CASES`` (so that rules added side by side never
edit the same file).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xlperf.model import WorkbookModel

# The rules of the 审核 (review) families: heuristic judgements of substance, tested in their own files.
REVIEW_CODES = frozenset(
    {
        "indicator.vague_value",
        "indicator.imprecise_number",
        "indicator.attribute_mismatch",
        "indicator.copied_set",
        "indicator.foreign_name",
        "indicator.missing_cost",
        "indicator.output_incomplete",
        "goal.restates_name",
        "goal.no_indicator",
        "amount.unit_cost_mismatch",
        "score.over_achieved",
        "score.unsupported",
        "score.grade_mismatch",
        "score.band_gap",
        "xref.selfeval_vs_basic",
        "code.format",
        "code.duplicate",
    }
)

Edits = dict[tuple[str, str], Any]  # (sheet, cell) → new value ("" clears)


@dataclass
class Case:
    code: str
    seed: str
    scope: str | None  # the sheet where the unmutated example must be quiet (None: the whole workbook)
    mutate: Callable[[WorkbookModel], Edits]
    at: Callable[[WorkbookModel], tuple[str, str]]  # where the finding must be, located on the original
    extra: Callable[[Any], None] | None = None  # a structural change (add or remove a sheet)


def direction(model: WorkbookModel, name: str):
    return next(d for d in model.of_kind("direction") if d.direction.text == name)


def summary_row(model: WorkbookModel, i: int):
    return model.of_kind("summary")[0].rows[i]


def dept004(model: WorkbookModel):
    return model.forms[0]


def indicator(block, name: str):
    return next(i for i in block.indicators if i.name.text == name)


def loc(field) -> tuple[str, str]:
    return (field.sheet, field.cell)


def project(model: WorkbookModel, prefix: str):
    """A project table by its number ("2."), as its sheet or title starts."""
    return next(
        p for p in model.of_kind("project_target") if p.sheet.startswith(prefix) or p.title.text.startswith(prefix)
    )


def new_sheet(wb: Any) -> None:
    wb.create_sheet("备注").append(["本表由财务室填报，联系人：李军"])


def drop_last_direction(wb: Any) -> None:
    del wb["附表3 (12)"]


def more_cases() -> list[Case]:
    """The CASES of every module of this package, in module order."""
    out: list[Case] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        out += importlib.import_module(f"{__name__}.{info.name}").CASES
    return out
