"""The self-evaluation writer: seed 003's target tables plus a clerk's actuals file (CSV in UTF-8 or GBK,
or .xlsx) give one 绩效自评表 per project that xlperf's own reader reads back as written."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import example
from openpyxl import Workbook

from xlperf.actuals import ACHIEVED, PARTIAL, Actuals, decode_csv, load_actuals
from xlperf.errors import WorkbookError
from xlperf.forms import read_file
from xlperf.labels import norm
from xlperf.model import ProjectTarget, SelfEvaluation
from xlperf.selfeval_writer import sheet_name, target_name, write_self_evaluations

UNIT = "个旧市民政局"
YEAR = "2022"
HEADER = ["项目名称", "三级指标", "实际完成值", "完成等级", "偏差原因分析及改进措施"]

# (年初预算数, 全年预算数, 全年执行数) and, per indicator of the seed 003 target table, (actual, grade, reason).
# 农村最低生活保障专项资金 leaves 政策知晓率 without an actual.
DATA: dict[str, dict] = {
    "临时救助专项经费": {
        "money": ("20.00", "20.00", "19.56"),
        "indicators": {
            "救助人数": ("2380", "", "部分临时救助对象转入低保，救助人数少于年初预计"),
            "救助对象认定准确率": ("100%", "", ""),
            "资金使用率": ("97.8%", "", "年末一笔救助资金跨年拨付"),
            "补助对象合规性": ("100%", "", ""),
            "政策知晓率": ("92%", "", ""),
            "按时依规拨付救助补助资金": ("100%", "", ""),
            "困难群众生活水平": ("有所提高", ACHIEVED, ""),
            "救助制度方案不断完善": ("不断完善", ACHIEVED, ""),
            "救助对象满意度": ("96%", "", ""),
        },
    },
    "农村最低生活保障专项资金": {
        "money": ("557.00", "560.50", "548.32"),
        "indicators": {
            "农村低保对象人数": ("6815", "", "动态管理退出 85 人"),
            "农村低保标准增幅": ("5%", "", ""),
            "资金使用率": ("97.83%", "", ""),
            "低保金社会化发放率": ("100%", "", ""),
            "补助对象合规性": ("100%", "", ""),
            "资金使用合规率": ("100%", "", ""),
            "政策知晓率": ("93%", "", ""),  # left out of the files: WITHOUT_ACTUAL
            "最低生活保障金发放及时率": ("按时拨付", ACHIEVED, ""),
            "保障标准": ("4770", "", ""),
            "困难群众生活水平提升情况": ("稳步提升", PARTIAL, "个别乡镇发放滞后，已督促整改"),
            "困难群众基本生活保障制度": ("不断完善", ACHIEVED, ""),
            "困难群众满意度": ("95.5%", "", ""),
        },
    },
    "孤儿基本生活保障补助经费": {
        "money": ("", "36.48", "36.48"),
        "indicators": {
            "补贴发放人数": ("186", "", "4 名孤儿年满 18 周岁退出保障"),
            "孤儿、艾儿、农村留守困境儿童纳入保障范围率": ("100%", "", ""),
            "社会化发放率": ("100%", "", ""),
            "资金使用率": ("100%", "", ""),
            "补助对象合规性": ("100%", "", ""),
            "按月发放及时率": ("100%", "", ""),
            "集中供养发放标准": ("1980", "", ""),
            "分散孤儿发放标准": ("1280", "", ""),
            "孤儿等困境儿童生活质量": ("稳步提升", "达成", ""),  # the short spelling of 达成年度指标
            "保障对象满意度": ("97%", "", ""),
        },
    },
}
WITHOUT_ACTUAL = ("农村最低生活保障专项资金", "政策知晓率")
SHORT_GRADES = {"达成": ACHIEVED}


@pytest.fixture(scope="module")
def targets() -> dict[str, ProjectTarget]:
    model = read_file(str(example("003")))
    found = {target_name(t): t for t in model.of_kind("project_target")}
    return {name: found[name] for name in DATA}


def rows_of(data: dict[str, dict]) -> list[list[str]]:
    """The actuals as a clerk lists them: per project its money rows, then its indicators."""
    rows = [HEADER]
    for project, spec in data.items():
        for label, amount in zip(("年初预算数", "全年预算数", "全年执行数"), spec["money"], strict=True):
            if amount:
                rows.append([project, label, amount, "", ""])
        for name, (actual, grade, reason) in spec["indicators"].items():
            if (project, name) != WITHOUT_ACTUAL:
                rows.append([project, name, actual, grade, reason])
    return rows


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)  # the excel dialect: CRLF line ends, quotes where needed
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    """The actuals as an .xlsx: a title row above the header, numbers as numbers, each project's name
    merged down its rows (only the first row of a merge holds the name)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "实际完成值"
    ws.append([f"{YEAR}年度项目实际完成情况"])
    ws.append(rows[0])
    first = 3
    for i, row in enumerate(rows[1:], start=first):
        values: list[object] = list(row)
        try:
            values[2] = int(row[2])
        except ValueError:
            try:
                values[2] = float(row[2])
            except ValueError:
                pass
        ws.append(values)
        if i > first and rows[i - first + 1][0] == rows[i - first][0]:
            ws.cell(i, 1).value = None
    start = first
    for i in range(first + 1, ws.max_row + 2):
        if i > ws.max_row or ws.cell(i, 1).value is not None:
            if i - 1 > start:
                ws.merge_cells(start_row=start, start_column=1, end_row=i - 1, end_column=1)
            start = i
    wb.save(path)
    return path


