"""Generate a template: a workbook of one kind, blank or filled with forms read from another workbook."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlperf.model import DepartmentTarget, ProjectTarget, SelfEvaluation, SpecialFundSummary, SpendingDirection
from xlperf.templates import KINDS, TEMPLATES
from xlperf.templates import forms as f
from xlperf.templates.sheet import TemplateBook

# The folder of the committed templates, beside the package in a checkout.
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "workbook_templates"


def build(kind: str, year: str | None = None, unit: str | None = None, content: Sequence[Any] = ()) -> TemplateBook:
    """The template ``kind`` as a workbook being written. ``content`` holds forms of the model to fill it with
    (a 部门整体支出绩效目标表; a 附表2 and its 附表3; a 项目支出绩效目标表; a 绩效自评表); empty, the form is blank."""
    if kind not in TEMPLATES:
        raise ValueError(f"unknown template {kind!r}: one of {', '.join(KINDS)}")
    book = TemplateBook()
    year = str(year) if year is not None else None
    if kind == "dept":
        f.dept(book, _one(content, DepartmentTarget), year, unit)
    elif kind == "special":
        summary = _one(content, SpecialFundSummary)
        directions = [c for c in content if isinstance(c, SpendingDirection)]
        f.summary(book, summary, year, unit)
        for d in directions or [None]:
            f.direction(book, d, year, unit)
    elif kind == "project":
        f.project(book, _one(content, ProjectTarget), year, unit)
    else:
        f.selfeval(book, _one(content, SelfEvaluation), year, unit, of_project=kind == "selfeval-project")
    f.guide(book, kind)
    book.wb.move_sheet(book.wb["_xlperf_lists"], len(book.wb.sheetnames))
    book.wb.active = 0
    return book


def _one(content: Sequence[Any], cls: type) -> Any:
    found = [c for c in content if isinstance(c, cls)]
    return found[0] if found else None


def generate(kind: str, year: str | None = None, unit: str | None = None, content: Sequence[Any] = ()) -> bytes:
    """The template's bytes: the same bytes for the same arguments (fixed timestamps)."""
    return build(kind, year, unit, content).package()


def write(path: str | os.PathLike[str], data: bytes) -> None:
    from xlperf.book.apply import write_atomically

    write_atomically(data, path)


def write_all(folder: Path = TEMPLATES_DIR) -> list[Path]:
    """Write every blank template into ``folder`` (workbook_templates/ by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind, (name, _) in TEMPLATES.items():
        path = folder / name
        write(path, generate(kind))
        paths.append(path)
    return paths
