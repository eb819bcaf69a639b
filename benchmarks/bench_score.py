"""Benchmark: scoring seed 001's 14-indicator self-evaluation table in-process (model already read).

Run on demand: ``python benchmarks/bench_score.py [N]``. Target (docs/benchmarks.md): ≤ 5 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def main(runs: int = 200) -> None:
    from xlperf.checks.score import self_evaluation
    from xlperf.forms import read_file
    from xlperf.scoring import score_table

    model = read_file(str(next((ROOT / "examples").glob("seed001_*.xlsx"))))
    table = model.of_kind("self_eval")[0]
    assert len(table.indicators.filled) == 14
    for what, fn in (("score_table", lambda: score_table(table)),
                     ("score_table + score.* findings", lambda: self_evaluation(table))):  # fmt: skip
        fn()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        print(f"{what}, 14 indicators: median {statistics.median(times) * 1000:.2f} ms, "
              f"max {max(times) * 1000:.2f} ms ({runs} runs)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
