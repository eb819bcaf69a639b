"""Review profiles: what a bureau's 审核 expects, as data — the scoring settings, whether the 2021 framework
(成本指标 required) applies, the vocabularies of vague and placeholder values, and the thresholds of the
heuristic rules. One profile is in force for a run; both hosts pass it to :func:`xlperf.checks.check_model`.

``NATIONAL`` is the default (财预〔2020〕10号, 财预〔2021〕101号). A profile is chosen by name
(``--profile NAME``) or read from a TOML file (``--profile FILE.toml``) over the national one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

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
    # score.over_achieved: an actual at least this many times its target (正向 and 等于 indicators) needs a
    # 偏差原因; for a target in % the actual must also be this many percentage points above it (95% → 100%
    # is no over-achievement, 1% → 2% is noise).
    over_achieved_ratio: Decimal = Decimal("1.5")
    over_achieved_min_points: Decimal = Decimal(10)
    # score.unsupported: what an actual may add to the target's words and still only copy them (已稳定运行).
    copied_actual_prefixes: tuple[str, ...] = ("已经", "均已", "全部", "已", "均")
    copied_actual_suffixes: tuple[str, ...] = ("了", "。")
    # score.grade_mismatch: local wordings of the table's 评价等级, read as the grades of ScoringSettings.grades
    # (优 / 良 / 中 / 差). A 评价等级 written as a completion grade (达成预期指标 …) is read through
    # ScoringSettings.grade_aliases and judged against 总分 as a share of the 分值 total.
    table_grade_aliases: dict[str, str] = field(
        default_factory=lambda: {
            "优秀": "优", "优等": "优", "良好": "良", "中等": "中", "合格": "中", "一般": "中",
            "较差": "差", "不合格": "差",
        }
    )  # fmt: skip
    # xref.selfeval_vs_basic: a 基础数据表 project line spent below ``basic_line_rate`` of its budget
    # (决算数 / 预算数 of the evaluated year) contradicts a 自评 执行率 of ``basic_full_rate`` or more, when the
    # line's unspent amount is at least ``basic_line_min_share`` of the 自评's 全年预算数 (smaller lines
    # cannot move the table's 执行率).
    basic_line_rate: Decimal = Decimal("0.9")
    basic_full_rate: Decimal = Decimal("0.99")
    basic_line_min_share: Decimal = Decimal("0.02")
    # The 基础数据表's year columns: the words of a budget column and of a final-accounts column.
    basic_budget_words: tuple[str, ...] = ("预算数",)
    basic_final_words: tuple[str, ...] = ("决算数", "执行数")
    # The 自评 tables a 基础数据表 belongs to: their title carries one of these (部门整体支出绩效自评表).
    basic_selfeval_titles: tuple[str, ...] = ("整体",)

    # indicator.vague_value: words a 指标值 without any digit rests on when it cannot be checked (进一步提高,
    # 稳步提升); a value that is nothing but a trend verb ("提高") is vague too.
    vague_words: tuple[str, ...] = (
        "进一步", "稳步", "持续", "有效", "有所", "基本", "明显", "显著", "逐步", "不断", "全面", "大幅", "切实",
        "较好", "较大", "较高", "更加", "日益", "积极", "大力", "一定程度",
    )  # fmt: skip
    vague_trend_words: tuple[str, ...] = (
        "提高", "提升", "改善", "增强", "加强", "完善", "推进", "推动", "保障", "改进", "优化", "降低", "减少",
        "增加", "扩大", "深化", "落实", "解决", "保护", "节约", "废除", "满足", "抓好", "维护", "缓解",
    )  # fmt: skip
    # Qualitative targets that can be checked, and terms that merely contain a vague word (基本生活): taken out
    # of a value before its vague words are looked for, so "应保尽保" or "保障特困人员基本生活" is not vague.
    vague_allowed: tuple[str, ...] = (
        "应保尽保", "应救尽救", "应补尽补", "应养尽养", "应发尽发", "按月发放", "按季度发放", "按时足额发放",
        "足额发放", "按时发放", "按月支付", "按时拨付", "及时", "即时", "按规定时限完成", "正常运转", "正常运行",
        "达到", "基本达到", "未达到", "基本生活", "基本养老", "基本医疗", "基本公共服务", "基本民生",
        "基本殡葬", "基本需求", "有效期", "全覆盖",
    )  # fmt: skip
    # The rewrite hint of a vague value, by its 二级 (or 一级) framework name; {example} is filled from the
    # indicator's name where its subject can be told ("老年人生活情况" → "老年人生活满意度≥90%").
    vague_hints: tuple[tuple[str, str], ...] = (
        ("数量指标", "请写明数量和单位，如“≥300人”“4次”"),
        ("质量指标", "请写成可考核的比率，如“发放准确率=100%”“合格率≥95%”"),
        ("时效指标", "请写明完成时限或及时率，如“12月底前完成”“发放及时率=100%”"),
        ("成本指标", "请写明金额上限或标准，如“≤12万元”“=100元/人/月”"),
        ("效益指标", "请写成可衡量的目标，如“{example}”，或用“达到/基本达到/未达到”分级并写明每级的条件"),
        ("服务对象满意度指标", "请写成满意度目标，如“≥90%”"),
        ("满意度指标", "请写成满意度目标，如“≥90%”"),
    )
    vague_example: str = "受益对象满意度≥90%"  # {example} when the name gives no subject
    vague_subject_suffixes: tuple[str, ...] = ("提升情况", "提高情况", "改善情况", "情况", "水平", "状况", "质量")
    vague_subject_people: tuple[str, ...] = ("人", "群众", "对象", "儿童", "孤儿", "家庭", "居民", "老人")
    # indicator.imprecise_number: words before a number ("约150人") or after it ("2400多名", "50人左右") that
    # make it approximate; units after which 以上 is a threshold ("80岁以上"), not an approximation.
    imprecise_before: tuple[str, ...] = ("大约", "约")
    imprecise_after: tuple[str, ...] = ("左右", "以上", "上下", "多", "余")
    imprecise_threshold_units: tuple[str, ...] = ("周岁", "岁", "级", "年")
    # indicator.attribute_mismatch: how 指标属性 names the two kinds.
    quantitative_words: tuple[str, ...] = ("定量",)
    qualitative_words: tuple[str, ...] = ("定性",)
    # indicator.missing_cost: the 2021 framework is in force for a workbook that has a 成本指标 一级 anywhere;
    # True applies it to every workbook, even one on the older forms (成本 under 产出, 财预〔2015〕).
    framework_2021: bool = False
    # indicator.output_incomplete: the 二级 that 产出 should have, each with an example of its kind.
    output_level2: tuple[tuple[str, str], ...] = (
        ("数量指标", "“补助人数≥300人”"),
        ("质量指标", "“补助发放准确率=100%”"),
        ("时效指标", "“补助资金发放及时率=100%”"),
    )
    # indicator.missing_level1: a 绩效自评表 may leave out 满意度 (财预〔2020〕10号: its weight then goes to 效益).
    selfeval_satisfaction_optional: bool = True
    # 测算说明 arithmetic (amount.unit_cost_mismatch, amount.text_calc_mismatch). A product or share a text
    # computes (数量 × 标准 × 月数 × 分担比例) may differ from the line by this share of it (rounding to 万元).
    calc_rounding: Decimal = Decimal("0.01")
    # Listed amounts off the line by more than this share of it compute other money than the line's: a
    # warning (amount.unit_cost_mismatch); a smaller gap is a hint (amount.text_calc_mismatch).
    calc_large_gap: Decimal = Decimal("0.5")
    # The months a rate per month (50元/人/月, 每人每月50元) counts when the text writes none.
    calc_months: int = 12
    # Levels of government a share names (市、区按1:1承担, 省市区5:3:2), and those that fill the form:
    # their part of a share is the line's amount; a share naming only other levels (省按……的25%) is theirs.
    calc_levels: tuple[str, ...] = ("中央", "省", "自治区", "市", "州", "盟", "区", "县", "旗", "乡", "镇", "本级")
    calc_own_levels: tuple[str, ...] = ("区", "县", "旗", "本级")
    # Words right before an amount that make it a rate, not a sum (每人每月50元, 标准为650元).
    calc_rate_words: tuple[str, ...] = ("每", "标准", "按", "补助为", "补贴为")
    # Words before an amount that make it the total of what precedes it (共计504万元).
    calc_total_words: tuple[str, ...] = ("共计", "合计", "总计", "共", "总额", "累计", "小计")
    # Words before an amount that make it the text's conclusion (实际批复金额为10万元, 预算360万元).
    calc_conclusion_words: tuple[str, ...] = ("实际批复", "批复", "核定", "下达", "安排", "预算", "申请")
    # Words near a percentage that make it a share (市区各配套50%, 按1800万元的20%).
    calc_share_words: tuple[str, ...] = ("配套", "承担", "负担", "分担", "比例", "各", "的", "按", "占")
    # Words that leave a list open (工资、保险等共计14.87万元): its items are not all the money.
    calc_open_list_words: tuple[str, ...] = ("等",)


NATIONAL = Profile()
