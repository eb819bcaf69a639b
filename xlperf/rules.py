"""The rule catalog as data: one entry per code of ``shared/spec/rules.md``, the public contract.

A check creates findings only through :func:`finding`, so every finding carries its rule's severity and
no code is used that the catalog does not define.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlperf.model import Field
from xlperf.report import Finding


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str  # what the rule checks, in a few words (Chinese)
    fires_when: str  # when it fires (Chinese), as `xlperf rules` lists it


RULES: tuple[Rule, ...] = (
    Rule("form.unrecognized", "hint", "未识别的工作表", "非空工作表不属于任何已知表式"),
    Rule("form.partly_read", "warning", "有内容未读入", "已识别表格的区域内有非空单元格无法归入任何栏目；或工作表带有绩效表格的栏目却无法识别，均未作检查"),
    Rule("form.missing_field", "error", "缺少必填项", "已识别表格的必填项缺失或为空（项目名称、金额、年度绩效目标、指标表等）"),
    Rule("amount.not_number", "error", "金额不是数字", "金额单元格是文字而不是数字（如“14.87万”“约10”）"),
    Rule("amount.negative", "error", "金额为负数", "金额小于零"),
    Rule("amount.sum_mismatch", "error", "合计不符", "合计数与各组成部分之和不一致（资金总额、预算数、合计行、项目金额、其中项等）"),
    Rule("amount.text_calc_mismatch", "hint", "测算说明金额不符", "测算依据文字列出的各项金额（万元）之和与该行金额不一致"),
    Rule("xref.missing_sheet", "error", "缺少附表3", "附表2中的支出方向没有对应的附表3"),
    Rule("xref.orphan_sheet", "error", "附表3无对应行", "附表3在附表2中找不到对应的支出方向"),
    Rule("xref.name_mismatch", "warning", "名称不一致", "附表2与附表3按相似度配对，名称并不相同"),
    Rule("xref.amount_mismatch", "error", "金额不一致", "附表2的金额与对应附表3的项目金额不一致"),
    Rule("xref.goal_mismatch", "warning", "绩效目标不一致", "附表2与对应附表3的实施期/年度绩效目标不一致"),
    Rule("xref.total_mismatch", "error", "项目支出不一致", "附表2合计与部门整体支出绩效目标表的项目支出不一致"),
    Rule("xref.duplicate", "error", "支出方向重复", "附表2的两行或两张附表3是同一个支出方向"),
    Rule("indicator.unknown_level", "error", "指标层级名称不规范", "一级或二级指标名称不在指标体系中"),
    Rule("indicator.level_mismatch", "error", "二级指标归属错误", "二级指标放在了错误的一级指标下"),
    Rule("indicator.missing_level1", "error", "缺少一级指标", "产出、效益或满意度指标没有填写任何三级指标"),
    Rule("indicator.empty_value", "error", "指标值缺失", "三级指标有名称没有指标值，或有指标值没有名称"),
    Rule("indicator.bad_value", "error", "指标值无法识别", "指标值无法解析（如 < =\"11479、连续两个运算符、引号括号不成对）"),
    Rule("indicator.placeholder_value", "warning", "指标值是占位内容", "指标值不是目标值：是/否、照抄指标名称等"),
    Rule("indicator.unit_mismatch", "warning", "单位不一致", "指标值与单位不一致（比率配数量单位、% 配文字、目标“12次”实际“100%”）"),
    Rule("indicator.direction", "warning", "指标方向错误", "运算符方向与指标性质相反（满意度、知晓率等写成≤；成本上限写成≥）"),
    Rule("indicator.misfiled", "hint", "指标归类可能有误", "三级指标的含义属于另一个二级指标（满意度下的项目周期、成本指标下的完成率等）"),
    Rule("indicator.duplicate", "warning", "指标重复", "同一指标表中三级指标名称和指标值完全相同"),
    Rule("plan.not_monotonic", "error", "支出进度倒退", "资金支出计划中后一时点的累计比例低于前一时点"),
    Rule("plan.not_complete", "error", "支出进度未到100%", "资金支出计划最大累计比例不是100%"),
    Rule("score.weights_sum", "error", "分值合计不符", "指标分值之和不是100（执行率占10分时不是90）"),
    Rule("score.over_weight", "error", "得分超过分值", "得分大于该项分值"),
    Rule("score.mismatch", "warning", "得分与规则不符", "填报得分与按评分规则计算的得分不一致"),
    Rule("score.reason_missing", "warning", "缺少偏差原因", "得分低于分值但未填写偏差原因分析及改进措施"),
    Rule("score.rate_basis", "warning", "执行率口径错误", "执行率不是全年执行数 / 全年预算数（如除以年初预算数）"),
    Rule("score.total_mismatch", "error", "总分不符", "总分与得分合计不一致"),
    Rule("score.manual_needed", "hint", "需要人工评分", "定性指标没有完成等级，需人工判断得分"),
)  # fmt: skip

BY_CODE = {rule.code: rule for rule in RULES}


def finding(
    code: str,
    at: Field[Any] | tuple[str, str],
    message: str,
    expected: Any = None,
    actual: Any = None,
) -> Finding:
    """A finding of rule ``code`` at a field's cell (or an explicit (sheet, cell))."""
    rule = BY_CODE[code]
    sheet, cell = (at.sheet, at.cell) if isinstance(at, Field) else at
    return Finding(code, rule.severity, sheet, cell, message, expected, actual)


FAMILIES = {
    "form": "form — recognising the workbook, and what was not read",
    "amount": "amount — money that must add up",
    "xref": "xref — 附表2 against 附表3 and the department table",
    "indicator": "indicator — the indicator table",
    "plan": "plan — 资金支出计划",
    "score": "score — self-evaluation scores",
}


def markdown() -> str:
    """The catalog as docs/rules.md prints it (``xlperf rules --format markdown``; a test keeps them equal)."""
    lines = [
        "# Rule catalog",
        "",
        "Made from the code (`xlperf rules --format markdown > docs/rules.md`); a test fails when they differ.",
        "Each finding has a `code` (stable), a `severity` (`error` · `warning` · `hint`), the `sheet` and `cell`",
        "to look at, a Chinese `message` saying what is wrong and what to write instead, `expected` / `actual`",
        "where a number is involved, and for sums a `fix` (the formula and value 填充合计 writes).",
    ]
    for prefix, heading in FAMILIES.items():
        lines += ["", f"## {heading}", "", "| code | severity | 名称 | 何时报告 |", "|---|---|---|---|"]
        lines += [f"| `{r.code}` | {r.severity} | {r.title} | {r.fires_when} |" for r in RULES if r.code.split(".")[0] == prefix]
    return "\n".join(lines) + "\n"
