"""Findings for people and for programs: a terminal table (rich), JSON with the catalog's keys, and concise
lines (``file:sheet!cell code message``, one per finding, for grep and logs).

``xlperf check --format F`` takes its emitter from :data:`EMITTERS`: each is a function of the checked files
(an iterable, consumed as it yields, so that the table and the lines appear file by file) and of whether
one file was named (JSON then prints one object instead of a list). What a command returns — its exit code
— does not depend on the format.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from xlperf.report import SEVERITY_ZH, Finding, Report
from xlperf.rules import title_of
from xlperf.safe_text import markup, printable, utf8

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
        for name in ("严重性", "代码", "名称", "位置", "说明"):
            table.add_column(name, overflow="fold", no_wrap=name in ("严重性", "代码"))
        for f in report.findings:
            where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
            severity = f"[{STYLE[f.severity]}]{SEVERITY_ZH[f.severity]}[/]"
            table.add_row(severity, f.code, title_of(f.code), markup(where), markup(f.message))
        console.print(table)
    console.print(summary_line(report))


# --- concise lines ------------------------------------------------------------------------------------------

_PLAIN_SHEET = re.compile(r"[^\W\d][\w.]*")  # letters (any script), digits, _ and ., not led by a digit
_A1_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+")
_R1C1_LIKE = re.compile(r"[Rr][0-9]*([Cc][0-9]*)?|[Cc][0-9]*")
_BREAKS = str.maketrans({"\n": "\u240a", "\t": "\u2409"})  # ␊ ␉: a line stays one line


def sheet_ref(sheet: str) -> str:
    """The sheet as Excel writes it in a reference: 附件3 as it is, '1.临时救助' and 'My Sheet' quoted
    (a quote inside doubled) — quoted when the name has anything but letters, digits, _ and ., starts with
    a digit, or could be read as a cell (A1, R1C1) or a truth value."""
    plain = (
        _PLAIN_SHEET.fullmatch(sheet)
        and not _A1_LIKE.fullmatch(sheet)
        and not _R1C1_LIKE.fullmatch(sheet)
        and sheet.upper() not in ("TRUE", "FALSE")
    )
    return sheet if plain else "'" + sheet.replace("'", "''") + "'"


def _one_line(text: Any) -> str:
    return printable(text).translate(_BREAKS)


def concise_line(path: str, f: Finding) -> str:
    """``file:sheet!cell code message`` (``file:sheet code message`` for a finding on a whole sheet)."""
    where = (sheet_ref(f.sheet) + (f"!{f.cell}" if f.cell else "")) if f.sheet else ""
    head = _one_line(path) + (":" + _one_line(where) if where else "")
    return f"{head} {f.code} {_one_line(f.message)}"


def concise_lines(path: str, report: Report) -> list[str]:
    return [concise_line(path, f) for f in report.findings]


# --- the emitters of ``check --format`` ---------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """One workbook as its check left it: what every emitter takes."""

    path: str
    report: Report
    forms: list[dict[str, str]] | None = None  # the forms found (sheet, form), for JSON


Emitter = Callable[[Iterable[Checked], bool], None]
"""``emit(checked, single)``: print the checked files as they come; ``single`` when one file was named."""


def emit_table(checked: Iterable[Checked], single: bool) -> None:
    for c in checked:
        print_table(c.path, c.report)


def emit_json(checked: Iterable[Checked], single: bool) -> None:
    print_json([file_json(c.path, c.report, c.forms) for c in checked], single)


def emit_concise(checked: Iterable[Checked], single: bool) -> None:
    for c in checked:
        lines = concise_lines(c.path, c.report)
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()


EMITTERS: dict[str, Emitter] = {"table": emit_table, "json": emit_json, "concise": emit_concise}
FORMATS = tuple(EMITTERS)  # the choices of ``check --format``


def emitter(name: str) -> Emitter:
    """The emitter of ``--format name``."""
    return EMITTERS[name]
