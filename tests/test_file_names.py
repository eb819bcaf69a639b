"""File names with spaces, Chinese, shell metacharacters, rich markup, a leading dash, and bytes that are not
UTF-8 (a GBK name unpacked from a zip on Linux), through real processes.

``inspect``, ``check --output``, ``fill --output`` and ``batch`` on a folder holding all of them: every
command works, every output has exactly the intended name, nothing else is created (no ``pwned``), and the
names show in the outputs as they are (a name that is not UTF-8 with its bytes escaped). A name starting
with a dash is given after ``--`` (or as ``./-rf.xlsx``); an output starting with one as ``--output=…``.
The processes run with a strict UTF-8 stdout, as on a desktop whose locale is zh_CN.UTF-8.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import example

from xlperf.safe_text import printable

NAMES = [
    "a b.xlsx",
    "民政局 2023（终稿）.xlsx",
    "$(touch pwned);x.xlsx",
    "-rf.xlsx",
    "[bold]粗[link=x]链.xlsx",
]
if os.name != "nt":  # not allowed in a Windows file name
    NAMES.append('it\'s & "q" ; | *.xlsx')
if sys.platform.startswith("linux"):  # a name that is no UTF-8: 民政局 in GBK
    NAMES.append(os.fsdecode(b"\xc3\xf1\xd5\xfe\xbe\xd6 2023.xlsx"))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    return subprocess.run(
        [sys.executable, "-m", "xlperf", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        cwd=cwd,
        env=env,
        timeout=300,
    )


def tree(root: Path) -> set[str]:
    return {os.fsdecode(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def folder(tmp_path) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir()
    from xlperf.book.patch import CellPatch, patch_cells
    from xlperf.forms import read_file

    total = read_file(str(example("000"))).of_kind("summary")[0].total  # cleared: fill has a total to write
    data = patch_cells(example("000").read_bytes(), {total.sheet: {total.cell: CellPatch(None)}})
    for name in NAMES:
        (inputs / name).write_bytes(data)
    (tmp_path / "checked").mkdir()
    (tmp_path / "filled").mkdir()
    return tmp_path


def test_every_command_takes_every_name(folder):
    inputs = folder / "in"
    out = run("inspect", "--", *NAMES, cwd=inputs)
    assert out.returncode == 0, out.stderr
    for name in NAMES:
        assert f"\n{printable(name)}\n" in f"\n{out.stdout}", name  # the name as the first line of its block
    assert run("inspect", "./-rf.xlsx", cwd=inputs).returncode == 0
    out = run("inspect", "--json", "--", *NAMES, cwd=inputs)
    assert [r["file"] for r in json.loads(out.stdout)] == [printable(n) for n in NAMES]

    for name in NAMES:
        out = run("check", f"--output=../checked/{name}", "--", name, cwd=inputs)
        assert out.returncode in (0, 1), (name, out.stderr)
        assert out.stdout.splitlines()[0] == printable(name)  # "[bold]" in a name is shown, not styling
        out = run("fill", f"--output=../filled/{name}", "--", name, cwd=inputs)
        assert out.returncode in (0, 1), (name, out.stderr)

    report, db = "报告 $(touch pwned) & 'x'.html", "结果 it's.sqlite"
    out = run("batch", "in", "--report", report, "--db", db, cwd=folder)
    assert out.returncode in (0, 1), out.stderr

    expected = {"in", "checked", "filled", report, db}
    expected |= {f"{d}/{n}" for d in ("in", "checked", "filled") for n in NAMES}
    assert tree(folder) == expected  # the outputs under their names, and nothing else: no pwned
    assert not Path("pwned").exists() and not (Path.home() / "pwned").exists()

    page = Shown()
    page.feed((folder / report).read_text(encoding="utf-8"))
    for name in NAMES:
        assert printable(name) in page.text, name


class Shown(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text = ""

    def handle_data(self, data):
        self.text += data