def expected_actual(project: str, name: str) -> tuple[str, str, str]:
    if (project, name) == WITHOUT_ACTUAL:
        return ("", "", "")
    actual, grade, reason = DATA[project]["indicators"][name]
    return (actual, SHORT_GRADES.get(grade, grade), reason)


def check_written(out: Path, targets: dict[str, ProjectTarget]) -> None:
    model = read_file(str(out))
    assert model.unrecognized == []
    assert model.sheet_names == list(DATA)
    assert [f.kind for f in model.forms] == ["self_eval"] * len(DATA)
    for sheet, (project, target) in zip(model.forms, targets.items(), strict=True):
        sheet: SelfEvaluation
        assert f"{YEAR}年度项目支出绩效自评表" in sheet.title.text
        assert sheet.unit.text == project  # the 项目名称 line
        initial, annual, executed = (Decimal(a) if a else None for a in DATA[project]["money"])
        assert (sheet.initial_budget.value, sheet.annual_budget.value, sheet.executed.value) == (
            initial,
            annual,
            executed,
        )
        assert sheet.rate_weight.value == 10
        assert sheet.rate.value is None and sheet.rate.cell  # 执行率 and its 得分 left for scoring
        assert sheet.rate_score.empty and sheet.rate_score.cell
        assert sheet.goal_expected.text == target.goal.text == ""
        assert sheet.goal_actual.text == ""
        written = sheet.indicators.filled
        wanted = target.indicators.filled
        assert [
            (i.level1.text, i.level2.text, i.name.text, i.target.text, i.unit.text, i.weight.value, i.rule.text)
            for i in written
        ] == [
            (i.level1.text, i.level2.text, i.name.text, i.target.text, i.unit.text, i.weight.value, i.rule.text)
            for i in wanted
        ]
        assert [(i.actual.text, i.grade.text, i.reason.text) for i in written] == [
            expected_actual(project, i.name.text) for i in wanted
        ]
        assert all(i.score.empty and i.score.cell for i in written)  # 得分 left for scoring, in its column
        assert sum(i.weight.value for i in written) == 90
        assert sheet.rate_weight.value + sum(i.weight.value for i in written) == 100
        assert sheet.total_weight.value == 100
        assert sheet.total_score.empty and sheet.total_score.cell


def test_real_indicator_names(targets):
    for project, spec in DATA.items():
        assert set(spec["indicators"]) == {i.name.text for i in targets[project].indicators.filled}


