"""Official blank forms, generated from code: ``xlperf template KIND --output FILE``.

Each template is laid out as the official form prints it (宋体, a merged centred title, thin borders, A4
landscape one page wide with the title rows repeated), with its input cells unlocked and everything else
protected (no password), drop-downs for 一级/二级 (二级 depending on 一级 through named ranges and INDIRECT),
指标属性, 指标方向 and 完成等级 — the lists come from :mod:`xlperf.labels` and :mod:`xlperf.scoring`, written
on a hidden sheet — totals as live formulas (the same formulas ``xlperf fill`` writes, with their values
cached so that a reader that does not recalculate still sees them) and a 填表说明 sheet.

The readers of :mod:`xlperf.forms` read every template back; ``workbook_templates/`` holds the generated
files (``python -m xlperf.templates`` rewrites them). This module stays light (no spreadsheet library), so
that the command line answers at once; the builders are in :mod:`xlperf.templates.forms`.
"""

from __future__ import annotations

# Template kind → (file name in workbook_templates/, what it is).
TEMPLATES: dict[str, tuple[str, str]] = {
    "dept": ("部门整体支出绩效目标表.xlsx", "部门（单位）整体支出绩效目标表"),
    "special": ("专项资金绩效目标表.xlsx", "专项资金：附表2 汇总表和附表3 支出方向绩效目标表"),
    "project": ("项目支出绩效目标表.xlsx", "项目支出绩效目标表"),
    "selfeval-project": ("项目支出绩效自评表.xlsx", "项目支出绩效自评表"),
    "selfeval-dept": ("部门整体支出绩效自评表.xlsx", "部门（单位）整体支出绩效自评表"),
}
KINDS = tuple(TEMPLATES)

GUIDE_SHEET = "填表说明"
LISTS_SHEET = "_xlperf_lists"
