"""form.* — recognising the workbook: sheets that match no form, and required fields left empty."""

from __future__ import annotations

from typing import Any

from xlperf.model import (
    DepartmentTarget,
    Field,
    ProjectTarget,
    SelfEvaluation,
    SpecialFundSummary,
    SpendingDirection,
    WorkbookModel,
)
from xlperf.report import Finding
from xlperf.rules import finding


def required(form: Any) -> list[tuple[str, Field[Any]]]:
    """The fields a form cannot do without, by form (the indicator block is checked separately)."""
    if isinstance(form, SpendingDirection):
        return [
            ("支出方向（子项）", form.direction),
            ("项目金额", form.project_amount),
            ("年度绩效目标", form.annual_goal),
        ]
    if isinstance(form, ProjectTarget):
        fields = [("项目名称", form.name), ("预算数", form.budget)]
        if form.plan or form.goal.cell:
            # The seed 002 form carries 绩效目标; the seed 003 form (分值 and 评(扣)分标准) has no such field.
            fields.append(("绩效目标", form.goal))
        return fields
    if isinstance(form, SelfEvaluation):
        return [("全年预算数", form.annual_budget), ("全年执行数", form.executed)]
    if isinstance(form, DepartmentTarget):
        fields = [("部门名称", form.dept_name)]
        if form.layout == "funds" and form.total.cell:
            fields.append(("资金总额", form.total))  # only where the form has a funds block at all
        if form.layout == "tasks" and form.tasks_total is not None:
            fields.append(("合计", form.tasks_total.total))
        return fields
    if isinstance(form, SpecialFundSummary):
        return [("合计", form.total)]
    return []


def check(model: WorkbookModel) -> list[Finding]:
    out = [
        finding("form.unrecognized", (name, "A1"), f"工作表“{name}”不是已知的绩效表格，未作检查")
        for name in model.unrecognized
    ]
    for form in model.forms:
        for label, field in required(form):
            if field.empty:
                where = field if field.cell else (form.sheet, "A1")
                out.append(finding("form.missing_field", where, f"缺少必填项“{label}”：请填写"))
        if hasattr(form, "indicators") and form.indicators is None:
            out.append(
                finding(
                    "form.missing_field", (form.sheet, "A1"), "缺少年度绩效指标表（一级指标/二级指标/三级指标/指标值）"
                )
            )
    return out
