"""Benchmark: ``xlperf batch`` on 500 workbooks generated from the examples, as a whole process.

Run on demand: ``python benchmarks/bench_batch.py [N] [--jobs 2] [--seed 0] [--keep]``. The workbooks are
written to a temporary folder (removed afterwards unless ``--keep``): copies of the five examples with the
unit renamed (every cell naming the place), all amounts multiplied by a whole factor (so totals still add
up) and, in about a third of them, one planted error — a 附表2 amount changed (xref.amount_mismatch, and
amount.sum_mismatch on the 合计), a 指标值 turned into "是/否" or "≥≥95%", a task amount that no longer adds
up, a 资金支出计划 that goes down, a count target given as a percentage. The cells are written with the
package's patcher (xlperf.book.patch), so everything else in each workbook stays as the example has it.

Targets (docs/benchmarks.md): ≥ 25 workbooks/s with --jobs 2 on the 2-core reference machine, peak memory of
the whole process tree ≤ 500 MB, every planted error found (looked up in the SQLite results).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from xlperf.a1 import a1  # noqa: E402
from xlperf.book import open_book  # noqa: E402
from xlperf.book.patch import CellPatch, patch_cells  # noqa: E402
from xlperf.forms import read_file  # noqa: E402
from xlperf.model import Field  # noqa: E402

# The place in each example's unit name, replaced by a generated one wherever a cell names it.
PLACES = {"000": "株洲市石峰区", "001": "株洲市芦淞区", "002": "秦皇岛市山海关区", "003": "个旧市", "004": "乌尔禾区"}
CITIES = "临江 青石 白沙 安平 东湖 南岭 北川 西林 长宁 永和 清河 新安 宝山 云阳 金水 龙泉".split()
DISTRICTS = "城东 城西 河口 高新 望江 桥头 山前 湖滨 新城 老街 港口 花园".split()
# Fields holding an amount in 万元 (on any form), multiplied by the factor.
AMOUNTS = {"total", "amount", "project_amount", "details_total", "budget", "fiscal", "other",
           "initial_budget", "annual_budget", "executed"}  # fmt: skip

WAN = re.compile(r"\d+(?:\.\d+)?(?=\s*万)")  # a number of 万元 in a text

Edits = dict[str, dict[str, CellPatch]]


@dataclass(frozen=True)
class Plant:
    code: str
    sheet: str
    cell: str


def example(seed: str) -> Path:
    return next((ROOT / "examples").glob(f"seed{seed}_*.xlsx"))


def amount_fields(obj: Any, out: list[Field]) -> list[Field]:
    """Every amount field of a form, in nested rows too: cells holding a number, or a label with the amount
    written after it ("资金总额：1786.46")."""
    if isinstance(obj, list):
        for item in obj:
            amount_fields(item, out)
    elif is_dataclass(obj) and not isinstance(obj, Field):
        for f in fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, Field):
                if f.name in AMOUNTS and isinstance(value.value, Decimal) and value.raw is not None:
                    out.append(value)
            elif isinstance(value, (list,)) or is_dataclass(value):
                amount_fields(value, out)
    return out


def scaled(f: Field, factor: int) -> Any:
    """The field's cell with its amount multiplied: a number, or the label text with its last number replaced."""
    if not isinstance(f.raw, str):
        return f.value * factor
    numbers = list(re.finditer(r"\d+(?:\.\d+)?", f.raw))
    last = numbers[-1]
    return f.raw[: last.start()] + format(Decimal(last.group()) * factor, "f") + f.raw[last.end() :]


class Template:
    """One example, read once: where its amounts are, which cells name its place, where errors can go."""

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.path = example(seed)
        self.data = self.path.read_bytes()
        self.model = read_file(str(self.path))
        seen: dict[tuple[str, str], Field] = {}
        for form in self.model.forms:
            for f in amount_fields(form, []):
                seen.setdefault((f.sheet, f.cell), f)
        self.amounts = seen
        # 测算说明 texts that state amounts in 万元 ("…共计14.87万元"): their amounts are multiplied too.
        self.basis = {
            (r.basis.sheet, r.basis.cell): r.basis.text
            for d in self.forms("direction")
            for r in d.details
            if "万" in r.basis.text
        }
        book = open_book(str(self.path))
        self.place_cells: dict[tuple[str, str], str] = {}
        for name in book.sheet_names():
            for r, row in enumerate(book.read(name).values, start=1):
                for c, v in enumerate(row, start=1):
                    if isinstance(v, str) and PLACES[seed] in v:
                        self.place_cells[(name, a1(r, c))] = v

    def forms(self, kind: str) -> list[Any]:
        return self.model.of_kind(kind)


