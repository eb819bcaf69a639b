"""indicator.copied_set and indicator.foreign_name — indicator sets copied between projects of one workbook.

``indicator.copied_set``: the projects (项目支出绩效目标表) and spending directions (附表3) of a workbook whose
indicator sets are the same. An indicator is its 三级 name and its target (指标值 with the operator and unit
of the tables that write them apart), each through :func:`xlperf.labels.norm`; a set is the frozenset of
those pairs, so the order of the rows and a row written twice do not matter. The 一级 / 二级 labels are left
out on purpose: a set copied and then filed under other 二级 headings is still the same set. Sets are
grouped by hashing, so a workbook of a thousand project sheets takes one pass. Only exact equality of the
normalised sets is reported: sets that differ in one number (“2人” against “3人”) have been adapted to the
project, which is what the rule asks for, so near-identical sets are not reported.

``indicator.foreign_name``: an indicator whose name speaks of the counterpart of the project's own subject
— “城市特困人员供养标准” in the 农村特困人员 project — the trace of a set copied from the sibling project. The
subject pairs are the profile's ``foreign_subject_pairs``; a project whose name names both subjects (城乡) or
neither is not judged.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from xlperf.checks.sums import money
from xlperf.labels import norm
from xlperf.model import Field, Indicator, ProjectTarget, SpendingDirection, WorkbookModel
from xlperf.profiles import Profile
from xlperf.report import Finding, clip
from xlperf.rules import finding

Member = ProjectTarget | SpendingDirection


def check(model: WorkbookModel, profile: Profile) -> list[Finding]:
    members = [f for f in model.forms if isinstance(f, ProjectTarget | SpendingDirection)]
    return copied_sets(members, profile) + foreign_names(members, profile)


# indicator.copied_set ----------------------------------------------------------------------------------------


def indicator_key(ind: Indicator) -> tuple[str, str]:
    """An indicator as compared between projects: its normalised name, and its normalised target with the
    operator and unit cells of the tables that write them apart (“≥” · “95” · “%” is “≥95%”)."""
    target = norm(ind.operator.text) + norm(ind.target.text)
    unit = norm(ind.unit.text)
    if unit and not target.endswith(unit):
        target += unit
    return norm(ind.name.text), target


def _filled(form: Member) -> list[Indicator]:
    return form.indicators.filled if form.indicators is not None else []


def copied_sets(members: list[Member], profile: Profile) -> list[Finding]:
    groups: dict[frozenset[tuple[str, str]], list[Member]] = defaultdict(list)
    for form in members:
        key = frozenset(indicator_key(i) for i in _filled(form))
        if len(key) >= profile.copied_set_min_indicators:
            groups[key].append(form)
    out: list[Finding] = []
    for key, forms in groups.items():
        if len(forms) < 2:
            continue
        first = _filled(forms[0])[0]  # rows in sheet order: the first indicator of the first table
        lead = _kind(forms[0])
        labels = [_member(f, kind=_kind(f) != lead) for f in forms]
        names = "、".join(labels[:-1]) + "与" + labels[-1]
        out.append(
            finding(
                "indicator.copied_set",
                first.name if first.name.cell else first.target,
                f"{lead}{names}的 {len(key)} 条指标（名称与指标值）完全相同，像是互相照搬："
                f"请按各{lead}自己的产出和效果设置指标和指标值",
                expected=None,
                actual=[f.sheet for f in forms],
            )
        )
    return out


def _kind(form: Member) -> str:
    return "项目" if isinstance(form, ProjectTarget) else "附表3"


def _name(form: Member) -> Field[str]:
    return form.name if isinstance(form, ProjectTarget) else form.direction


def _amount(form: Member) -> Field[Decimal]:
    if isinstance(form, ProjectTarget):
        return form.budget
    return form.project_amount if not form.project_amount.empty else form.amount


def _member(form: Member, kind: bool = False) -> str:
    """“汽车保险费”（0.40 万元）; where the sheet's name does not show the project's (several tables on one
    sheet), the cell of the name too: “汽车保险费”（0.40 万元，见“项目支出绩效目标表”E23）."""
    name = _name(form)
    amount = _amount(form)
    parts = [money(amount.value, amount.unit or "万元")] if amount.value is not None else []
    if not name.text or norm(name.text)[:8] not in norm(form.sheet):
        parts.append(f"见“{form.sheet}”{name.cell}")
    label = f"“{clip(name.text, 24)}”" if name.text else ""
    return (_kind(form) if kind else "") + label + (f"（{'，'.join(parts)}）" if parts else "")


# indicator.foreign_name --------------------------------------------------------------------------------------


def foreign_names(members: list[Member], profile: Profile) -> list[Finding]:
    # The members that have an indicator of each name, to name the project an indicator was likely copied from.
    owners: dict[str, list[Member]] = defaultdict(list)
    for form in members:
        for ind in _filled(form):
            owners[norm(ind.name.text)].append(form)
    out: list[Finding] = []
    for form in members:
        own_name = norm(_name(form).text)
        for mine, theirs in _pairs(profile):
            if mine not in own_name or theirs in own_name:
                continue
            for ind in _filled(form):
                text = norm(ind.name.text)
                if theirs not in text or mine in text:
                    continue
                source = next(
                    (other for other in owners[text] if other is not form and theirs in norm(_name(other).text)),
                    None,
                )
                also = f"（{_kind(source)}“{clip(_name(source).text, 24)}”有同名指标）" if source else ""
                target = f"，并核对其指标值“{clip(ind.target.text)}”" if not ind.target.empty else ""
                out.append(
                    finding(
                        "indicator.foreign_name",
                        ind.name,
                        f"指标“{clip(ind.name.text)}”说的是“{theirs}”，而本{_kind(form)}“{clip(_name(form).text, 24)}”"
                        f"是“{mine}”的{also}，像是照搬时未改：请改为本项目的对象，"
                        f"如“{clip(ind.name.text.replace(theirs, mine))}”{target}",
                        expected=mine,
                        actual=theirs,
                    )
                )
    return out


def _pairs(profile: Profile) -> list[tuple[str, str]]:
    """Each subject pair both ways round: (农村, 城市) judges a 农村 project, (城市, 农村) a 城市 one."""
    out: list[tuple[str, str]] = []
    for a, b in profile.foreign_subject_pairs:
        out += [(a, b), (b, a)]
    return out
