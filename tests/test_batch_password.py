"""``xlperf batch`` and workbooks with an open password: a stored "needs a password" or "wrong password" result
is not reused when a password is given, since the password may open the file now; other results are reused
as before."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import encrypted, example

from xlperf.results_db import ResultsDB

PASSWORD = "secret"


def xlperf(*args: str, env_password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XLPERF_PASSWORD"}
    if env_password is not None:
        env["XLPERF_PASSWORD"] = env_password
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=300, env=env)


def files_of(db: Path, run_id: int) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM files WHERE run_id = ?", (run_id,)).fetchall()
    finally:
        conn.close()
    return {Path(r["path"]).name: dict(r) for r in rows}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An encrypted copy of seed 004 (warnings and hints only once opened), a plain one and a corrupt file."""
    folder = tmp_path / "收到的表"
    folder.mkdir()
    encrypted(example("004"), folder / "加密.xlsx", PASSWORD)
    shutil.copy(example("004"), folder / "明文.xlsx")
    (folder / "损坏.xlsx").write_bytes(example("001").read_bytes()[:5000])
    return folder


def test_a_file_that_needed_a_password_is_checked_again_when_one_is_given(folder, tmp_path):
    db = tmp_path / "r.sqlite"
    first = xlperf("batch", str(folder), "--db", str(db))
    assert first.returncode == 2, first.stderr
    run1 = files_of(db, 1)
    assert run1["加密.xlsx"]["status"] == "unreadable" and "打开密码" in run1["加密.xlsx"]["error"]

    again = xlperf("batch", str(folder), "--db", str(db))  # still no password: the earlier result stands
    assert again.returncode == 2
    assert all(r["reused_from"] is not None for r in files_of(db, 2).values())

    opened = xlperf("batch", str(folder), "--db", str(db), "--password", PASSWORD)
    assert opened.returncode == 2, opened.stderr  # the corrupt file is still unreadable
    run3 = files_of(db, 3)
    assert run3["加密.xlsx"]["reused_from"] is None
    assert run3["加密.xlsx"]["status"] == "ok" and run3["加密.xlsx"]["error"] is None
    assert run3["加密.xlsx"]["warnings"] == run3["明文.xlsx"]["warnings"] > 0
    assert "加密.xlsx" not in opened.stderr
    # results that have nothing to do with a password are reused as before
    assert run3["明文.xlsx"]["reused_from"] == run1["明文.xlsx"]["id"]
    assert run3["损坏.xlsx"]["reused_from"] == run1["损坏.xlsx"]["id"]

    # once opened, the result is reused, with or without the password
    assert xlperf("batch", str(folder / "加密.xlsx"), "--db", str(db), "--password", PASSWORD).returncode == 0
    assert files_of(db, 4)["加密.xlsx"]["reused_from"] == run3["加密.xlsx"]["id"]


def test_the_password_from_the_environment_counts_as_given(folder, tmp_path):
    db = tmp_path / "r.sqlite"
    assert xlperf("batch", str(folder / "加密.xlsx"), "--db", str(db)).returncode == 2
    run = xlperf("batch", str(folder / "加密.xlsx"), "--db", str(db), env_password=PASSWORD)
    assert run.returncode == 0, run.stderr
    row = files_of(db, 2)["加密.xlsx"]
    assert row["reused_from"] is None and row["status"] == "ok"


def test_a_wrong_password_result_is_checked_again(folder, tmp_path):
    db = tmp_path / "r.sqlite"
    path = str(folder / "加密.xlsx")
    wrong = xlperf("batch", path, "--db", str(db), "--password", "wrong")
    assert wrong.returncode == 2
    assert "打开密码不正确" in files_of(db, 1)["加密.xlsx"]["error"]

    # without any password, a wrong-password result would ask to check a password that was not given
    none = xlperf("batch", path, "--db", str(db))
    assert none.returncode == 2
    row = files_of(db, 2)["加密.xlsx"]
    assert row["reused_from"] is None and "工作簿设有打开密码" in row["error"]

    # another password is tried, and is wrong too
    assert xlperf("batch", path, "--db", str(db), "--password", "wrong2").returncode == 2
    row = files_of(db, 3)["加密.xlsx"]
    assert row["reused_from"] is None and "打开密码不正确" in row["error"]

    right = xlperf("batch", path, "--db", str(db), "--password", PASSWORD)
    assert right.returncode == 0, right.stderr
    row = files_of(db, 4)["加密.xlsx"]
    assert row["reused_from"] is None and row["status"] == "ok"


def test_previous_skips_password_results_only_when_a_password_is_given(folder, tmp_path):
    from xlperf.batch import CheckOptions, check_file

    path = str(folder / "加密.xlsx")
    needs = check_file(path, CheckOptions())
    wrong = check_file(path, CheckOptions(password="wrong"))
    corrupt = check_file(str(folder / "损坏.xlsx"), CheckOptions(password=PASSWORD))
    assert (needs.status, wrong.status, corrupt.status) == ("unreadable",) * 3

    with ResultsDB(str(tmp_path / "r.sqlite")) as db:
        run = db.start_run("test", {})
        needs_id = db.add_result(run, needs)
        corrupt_id = db.add_result(run, corrupt)
        assert db.previous(path, "test", "cached") == (needs_id, needs.sha256)
        assert db.previous(path, "test", "cached", password_given=True) is None
        assert db.previous(corrupt.path, "test", "cached", password_given=True) == (corrupt_id, corrupt.sha256)
        db.add_result(run, wrong)  # a wrong-password result is never reused: the one before it stands
        assert db.previous(path, "test", "cached") == (needs_id, needs.sha256)
        assert db.previous(path, "test", "cached", password_given=True) is None