def plants_for(t: Template, rng: random.Random, factor: int) -> tuple[dict[tuple[str, str], Any], list[Plant]]:
    """One planted error for the template's kind of workbook: the cells to write and the findings expected."""
    if t.seed == "000":
        summary = t.forms("summary")[0]
        named = {d.direction.text: d for d in t.forms("direction")}
        row = rng.choice([r for r in summary.rows if r.name.text in named])  # paired by the exact name
        direction = named[row.name.text]
        changed = row.amount.value * factor + Decimal("1.00")
        return {(row.amount.sheet, row.amount.cell): changed}, [
            Plant("xref.amount_mismatch", direction.project_amount.sheet, direction.project_amount.cell),
            Plant("amount.sum_mismatch", summary.total.sheet, summary.total.cell),
        ]
    if t.seed == "004":
        dept = t.forms("dept_target")[0]
        choice = rng.randrange(3)
        if choice == 2:
            task = rng.choice([x for x in dept.tasks if x.fiscal.value])
            value = task.fiscal.value * factor + Decimal("3.00")
            return {(task.fiscal.sheet, task.fiscal.cell): value}, [
                Plant("amount.sum_mismatch", task.total.sheet, task.total.cell)
            ]
        ind = rng.choice([i for i in dept.indicators.indicators if i.parsed_target.number is not None])
        text, code = ("是/否", "indicator.placeholder_value") if choice == 0 else ("≥≥95%", "indicator.bad_value")
        return {(ind.target.sheet, ind.target.cell): text}, [Plant(code, ind.target.sheet, ind.target.cell)]
    if t.seed == "002":
        # a 资金支出计划 whose second point is filled in: the third, set below it, makes the plan go down
        tenth = Decimal("0.1")
        project = rng.choice(
            [p for p in t.forms("project_target") if len(p.plan) >= 3 and (p.plan[1].percent.value or 0) > tenth]
        )
        point = project.plan[2]
        return {(point.percent.sheet, point.percent.cell): "10%"}, [
            Plant("plan.not_monotonic", point.percent.sheet, point.percent.cell)
        ]
    if t.seed == "003":
        project = next(p for p in t.forms("project_target") if p.name.text == "临时救助专项经费")
        ind = next(i for i in project.indicators.indicators if i.name.text == "救助人数")
        return {(ind.target.sheet, ind.target.cell): "100%"}, [
            Plant("indicator.unit_mismatch", ind.target.sheet, ind.target.cell)
        ]
    ev = t.forms("self_eval")[0]
    ind = rng.choice([i for i in ev.indicators.indicators if i.parsed_target.number is not None])
    return {(ind.target.sheet, ind.target.cell): "≥≥95%"}, [
        Plant("indicator.bad_value", ind.target.sheet, ind.target.cell)
    ]


def generate(folder: Path, n: int, seed: int) -> list[tuple[str, Plant]]:
    """Write ``n`` workbooks into ``folder``; return the planted errors as (file name, expected finding)."""
    rng = random.Random(seed)
    templates = [Template(s) for s in PLACES]
    planted: list[tuple[str, Plant]] = []
    for i in range(n):
        t = templates[i % len(templates)]
        place = f"{rng.choice(CITIES)}市{rng.choice(DISTRICTS)}区"
        factor = rng.choice((1, 2, 3, 5))
        cells: dict[tuple[str, str], Any] = {}
        for key, text in t.place_cells.items():
            cells[key] = text.replace(PLACES[t.seed], place)
        for key, f in t.amounts.items():
            cells[key] = scaled(f, factor)
        for key, text in t.basis.items():
            cells[key] = WAN.sub(lambda m, k=factor: format(Decimal(m.group()) * k, "f"), text)
        plants: list[Plant] = []
        if rng.random() < 1 / 3:
            extra, plants = plants_for(t, rng, factor)
            cells.update(extra)
        edits: Edits = {}
        for (sheet, cell), value in cells.items():
            edits.setdefault(sheet, {})[cell] = CellPatch(value)
        name = f"{i:04d}_{place}民政局_{t.path.stem.split('_')[-2]}_{t.path.stem.split('_')[-1]}.xlsx"
        (folder / name).write_bytes(patch_cells(t.data, edits))
        planted += [(name, p) for p in plants]
    return planted


