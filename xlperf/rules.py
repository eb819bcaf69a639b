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
    Rule("amount.unit_cost_mismatch", "warning", "单价测算不符", "测算说明中“数量 × 标准 × 月数（× 分担比例）”算出的金额与该行金额不一致（超出配置的取整误差）；或所列金额之和与该行金额相差超过配置的比例（默认一半），测算没有算出本行金额"),
    Rule("amount.text_calc_mismatch", "hint", "测算说明金额不符", "测算依据文字列出的各项金额（万元）之和与文中合计或该行金额不一致（相差较大时报 amount.unit_cost_mismatch）"),
    Rule("xref.missing_sheet", "error", "缺少附表3", "附表2中的支出方向没有对应的附表3"),
    Rule("xref.orphan_sheet", "error", "附表3无对应行", "附表3在附表2中找不到对应的支出方向"),
    Rule("xref.name_mismatch", "warning", "名称不一致", "附表2与附表3按相似度配对，名称并不相同"),
    Rule("xref.amount_mismatch", "error", "金额不一致", "附表2的金额与对应附表3的项目金额不一致"),
    Rule("xref.goal_mismatch", "warning", "绩效目标不一致", "附表2与对应附表3的实施期/年度绩效目标不一致"),
    Rule("xref.total_mismatch", "error", "项目支出不一致", "附表2合计与部门整体支出绩效目标表的项目支出不一致"),
    Rule("xref.selfeval_vs_basic", "warning", "自评与基础数据表不符", "基础数据表某项目支出决算/预算低于90%（未支出额不小于全年预算数的2%）而自评执行率在99%以上；或自评项目支出与基础数据表各项目的预算数之和、决算数之和都不符（阈值见配置）"),
    Rule("xref.duplicate", "error", "支出方向重复", "附表2的两行或两张附表3是同一个支出方向"),
    Rule("indicator.unknown_level", "error", "指标层级名称不规范", "一级或二级指标名称不在指标体系中"),
    Rule("indicator.level_mismatch", "error", "二级指标归属错误", "二级指标放在了错误的一级指标下"),
    Rule("indicator.missing_level1", "error", "缺少一级指标", "产出、效益或满意度指标没有填写任何三级指标（绩效自评表可不设满意度，其分值并入效益，财预〔2020〕10号）"),
    Rule("indicator.empty_value", "error", "指标值缺失", "三级指标有名称没有指标值，或有指标值没有名称"),
    Rule("indicator.bad_value", "error", "指标值无法识别", "指标值无法解析（如 < =\"11479、连续两个运算符、引号括号不成对）"),
    Rule("indicator.placeholder_value", "warning", "指标值是占位内容", "指标值不是目标值：是/否、照抄指标名称、只写“人数”“抽样调查”等"),
    Rule("indicator.unit_mismatch", "warning", "单位不一致", "指标值与单位不一致（比率配数量单位、% 配文字、人数写成百分比、目标“12次”实际“100%”）"),
    Rule("indicator.direction", "warning", "指标方向错误", "运算符方向与指标性质相反（满意度、知晓率等写成≤；成本上限写成≥；比率写成≥100%）"),
    Rule("indicator.misfiled", "hint", "指标归类可能有误", "三级指标的含义属于另一个二级指标（满意度下的项目周期或知晓率、时效下的符合率、数量下的比率、成本指标下的完成率等）"),
    Rule("indicator.duplicate", "warning", "指标重复", "同一指标表中三级指标名称和指标值完全相同"),
    Rule("indicator.vague_value", "warning", "指标值含糊", "指标值没有数字，只有“进一步、稳步、持续、有效、有所、基本、明显”等含糊词语，无法考核"),
    Rule("indicator.imprecise_number", "hint", "数字不确切", "指标值的数字带“约、多、左右、以上”等（如“2400多名”），考核时无法判断是否达成"),
    Rule("indicator.attribute_mismatch", "warning", "指标属性与指标值不符", "指标属性为定量而指标值是文字，或为定性而指标值是数字加单位"),
    Rule("indicator.copied_set", "warning", "指标照搬", "同一工作簿中多个项目或附表3的指标（名称与指标值）完全相同，每组报告一次"),
    Rule("indicator.foreign_name", "hint", "指标提到别的对象", "指标名称提到另一个项目的对象（如农村低保项目里写“城市”）"),
    Rule("indicator.missing_cost", "warning", "缺少成本指标", "按2021年指标体系（财预〔2021〕101号）应设成本指标而未设"),
    Rule("indicator.output_incomplete", "hint", "产出指标不全", "产出指标缺少数量、质量或时效指标"),
    Rule("plan.not_monotonic", "error", "支出进度倒退", "资金支出计划中后一时点的累计比例低于前一时点"),
    Rule("plan.not_complete", "error", "支出进度未到100%", "资金支出计划最大累计比例不是100%"),
    Rule("score.weights_sum", "error", "分值合计不符", "指标分值之和不是100（执行率占10分时不是90）"),
    Rule("score.over_weight", "error", "得分超过分值", "得分大于该项分值"),
    Rule("score.mismatch", "warning", "得分与规则不符", "填报得分与按评分规则计算的得分不一致"),
    Rule("score.reason_missing", "warning", "缺少偏差原因", "得分低于分值但未填写偏差原因分析及改进措施"),
    Rule("score.rate_basis", "warning", "执行率口径错误", "执行率不是全年执行数 / 全年预算数（如除以年初预算数）"),
    Rule("score.total_mismatch", "error", "总分不符", "总分与得分合计不一致"),
    Rule("score.over_achieved", "warning", "超额完成未说明", "实际完成值远高于目标值（倍数见配置）且未填写偏差原因"),
    Rule("score.unsupported", "hint", "完成情况照抄目标", "定性指标的实际完成值只是照抄目标值，却得了满分"),
    Rule("score.grade_mismatch", "warning", "评价等级与总分不符", "填报的评价等级与总分对应的等级不一致"),
    Rule("score.band_gap", "warning", "评分档次有空档", "评(扣)分标准的分档没有覆盖所有可能的完成值（如目标95%，分档止于90%）"),
    Rule("score.manual_needed", "hint", "需要人工评分", "定性指标没有完成等级，需人工判断得分"),
    Rule("goal.restates_name", "warning", "绩效目标只是项目名称", "绩效目标与项目名称或资金用途相同或几乎相同，没有说明要达到的产出和效果"),
    Rule("goal.no_indicator", "hint", "目标没有对应指标", "编号的绩效目标条目没有任何一条指标与之对应"),
    Rule("code.format", "warning", "项目编码格式有误", "项目编码的长度、年份位等不符合预算管理一体化的编码规则"),
    Rule("code.duplicate", "warning", "项目编码重复", "同一项目编码用于两个单位或两个不同的项目"),
)  # fmt: skip

BY_CODE = {rule.code: rule for rule in RULES}


def title_of(code: str) -> str:
    """The rule's Chinese name (名称) that every presenter shows beside its code; "" for a code the catalog
    does not define (a finding kept in a results database by another version of xlperf)."""
    rule = BY_CODE.get(code)
    return rule.title if rule is not None else ""


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
    "goal": "goal — 绩效目标 against the project and its indicators",
    "code": "code — 项目编码",
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
        lines += [
            f"| `{r.code}` | {r.severity} | {r.title} | {r.fires_when} |"
            for r in RULES
            if r.code.split(".")[0] == prefix
        ]
    return "\n".join(lines) + "\n"
