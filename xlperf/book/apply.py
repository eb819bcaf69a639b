"""Apply an operation's edits to a workbook file, changing only the cells they name.

The edits are patched into the original package (see :mod:`xlperf.book.patch`), so everything openpyxl
could not carry over — charts, images, macros — stays as it was. The output is written to a temporary
file beside it and renamed into place, so an interrupted run leaves no partial file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from xlperf.book.patch import CellPatch, patch_cells
from xlperf.book.sniff import sniff
from xlperf.report import Edit


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


def write_atomically(data: bytes, out: str | os.PathLike[str]) -> None:
    target = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply_edits(
    src: str | os.PathLike[str], edits: list[Edit], out: str | os.PathLike[str], values_only: bool = False
) -> None:
    """Write ``src`` with ``edits`` applied to ``out`` (which may not be ``src``)."""
    package = sniff(str(src))
    write_atomically(patch_cells(package, cell_patches(edits, values_only)), out)
