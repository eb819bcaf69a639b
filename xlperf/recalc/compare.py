"""Comparing what an engine computed with the values Excel cached in the workbook, and two engines with
each other. The rules for when two values are the same are in :mod:`xlperf.recalc.values`.

Every formula cell gets one verdict:

``matched``      computed, and the same as the cached value
``differ``       computed, and not the same as the cached value
``unsupported``  the engine does not implement what the formula uses (or what it depends on)
``error``        the engine could not evaluate the formula
``volatile``     the formula calls a volatile function (NOW, TODAY, RAND …) or depends on one: not compared
``no_cached``    the workbook holds no cached value to compare with
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from xlperf.recalc.engine import Computed, Failed, Outcome, Result, Unsupported
from xlperf.recalc.formula_text import functions
from xlperf.recalc.graph import dependents
from xlperf.recalc.package import Cell, FormulaCell, Package
from xlperf.recalc.values import VOLATILE, Value, same

VERDICTS = ("matched", "differ", "unsupported", "error", "volatile", "no_cached")


def volatile_cells(package: Package) -> dict[Cell, str]:
    """Formula cells whose value changes from one calculation to the next, with why: the volatile function
    they call ("TODAY") or the cell they depend on that calls one ("Sheet1!B2: TODAY")."""
    own: dict[Cell, str] = {}
    by_text: dict[str, list[str]] = {}
    for key, cell in package.cells.items():
        if cell.text not in by_text:
            by_text[cell.text] = [f for f in functions(cell.text) if f in VOLATILE]
        found = by_text[cell.text]
        if found:
            own[key] = ", ".join(found)
    out = dict(own)
    for key, seed in dependents(package, own).items():
        cell = package.cells[seed]
        out[key] = f"{cell.sheet}!{cell.ref}: {own[seed]}"
    return out


@dataclass
class Verdict:
    cell: FormulaCell
    verdict: str
    outcome: Outcome | None
    note: str = ""  # why volatile; what is unsupported; why it failed

    @property
    def computed(self) -> Value:
        return self.outcome.value if isinstance(self.outcome, Computed) else None


@dataclass
class Comparison:
    """One engine's result against the workbook's cached values."""

    engine: str
    status: str
    message: str
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(v.verdict for v in self.verdicts)


def describe(outcome: Outcome | None) -> str:
    if isinstance(outcome, Unsupported):
        via = f"（经由 {outcome.via}）" if outcome.via else ""
        return f"不支持 {', '.join(outcome.what)}{via}"
    if isinstance(outcome, Failed):
        return outcome.reason
    return ""


def judge(cell: FormulaCell, outcome: Outcome | None, volatile: str | None) -> Verdict:
    if volatile is not None:
        return Verdict(cell, "volatile", outcome, volatile)
    if isinstance(outcome, Unsupported):
        return Verdict(cell, "unsupported", outcome, describe(outcome))
    if not isinstance(outcome, Computed):
        return Verdict(cell, "error", outcome, describe(outcome) or "未计算 (not computed)")
    if cell.cached is None:
        return Verdict(cell, "no_cached", outcome)
    return Verdict(cell, "matched" if same(outcome.value, cell.cached) else "differ", outcome)


def compare(package: Package, result: Result, volatile: dict[Cell, str] | None = None) -> Comparison:
    """Each formula cell's verdict for one engine's result (none when the engine failed on the file)."""
    comparison = Comparison(result.engine, result.status, result.message)
    if not result.ok:
        return comparison
    if volatile is None:
        volatile = volatile_cells(package)
    for key, cell in package.cells.items():
        comparison.verdicts.append(judge(cell, result.cells.get(key), volatile.get(key)))
    return comparison


@dataclass
class Disagreement:
    """A cell where two engines, or an engine and Excel's cached value, do not agree."""

    cell: FormulaCell
    outcomes: dict[str, Outcome | None]
    matches_cached: dict[str, bool]
    engines_agree: bool


def cross_check(package: Package, results: list[Result], volatile: dict[Cell, str] | None = None) -> list[Disagreement]:
    """Every non-volatile cell where the engines disagree with each other or with the cached value (a cell
    an engine could not compute counts as a disagreement)."""
    if volatile is None:
        volatile = volatile_cells(package)
    out = []
    for key, cell in package.cells.items():
        if key in volatile:
            continue
        outcomes = {r.engine: (r.cells.get(key) if r.ok else Failed(f"{r.status}: {r.message}")) for r in results}
        values = [o.value for o in outcomes.values() if isinstance(o, Computed)]
        all_computed = len(values) == len(outcomes)
        agree = all_computed and all(same(values[0], v) for v in values[1:])
        matches = {
            name: isinstance(o, Computed) and cell.cached is not None and same(o.value, cell.cached)
            for name, o in outcomes.items()
        }
        if not (agree and all(matches.values())):
            out.append(Disagreement(cell, outcomes, matches, agree))
    return out
