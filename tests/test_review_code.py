"""code.format and code.duplicate on the published documents: seed 002's two 供养中心 tables that carry the
本级 codes are found at their cells; every other code of seed 002 (codes of 2021 projects in a 2022 workbook
among them) is quiet, as are the seeds without codes. The fire-and-quiet cases are in rule_cases/code.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import example
from openpyxl import load_workbook
from rule_cases import project
from rule_cases.code import CASES

from xlperf.checks import check_model
from xlperf.checks.code import check
from xlperf.forms import read_file
from xlperf.profiles import NATIONAL, profile_from_table


def codes(model, profile=NATIONAL):
    return [(f.code, f.sheet, f.cell) for f in check(model, profile)]


def test_seed_002_the_two_codes_of_the_other_unit(models):
    found = codes(models["002"])
    assert found == [
        ("code.duplicate", "34.汽车保险费", "B3"),
        ("code.duplicate", "35.人事代理专项补助", "B3"),
    ]
    first = check(models["002"], NATIONAL)[0]
    assert "13030322P00391410001H" in first.message and "1.汽车保险费!B3" in first.message
    assert "供养中心" in first.message and "本级" in first.message and "请照录" in first.message


def test_no_format_finding_on_any_seed(models):
    for seed, model in models.items():
        assert [c for c in codes(model) if c[0] == "code.format"] == [], seed


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("13030322P0039141001H", ["20 位", "21 位", "少 1 位"]),
        ("13030322P00391410001HX", ["22 位", "多 1 位"]),
        ("13030322P0039141000-H", ["“-”不是数字或大写字母"]),
        ("99030322P00391410001H", ["“990303”不是行政区划代码"]),
        ("13030315P00391410001H", ["“15”", "2019 年"]),
        ("13030322p00391410001h", ["小写字母", "请改为“13030322P00391410001H”"]),
        ("１３０３０３22P00391410001H", ["全角字符"]),
        ("13030322P0039 1410001H", ["空格"]),
    ],
)
def test_format_messages_say_what_is_wrong_and_what_to_write(models, tmp_path, code, words):
    model = _with_code(tmp_path, models["002"], code)
    found = [f for f in check(model, NATIONAL) if f.code == "code.format"]
    assert [(f.sheet, f.cell) for f in found] == [("1.汽车保险费", "B3")]
    for w in words:
        assert w in found[0].message, (w, found[0].message)


def test_a_year_later_than_the_budget_year(models, tmp_path):
    model = _with_code(tmp_path, models["002"], "13030323P00391410001H")
    # the workbook's titles name no budget year: quiet
    assert [c for c in codes(model) if c[0] == "code.format"] == []
    profile = profile_from_table({"budget_year": 2022})
    found = [f for f in check(model, profile) if f.code == "code.format"]
    assert len(found) == 1 and "晚于预算年度 2022 年" in found[0].message
    # 2021 codes in the 2022 workbook (carried-over projects) stay quiet
    assert [f for f in check(models["002"], profile) if f.code == "code.format"] == []


def test_the_structure_comes_from_the_profile(models):
    strict = profile_from_table({"code_length": 22})
    assert {c[0] for c in codes(models["002"], strict)} == {"code.format", "code.duplicate"}


def test_the_cases_are_the_two_codes():
    assert sorted(c.code for c in CASES) == ["code.duplicate", "code.format"]


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_case_fires_and_is_quiet_unmutated(case, models, tmp_path):
    wb = load_workbook(example(case.seed))
    for (sheet, cell), value in case.mutate(models[case.seed]).items():
        wb[sheet][cell].value = value
    out = tmp_path / "m.xlsx"
    wb.save(out)
    where = [(f.sheet, f.cell) for f in check_model(read_file(str(out))).findings if f.code == case.code]
    assert case.at(models[case.seed]) in where
    quiet = check_model(models[case.seed]).findings
    assert [f for f in quiet if f.code == case.code and (case.scope is None or f.sheet == case.scope)] == []


def _with_code(tmp_path: Path, model, code: str):
    wb = load_workbook(example("002"))
    target = project(model, "1.").code
    wb[target.sheet][target.cell].value = code
    out = tmp_path / "code.xlsx"
    wb.save(out)
    return read_file(str(out))
