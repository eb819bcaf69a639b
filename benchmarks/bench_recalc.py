"""Benchmark: recalculation.

1. Every corpus workbook (../shared/corpus/recalc) and every example (totals filled as formulas) by each
   engine, each run in a child process of its own: the engine's time (loading and evaluating, in the
   child), the child's wall time (Python start-up and imports included), its peak resident memory
   (ru_maxrss) and the match rate against the cached values.
2. One workbook recalculated by ``xlperf recalc`` (the whole process, as a user runs it) and by LibreOffice
   headless (``soffice --convert-to xlsx`` with recalculation on load forced in a throwaway profile), side
   by side in one run, and the values of every formula cell compared between the two outputs.

Run on demand: ``python benchmarks/bench_recalc.py [--part 1|2] [--runs N] [--time-limit S] [--memory-limit MB]``.
Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from xlperf.recalc import ENGINES  # noqa: E402
from xlperf.recalc.baseline import CORPUS, example_workbooks, measured_files, run  # noqa: E402

# LibreOffice: recalculate on load, always, for OOXML and ODF files (0 = always, 1 = never, 2 = ask)
_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def engines_table(time_limit: float, memory_mb: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = measured_files(CORPUS, Path(tmp))
        print(f"{len(files)} workbooks, engines {', '.join(ENGINES)}, one child process each", flush=True)

        def show(m) -> None:
            rss = f"{m.peak_rss_mb:.0f}" if m.peak_rss_mb else "-"
            print(f"  {m.engine:9} {m.status:10} {m.seconds:7.2f} s {rss:>6} MB {m.file}", flush=True)

        measures = run(
            files, jobs=jobs, time_limit=time_limit, memory_mb=memory_mb, isolate_ironcalc=True, progress=show
        )
    print()
    print("| workbook | formulas | ironcalc: time, peak RSS, match | formulas: time, peak RSS, match |")
    print("|---|---:|---|---|")
    by_file: dict[str, dict[str, object]] = {}
    for m in measures:
        by_file.setdefault(m.file, {})[m.engine] = m
    totals = {e: {"seconds": 0.0, "matched": 0, "compared": 0, "ok": 0} for e in ENGINES}
    for name, per in by_file.items():
        cells = []
        count = 0
        for engine in ENGINES:
            m = per[engine]
            count = m.formula_cells
            rss = f"{m.peak_rss_mb:.0f} MB" if m.peak_rss_mb else "—"
            if m.status == "ok":
                cells.append(f"{m.seconds:.2f} s, {rss}, {m.match_pct:.1f} %")
                totals[engine]["ok"] += 1
                totals[engine]["matched"] += m.counts["matched"]
            else:
                cells.append(f"{m.status} after {m.seconds:.0f} s, {rss}")
            totals[engine]["seconds"] += m.seconds
            totals[engine]["compared"] += m.compared
        print(f"| {name} | {count} | {cells[0]} | {cells[1]} |")
    for engine, t in totals.items():
        pct = 100 * t["matched"] / t["compared"] if t["compared"] else 0
        print(
            f"{engine}: {t['ok']}/{len(by_file)} workbooks computed, {t['seconds']:.1f} s in all, "
            f"{t['matched']} of {t['compared']} compared cells match Excel ({pct:.1f} %)"
        )


def _values(path: Path) -> dict:
    from xlperf.recalc.package import read_package

    return {key: cell.cached for key, cell in read_package(path.read_bytes()).cells.items()}


def against_libreoffice(runs: int, source: Path | None = None) -> None:
    from xlperf.book.patch import KEEP_FORMULA, CellPatch, patch_cells
    from xlperf.recalc.package import read_package
    from xlperf.recalc.values import same

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc")
        return
    version = subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout.strip()
    exe = shutil.which("xlperf")
    xlperf = [exe] if exe else [sys.executable, "-m", "xlperf"]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        examples = tmp / "examples"
        examples.mkdir()
        if source is None:
            filled = next(p for p in example_workbooks(examples) if p.name.startswith("seed002"))
            what = "the seed 002 example with its totals filled as formulas by xlperf fill"
        else:
            filled, what = source, source.name
        package = read_package(filled.read_bytes())
        # make the cached values stale, so that a tool that does not recalculate shows
        stale = {}
        for cell in list(package.cells.values())[::3]:
            stale.setdefault(cell.sheet, {})[cell.ref] = CellPatch(0, KEEP_FORMULA)
        workbook = tmp / "workbook.xlsx"
        workbook.write_bytes(patch_cells(filled.read_bytes(), stale))
        print(f"workbook: {what}: {len(package.sheets)} sheets, {len(package.cells)} formula cells,")
        print(f"  {sum(len(v) for v in stale.values())} of them with their cached value set to 0; {version}")

        profile = tmp / "lo_profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
        lo_out = tmp / "lo"
        lo_cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(lo_out),
            str(workbook),
        ]
        xl_out = tmp / "xlperf.xlsx"
        xl_cmd = [*xlperf, "recalc", str(workbook), "--output", str(xl_out)]
        # Python caches compiled modules as an installed package does (a development shell may say not to)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(lo_cmd, capture_output=True, timeout=300)  # the profile's first start is not timed
        subprocess.run(xl_cmd, capture_output=True, timeout=300, env=env)
        times: dict[str, list[float]] = {"xlperf recalc": [], "LibreOffice": []}
        for _ in range(runs):
            for name, cmd in (("xlperf recalc", xl_cmd), ("LibreOffice", lo_cmd)):
                start = time.perf_counter()
                done = subprocess.run(cmd, capture_output=True, timeout=300, env=env)
                times[name].append(time.perf_counter() - start)
                assert done.returncode in (0, 1), done.stderr
        for name, t in times.items():
            print(f"{name}: median {statistics.median(t):.3f} s (min {min(t):.3f}, max {max(t):.3f}, {runs} runs)")
        ratio = statistics.median(times["LibreOffice"]) / statistics.median(times["xlperf recalc"])
        print(f"xlperf recalc is {ratio:.1f}x faster than LibreOffice")

        ours, theirs, expected = _values(xl_out), _values(lo_out / "workbook.xlsx"), _values(filled)
        differing = [k for k in ours if not same(ours[k], theirs.get(k))]
        print(f"values: {len(ours) - len(differing)} of {len(ours)} formula cells the same in both outputs")
        for name, values in (("xlperf recalc", ours), ("LibreOffice", theirs)):
            right = sum(1 for k in ours if same(values.get(k), expected[k]))
            print(f"  {name}: {right} of {len(ours)} equal to the values before they were made stale")
        for key in differing[:10]:
            print("  differs:", key, ours[key], theirs.get(key))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("1", "2", "all"), default="all")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--memory-limit", type=int, default=8192)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--workbook", type=Path, help="for part 2: this workbook instead of the seed 002 example")
    args = parser.parse_args()
    if args.part in ("2", "all"):
        against_libreoffice(args.runs, args.workbook)
    if args.part in ("1", "all"):
        engines_table(args.time_limit, args.memory_limit, args.jobs)


if __name__ == "__main__":
    main()
