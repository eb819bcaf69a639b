"""The indicator block of every layout met in real templates, each built as a small workbook and read back:
levels, name, parsed target (operator, number, unit) and the cell of every indicator."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from xlperf.book.file_book import FileBook
from xlperf.forms.grid import Grid
from xlperf.forms.indicators import find_header, has_indicator_header, read_block
from xlperf.labels import SIGN_OFF, label_key
from xlperf.model import IndicatorBlock

Rows = list[list[object]]


def book(tmp_path: Path, rows: Rows, merges: tuple[str, ...] = (), name: str = "表") -> Grid:
    wb = Workbook()
    ws = wb.active
    ws.title = name
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return Grid(FileBook(str(path)).read(name))


def block(tmp_path: Path, rows: Rows, merges: tuple[str, ...] = ()) -> IndicatorBlock:
    found = read_block(book(tmp_path, rows, merges))
    assert found is not None
    return found


def summary(b: IndicatorBlock) -> list[tuple]:
    """(一级, 二级, 三级, operator, number, unit, target cell) of every indicator."""
    return [
        (
            i.level1.text,
            i.level2.text,
            i.name.text,
            i.parsed_target.operator,
            i.parsed_target.number,
            i.parsed_target.unit,
            i.target.cell,
        )
        for i in b.indicators
    ]


D = Decimal


def test_national_template_with_operator_in_its_own_column(tmp_path):
    rows: Rows = [
        ["项目支出绩效目标表"],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "指标属性", "权重"],
        ["产出指标", "数量指标", "救助人数", "≥", 2500, "人", "定量", 20],
        [None, "质量指标", "救助对象认定准确率", "＝", 100, "%", "定量", 20],
        [None, "时效指标", "资金发放及时性", "定性", "按月发放", None, "定性", 10],
        ["成本指标", "经济成本指标", "人均救助标准", "不高于", "1200", "元/人", "定量", 10],
        ["效益指标", "社会效益指标", "困难群众生活水平", "定性", "有所提高", None, "定性", 20],
        ["满意度指标", "服务对象满意度指标", "救助对象满意度", "＞", "90", "%", "定量", 20],
    ]
    b = block(tmp_path, rows, ("A3:A5",))
    assert b.header_row == 2
    assert b.columns["operator"] == "D" and b.columns["attribute"] == "G" and b.columns["target"] == "E"
    assert summary(b) == [
        ("产出指标", "数量指标", "救助人数", ">=", D(2500), "人", "E3"),
        ("产出指标", "质量指标", "救助对象认定准确率", "=", D(100), "%", "E4"),
        ("产出指标", "时效指标", "资金发放及时性", None, None, "", "E5"),
        ("成本指标", "经济成本指标", "人均救助标准", "<=", D(1200), "元/人", "E6"),
        ("效益指标", "社会效益指标", "困难群众生活水平", None, None, "", "E7"),
        ("满意度指标", "服务对象满意度指标", "救助对象满意度", ">", D(90), "%", "E8"),
    ]
    first = b.indicators[0]
    assert first.target.text == "2500" and first.parsed_target.text == "≥2500人"
    assert first.parsed_target.direction == 1
    assert (first.operator.text, first.operator.cell) == ("≥", "D3")
    assert b.indicators[2].parsed_target.kind == "text"
    assert [i.attribute.text for i in b.indicators] == ["定量", "定量", "定性", "定量", "定性", "定量"]


def test_operator_column_headed_like_the_attribute_is_told_by_content(tmp_path):
    """Headers swapped: 指标属性 holds the operators, 指标性质 holds 定量/定性."""
    rows: Rows = [
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标属性", "指标值", "度量单位"],
        ["产出指标", "数量指标", "培训人次", "定量", "不低于", 300, "人次"],
        ["效益指标", "社会效益指标", "政策知晓率", "定量", "大于等于", 90, "%"],
    ]
    b = block(tmp_path, rows)
    assert b.columns["operator"] == "E" and b.columns["attribute"] == "D"
    assert summary(b) == [
        ("产出指标", "数量指标", "培训人次", ">=", D(300), "人次", "F2"),
        ("效益指标", "社会效益指标", "政策知晓率", ">=", D(90), "%", "F3"),
    ]


def test_value_with_its_own_operator_and_unit_is_not_joined_twice(tmp_path):
    rows: Rows = [
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"],
        ["产出指标", "数量指标", "发放人数", "≥", "≥95%", "%"],
        ["产出指标", "质量指标", "发放准确率", "≤", "—", "—"],
    ]
    b = block(tmp_path, rows)
    assert b.indicators[0].parsed_target.text == "≥95%"
    assert b.indicators[1].parsed_target.kind == "text"


def test_table_without_level1_column_takes_it_from_the_framework(tmp_path):
    rows: Rows = [
        ["二级指标", "三级指标", "指标值", "备注"],
        ["数量指标", "救助人数", "≥2500人", None],
        ["经济成本指标", "人均成本", "≤1200元", "按标准"],
        ["社会效益指标", "生活水平", "有所提高", None],
        ["服务对象满意度指标", "满意度", "≥90%", None],
    ]
    grid = book(tmp_path, rows)
    assert find_header(grid) == 1
    b = read_block(grid)
    assert b is not None
    assert summary(b) == [
        ("产出指标", "数量指标", "救助人数", ">=", D(2500), "人", "C2"),
        ("成本指标", "经济成本指标", "人均成本", "<=", D(1200), "元", "C3"),
        ("效益指标", "社会效益指标", "生活水平", None, None, "", "C4"),
        ("满意度指标", "服务对象满意度指标", "满意度", ">=", D(90), "%", "C5"),
    ]
    assert all(i.level1.cell == "" for i in b.indicators)  # derived: no cell of its own
    assert [i.note.value for i in b.indicators] == [None, "按标准", None, None]
    assert b.indicators[1].note.cell == "D3" and b.columns["note"] == "D"


def test_hierarchy_given_by_a_serial_number_column(tmp_path):
    rows: Rows = [
        ["序号", "指标名称", "指标值", "分值"],
        ["一", "产出指标", None, 50],
        ["（一）", "数量指标", None, None],
        [1, "救助人数", "≥2500人", 25],
        [2, "发放次数", "12次", 25],
        ["二", "效益指标", None, 30],
        ["(一)", "社会效益指标", None, None],
        ["1", "生活水平", "有所提高", 30],
        ["三", "满意度指标", None, 20],
        ["（一）", "服务对象满意度指标", None, None],
        ["1", "救助对象满意度", "≥90%", 20],
    ]
    b = block(tmp_path, rows)
    assert summary(b) == [
        ("产出指标", "数量指标", "救助人数", ">=", D(2500), "人", "C4"),
        ("产出指标", "数量指标", "发放次数", None, D(12), "次", "C5"),
        ("效益指标", "社会效益指标", "生活水平", None, None, "", "C8"),
        ("满意度指标", "服务对象满意度指标", "救助对象满意度", ">=", D(90), "%", "C11"),
    ]
    assert [(i.no.text, i.no.cell) for i in b.indicators] == [("1", "A4"), ("2", "A5"), ("1", "A8"), ("1", "A11")]
    assert (b.indicators[0].level1.cell, b.indicators[0].level2.cell) == ("B2", "B3")
    assert b.level1_weights == {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(20)}
    assert b.columns["no"] == "A"


def test_hierarchy_given_by_numbering_inside_the_labels(tmp_path):
    rows: Rows = [
        ["指标", "指标值", "度量单位"],
        ["一、产出指标(50分)"],
        ["（一）数量指标"],
        ["1.救助人数", 2500, "人"],
        ["2、发放次数", 12, "次"],
        ["（二）时效指标"],
        ["1.发放及时率", 100, "%"],
        ["二、效益指标"],
        ["（一）社会效益指标"],
        ["1.困难群众生活水平", "有所提高", None],
        ["三、满意度指标"],
        ["（一）服务对象满意度指标"],
        ["1.救助对象满意度", "≥90", "%"],
    ]
    b = block(tmp_path, rows, ("A2:C2",))
    assert summary(b) == [
        ("产出指标(50分)", "数量指标", "救助人数", None, D(2500), "人", "B4"),
        ("产出指标(50分)", "数量指标", "发放次数", None, D(12), "次", "B5"),
        ("产出指标(50分)", "时效指标", "发放及时率", None, D(100), "%", "B7"),
        ("效益指标", "社会效益指标", "困难群众生活水平", None, None, "", "B10"),
        ("满意度指标", "服务对象满意度指标", "救助对象满意度", ">=", D(90), "%", "B13"),
    ]
    assert [i.name.cell for i in b.indicators] == ["A4", "A5", "A7", "A10", "A13"]
    assert [i.no.text for i in b.indicators] == ["1", "2", "1", "1", "1"]
    assert b.indicators[0].level1.cell == "A2" and b.indicators[0].level2.cell == "A3"
    assert b.level1_weights == {"产出指标": D(50)}


def test_section_rows_without_numbering_are_recognised_by_their_labels(tmp_path):
    rows: Rows = [
        ["指标名称", "指标值"],
        ["产出指标", None],
        ["数量指标", None],
        ["救助人数", "2500人"],
        ["成本指标", None],  # 二级 of 产出 in the older framework: it sits under 产出 here
        ["人均成本", "≤1200元"],
    ]
    b = block(tmp_path, rows)
    assert summary(b) == [
        ("产出指标", "数量指标", "救助人数", None, D(2500), "人", "B4"),
        ("产出指标", "成本指标", "人均成本", "<=", D(1200), "元", "B6"),
    ]


def test_one_row_header_keeps_the_first_data_row(tmp_path):
    rows: Rows = [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "全年目标值", "10个"],  # a 三级 name that is also a header label
        ["产出指标", "质量指标", "合格率", "100%"],
    ]
    b = block(tmp_path, rows)
    assert summary(b) == [
        ("产出指标", "数量指标", "全年目标值", None, D(10), "个", "D2"),
        ("产出指标", "质量指标", "合格率", None, D(100), "%", "D3"),
    ]


def test_two_row_header_with_target_split_into_initial_and_full_year(tmp_path):
    rows: Rows = [
        ["绩效自评表"],
        ["一级指标", "二级指标", "三级指标", "指标值", None, "全年实际值", "分值", "得分"],
        [None, None, None, "年初目标值", "全年目标值", None, None, None],
        ["产出指标(50分)", "数量指标", "救助人数", "≥2400人", "≥2500人", "2530人", 50, 50],
        ["效益指标(50分)", "社会效益指标", "生活水平", "有所提高", "有所提高", "有所提高", 50, 50],
    ]
    b = block(tmp_path, rows, ("A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:F3", "G2:G3", "H2:H3"))
    assert b.header_row == 2
    assert b.columns["target"] == "E" and b.columns["initial_target"] == "D" and b.columns["actual"] == "F"
    assert summary(b) == [
        ("产出指标(50分)", "数量指标", "救助人数", ">=", D(2500), "人", "E4"),
        ("效益指标(50分)", "社会效益指标", "生活水平", None, None, "", "E5"),
    ]
    assert b.indicators[0].initial_target.text == "≥2400人"
    assert b.indicators[0].parsed_actual is not None and b.indicators[0].parsed_actual.number == D(2530)
    assert b.level1_weights == {"产出指标": D(50), "效益指标": D(50)}


def test_sign_off_row_ends_the_block(tmp_path):
    rows: Rows = [
        ["一级指标", "二级指标", "三级指标", "指标值", "备注"],
        ["产出指标", "数量指标", "救助人数", "2500人", "含临时救助"],
        ["满意度指标", "服务对象满意度指标", "满意度", "≥90%", None],
        [None],
        ["填报人：张三", None, "联系电话：123456", None, None],
        ["产出指标", "数量指标", "不是指标", "1人", None],
    ]
    b = block(tmp_path, rows)
    assert [i.name.text for i in b.indicators] == ["救助人数", "满意度"]
    assert b.indicators[0].note.text == "含临时救助"


END_LABELS = ["单位负责人（签字）：", "审核人:", "（盖章）", "合计", "总分", "说明：本表…", "填表日期"]


@pytest.mark.parametrize("first", END_LABELS)
def test_each_end_label_ends_the_block(tmp_path, first):
    rows: Rows = [
        ["序号", "指标名称", "指标值"],
        ["一", "产出指标", None],
        ["（一）", "数量指标", None],
        [1, "救助人数", "2500人"],
        [first, None, None],
        [2, "不是指标", "1人"],
    ]
    assert [i.name.text for i in block(tmp_path, rows).indicators] == ["救助人数"]


def test_an_indicator_named_like_an_end_word_stays(tmp_path):
    rows: Rows = [
        ["指标名称", "指标值"],
        ["一、产出指标"],
        ["（一）数量指标"],
        ["说明会召开次数", "4次"],
    ]
    assert [i.name.text for i in block(tmp_path, rows).indicators] == ["说明会召开次数"]


def test_sign_off_labels_are_label_keys():
    assert all(label_key(k) == k for k in SIGN_OFF)
    assert label_key("单位负责人（签字）：") in SIGN_OFF and label_key("（盖章）") in SIGN_OFF


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"一级指标", "二级指标", "三级指标", "指标值"}, True),
        ({"二级指标", "三级指标", "指标值"}, True),
        ({"序号", "指标名称", "指标值"}, True),
        ({"指标", "指标值", "度量单位"}, True),
        ({"一级指标", "二级指标", "指标内容", "指标值", "备注"}, True),
        ({"项目名称", "一级指标"}, False),
        ({"序号", "名称", "金额"}, False),
        ({"指标值"}, False),
    ],
)
def test_has_indicator_header(keys, expected):
    assert has_indicator_header(keys) is expected


def test_level1_with_content_column_as_name(tmp_path):
    rows: Rows = [
        ["一级指标", "二级指标", "指标内容", "指标值", "备注"],
        ["产出指标", "数量指标", "改造户数", "≥30户", None],
    ]
    b = block(tmp_path, rows)
    assert summary(b) == [("产出指标", "数量指标", "改造户数", ">=", D(30), "户", "D2")]
    assert b.columns["name"] == "C" and "description" not in b.columns
