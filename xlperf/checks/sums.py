"""Sum relations of a workbook, evaluated once for both the check and 填充合计.

Every total = parts relation comes from the forms' schemas (:mod:`xlperf.forms.schema`), plus the one
relation between forms: the 部门整体表's 项目支出 is the 附表2 合计. They are evaluated in the order they
depend on each other, and a total found wrong (or empty) stands for its parts' sum in the relations that
use it: with the 附表2 合计 mistyped as 1500 where its rows add to 1594.78, the 合计 is reported, and the
项目支出 of 1594.78 is right — not told that it "should be 1500".

Each mismatch becomes a finding that carries its fix (the edit 填充合计 would write), so that applying
the fixes of the findings is filling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from xlperf.amounts import cents, split_labelled
from xlperf.forms import schema_of
from xlperf.forms.schema import Relation, relations
from xlperf.model import Field, WorkbookModel
from xlperf.report import Edit, Finding
from xlperf.rules import finding


def fmt(d: Decimal | None) -> str:
    return "空" if d is None else f"{cents(d):f}"


def money(d: Decimal | None, unit: str = "") -> str:
    """An amount (万元) as the sheet writes it: in 元 where the sheet's amounts are in 元 ("17864600.00元");
    with ``unit`` "万元" the unit is said ("14.87 万元"), with "" (万元, the default) it is not."""
    if d is None or unit not in ("元", "万元"):
        return fmt(d)
    return f"{cents(d * 10000):f}元" if unit == "元" else f"{fmt(d)} 万元"


def same(a: Decimal | None, b: Decimal | None) -> bool:
    return cents(a or Decimal(0)) == cents(b or Decimal(0))


def _key(f: Field[Decimal]) -> tuple[str, str]:
    return (f.sheet, f.cell)


def workbook_relations(model: WorkbookModel) -> list[Relation]:
    """Every sum relation of every form, then those between forms, in the order they depend on each other."""
    out: list[Relation] = []
    for form in model.forms:
        out.extend(relations(schema_of(form), form))
    summaries = model.of_kind("summary")
    for dept in model.of_kind("dept_target"):
        project = dept.spending_part("项目支出")
        if project is not None and summaries:
            total = summaries[0].total
            out.append(
                Relation(
                    project.amount,
                    [total],
                    ["附表2合计"],
                    "项目支出（= 附表2 合计）",
                    code="xref.total_mismatch",
                    message=lambda s, t, where=f"{total.sheet}!{total.cell}": (
                        f"部门整体表的项目支出 {t} 与附表2合计 {s}（{where}）不一致"
                    ),
                )
            )
    for r in out:
        raw = r.total.raw
        if r.inline and isinstance(raw, str) and split_labelled(raw)[2]:
            r.inline_label = raw.split("：")[0].split(":")[0].strip()  # "资金总额：1786.46" or "资金总额："
    return _ordered(out)


def _ordered(rels: list[Relation]) -> list[Relation]:
    """Relations whose total is a part of another come before it (stable; a cycle keeps the given order)."""
    by_total: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rels):
        by_total.setdefault(_key(r.total), []).append(i)
    done: list[bool] = [False] * len(rels)
    visiting: set[int] = set()
    order: list[Relation] = []

    def visit(i: int) -> None:
        if done[i] or i in visiting:
            return
        visiting.add(i)
        for p in rels[i].parts:
            for j in by_total.get(_key(p), ()):
                if j != i:
                    visit(j)
        visiting.discard(i)
        done[i] = True
        order.append(rels[i])

    for i in range(len(rels)):
        visit(i)
    return order


@dataclass
class Outcome:
    """A relation evaluated: the sum of its parts (with corrected totals standing for parts), and what its
    total holds."""

    relation: Relation
    computed: Decimal  # to the cent
    current: Decimal | None
    ok: bool

    @property
    def empty(self) -> bool:
        return self.current is None


def evaluate(rels: Iterable[Relation]) -> list[Outcome]:
    """Each relation with filled parts, in order; a total reported wrong or left empty stands for the sum
    of its parts in the relations after it."""
    values: dict[tuple[str, str], Decimal] = {}
    out: list[Outcome] = []
    for r in rels:
        parts = [p for p in r.parts if p.cell]
        known = [values.get(_key(p), p.value) for p in parts]
        if not parts or all(v is None for v in known):
            continue
        computed = cents(sum((v or Decimal(0) for v in known), Decimal(0)))
        current = r.total.value
        if current is None:
            ok = True
        elif r.exhaustive:
            ok = same(current, computed)
        else:
            ok = computed <= cents(current)
        out.append(Outcome(r, computed, current, ok))
        wrong = not ok and r.code == "amount.sum_mismatch"
        if r.at == "total" and r.total.cell and r.exhaustive and (current is None or wrong):
            # An empty total stands for its parts' sum (填充合计 writes it); so does a total of its own parts that
            # is wrong. (Between forms it is not known which side is wrong, so neither stands for the other.)
            values[_key(r.total)] = computed
    return out


def fix_of(o: Outcome) -> Edit | None:
    """The edit that repairs a relation's total: a formula over its parts' cells, with its value."""
    from xlperf.totals import sum_formula

    r = o.relation
    parts = [p for p in r.parts if p.cell]
    if not r.fill or not r.total.cell or not parts:
        return None
    formula = None if r.inline_label else sum_formula(parts, r.total.sheet)
    return Edit(r.total.sheet, r.total.cell, o.computed, formula, r.label, r.inline_label)


def finding_of(o: Outcome) -> Finding:
    r = o.relation
    unit = r.total.unit
    s, t = money(o.computed, unit), money(o.current, unit)
    diff = money(o.computed - (o.current or Decimal(0)), unit)
    if r.message is not None:
        message = r.message(s, t)
    elif r.at == "first_part":
        pairs = zip(r.part_labels, r.parts, strict=True)
        items = " + ".join(f"{label} {money(p.value, unit)}".strip() for label, p in pairs if p.value is not None)
        message = f"{r.label}：{items} = {s}，与{r.total_label} {t} 不一致（相差 {diff}）"
    else:
        message = f"{r.label}：各项之和 {s} 与合计 {t} 不一致（相差 {diff}）"
    if r.at == "first_part":
        at = next((p for p in r.parts if p.value is not None), r.total)
        expected, actual = cents(o.current or Decimal(0)), o.computed
    else:
        at, expected, actual = r.total, o.computed, cents(o.current or Decimal(0))
    f = finding(r.code, at, message, expected=expected, actual=actual)
    fix = fix_of(o) if r.at == "total" else None
    return f if fix is None else f.with_fix(fix)


def check(model: WorkbookModel) -> list[Finding]:
    """amount.sum_mismatch (and xref.total_mismatch between forms): every relation whose total is filled
    and differs from the sum of its parts."""
    outcomes = evaluate(workbook_relations(model))
    sides: dict[tuple[str, str], list[Outcome]] = {}
    for o in outcomes:
        if o.relation.at == "first_part" and o.relation.exhaustive:
            sides.setdefault(_key(o.relation.total), []).append(o)
    out: list[Finding] = []
    done: set[int] = set()
    for o in outcomes:
        if o.ok or o.empty or id(o) in done:
            continue
        group = sides.get(_key(o.relation.total), [])
        if len(group) >= 2 and all(not g.ok for g in group) and len({g.computed for g in group}) == 1:
            # By income and by spending agree with each other and not with the total: the total is wrong.
            done.update(id(g) for g in group)
            out.append(_total_wrong(group))
            continue
        out.append(finding_of(o))
    return out


def _total_wrong(sides: list[Outcome]) -> Finding:
    o = sides[0]
    r = o.relation
    names = "、".join(g.relation.label for g in sides)
    diff = o.computed - (o.current or Decimal(0))
    u = r.total.unit
    f = finding(
        r.code,
        r.total,
        f"{r.total_label} {money(o.current, u)} 有误：{names}都合计为 {money(o.computed, u)}（相差 {money(diff, u)}）",
        expected=o.computed,
        actual=cents(o.current or Decimal(0)),
    )
    fill = next((g for g in sides if g.relation.fill), None)
    fix = fix_of(fill) if fill is not None else None
    return f if fix is None else f.with_fix(fix)
