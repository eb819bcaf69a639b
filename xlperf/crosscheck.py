"""xref.* — 附表2 against its 附表3 sheets, and 附表2 合计 against the department table's 项目支出.

Each 附表2 row is paired with one 附表3 sheet: first by equal names (the sheet's 支出方向 or 所属专项),
then by names equal after normalisation (spaces, line breaks, full-width forms, dashes), then by
similarity (rapidfuzz), best pairs first, with equal amounts breaking ties. A pair made by similarity is
a ``xref.name_mismatch``; the pairing and its basis are part of the report.
"""

from __future__ import annotations

import re
import unicodedata

from xlperf.checks.sums import money, same
from xlperf.labels import norm
from xlperf.model import Field, SpecialFundSummary, SpendingDirection, SummaryRow, WorkbookModel
from xlperf.report import Finding, Pairing, Report, clip
from xlperf.rules import finding

SIMILARITY_THRESHOLD = 60.0  # rapidfuzz ratio (0–100) below which two names are not the same direction
_DASHES = re.compile(r"[－—–‐‑﹣-]+")
_PUNCT = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    return _DASHES.sub("-", norm(text))


def _goal_key(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text))


def _names(sheet: SpendingDirection) -> list[str]:
    return [n for n in (sheet.direction.text, sheet.special.text) if n]


def _where(sheet: SpendingDirection) -> Field[str] | tuple[str, str]:
    """Where a finding about a 附表3 points: its 支出方向, or A1 when the sheet has no cell for it."""
    return sheet.direction if sheet.direction.cell else (sheet.sheet, "A1")


Pair = tuple[SummaryRow, SpendingDirection, str, float]


def pair(rows: list[SummaryRow], sheets: list[SpendingDirection]) -> list[Pair]:
    """Pair 附表2 rows with 附表3 sheets: exact, then normalised names, then by similarity.

    Each row, in order, takes the first free sheet carrying its name (looked up by name, so that a workbook
    of thousands of directions pairs in linear time); the rows left are paired by similarity, best first."""
    pairs: list[Pair] = []
    free_rows, free_sheets = list(rows), list(sheets)
    for basis, key in (("exact", str.strip), ("normalised", name_key)):
        by_name: dict[str, list[SpendingDirection]] = {}
        for sheet in free_sheets:
            for name in dict.fromkeys(key(n) for n in _names(sheet)):
                by_name.setdefault(name, []).append(sheet)
        taken: set[int] = set()
        left = []
        for row in free_rows:
            match = next((s for s in by_name.get(key(row.name.text), ()) if id(s) not in taken), None)
            if match is None:
                left.append(row)
                continue
            pairs.append((row, match, basis, 100.0))
            taken.add(id(match))
        free_rows = left
        free_sheets = [s for s in free_sheets if id(s) not in taken]
    if free_rows and free_sheets:
        from rapidfuzz import fuzz

        scored = []
        for row in free_rows:
            for sheet in free_sheets:
                score = max(fuzz.ratio(name_key(row.name.text), name_key(n)) for n in _names(sheet) or [""])
                tie = 1 if same(row.amount.value, sheet.project_amount.value) else 0
                scored.append((score, tie, row, sheet))
        scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
        done_rows: set[int] = set()
        done_sheets: set[int] = set()
        for score, _, row, sheet in scored:
            if score < SIMILARITY_THRESHOLD:
                break
            if id(row) not in done_rows and id(sheet) not in done_sheets:
                pairs.append((row, sheet, "similarity", score))
                done_rows.add(id(row))
                done_sheets.add(id(sheet))
    return pairs


def check(model: WorkbookModel) -> Report:
    report = Report()
    summaries: list[SpecialFundSummary] = model.of_kind("summary")
    sheets: list[SpendingDirection] = model.of_kind("direction")
    if not summaries:
        return report
    summary = summaries[0]
    rows = [r for r in summary.rows if not r.name.empty]
    report.findings += _duplicates(rows, sheets)
    pairs = pair(rows, sheets)
    paired_rows = {id(r) for r, *_ in pairs}
    paired_sheets = {id(s) for _, s, *_ in pairs}
    for row, sheet, basis, score in pairs:
        report.pairings.append(Pairing(row.name.text, row.name.cell, sheet.sheet, _names(sheet)[0], basis, score))
        report.findings += _compare(row, sheet, basis, score)
    for row in rows:
        if id(row) not in paired_rows:
            report.findings.append(
                finding(
                    "xref.missing_sheet",
                    row.name,
                    f"附表2的“{clip(row.name.text)}”（{money(row.amount.value, row.amount.unit or '万元')}）"
                    "没有对应的附表3："
                    "请补上该支出方向的附表3",
                )
            )
    for sheet in sheets:
        if id(sheet) not in paired_sheets:
            report.findings.append(
                finding(
                    "xref.orphan_sheet",
                    _where(sheet),
                    f"附表3“{clip(sheet.direction.text)}”在附表2中没有对应的行：请在附表2中补上，或核对名称",
                )
            )
    return report


def _compare(row: SummaryRow, sheet: SpendingDirection, basis: str, score: float) -> list[Finding]:
    out = []
    if basis == "similarity":
        out.append(
            finding(
                "xref.name_mismatch",
                _where(sheet),
                f"附表3的支出方向“{clip(sheet.direction.text)}”与附表2的“{clip(row.name.text)}”名称不一致"
                f"（按相似度 {score:.0f}% 配对）：请统一名称",
                expected=row.name.text,
                actual=sheet.direction.text,
            )
        )
    if row.amount.value is not None and sheet.project_amount.value is not None:
        if not same(row.amount.value, sheet.project_amount.value):
            out.append(
                finding(
                    "xref.amount_mismatch",
                    sheet.project_amount,
                    f"附表3“{clip(sheet.direction.text)}”的项目金额 "
                    f"{money(sheet.project_amount.value, sheet.project_amount.unit)}"
                    f" 与附表2的金额 {money(row.amount.value, row.amount.unit)}（{row.amount.cell}）不一致",
                    expected=row.amount.value,
                    actual=sheet.project_amount.value,
                )
            )
    for what, row_goal, sheet_goal in (
        ("实施期绩效目标", row.period_goal, sheet.period_goal),
        ("年度绩效目标", row.annual_goal, sheet.annual_goal),
    ):
        a, b = _goal_key(row_goal.text), _goal_key(sheet_goal.text)
        if a and b and a not in b and b not in a:
            out.append(
                finding(
                    "xref.goal_mismatch",
                    sheet_goal,
                    f"“{clip(sheet.direction.text)}”的{what}与附表2（{row_goal.cell}）不一致："
                    f"附表2为“{clip(row_goal.text, 40)}”，附表3为“{clip(sheet_goal.text, 40)}”",
                    expected=row_goal.text,
                    actual=sheet_goal.text,
                )
            )
    return out


def _duplicates(rows: list[SummaryRow], sheets: list[SpendingDirection]) -> list[Finding]:
    out = []
    seen: dict[str, object] = {}
    for row in rows:
        key = name_key(row.name.text)
        if key in seen:
            out.append(finding("xref.duplicate", row.name, f"附表2中“{clip(row.name.text)}”出现了两次"))
        seen[key] = row
    seen = {}
    for sheet in sheets:
        key = name_key(sheet.direction.text)
        if key and key in seen:
            out.append(
                finding(
                    "xref.duplicate",
                    sheet.direction,
                    f"工作表“{sheet.sheet}”与“{seen[key]}”是同一个支出方向“{clip(sheet.direction.text)}”",
                )
            )
        seen[key] = sheet.sheet
    return out
