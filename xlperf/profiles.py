"""Review profiles: what a bureau's 审核 expects, as data — the scoring settings, whether the 2021 framework
(成本指标 required) applies, the vocabularies of vague and placeholder values, and the thresholds of the
heuristic rules. One profile is in force for a run; both hosts pass it to :func:`xlperf.checks.check_model`.

``NATIONAL`` is the default (财预〔2020〕10号, 财预〔2021〕101号). A profile is chosen by name
(``--profile NAME``) or read from a TOML file (``--profile FILE.toml``) over the national one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xlperf.errors import WorkbookError
from xlperf.scoring import DEFAULT as DEFAULT_SCORING
from xlperf.scoring import ScoringSettings


@dataclass(frozen=True)
class Profile:
    """Everything a review run may vary by bureau. Rules read their vocabularies and thresholds here."""

    # The profile's name (--profile NAME; a file's name when the file does not say).
    name: str = "national"
    # What the profile is, and the documents it follows (shown by xlperf profiles).
    title: str = "全国通用（财预〔2020〕10号、财预〔2021〕101号）"
    # The scoring settings (评分): the keys of RULES.toml, in the same units; --rules is read over them.
    scoring: ScoringSettings = field(default_factory=lambda: DEFAULT_SCORING)
    # The 2021 framework makes 成本指标 a 一级 of its own and requires it (indicator.missing_cost).
    cost_required: bool = True
    # 项目编码 of the 预算管理一体化 kind (code.format): its length, and its structure as a regular expression
    # with the groups ``region`` (财政区划, the 6-digit 行政区划代码) and ``year`` (the two digits of the year
    # the project entered the 项目库).
    code_length: int = 21
    code_pattern: str = r"(?P<region>[0-9]{6})(?P<year>[0-9]{2})[0-9A-Z]{13}"
    # The first two digits of a 行政区划代码: the provinces (GB/T 2260).
    code_provinces: tuple[str, ...] = (
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    )  # fmt: skip
    # The earliest year a 项目编码 may carry: projects entered the 预算管理一体化 项目库 from 2019 on.
    code_first_year: int = 2019
    # The budget year of the workbooks checked (a code's year may not be later); 0: read from the titles.
    budget_year: int = 0
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


# --- profiles from TOML --------------------------------------------------------------------------------------
# A profile file is TOML whose keys are the fields of Profile (every one of them, whatever its type), read over
# the national profile — or over a shipped one named by ``extends``. Each key and value is checked against the
# field's type; a bad one is one line naming the file, the key and what is allowed (exit 2). The ``scoring``
# table takes the keys of RULES.toml (``--rules``), in the same units.

SHIPPED = "data/profiles"  # package data: xlperf/data/profiles/NAME.toml, one per shipped profile
ENV_VAR = "XLPERF_PROFILE"  # the profile of the ribbon (and of any host that has no --profile option)


class ProfileError(WorkbookError):
    """A profile or RULES.toml that cannot be used. The CLI prints ``str(err)`` and exits with code 2."""

    def __init__(self, path: str, key: str, reason_zh: str, reason_en: str) -> None:
        self.key = key
        super().__init__(path, reason_zh, reason_en)

    def __str__(self) -> str:
        where = f"“{self.key}”" if self.key else ""
        sep = " " if where and self.reason_zh.startswith("=") else ""
        return f"配置文件 {self.path} 有误：{where}{sep}{self.reason_zh} ({self.reason_en})"


def shipped() -> list[tuple[str, str]]:
    """The shipped profiles: (name, title), national first."""
    out = []
    for entry in sorted(_shipped_dir().iterdir(), key=lambda e: (e.name != "national.toml", e.name)):
        if entry.name.endswith(".toml"):
            name = entry.name.removesuffix(".toml")
            out.append((name, load_profile(name).title))
    return out


def load_profile(spec: str | None) -> Profile:
    """The profile ``spec`` names: a shipped profile's name, or a TOML file; the national profile for None."""
    return _load(spec, set()) if spec else NATIONAL


def profile_from_env() -> Profile:
    """The profile named by ``XLPERF_PROFILE`` (a name or a file), else the national one."""
    import os

    return load_profile(os.environ.get(ENV_VAR, "").strip() or None)


def rules_over(base: ScoringSettings, path: str | None) -> ScoringSettings:
    """``--rules RULES.toml``: scoring settings read over ``base`` (the scoring of the profile in force)."""
    if not path:
        return base
    return _scoring(_read_toml(path), base, path, "")