def tree_memory(root_pid: int) -> tuple[int, int]:
    """RSS and PSS (bytes) summed over a process and all its descendants, from /proc."""
    rss = pss = 0
    stack = [root_pid]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return rss, pss


def run_measured(cmd: list[str]) -> tuple[float, int, int, float, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; return wall time, peak RSS and peak PSS of its process tree (sampled every 20 ms), and the
    CPU time (user + system) of the whole tree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, pss = tree_memory(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, peak[0], peak[1], cpu, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def found(db: Path, folder: Path, planted: list[tuple[str, Plant]]) -> list[tuple[str, Plant]]:
    """The planted errors missing from the results."""
    conn = sqlite3.connect(db)
    have = set(
        conn.execute(
            "SELECT f.path, x.code, x.sheet, x.cell FROM findings x JOIN files f ON f.id = x.file_id WHERE f.run_id = 1"
        ).fetchall()
    )
    conn.close()
    return [(name, p) for name, p in planted if (str(folder / name), p.code, p.sheet, p.cell) not in have]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, nargs="?", default=500)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="xlperf-bench-batch-"))
    folder = work / "workbooks"
    folder.mkdir()
    try:
        start = time.perf_counter()
        planted = generate(folder, args.n, args.seed)
        print(
            f"generated {args.n} workbooks with {len(planted)} planted findings in {time.perf_counter() - start:.1f} s"
        )
        db, report = work / "results.sqlite", work / "report.html"
        exe = shutil.which("xlperf")
        base = [exe] if exe else [sys.executable, "-m", "xlperf"]
        cmd = [*base, "batch", str(folder), "--jobs", str(args.jobs), "--db", str(db), "--report", str(report)]
        elapsed, rss, pss, cpu, run = run_measured(cmd)
        if run.returncode not in (0, 1, 2):
            sys.exit(f"xlperf batch failed ({run.returncode}):\n{run.stderr}")
        print(run.stdout.strip())
        print(
            f"xlperf batch --jobs {args.jobs} (whole process, with the HTML report): {elapsed:.2f} s, "
            f"{args.n / elapsed:.1f} workbooks/s; peak memory of the process tree: RSS {rss / 2**20:.0f} MB, "
            f"PSS {pss / 2**20:.0f} MB; CPU time of the tree {cpu:.1f} s ({cpu / args.n * 1000:.0f} ms a workbook)"
        )
        missing = found(db, folder, planted)
        print(f"planted findings found: {len(planted) - len(missing)} / {len(planted)}")
        for name, p in missing:
            print(f"  missing: {name} {p.code} {p.sheet}!{p.cell}")
        elapsed2, rss2, _, _, _ = run_measured(cmd)
        print(
            f"re-run, every file unchanged (skipped, report written again): {elapsed2:.2f} s, RSS {rss2 / 2**20:.0f} MB"
        )
        conn = sqlite3.connect(db)
        per_file = [r[0] for r in conn.execute("SELECT seconds FROM files WHERE run_id = 1 ORDER BY seconds")]
        conn.close()
        if per_file:
            median = per_file[len(per_file) // 2]
            print(f"check time per file in a worker: median {median * 1000:.1f} ms, max {per_file[-1] * 1000:.1f} ms")
        summary = {"n": args.n, "seconds": round(elapsed, 2), "rate": round(args.n / elapsed, 1),
                   "peak_rss_mb": round(rss / 2**20), "peak_pss_mb": round(pss / 2**20), "cpu_seconds": round(cpu, 1),
                   "planted": len(planted), "missing": len(missing)}  # fmt: skip
        print(json.dumps(summary))
        if missing:
            sys.exit(1)
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
