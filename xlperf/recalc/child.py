"""Running an engine in a child process, with a time limit and a memory limit.

The formulas library took up to 66 s and 5 GB to load one workbook of the corpus and never finished two:
in-process, such a workbook would hang the command or take the machine's memory. In a child process the
address space is capped (``RLIMIT_AS``, so an allocation past it fails with MemoryError instead of the
machine swapping or the OOM killer choosing a victim), the wall-clock time is capped (the child is killed),
and either gives a Result with status ``memory`` or ``timeout`` for the file. The child's peak resident
memory (``ru_maxrss``, from ``wait4``) is recorded in the Result, which is also how the benchmarks measure
each engine.

The child is ``python -m xlperf.recalc.child ENGINE PATH MEMORY_MB``; it writes the pickled Result on
stdout.
"""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from xlperf.recalc.engine import Result

# One thread per BLAS / OpenMP pool: the child computes one workbook, and each idle pool thread reserves
# address space that would count against the memory limit.
_CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_isolated(engine: str, path: str, time_limit: float, memory_mb: int | None) -> Result:
    """Compute ``path`` with ``engine`` in a child process; never raises for what happens in the child."""
    # The child's temporary files (the engine's copy of the workbook: xlperf.recalc.engine.engine_copy) go
    # into a folder removed here, also when the child was killed at a limit before removing them.
    scratch = tempfile.mkdtemp(prefix="xlperf-child-")
    try:
        return _run_isolated(engine, path, time_limit, memory_mb, {"TMPDIR": scratch})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_isolated(engine: str, path: str, time_limit: float, memory_mb: int | None, extra: dict[str, str]) -> Result:
    cmd = [sys.executable, "-m", "xlperf.recalc.child", engine, os.fspath(path), str(memory_mb or 0)]
    env = {**os.environ, **_CHILD_ENV, **extra}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [
        threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for t in readers:
        t.start()
    waited: list[tuple[int, int, object]] = []
    waiter = threading.Thread(target=lambda: waited.append(os.wait4(proc.pid, 0)), daemon=True)
    waiter.start()
    waiter.join(time_limit)
    timed_out = waiter.is_alive()
    if timed_out:
        proc.kill()
        waiter.join()
    for t in readers:
        t.join()
    seconds = time.perf_counter() - start
    _, status, usage = waited[0]
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024  # type: ignore[attr-defined]  # kB on Linux
    stderr = (err[0] if err else b"").decode("utf-8", "replace")
    if timed_out:
        message = f"超过 {time_limit:g} 秒 (killed after {time_limit:g} s)"
        return Result(
            engine, status="timeout", message=message, seconds=seconds, peak_rss_mb=peak, wall_seconds=seconds
        )
    try:
        result = pickle.loads(out[0]) if out and out[0] else None
    except Exception:  # a child that died while writing
        result = None
    if not isinstance(result, Result):
        code = proc.returncode
        last = next((line for line in reversed(stderr.strip().splitlines()) if line.strip()), "")
        if "MemoryError" in stderr or code == -signal.SIGKILL:
            status, message = "memory", f"超过内存上限 {memory_mb} MB (out of memory) {last}".strip()
        else:
            status, message = "crashed", f"exit code {code}: {last}".strip()
        return Result(engine, status=status, message=message, seconds=seconds, peak_rss_mb=peak, wall_seconds=seconds)
    result.wall_seconds = seconds
    result.peak_rss_mb = peak
    return result


def _limit_memory(memory_mb: int) -> None:
    import resource

    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str]) -> int:
    engine_name, path, memory_mb = argv[0], argv[1], int(argv[2])
    _limit_memory(memory_mb)
    from xlperf.recalc.engine import get_engine

    options = {"isolate": False} if engine_name == "formulas" else {}
    try:
        result = get_engine(engine_name, **options).compute(path)
    except MemoryError as exc:
        detail = f": {exc}"[:200] if str(exc) else ""
        result = Result(engine_name, status="memory", message=f"超过内存上限 {memory_mb} MB (out of memory{detail})")
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
