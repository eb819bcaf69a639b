"""Form detection: which sheet is which official form, whatever the sheet is called.

Each form is recognised by the labels it carries (as data below), tried from the most specific to the
least; the first match reads the sheet into the model. A non-empty sheet that matches none is listed as
unrecognised (the checks report it as ``form.unrecognized``).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from xlperf.book.protocol import Book
from xlperf.forms import basic_data, dept_target, project_target, self_eval, special_funds
from xlperf.forms.grid import Grid
from xlperf.forms.regions import split
from xlperf.forms.schema import Coverage, FormSchema
from xlperf.labels import SIGN_OFF
from xlperf.model import WorkbookModel


@dataclass(frozen=True)
class FormSpec:
    """A registered form: how it is recognised (from the label keys of a region), how it is read, and
    its schema."""

    matches: Callable[[set[str]], bool]
    read: Callable[[Grid], Any]
    schema: FormSchema
    # A region holding several forms of this kind in one table (a flat export): each form with the view of
    # its rows, or None when the region is one form.
    read_many: Callable[[Grid], list[tuple[Any, Grid]] | None] | None = None

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
    FormSpec(project_target.matches, project_target.read, project_target.SCHEMA, project_target.read_flat),
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


# Captions any form may carry that hold no value of their own: unit lines, sign-off lines, 附表 captions,
# the year under a title ("（2021 年）"), a line stating the project count ("…项目安排13项3830.65万元").
CAPTIONS: tuple[str, ...] = (
    "单位:",
    "金额单位",
    "填报单位",
    "附表",
    "附件",
    *SIGN_OFF,
)
CAPTION_PATTERNS = re.compile(r"^\(?\d{4}年度?\)?$|项目安排\d+项[\d.]+万元|^\(自动计算")


def read_book(book: Book) -> WorkbookModel:
    """Read every sheet of a workbook into the model: each region of each sheet as the form it holds, with
    what the reader left unread (its coverage)."""
    forms: list[Any] = []
    unrecognized: list[str] = []
    unreadable: dict[str, list[tuple[str, int, int]]] = {}
    skipped: list[str] = []
    coverage: dict[int, Coverage] = {}
    computed: dict[str, int] = {}
    uncomputed: dict[str, list[tuple[int, int]]] = {}
    names = [n for n in book.sheet_names() if n not in OWN_SHEETS]
    with _collector_paused():
        for name in names:
            data = book.read(name)
            if data.computed:
                computed[name] = len(data.computed)
            if data.uncomputed:
                uncomputed[name] = sorted(data.uncomputed)
            grid = Grid(data)
            regions = split(grid)
            found = False
            for top, bottom in regions:
                view = grid if len(regions) == 1 else grid.region(top, bottom)
                view.detect_unit()
                spec = detect(view)
                if spec is None:
                    continue
                found = True
                many = spec.read_many(view) if spec.read_many is not None else None
                for form, seen in many if many is not None else [(spec.read(view), view)]:
                    read, unread = seen.coverage(CAPTIONS + spec.schema.captions, CAPTION_PATTERNS)
                    forms.append(form)
                    coverage[id(form)] = Coverage((seen.top, seen.n_rows), read, unread)
            if found or not any(v is not None and v != "" for row in grid.data.values for v in row):
                continue
            if grid.data.hidden or _is_list_sheet(grid):
                skipped.append(name)  # a hidden sheet, or the lists behind a template's drop-downs: not forms
                continue
            unrecognized.append(name)
            labels = _form_labels(grid)
            if labels:
                unreadable[name] = labels
    model = WorkbookModel(book.path, forms, unrecognized, names, coverage)
    model.unreadable, model.skipped = unreadable, skipped
    model.computed, model.uncomputed = computed, uncomputed
    return model


# Labels that only the official forms carry: a sheet holding two of them is a form xlperf failed to read.
FORM_LABELS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "项目名称",
    "部门名称",
    "实施期绩效目标",
    "年度绩效目标",
    "资金总额",
    "预算数",
    "项目金额",
    "全年执行数",
    "全年预算数",
)


def _form_labels(grid: Grid) -> list[tuple[str, int, int]]:
    """The official forms' labels a sheet carries, each with its first cell, when there are two or more."""
    found = [(k, *grid.index[k][0]) for k in FORM_LABELS if k in grid.index]
    return found if len(found) >= 2 else []


def _is_list_sheet(grid: Grid) -> bool:
    """A sheet holding only the framework's names and list words (the source of drop-down lists)."""
    from xlperf.labels import is_level1, is_level2

    words = {"定量", "定性", "正向", "反向", "≥", "≤", "=", ">", "<", "是", "否"}
    words |= {"一级指标", "二级指标", "三级指标", "指标属性", "指标性质", "指标方向", "运算符", "度量单位"}
    texts = [k for k in grid.index]
    numbers = any(not isinstance(v, str) and v is not None for row in grid.data.values for v in row)
    return bool(texts) and not numbers and all(is_level1(k) or is_level2(k) or k in words for k in texts)


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
