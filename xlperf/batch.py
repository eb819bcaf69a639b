"""``xlperf batch``: check a folder of workbooks in worker processes, keep the results in SQLite, write a report.

One per-file function, :func:`check_file` (a path in, a plain picklable :class:`FileResult` out), is what
every way of running a batch calls: local worker processes (``concurrent.futures``), or the workers of an
existing Dask cluster (``--scheduler``). The parent process alone talks to the database and draws the
progress bar; a file that cannot be read is one result among the others, never the end of the batch.

A re-run skips a file whose sha256, the xlperf version and the mode (cached values or ``--recalc``) are
those of its latest result in the database, and reports that result again; ``--force`` checks every file.
A file whose result was that it needs a password is checked again when a password is given, and one opened
with a wrong password always is (:meth:`xlperf.results_db.ResultsDB.previous`).

Exit code: 0 when no file has errors, 1 when some file has error findings, 2 when some file could not be
read (or checked), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlperf import __version__
from xlperf.safe_text import utf8

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_DB = "xlperf-results.sqlite"
DEFAULT_MAX_MB = 100.0
# What a folder is searched for (any case). Old .xls and .xlsb are taken too, so that the report says what
# to do with them instead of leaving them out silently.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb")
UNREADABLE = ("unreadable", "too_large", "failed")


@dataclass(frozen=True)
class CheckOptions:
    """What a worker needs besides the path: whether to recalculate first, and the size limit."""

    recalc: bool = False
    max_bytes: int = int(DEFAULT_MAX_MB * 1024 * 1024)
    password: str | None = field(default=None, repr=False)  # for encrypted workbooks; never stored or shown
    profile: Any = None  # the xlperf.profiles.Profile in force; None: the national one

    @property
    def mode(self) -> str:
        """How a file was checked: ``cached`` or ``recalc``, and the profile when it is not the national one
        (``cached+yunnan-gejiu-2022@1a2b3c4d5e6f``), so that a re-run under another profile checks again."""
        mode = "recalc" if self.recalc else "cached"
        if self.profile is None:
            return mode
        from xlperf.profiles import NATIONAL, fingerprint

        return mode if self.profile == NATIONAL else f"{mode}+{self.profile.name}@{fingerprint(self.profile)}"


@dataclass
class FileResult:
    """The outcome of checking one file: plain values only, so that it crosses process and machine borders.

    ``status`` is ``ok`` (checked; see ``counts`` and ``findings``), ``unreadable`` (not a workbook that
    can be read: ``error`` says why in one line), ``too_large`` (over the size limit) or ``failed`` (an
    unexpected error while checking). ``findings`` are dicts with the rule catalog's keys.
    """

    path: str
    sha256: str | None = None
    size: int | None = None
    status: str = "ok"
    error: str | None = None
    mode: str = "cached"
    unit: str | None = None
    forms: list[tuple[str, str]] = field(default_factory=list)  # (sheet, form kind), in sheet order
    counts: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "hint": 0})
    score: float | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return self.counts["error"]

    @property
    def warnings(self) -> int:
        return self.counts["warning"]

    @property
    def hints(self) -> int:
        return self.counts["hint"]


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def check_file(path: str, options: CheckOptions | None = None) -> FileResult:
    """Check one workbook: every rule of the catalog, plus its unit, forms and score. Never raises for a bad
    file: the reason is in the result."""
    from xlperf.errors import WorkbookError

    options = options or CheckOptions()
    start = time.perf_counter()
    result = FileResult(path, mode=options.mode)
    try:
        size = os.stat(path).st_size
        result.size = size
        if size > options.max_bytes:
            mb, limit = _mb(size), _mb(options.max_bytes)
            err = WorkbookError(path, f"文件过大（{mb} MB，上限 {limit} MB）", f"file too large: {mb} MB > {limit} MB")
            result.status, result.error = "too_large", str(err)
            return result
        result.sha256 = sha256_of(path)
        _check_into(result, path, options)
    except WorkbookError as err:
        result.status, result.error = "unreadable", _one_line(str(err))
    except FileNotFoundError:
        result.status, result.error = "unreadable", str(WorkbookError(path, "文件不存在", "file not found"))
    except OSError as exc:
        reason = f"cannot open: {exc.strerror or exc}"
        result.status, result.error = "unreadable", str(WorkbookError(path, "无法打开文件", reason))
    except Exception as exc:  # a bug or a library failure on one file must not end the batch
        result.status = "failed"
        result.error = _one_line(f"检查 {path} 时出错：{type(exc).__name__}: {exc} (internal error)")
    finally:
        result.seconds = round(time.perf_counter() - start, 4)
    return result


def _check_into(result: FileResult, path: str, options: CheckOptions) -> None:
    from xlperf.profiles import NATIONAL
    from xlperf.session import Session

    profile = options.profile or NATIONAL
    if options.recalc:
        session = Session.of_model(path, _recalculated_model(path, options.password), profile)
    else:
        session = Session.open(path, options.password, profile)
    model = session.model
    report = session.check()
    unit, score = unit_of(model), score_of(model, options.profile.scoring if options.profile else None)
    result.unit, result.score = unit, score
    result.forms = [(f.sheet, f.kind) for f in model.forms]
    result.counts = report.counts()
    result.findings = [f.to_json() for f in report.findings]


def _recalculated_model(path: str, password: str | None = None) -> Any:
    """The model of the workbook with its formulas recalculated by :mod:`xlperf.recalc`.

    ``recalculate_for_check(path)`` gives the recalculated workbook as a model, a Book, or the bytes of the
    workbook with the new values patched in; a file it cannot recalculate raises WorkbookError."""
    from xlperf.forms import read_book, read_file
    from xlperf.recalc import recalculate_for_check

    out = recalculate_for_check(path, password=password)
    if isinstance(out, (bytes, bytearray)):
        import tempfile

        with tempfile.TemporaryDirectory(prefix="xlperf-recalc-") as tmp:
            copy = Path(tmp) / Path(path).name
            copy.write_bytes(out)
            return read_file(str(copy))
    return out if hasattr(out, "forms") else read_book(out)


def unit_of(model: Any) -> str | None:
    """The unit a workbook belongs to: the first 部门名称 / 单位 / 单位名称 of its forms, in sheet order (each
    form's schema names the fields that hold it)."""
    from xlperf.forms import schema_of
    from xlperf.forms.schema import resolve

    for form in model.forms:
        for path in schema_of(form).unit_fields:
            for value, _ in resolve(form, path):
                if value is not None and not value.empty:
                    return " ".join(value.text.split())
    return None


def score_of(model: Any, settings: Any = None) -> float | None:
    """The 总分 of the workbook's self-evaluation tables (as written, else as the scoring rules give it);
    the mean when there are several; None without a self-evaluation table or a total."""
    from decimal import Decimal

    from xlperf.scoring import DEFAULT, r2, score_table

    totals: list[Decimal] = []
    for ev in model.of_kind("self_eval"):
        total = ev.total_score.value if ev.total_score.value is not None else score_table(ev, settings or DEFAULT).total
        if total is not None:
            totals.append(total)
    if not totals:
        return None
    return float(r2(sum(totals, Decimal(0)) / len(totals)))


def _mb(size: float) -> str:
    mb = size / 2**20
    return f"{mb:.0f}" if mb >= 10 else f"{mb:.2g}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------- inputs


def _is_workbook_name(p: Path) -> bool:
    return p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")  # ~$: Excel's lock files


def collect_inputs(args: Iterable[str]) -> tuple[list[str], list[str]]:
    """The files named by DIR / GLOB / FILE arguments, as absolute paths, each once, in a stable order; and the
    arguments that matched nothing. A folder is searched recursively for workbooks; a file named outright is
    taken whatever its name."""
    found: dict[str, None] = {}
    empty: list[str] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            hits = sorted(str(q) for q in p.rglob("*") if q.is_file() and _is_workbook_name(q))
        elif p.exists():
            hits = [arg]
        elif glob.has_magic(arg):
            hits = sorted(q for q in glob.glob(arg, recursive=True) if Path(q).is_file())
        else:
            hits = [arg]  # reported as "文件不存在" with the others
        if not hits:
            empty.append(arg)
        for h in hits:
            found.setdefault(os.path.abspath(h), None)
    return list(found), empty


# ---------------------------------------------------------------------------------------------- runners

Done = Callable[[FileResult], None]


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops them in order; SIGTERM ends them at once."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run_local(paths: list[str], options: CheckOptions, jobs: int, done: Done) -> None:
    """Check ``paths`` in ``jobs`` worker processes, calling ``done`` in this process for each result.

    At most a few files per worker are in flight, so that memory does not grow with the folder. A worker
    that dies (killed for memory, a crash in a native library) breaks the pool: the files it held are then
    checked again one at a time in a new pool, and one that breaks a pool on its own is recorded as failed.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    # Workers start by fork where there is one: they inherit the imports, so no second start-up per worker.
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    _preload()
    queue = list(reversed(paths))  # taken from the end
    suspects: list[str] = []  # files held by a worker pool that broke: checked again one at a time
    while queue or suspects:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init)
        inflight: dict[Any, str] = {}
        alone = False
        try:
            while suspects:
                alone = True
                result = pool.submit(check_file, suspects[-1], options).result()
                suspects.pop()
                done(result)
            alone = False
            while queue or inflight:
                while queue and len(inflight) < 4 * jobs:
                    fut = pool.submit(check_file, queue[-1], options)
                    inflight[fut] = queue.pop()
                finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                for fut in finished:
                    result = fut.result()
                    del inflight[fut]
                    done(result)
        except BrokenProcessPool:
            if alone:  # it broke the pool on its own
                path = suspects.pop()
                error = f"检查 {path} 时工作进程异常退出 (worker process died)"
                done(FileResult(path, status="failed", mode=options.mode, error=error))
            for fut, path in inflight.items():
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    done(fut.result())
                else:
                    suspects.append(path)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _preload() -> None:
    """Import what a check needs before the workers fork."""
    import importlib

    for name in ("xlperf.forms", "xlperf.checks", "xlperf.scoring", "xlperf.errors"):
        importlib.import_module(name)


def worker_version() -> str:
    """The xlperf version a (Dask) worker runs."""
    return __version__


def run_dask(paths: list[str], options: CheckOptions, address: str, done: Done) -> None:
    """Check ``paths`` on the workers of the Dask cluster at ``address`` (they must reach the same paths,
    e.g. on a shared filesystem, and run this xlperf version), calling ``done`` here for each result."""
    from distributed import Client, as_completed

    client = Client(address, timeout="20s")
    outstanding: set[Any] = set()
    try:
        try:
            versions = client.run(worker_version)
        except Exception as exc:
            raise BatchError(
                f"Dask 工作进程无法运行 xlperf：{_one_line(str(exc))} (is xlperf installed there?)"
            ) from exc
        if not versions:
            raise BatchError(f"Dask 集群 {address} 上没有工作进程 (no workers)")
        wrong = {w: v for w, v in versions.items() if v != __version__}
        if wrong:
            raise BatchError(f"Dask 工作进程的 xlperf 版本与本机 {__version__} 不同：{wrong} (version mismatch)")
        pending = iter(paths)

        def submit(n: int) -> list[Any]:
            new = [client.submit(check_file, path, options, pure=False) for path in _take(pending, n)]
            outstanding.update(new)
            return new

        # A window of files in flight, a few per worker thread, refilled as results come back.
        stream = as_completed(submit(max(8, 4 * sum(client.nthreads().values()))))
        for fut in stream:
            result = fut.result()
            outstanding.discard(fut)
            fut.release()
            done(result)
            for new in submit(1):
                stream.add(new)
    finally:
        if outstanding:
            client.cancel(list(outstanding))
        client.close()


def _take(it: Iterator[str], n: int) -> list[str]:
    return [path for _, path in zip(range(n), it, strict=False)]


class BatchError(Exception):
    """A batch that cannot start (no such cluster, no recalculation engine …): one line for the user."""


# ---------------------------------------------------------------------------------------------- progress


class _Bar:
    """The progress bar on stderr: files done / total, files with errors, unreadable files, rate, time left.

    It is redrawn when a result comes in, not by a timer thread, so that no thread is running when the worker
    pool forks its processes."""

    def __init__(self, total: int, already: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.speed
                return Text(f"{speed:.1f} 个/秒" if speed else "… 个/秒", style="progress.data.speed")

        self.progress = Progress(
            TextColumn("检查"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("有错误 {task.fields[errors]} · 无法读取 {task.fields[unreadable]}"),
            Rate(),
            TextColumn("剩余"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            auto_refresh=False,
        )
        self.task = self.progress.add_task("batch", total=total, completed=already, errors=0, unreadable=0)
        self.errors = self.unreadable = 0
        self.started = False
        self.last = 0.0

    def advance(self, result: FileResult) -> None:
        if result.status in UNREADABLE:
            self.unreadable += 1
        elif result.errors:
            self.errors += 1
        self.progress.update(self.task, advance=1, errors=self.errors, unreadable=self.unreadable)
        if not self.started:
            self.progress.start()
            self.started = True
        now = time.monotonic()
        if now - self.last > 0.1 or self.progress.tasks[0].finished:
            self.progress.refresh()
            self.last = now

    def stop(self) -> None:
        if self.started:
            self.progress.refresh()
            self.progress.stop()


# ---------------------------------------------------------------------------------------------- the command


def run_batch(args: argparse.Namespace) -> int:
    import sqlite3

    from xlperf.cli import password_of, profile_of
    from xlperf.errors import WorkbookError
    from xlperf.results_db import ResultsDB

    try:
        profile = profile_of(args)
    except WorkbookError as err:
        print(str(err), file=sys.stderr)
        return EXIT_UNREADABLE
    options = CheckOptions(
        recalc=args.recalc,
        max_bytes=int(args.max_size * 1024 * 1024),
        password=password_of(args),
        profile=None if _is_national(profile) else profile,
    )
    if args.report and Path(args.report).suffix.lower() not in (".xlsx", ".html", ".htm"):
        print("--report 须为 .xlsx 或 .html 文件 (the report is OUT.xlsx or OUT.html)", file=sys.stderr)
        return EXIT_UNREADABLE
    for what, out in (("--report", args.report), ("--db", args.db)):
        if out and not Path(out).resolve().parent.is_dir():
            print(f"{what} 所在的文件夹不存在：{out} (no such folder)", file=sys.stderr)
            return EXIT_UNREADABLE
    if args.recalc:
        try:
            from xlperf.recalc import recalculate_for_check  # noqa: F401
        except ImportError:
            print("--recalc 尚不可用：本版本还没有重算模块 (recalculation is not available yet)", file=sys.stderr)
            return EXIT_UNREADABLE
    if args.scheduler:
        try:
            import distributed  # noqa: F401
        except ImportError:
            print(
                "--scheduler 需要 Dask：pip install 'xlperf[dask]' (dask.distributed is not installed)", file=sys.stderr
            )
            return EXIT_UNREADABLE
    jobs = args.jobs or _cores()
    if jobs < 1:
        print("--jobs 至少为 1 (--jobs must be at least 1)", file=sys.stderr)
        return EXIT_UNREADABLE

    paths, empty = collect_inputs(args.inputs)
    for arg in empty:
        print(f"没有匹配的工作簿：{arg} (nothing matched)", file=sys.stderr)
    if not paths:
        print("没有要检查的文件 (no files to check)", file=sys.stderr)
        return EXIT_UNREADABLE

    try:
        db = ResultsDB(args.db)
    except sqlite3.Error as err:
        print(f"无法打开结果数据库 {args.db}：{err} (cannot open the database)", file=sys.stderr)
        return EXIT_UNREADABLE
    run_args = {
        "inputs": list(args.inputs), "jobs": jobs, "recalc": args.recalc, "report": args.report,
        "force": args.force, "scheduler": args.scheduler, "max_size_mb": args.max_size,
        "profile": options.profile.name if options.profile else "national",
    }  # fmt: skip
    run_id = db.start_run(__version__, run_args)
    status = "failed"  # until it is done or interrupted
    on_term = _stop_on_sigterm()
    try:
        todo, reused = _plan(db, run_id, paths, options, args.force)
        db.commit()
        _execute(db, run_id, todo, len(paths), len(reused), options, jobs, args.scheduler)
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
    except BatchError as err:
        print(str(err), file=sys.stderr)
    except OSError as err:
        if not args.scheduler:
            raise
        print(
            f"无法连接 Dask 集群 {args.scheduler}：{_one_line(str(err))} (cannot reach the scheduler)", file=sys.stderr
        )
    finally:
        _restore_sigterm(on_term)
        db.finish_run(run_id, status)
    if status != "done":
        db.close()
        if status == "interrupted":
            print(f"已中断 (interrupted)；已完成的结果保存在 {args.db}（第 {run_id} 次运行）", file=sys.stderr)
            return EXIT_INTERRUPTED
        return EXIT_UNREADABLE
    rows = db.files_of_run(run_id)
    run = db.run(run_id)
    db.close()

    for r in rows:
        if r.status in UNREADABLE:
            print(r.error, file=sys.stderr)
    if args.report:
        from xlperf.batch_report import write_report

        write_report(rows, args.report, run)
    _summary(rows, run, args)
    if any(r.status in UNREADABLE for r in rows):
        return EXIT_UNREADABLE
    return EXIT_FINDINGS if any(r.errors for r in rows) else EXIT_OK


def _is_national(profile: Any) -> bool:
    from xlperf.profiles import NATIONAL

    return profile == NATIONAL


def _stop_on_sigterm() -> Any:
    """SIGTERM (a service manager, a timeout) stops the batch as Ctrl-C does: workers ended, run recorded."""
    import signal

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        return None


def _restore_sigterm(previous: Any) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _plan(db: Any, run_id: int, paths: list[str], options: CheckOptions, force: bool) -> tuple[list[str], list[str]]:
    """Split ``paths`` into those to check and those whose earlier result stands (recorded in this run)."""
    todo, reused = [], []
    for path in paths:
        prev = None if force else db.previous(utf8(path), __version__, options.mode, bool(options.password))
        if prev is not None:
            try:
                same = sha256_of(path) == prev[1]
            except OSError:
                same = False
            if same:
                db.reuse(run_id, prev[0])
                reused.append(path)
                continue
        todo.append(path)
    return todo, reused


def _execute(
    db: Any, run_id: int, todo: list[str], total: int, already: int, options: CheckOptions, jobs: int,
    scheduler: str | None,
) -> None:  # fmt: skip
    bar = _Bar(total, already)
    last_commit = time.monotonic()

    def done(result: FileResult) -> None:
        nonlocal last_commit
        result.path = utf8(result.path)  # a file name that is not UTF-8 is stored with its bytes escaped
        result.error = None if result.error is None else utf8(result.error)
        db.add_result(run_id, result)
        bar.advance(result)
        if time.monotonic() - last_commit > 1.0:
            db.commit()
            last_commit = time.monotonic()

    try:
        if scheduler:
            run_dask(todo, options, scheduler, done)
        else:
            run_local(todo, options, jobs, done)
    finally:
        bar.stop()
        db.commit()


def _summary(rows: list[Any], run: dict[str, Any], args: argparse.Namespace) -> None:
    n = len(rows)
    reused = sum(1 for r in rows if r.reused)
    bad = sum(1 for r in rows if r.status in UNREADABLE)
    with_errors = sum(1 for r in rows if r.errors)
    findings = sum(r.errors + r.warnings + r.hints for r in rows)
    parts = [f"共 {n} 个文件", f"检查 {n - reused}"]
    if reused:
        parts.append(f"未变化跳过 {reused}")
    print(
        "，".join(parts) + f"；有错误的文件 {with_errors}，无法读取 {bad}；问题共 {findings} 项。"
        f"结果：{args.db}（第 {run['id']} 次运行）" + (f"；报告：{args.report}" if args.report else "")
    )


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "batch",
        help="批量校验文件夹中的工作簿，结果存入 SQLite 并生成报告 (check many workbooks)",
        description="批量校验：每个工作簿按规则目录检查，多进程并行；结果存入 SQLite，未变化的文件在重新运行时跳过。",
    )
    p.add_argument(
        "inputs", nargs="+", metavar="DIR|GLOB", help="文件夹（递归查找 .xlsx/.xlsm/.xls/.xlsb）、通配符或文件"
    )
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="工作进程数（默认：全部 CPU 核）")
    p.add_argument("--recalc", action="store_true", help="检查前先重算公式（不使用工作簿中缓存的值）")
    p.add_argument("--report", metavar="OUT.xlsx|OUT.html", help="写出报告：Excel 工作簿或单个 HTML 页面")
    p.add_argument("--db", default=DEFAULT_DB, metavar="RESULTS.sqlite", help=f"结果数据库（默认 {DEFAULT_DB}）")
    p.add_argument("--force", action="store_true", help="重新检查所有文件，包括未变化的")
    p.add_argument("--scheduler", metavar="ADDRESS", help="在已有的 Dask 集群上运行，如 tcp://scheduler:8786")
    p.add_argument(
        "--max-size",
        type=float,
        default=DEFAULT_MAX_MB,
        metavar="MB",
        help=f"文件大小上限（默认 {DEFAULT_MAX_MB:.0f} MB）",
    )
    from xlperf.cli import add_password_argument, add_profile_argument

    add_password_argument(p)
    add_profile_argument(p)
    p.set_defaults(run=run_batch)
