"""Pieces more than one form reader needs: titles, labelled values, the parts of a total."""

from __future__ import annotations

from decimal import Decimal

from xlperf.amounts import split_labelled, to_decimal
from xlperf.forms.grid import Grid, Hit, a1
from xlperf.labels import label_key
from xlperf.model import Field, Part

# Labels of the parts of a total (by income, by spending), as label_key gives them.
INCOME_PARTS = (
    "一般公共预算拨款",
    "一般公共预算",
    "一般公共预算财政拨款",
    "政府性基金拨款",
    "政府性基金",
    "纳入专户管理的非税收入拨款",
    "国有资本经营预算",
    "财政专户管理资金",
    "其他资金",
    "单位资金",
)
SPENDING_PARTS = ("基本支出", "项目支出")


def title(
    grid: Grid, words: tuple[str, ...] = ("绩效目标表", "自评表", "汇总表", "基础数据表", "绩效目标")
) -> Field[str]:
    """The form's title: the first cell near the top whose text names the form."""
    for row in range(grid.top, min(grid.n_rows, grid.top + 7) + 1):
        for hit in grid.row_hits(row):
            if isinstance(hit.value, str) and any(w in hit.value for w in words) and len(hit.value) < 80:
                return grid.text_field(row, hit.col)
    return Field(None, None, grid.name, "")


def labelled_text(grid: Grid, labels: tuple[str, ...], stop: frozenset[str], **kw: object) -> Field[str]:
    """The text to the right of the first of ``labels`` (empty, located beside it, when there is none)."""
    at = grid.find_one(labels, **kw)  # type: ignore[arg-type]
    value = grid.right_of(at, stop)
    if at is not None and value is not None:
        part = grid.part_of(at, value, labels)
        if part is not None:
            field = grid.hit_text(value, at)
            return Field(part, field.raw, field.sheet, field.cell)
    return grid.hit_text(value, at)


def labelled_amount(grid: Grid, labels: tuple[str, ...], stop: frozenset[str], **kw: object) -> Field[Decimal]:
    """An amount beside its label, or written inside it ("资金总额：1786.46")."""
    at = grid.find_one(labels, prefix=True, **kw)  # type: ignore[arg-type]
    if at is None:
        return Field(None, None, grid.name, "")
    inside = inline_amount(grid, at)
    if inside is not None:
        return inside
    value = grid.amount_of(at, stop)
    if value is None and split_labelled(at.value)[2]:
        return Field(None, at.value, grid.name, a1(at.row, at.col))  # "资金总额：" left empty: the amount goes inside
    return grid.hit_amount(value, at)


def inline_amount(grid: Grid, hit: Hit) -> Field[Decimal] | None:
    """The amount inside a "label：amount" cell, or None when the cell holds only a label."""
    _, amount, labelled = split_labelled(hit.value)
    if labelled and amount is not None:
        return Field(amount, hit.value, grid.name, a1(hit.row, hit.col))
    return None


def parts(grid: Grid, labels: tuple[str, ...], first_row: int, last_row: int, stop: frozenset[str]) -> list[Part]:
    """The parts of a total between two rows, each either "label | amount" or "label：amount" in one cell."""
    found: list[Part] = []
    wanted = set(labels)
    for row in range(first_row, last_row + 1):
        for hit in grid.row_hits(row):
            if not isinstance(hit.value, str):
                continue
            label, amount, labelled = split_labelled(hit.value)
            key = label_key(label if labelled else hit.value)
            if key not in wanted:
                continue
            grid.mark_read(row, hit.col)
            if labelled and amount is not None:
                field: Field[Decimal] = Field(amount, hit.value, grid.name, a1(row, hit.col))
            else:
                field = grid.hit_amount(grid.amount_of(hit, stop), hit)
            found.append(Part(key, field))
    return found


def first_number(values: list[object]) -> Decimal | None:
    for v in values:
        d = to_decimal(v)
        if d is not None:
            return d
    return None
