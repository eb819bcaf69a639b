"""Benchmark: ``xlperf inspect`` on the seed 000 example as a whole process (start-up included).

Run on demand: ``python benchmarks/bench_inspect.py [N]``. Prints the median and spread of N runs; the
figures are recorded in docs/benchmarks.md. The target is under 1 s on the 2-core reference machine.
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


def main(runs: int = 20) -> None:
    workbook = next((ROOT / "examples").glob("seed000_*.xlsx"))
    exe = shutil.which("xlperf")
    cmd = [exe] if exe else [sys.executable, "-m", "xlperf"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*cmd, "inspect", str(workbook)], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(f"xlperf inspect {workbook.name} ({runs} runs, whole process)")
    print(f"  median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
