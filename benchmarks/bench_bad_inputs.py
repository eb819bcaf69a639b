"""Benchmark: what xlperf answers for each bad or hostile input, and the time and memory it takes.

Run on demand: ``python benchmarks/bench_bad_inputs.py [--markdown]``. Each case of tests/hostile.py (the
table the tests assert) is built in a temporary folder and run as a user runs it, ``python -m xlperf …`` in
its own process; the wall time and that process's peak resident memory (from ``wait4``) are measured. With
``--markdown`` the rows are printed as the table of docs/reliability.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # run from a checkout without installing

from hostile import CASES, run_measured  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the table of docs/reliability.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="xlperf-bad-") as tmp:
        for case in CASES:
            folder = Path(tmp) / case.name
            folder.mkdir()
            path = case.build(folder)
            argv = [*case.argv, str(path)]
            if case.argv[0] == "fill":
                argv += ["--output", str(folder / "out.xlsx")]
            done = run_measured(argv, cwd=ROOT)
            code, seconds, mb = done.returncode, done.seconds, done.peak_mb
            line = (done.stderr.strip().splitlines() or [""])[0]
            answer = line.replace(str(path), path.name) if line else "（正常检查，无错误信息）"
            rows.append((case, code, seconds, mb, answer, path.stat().st_size if path.exists() else 0))
    if args.markdown:
        print("| 输入 | 命令 | 大小 | 退出码 | 回答 | 时间 | 峰值内存 |")
        print("|---|---|---:|---:|---|---:|---:|")
        for case, code, seconds, mb, answer, size in rows:
            print(
                f"| {case.what} | `{' '.join(case.argv)}` | {size / 1024:.0f} KB | {code} | {answer} "
                f"| {seconds:.2f} s | {mb:.0f} MB |"
            )
    else:
        for case, code, seconds, mb, answer, _ in rows:
            print(f"{case.name:16} exit {code}  {seconds:5.2f} s  {mb:5.0f} MB  {answer[:100]}")


if __name__ == "__main__":
    main()
