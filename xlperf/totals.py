"""填充合计: the totals a form can compute from its own parts, as edits.

Each total is written as a formula over the cells it sums, with its value, so that Excel keeps it live
and a reader that does not recalculate still sees the number. A total cell that already holds the right
number is left alone; one that holds a different number is reported and replaced only when asked
(``overwrite``): the person may have typed it on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from xlperf.a1 import split
from xlperf.amounts import cents, is_blank, split_labelled
from xlperf.checks.amount import NOT_APPLICABLE, fmt, same
from xlperf.model import (
    DepartmentTarget,
    Field,
    ProjectTarget,
    SpecialFundSummary,
    SpendingDirection,
    WorkbookModel,
)
from xlperf.report import Edit, Report
from xlperf.rules import finding


@dataclass
class _Total:
    target: Field[Decimal]
    parts: Sequence[Field[Decimal]]
    what: str
    inline_label: str | None = None  # the amount lives inside its label cell ("资金总额：1786.46")


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


class _Filler:
    def __init__(self, overwrite: bool) -> None:
        self.overwrite = overwrite
        self.report = Report()
        self.values: dict[tuple[str, str], Decimal] = {}  # what each written cell will hold

    def value(self, field: Field[Decimal]) -> Decimal | None:
        return self.values.get((field.sheet, field.cell), field.value)

    def fill(self, total: _Total) -> None:
        parts = [p for p in total.parts if p.cell]
        if not total.target.cell or not parts or all(self.value(p) is None for p in parts):
            return
        computed = cents(sum((self.value(p) or Decimal(0) for p in parts), Decimal(0)))
        current = total.target.value
        if current is None and not self.overwrite and not total.inline_label and typed(total.target.raw):
            return  # text typed in the total ("14.87万"): amount.not_number reports it; replaced only on overwrite
        if current is not None and same(current, computed):
            self.values[(total.target.sheet, total.target.cell)] = computed
            return
        if current is not None and not self.overwrite:
            self.report.findings.append(
                finding(
                    "amount.sum_mismatch",
                    total.target,
                    f"{total.what}：应为 {fmt(computed)}，单元格中是 {fmt(current)}；"
                    "未覆盖（确认后用 --overwrite 替换）",
                    expected=computed,
                    actual=cents(current),
                )
            )
            return
        formula = None if total.inline_label else sum_formula(parts, total.target.sheet)
        self.report.edits.append(
            Edit(total.target.sheet, total.target.cell, computed, formula, total.what, total.inline_label)
        )
        self.values[(total.target.sheet, total.target.cell)] = computed


def totals_of(model: WorkbookModel) -> list[_Total]:
    """Every total of every form, in the order they depend on each other."""
    out: list[_Total] = []
    for form in model.forms:
        if isinstance(form, SpendingDirection):
            out.append(_Total(form.details_total, [d.amount for d in form.details], "支出明细合计"))
            out.append(_Total(form.amount, [form.details_total], "金额（= 支出明细合计）"))
            out.append(_Total(form.project_amount, [form.amount], "项目金额（= 金额）"))
        elif isinstance(form, ProjectTarget):
            out.append(_Total(form.budget, [form.fiscal, form.other], "预算数（= 财政资金 + 其他资金）"))
        elif isinstance(form, DepartmentTarget):
            for task in form.tasks:
                out.append(
                    _Total(task.total, [task.fiscal, task.other], f"第{task.row}行 总额（= 财政拨款 + 其他资金）")
                )
            if form.tasks_total is not None:
                for name, label in (("total", "总额"), ("fiscal", "财政拨款"), ("other", "其他资金")):
                    column = [getattr(t, name) for t in form.tasks]
                    out.append(_Total(getattr(form.tasks_total, name), column, f"合计行 {label}"))
    for summary in model.of_kind("summary"):
        out.append(_Total(summary.total, [r.amount for r in summary.rows], "附表2 合计"))
    for form in model.of_kind("dept_target"):
        project = form.spending_part("项目支出")
        summaries: list[SpecialFundSummary] = model.of_kind("summary")
        if project is not None and summaries:
            out.append(_Total(project.amount, [summaries[0].total], "项目支出（= 附表2 合计）"))
        if form.layout == "funds" and form.spending:
            raw = form.total.raw  # "资金总额：1786.46" or "资金总额：" (the label's own cell), not "14.87万"
            inline = raw if isinstance(raw, str) and split_labelled(raw)[2] else None
            label = inline.split("：")[0].split(":")[0].strip() if inline else None
            out.append(
                _Total(form.total, [p.amount for p in form.spending], "资金总额（= 基本支出 + 项目支出）", label)
            )
    return out


def fill_totals(model: WorkbookModel, overwrite: bool = False) -> Report:
    """The edits that complete every total of a workbook (and findings for totals left as they are)."""
    filler = _Filler(overwrite)
    for total in totals_of(model):
        filler.fill(total)
    return filler.report
