"""Formula-like, markup-like and control text from cells comes out inert in every report format.

The workbook's 单位名称, 项目名称, 项目编码, 绩效目标 and indicator cells hold text a spreadsheet or a browser
would act on; each indicator repeats its name as its 指标值, so that a finding quotes it in its message and
carries it as ``actual``. Through real processes: ``check --format json`` (valid JSON, the exact text),
``check`` and ``inspect`` on a terminal (no control character reaches it, rich markup shown as typed),
``check --output`` (the 校验结果 sheet: string cells, no formula anywhere), ``batch --report`` .html (escaped:
no element or attribute comes from a cell) and .xlsx (string cells). xlperf writes no CSV report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from big_inputs import one_sheet_workbook
from openpyxl import load_workbook

TEXTS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[red]红[/red][link=http://x]y",
]
ESC_CELL = "_x001B_[2J清屏"  # as the sheet's XML writes it: an ESC character …
ESC = "\x1b[2J清屏"  # … as a reader gets it
UNIT, PROJECT, GOAL = TEXTS[0], TEXTS[1], TEXTS[4]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "in"
    folder.mkdir()
    rows: list[list[object]] = [
        ["临时救助专项经费项目支出绩效目标表"],
        ["单位名称", UNIT],
        ["项目编码", ESC_CELL],
        ["项目名称", PROJECT],
        ["项目金额", 100],
        ["绩效目标", GOAL],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        *(["产出指标", "数量指标", text, text] for text in [*TEXTS, ESC_CELL]),
        ["效益指标", "社会效益指标", "困难群众基本生活保障", "有效保障"],
        ["满意度指标", "服务对象满意度指标", "补助对象满意度", "≥90%"],
    ]
    return one_sheet_workbook(folder / "hostile.xlsx", "1.临时救助", rows)


def xlperf(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=cwd
    )


def test_json_holds_the_exact_texts(hostile):
    out = xlperf("check", "--format", "json", str(hostile))
    assert out.returncode in (0, 1), out.stderr
    assert "\x1b" not in out.stdout  # JSON escapes it
    findings = json.loads(out.stdout)["findings"]
    for text in [*TEXTS, ESC]:
        quoting = [f for f in findings if f["code"] == "indicator.placeholder_value" and f["actual"] == text]
        assert quoting and f"“{text}”" in quoting[0]["message"], text
    fields = json.loads(xlperf("inspect", "--json", str(hostile)).stdout)["sheets"][0]["fields"]
    assert fields["项目名称"] == PROJECT and fields["项目编码"] == ESC


def test_terminal_output_shows_the_texts_and_no_control_character(hostile):
    table = xlperf("check", str(hostile))
    text = xlperf("inspect", str(hostile))
    for out in (table, text):
        assert out.returncode in (0, 1), out.stderr
        assert "\x1b" not in out.stdout
    assert "项目编码 ␛[2J清屏" in text.stdout
    flat = "".join(ch for ch in table.stdout if ch not in "│ \n")  # the table's folded cells joined again
    for t in [*TEXTS, "␛[2J清屏"]:
        assert f"指标值“{t.replace(' ', '')}”" in flat, t  # "[red]" is shown, not styling


def test_annotated_copy_holds_text_cells_only(hostile, tmp_path):
    out = xlperf("check", "--output", str(tmp_path / "annotated.xlsx"), str(hostile))
    assert out.returncode in (0, 1), out.stderr
    wb = load_workbook(tmp_path / "annotated.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # the input has no formula: nor has the copy
    results = [c for row in wb["校验结果"].iter_rows() for c in row if isinstance(c.value, str)]
    for text in TEXTS:
        holding = [c for c in results if c.value == text]
        assert holding and all(c.data_type == "s" for c in holding), text


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_batch_reports_hold_the_texts_inert(hostile, tmp_path):
    db = str(tmp_path / "results.sqlite")
    for report in ("report.html", "report.xlsx"):
        out = xlperf("batch", str(hostile.parent), "--report", str(tmp_path / report), "--db", db)
        assert out.returncode in (0, 1), out.stderr

    page = Page()
    page.feed((tmp_path / "report.html").read_text(encoding="utf-8"))
    tags = [tag for tag, _ in page.tags]
    assert tags.count("script") == 1 and "img" not in tags and "a" not in tags
    attributes = {name for _, attrs in page.tags for name, _ in attrs}
    assert not {a for a in attributes if a.startswith("on")} and "href" not in attributes and "src" not in attributes
    shown = "".join(page.text)
    for text in TEXTS:
        assert text in shown, text

    wb = load_workbook(tmp_path / "report.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert wb["文件"]["B2"].value == UNIT and wb["文件"]["B2"].data_type == "s"
    actual = {c.value: c for c in next(wb["问题"].iter_cols(min_col=10, max_col=10))}  # 实际
    for text in TEXTS:
        assert actual[text].data_type == "s", text
        assert actual[text].quotePrefix == text.startswith(("=", "+", "-", "@")), text  # stays text when edited
