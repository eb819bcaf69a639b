"""Book adapters: the only code that touches a spreadsheet library."""

from __future__ import annotations

import os

from xlperf.book.protocol import Book, Merge, SheetData


def open_book(path: str | os.PathLike[str]) -> Book:
    """Open a workbook file (.xlsx/.xlsm) for reading; raises WorkbookError with a clear reason."""
    from xlperf.book.file_book import FileBook

    return FileBook(path)


__all__ = ["Book", "Merge", "SheetData", "open_book"]