def fingerprint(profile: Profile) -> str:
    """A short digest of every value of a profile, e.g. to tell the results of two profiles apart."""
    import hashlib

    return hashlib.sha256(repr(profile).encode("utf-8")).hexdigest()[:12]


def profile_from_table(data: dict[str, Any], base: Profile = NATIONAL, where: str = "") -> Profile:
    """``data`` (a parsed TOML table) over ``base``: every key a field of :class:`Profile`, of its type."""
    import dataclasses

    fields = {f.name: f for f in dataclasses.fields(Profile)}
    hints = _hints(Profile)
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "extends":
            continue
        if key not in fields:
            raise ProfileError(where, key, f"不是配置项；{_suggest(key, ['extends', *fields])}", f"unknown key {key!r}")
        changes[key] = _convert(value, hints[key], getattr(base, key), where, key)
        check = fields[key].metadata.get("check") or _CHECKS.get(key)
        problem = check(changes[key]) if check else None
        if problem:
            raise ProfileError(where, key, f"= {_shown(value)} 不可用：{problem}", f"bad value for {key}")
    try:
        return dataclasses.replace(base, **changes)
    except (TypeError, ValueError) as err:  # a field's own __post_init__ check
        raise ProfileError(where, "", f"各项不能同时成立：{err}", "inconsistent values") from err


