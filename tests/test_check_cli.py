"""``xlperf check`` and ``xlperf rules`` as a user runs them: output, JSON keys, exit codes, and the
annotated copy with its 校验结果 sheet."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import example
from openpyxl import load_workbook

KEYS = ["code", "severity", "sheet", "cell", "message", "expected", "actual"]


def xlperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=120)


def counts(path) -> dict[str, int]:
    """The findings of a workbook by severity, as the checks give them in-process (the CLI must agree)."""
    from xlperf.checks import check_model
    from xlperf.forms import read_file

    return check_model(read_file(str(path))).counts()


def test_table_output_and_exit_0_without_errors():
    run = xlperf("check", str(example("000")))
    assert run.returncode == 0, run.stderr  # warnings and hints only
    assert "xref.name_mismatch" in run.stdout and "附表3 (10)!B4" in run.stdout
    n = counts(example("000"))
    assert f"共 {sum(n.values())} 项：错误 0，警告 {n['warning']}，提示 {n['hint']}" in run.stdout


def test_exit_1_when_errors_were_found():
    run = xlperf("check", str(example("001")))
    assert run.returncode == 1
    assert "amount.sum_mismatch" in run.stdout


def test_json_uses_the_catalog_keys_and_shows_the_pairing():
    run = xlperf("check", "--format", "json", str(example("000")))
    data = json.loads(run.stdout)
    assert data["file"].endswith(example("000").name)
    assert data["summary"] == counts(example("000")) and data["summary"]["error"] == 0
    assert all(list(f) == KEYS for f in data["findings"])
    pairs = {p["row_name"]: p for p in data["pairings"]}
    assert pairs["经开区-民政救助专项"]["sheet_name"] == "经开区-民政救助资金"
    assert pairs["经开区-民政救助专项"]["basis"] == "similarity"
    assert pairs["提退人员经费"]["basis"] == "exact"


def test_several_files_and_one_unreadable(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("不是工作簿", encoding="utf-8")
    run = xlperf("check", "--format", "json", str(example("004")), str(bad), str(example("001")))
    assert run.returncode == 2
    data = json.loads(run.stdout)
    assert [d["file"] for d in data] == [str(example("004")), str(example("001"))]
    assert "bad.xlsx" in run.stderr


def test_annotated_copy(tmp_path):
    src = example("001")
    before = src.read_bytes()
    out = tmp_path / "已标注.xlsx"
    run = xlperf("check", str(src), "--output", str(out))
    assert run.returncode == 1
    assert src.read_bytes() == before
    wb = load_workbook(out)
    assert wb.sheetnames == ["附件2", "附件3", "校验结果"]
    results = wb["校验结果"]
    header = [c.value for c in results[1]]
    assert header == ["序号", "严重性", "代码", "规则名称", "工作表", "单元格", "说明", "应为", "实为"]
    rows = list(results.iter_rows(min_row=2, values_only=True))
    codes = [r[2] for r in rows]
    assert codes.count("amount.sum_mismatch") == 2 and "indicator.unit_mismatch" in codes
    assert [r[3] for r in rows if r[2] == "amount.sum_mismatch"] == ["合计不符", "合计不符"]
    first = results.cell(2, 6)
    assert first.hyperlink.location == f"'{rows[0][4]}'!{rows[0][5]}"  # a link inside the workbook
    # the cells are marked: errors red, warnings amber, with the message as a note
    sheet, cell = rows[0][4], rows[0][5]
    marked = wb[sheet][cell]
    assert marked.fill.start_color.rgb.endswith(("FFC7CE", "FFEB9C", "DDEBF7"))
    assert f"{rows[0][2]} {rows[0][3]}" in marked.comment.text
    unit = next(r for r in rows if r[2] == "indicator.unit_mismatch")
    assert wb[unit[4]][unit[5]].fill.start_color.rgb.endswith("FFEB9C")


def test_formula_like_text_in_a_message_stays_text(tmp_path):
    wb = load_workbook(example("004"))
    ws = wb.active
    for row in ws.iter_rows():
        for c in row:
            if c.value == "≥95%":
                c.value = '=HYPERLINK("http://example.invalid","点击")'
                break
    src = tmp_path / "hostile.xlsx"
    wb.save(src)
    out = tmp_path / "annotated.xlsx"
    xlperf("check", str(src), "--output", str(out))
    results = load_workbook(out)["校验结果"]
    for row in results.iter_rows(min_row=2):
        for c in row:
            assert c.data_type != "f", c.value


def test_output_needs_one_file_and_never_the_input(tmp_path):
    run = xlperf("check", str(example("000")), str(example("004")), "--output", str(tmp_path / "x.xlsx"))
    assert run.returncode == 2 and "--output" in run.stderr
    src = tmp_path / "in.xlsx"
    src.write_bytes(example("004").read_bytes())
    run = xlperf("check", str(src), "--output", str(src))
    assert run.returncode == 2 and "输出文件不能是输入文件本身" in run.stderr


def test_rules_lists_the_catalog():
    run = xlperf("rules", "--format", "json")
    rules = json.loads(run.stdout)
    from xlperf.rules import RULES

    assert [r["code"] for r in rules] == [r.code for r in RULES]
    by_code = {r["code"]: r for r in rules}
    assert {"code": "xref.name_mismatch", "severity": "warning"}.items() <= by_code["xref.name_mismatch"].items()
    assert by_code["form.partly_read"]["severity"] == "warning"
    table = xlperf("rules")
    assert table.returncode == 0 and "indicator.bad_value" in table.stdout


def test_checking_an_annotated_copy_again_gives_the_same_findings(tmp_path):
    out = tmp_path / "annotated.xlsx"
    xlperf("check", str(example("001")), "--output", str(out))
    first = json.loads(xlperf("check", "--format", "json", str(example("001"))).stdout)
    again = json.loads(xlperf("check", "--format", "json", str(out)).stdout)
    assert again["findings"] == first["findings"]  # 校验结果 is xlperf's own sheet, not a form to check


def test_an_annotated_copy_keeps_a_picture(tmp_path):
    import zipfile

    src = tmp_path / "带图片.xlsx"
    picture = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # a signature image
    with zipfile.ZipFile(example("004")) as zin, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/media/image1.png", picture)
    out = tmp_path / "annotated.xlsx"
    run = xlperf("check", str(src), "--output", str(out))
    assert run.returncode == 0, run.stderr  # seed 004 has warnings only
    assert "indicator.misfiled" in run.stdout and "已写出带标注的副本" in run.stdout
    with zipfile.ZipFile(out) as z:
        assert z.read("xl/media/image1.png") == picture
    assert "校验结果" in load_workbook(out).sheetnames
