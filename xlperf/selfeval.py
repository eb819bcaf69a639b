"""From project target tables with 分值 and 评(扣)分标准 (the seed 003 form) and a file of year-end actual
values, to a scored self-evaluation workbook: the operation behind ``xlperf score FILE --actuals A``.

The self-evaluation sheets are laid out first (:mod:`xlperf.selfeval_writer`); scoring then reads them
back like any 绩效自评表, so what the clerk receives is exactly what ``xlperf score`` would give on a table
they had filled in by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

from xlperf.actuals import load_actuals, unmatched_note
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


def indicator_names(target: ProjectTarget | DepartmentTarget) -> list[str]:
    """The 三级指标 of a target table in table order, as the self-evaluation writer lays them out."""
    return [i.name.text for i in target.indicators.indicators if not i.is_blank] if target.indicators else []


def self_evaluation_from_targets(model: WorkbookModel, actuals_path: str, out: str) -> list[str]:
    """Write the unscored self-evaluation workbook to ``out``; return the warnings for the clerk: the target
    tables the actuals do not cover, every row of the actuals file whose 三级指标 matches no indicator of
    its project (one line each, naming the row, the project and the 三级指标, and what to check), then what
    the writer found (indicators without an actual, missing amounts …)."""
    targets = scorable_targets(model)
    if not targets:
        raise ValueError(f"{model.path} 中没有带分值的绩效目标表 (no target table with weights)")
    actuals = load_actuals(actuals_path, [target_name(t) for t in targets])
    chosen = [t for t in targets if actuals.project(target_name(t)) is not None]
    skipped = [f"“{target_name(t)}”在实际完成值文件中没有数据，未生成自评表" for t in targets if t not in chosen]
    if not chosen:
        raise ValueError(f"{actuals_path} 中没有任何一个目标表的项目 (the actuals name none of the target tables)")
    indicators = {target_name(t): indicator_names(t) for t in targets}
    unmatched = actuals.unmatched({target_name(t): indicators[target_name(t)] for t in chosen})
    notes = [unmatched_note(project, row, indicators) for project, row in unmatched]
    unit, year = unit_and_year(model)
    placed = actuals.without(row for _, row in unmatched)  # reported here, so not a second time by the writer
    return skipped + notes + write_self_evaluations(chosen, placed, Path(out), unit, year)