def _suggest(key: str, allowed: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"是否应为“{close[0]}”？（全部配置项见 xlperf profiles --format markdown）"
    return f"可用的配置项：{'、'.join(allowed)}"


def _load(spec: str, seen: set[str]) -> Profile:
    if spec.lower().endswith(".toml") or "/" in spec or "\\" in spec:
        where, data = spec, _read_toml(spec)
        default_name = _stem(spec)
    else:
        entry = _shipped_dir() / f"{spec}.toml"
        if not entry.is_file():
            names = "、".join(
                e.name.removesuffix(".toml") for e in _shipped_dir().iterdir() if e.name.endswith(".toml")
            )
            raise ProfileError(spec, "", f"没有这个配置；可用的配置：{names}，或给出 .toml 文件", "unknown profile")
        where, data = f"{spec}（内置）", _parse_toml(entry.read_text(encoding="utf-8"), spec)
        default_name = spec
    base = NATIONAL
    parent = data.get("extends")
    if parent is not None:
        if not isinstance(parent, str) or parent in seen or parent == spec or not _is_shipped(parent):
            raise ProfileError(where, "extends", f"= {_shown(parent)} 不可用：应为另一个内置配置的名称", "bad extends")
        base = _load(parent, seen | {spec})
    data.setdefault("name", default_name)
    return profile_from_table(data, base, where)


def _is_shipped(name: str) -> bool:
    return "/" not in name and "\\" not in name and _shipped_dir().joinpath(f"{name}.toml").is_file()


def _shipped_dir() -> Any:
    from importlib.resources import files

    return files("xlperf").joinpath(SHIPPED)


def _stem(path: str) -> str:
    from pathlib import PurePath

    return PurePath(path.replace("\\", "/")).stem


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise ProfileError(path, "", "文件不存在", "file not found") from None
    except OSError as err:
        raise ProfileError(path, "", "无法打开文件", f"cannot open: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProfileError(path, "", "不是 UTF-8 编码的文字文件", "not UTF-8") from None
    return _parse_toml(text, path)


def _parse_toml(text: str, where: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(where, "", f"不是有效的 TOML（{_one_line(str(err))}）", "invalid TOML") from None


def _hints(cls: type) -> dict[str, Any]:
    import typing

    return typing.get_type_hints(cls)


# --- one value against its field's type ----------------------------------------------------------------------


def _convert(value: Any, tp: Any, current: Any, where: str, key: str) -> Any:
    import dataclasses
    import types
    import typing

    bad = ProfileError(where, key, f"= {_shown(value)} 不可用：应为{describe(tp)}", f"{key} must be {_english(tp)}")
    if tp is Any:
        return value
    if tp in _TABLES:
        return _TABLES[tp](value, current, where, key)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        for arm in (a for a in args if a is not type(None)):
            try:
                return _convert(value, arm, current, where, key)
            except ProfileError:
                continue
        raise bad
    if origin is typing.Literal:
        if value in args:
            return value
        raise bad
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise bad
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise bad
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise bad
    if tp is Decimal:
        return _decimal(value, bad)
    if tp is str:
        if isinstance(value, str):
            return value
        raise bad
    if origin in (tuple, list, set, frozenset):
        if not isinstance(value, list):
            raise bad
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(value) != len(args):
                raise bad
            return tuple(
                _convert(v, a, None, where, f"{key}[{i}]") for i, (v, a) in enumerate(zip(value, args, strict=True))
            )
        item = args[0] if args else Any
        return origin(_convert(v, item, None, where, f"{key}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise bad
        k_tp, v_tp = args if args else (Any, Any)
        return {
            _convert(k, k_tp, None, where, key): _convert(v, v_tp, None, where, f"{key}.{k}") for k, v in value.items()
        }
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise bad
        fields = {f.name for f in dataclasses.fields(tp)}
        hints = _hints(tp)
        base = current if isinstance(current, tp) else tp()
        changes = {}
        for k, v in value.items():
            if k not in fields:
                allowed = "、".join(fields)
                raise ProfileError(where, f"{key}.{k}", f"不是配置项；可用：{allowed}", f"unknown key {key}.{k}")
            changes[k] = _convert(v, hints[k], getattr(base, k), where, f"{key}.{k}")
        return dataclasses.replace(base, **changes)
    raise ProfileError(where, key, f"的类型（{tp}）不能从配置文件设置", f"{key}: unsupported type")


def _decimal(value: Any, bad: ProfileError) -> Decimal:
    from decimal import InvalidOperation

    if isinstance(value, bool):
        raise bad
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            raise bad from None
        if d.is_finite():
            return d
    raise bad


def describe(tp: Any) -> str:
    """What a value of type ``tp`` is written as in TOML, in Chinese ("整数", "文字的列表" …)."""
    import dataclasses
    import typing

    if tp in _TABLE_DESCRIPTIONS:
        return _TABLE_DESCRIPTIONS[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Literal:
        return "、".join(f"“{a}”" for a in args) + " 之一"
    if origin in (typing.Union, __import__("types").UnionType):
        return " 或 ".join(describe(a) for a in args if a is not type(None))
    simple = {bool: "true 或 false", int: "整数", float: "数字", Decimal: "数字", str: "文字（加引号）", Any: "任意值"}
    if tp in simple:
        return simple[tp]
    if origin in (tuple, list, set, frozenset):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return f" {len(args)} 项的列表 [" + ", ".join(describe(a) for a in args) + "]"
        return f"列表 [...]，每项为{describe(args[0]) if args else '任意值'}"
    if origin is dict:
        return f"表，每项为 名称 = {describe(args[1]) if args else '任意值'}"
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return "表（" + "、".join(f.name for f in dataclasses.fields(tp)) + "）"
    return str(tp)


def _english(tp: Any) -> str:
    import typing

    names = {bool: "true or false", int: "an integer", float: "a number", Decimal: "a number", str: "a string"}
    if tp in names:
        return names[tp]
    origin = typing.get_origin(tp)
    return {tuple: "a list", list: "a list", set: "a list", frozenset: "a list", dict: "a table"}.get(
        origin, "a table" if tp in _TABLES else str(tp)
    )


def _shown(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, default=str)
    return _one_line(text if len(text) <= 60 else text[:57] + "…")


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- checks of single fields (beyond their type) -------------------------------------------------------------


def _check_pattern(pattern: str) -> str | None:
    import re

    try:
        groups = re.compile(pattern).groupindex
    except re.error as err:
        return f"不是有效的正则表达式（{err}）"
    missing = [g for g in ("region", "year") if g not in groups]
    return f"须含命名分组 {'、'.join(f'(?P<{g}>…)' for g in missing)}" if missing else None


def _positive(value: int) -> str | None:
    return None if value > 0 else "须为正整数"


def _year_or_zero(value: int) -> str | None:
    return None if value == 0 or 2000 <= value <= 2099 else "须为四位年份（2000–2099），或 0（从表头读取）"


def _year(value: int) -> str | None:
    return None if 2000 <= value <= 2099 else "须为四位年份（2000–2099）"


def _two_digits(values: tuple[str, ...]) -> str | None:
    bad = [v for v in values if not (len(v) == 2 and v.isdigit())]
    return f"每项须为两位数字（{'、'.join(bad)} 不是）" if bad else None


_CHECKS: dict[str, Any] = {
    "code_pattern": _check_pattern,
    "code_length": _positive,
    "code_first_year": _year,
    "budget_year": _year_or_zero,
    "code_provinces": _two_digits,
}


# --- the scoring table: the keys of RULES.toml -----------------------------------------------------------------

_BAND_KEYS = ("low", "high", "default")
_SCORING_KEYS = {
    "rate_weight": "预算执行率的分值（数字）",
    "rate_reason_below": "执行率低于此百分比时须填写偏差原因（0–100）",
    "level1_weights": "一级指标的默认分值（表：一级指标 = 分值）",
    "grades": "评价等级及其最低总分（表：等级 = 分数，0–100）",
    "qualitative": "定性完成等级可得分值的百分比（表：等级 = {low, high, default}，0–100）",
    "rate_bands": "执行率分档（表的数组：from = 百分比，share = 百分比）",
}


def _scoring(value: Any, current: Any, where: str, key: str) -> ScoringSettings:
    from dataclasses import replace

    from xlperf.labels import norm
    from xlperf.scoring import GradeBand

    base = current if isinstance(current, ScoringSettings) else DEFAULT_SCORING
    prefix = f"{key}." if key else ""
    if not isinstance(value, dict):
        raise ProfileError(where, key, f"= {_shown(value)} 不可用：应为表（{'、'.join(_SCORING_KEYS)}）", "not a table")

    def number(v: Any, k: str, percent: bool = False) -> Decimal:
        what = "0–100 的百分比数字" if percent else "数字"
        bad = ProfileError(where, prefix + k, f"= {_shown(v)} 不可用：应为{what}", f"{prefix + k} must be a number")
        d = _decimal(v, bad)
        if d < 0 or (percent and d > 100):
            raise bad
        return d / 100 if percent else d

    def table(v: Any, k: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise ProfileError(where, prefix + k, f"= {_shown(v)} 不可用：应为表", f"{prefix + k} must be a table")
        return v

    changes: dict[str, Any] = {}
    other = _hints(ScoringSettings)  # fields beyond the keys of RULES.toml: read by their type
    for k, v in value.items():
        if k not in _SCORING_KEYS:
            if k in other:
                changes[k] = _convert(v, other[k], getattr(base, k), where, prefix + k)
                continue
            allowed = "、".join([*_SCORING_KEYS, *(f for f in other if f not in _SCORING_KEYS)])
            raise ProfileError(where, prefix + k, f"不是评分设置；可用：{allowed}", f"unknown key {prefix + k}")
        if k == "rate_weight":
            changes[k] = number(v, k)
        elif k == "rate_reason_below":
            changes[k] = number(v, k, percent=True)
        elif k == "level1_weights":
            changes[k] = {norm(name): number(w, f"{k}.{name}") for name, w in table(v, k).items()}
        elif k == "grades":
            lows = [(name, number(low, f"{k}.{name}")) for name, low in table(v, k).items()]
            for name, low in lows:
                if low > 100:
                    raise ProfileError(where, f"{prefix}{k}.{name}", f"= {low} 不可用：应为 0–100", "out of range")
            changes[k] = tuple(sorted(lows, key=lambda kv: -kv[1]))
        elif k == "qualitative":
            bands = dict(base.qualitative)
            for name, spec in table(v, k).items():
                spec = table(spec, f"{k}.{name}")
                extra = sorted(set(spec) - {"low", "high", "default"})
                lacking = [p for p in ("low", "high", "default") if p not in spec]
                if extra or lacking:
                    raise ProfileError(
                        where,
                        f"{prefix}{k}.{name}",
                        "应恰有 low、high、default 三项（0–100）",
                        "needs low, high, default",
                    )
                bands[name] = GradeBand(*(number(spec[p], f"{k}.{name}.{p}", percent=True) for p in _BAND_KEYS))
            changes[k] = bands
        elif k == "rate_bands":
            if not isinstance(v, list):
                raise ProfileError(
                    where, prefix + k, "应为表的数组（[[rate_bands]] from = …, share = …）", "not a list"
                )
            bands = []
            for i, band in enumerate(v):
                band = table(band, f"{k}[{i}]")
                if set(band) != {"from", "share"}:
                    raise ProfileError(where, f"{prefix}{k}[{i}]", "应恰有 from、share 两项（0–100）", "from, share")
                bands.append(tuple(number(band[p], f"{k}[{i}].{p}", percent=True) for p in ("from", "share")))
            changes[k] = tuple(bands)
    return replace(base, **changes)


_TABLES: dict[Any, Any] = {ScoringSettings: _scoring}
_TABLE_DESCRIPTIONS: dict[Any, str] = {
    ScoringSettings: "表（与 RULES.toml 相同的键：" + "、".join(_SCORING_KEYS) + "）"
}


# --- docs/profiles.md ------------------------------------------------------------------------------------------


def markdown() -> str:
    """Every key of a profile file with its type and default, as docs/profiles.md prints it
    (``xlperf profiles --format markdown > docs/profiles.md``; a test keeps them equal)."""
    import dataclasses

    hints = _hints(Profile)
    notes = _field_comments()
    lines = [
        "# Profiles",
        "",
        "Made from the code (`xlperf profiles --format markdown > docs/profiles.md`); a test fails when they differ.",
        "",
        "A profile is what a bureau's 审核 expects, as data: the scoring settings, the vocabularies and the",
        "thresholds of the rules. `--profile NAME` chooses a shipped profile, `--profile FILE.toml` reads a",
        "file over the national profile (or over the shipped profile its `extends` names). The ribbon reads",
        f"the environment variable `{ENV_VAR}`, else the key `{ENV_VAR}` of the add-in's xlwings.conf.",
        "`--rules RULES.toml` is read over the profile's `scoring`.",
        "",
        "Every key is checked: a key that is not below, or a value of the wrong type, is one line naming the",
        "file, the key and what is allowed, and the command exits with code 2.",
        "",
        "## Shipped profiles",
        "",
        "| name | title |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {title} |" for name, title in shipped()]
    lines += ["", "## Keys", "", "| key | written as | default | what it sets |", "|---|---|---|---|"]
    lines.append("| `extends` | 文字（加引号） | — | the shipped profile this file is read over (default: national) |")
    for f in dataclasses.fields(Profile):
        tp = hints[f.name]
        if tp in _TABLES:
            lines.append(f"| `{f.name}` | 表 `[{f.name}]` | see below | {notes.get(f.name, '')} |")
            continue
        default = _toml(getattr(NATIONAL, f.name)).replace("|", "\\|")
        lines.append(f"| `{f.name}` | {describe(tp)} | `{default}` | {notes.get(f.name, '')} |")
    lines += [
        "",
        "## `[scoring]`",
        "",
        "The keys of RULES.toml (see examples/rules.toml), with the defaults of the national profile.",
        "",
        "| key | what it sets | default |",
        "|---|---|---|",
    ]
    lines += [f"| `{k}` | {what} | `{_scoring_default(k)}` |" for k, what in _SCORING_KEYS.items()]
    for k, tp in _hints(ScoringSettings).items():
        if k not in _SCORING_KEYS:
            default = _toml(getattr(NATIONAL.scoring, k)).replace("|", "\\|")
            lines.append(f"| `{k}` | {describe(tp)} | `{default}` |")
    return "\n".join(lines) + "\n"


def _scoring_default(key: str) -> str:
    s = NATIONAL.scoring
    hundred = Decimal(100)
    if key == "rate_weight":
        return _toml(s.rate_weight)
    if key == "rate_reason_below":
        return _toml(s.rate_reason_below * hundred)
    if key == "level1_weights":
        return _toml(dict(s.level1_weights))
    if key == "grades":
        return _toml(dict(s.grades))
    if key == "qualitative":
        bands = {n: {p: getattr(b, p) * hundred for p in _BAND_KEYS} for n, b in s.qualitative.items()}
        return _toml(bands)
    return _toml([{"from": a * hundred, "share": b * hundred} for a, b in s.rate_bands])


def _toml(value: Any) -> str:
    """A value as TOML writes it (inline)."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple | list | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return "[" + ", ".join(_toml(v) for v in items) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {_toml(v)}" for k, v in value.items()) + " }"
        )
    return json.dumps(str(value), ensure_ascii=False)


def _field_comments() -> dict[str, str]:
    """The doc of each field: its ``metadata["doc"]``, else the comment lines above it in the class."""
    import dataclasses
    import inspect
    import re

    out: dict[str, str] = {}
    pending: list[str] = []
    group = ""  # the field whose comment the following uncommented fields share
    for line in inspect.getsource(Profile).splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        m = re.match(r"\s{4}(\w+)\s*:", line)
        if m and line.startswith("    ") and not line.startswith("     "):
            if pending:
                out[m.group(1)] = " ".join(pending)
                group = m.group(1)
            elif group:
                out[m.group(1)] = f"see `{group}`"
            pending = []
        elif not stripped:
            group = ""
        elif not line.startswith("     "):
            pending = []
    for f in dataclasses.fields(Profile):
        if "doc" in f.metadata:
            out[f.name] = str(f.metadata["doc"])
    return {k: v.replace("|", "\\|") for k, v in out.items()}
