"""Benchmark: checking the seed 000 example, in-process (read + all rules) and as a whole process, and the
36-project seed 002 example in-process with the 审核 rules.

Run on demand: ``python benchmarks/bench_check.py [N]``. Targets (docs/benchmarks.md): seed 000 in-process
median ≤ 50 ms, whole process ≤ 1 s; seed 002 in-process ≤ 100 ms; on the 2-core reference machine.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(what: str, times: list[float]) -> None:
    print(
        f"{what}: median {statistics.median(times) * 1000:.1f} ms, min {min(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms ({len(times)} runs)"
    )


def main(runs: int = 30) -> None:
    from xlperf.book import open_book
    from xlperf.checks import check_model
    from xlperf.forms import read_book

    workbook = str(next((ROOT / "examples").glob("seed000_*.xlsx")))
    check_model(read_book(open_book(workbook)))  # warm the imports
    report("check in-process, read + rules", timed(lambda: check_model(read_book(open_book(workbook))), runs))
    model = read_book(open_book(workbook))
    report("check in-process, rules only", timed(lambda: check_model(model), runs))
    projects = str(next((ROOT / "examples").glob("seed002_*.xlsx")))
    report("seed 002 (36 projects), read + rules", timed(lambda: check_model(read_book(open_book(projects))), runs))
    model = read_book(open_book(projects))
    report("seed 002 (36 projects), rules only", timed(lambda: check_model(model), runs))
    exe = shutil.which("xlperf")
    cmd = [exe] if exe else [sys.executable, "-m", "xlperf"]
    report(
        "xlperf check, whole process",
        timed(lambda: subprocess.run([*cmd, "check", workbook], capture_output=True), max(5, runs // 3)),
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
