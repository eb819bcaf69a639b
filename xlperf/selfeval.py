"""From project target tables with 分值 and 评(扣)分标准 (the seed 003 form) and a file of year-end actual
values, to a scored self-evaluation workbook: the operation behind ``xlperf score FILE --actuals A``.

The self-evaluation sheets are laid out first (:mod:`xlperf.selfeval_writer`); scoring then reads them
back like any 绩效自评表, so what the clerk receives is exactly what ``xlperf score`` would give on a table
they had filled in by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

from xlperf.actuals import load_actuals
from xlperf.model import DepartmentTarget, ProjectTarget, WorkbookModel
from xlperf.selfeval_writer import target_name, write_self_evaluations

_YEAR = re.compile(r"(20\d\d)")


def scorable_targets(model: WorkbookModel) -> list[ProjectTarget | DepartmentTarget]:
    """The target tables that carry weights (分值), in sheet order."""
    return [
        f
        for f in model.forms
        if isinstance(f, ProjectTarget | DepartmentTarget)
        and f.indicators is not None
        and any(i.weight.value is not None for i in f.indicators.filled)
    ]


def unit_and_year(model: WorkbookModel) -> tuple[str, str]:
    unit = year = ""
    for form in model.forms:
        if isinstance(form, DepartmentTarget) and not form.dept_name.empty:
            unit = unit or form.dept_name.text
        if isinstance(form, ProjectTarget) and not form.unit_line.empty:
            unit = unit or form.unit_line.text
        m = _YEAR.search(form.title.text)
        year = year or (m.group(1) if m else "")
    return unit, year


def self_evaluation_from_targets(model: WorkbookModel, actuals_path: str, out: str) -> list[str]:
    """Write the unscored self-evaluation workbook to ``out``; return the warnings for the clerk."""
    targets = scorable_targets(model)
    if not targets:
        raise ValueError(f"{model.path} 中没有带分值的绩效目标表 (no target table with weights)")
    actuals = load_actuals(actuals_path, [target_name(t) for t in targets])
    chosen = [t for t in targets if actuals.project(target_name(t)) is not None]
    skipped = [f"“{target_name(t)}”在实际完成值文件中没有数据，未生成自评表" for t in targets if t not in chosen]
    if not chosen:
        raise ValueError(f"{actuals_path} 中没有任何一个目标表的项目 (the actuals name none of the target tables)")
    unit, year = unit_and_year(model)
    return skipped + write_self_evaluations(chosen, actuals, Path(out), unit, year)
