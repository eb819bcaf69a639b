"""form.* — recognising the workbook: sheets that match no form, and required fields left empty."""

from __future__ import annotations

from xlperf.forms import schema_of
from xlperf.forms.schema import required_fields
from xlperf.model import WorkbookModel
from xlperf.report import Finding
from xlperf.rules import finding


def check(model: WorkbookModel) -> list[Finding]:
    out = [
        finding("form.unrecognized", (name, "A1"), f"工作表“{name}”不是已知的绩效表格，未作检查")
        for name in model.unrecognized
    ]
    for form in model.forms:
        for label, field in required_fields(schema_of(form), form):
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
