"""Recalculation: two engines behind one interface (:mod:`xlperf.recalc.engine`) — IronCalc and the
formulas library — the comparison with the values Excel cached (:mod:`xlperf.recalc.compare`), and the
``xlperf recalc`` command (:mod:`xlperf.recalc.command`). See docs/recalc.md.

Nothing is imported here, so that building the command line costs nothing.
"""

ENGINES = ("ironcalc", "formulas")
DEFAULT_ENGINE = "ironcalc"  # the engine right on more cells of the corpus and the examples: docs/recalc.md

# The formulas engine runs in a child process with these limits (xlperf.recalc.child).
DEFAULT_TIME_LIMIT = 120.0  # seconds
DEFAULT_MEMORY_MB = 4096


def recalculate_for_check(path: str, engine: str = DEFAULT_ENGINE, password: str | None = None) -> bytes:
    """The workbook's bytes with each formula's cached value replaced by what ``engine`` computes (the
    formulas themselves kept), for ``xlperf batch --recalc``: the checks then read recalculated values
    instead of trusting what was cached. A cell the engine cannot compute keeps its cached value; a file
    the engine cannot load raises WorkbookError with the reason."""
    from xlperf.a1 import a1
    from xlperf.book.patch import KEEP_FORMULA, CellPatch, patch_cells
    from xlperf.book.sniff import sniff
    from xlperf.errors import WorkbookError
    from xlperf.recalc.engine import Computed, get_engine
    from xlperf.recalc.values import XlError

    data = sniff(path, password)
    result = get_engine(engine).compute(data)
    if not result.ok:
        raise WorkbookError(path, "无法重新计算公式", f"recalculation failed: {result.status} {result.message}".strip())
    edits: dict[str, dict[str, CellPatch]] = {}
    for (sheet, row, col), outcome in result.cells.items():
        if isinstance(outcome, Computed):
            value = outcome.value.code if isinstance(outcome.value, XlError) else outcome.value
            edits.setdefault(sheet, {})[a1(row, col)] = CellPatch(value, KEEP_FORMULA)
    return patch_cells(data, edits)
