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
from xlperf.model import WorkbookModel


@dataclass(frozen=True)
class FormSpec:
    kind: str
    title: str
    matches: Callable[[set[str]], bool]
    read: Callable[[Grid], Any]


# Most specific first: a 附表3 also carries 年度绩效目标, a 自评表 also carries 一级指标 …
FORMS: tuple[FormSpec, ...] = (
    FormSpec(
        "direction", "附表3 专项资金支出方向绩效目标表", special_funds.matches_direction, special_funds.read_direction
    ),
    FormSpec("summary", "附表2 专项资金绩效目标汇总表", special_funds.matches_summary, special_funds.read_summary),
    FormSpec("self_eval", "绩效自评表", self_eval.matches, self_eval.read),
    FormSpec("basic_data", "部门整体支出绩效评价基础数据表", basic_data.matches, basic_data.read),
    FormSpec("project_target", "项目支出绩效目标表", project_target.matches, project_target.read),
    FormSpec("dept_target", "部门（单位）整体支出绩效目标表", dept_target.matches, dept_target.read),
)
TITLES = {spec.kind: spec.title for spec in FORMS}

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
