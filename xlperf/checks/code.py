"""code.format and code.duplicate — 项目编码 of the 预算管理一体化 kind.

A 预算管理一体化 项目编码 is the 财政区划 (the 6-digit 行政区划代码 of the budget, 130303 山海关区), the two
digits of the year the project entered the 项目库 (22), then the project's own 13 characters, digits and
capital letters (seed 002: ``13030322P00391410001H``). Its length and pattern are the profile's
(``code_length``, ``code_pattern``). A project carried over from an earlier year keeps its code, so the year
may be earlier than the budget year (seed 002's 2022 tables have codes of 2021), never later.

A code is unique to one project of one unit: the same code on two tables of different units, or on two
different projects, is one of them copied (seed 002's 供养中心 tables 34 and 35 carry the 本级 codes).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from xlperf.model import ProjectTarget, WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding
from xlperf.rules import finding

_YEAR_IN_TITLE = re.compile(r"(20[0-9]{2})\s*年度")
_WIDE_OR_SPACE = re.compile(r"[\s\u3000]")


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    projects = [p for p in model.of_kind("project_target") if not p.code.empty]
    year = profile.budget_year or _budget_year(model)
    out: list[Finding] = []
    for p in projects:
        problem = _format_problem(p.code.text, profile, year)
        if problem:
            out.append(finding("code.format", p.code, problem, expected=profile.code_length, actual=p.code.text))
    out += _duplicates(projects)
    return out


def _budget_year(model: WorkbookModel) -> int:
    """The year the workbook's titles name ("2022年度部门整体支出绩效目标表"); 0 when they name none or several."""
    years = Counter()
    for form in model.forms:
        title = getattr(form, "title", None)
        for m in _YEAR_IN_TITLE.finditer(getattr(title, "text", "") or ""):
            years[int(m.group(1))] += 1
    return next(iter(years)) if len(years) == 1 else 0


def _looks_integrated(code: str) -> bool:
    """A code of the 预算管理一体化 kind: it starts with a 6-digit 财政区划 (other local numberings are left alone)."""
    return len(code) >= 8 and code[:6].isdigit()


def _format_problem(raw: str, profile: Profile, budget_year: int) -> str | None:
    """What is wrong with a 项目编码, in a sentence that says what to write; None when it is right."""
    code = raw.strip()
    folded = unicodedata.normalize("NFKC", code)
    cleaned = _WIDE_OR_SPACE.sub("", folded).upper()
    if not _looks_integrated(cleaned):
        return None
    if cleaned != code:
        what = []
        if _WIDE_OR_SPACE.search(folded):
            what.append("空格")
        if folded != code:
            what.append("全角字符")
        if folded.upper() != folded:
            what.append("小写字母")
        if cleaned == _fits(cleaned, profile):
            return (
                f"项目编码“{code}”含有{'、'.join(what)}：预算管理一体化系统的编码只有数字和大写字母，请改为“{cleaned}”"
            )
    n = len(cleaned)
    if n != profile.code_length:
        more_or_less = "多" if n > profile.code_length else "少"
        return (
            f"项目编码“{code}”有 {n} 位，比预算管理一体化的项目编码（{profile.code_length} 位：6 位财政区划 + "
            f"2 位年份 + 项目号）{more_or_less} {abs(n - profile.code_length)} 位："
            "请从预算管理一体化系统的项目库照录本项目的编码"
        )
    m = re.fullmatch(profile.code_pattern, cleaned)
    if m is None:
        bad = next((ch for ch in cleaned if not (ch.isdigit() or "A" <= ch <= "Z")), None)
        detail = f"其中“{bad}”不是数字或大写字母" if bad else "不符合“6 位财政区划 + 2 位年份 + 项目号”的结构"
        return f"项目编码“{code}”{detail}：请从预算管理一体化系统的项目库照录本项目的编码"
    region, year2 = m.group("region"), m.group("year")
    if region[:2] not in profile.code_provinces:
        return (
            f"项目编码“{code}”的前 6 位“{region}”不是行政区划代码（前两位“{region[:2]}”不是任何省份）："
            "项目编码以本级财政区划开头，请从预算管理一体化系统的项目库照录本项目的编码"
        )
    year = 2000 + int(year2)
    if year < profile.code_first_year:
        return (
            f"项目编码“{code}”的第 7–8 位年份“{year2}”（{year} 年）早于预算管理一体化项目库启用的 "
            f"{profile.code_first_year} 年：请核对年份位，照录系统中的编码"
        )
    if budget_year and year > budget_year:
        return (
            f"项目编码“{code}”的第 7–8 位年份“{year2}”（{year} 年）晚于预算年度 {budget_year} 年：年份位是项目入库的"
            f"年份，不会晚于预算年度，请照录预算管理一体化系统中的编码"
        )
    return None


def _fits(code: str, profile: Profile) -> str | None:
    return code if len(code) == profile.code_length and re.fullmatch(profile.code_pattern, code) else None


def _key(code: str) -> str:
    return _WIDE_OR_SPACE.sub("", unicodedata.normalize("NFKC", code)).upper()


def _norm_name(text: str) -> str:
    return re.sub(r"[\s\u3000（）()《》〈〉“”\"'、，,。.：:;；【】\[\]-]", "", unicodedata.normalize("NFKC", text))


def _unit(p: ProjectTarget) -> str:
    for f in (p.unit_line, p.implementer):
        if not f.empty:
            return " ".join(f.text.split())
    return ""


def _same_project(a: ProjectTarget, b: ProjectTarget) -> bool:
    x, y = _norm_name(a.name.text), _norm_name(b.name.text)
    return bool(x and y) and (x == y or x in y or y in x)


def _duplicates(projects: list[ProjectTarget]) -> list[Finding]:
    """The second and later tables whose code an earlier table of another unit or another project carries."""
    out: list[Finding] = []
    first: dict[str, list[ProjectTarget]] = {}
    for p in projects:
        key = _key(p.code.text)
        if not _looks_integrated(key):
            continue
        for q in first.get(key, []):
            unit_p, unit_q = _unit(p), _unit(q)
            if unit_p and unit_q and unit_p != unit_q:
                out.append(
                    finding(
                        "code.duplicate",
                        p.code,
                        f"项目编码“{p.code.text}”已用于 {q.sheet}!{q.code.cell}（{unit_q}的“{q.name.text}”），"
                        f"本表是{unit_p}的“{p.name.text}”：一个项目编码只属于一个单位的一个项目，"
                        f"请照录预算管理一体化系统中本单位这个项目的编码",
                        expected=f"{unit_p}的项目编码",
                        actual=p.code.text,
                    )
                )
                break
            if not _same_project(p, q):
                out.append(
                    finding(
                        "code.duplicate",
                        p.code,
                        f"项目编码“{p.code.text}”已用于 {q.sheet}!{q.code.cell} 的“{q.name.text}”，本表是另一个项目"
                        f"“{p.name.text}”：两个项目不能共用一个编码，请照录预算管理一体化系统中本项目的编码",
                        expected=f"“{p.name.text}”的项目编码",
                        actual=p.code.text,
                    )
                )
                break
        first.setdefault(key, []).append(p)
    return out