def test_csv_with_bom_gives_self_evaluations_read_back_as_written(tmp_path, targets):
    path = write_csv(tmp_path / "实际完成值.csv", rows_of(DATA))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    actuals = load_actuals(path)
    assert actuals.project("临时救助专项经费").executed == Decimal("19.56")
    assert actuals.project("临时救助专项经费").indicator("救助人数").actual == "2380"
    out = tmp_path / "自评表.xlsx"
    warnings = write_self_evaluations(list(targets.values()), actuals, out, UNIT, YEAR)
    assert warnings == ["“农村最低生活保障专项资金”的指标“政策知晓率”没有实际完成值"]
    check_written(out, targets)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, out.name])  # no temporary file left


def test_xlsx_with_title_row_merged_names_and_numbers(tmp_path, targets):
    path = write_xlsx(tmp_path / "实际完成值.xlsx", rows_of(DATA))
    actuals = load_actuals(path)
    csv_actuals = load_actuals(write_csv(tmp_path / "same.csv", rows_of(DATA)))
    assert actuals.projects.keys() == csv_actuals.projects.keys()
    for key, project in actuals.projects.items():
        other = csv_actuals.projects[key]
        assert (project.initial_budget, project.annual_budget, project.executed) == (
            other.initial_budget,
            other.annual_budget,
            other.executed,
        )
        assert {k: [(a.actual, a.grade, a.reason) for a in v] for k, v in project.indicators.items()} == {
            k: [(a.actual, a.grade, a.reason) for a in v] for k, v in other.indicators.items()
        }
    out = tmp_path / "自评表.xlsx"
    warnings = write_self_evaluations(list(targets.values()), actuals, out, UNIT, YEAR)
    assert "“农村最低生活保障专项资金”的指标“政策知晓率”没有实际完成值" in warnings
    check_written(out, targets)


def test_csv_saved_by_excel_in_gbk_decodes_right(tmp_path, targets):
    rows = rows_of(DATA)
    path = write_csv(tmp_path / "实际完成值_gbk.csv", rows, encoding="gbk")
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, encoding = decode_csv(data)
    assert encoding == "gb18030"
    assert "临时救助专项经费" in text and "\r\n" in text
    gbk = load_actuals(path)
    utf8 = load_actuals(write_csv(tmp_path / "实际完成值_utf8.csv", rows))
    assert {k: (v.annual_budget, v.executed, v.indicators) for k, v in gbk.projects.items()} == {
        k: (v.annual_budget, v.executed, v.indicators) for k, v in utf8.projects.items()
    }
    assert gbk.project("农村最低生活保障专项资金").indicator("困难群众生活水平提升情况").reason == (
        "个别乡镇发放滞后，已督促整改"
    )
    out = tmp_path / "自评表.xlsx"
    write_self_evaluations(list(targets.values()), gbk, out, UNIT, YEAR)
    check_written(out, targets)


def test_missing_column_is_one_line_naming_file_and_row(tmp_path):
    rows = [["项目名称", "三级指标", "完成等级", "偏差原因分析及改进措施"], ["临时救助专项经费", "救助人数", "", ""]]
    path = write_csv(tmp_path / "缺列.csv", rows)
    with pytest.raises(WorkbookError) as err:
        load_actuals(path)
    message = str(err.value)
    assert "\n" not in message
    assert "缺列.csv" in message and "第 1 行" in message and "“实际完成值”" in message


def test_bad_amount_is_one_line_naming_file_and_row(tmp_path):
    rows = rows_of(DATA)
    bad = next(i for i, r in enumerate(rows) if r[1] == "全年执行数")
    rows[bad][2] = "十九万"
    path = write_csv(tmp_path / "金额.csv", rows)
    with pytest.raises(WorkbookError) as err:
        load_actuals(path)
    message = str(err.value)
    assert "\n" not in message
    assert "金额.csv" in message and f"第 {bad + 1} 行" in message and "十九万" in message and "全年执行数" in message


