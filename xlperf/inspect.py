"""What was recognised in a workbook: each sheet's form, its key fields, indicator counts per 一级."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xlperf.model import (
    BasicData,
    DepartmentTarget,
    Field,
    Form,
    ProjectTarget,
    SelfEvaluation,
    SpecialFundSummary,
    SpendingDirection,
    WorkbookModel,
)
from xlperf.safe_text import printable, utf8


def _f(field: Field[Any]) -> str | None:
    return None if field.empty else field.text


def _money(field: Field[Any]) -> str | None:
    """An amount in 万元 as a person reads it on the form, to the cent ("0.40", "245.00")."""
    return f"{field.value:.2f}" if isinstance(field.value, Decimal) else _f(field)


def key_fields(form: Form) -> dict[str, Any]:
    """The few fields a person looks at first, by form (names in Chinese, as on the form)."""
    if isinstance(form, DepartmentTarget):
        out: dict[str, Any] = {"部门名称": _f(form.dept_name)}
        if form.layout == "tasks":
            out["任务数"] = len(form.tasks)
            if form.tasks_total:
                out["合计"] = _money(form.tasks_total.total)
        else:
            out["资金总额"] = _money(form.total)
            out.update({p.label: _money(p.amount) for p in form.income + form.spending})
        return out
    if isinstance(form, SpecialFundSummary):
        return {"方向数": len(form.rows), "合计": _money(form.total)}
    if isinstance(form, SpendingDirection):
        return {
            "支出方向": _f(form.direction),
            "项目金额": _money(form.project_amount),
            "支出明细合计": _money(form.details_total),
        }
    if isinstance(form, ProjectTarget):
        out = {"项目名称": _f(form.name), "预算数": _money(form.budget)}
        if not form.code.empty:
            out["项目编码"] = form.code.text
        return out
    if isinstance(form, SelfEvaluation):
        return {
            "单位": _f(form.unit),
            "全年预算数": _money(form.annual_budget),
            "全年执行数": _money(form.executed),
            "总分": _f(form.total_score),
        }
    if isinstance(form, BasicData):
        return {"编制数": _f(form.staff_quota), "实际在职人数": _f(form.staff_actual), "经费行数": len(form.cost_rows)}
    return {}


def summarize(model: WorkbookModel) -> dict[str, Any]:
    """A JSON-ready description of a workbook model (the output of ``xlperf inspect --json``)."""
    from xlperf.forms import TITLES

    sheets = []
    for form in model.forms:
        block = getattr(form, "indicators", None)
        sheets.append(
            {
                "sheet": form.sheet,
                "form": form.kind,
                "form_title": TITLES[form.kind],
                "fields": key_fields(form),
                "indicators": block.counts_by_level1() if block else {},
            }
        )
    return {"file": utf8(model.path), "sheets": sheets, "unrecognized": model.unrecognized}


def render_text(summary: dict[str, Any]) -> str:
    lines = [f"{summary['file']}"]
    for s in summary["sheets"]:
        fields = "，".join(f"{k} {v}" for k, v in s["fields"].items() if v is not None)
        lines.append(f"  [{s['sheet']}] {s['form_title']}：{fields}")
        if s["indicators"]:
            counts = "，".join(f"{k} {n}" for k, n in s["indicators"].items())
            lines.append(f"      指标：{counts}")
    if summary["unrecognized"]:
        lines.append("  未识别的工作表：" + "、".join(summary["unrecognized"]))
    if not summary["sheets"]:
        lines.append("  没有识别出任何绩效表格")
    return printable("\n".join(lines))  # an ESC or BEL from a cell is shown, not sent to the terminal
