"""The Session every host runs, and what the commands say: the findings of the file as written, the cells
changed, nothing written when nothing is to change, one line and a log for an internal error (exit 3)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import example

from xlperf.book.patch import CellPatch, patch_cells
from xlperf.checks import check_model
from xlperf.forms import read_file
from xlperf.session import Session


def xlperf(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=120, **kw)


def cleared_total(tmp_path):
    summary = read_file(str(example("000"))).of_kind("summary")[0]
    total = summary.total
    src = tmp_path / "cleared.xlsx"
    src.write_bytes(patch_cells(example("000").read_bytes(), {total.sheet: {total.cell: CellPatch(None)}}))
    return src, total


SUM = "SUM(C6:C17)"  # the 附表2 合计 of seed 000 stands first (C5), over the 12 rows under it


def test_a_session_reads_once_and_commits_through_one_path(tmp_path):
    src, total = cleared_total(tmp_path)
    session = Session.open(str(src))
    assert session.model is session.model  # read once
    report = session.fill()
    assert [(e.sheet, e.cell) for e in report.edits] == [(total.sheet, total.cell)]
    written = session.commit(report, tmp_path / "filled.xlsx")
    assert written.path == tmp_path / "filled.xlsx" and written.changed == report.edits
    assert written.report.findings == check_model(read_file(str(written.path))).findings


def test_fill_prints_the_findings_of_the_written_file_and_the_cells_it_changed(tmp_path):
    src, total = cleared_total(tmp_path)
    out = tmp_path / "out.xlsx"
    run = xlperf("fill", str(src), "--output", str(out), "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["written"] == str(out)
    assert [(c["sheet"], c["cell"], c["formula"]) for c in data["edits"]] == [(total.sheet, total.cell, SUM)]
    assert data["findings"] == [f.to_json() for f in check_model(read_file(str(out))).findings]
    text = xlperf("fill", str(src), "--output", str(tmp_path / "again.xlsx"))
    assert f"写入 {total.sheet}!{total.cell}：={SUM}" in text.stdout


def test_a_command_that_changes_nothing_says_so_and_writes_no_copy(tmp_path):
    out = tmp_path / "out.xlsx"
    run = xlperf("fill", str(example("004")), "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert "没有需要填写的合计：文件未改动，未写出新文件" in run.stdout
    assert not out.exists()


def test_bare_xlperf_prints_help():
    run = xlperf()
    assert run.returncode == 0 and run.stdout.startswith("用法：xlperf") and "check" in run.stdout


def test_an_internal_error_is_one_line_exit_3_and_a_log(tmp_path, monkeypatch, capsys):
    """A bug of xlperf's is not "errors found" (1) nor "cannot read" (2): one Chinese line, exit 3, and the
    traceback in a log file."""
    from xlperf import cli

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Session, "check", broken)
    monkeypatch.setenv("XLPERF_LOG_DIR", str(tmp_path / "logs"))
    code = cli.main(["check", str(example("004"))])
    err = capsys.readouterr().err.strip()
    assert code == 3
    assert len(err.splitlines()) == 1 and "内部错误（RuntimeError）" in err and "文件未改动" in err
    (log,) = (tmp_path / "logs").iterdir()
    assert "RuntimeError: a bug" in log.read_text(encoding="utf-8") and str(log) in err


def test_a_wrong_argument_is_one_chinese_line_and_exit_2():
    for args, said in (
        (("check",), "缺少参数：FILE"),
        (
            ("check", "--format", "bogus", "x.xlsx"),
            "参数 --format 的值 'bogus' 不可用，可选：'table', 'json', 'concise'",
        ),
        (("fill", "a.xlsx", "--nope"), "无法识别的参数：--nope"),
    ):
        run = xlperf(*args)
        assert run.returncode == 2 and run.stdout == "", args
        assert len(run.stderr.strip().splitlines()) == 1 and said in run.stderr and "--help 查看用法" in run.stderr
        assert "usage:" not in run.stderr and "Traceback" not in run.stderr


def test_help_is_in_chinese():
    run = xlperf("check", "--help")
    assert run.returncode == 0 and run.stdout.startswith("用法：xlperf check") and "选项" in run.stdout
    assert "显示本帮助并退出" in run.stdout
