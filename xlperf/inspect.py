"""What was recognised in a workbook: each sheet's form, its key fields, indicator counts per 一级."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xlperf.forms import schema, schema_of
from xlperf.model import Field, Form, WorkbookModel
from xlperf.safe_text import printable, utf8


def _f(field: Field[Any]) -> str | None:
    return None if field.empty else field.text


def _money(field: Field[Any]) -> str | None:
    """An amount in 万元 as a person reads it on the form, to the cent ("0.40", "245.00")."""
    return f"{field.value:.2f}" if isinstance(field.value, Decimal) else _f(field)


def key_fields(form: Form) -> dict[str, Any]:
    """The few fields a person looks at first, as the form's schema names them (in Chinese, as on the form):
    every key field that is filled or required, and the count of each key list (任务数, 方向数 …)."""
    sch = schema_of(form)
    out: dict[str, Any] = {}
    for spec in sch.fields:
        if not spec.key:
            continue
        if spec.kind == "count":
            n = sum(1 for _ in schema.resolve(form, spec.path + "[]"))
            if n:
                out[spec.label] = n
            continue
        for label, f in schema.fields_of(form, spec):
            if not f.empty or spec.required == schema.ALWAYS:
                out[label] = _money(f) if spec.kind == "amount" else _f(f)
    return out


def _coverage(model: WorkbookModel, form: Form) -> dict[str, Any] | None:
    """The rows of the form's region, the filled cells read, and the cells not read (A1 references)."""
    from xlperf.a1 import a1

    cov = model.coverage_of(form)
    if cov is None:
        return None
    return {"rows": list(cov.region), "read": cov.read, "unread": [a1(r, c) for r, c, _ in cov.unread]}


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
                "coverage": _coverage(model, form),
            }
        )
    return {
        "file": utf8(model.path),
        "sheets": sheets,
        "unrecognized": model.unrecognized,
        "skipped": model.skipped,
        "computed": model.computed,
    }


def render_text(summary: dict[str, Any]) -> str:
    lines = [f"{summary['file']}"]
    for s in summary["sheets"]:
        fields = "，".join(f"{k} {v}" for k, v in s["fields"].items() if v is not None)
        lines.append(f"  [{s['sheet']}] {s['form_title']}：{fields}")
        if s["indicators"]:
            counts = "，".join(f"{k} {n}" for k, n in s["indicators"].items())
            lines.append(f"      指标：{counts}")
        cov = s.get("coverage")
        if cov:
            first, last = cov["rows"]
            unread = f"，未读入 {len(cov['unread'])} 格：" + "、".join(cov["unread"][:8]) if cov["unread"] else ""
            lines.append(f"      读入：第 {first}–{last} 行，{cov['read']} 个非空单元格{unread}")
        n = summary.get("computed", {}).get(s["sheet"])
        if n and s is next(x for x in summary["sheets"] if x["sheet"] == s["sheet"]):
            lines.append(f"      {n} 个公式没有保存计算结果（文件由其他程序生成），已在内存中计算后读取")
    if summary.get("skipped"):
        lines.append("  未作检查的隐藏表或下拉列表：" + "、".join(summary["skipped"]))
    if summary["unrecognized"]:
        lines.append("  未识别的工作表：" + "、".join(summary["unrecognized"]))
    if not summary["sheets"]:
        lines.append("  没有识别出任何绩效表格")
    return printable("\n".join(lines))  # an ESC or BEL from a cell is shown, not sent to the terminal
