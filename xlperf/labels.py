"""Label normalisation and the indicator framework, as data.

Writers vary: a label may carry a weight ("产出指标(40分)"), line breaks ("经济效\\n益指标"), spaces,
full-width brackets or a trailing colon. Everything that compares labels goes through :func:`norm`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_WEIGHT = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def norm(text: object) -> str:
    """Normalise a label for comparison: NFKC (full-width → ASCII), no whitespace, no weight, no colon."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _WEIGHT.sub("", s)
    s = _SPACE.sub("", s)
    return s.rstrip(":").lstrip(":")


_UNIT_SUFFIX = re.compile(r"\((?:万元|元|%|人|个|㎡)\)$")


@lru_cache(maxsize=8192)
def label_key(text: object) -> str:
    """:func:`norm`, also without a trailing unit ("年度预算申请（万元）" → "年度预算申请") or "其中" lead."""
    s = _UNIT_SUFFIX.sub("", norm(text))
    return s.removeprefix("其中:").removeprefix("其中").lstrip(":")


def label_weight(text: object) -> Decimal | None:
    """The weight written inside a label: "产出指标\\n(40分)" → 40."""
    if text is None:
        return None
    m = _WEIGHT.search(_SPACE.sub("", unicodedata.normalize("NFKC", str(text))))
    if not m:
        return None
    try:
        return Decimal(m.group(1))
    except InvalidOperation:
        return None


# 一级指标 → its aliases (normalised spellings seen in the seeds and in provincial forms).
LEVEL1: dict[str, tuple[str, ...]] = {
    "产出指标": ("产出指标", "产出"),
    "效益指标": ("效益指标", "效益"),
    "满意度指标": ("满意度指标", "满意度"),
    "成本指标": ("成本指标", "成本"),
}

# 二级指标 → (aliases, the 一级 it may sit under). Older forms (财预〔2015〕) put 成本指标 under 产出 and the
# satisfaction indicators under 效益 (seed 000); the 2021 framework has 成本指标 as its own 一级.
LEVEL2: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "数量指标": (("数量指标",), ("产出指标",)),
    "质量指标": (("质量指标",), ("产出指标",)),
    "时效指标": (("时效指标",), ("产出指标",)),
    "成本指标": (("成本指标",), ("产出指标",)),
    "经济成本指标": (("经济成本指标",), ("成本指标",)),
    "社会成本指标": (("社会成本指标",), ("成本指标",)),
    "生态环境成本指标": (("生态环境成本指标", "生态成本指标"), ("成本指标",)),
    "经济效益指标": (("经济效益指标",), ("效益指标",)),
    "社会效益指标": (("社会效益指标",), ("效益指标",)),
    "生态效益指标": (("生态效益指标",), ("效益指标",)),
    "可持续影响指标": (("可持续影响指标",), ("效益指标",)),
    "服务对象满意度指标": (
        (
            "服务对象满意度指标",
            "社会公众或服务对象满意度指标",
            "社会公众及服务对象满意度指标",
            "社会公众和服务对象满意度指标",
            "满意度指标",
        ),
        ("满意度指标", "效益指标"),
    ),
}

_LEVEL1_BY_ALIAS = {alias: key for key, aliases in LEVEL1.items() for alias in aliases}
_LEVEL2_BY_ALIAS = {alias: key for key, (aliases, _) in LEVEL2.items() for alias in aliases}


def level1_key(text: object) -> str:
    """The framework name of a 一级 label, or its normalised text when it is not in the framework."""
    n = norm(text)
    return _LEVEL1_BY_ALIAS.get(n, n)


def level2_key(text: object) -> str:
    """The framework name of a 二级 label, or its normalised text when it is not in the framework."""
    n = norm(text)
    return _LEVEL2_BY_ALIAS.get(n, n)


def is_level1(text: object) -> bool:
    return norm(text) in _LEVEL1_BY_ALIAS


def is_level2(text: object) -> bool:
    return norm(text) in _LEVEL2_BY_ALIAS


def level1_key_of_level2(level2: str) -> str | None:
    """The 一级 under which a satisfaction-type 二级 counts (满意度 under 效益 still counts as 满意度)."""
    key = level2_key(level2)
    if key == "服务对象满意度指标":
        return "满意度指标"
    spec = LEVEL2.get(key)
    return spec[1][0] if spec else None


# Label keys (as :func:`label_key` gives them) that start a sign-off row under a form: whoever filled in,
# checked or signed the form, when, and how to reach them. Such a row ends any table above it. Several of
# these words (联系电话, 负责人) also label fields at the top of some forms, so a reader should look for them
# only below its table's header.
SIGN_OFF: tuple[str, ...] = (
    "填报人",
    "填表人",
    "填报日期",
    "填表日期",
    "审核人",
    "复核人",
    "单位负责人",
    "单位负责人签字",
    "单位负责人(签字)",
    "单位负责人(签章)",
    "负责人",
    "财务负责人",
    "联系电话",
    "联系人",
    "经办人",
    "制表人",
    "(盖章)",
    "盖章",
    "单位(盖章)",
    "单位盖章",
    "填报单位(盖章)",
    "单位名称(盖章)",
)
