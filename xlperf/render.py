"""Findings for people and for programs: a terminal table (rich) and JSON with the catalog's keys."""

from __future__ import annotations

import json
import sys
from typing import Any

from xlperf.report import SEVERITY_ZH, Report
from xlperf.safe_text import markup, utf8

STYLE = {"error": "bold red", "warning": "yellow", "hint": "blue"}


def summary_line(report: Report) -> str:
    c = report.counts()
    if not report.findings:
        return "未发现问题"
    return f"共 {len(report.findings)} 项：错误 {c['error']}，警告 {c['warning']}，提示 {c['hint']}"


def file_json(path: str, report: Report, forms: list[dict[str, str]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"file": utf8(path), "summary": report.counts()}
    if forms is not None:
        out["forms"] = forms
    out["findings"] = [f.to_json() for f in report.findings]
    if report.pairings:
        out["pairings"] = [p.to_json() for p in report.pairings]
    if report.edits:
        out["edits"] = [
            {"sheet": e.sheet, "cell": e.cell, "value": _num(e.value), "formula": e.formula, "reason": e.reason}
            for e in report.edits
        ]
    return out


def _num(v: Any) -> Any:
    from decimal import Decimal

    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral_value() else int(v)
    return v


def print_json(results: list[dict[str, Any]], single: bool) -> None:
    data: Any = results[0] if single and len(results) == 1 else results
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_table(path: str, report: Report) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
    console.print(f"[bold]{markup(path)}[/bold]")
    if report.findings:
        table = Table(show_lines=False, header_style="bold")
        for name in ("严重性", "代码", "位置", "说明"):
            table.add_column(name, overflow="fold")
        for f in report.findings:
            where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
            severity = f"[{STYLE[f.severity]}]{SEVERITY_ZH[f.severity]}[/]"
            table.add_row(severity, f.code, markup(where), markup(f.message))
        console.print(table)
    console.print(summary_line(report))
