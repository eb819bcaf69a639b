"""Book adapters: the only code that touches a spreadsheet library."""

from __future__ import annotations

import os

from xlperf.book.protocol import Book, Merge, SheetData


def open_book(path: str | os.PathLike[str], password: str | None = None) -> Book:
    """Open a workbook file (.xlsx/.xlsm, or a legacy .xls for reading only) for reading; ``password``
    opens an encrypted one. Raises WorkbookError with a clear reason."""
    from xlperf.book.file_book import FileBook

    return FileBook(path, password)


__all__ = ["Book", "Merge", "SheetData", "open_book"]
