"""Build the example workbooks from the transcribed seed tables in ``examples/data``.

The workbooks are the checker's realistic inputs: each form is laid out the way its seed document prints
it (labels, merges, block order), and every value comes from the JSON untouched except that amounts become
numbers, because that is what a real 填报 workbook holds. Run ``python examples/build.py``; the output is
deterministic so that a rebuild only changes files whose data or layout changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.templates.layout import (
    Cell,
    merge_down,
    merge_runs,
    new_book,
    new_sheet,
    put_row,
    save,
    sheet_name,
)

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def indicator_rows(
    ws: Worksheet,
    row: int,
    rows: Sequence[dict[str, str]],
    lead: Sequence[Cell],
    fields: Sequence[Cell],
    merge_l2: bool = False,
) -> int:
    """The indicator block: 一级 written on its block's first row and merged down, 二级 on every row.

    ``fields`` gives (span, JSON key, kind) for the columns after 一级/二级; ``lead`` the cells before them.
    With ``merge_l2`` the 二级 label is merged over its run too (seed 004 prints it that way).
    """
    first = row
    for i, ind in enumerate(rows):
        new_block = i == 0 or ind["l1"] != rows[i - 1]["l1"]
        cells = [*lead, (1, ind["l1"] if new_block else "", "label"), (1, ind["l2"], "label")]
        row = put_row(ws, row, cells + [(span, ind[key], kind) for span, key, kind in fields])
    l1_col = 1 + sum(span for span, _, _ in lead)
    merge_runs(ws, l1_col, first, [ind["l1"] for ind in rows])
    if merge_l2:
        merge_runs(ws, l1_col + 1, first, [(ind["l1"], ind["l2"]) for ind in rows])
    return row


# ---------------------------------------------------------------------------------------------- seed 000


def signature(ws: Worksheet, row: int, filler: str, phone: str, spans: tuple[int, int, int]) -> int:
    """The line under every 株洲 form: 单位负责人签字 / 填表人 / 联系电话, outside the table."""
    return put_row(
        ws,
        row,
        [
            (spans[0], "单位负责人签字：", "plain"),
            (spans[1], f"填表人：{filler}", "plain"),
            (spans[2], f"联系电话：{phone}", "plain"),
        ],
    )


def dept_table_000(wb: Workbook, t: dict[str, Any]) -> None:
    """部门整体支出绩效目标表 (seed 000): five columns, one left label merged down each block."""
    ws = new_sheet(wb, "部门整体支出绩效目标表", [12, 24, 16, 40, 40])
    r = put_row(ws, 1, [(5, t["title"], "title")])
    r = put_row(ws, r, [(5, "填报单位：（盖章）", "plain")])
    r = put_row(ws, r, [(1, "部门名称", "label"), (4, t["dept_name"], "text")])
    top = r
    r = put_row(ws, r, [(1, "年度预算申请\n（万元）", "block"), (4, f"资金总额：{t['total']}", "text")])
    r = put_row(ws, r, [(1, "", "block"), (2, "按收入性质分", "label"), (2, "按支出性质分", "label")])
    for i, (name, value) in enumerate(t["income"]):
        spend = t["spending"][i] if i < len(t["spending"]) else ("", "")
        prefix = "其中：" if i == 0 else ""
        r = put_row(
            ws,
            r,
            [
                (1, "", "block"),
                (1, prefix + name, "label"),
                (1, value, "amount"),
                (1, prefix + spend[0] if spend[0] else "", "label"),
                (1, spend[1], "amount"),
            ],
        )
    merge_down(ws, 1, top, r - 1)
    r = put_row(ws, r, [(1, "部门职责概述", "label"), (4, t["duties"], "text")])
    top = r
    r = put_row(
        ws,
        r,
        [
            (1, "年度重点工作计划", "block"),
            (1, "事项", "label"),
            (1, "责任单位/科室", "label"),
            (2, "工作目标", "label"),
        ],
    )
    for item in t["work_plan"]:
        r = put_row(
            ws, r, [(1, "", "block"), (1, item["item"], "text"), (1, item["owner"], "label"), (2, item["goal"], "text")]
        )
    merge_down(ws, 1, top, r - 1)
    top = r
    r = put_row(
        ws,
        r,
        [
            (1, "年度绩效指标", "block"),
            (1, "一级指标", "label"),
            (1, "二级指标", "label"),
            (1, "三级指标", "label"),
            (1, "指标值及单位", "label"),
        ],
    )
    r = indicator_rows(ws, r, t["indicators"], [(1, "", "block")], [(1, "l3", "text"), (1, "value", "text")])
    merge_down(ws, 1, top, r - 1)
    signature(ws, r + 1, t["filler"], t["phone"], (2, 2, 1))


def summary_000(wb: Workbook, s: dict[str, Any], filler: str, phone: str) -> None:
    """附表2 汇总表: the 合计 row comes first, above the 12 directions, as the seed prints it."""
    ws = new_sheet(wb, "附表2", [6, 24, 12, 40, 40])
    r = put_row(ws, 1, [(2, "附表2", "plain")])
    r = put_row(ws, r, [(5, s["title"], "title")])
    r = put_row(ws, r, [(3, "填报单位：（盖章）", "plain"), (2, "金额单位：万元", "plainr")])
    r = put_row(
        ws,
        r,
        [
            (1, "序号", "label"),
            (1, "名  称", "label"),
            (1, "金  额", "label"),
            (1, "实施期绩效目标", "label"),
            (1, "年度绩效目标", "label"),
        ],
    )
    r = put_row(
        ws, r, [(1, "", "label"), (1, "合  计", "label"), (1, s["total"], "amount"), (1, "", "text"), (1, "", "text")]
    )
    for row in s["rows"]:
        r = put_row(
            ws,
            r,
            [
                (1, row["no"], "label"),
                (1, row["name"], "label"),
                (1, row["amount"], "amount"),
                (1, row["period_goal"], "text"),
                (1, row["annual_goal"], "text"),
            ],
        )
    signature(ws, r + 1, filler, phone, (2, 2, 1))


def direction_000(wb: Workbook, name: str, d: dict[str, Any], filler: str, phone: str) -> None:
    """附表3 支出方向绩效目标表: six columns; 所属专项 stands over its 名称/金额 rows."""
    ws = new_sheet(wb, name, [14, 16, 16, 30, 30, 12])
    r = put_row(ws, 1, [(1, "附表3", "plain")])
    r = put_row(ws, r, [(6, "2023年区级专项资金支出方向绩效目标表", "title")])
    r = put_row(ws, r, [(3, "填报单位：（盖章）", "plain"), (3, "金额单位：万元", "plainr")])
    r = put_row(
        ws,
        r,
        [
            (1, "支出方向（子项）", "label"),
            (1, d["direction"], "label"),
            (1, "所属专项", "block"),
            (1, "名称", "label"),
            (2, d["special"], "label"),
        ],
    )
    r = put_row(
        ws,
        r,
        [
            (1, "项目金额", "label"),
            (1, d["project_amount"], "amount"),
            (1, "", "block"),
            (1, "金额", "label"),
            (2, d["amount"], "amount"),
        ],
    )
    merge_down(ws, 3, r - 2, r - 1)
    for label, key in (("项目实施期", "period"), ("实施期绩效目标", "period_goal"), ("年度绩效目标", "annual_goal")):
        r = put_row(ws, r, [(1, label, "label"), (5, d[key], "text")])
    top = r
    r = put_row(
        ws,
        r,
        [
            (1, "年度绩效指标", "block"),
            (1, "一级指标", "label"),
            (1, "二级指标", "label"),
            (1, "三级指标", "label"),
            (1, "指标值及单位", "label"),
            (1, "绩效标准", "label"),
        ],
    )
    r = indicator_rows(
        ws, r, d["indicators"], [(1, "", "block")], [(1, "l3", "text"), (1, "value", "text"), (1, "standard", "label")]
    )
    merge_down(ws, 1, top, r - 1)
    top = r
    r = put_row(
        ws,
        r,
        [
            (1, "支出明细及测算说明", "block"),
            (1, "支出内容简介", "label"),
            (1, "支出明细", "label"),
            (1, "金额", "label"),
            (2, "支出测算依据及过程说明", "label"),
        ],
    )
    for item in d["details"]:
        r = put_row(
            ws,
            r,
            [
                (1, "", "block"),
                (1, item["intro"], "text"),
                (1, item["detail"], "text"),
                (1, item["amount"], "amount"),
                (2, item["basis"], "text"),
            ],
        )
    r = put_row(ws, r, [(1, "", "block"), (2, "合  计", "label"), (1, d["details_total"], "amount"), (2, "", "text")])
    merge_down(ws, 1, top, r - 1)
    signature(ws, r + 1, filler, phone, (2, 2, 2))


def build_000(data: dict[str, Any], path: Path) -> Path:
    wb = new_book()
    t = data["dept_table"]
    dept_table_000(wb, t)
    summary_000(wb, data["summary"], t["filler"], t["phone"])
    taken: set[str] = set()
    for d in data["directions"]:
        direction_000(wb, sheet_name("附表3", taken), d, t["filler"], t["phone"])
    return save(wb, path)


# ---------------------------------------------------------------------------------------------- seed 001


def basic_001(wb: Workbook, b: dict[str, Any]) -> None:
    """附件2 基础数据表: seven columns so the 楼堂馆所 block fits; the three-value rows span two each."""
    ws = new_sheet(wb, "附件2", [40, 11, 11, 11, 11, 11, 11])
    r = put_row(ws, 1, [(1, "附件2", "plain")])
    r = put_row(ws, r, [(7, b["title"], "title")])
    r = put_row(ws, r, [(1, "财政供养人员情况（人）", "block"), *[(2, h, "label") for h in b["staff_header"]]])
    count, actual, rate = b["staff_values"]
    r = put_row(ws, r, [(1, "", "block"), (2, count, "score"), (2, actual, "score"), (2, rate, "label")])
    merge_down(ws, 1, r - 2, r - 1)
    r = put_row(ws, r, [(1, "经费控制情况（万元）", "label"), *[(2, h, "label") for h in b["cost_header"]]])
    for item in b["cost_rows"]:
        put_row(ws, r, [(1, item["label"], "text"), *[(2, v, "amount") for v in item["values"]]])
        ws.cell(row=r, column=1).alignment = Alignment(
            horizontal="left", vertical="center", wrap_text=True, indent=item.get("indent", 0)
        )
        r += 1
    r = put_row(ws, r, [(1, b["building_label"], "block"), *[(1, h, "label") for h in b["building_header"]]])
    r = put_row(ws, r, [(1, "", "block"), *[(1, "", "label")] * len(b["building_header"])])
    merge_down(ws, 1, r - 2, r - 1)
    r = put_row(ws, r, [(1, b["saving_label"], "label"), (6, "", "text")])
    r = put_row(ws, r + 1, [(7, b["note"], "plain")])
    put_row(ws, r, [(7, b["footer"], "plain")])


def selfeval_001(wb: Workbook, s: dict[str, Any], unit: str) -> None:
    """附件3 自评表: nine columns (the indicator table); the budget and goal blocks span across them."""
    ws = new_sheet(wb, "附件3", [10, 14, 14, 30, 20, 20, 9, 9, 20])
    f = s["funds"]
    r = put_row(ws, 1, [(1, "附件3", "plain")])
    r = put_row(ws, r, [(9, s["title"], "title")])
    r = put_row(ws, r, [(3, s["unit_label"], "label"), (6, unit, "label")])
    top = r
    heads = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    r = put_row(ws, r, [(1, "年度预算申请（万元）", "block"), (2, "", "label"), *[(1, h, "label") for h in heads]])
    kinds = ("amount", "amount", "amount", "score", "pct", "score")
    r = put_row(
        ws,
        r,
        [(1, "", "block"), (2, "年度资金总额", "label"), *[(1, f[h], k) for h, k in zip(heads, kinds, strict=True)]],
    )
    r = put_row(ws, r, [(1, "", "block"), (4, "按收入性质分：", "label"), (4, "按支出性质分：", "label")])
    for income, spending in zip(s["income_cells"], s["spending_cells"], strict=True):
        r = put_row(ws, r, [(1, "", "block"), (4, income, "text"), (4, spending, "text")])
    merge_down(ws, 1, top, r - 1)
    r = put_row(ws, r, [(1, "年度总体目标", "block"), (4, "预期目标", "label"), (4, "实际完成情况", "label")])
    r = put_row(ws, r, [(1, "", "block"), (4, s["goal_expected"], "text"), (4, s["goal_actual"], "text")])
    merge_down(ws, 1, r - 2, r - 1)
    top = r
    heads = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    r = put_row(ws, r, [(1, "绩效指标", "block"), *[(1, h, "label") for h in heads]])
    fields = [
        (1, "l3", "text"),
        (1, "target", "text"),
        (1, "actual", "text"),
        (1, "weight", "score"),
        (1, "score", "score"),
        (1, "reason", "text"),
    ]
    r = indicator_rows(ws, r, s["indicators"], [(1, "", "block")], fields)
    merge_down(ws, 1, top, r - 1)
    put_row(
        ws, r, [(6, "总分", "label"), (1, s["total_weight"], "score"), (1, s["total_score"], "score"), (1, "", "text")]
    )


def build_001(data: dict[str, Any], path: Path) -> Path:
    wb = new_book()
    basic_001(wb, data["basic"])
    selfeval_001(wb, data["selfeval"], data["unit"])
    return save(wb, path)


# ---------------------------------------------------------------------------------------------- seed 002


def project_002(wb: Workbook, name: str, p: dict[str, Any]) -> None:
    """项目支出绩效目标表 (seed 002): seven columns, the budget row being the widest."""
    ws = new_sheet(wb, name, [14, 14, 18, 26, 14, 12, 16])
    r = put_row(ws, 1, [(7, f"{p['no']}.{p['title']}", "title")])
    r = put_row(ws, r, [(5, p["unit_line"], "plain"), (2, p["money_unit"], "plainr")])
    r = put_row(
        ws, r, [(1, "项目编码", "label"), (2, p["code"], "label"), (1, "项目名称", "label"), (3, p["name"], "label")]
    )
    r = put_row(
        ws,
        r,
        [
            (1, "预算规模及资金用途", "block"),
            (1, "预算数", "label"),
            (1, p["budget"], "amount"),
            (1, p["fiscal_label"], "label"),
            (1, p["fiscal"], "amount"),
            (1, "其他资金", "label"),
            (1, p["other"], "amount"),
        ],
    )
    r = put_row(ws, r, [(1, "", "block"), (6, p["purpose"], "text")])
    merge_down(ws, 1, r - 2, r - 1)
    months = ("3月底", "6月底", "10月底", "12月底")
    spans = (1, 1, 1, 3)
    r = put_row(
        ws, r, [(1, "资金支出计划（%）", "block"), *[(n, m, "label") for n, m in zip(spans, months, strict=True)]]
    )
    r = put_row(ws, r, [(1, "", "block"), *[(n, v, "label") for n, v in zip(spans, p["plan"], strict=True)]])
    merge_down(ws, 1, r - 2, r - 1)
    r = put_row(ws, r, [(1, "绩效目标", "label"), (6, p["goal"], "text")])
    heads = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值")
    r = put_row(ws, r, [*[(1, h, "label") for h in heads], (2, "指标值确定依据", "label")])
    indicator_rows(
        ws,
        r,
        p["indicators"],
        [],
        [(1, "l3", "text"), (1, "desc", "text"), (1, "value", "label"), (2, "basis", "text")],
    )


def build_002(data: dict[str, Any], path: Path) -> Path:
    wb = new_book()
    taken: set[str] = set()
    for p in data["projects"]:
        project_002(wb, sheet_name(f"{p['no']}.{p['name']}", taken), p)
    return save(wb, path)


# ---------------------------------------------------------------------------------------------- seed 003

WIDTHS_003 = [12, 16, 24, 16, 10, 10, 8, 36, 36]
HEADS_003 = ("一级指标", "二级指标", "三级指标", "指标值", "度量单位", "指标属性", "分值", "评(扣)分标准", "指标内容")
FIELDS_003: list[Cell] = [
    (1, "l3", "text"),
    (1, "value", "label"),
    (1, "unit", "label"),
    (1, "attr", "label"),
    (1, "weight", "score"),
    (1, "rule", "text"),
    (1, "content", "text"),
]


def indicators_003(ws: Worksheet, row: int, rows: Sequence[dict[str, str]]) -> int:
    """The nine-column indicator table shared by seed 003's project and department forms."""
    row = put_row(ws, row, [(1, h, "label") for h in HEADS_003])
    return indicator_rows(ws, row, rows, [], FIELDS_003)


