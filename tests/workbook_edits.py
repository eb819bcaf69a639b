"""Edits a person makes to a workbook, done as Excel does them, for the reader-robustness tests.

openpyxl's own insert_rows does not move merged ranges, so the edits here rebuild each sheet: values
are copied to their new place and every merged range is remapped (a range spanning an inserted row grows,
as in Excel). Only values and merges are carried: that is all the readers look at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

Transform = Callable[[Any], Any]


def rebuild(
    src: Path,
    dst: Path,
    *,
    insert_rows: Callable[[Any], Iterable[int]] = lambda ws: (),
    insert_cols: Iterable[int] = (),
    keep_merges: bool = True,
    rename: Callable[[str, int], str] | None = None,
    transform: Transform | None = None,
) -> Path:
    """Write ``dst``: ``src`` with blank rows inserted before the given rows of each sheet, blank columns
    inserted before the given columns, merges kept or removed, sheets renamed, cell values transformed."""
    wb = load_workbook(src)
    out = Workbook()
    out.remove(out.active)
    cols_before = sorted(insert_cols)
    for index, ws in enumerate(wb.worksheets):
        rows_before = sorted(insert_rows(ws))

        def new_row(r: int, rows_before: list[int] = rows_before) -> int:
            return r + sum(1 for b in rows_before if b <= r)

        def new_col(c: int) -> int:
            return c + sum(1 for b in cols_before if b <= c)

        name = rename(ws.title, index) if rename else ws.title
        nws = out.create_sheet(name)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                value = transform(cell.value) if transform else cell.value
                target = nws.cell(new_row(cell.row), new_col(cell.column))
                target.value = value
                if cell.data_type == "s" and isinstance(value, str):
                    target.data_type = "s"  # text such as "=100%" stays text
        if keep_merges:
            for m in ws.merged_cells.ranges:
                nws.merge_cells(
                    start_row=new_row(m.min_row),
                    start_column=new_col(m.min_col),
                    end_row=new_row(m.max_row),
                    end_column=new_col(m.max_col),
                )
    out.save(dst)
    return dst


def rows_of(ws: Any, *labels: str) -> list[int]:
    """Rows of ``ws`` holding a cell whose text (spaces removed) starts with one of ``labels``."""
    found = []
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "".join(cell.value.split()).startswith(labels):
                found.append(cell.row)
                break
    return found
