"""Benchmark: big inputs as whole processes — sheets reaching row 1,048,576 / column XFD, and 50,000 indicator rows.

Run on demand: ``python benchmarks/bench_big_inputs.py [--rows 50000] [--keep]``. The workbooks are written to
a temporary folder (removed afterwards unless ``--keep``) by ``tests/big_inputs.py``:

- seed 000 with a value typed at XFD1048576 (and the sheet's dimension claiming A1:XFD1048576), with only a
  style there, with a value at A1048576, and seed 003 with a value at XFD1048576 (its first sheet ends with
  its indicator table, so the reader walks the rows down to the far cell);
- a 项目支出绩效目标表 and a 绩效自评表 of ``--rows`` indicator rows.

Each is run as ``xlperf check --format json`` (and the first as ``xlperf inspect --json``) in a fresh process;
printed: wall time, CPU time (steadier on a shared machine) and the peak resident memory of that process
(``ru_maxrss`` of the children of a small wrapper process, so nothing else counts). What to expect: a far
cell costs a second or two and about 100 MB (the limits are in xlperf/limits.py); 50,000 rows are checked
in seconds, not minutes, in about 250 MB.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
sys.path.insert(0, str(ROOT / "tests"))

from big_inputs import indicator_workbook, with_far_cell  # noqa: E402

_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(code, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)\n"
)


def measure(*args: str) -> tuple[int, float, float, float]:
    """Exit code, wall seconds, CPU seconds and peak MB of ``xlperf ARGS`` in a fresh process."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "xlperf", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    code, kb, cpu = out.stdout.split()
    return int(code), seconds, float(cpu), int(kb) / 1024


def example(seed: str) -> Path:
    return next((ROOT / "examples").glob(f"seed{seed}_*.xlsx"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="indicator rows of the big forms")
    parser.add_argument("--keep", action="store_true", help="keep the generated workbooks")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xlperf-big-"))
    try:
        xfd = with_far_cell(example("000"), folder / "xfd.xlsx")
        style = with_far_cell(example("000"), folder / "style.xlsx", value=None)
        bottom = with_far_cell(example("000"), folder / "bottom.xlsx", "A1048576", dimension=None)
        table = with_far_cell(example("003"), folder / "seed003.xlsx")
        cases = [
            ("seed 000", ["check"], example("000")),
            ("seed 000, value at XFD1048576", ["check"], xfd),
            ("  the same, inspect", ["inspect"], xfd),
            ("seed 000, style only at XFD1048576", ["check"], style),
            ("seed 000, value at A1048576", ["check"], bottom),
            ("seed 003, value at XFD1048576", ["check"], table),
        ]
        start = time.perf_counter()
        for kind in ("project", "selfeval"):
            path = indicator_workbook(folder / f"{kind}.xlsx", args.rows, kind)
            cases.append((f"{kind} form, {args.rows:,} indicator rows", ["check"], path))
        print(f"generated the big forms in {time.perf_counter() - start:.1f} s ({folder})")
        for what, command, path in cases:
            flag = "--json" if command == ["inspect"] else "--format=json"
            code, seconds, cpu, mb = measure(*command, flag, str(path))
            print(f"{what:<40} exit {code:>2}  {seconds:6.2f} s  (CPU {cpu:6.2f} s)  peak {mb:5.0f} MB")
    finally:
        if args.keep:
            print(f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
