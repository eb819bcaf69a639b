"""Amount units: a sheet or a column in 元 is read in 元 and kept in 万元, and messages speak the sheet's unit."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook

from xlperf.checks import check_model
from xlperf.forms import read_file


def summary_in_yuan(path, caption: str | None, amount_header: str, total: float):
    """附表2 with two directions of seed 000 (14.87 and 245 万元) written in 元, and a 合计."""
    wb = Workbook()
    ws = wb.active
    ws.title = "附表2"
    ws.append(["2023年区级专项资金绩效目标汇总表"])
    ws.append([caption] if caption else [])
    ws.append(["序号", "名称", amount_header, "实施期绩效目标", "年度绩效目标"])
    ws.append([1, "提退人员经费", 148700, "保障提退人员待遇", "按时足额发放"])
    ws.append([2, "高龄老人补贴资金", 2450000, "保障高龄老人生活", "按时足额发放"])
    ws.append(["合计", None, total])
    wb.save(path)
    return path


def test_a_sheet_in_yuan_is_read_in_wan_yuan(tmp_path):
    model = read_file(str(summary_in_yuan(tmp_path / "yuan.xlsx", "金额单位：元", "金额", 2598700)))
    summary = model.of_kind("summary")[0]
    assert [r.amount.value for r in summary.rows] == [Decimal("14.87"), Decimal("245")]
    assert summary.total.value == Decimal("259.87") and summary.total.unit == "元"
    assert [f for f in check_model(model).findings if f.code.startswith("amount.")] == []
    missing = [f.message for f in check_model(model).findings if f.code == "xref.missing_sheet"]
    assert "（148700.00元）" in missing[0]  # the sheet's own unit (this workbook has no 附表3)


def test_a_column_in_yuan_and_the_message_in_yuan(tmp_path):
    model = read_file(str(summary_in_yuan(tmp_path / "col.xlsx", None, "金额（元）", 2589700)))
    found = [f for f in check_model(model).findings if f.code == "amount.sum_mismatch"]
    assert [(f.cell, f.expected, f.actual) for f in found] == [("C6", Decimal("259.87"), Decimal("258.97"))]
    assert "2598700.00元" in found[0].message and "2589700.00元" in found[0].message


def test_a_sheet_in_wan_yuan_is_left_as_it_is(tmp_path):
    model = read_file(str(summary_in_yuan(tmp_path / "wan.xlsx", "单位：万元", "金额", 2598700)))
    assert model.of_kind("summary")[0].total.value == Decimal("2598700")
    assert model.of_kind("summary")[0].total.unit == ""


def test_a_calculation_itemised_in_yuan_is_added_in_wan_yuan(models, tmp_path):
    """Seed 000's 经开区-民政事务专项 (97.61 万元) with its 测算说明 written in 元: quiet when the items add up
    (523800 + 452300 元 = 97.61 万元), reported when they do not."""
    from conftest import example
    from test_schema import patched

    d = next(x for x in models["000"].of_kind("direction") if x.direction.text == "经开区-民政事务专项")
    cell = (d.details[0].basis.sheet, d.details[0].basis.cell)

    def text_calc(text: str, name: str):
        model = read_file(str(patched(example("000"), tmp_path / name, {cell: text})))
        return [f for f in check_model(model).findings if f.code == "amount.text_calc_mismatch" and f.sheet == cell[0]]

    assert text_calc("发放经开区高龄生活补贴523800元，两残护理补贴452300元", "right.xlsx") == []
    found = text_calc("发放经开区高龄生活补贴523800元，两残护理补贴462300元", "wrong.xlsx")
    assert [(f.cell, f.expected, f.actual) for f in found] == [(cell[1], Decimal("97.61"), Decimal("98.61"))]
    assert text_calc("按每人每月50元发放高龄补贴，两残护理补贴452300元", "rate.xlsx") == []  # a rate is no sum