def project_003(wb: Workbook, name: str, p: dict[str, Any], unit: str, caption: str = "") -> None:
    """项目支出绩效目标表 (seed 003 prints it as prose; this is the plain official grid for it).

    ``caption`` is a line printed above the table, outside it: the seed opens its 13 project tables with
    "个旧市民政局2022项目安排13项3830.65万元", which goes above the first one.
    """
    ws = new_sheet(wb, name, WIDTHS_003)
    r = put_row(ws, 1, [(9, caption, "plain")]) if caption else 1
    r = put_row(ws, r, [(9, f"{p['name']}项目支出绩效目标表", "title")])
    r = put_row(ws, r, [(1, "单位名称", "label"), (5, unit, "text"), (3, "金额单位：万元", "label")])
    r = put_row(ws, r, [(1, "项目名称", "label"), (8, p["name"], "text")])
    r = put_row(ws, r, [(1, "项目金额", "label"), (2, p["amount"], "amount"), (6, "", "text")])
    r = indicators_003(ws, r, p["indicators"])
    put_row(ws, r, [(9, "\n".join(p["basis_notes"]), "text")])


def department_003(wb: Workbook, d: dict[str, Any], unit: str, year: str) -> None:
    ws = new_sheet(wb, "部门整体支出绩效目标表", WIDTHS_003)
    r = put_row(ws, 1, [(9, f"{unit}{year}年部门整体支出绩效目标表", "title")])
    r = put_row(ws, r, [(1, "部门名称", "label"), (8, unit, "text")])
    r = put_row(ws, r, [(1, "年度总体目标", "label"), (8, d["goals"], "text")])
    r = put_row(ws, r, [(1, "年度重点工作任务", "label"), (8, d["tasks"], "text")])
    indicators_003(ws, r, d["indicators"])


