"""form.* — recognising the workbook: sheets that match no form, and required fields left empty."""

from __future__ import annotations

from typing import Any

from xlperf.a1 import a1
from xlperf.forms import TITLES, schema_of
from xlperf.forms.schema import required_fields
from xlperf.model import WorkbookModel
from xlperf.report import Finding, clip
from xlperf.rules import finding


def check(model: WorkbookModel) -> list[Finding]:
    out = []
    for name in model.unrecognized:
        labels = model.unreadable.get(name)
        if labels:
            _, row, col = labels[0]
            names = "、".join(k for k, _, _ in labels[:6])
            out.append(
                finding(
                    "form.partly_read",
                    (name, a1(row, col)),
                    f"工作表“{name}”带有绩效表格的栏目（{names}），但无法识别是哪一种表，整张表未作检查："
                    "请按官方表式填写表头（如“一级指标 · 二级指标 · 三级指标 · 指标值”），或把内容复制到模板中",
                )
            )
        else:
            out.append(finding("form.unrecognized", (name, "A1"), f"工作表“{name}”不是已知的绩效表格，未作检查"))
    for sheet, cells in model.uncomputed.items():
        for row, col in cells:
            out.append(
                finding(
                    "form.partly_read",
                    (sheet, a1(row, col)),
                    "这个公式没有保存计算结果（文件由其他程序生成），xlperf 也无法计算它，该格按空白读入、未作检查："
                    "请在 Excel 或 WPS 中打开文件、保存一次后再检查",
                )
            )
    for form in model.forms:
        out += _unread(model, form)
        for label, field in required_fields(schema_of(form), form):
            if field.empty and not (isinstance(field.raw, str) and field.raw.strip()):
                # (text typed where a number belongs is amount.not_number, not a missing field)
                where = field if field.cell else (form.sheet, "A1")
                out.append(finding("form.missing_field", where, f"缺少必填项“{label}”：请填写"))
        if hasattr(form, "indicators") and form.indicators is None:
            out.append(
                finding(
                    "form.missing_field", (form.sheet, "A1"), "缺少年度绩效指标表（一级指标/二级指标/三级指标/指标值）"
                )
            )
    return out


def _unread(model: WorkbookModel, form: Any) -> list[Finding]:
    """form.partly_read: one finding per row of a form's region holding cells its reader could not place."""
    cov = model.coverage_of(form)
    if cov is None or not cov.unread:
        return []
    rows: dict[int, list[tuple[int, Any]]] = {}
    for row, col, value in cov.unread:
        rows.setdefault(row, []).append((col, value))
    out = []
    for row, cells in sorted(rows.items()):
        cells.sort()
        shown = "、".join(f"{a1(row, c)}“{clip(str(v), 20)}”" for c, v in cells[:4])
        more = f" 等 {len(cells)} 格" if len(cells) > 4 else ""
        out.append(
            finding(
                "form.partly_read",
                (form.sheet, a1(row, cells[0][0])),
                f"{TITLES[form.kind]}第 {row} 行有内容未能读入：{shown}{more}——它不在任何栏目下，未作检查。"
                "请把它移到对应栏目（或补上该栏的表头），多余的内容请删去",
                actual=[str(v) for _, v in cells],
            )
        )
    return out