def test_unknown_project_is_one_line_naming_file_and_row(tmp_path, targets):
    rows = [*rows_of(DATA), ["城乡居民医疗救助资金", "救助人次", "1200", "", ""]]
    path = write_csv(tmp_path / "项目.csv", rows)
    actuals = load_actuals(path)
    out = tmp_path / "自评表.xlsx"
    with pytest.raises(WorkbookError) as err:
        write_self_evaluations(list(targets.values()), actuals, out, UNIT, YEAR)
    message = str(err.value)
    assert "\n" not in message
    assert "项目.csv" in message and f"第 {len(rows)} 行" in message and "城乡居民医疗救助资金" in message
    assert not out.exists()
    with pytest.raises(WorkbookError, match=f"第 {len(rows)} 行"):
        load_actuals(path, projects=list(targets))


def test_project_names_compare_normalised_and_odd_rows_are_warned(tmp_path, targets):
    project = "临时救助专项经费"
    rows = [
        ["项目名称", "三级 指标", "实际完成值（万元）"],  # spaces and a unit in the headers
        [" 临时救助 专项经费 ", "全年预算数", "20"],
        ["", "全年执行数", "19.56万元"],  # a blank name repeats the project above
        ["", "救助人数", "2380"],
        ["", "救助对象满意度", "0.96"],  # 96% typed into a percentage cell
        ["", "救助对象人数", "2380"],  # a name the target table does not have
    ]
    actuals = load_actuals(write_csv(tmp_path / "零散.csv", rows))
    assert actuals.project(project).executed == Decimal("19.56")
    warnings = write_self_evaluations([targets[project]], actuals, tmp_path / "自评表.xlsx", UNIT, YEAR)
    assert "“临时救助专项经费”的指标“救助对象认定准确率”没有实际完成值" in warnings
    assert any("救助对象满意度" in w and "0.96" in w and "96%" in w for w in warnings)
    assert any("第 6 行" in w and "救助对象人数" in w for w in warnings)


def test_sheet_names_are_ones_excel_accepts():
    taken: set[str] = set()
    assert sheet_name("城乡/农村:低保[2022]?*资金", taken) == "城乡农村低保2022资金"
    long = "推进建立更加公平、更可持续的工伤保险制度不断增强人民群众的获得感与幸福感"
    first = sheet_name(long, taken)
    assert first == long[:31]
    second = sheet_name(long, taken)
    assert len(second) <= 31 and second.endswith(" (2)") and second != first
    assert sheet_name("'history'", taken) == "history1"


def test_empty_actuals_leave_every_indicator_warned(tmp_path, targets):
    target = targets["临时救助专项经费"]
    warnings = write_self_evaluations([target], Actuals("none.csv"), tmp_path / "空.xlsx", UNIT, YEAR)
    names = [i.name.text for i in target.indicators.filled]
    assert warnings[:2] == ["“临时救助专项经费”没有全年预算数", "“临时救助专项经费”没有全年执行数"]
    assert warnings[2:] == [f"“临时救助专项经费”的指标“{n}”没有实际完成值" for n in names]
    sheet = read_file(str(tmp_path / "空.xlsx")).forms[0]
    assert sheet.kind == "self_eval" and sheet.annual_budget.empty and sheet.annual_budget.cell


# --- rows of the actuals file that match no indicator: reported by ``xlperf score --actuals`` -------------

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "seed003_临时救助专项经费_实际完成值.csv"
# Rows added to the fixture (its rows 1–13): a misspelt name, another project's indicator, a name listed
# once more than the target table has it, and a name like none of the project's.
ODD_ROWS = [
    ["临时救助专项经费", "救助对像满意度", "96%", "", ""],  # row 14: 像 for 象
    ["临时救助专项经费", "农村低保对象人数", "6815", "", ""],  # row 15: 农村最低生活保障专项资金's
    ["临时救助专项经费", "救助人数", "2380", "", ""],  # row 16: listed twice
    ["临时救助专项经费", "养老床位数", "120", "", ""],  # row 17
]