def build_003(data: dict[str, Any], path: Path) -> Path:
    wb = new_book()
    department_003(wb, data["department"], data["unit"], data["year"])
    taken = {"部门整体支出绩效目标表"}
    for i, p in enumerate(data["projects"]):
        caption = data["project_total_line"] if i == 0 else ""
        project_003(wb, sheet_name(f"{p['no']}.{p['name']}", taken), p, data["unit"], caption)
    return save(wb, path)


# ---------------------------------------------------------------------------------------------- seed 004


def build_004(data: dict[str, Any], path: Path) -> Path:
    """部门（单位）整体支出绩效目标表 (seed 004): left labels merged down the task and indicator blocks."""
    wb = new_book()
    ws = new_sheet(wb, "部门整体支出绩效目标表", [10, 14, 16, 40, 12, 12, 12])
    r = put_row(ws, 1, [(7, data["title"], "title")])
    r = put_row(ws, r, [(7, data["year_line"], "plainc")])
    r = put_row(ws, r, [(2, "部门（单位）名称", "label"), (5, data["unit"], "label")])
    top = r
    r = put_row(
        ws,
        r,
        [
            (1, "年度主要任务", "block"),
            (1, "任务名称", "block"),
            (1, "", "block"),
            (1, "主要内容", "block"),
            (3, "预算金额（万元）", "label"),
        ],
    )
    r = put_row(
        ws, r, [*[(1, "", "block")] * 4, (1, "总额", "label"), (1, "财政拨款", "label"), (1, "其他资金", "label")]
    )
    ws.merge_cells(start_row=r - 2, start_column=2, end_row=r - 1, end_column=3)
    merge_down(ws, 4, r - 2, r - 1)
    money = ("总额", "财政拨款", "其他资金")
    r = put_row(ws, r, [(1, "", "block"), (3, "合计", "label"), *[(1, data["total"][k], "amount") for k in money]])
    for t in data["tasks"]:
        r = put_row(
            ws,
            r,
            [
                (1, "", "block"),
                (2, t["name"], "text"),
                (1, t["content"], "text"),
                (1, t["total"], "amount"),
                (1, t["fiscal"], "amount"),
                (1, t["other"], "amount"),
            ],
        )
    merge_down(ws, 1, top, r - 1)
    r = put_row(ws, r, [(1, "年度总体目标", "label"), (6, data["goal"], "text")])
    top = r
    r = put_row(
        ws,
        r,
        [
            (1, "年度绩效指标", "block"),
            (1, "一级指标", "label"),
            (1, "二级指标", "label"),
            (1, "三级指标", "label"),
            (3, "指标值", "label"),
        ],
    )
    r = indicator_rows(
        ws, r, data["indicators"], [(1, "", "block")], [(1, "l3", "text"), (3, "value", "label")], merge_l2=True
    )
    merge_down(ws, 1, top, r - 1)
    return save(wb, path)


# ---------------------------------------------------------------------------------------------------- all

BUILDERS: tuple[tuple[str, str, Callable[[dict[str, Any], Path], Path]], ...] = (
    ("seed000.json", "seed000_株洲市石峰区民政局_2023_部门整体及专项资金.xlsx", build_000),
    ("seed001.json", "seed001_株洲市芦淞区民政局_2024_绩效自评.xlsx", build_001),
    ("seed002.json", "seed002_秦皇岛市山海关区民政局_2022_项目支出.xlsx", build_002),
    ("seed003.json", "seed003_个旧市民政局_2022_重点项目.xlsx", build_003),
    ("seed004.json", "seed004_乌尔禾区民政局_2021_部门整体.xlsx", build_004),
)


def build_all(out_dir: Path) -> list[Path]:
    """Write every example workbook into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for source, target, build in BUILDERS:
        data = json.loads((DATA / source).read_text(encoding="utf-8"))
        paths.append(build(data, out_dir / target))
    return paths


if __name__ == "__main__":
    for built in build_all(HERE):
        print(built.relative_to(HERE.parent))
