"""The Book protocol over an .xlsx/.xlsm file, through openpyxl.

Values are read from the cached results (``data_only=True``), which is what Excel last computed and what
a person sees; formulas are read from a second, lazily loaded copy only when an operation asks for them
or writes. openpyxl is imported here and nowhere else on the reading path, so that a command that fails
early does not pay for it.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from xlperf.book.protocol import Merge, SheetData
from xlperf.book.sniff import sniff
from xlperf.errors import WorkbookError


class OpenpyxlBook:
    """A workbook file opened for reading (values and merges) and, on demand, for writing."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = str(path)
        data = sniff(self._path)
        self._bytes = data
        self._values_wb = _load(self._path, data, data_only=True)
        self._formula_wb: Any = None

    @property
    def path(self) -> str:
        return self._path

    def sheet_names(self) -> list[str]:
        return list(self._values_wb.sheetnames)

    def read(self, sheet: str, formulas: bool = False) -> SheetData:
        ws = self._values_wb[sheet]
        values = [list(r) for r in ws.iter_rows(values_only=True)] if ws.max_row and ws.max_column else []
        merges = [Merge(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        data = SheetData(sheet, values, merges, hidden=ws.sheet_state != "visible")
        if formulas:
            fws = self._formulas()[sheet]
            data.formulas = [
                [v if isinstance(v, str) and v.startswith("=") else None for v in row]
                for row in fws.iter_rows(values_only=True)
            ]
        return data

    def write(self, sheet: str, row: int, col: int, block: list[list[Any]]) -> None:
        ws = self._formulas()[sheet]
        for dr, values in enumerate(block):
            for dc, value in enumerate(values):
                ws.cell(row + dr, col + dc).value = value

    def mark(self, sheet: str, row: int, col: int, fill: str, note: str | None = None) -> None:
        from openpyxl.comments import Comment
        from openpyxl.styles import PatternFill

        cell = self._formulas()[sheet].cell(row, col)
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        if note:
            cell.comment = Comment(note, "xlperf")

    def save(self, out: str | os.PathLike[str]) -> None:
        """Write the workbook to ``out`` atomically: a temporary file in the same folder, then a rename."""
        target = Path(out)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
        os.close(fd)
        try:
            self._formulas().save(tmp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _formulas(self) -> Any:
        if self._formula_wb is None:
            self._formula_wb = _load(self._path, self._bytes, data_only=False)
        return self._formula_wb


def _load(path: str, data: bytes, data_only: bool) -> Any:
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about every data validation extension and unknown part; they are not errors.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=data_only, keep_vba=path.lower().endswith(".xlsm"))
    except WorkbookError:
        raise
    except Exception as exc:  # openpyxl raises many types on malformed parts
        raise WorkbookError(
            path, "文件已损坏，无法解析", f"corrupt workbook: {type(exc).__name__}: {exc}".strip()
        ) from exc
