"""The ``xlperf inspect`` command, run as a user runs it: a separate process, its output and exit code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import encrypted, example


def xlperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=120)


def test_inspect_lists_forms_fields_and_indicator_counts():
    out = xlperf("inspect", str(example("000")))
    assert out.returncode == 0, out.stderr
    assert "附表2 专项资金绩效目标汇总表：方向数 12，合计 1594.78" in out.stdout
    assert "[附表3 (10)] 附表3 专项资金支出方向绩效目标表：支出方向 经开区-民政救助资金，项目金额 174.57" in out.stdout
    assert "部门名称 株洲市石峰区民政局，资金总额 1786.46" in out.stdout
    assert out.stdout.count("专项资金支出方向绩效目标表") == 12


def test_inspect_json():
    out = xlperf("inspect", "--json", str(example("001")))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    sheets = {s["sheet"]: s for s in data["sheets"]}
    assert sheets["附件3"]["form"] == "self_eval"
    assert sheets["附件3"]["fields"]["总分"] == "94"
    assert sheets["附件3"]["indicators"] == {"产出指标": 6, "效益指标": 2, "满意度指标": 1, "成本指标": 5}
    assert sheets["附件2"]["form"] == "basic_data"
    assert data["unrecognized"] == []


def test_inspect_names_the_sheets_it_does_not_recognise(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "with_notes.xlsx"
    wb = load_workbook(example("004"))
    wb.create_sheet("备注").append(["本表由财务室填报", "2021-03-01"])
    wb.create_sheet("空白")
    wb.save(path)
    out = xlperf("inspect", str(path))
    assert out.returncode == 0
    assert "未识别的工作表：备注" in out.stdout
    assert "空白" not in out.stdout  # an empty sheet is not worth mentioning


def bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    text = tmp / "报表 (1).xlsx"
    text.write_text("单位,金额\n民政局,14.87\n", encoding="utf-8")
    truncated = tmp / "truncated.xlsx"
    truncated.write_bytes(example("000").read_bytes()[:4000])
    locked = encrypted(example("004"), tmp / "locked.xlsx")
    empty = tmp / "empty.xlsx"
    empty.write_bytes(b"")
    return {
        "text renamed .xlsx": (text, "not an xlsx/xlsm file"),
        "truncated zip": (truncated, "truncated or corrupt zip"),
        "password": (locked, "password-protected workbook"),
        "empty": (empty, "empty file"),
        "missing": (tmp / "nowhere.xlsx", "file not found"),
    }


@pytest.mark.parametrize("case", ["text renamed .xlsx", "truncated zip", "password", "empty", "missing"])
def test_unreadable_file_gives_one_line_and_exit_2(tmp_path, case):
    path, reason = bad_files(tmp_path)[case]
    out = xlperf("inspect", str(path))
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert str(path) in lines[0] and reason in lines[0]
    assert "无法读取" in lines[0]
    assert "Traceback" not in out.stderr


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    path, _ = bad_files(tmp_path)["truncated zip"]
    out = xlperf("inspect", str(path), str(example("004")))
    assert out.returncode == 2
    assert "乌尔禾区民政局" in out.stdout
    assert "truncated" in out.stderr


def test_console_script_is_installed():
    exe = shutil.which("xlperf")
    if exe is None:
        pytest.skip("the xlperf console script is not on PATH (package not installed with pip)")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("xlperf ")
