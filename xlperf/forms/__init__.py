"""Form detection: which sheet is which official form, whatever the sheet is called.

Each form is recognised by the labels it carries (as data below), tried from the most specific to the
least; the first match reads the sheet into the model. A non-empty sheet that matches none is listed as
unrecognised (the checks report it as ``form.unrecognized``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from xlperf.book.protocol import Book
from xlperf.forms import basic_data, dept_target, project_target, self_eval, special_funds
from xlperf.forms.grid import Grid
from xlperf.forms.schema import FormSchema
from xlperf.model import WorkbookModel


@dataclass(frozen=True)
class FormSpec:
    """A registered form: how it is recognised (from the label keys of a region), how it is read, and
    its schema."""

    matches: Callable[[set[str]], bool]
    read: Callable[[Grid], Any]
    schema: FormSchema

    @property
    def kind(self) -> str:
        return self.schema.kind

    @property
    def title(self) -> str:
        return self.schema.title


# The registry, most specific first: a 附表3 also carries 年度绩效目标, a 自评表 also carries 一级指标 …
FORMS: tuple[FormSpec, ...] = (
    FormSpec(special_funds.matches_direction, special_funds.read_direction, special_funds.DIRECTION_SCHEMA),
    FormSpec(special_funds.matches_summary, special_funds.read_summary, special_funds.SUMMARY_SCHEMA),
    FormSpec(self_eval.matches, self_eval.read, self_eval.SCHEMA),
    FormSpec(basic_data.matches, basic_data.read, basic_data.SCHEMA),
    FormSpec(project_target.matches, project_target.read, project_target.SCHEMA),
    FormSpec(dept_target.matches, dept_target.read, dept_target.SCHEMA),
)
TITLES = {spec.kind: spec.title for spec in FORMS}
SCHEMAS: dict[str, FormSchema] = {spec.kind: spec.schema for spec in FORMS}


def schema_of(form: Any) -> FormSchema:
    """The schema of a form read into the model."""
    return SCHEMAS[form.kind]

# Sheets xlperf itself adds to a workbook (the findings list, the record of its marks, a template's 填表说明
# and the hidden sheet holding its drop-down lists): never read as forms.
OWN_SHEETS = frozenset({"校验结果", "_xlperf_marks", "填表说明", "_xlperf_lists"})


def sheet_keys(grid: Grid) -> set[str]:
    return set(grid.index)


def detect(grid: Grid) -> FormSpec | None:
    keys = sheet_keys(grid)
    return next((spec for spec in FORMS if spec.matches(keys)), None)


def read_book(book: Book) -> WorkbookModel:
    """Read every sheet of a workbook into the model."""
    forms: list[Any] = []
    unrecognized: list[str] = []
    names = [n for n in book.sheet_names() if n not in OWN_SHEETS]
    with _collector_paused():
        for name in names:
            grid = Grid(book.read(name))
            spec = detect(grid)
            if spec is not None:
                forms.append(spec.read(grid))
            elif any(v is not None and v != "" for row in grid.data.values for v in row):
                unrecognized.append(name)
    return WorkbookModel(book.path, forms, unrecognized, names)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading creates objects by the hundred thousand (a cell, a field, an indicator per row) that all live
    on in the model or die by reference count: the cyclic garbage collector's passes over them find nothing
    and took a quarter of the reading time of a 50,000-row table. It is paused while reading."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_file(path: str, password: str | None = None) -> WorkbookModel:
    from xlperf.book import open_book

    return read_book(open_book(path, password))
