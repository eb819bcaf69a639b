"""Apply an operation's edits to a workbook file, changing only the cells they name.

The edits are patched into the original package (see :mod:`xlperf.book.patch`), so everything openpyxl
could not carry over — charts, images, macros — stays as it was. The output is written to a temporary
file beside it and renamed into place, so an interrupted run leaves no partial file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from xlperf.book.output import OutputTarget, write_atomically, write_output
from xlperf.book.patch import CellPatch, patch_cells
from xlperf.book.sniff import open_input
from xlperf.report import Edit

__all__ = ["apply_edits", "cell_patches", "write_atomically"]


def cell_patches(edits: Iterable[Edit], values_only: bool = False) -> dict[str, dict[str, CellPatch]]:
    out: dict[str, dict[str, CellPatch]] = {}
    for e in edits:
        value = e.value  # as the operation computed it (money to the cent, rates to 0.01%)
        if e.inline_label:
            patch = CellPatch(f"{e.inline_label}：{value}")
        elif e.formula and not values_only:
            patch = CellPatch(value, e.formula)
        else:
            patch = CellPatch(value)
        out.setdefault(e.sheet, {})[e.cell] = patch
    return out


def apply_edits(
    src: str | os.PathLike[str],
    edits: list[Edit],
    out: str | os.PathLike[str] | OutputTarget,
    values_only: bool = False,
    password: str | None = None,
) -> Path | None:
    """Write ``src`` with ``edits`` applied to ``out`` (a path that is not ``src``, or a planned target,
    which may be ``src`` itself, backed up first). An encrypted input is written encrypted again with the
    same password. Returns the backup's path for an in-place write."""
    source = open_input(str(src), password)
    target = out if isinstance(out, OutputTarget) else OutputTarget(Path(out))
    return write_output(patch_cells(source.data, cell_patches(edits, values_only)), target, source.password)
