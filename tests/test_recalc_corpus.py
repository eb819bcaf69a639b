"""Correctness against Excel: every workbook of the recalculation corpus (real workbooks saved by Excel, with
the values Excel computed) and every example (totals filled as formulas by ``xlperf fill``) is recalculated
by each engine and compared cell by cell with the cached values.

The committed baseline (``tests/recalc_baseline.tsv``, counts per file and engine, and
``tests/recalc_baseline_cells.tsv``, the cells that did not match) is written by
``python -m xlperf.recalc.baseline``. The test fails when a cell that matched in the baseline no longer
does; cells that match now and did not before are printed as improvements (regenerate the baseline to keep
them). Volatile formulas (NOW, TODAY, RAND …, and what depends on them) are not compared.

formulas runs in child processes, two at a time, with a limit of 60 s and 2 GB per file; the files it did
not finish in the baseline (timeout, memory) are not run again here unless XLPERF_RECALC_FULL=1, and a file
that runs out of time or memory now, on a slower or busier machine, is reported and not counted.
"""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import pytest

from xlperf.recalc import DEFAULT_ENGINE, ENGINES
from xlperf.recalc.baseline import BASELINE, BASELINE_CELLS, Measure, measured_files, read, run

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "recalc"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason="the recalculation corpus (../shared/corpus/recalc beside the repository) is absent in this checkout",
)

_NOT_FINISHED = ("timeout", "memory")


@pytest.fixture(scope="module")
def baseline():
    return read(BASELINE, BASELINE_CELLS)


@pytest.fixture(scope="module")
def measures(baseline, tmp_path_factory) -> list[Measure]:
    rows, _ = baseline
    files = measured_files(CORPUS, tmp_path_factory.mktemp("recalc_examples"))
    full = os.environ.get("XLPERF_RECALC_FULL") == "1"
    out: list[Measure] = []
    start = time.perf_counter()
    for engine in ENGINES:
        if engine == "formulas" and importlib.util.find_spec("formulas") is None:
            print("formulas is not installed (the [formulas] extra): only IronCalc is measured")
            continue
        todo = files
        if engine == "formulas" and not full:
            todo = [(n, p) for n, p in files if rows.get((n, engine), {}).get("status") not in _NOT_FINISHED]
            for name in sorted({n for n, _ in files} - {n for n, _ in todo}):
                print(f"not run again: {engine} on {name} ({rows[(name, engine)]['status']} in the baseline)")
        out += run(todo, engines=(engine,), jobs=2)
    print(f"recalculated {len(files)} workbooks in {time.perf_counter() - start:.0f} s")
    return out


def test_no_cell_that_matched_in_the_baseline_stops_matching(baseline, measures):
    rows, cells = baseline
    regressions: list[str] = []
    improvements: list[str] = []
    for m in measures:
        key = (m.file, m.engine)
        before = rows.get(key)
        if before is None:
            print(f"new in this run, not in the baseline: {m.engine} on {m.file}")
            continue
        if m.status != "ok":
            if before["status"] == "ok" and m.status in _NOT_FINISHED:
                print(f"not compared: {m.engine} on {m.file}: {m.status} now ({m.message}); ok in the baseline")
            elif before["status"] == "ok":
                regressions.append(f"{m.engine} on {m.file}: {m.status} ({m.message}), ok in the baseline")
            continue
        if before["status"] != "ok":
            improvements.append(f"{m.engine} on {m.file}: {m.counts['matched']} cells match (was {before['status']})")
            continue
        failed_before = cells.get(key, {})
        for (sheet, ref), verdict in m.not_matched.items():
            if (sheet, ref) not in failed_before:
                regressions.append(f"{m.engine} on {m.file}: {sheet}!{ref} matched Excel, now {verdict}")
        now_matching = [cell for cell in failed_before if cell not in m.not_matched]
        if now_matching:
            improvements.append(f"{m.engine} on {m.file}: {len(now_matching)} more cells match Excel")
    for line in improvements:
        print("improvement:", line)
    assert not regressions, f"{len(regressions)} cells stopped matching Excel:\n" + "\n".join(regressions[:50])


def test_the_default_engine_is_right_on_more_cells(measures):
    matched = {engine: sum(m.counts["matched"] for m in measures if m.engine == engine) for engine in ENGINES}
    print("matched cells:", matched)
    assert max(matched, key=matched.get) == DEFAULT_ENGINE


def test_ironcalc_computes_every_workbook(measures):
    failed = [f"{m.file}: {m.status} {m.message}" for m in measures if m.engine == "ironcalc" and m.status != "ok"]
    assert not failed
