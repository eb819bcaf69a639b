"""What a person reads: the rule's Chinese name beside its code in every presenter — the terminal table,
the cell notes and the 校验结果 sheet of the annotated copy, the batch .xlsx and .html reports — and the
concise format of ``xlperf check`` (``file:sheet!cell code message``, one line per finding), through real
processes."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import example
from openpyxl import load_workbook
from rich.cells import cell_len

from xlperf.render import EMITTERS, Checked, concise_line, sheet_ref
from xlperf.report import Finding
from xlperf.rules import BY_CODE, RULES, title_of


def xlperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, encoding="utf-8", timeout=300
    )


def json_findings(path) -> tuple[int, list[dict]]:
    run = xlperf("check", "--format", "json", str(path))
    assert run.returncode in (0, 1), run.stderr
    return run.returncode, json.loads(run.stdout)["findings"]


# --- the one helper ----------------------------------------------------------------------------------------


def test_title_of_is_the_catalogs_title():
    assert all(title_of(r.code) == r.title and r.title for r in RULES)
    assert title_of("amount.sum_mismatch") == "合计不符"
    assert title_of("no.such_rule") == ""  # a code kept by another version of xlperf: no name, no crash


# --- the terminal table ------------------------------------------------------------------------------------


def test_the_table_shows_the_rules_name_beside_each_code():
    run = xlperf("check", str(example("000")))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert all(cell_len(line) <= 160 for line in lines)  # readable on a 160-column terminal (and in a pipe)
    header = next(line for line in lines if "严重性" in line)
    assert [c.strip() for c in header.strip("┃").split("┃")] == ["严重性", "代码", "名称", "位置", "说明"]
    rows = [[c.strip() for c in line.strip("│").split("│")] for line in lines if line.startswith("│")]
    named = [(cells[1], cells[2]) for cells in rows if cells[1]]  # the first line of each finding's row
    _, findings = json_findings(example("000"))
    assert [code for code, _ in named] == [f["code"] for f in findings]  # codes are never folded
    assert all(name == BY_CODE[code].title for code, name in named)
    assert ("amount.text_calc_mismatch", "测算说明金额不符") in named and ("xref.name_mismatch", "名称不一致") in named


# --- concise -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "ref"),
    [
        ("附件3", "附件3"),
        ("部门整体支出绩效目标表", "部门整体支出绩效目标表"),
        ("Sheet_1.x", "Sheet_1.x"),
        ("附表3 (10)", "'附表3 (10)'"),
        ("1.临时救助", "'1.临时救助'"),
        ("附表3（低保）", "'附表3（低保）'"),
        ("A1", "'A1'"),
        ("R1C1", "'R1C1'"),
        ("TRUE", "'TRUE'"),
        ("张三's", "'张三''s'"),
    ],
)
def test_sheet_names_are_quoted_as_excel_quotes_them(sheet, ref):
    assert sheet_ref(sheet) == ref


def test_a_concise_line_is_one_line_whatever_the_text():
    f = Finding("form.partly_read", "warning", "表\n1", "", "第 2 行\n有\t内容\x1b[2J")
    line = concise_line("a\nb.xlsx", f)
    assert "\n" not in line and "\t" not in line and "\x1b" not in line
    assert line == "a␊b.xlsx:'表␊1' form.partly_read 第 2 行␊有␉内容␛[2J"


def expected_lines(path, findings: list[dict]) -> list[str]:
    out = []
    for f in findings:
        where = sheet_ref(f["sheet"]) + (f"!{f['cell']}" if f["cell"] else "")
        out.append(f"{path}:{where} {f['code']} {f['message']}")
    return out


def test_concise_emitter_gives_one_line_per_finding_of_seed_000(capsys):
    from xlperf.checks import check_model
    from xlperf.forms import read_file

    path = str(example("000"))
    report = check_model(read_file(path))
    EMITTERS["concise"]([Checked(path, report)], True)
    lines = capsys.readouterr().out.splitlines()
    _, findings = json_findings(path)
    assert lines == expected_lines(path, findings)


def test_concise_format_of_seed_000_is_the_json_findings_one_per_line():
    path = example("000")
    run = xlperf("check", "--format", "concise", str(path))
    code, findings = json_findings(path)
    assert run.returncode == code == 0, run.stderr  # warnings and hints only, as for the other formats
    lines = run.stdout.splitlines()
    assert len(lines) == len(findings) and lines == expected_lines(path, findings)
    cells = [re.match(rf"{re.escape(str(path))}:(.+?) [a-z]+\.[a-z_]+ ", line).group(1) for line in lines]
    assert cells == [sheet_ref(f["sheet"]) + "!" + f["cell"] for f in findings]
    assert f"{path}:部门整体支出绩效目标表!E24 indicator.imprecise_number “高龄老人补贴人数" in run.stdout
    assert (
        f"{path}:'附表3 (10)'!E20 amount.text_calc_mismatch 测算说明列出的金额 92.63 + 35.41 + 4.83 + 2.7 = 135.57 "
        "万元，比该行金额 174.57 万元少 39.00 万元。请补全或改正所列各项，使其合计为 174.57 万元，或改正该行金额"
    ) in lines


def test_concise_format_exits_as_the_others():
    with_errors = xlperf("check", "--format", "concise", str(example("001")))
    assert with_errors.returncode == 1, with_errors.stderr
    assert with_errors.stdout.count(" amount.sum_mismatch ") == 2
    missing = xlperf("check", "--format", "concise", "没有这个文件.xlsx")
    assert missing.returncode == 2 and missing.stdout == ""


# --- the annotated copy --------------------------------------------------------------------------------------


def test_the_result_sheet_has_the_rule_name_column_and_the_notes_name_the_rule(tmp_path):
    out = tmp_path / "已标注.xlsx"
    run = xlperf("check", str(example("000")), "--output", str(out))
    assert run.returncode == 0, run.stderr
    wb = load_workbook(out)
    ws = wb["校验结果"]
    header = [c.value for c in ws[1]]
    assert header == ["序号", "严重性", "代码", "规则名称", "工作表", "单元格", "说明", "应为", "实为"]
    rows = list(ws.iter_rows(min_row=2))
    _, findings = json_findings(example("000"))
    assert [r[2].value for r in rows] == [f["code"] for f in findings]
    assert [r[3].value for r in rows] == [title_of(f["code"]) for f in findings]
    for r in rows:
        assert r[5].hyperlink.location == f"{sheet_ref_quoted(r[4].value)}!{r[5].value}"  # 单元格 still links
        note = wb[r[4].value][r[5].value].comment.text
        assert f"{r[2].value} {r[3].value}：" in note  # the note names the rule too


def sheet_ref_quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


# --- the batch reports ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch_reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("presenters")
    folder = root / "in"
    folder.mkdir()
    for seed in ("000", "001"):
        shutil.copy(example(seed), folder / f"{seed}.xlsx")
    db = str(root / "results.sqlite")
    for name in ("报告.html", "报告.xlsx"):
        run = xlperf("batch", str(folder), "--db", db, "--report", str(root / name))
        assert run.returncode == 1, run.stderr  # seed 001 has errors
    codes = [f["code"] for seed in ("000", "001") for f in json_findings(folder / f"{seed}.xlsx")[1]]
    return root, codes


def test_the_batch_xlsx_names_the_rules(batch_reports):
    root, codes = batch_reports
    wb = load_workbook(root / "报告.xlsx")
    problems = wb["问题"]
    header = [c.value for c in problems[1]]
    assert header[header.index("代码") + 1] == "规则名称"
    body = list(problems.iter_rows(min_row=2, values_only=True))
    i = header.index("代码")
    assert sorted(r[i] for r in body) == sorted(codes)
    assert all(r[i + 1] == title_of(r[i]) for r in body)
    per_rule = list(wb["按规则"].iter_rows(values_only=True))
    assert per_rule[0][:2] == ("代码", "规则名称")
    assert all(name == title_of(code) for code, name, *_ in per_rule[1:])


def test_the_batch_html_names_the_rules_in_the_table_and_the_chart(batch_reports):
    root, codes = batch_reports
    page = (root / "报告.html").read_text(encoding="utf-8")
    findings = page[page.index('<table class="data" id="findings">') :]
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", findings[: findings.index("</thead>")])
    assert heads[heads.index("代码") + 1] == "名称"
    pairs = re.findall(r"<td><code>([^<]+)</code></td><td class=\"rule\">([^<]*)</td>", findings)
    assert sorted(code for code, _ in pairs) == sorted(codes)
    assert all(html.unescape(name) == title_of(code) for code, name in pairs)
    chart = page[page.index("各规则的问题数") : page.index("各单位的问题数")]
    labels = [
        html.unescape(t) for t in re.findall(r'<text x="[^"]+" y="[^"]+" text-anchor="end">([^<]*)</text>', chart)
    ]
    assert sorted(labels) == sorted(f"{code} {title_of(code)}" for code in set(codes))  # none cut
