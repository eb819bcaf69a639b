"""Review profiles: what a bureau's 审核 expects, as data — the scoring settings, whether the 2021 framework
(成本指标 required) applies, the vocabularies of vague and placeholder values, and the thresholds of the
heuristic rules. One profile is in force for a run; both hosts pass it to :func:`xlperf.checks.check_model`.

``NATIONAL`` is the default (财预〔2020〕10号, 财预〔2021〕101号). A profile is chosen by name
(``--profile NAME``) or read from a TOML file (``--profile FILE.toml``) over the national one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlperf.scoring import DEFAULT as DEFAULT_SCORING
from xlperf.scoring import ScoringSettings


@dataclass(frozen=True)
class Profile:
    """Everything a review run may vary by bureau. Rules read their vocabularies and thresholds here."""

    name: str = "national"
    title: str = "全国通用（财预〔2020〕10号、财预〔2021〕101号）"
    scoring: ScoringSettings = field(default_factory=lambda: DEFAULT_SCORING)
    # The 2021 framework makes 成本指标 a 一级 of its own and requires it (indicator.missing_cost).
    cost_required: bool = True
    # indicator.copied_set: projects / 附表3 whose indicator sets (三级 name + 指标值) are equal; sets of fewer
    # indicators than this are too small to tell a copy from a coincidence.
    copied_set_min_indicators: int = 3
    # indicator.foreign_name: subjects that are each other's counterpart; an indicator naming one in a
    # project named after the other (城市… in a 农村… project) is a trace of copying. Both ways round.
    foreign_subject_pairs: tuple[tuple[str, str], ...] = (("城市", "农村"), ("城镇", "农村"), ("孤儿", "老年人"))
    # goal.restates_name: rapidfuzz ratio (0–100) from which a goal is its project's name or 资金用途 again;
    # the words dropped for the second comparison; and the length (characters, without numbering and
    # punctuation) beyond which a goal equal to the 资金用途 is a real goal written into both cells.
    goal_restates_ratio: float = 85.0
    goal_filler_words: tuple[str, ...] = (
        "保障", "确保", "完成", "做好", "实现", "用于", "经费", "资金", "专项", "项目", "本级", "费用", "工作",
    )  # fmt: skip
    goal_restates_max_chars: int = 80
    # goal.no_indicator: words that say nothing of what a goal clause is about; the rest of the clause, in
    # two-character pieces, must appear in some indicator's name, description or target.
    goal_generic_words: tuple[str, ...] = (
        "保障", "确保", "完成", "提高", "提升", "推进", "落实", "加强", "进一步", "工作", "正常", "开展", "实施",
        "顺利", "有效", "不断", "持续", "稳步", "切实", "做好", "实现", "促进", "规范", "全面", "各项", "相关",
        "单位", "运转", "全区", "全市", "全县", "全州", "全省", "本级", "资金", "经费", "项目", "专项", "人员",
        "水平", "能力", "情况", "的", "和", "及", "与", "等", "为", "对", "使", "其", "更",
    )  # fmt: skip
    # The goals goal.no_indicator judges: 项目 (项目支出绩效目标表) and 附表3, whose goal and indicators describe
    # one spending. "部门" adds the 部门整体 goals, whose duties are often measured in other tables.
    goal_no_indicator_forms: tuple[str, ...] = ("项目", "附表3")


NATIONAL = Profile()
