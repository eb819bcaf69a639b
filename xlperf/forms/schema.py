"""Form schemas: what each official form holds, as data beside its reader.

A schema says which fields of a form's model are amounts, which are required, which a person looks at
first (key fields), and how its totals tie to their parts (sum relations). The generic checks (amounts
that are not numbers, required fields, sums), 填充合计, ``inspect`` and batch's unit detection iterate over
the schema instead of knowing each form; a sum relation is declared once and both the check that reports
it and the fill that repairs it come from the same declaration.

Fields are named by *paths* into the form's model: ``"budget"`` is an attribute, ``"tasks_total.total"``
follows an attribute that may be absent (None: nothing there), and ``"income[].amount"`` fans out over a
list (one field per part). A label may be ``"{label}"``: the label of the list item (a part's own label).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xlperf.model import Field

ALWAYS = "always"
IF_LABELLED = "if_labelled"  # required where the form carries the label (the reader located a cell for it)


@dataclass(frozen=True)
class FieldSpec:
    """One field (or list of fields) of a form."""

    path: str
    label: str
    kind: str = "text"  # "amount" (万元, Decimal) · "text" · "percent" (a fraction of 1) · "count" (of a list)
    required: str | None = None  # None · ALWAYS · IF_LABELLED
    key: bool = False  # shown by ``inspect`` and in reports


@dataclass(frozen=True)
class SumSpec:
    """A total and the parts it is made of: ``total = Σ parts``.

    ``each`` repeats the relation over the items of a list (every task row: 总额 = 财政拨款 + 其他资金),
    with ``{row}`` in the label replaced by the item's row. ``at`` says where a mismatch is reported:
    at the total (a person corrects the total) or at the first filled part (the parts are the question:
    by income, by spending). ``fill`` says whether 填充合计 may write the total as a formula of its parts.
    """

    total: str
    parts: tuple[str, ...]
    label: str
    fill: bool = True
    each: str | None = None
    at: str = "total"  # "total" · "first_part"
    total_label: str = "合计"  # the total's name in a message about its parts ("资金总额")
    inline: bool = False  # the form may write the total inside its label cell ("资金总额：1786.46")


@dataclass(frozen=True)
class FormSchema:
    kind: str
    title: str
    fields: tuple[FieldSpec, ...]
    sums: tuple[SumSpec, ...] = ()
    # Relations that cannot be declared as paths (基础数据表: parents and children found from the labels'
    # numbering): a function of the form giving bound relations.
    derived: Callable[[Any], Iterable[Relation]] | None = None
    # Captions a form carries that hold no value (section names, unit lines): read, but not as fields.
    captions: tuple[str, ...] = ()
    # The field naming the unit (部门, 单位) that sent the form, for batch: the first non-empty one.
    unit_fields: tuple[str, ...] = ()


@dataclass
class Relation:
    """A sum relation bound to one form's fields."""

    total: Field[Decimal]
    parts: list[Field[Decimal]]
    part_labels: list[str]
    label: str
    fill: bool = True
    at: str = "total"
    total_label: str = "合计"
    exhaustive: bool = True  # False: the parts are an "of which" list that may not exceed the total
    inline: bool = False  # the form may write the total inside its label cell ("资金总额：1786.46") …
    inline_label: str | None = None  # … and does: that label
    code: str = "amount.sum_mismatch"
    message: Callable[[str, str], str] | None = None  # (sum of parts, total), formatted → message


# --- paths --------------------------------------------------------------------------------------------


def resolve(obj: Any, path: str) -> Iterator[tuple[Any, Any]]:
    """The values at ``path`` in ``obj``, each with the (outermost) list item it came from, or ``obj``
    itself when the path crosses no list."""
    for value, item in _walk(obj, path.split("."), None):
        yield value, (obj if item is None else item)


def _walk(obj: Any, steps: list[str], item: Any) -> Iterator[tuple[Any, Any]]:
    if obj is None:
        return
    if not steps:
        yield obj, item
        return
    step, rest = steps[0], steps[1:]
    if step.endswith("[]"):
        elements = obj if step == "[]" else getattr(obj, step[:-2], None)
        for element in elements or []:
            yield from _walk(element, rest, element if item is None else item)
    else:
        yield from _walk(getattr(obj, step, None), rest, item)


def fields_of(form: Any, spec: FieldSpec) -> Iterator[tuple[str, Field[Any]]]:
    """Each field a spec names in a form, with its label as a message names it."""
    for value, item in resolve(form, spec.path):
        if isinstance(value, Field):
            yield _label(spec.label, item), value


def _label(template: str, item: Any) -> str:
    if "{" not in template:
        return template
    label = getattr(item, "label", "")
    return template.format(label=label.text if isinstance(label, Field) else label, row=getattr(item, "row", ""))


def amount_fields(schema: FormSchema, form: Any) -> Iterator[tuple[str, Field[Decimal]]]:
    for spec in schema.fields:
        if spec.kind == "amount":
            yield from fields_of(form, spec)


def required_fields(schema: FormSchema, form: Any) -> Iterator[tuple[str, Field[Any]]]:
    """The required fields of a form, as they are (a finding is due where one is empty)."""
    for spec in schema.fields:
        if spec.required is None:
            continue
        for label, f in fields_of(form, spec):
            if spec.required == ALWAYS or (spec.required == IF_LABELLED and f.cell):
                yield label, f


def key_fields(schema: FormSchema, form: Any) -> Iterator[tuple[str, Field[Any], str]]:
    for spec in schema.fields:
        if spec.key:
            for label, f in fields_of(form, spec):
                yield label, f, spec.kind


def relations(schema: FormSchema, form: Any) -> list[Relation]:
    """Every sum relation of one form, bound to its fields."""
    out: list[Relation] = []
    for s in schema.sums:
        items = [item for item, _ in resolve(form, s.each.removesuffix("[]") + "[]")] if s.each else [form]
        for item in items:
            totals = [f for f, _ in resolve(item, s.total) if isinstance(f, Field)]
            if not totals:
                continue
            parts: list[Field[Decimal]] = []
            labels: list[str] = []
            for path in s.parts:
                for f, owner in resolve(item, path):
                    if isinstance(f, Field):
                        parts.append(f)
                        labels.append(getattr(owner, "label", "") if owner is not item else "")
            out.append(
                Relation(
                    totals[0],
                    parts,
                    labels,
                    _label(s.label, item),
                    fill=s.fill,
                    at=s.at,
                    total_label=s.total_label,
                    inline=s.inline,
                )
            )
    if schema.derived is not None:
        out.extend(schema.derived(form))
    return out


@dataclass
class Coverage:
    """What a reader made of its region: the cells it read and the filled cells it could not place."""

    region: tuple[int, int]  # first and last row
    read: int = 0
    unread: list[tuple[int, int, Any]] = field(default_factory=list)  # (row, col, value)

    @property
    def complete(self) -> bool:
        return not self.unread
