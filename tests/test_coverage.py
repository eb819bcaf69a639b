"""Never silent: what a reader could not place is reported, and ``inspect`` says what was read."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import example
from openpyxl import Workbook

from xlperf.checks import check_model
from xlperf.forms import read_file


def xlperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=120)


def test_the_examples_are_read_completely(models):
    for seed, model in models.items():
        for form in model.forms:
            cov = model.coverage_of(form)
            assert cov is not None and cov.read > 0 and cov.unread == [], (seed, form.sheet, cov)


def test_inspect_shows_the_coverage_of_each_form():
    out = xlperf("inspect", "--json", str(example("004")))
    sheet = json.loads(out.stdout)["sheets"][0]
    assert sheet["coverage"]["rows"] == [1, 73] and sheet["coverage"]["unread"] == []
    text = xlperf("inspect", str(example("004"))).stdout
    assert "读入：第 1–73 行" in text


def test_a_sheet_with_the_forms_labels_that_cannot_be_read_says_so(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(["一级指标", "二级指标", "说明"])  # no 三级 / 指标值 column: not a table xlperf can read
    ws.append(["产出指标", "数量指标", "救助人数2500人"])
    wb.save(tmp_path / "labels.xlsx")
    model = read_file(str(tmp_path / "labels.xlsx"))
    found = [(f.code, f.sheet, f.cell) for f in check_model(model).findings]
    assert found == [("form.partly_read", "指标", "A1")]


def test_hidden_and_list_sheets_are_not_forms(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "下拉选项"
    for row in (["一级指标", "二级指标"], ["产出指标", "数量指标"], ["效益指标", "社会效益指标"]):
        ws.append(row)
    hidden = wb.create_sheet("工作底稿")
    hidden.append(["临时计算", 12])
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "lists.xlsx")
    model = read_file(str(tmp_path / "lists.xlsx"))
    assert model.unrecognized == [] and sorted(model.skipped) == ["下拉选项", "工作底稿"]
    assert check_model(model).findings == []


def test_a_formula_without_a_value_that_cannot_be_computed_is_reported(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "附表2"
    ws.append(["序号", "名称", "金额", "实施期绩效目标", "年度绩效目标"])
    ws.append([1, "提退人员经费", 14.87, "保障", "保障"])
    ws.append(["合计", None, "=BAHTTEXT(C2)"])  # a function the engine does not have
    wb.save(tmp_path / "uncomputed.xlsx")
    model = read_file(str(tmp_path / "uncomputed.xlsx"))
    assert model.uncomputed == {"附表2": [(3, 3)]}
    found = [(f.code, f.cell) for f in check_model(model).findings if f.code == "form.partly_read"]
    assert found == [("form.partly_read", "C3")]


def test_inspect_says_which_formulas_it_computed(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "附表2"
    ws.append(["序号", "名称", "金额", "实施期绩效目标", "年度绩效目标"])
    ws.append([1, "提退人员经费", 14.87, "保障", "保障"])
    ws.append([2, "高龄老人补贴资金", 245, "保障", "保障"])
    ws.append(["合计", None, "=SUM(C2:C3)"])
    wb.save(tmp_path / "program.xlsx")
    out = xlperf("inspect", str(tmp_path / "program.xlsx"))
    assert "合计 259.87" in out.stdout
    assert "1 个公式没有保存计算结果" in out.stdout