def odd_actuals(tmp_path: Path) -> Path:
    rows = list(csv.reader(io.StringIO(FIXTURE.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 13
    return write_csv(tmp_path / "实际完成值.csv", [*rows, *ODD_ROWS])


def unmatched_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("实际完成值文件第")]


def test_actuals_rows_matching_no_indicator_are_each_one_line(tmp_path):
    from xlperf.selfeval import self_evaluation_from_targets

    out = tmp_path / "自评.xlsx"
    warnings = self_evaluation_from_targets(read_file(str(example("003"))), str(odd_actuals(tmp_path)), str(out))
    lines = unmatched_lines(warnings)
    assert len(lines) == len(ODD_ROWS)
    for line, row, (project, name, *_) in zip(lines, range(14, 18), ODD_ROWS, strict=True):
        assert "\n" not in line
        assert line.startswith(f"实际完成值文件第 {row} 行：项目“{project}”的三级指标“{name}”"), line
        assert "未写入自评表" in line and "请核对" in line
    spelt, other, twice, unknown = lines
    assert "是否应为“救助对象满意度”" in spelt and "项目名称" in spelt
    assert "“农村最低生活保障专项资金”的目标表有此指标" in other and "项目名称" in other
    assert "只有 1 个" in twice and "重复" in twice
    assert "写法" in unknown and "项目名称" in unknown
    # each row is reported once, not again by the writer in its own words
    assert sum("救助对像满意度" in w for w in warnings) == 1
    # the fixture's own rows are written, none of the odd ones
    assert not any("没有实际完成值" in w for w in warnings)
    sheet = read_file(str(out)).forms[0]
    actual = {i.name.text: i.actual.text for i in sheet.indicators.filled}
    assert len(actual) == len(sheet.indicators.filled) == 9
    assert actual["救助人数"] == "2380" and actual["救助对象满意度"] == "96%"
    assert not {"救助对像满意度", "农村低保对象人数", "养老床位数"} & set(actual)


def test_the_fixture_alone_has_no_unmatched_rows(tmp_path):
    from xlperf.selfeval import self_evaluation_from_targets

    out = tmp_path / "自评.xlsx"
    warnings = self_evaluation_from_targets(read_file(str(example("003"))), str(FIXTURE), str(out))
    assert unmatched_lines(warnings) == []


def test_unmatched_takes_names_in_order_and_normalised(tmp_path):
    rows = [HEADER, ["甲", "指标 一", "1", "", ""], ["甲", "指标一", "2", "", ""], ["甲", "指标二", "3", "", ""]]
    rows += [["乙", "指标一", "4", "", ""]]
    actuals = load_actuals(write_csv(tmp_path / "a.csv", rows))
    found = actuals.unmatched({"甲": ["指标一", "指标三"]})  # 乙 is not asked about
    assert [(p.name, r.name, r.row) for p, r in found] == [("甲", "指标一", 3), ("甲", "指标二", 4)]
    assert actuals.unmatched({"甲": ["指标一", "指标一", "指标二"]}) == []
    rest = actuals.without(r for _, r in found)
    assert [r.row for r in rest.project("甲").indicators[norm("指标一")]] == [2]
    assert norm("指标二") not in rest.project("甲").indicators
    assert actuals.project("甲").indicator("指标二") is not None  # the original is not changed


def score_with_odd_actuals(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    out = tmp_path / "自评.xlsx"
    return subprocess.run(
        [sys.executable, "-m", "xlperf", "score", str(example("003")), "--actuals", str(odd_actuals(tmp_path))]
        + ["--output", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_score_with_actuals_prints_the_unmatched_rows(tmp_path):
    run = score_with_odd_actuals(tmp_path)
    assert run.returncode == 0, run.stderr
    printed = [
        line.removeprefix("注意：") for line in run.stdout.splitlines() if line.startswith("注意：实际完成值文件第")
    ]
    assert len(printed) == len(ODD_ROWS)
    assert all(f"第 {row} 行" in line for line, row in zip(printed, range(14, 18), strict=True))
    assert "救助对像满意度" in printed[0] and "请核对" in printed[0]


def test_score_with_actuals_gives_the_unmatched_rows_in_json(tmp_path):
    import json

    run = score_with_odd_actuals(tmp_path, "--format", "json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    out = out[0] if isinstance(out, list) else out
    lines = unmatched_lines(out["warnings"])
    assert len(lines) == len(ODD_ROWS) and "救助对像满意度" in lines[0]
