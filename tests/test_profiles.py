"""Review profiles: the shipped ones, a TOML file over the national profile (every field of Profile, whatever
its type, settable; every key and value checked, one Chinese line with exit 2), --rules over the profile's
scoring, the CLI and batch options, and docs/profiles.md made from the dataclass."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import typing
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT, example

from xlperf.profiles import (
    NATIONAL,
    Profile,
    ProfileError,
    load_profile,
    markdown,
    profile_from_table,
    rules_over,
    shipped,
)
from xlperf.scoring import load_settings


def xlperf(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    full = {**os.environ, **(env or {})}
    full.pop("XLPERF_PROFILE", None) if env is None else None
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, env=full)


def write(tmp_path: Path, text: str, name: str = "p.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_shipped_profiles_national_first_and_national_is_the_default():
    names = [n for n, _ in shipped()]
    assert names[0] == "national" and len(names) >= 2
    assert load_profile("national") == NATIONAL
    assert load_profile(None) is NATIONAL
    for name in names:
        assert load_profile(name).name == name


def test_the_local_profile_sets_the_satisfaction_floor_of_its_published_rules():
    """个旧市 2022 (seed 003's document): "满意度低于60%，不得分"; everything else as the national profile."""
    p = load_profile("yunnan-gejiu-2022")
    assert p.scoring.satisfaction_floor == Decimal("0.6")
    assert NATIONAL.scoring.satisfaction_floor == 0
    assert p.scoring.grades == NATIONAL.scoring.grades and p.scoring.qualitative == NATIONAL.scoring.qualitative


def sample(tp, current):
    """A TOML value for a field of type ``tp`` different from ``current`` where the type allows."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is bool:
        return not current
    if tp is int:
        return current + 1 if current else 2030 if current == 0 else 1
    if tp in (float, Decimal):
        return float(current) + 1
    if tp is str:
        return None
    if origin is tuple:
        if args and args[-1] is Ellipsis:
            inner = args[0]
            if typing.get_origin(inner) is tuple:
                return [["甲" if a is str else 1 for a in typing.get_args(inner)]]
            return ["甲"] if inner is str else [1]
        return None
    if origin is dict:
        return {"甲": "乙"} if args[1] is str else None
    return None


def test_every_field_is_settable_from_toml():
    hints = typing.get_type_hints(Profile)
    for f in dataclasses.fields(Profile):
        tp = hints[f.name]
        value = sample(tp, getattr(NATIONAL, f.name))
        if value is None:
            continue
        if f.name == "code_pattern":
            continue
        if f.name in ("budget_year",):
            value = 2024
        if f.name in ("code_provinces",):
            value = ["13"]
        if f.name in ("code_first_year",):
            value = 2020
        try:
            p = profile_from_table({f.name: value}, where="t.toml")
        except ProfileError as err:  # a field's own check may refuse the sample; it still names the key
            assert f.name in str(err)
            continue
        assert getattr(p, f.name) != getattr(NATIONAL, f.name) or value == getattr(NATIONAL, f.name), f.name


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("code_lenght = 20\n", ["code_lenght", "code_length"]),
        ('code_length = "21"\n', ["code_length", "整数"]),
        ("cost_required = 1\n", ["cost_required", "true 或 false"]),
        ('vague_words = ["a", 3]\n', ["vague_words[1]", "文字"]),
        ('code_pattern = "[0-9]{21}"\n', ["code_pattern", "(?P<region>…)"]),
        ('code_pattern = "([0-9"\n', ["code_pattern", "正则表达式"]),
        ("budget_year = 22\n", ["budget_year", "四位年份"]),
        ('[scoring]\ngrades = { "优" = "x" }\n', ["scoring.grades.优", "数字"]),
        ("[scoring]\nrate_weigth = 10\n", ["scoring.rate_weigth", "rate_weight"]),
        ("[scoring]\nrate_reason_below = 120\n", ["scoring.rate_reason_below", "0–100"]),
        (
            '[scoring.qualitative."达成年度指标"]\nlow = 80\n',
            ["scoring.qualitative.达成年度指标", "low、high、default"],
        ),
        ("x = \n", ["不是有效的 TOML"]),
        ('extends = "nowhere"\n', ["extends", "nowhere", "内置配置"]),
    ],
)
def test_a_bad_key_or_value_is_one_chinese_line_naming_file_and_key(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    line = str(info.value)
    assert "\n" not in line and path in line and "有误" in line
    for w in words:
        assert w in line, (w, line)


def test_a_file_is_read_over_national_or_over_what_it_extends(tmp_path):
    p = load_profile(write(tmp_path, "cost_required = false\n", "mine.toml"))
    assert p.name == "mine" and p.cost_required is False and p.scoring == NATIONAL.scoring
    q = load_profile(write(tmp_path, 'extends = "yunnan-gejiu-2022"\nname = "q"\n', "q.toml"))
    assert q.scoring == load_profile("yunnan-gejiu-2022").scoring and q.name == "q"


def test_rules_toml_is_read_as_today_and_layered_over_the_profile_scoring(tmp_path):
    rules = str(ROOT / "examples" / "rules.toml")
    assert rules_over(NATIONAL.scoring, rules) == load_settings(rules)
    local = load_profile("yunnan-gejiu-2022").scoring
    only_weight = write(tmp_path, "rate_weight = 20\n", "r.toml")
    layered = rules_over(local, only_weight)
    assert layered.rate_weight == 20 and layered.grades == local.grades


def test_docs_profiles_md_is_made_from_the_dataclass():
    doc = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
    assert doc == markdown(), "run: python -m xlperf profiles --format markdown > docs/profiles.md"
    for f in dataclasses.fields(Profile):
        assert f"| `{f.name}` |" in doc


def test_cli_profiles_lists_the_shipped_ones():
    run = xlperf("profiles")
    assert run.returncode == 0 and "national" in run.stdout and "yunnan-gejiu-2022" in run.stdout


def test_cli_bad_profile_is_exit_2_with_one_line(tmp_path):
    bad = write(tmp_path, "colour = 1\n")
    for args in (["check", str(example("002"))], ["score", str(example("001")), "--output", str(tmp_path / "o.xlsx")]):
        run = xlperf(*args, "--profile", bad)
        assert run.returncode == 2 and run.stderr.count("\n") == 1 and "colour" in run.stderr, run.stderr
    run = xlperf("check", str(example("002")), "--profile", "nowhere")
    assert run.returncode == 2 and "nowhere" in run.stderr


def test_cli_profile_changes_the_check(tmp_path):
    strict = write(tmp_path, "code_length = 22\n")
    run = xlperf("check", str(example("002")), "--format", "json", "--profile", strict)
    assert run.returncode in (0, 1), run.stderr
    assert run.stdout.count('"code.format"') == 36
    env_run = xlperf("check", str(example("002")), "--format", "json", env={"XLPERF_PROFILE": strict})
    assert env_run.stdout.count('"code.format"') == 36


def test_batch_passes_the_profile_to_workers_and_checks_again_under_another(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "002.xlsx").write_bytes(example("002").read_bytes())
    db = str(tmp_path / "r.sqlite")
    assert xlperf("batch", str(folder), "--db", db, "--jobs", "1").returncode in (0, 1)
    strict = write(tmp_path, "code_length = 22\n", "strict.toml")
    run = xlperf("batch", str(folder), "--db", db, "--jobs", "1", "--profile", strict)
    assert run.returncode in (0, 1), run.stderr
    import sqlite3

    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, mode, reused_from FROM files ORDER BY id").fetchall()
    assert rows[0][1] == "cached" and rows[-1][1].startswith("cached+strict@") and rows[-1][2] is None
    sql = "SELECT count(*) FROM findings WHERE file_id = ? AND code = 'code.format'"
    assert conn.execute(sql, (rows[-1][0],)).fetchone()[0] == 36
    assert conn.execute(sql, (rows[0][0],)).fetchone()[0] == 0
