"""Bad and hostile input, run as a user runs xlperf: a separate process, one line of answer, exit code 2,
nothing partial written. Each case is also a row of docs/reliability.md (benchmarks/bench_bad_inputs.py
measures them)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, encrypted, example
from hostile import CASES, run_measured
from test_cli import xlperf

from xlperf.checks import check_model
from xlperf.forms import read_file


def one_line(out, *needles: str) -> str:
    """The single stderr line of a refused file, holding each of ``needles``."""
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def findings(out: subprocess.CompletedProcess[str]) -> list[tuple[str, str, str]]:
    return sorted((f["code"], f["sheet"], f["cell"]) for f in json.loads(out.stdout)["findings"])


# --- legacy .xls -------------------------------------------------------------------------------------------


def test_an_xls_is_checked_like_the_xlsx_it_was_saved_from():
    """seed000_saved_as_xls.xls is the seed 000 example saved as Excel 97–2003 by LibreOffice."""
    xls = xlperf("check", "--format", "json", str(FIXTURES / "seed000_saved_as_xls.xls"))
    xlsx = xlperf("check", "--format", "json", str(example("000")))
    assert xls.returncode == xlsx.returncode == 0, xls.stderr
    assert findings(xls) == findings(xlsx)
    assert len(findings(xls)) == len(check_model(read_file(str(example("000")))).findings)


def test_writing_an_xls_is_refused_with_how_to_convert(tmp_path):
    out = xlperf("fill", str(FIXTURES / "seed000_saved_as_xls.xls"), "--output", str(tmp_path / "out.xlsx"))
    one_line(out, "legacy .xls (BIFF) workbook is read-only", "另存为", ".xlsx")
    assert list(tmp_path.iterdir()) == []


# --- passwords ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def locked(tmp_path_factory) -> Path:
    return encrypted(example("004"), tmp_path_factory.mktemp("locked") / "乌尔禾 加密.xlsx")


def test_password_opens_it(locked):
    out = xlperf("inspect", "--password", "1234", str(locked))
    assert out.returncode == 0, out.stderr
    assert "乌尔禾区民政局" in out.stdout


def test_password_from_the_environment(locked):
    import os

    env = {**os.environ, "XLPERF_PASSWORD": "1234"}
    out = subprocess.run(
        [sys.executable, "-m", "xlperf", "check", str(locked)], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode in (0, 1), out.stderr
    assert "共 " in out.stdout


def test_the_filled_copy_of_an_encrypted_workbook_is_encrypted_with_the_same_password(tmp_path):
    import msoffcrypto

    locked = encrypted(_to_fill(tmp_path / "plain.xlsx"), tmp_path / "石峰 加密.xlsx")
    out_path = tmp_path / "filled.xlsx"
    out = xlperf("fill", str(locked), "--password", "1234", "--output", str(out_path))
    assert out.returncode in (0, 1), out.stderr
    data = out_path.read_bytes()
    assert msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted()
    again = xlperf("inspect", "--password", "1234", str(out_path))
    assert again.returncode == 0 and "合计 1594.78" in again.stdout


def test_excel_default_encryption_opens_without_a_password(tmp_path):
    """A workbook Excel encrypts without a user password (write protection) opens silently in Excel."""
    path = encrypted(example("004"), tmp_path / "protected.xlsx", "VelvetSweatshop")
    done = xlperf("inspect", str(path))
    assert done.returncode == 0 and "乌尔禾区民政局" in done.stdout


# --- every case of the table ------------------------------------------------------------------------------


MEMORY_CEILING_MB = 400  # a bad input is answered in about the memory of a normal check (docs/reliability.md)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_input_gets_its_answer(tmp_path, case):
    path = case.build(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    argv = [*case.argv, str(path)]
    if case.argv[0] == "fill":
        argv += ["--output", str(out_dir / "filled.xlsx")]
    out = run_measured(argv)
    assert out.peak_mb < MEMORY_CEILING_MB, f"{case.name}: {out.peak_mb:.0f} MB"
    if case.exit == 2:
        one_line(out, case.reason, str(path))
    else:
        assert out.returncode == case.exit or (case.exit == 0 and out.returncode == 1), out.stderr
        assert out.stderr == ""
    assert list(out_dir.iterdir()) == []  # nothing partial


def test_the_zip_bomb_is_small_on_disk(tmp_path):
    bomb = next(c for c in CASES if c.name == "ratio-bomb").build(tmp_path)
    assert bomb.stat().st_size < 200_000


def test_openpyxl_parses_with_defusedxml():
    """Defence in depth: the parts xlperf hands to openpyxl go through defusedxml."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


# --- where and how outputs are written ---------------------------------------------------------------------


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


def _to_fill(dst: Path, value: object = None) -> Path:
    """Seed 000 with its 附表2 合计 cleared (or set to ``value``): a workbook 填充合计 has a total to write
    (one where nothing is to change gets no copy)."""
    from xlperf.book.patch import CellPatch, patch_cells
    from xlperf.forms import read_file

    total = read_file(str(example("000"))).of_kind("summary")[0].total
    dst.write_bytes(patch_cells(example("000").read_bytes(), {total.sheet: {total.cell: CellPatch(value)}}))
    return dst


