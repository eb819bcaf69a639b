"""Each engine against Excel: recalculate every corpus workbook (and every example) and count, per file and
engine, the formula cells that match the cached values, differ, are unsupported, fail, are volatile or
have no cached value.

``python -m xlperf.recalc.baseline`` writes the counts to ``tests/recalc_baseline.tsv`` and the cells that
did not match to ``tests/recalc_baseline_cells.tsv``; ``tests/test_recalc_corpus.py`` runs the same
measurement and fails when a cell that matched in the committed baseline no longer does.

The corpus is ``../shared/corpus/recalc`` beside the repository: real workbooks saved by Excel, with the
values Excel computed. The examples have no formulas of their own; they are measured with their totals
cleared and filled again by ``xlperf fill``, which writes formulas with the values xlperf computed — the
formulas of the forms this project fills.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from xlperf.recalc import ENGINES
from xlperf.recalc.compare import VERDICTS, compare, volatile_cells
from xlperf.recalc.engine import Result, Unsupported, get_engine
from xlperf.recalc.package import Package, read_package

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "recalc"
EXAMPLES = ROOT / "examples"
BASELINE = ROOT / "tests" / "recalc_baseline.tsv"
BASELINE_CELLS = ROOT / "tests" / "recalc_baseline_cells.tsv"

TIME_LIMIT = 60.0  # seconds per file for formulas
MEMORY_MB = 2048  # per formulas child; two run at once on the 2-core reference machine

COLUMNS = ("file", "engine", "status", "formula_cells", *VERDICTS, "match_pct", "unsupported_functions")


@dataclass
class Measure:
    """One engine on one workbook."""

    file: str
    engine: str
    status: str
    formula_cells: int
    counts: Counter[str] = field(default_factory=Counter)
    not_matched: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, A1) → verdict
    unsupported: Counter[str] = field(default_factory=Counter)  # function or feature → cells
    seconds: float = 0.0
    peak_rss_mb: float | None = None
    message: str = ""

    @property
    def compared(self) -> int:
        """Cells an engine should get right: every formula cell but the volatile ones and those without a
        cached value."""
        return self.formula_cells - self.counts["volatile"] - self.counts["no_cached"]

    @property
    def match_pct(self) -> float:
        return round(100 * self.counts["matched"] / self.compared, 2) if self.compared else 100.0

    def row(self) -> dict[str, object]:
        row: dict[str, object] = {
            "file": self.file,
            "engine": self.engine,
            "status": self.status,
            "formula_cells": self.formula_cells,
        }
        row.update({v: self.counts[v] for v in VERDICTS})
        row["match_pct"] = f"{self.match_pct:.2f}" if self.status == "ok" else ""
        row["unsupported_functions"] = " ".join(f"{k}:{n}" for k, n in sorted(self.unsupported.items()))
        return row


def measure(name: str, package: Package, result: Result, volatile: dict | None = None) -> Measure:
    comparison = compare(package, result, volatile)
    m = Measure(name, result.engine, result.status, len(package.cells), seconds=result.seconds)
    m.peak_rss_mb, m.message = result.peak_rss_mb, result.message
    m.counts = comparison.counts
    for v in comparison.verdicts:
        if v.verdict != "matched":
            m.not_matched[(v.cell.sheet, v.cell.ref)] = v.verdict
        if isinstance(v.outcome, Unsupported) and not v.outcome.via:
            for what in v.outcome.what:
                m.unsupported[what.replace(" ", "_")] += 1
    return m


def corpus_files(corpus: Path = CORPUS) -> list[Path]:
    return sorted(corpus.glob("*.xlsx"))


def example_workbooks(out_dir: Path, examples: Path = EXAMPLES) -> list[Path]:
    """The examples with their totals cleared and filled again by ``xlperf fill`` (formulas with cached
    values), written to ``out_dir``; examples that get no formula this way are left out."""
    from xlperf.book.apply import apply_edits, write_atomically
    from xlperf.book.patch import CellPatch, patch_cells
    from xlperf.book.sniff import sniff
    from xlperf.forms import read_file
    from xlperf.totals import fill_totals, totals_of

    out = []
    for src in sorted(examples.glob("seed*.xlsx")):
        model = read_file(str(src))
        clear: dict[str, dict[str, CellPatch]] = {}
        for total in totals_of(model):
            target = total.total
            if target.sheet and target.cell and not isinstance(target.raw, str) and not total.inline_label:
                clear.setdefault(target.sheet, {})[target.cell] = CellPatch(None)
        if not clear:
            continue
        cleared = out_dir / f"cleared_{src.name}"
        write_atomically(patch_cells(sniff(str(src)), clear), cleared)
        report = fill_totals(read_file(str(cleared)))
        if any(e.formula for e in report.edits):
            filled = out_dir / f"{src.stem}_filled.xlsx"
            apply_edits(cleared, report.edits, filled)
            out.append(filled)
        cleared.unlink()
    return out


def run(
    files: list[tuple[str, Path]],
    engines: tuple[str, ...] = ENGINES,
    jobs: int = 2,
    time_limit: float = TIME_LIMIT,
    memory_mb: int = MEMORY_MB,
    isolate_ironcalc: bool = False,
    progress=None,
) -> list[Measure]:
    """Every engine on every file (``files``: the name to record, the path). formulas runs in child
    processes, ``jobs`` at a time, the slowest files first; IronCalc runs here, or in children too when
    ``isolate_ironcalc`` (to measure its memory)."""
    from xlperf.recalc.child import run_isolated

    packages = {name: read_package(path.read_bytes()) for name, path in files}
    volatile = {name: volatile_cells(package) for name, package in packages.items()}

    def one(name: str, path: Path, engine: str) -> Measure:
        if engine == "formulas":
            result = get_engine("formulas", time_limit=time_limit, memory_mb=memory_mb).compute(path)
        elif isolate_ironcalc:
            result = run_isolated(engine, str(path), time_limit, memory_mb)
        else:
            start = time.perf_counter()
            result = get_engine(engine).compute(path, packages[name])
            result.seconds = time.perf_counter() - start
        m = measure(name, packages[name], result, volatile[name])
        if progress:
            progress(m)
        return m

    # the biggest workbooks first, so that the two workers finish together
    tasks = sorted(((n, p, e) for n, p in files for e in engines), key=lambda t: -t[1].stat().st_size)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        done = list(pool.map(lambda t: one(*t), tasks))
    order = {(n, e): i for i, (n, e) in enumerate((n, e) for n, _ in files for e in engines)}
    return sorted(done, key=lambda m: order[(m.file, m.engine)])


# --- the baseline files ----------------------------------------------------------------------------------


def _runs(refs: list[str]) -> list[str]:
    """Consecutive cells of a row written as one range: A1 B1 C1 → A1:C1."""
    from xlperf.a1 import a1, split

    cells = sorted(split(r) for r in refs)
    out: list[str] = []
    i = 0
    while i < len(cells):
        row, col = cells[i]
        j = i
        while j + 1 < len(cells) and cells[j + 1] == (row, cells[j][1] + 1):
            j += 1
        out.append(a1(row, col) if j == i else f"{a1(row, col)}:{a1(row, cells[j][1])}")
        i = j + 1
    return out


def expand(cells: str) -> list[str]:
    """The cells of a run written by :func:`_runs`."""
    from xlperf.a1 import a1, split

    if ":" not in cells:
        return [cells]
    first, last = cells.split(":")
    (row, c1), (_, c2) = split(first), split(last)
    return [a1(row, c) for c in range(c1, c2 + 1)]


def write(measures: list[Measure], counts_path: Path = BASELINE, cells_path: Path = BASELINE_CELLS) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    for m in measures:
        writer.writerow(m.row())
    counts_path.write_text(buf.getvalue(), encoding="utf-8")

    buf = io.StringIO()
    buf.write("file\tengine\tsheet\tcells\tverdict\n")
    for m in measures:
        groups: dict[tuple[str, str], list[str]] = {}
        for (sheet, ref), verdict in m.not_matched.items():
            groups.setdefault((sheet, verdict), []).append(ref)
        for (sheet, verdict), refs in sorted(groups.items()):
            for run_ in _runs(refs):
                buf.write(f"{m.file}\t{m.engine}\t{sheet}\t{run_}\t{verdict}\n")
    cells_path.write_text(buf.getvalue(), encoding="utf-8")


def read(counts_path: Path = BASELINE, cells_path: Path = BASELINE_CELLS):
    """The committed baseline: {(file, engine): row} and {(file, engine): {(sheet, A1): verdict}}."""
    with counts_path.open(encoding="utf-8", newline="") as f:
        rows = {(r["file"], r["engine"]): r for r in csv.DictReader(f, delimiter="\t")}
    cells: dict[tuple[str, str], dict[tuple[str, str], str]] = {key: {} for key in rows}
    with cells_path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            target = cells.setdefault((r["file"], r["engine"]), {})
            for ref in expand(r["cells"]):
                target[(r["sheet"], ref)] = r["verdict"]
    return rows, cells


def measured_files(corpus: Path, work: Path, with_examples: bool = True) -> list[tuple[str, Path]]:
    files = [(p.name, p) for p in corpus_files(corpus)]
    if with_examples:
        files += [(f"examples/{p.name}", p) for p in example_workbooks(work)]
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xlperf.recalc.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus folder (default: ../shared/…)")
    parser.add_argument("--output", type=Path, default=BASELINE, help="the counts file")
    parser.add_argument("--cells", type=Path, default=BASELINE_CELLS, help="the file of cells that did not match")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT)
    parser.add_argument("--memory-limit", type=int, default=MEMORY_MB)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2

    def show(m: Measure) -> None:
        counts = " ".join(f"{v}={m.counts[v]}" for v in VERDICTS if m.counts[v])
        print(f"{m.engine:9} {m.status:10} {m.seconds:7.2f}s {m.file}  {counts}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        files = measured_files(args.corpus, Path(tmp))
        measures = run(files, jobs=args.jobs, time_limit=args.time_limit, memory_mb=args.memory_limit, progress=show)
    write(measures, args.output, args.cells)
    print(f"wrote {args.output} and {args.cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
