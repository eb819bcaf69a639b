"""填充合计: the totals a form can compute from its own parts, as edits.

Each total is written as a formula over the cells it sums, with its value, so that Excel keeps it live
and a reader that does not recalculate still sees the number. A total cell that already holds the right
number is left alone; one that holds a different number is reported and replaced only when asked
(``overwrite``): the person may have typed it on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from xlperf.a1 import split
from xlperf.amounts import cents, is_blank
from xlperf.checks.amount import NOT_APPLICABLE
from xlperf.checks.sums import evaluate, fix_of, money, workbook_relations
from xlperf.forms.schema import Relation
from xlperf.model import Field, WorkbookModel
from xlperf.report import Report
from xlperf.rules import finding


def typed(raw: object) -> bool:
    """Whether a person typed something in a cell (other than a not-applicable mark such as "——")."""
    return not is_blank(raw) and str(raw).strip() not in NOT_APPLICABLE


def ref(field: Field[Decimal], from_sheet: str) -> str:
    """A reference to a field's cell from a formula on ``from_sheet``."""
    if field.sheet == from_sheet:
        return field.cell
    return "'" + field.sheet.replace("'", "''") + "'!" + field.cell


def sum_formula(parts: Sequence[Field[Decimal]], sheet: str) -> str:
    """SUM over a contiguous column as a range (SUM(C6:C17)), else over the cells (C6+C8)."""
    if len(parts) == 1:
        return ref(parts[0], sheet)
    coords = [split(p.cell) for p in parts]
    cols = {c for _, c in coords}
    rows = [r for r, _ in coords]
    if all(p.sheet == sheet for p in parts) and len(cols) == 1 and rows == list(range(rows[0], rows[0] + len(rows))):
        return f"SUM({parts[0].cell}:{parts[-1].cell})"
    return "+".join(ref(p, sheet) for p in parts)


def totals_of(model: WorkbookModel) -> list[Relation]:
    """Every total 填充合计 may fill, in the order they depend on each other."""
    return [r for r in workbook_relations(model) if r.fill]


def fill_totals(model: WorkbookModel, overwrite: bool = False) -> Report:
    """The edits that complete every total of a workbook (and findings for totals left as they are).

    The totals are the fillable sum relations of the forms' schemas, evaluated as the check evaluates them
    (:func:`xlperf.checks.sums.evaluate`): a total that is itself wrong stands for its parts' sum in the
    totals that depend on it, so the advice for those is right.
    """
    report = Report()
    for o in evaluate(workbook_relations(model)):
        r = o.relation
        fix = fix_of(o)
        if fix is None:
            continue
        if o.current is not None and o.ok:
            continue
        if o.current is None and not overwrite and not r.inline_label and typed(r.total.raw):
            continue  # text typed in the total ("14.87万"): amount.not_number reports it; replaced only on overwrite
        if o.current is not None and not overwrite:
            report.findings.append(
                finding(
                    r.code if r.code != "xref.total_mismatch" else "amount.sum_mismatch",
                    r.total,
                    f"{r.label}：应为 {money(o.computed, r.total.unit)}，单元格中是 {money(o.current, r.total.unit)}；"
                    "未覆盖（确认后用 --overwrite 替换）",
                    expected=o.computed,
                    actual=cents(o.current),
                ).with_fix(fix)
            )
            continue
        report.edits.append(fix)
    return report
