"""评分 as an operation: the edits that write a self-evaluation table's scores, and its score findings.

得分 cells that are empty are filled; a recorded score that disagrees with the rules is reported
(``score.mismatch``) and replaced only with ``overwrite``. 执行率, its 得分 and 总分 are written as formulas
over the table's own cells, with their values cached, so the workbook stays live in Excel and a reader that
does not recalculate still sees the numbers. Rows that need a person's judgement are reported, not
guessed (``score.manual_needed``).
"""

from __future__ import annotations

from decimal import Decimal

from xlperf.a1 import split
from xlperf.amounts import quantize
from xlperf.checks.score import self_evaluation
from xlperf.model import Field, SelfEvaluation, WorkbookModel
from xlperf.report import Edit, Report
from xlperf.scoring import DEFAULT, ScoringSettings, TableScore, r2, score_table, table_grade
from xlperf.totals import typed

# Findings that an overwrite resolves, by the cell it rewrites.
RESOLVED_BY_OVERWRITE = {"score.mismatch", "score.rate_basis", "score.total_mismatch"}


def _free(field: Field[Decimal]) -> bool:
    """Empty, so a score may be written: text typed there ("约99%") is the person's, replaced only on overwrite."""
    return field.value is None and not typed(field.raw)


def _differs(field: Field[Decimal], value: Decimal, places: str = "0.01") -> bool:
    q = Decimal(places)
    return field.value is None or quantize(field.value, q) != quantize(value, q)


def _col_range(cells: list[str]) -> str:
    rows = sorted(split(c)[0] for c in cells)
    col = "".join(ch for ch in cells[0] if ch.isalpha())
    return f"{col}{rows[0]}:{col}{rows[-1]}"


def table_edits(ev: SelfEvaluation, ts: TableScore, overwrite: bool, settings: ScoringSettings = DEFAULT) -> list[Edit]:
    edits: list[Edit] = []

    def write(field: Field[Decimal], value: Decimal, formula: str | None, why: str, places: str = "0.01") -> bool:
        if not field.cell:
            return False
        if _free(field) or (overwrite and _differs(field, value, places)):
            edits.append(Edit(field.sheet, field.cell, value, formula, why))
            return True
        return False

    final: dict[int, Decimal | None] = {}
    block = ev.indicators
    if block is not None:
        for ind in block.filled:
            outcome = ts.rows.get(ind.row)
            recorded = ind.score.value
            final[ind.row] = recorded
            if outcome is None or outcome.manual or not ind.score.cell:
                continue
            inside = recorded is not None and outcome.low <= recorded <= outcome.high
            if _free(ind.score) or (overwrite and not inside):
                edits.append(Edit(ind.score.sheet, ind.score.cell, outcome.score, None, f"得分：{outcome.basis}"))
                final[ind.row] = outcome.score
            done = ind.completion
            if outcome.completion is not None and done.cell and (_free(done) or overwrite):
                share = quantize(outcome.completion, Decimal("0.0001"))
                edits.append(Edit(done.sheet, done.cell, share, None, "完成率"))
    if ts.rate is not None and ev.executed.cell and ev.annual_budget.cell:
        write(ev.rate, quantize(ts.rate, Decimal("0.0001")), f"{ev.executed.cell}/{ev.annual_budget.cell}",
              "执行率 = 全年执行数 / 全年预算数", "0.0001")  # fmt: skip
    rate_score = ev.rate_score.value
    if ts.rate_score is not None:
        formula = None
        if ev.rate.cell and ev.rate_weight.cell:
            formula = f"{ev.rate_weight.cell}*MIN({ev.executed.cell}/{ev.annual_budget.cell},1)"
        if write(ev.rate_score, ts.rate_score, formula, "执行率得分 = 分值 × min(执行率, 100%)"):
            rate_score = ts.rate_score
    scores = [v for v in final.values()]
    if block is not None and rate_score is not None and scores and all(v is not None for v in scores):
        total = r2(rate_score + sum(scores, Decimal(0)))
        score_cells = [i.score.cell for i in block.filled if i.score.cell]
        formula = None
        if ev.rate_score.cell and score_cells:
            formula = f"{ev.rate_score.cell}+SUM({_col_range(score_cells)})"
        write(ev.total_score, total, formula, "总分 = 执行率得分 + 各指标得分")
        grade = table_grade(total, settings)
        if ev.grade.cell and (ev.grade.empty or (overwrite and ev.grade.text != grade)):
            edits.append(Edit(ev.grade.sheet, ev.grade.cell, grade, None, f"评价等级：总分 {total}"))
    return edits


def score_workbook(model: WorkbookModel, settings: ScoringSettings = DEFAULT, overwrite: bool = False) -> Report:
    """The scores of every self-evaluation table of a workbook, as edits and findings."""
    report = Report()
    for ev in model.of_kind("self_eval"):
        ts = score_table(ev, settings)
        edits = table_edits(ev, ts, overwrite, settings)
        rewritten = {(e.sheet, e.cell) for e in edits}
        for f in self_evaluation(ev, settings, ts):
            if f.code in RESOLVED_BY_OVERWRITE and (f.sheet, f.cell) in rewritten:
                continue
            report.findings.append(f)
        report.edits += edits
    return report