def test_fill_writes_a_new_file_beside_the_input_by_default(tmp_path):
    src = _to_fill(tmp_path / "石峰区 2023.xlsx")
    original = src.read_bytes()
    for expected in ("石峰区 2023（已填合计）.xlsx", "石峰区 2023（已填合计 2）.xlsx"):
        out = xlperf("fill", str(src))
        assert out.returncode == 0, out.stderr
        assert (tmp_path / expected).exists()
        assert expected in out.stdout
    assert src.read_bytes() == original


def test_in_place_keeps_a_backup_of_every_earlier_version(tmp_path, models):
    from openpyxl import load_workbook

    from xlperf.book.patch import CellPatch, patch_cells

    total = models["000"].of_kind("summary")[0].total  # 附表2 合计 1594.78
    src = tmp_path / "a.xlsx"
    src.write_bytes(patch_cells(example("000").read_bytes(), {total.sheet: {total.cell: CellPatch(None)}}))
    emptied = src.read_bytes()
    out = xlperf("fill", "--in-place", str(src))
    assert out.returncode == 0, out.stderr
    assert "a.xlsx.bak" in out.stdout
    assert (tmp_path / "a.xlsx.bak").read_bytes() == emptied
    assert load_workbook(src)[total.sheet][total.cell].value.startswith("=SUM(")
    out = xlperf("score", "--in-place", str(src))  # no self-evaluation here: refused, nothing written
    assert out.returncode == 2
    assert not (tmp_path / "a.xlsx.2.bak").exists()
    again = xlperf("fill", "--in-place", str(src))  # nothing left to fill: says so, no backup, no write
    assert again.returncode == 0 and "未写出新文件" in again.stdout
    assert not (tmp_path / "a.xlsx.2.bak").exists()
    src.write_bytes(patch_cells(src.read_bytes(), {total.sheet: {total.cell: CellPatch(1600)}}))
    mistyped = src.read_bytes()
    out = xlperf("fill", "--in-place", "--values", "--overwrite", str(src))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "a.xlsx.2.bak").read_bytes() == mistyped
    assert (tmp_path / "a.xlsx.bak").read_bytes() == emptied
    assert leftovers(tmp_path) == []


def test_output_naming_the_input_points_to_in_place(tmp_path):
    src = _copy(example("000"), tmp_path / "a.xlsx")
    one_line(xlperf("fill", str(src), "--output", str(src)), "--in-place")


def _limited(max_bytes: int):
    def limit() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return limit


def test_a_full_disk_leaves_no_partial_file(tmp_path):
    """The file-size limit makes the write fail as a full disk does (EFBIG instead of ENOSPC)."""
    src = _to_fill(tmp_path / "a.xlsx")
    out_path = tmp_path / "out.xlsx"
    out = subprocess.run(
        [sys.executable, "-m", "xlperf", "fill", str(src), "--output", str(out_path)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited(8_000),
    )
    one_line(out, "no space left on device", "磁盘空间不足")
    assert not out_path.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_an_interrupted_write_leaves_the_target_whole_or_absent(tmp_path, signame):
    """Signals at spread-out moments of `xlperf fill --in-place`: the input is always either the original
    or the complete result, never partial, and no temporary file is left."""
    import signal
    import time

    from openpyxl import load_workbook

    src = _copy(example("002"), tmp_path / "a.xlsx")
    original = src.read_bytes()
    for delay in (0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 1.2):
        src.write_bytes(original)
        for bak in tmp_path.glob("*.bak"):
            bak.unlink()
        proc = subprocess.Popen(
            [sys.executable, "-m", "xlperf", "fill", "--in-place", "--overwrite", "--values", str(src)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",  # a signal may cut the output in the middle of a character
        )
        time.sleep(delay)
        proc.send_signal(getattr(signal, signame))
        _, err = proc.communicate(timeout=120)
        assert leftovers(tmp_path) == [], (delay, err)
        now = src.read_bytes()
        if now != original:
            load_workbook(io.BytesIO(now))  # a complete workbook
            assert proc.returncode in (0, 1, 130, -signal.SIGTERM), (delay, proc.returncode, err)
        for bak in tmp_path.glob("*.bak"):
            assert bak.read_bytes() == original


def test_batch_opens_encrypted_workbooks_with_the_password(tmp_path):
    import sqlite3

    folder = tmp_path / "收到的表"
    folder.mkdir()
    encrypted(example("004"), folder / "加密.xlsx", "Xl-绩效-pw")
    (folder / "旧版.xls").write_bytes((FIXTURES / "seed000_saved_as_xls.xls").read_bytes())
    db = tmp_path / "r.sqlite"
    out = xlperf("batch", str(folder), "--jobs", "1", "--db", str(db), "--password", "Xl-绩效-pw")
    assert out.returncode in (0, 1), out.stderr
    with sqlite3.connect(db) as con:
        rows = dict(con.execute("SELECT path, status FROM files"))
    assert sorted(rows.values()) == ["ok", "ok"], rows
    assert "Xl-绩效-pw".encode() not in db.read_bytes()  # the password is never stored
