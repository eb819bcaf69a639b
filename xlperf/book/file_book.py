"""The Book protocol over an .xlsx/.xlsm file.

Reading and writing are kept apart. Values and merged ranges are read with python-calamine (Rust): on
the seed 000 example it reads every sheet in 3 ms where openpyxl's read-only mode takes 50 ms, and its
values and merged ranges matched openpyxl's on every example and corpus workbook (numbers come back as
floats; whole ones are turned back into ints here). calamine reads an error value (#REF!, #DIV/0!) as an
empty cell, so the few sheets whose XML holds error cells get those values from the XML. Formulas are
read on request through openpyxl's read-only mode. Writing goes through openpyxl, loaded only then.

calamine reads a sheet as one block from A1 to its farthest cell, so a sheet whose cells reach beyond
:data:`xlperf.limits.MAX_DENSE_CELLS` (one value typed at XFD1048576) is read cell by cell from its XML
instead (:mod:`xlperf.book.sheet_xml`), each row ending at its last value; the values are the same.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from typing import Any

from xlperf import limits
from xlperf.a1 import column_index
from xlperf.book import sheet_xml
from xlperf.book.protocol import Merge, SheetData, reader_value
from xlperf.book.sniff import open_input
from xlperf.errors import WorkbookError


class FileBook:
    """A workbook file opened for reading (values and merges) and, on demand, for writing."""

    def __init__(self, path: str | os.PathLike[str], password: str | None = None) -> None:
        self._path = str(path)
        source = open_input(self._path, password, allow_xls=True)
        data = source.data
        self._bytes = data
        self.kind = source.kind  # "xlsx", or "xls": a legacy workbook read with calamine, for checking only
        self.password = source.password  # set when the file was encrypted: a written copy is encrypted again
        self._calamine = _open_calamine(self._path, data)
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        meta = self._calamine.sheets_metadata
        self._names = [m.name for m in meta if m.typ == SheetTypeEnum.WorkSheet]
        self._hidden = {m.name for m in meta if m.visible != SheetVisibleEnum.Visible}
        self._zip: zipfile.ZipFile | None = None
        self._parts: dict[str, str] | None = None
        self._package: sheet_xml.Package | None = None
        self._formula_ro: Any = None
        self._formula_wb: Any = None

    @property
    def path(self) -> str:
        return self._path

    def sheet_names(self) -> list[str]:
        return list(self._names)

    def read(self, sheet: str, formulas: bool = False) -> SheetData:
        if sheet not in self._names:
            raise KeyError(sheet)
        xml = self._sheet_xml(sheet)
        if xml is not None and _too_far(xml):
            values, merges = self._read_cells(sheet, xml)  # one value at XFD1048576 would be 17 billion cells
        else:
            try:
                cs = self._calamine.get_sheet_by_name(sheet)
                values = _values(cs)
                ranges = cs.merged_cell_ranges or []
            except Exception as exc:  # calamine raises its own types for a damaged sheet part
                raise self._corrupt(sheet, f"{type(exc).__name__}: {exc}") from exc
            if xml is not None:
                _patch_errors(xml, values)
            merges = [Merge(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ranges]
        n_cols = max((len(r) for r in values), default=0)
        if sheet_xml.merged_cells(merges, len(values), n_cols) > limits.MAX_MERGED_CELLS:
            en = f"merged ranges cover more than {limits.MAX_MERGED_CELLS} cells"
            raise self._too_large(sheet, "合并单元格过多", en)
        data = SheetData(sheet, values, merges, hidden=sheet in self._hidden)
        if formulas:
            if self.kind != "xlsx":
                raise WorkbookError(self._path, "旧版 .xls 文件只能检查数值，不能读取公式", "no formulas from .xls")
            if self._formula_ro is None:
                self._formula_ro = _load(self._path, self._bytes, data_only=False, read_only=True)
            data.formulas = [
                [v if isinstance(v, str) and v.startswith("=") else None for v in row]
                for row in _openpyxl_rows(self._formula_ro[sheet])
            ]
        return data

    def _sheet_xml(self, sheet: str) -> bytes | None:
        """The XML of a sheet's part (None for a legacy .xls, or a sheet whose part is not found)."""
        if self.kind != "xlsx":
            return None
        try:
            if self._zip is None:
                self._zip = zipfile.ZipFile(io.BytesIO(self._bytes))
            if self._parts is None:
                from xlperf.book.patch import sheet_parts

                self._parts = sheet_parts(self._zip)
            part = self._parts.get(sheet)
            return None if part is None or part not in self._zip.NameToInfo else self._zip.read(part)
        except Exception as exc:  # a damaged workbook part or relationship: lxml, zipfile and KeyError types
            raise self._corrupt(sheet, f"{type(exc).__name__}: {exc}") from exc

    def _read_cells(self, sheet: str, xml: bytes) -> tuple[list[list[Any]], list[Merge]]:
        """A sheet too large for one block, read cell by cell from its XML (see :mod:`xlperf.book.sheet_xml`)."""
        from lxml import etree

        try:
            if self._package is None:
                self._package = sheet_xml.Package(self._zip)
            values = sheet_xml.read_cells(xml, self._package, reader_value, limits.MAX_SHEET_CELLS)
        except sheet_xml.SheetTooLarge as exc:
            raise self._too_large(sheet, f"单元格超过 {limits.MAX_SHEET_CELLS:,} 个", str(exc)) from exc
        except (etree.LxmlError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise self._corrupt(sheet, f"{type(exc).__name__}: {exc}") from exc
        return values, sheet_xml.merges(xml)

    def _corrupt(self, sheet: str, detail: str) -> WorkbookError:
        return WorkbookError(self._path, "文件已损坏，无法解析", " ".join(f"corrupt sheet {sheet}: {detail}".split()))

    def _too_large(self, sheet: str, zh: str, en: str) -> WorkbookError:
        return WorkbookError(
            self._path,
            f"工作表“{sheet}”过大（{zh}）",
            f"sheet {sheet} too large: {en}",
            "请删除表格区域以外的内容（如最后一行、最后一列里误输入的值）后另存",
        )

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

    def add_sheet(self, name: str, rows: list[list[Any]], links: dict[tuple[int, int], str]) -> None:
        from openpyxl.styles import Font
        from openpyxl.worksheet.hyperlink import Hyperlink

        wb = self._formulas()
        if name in wb.sheetnames:
            del wb[name]
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(r, c, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # report text is data, never a formula ("=HYPERLINK(…)" stays text)
                    cell.quotePrefix = True
        for (r, c), target in links.items():
            cell = ws.cell(r, c)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=target)  # in-book: no relationship
            cell.font = Font(color="0563C1", underline="single")
        ws.freeze_panes = "A2"
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for letter, width in zip("ABCDEFGH", (6, 8, 26, 30, 8, 70, 14, 14), strict=False):
            ws.column_dimensions[letter].width = width

    def save(self, out: str | os.PathLike[str]) -> None:
        """Write the workbook rewritten by openpyxl to ``out`` atomically. A workbook holding what openpyxl
        would drop (charts, pictures, macros …) is refused with what would be lost: the commands write by
        patching the original package instead (xlperf.book.apply, xlperf.book.package_marks)."""
        from xlperf.book.carry import part_kinds, uncarried_parts
        from xlperf.book.output import write_atomically
        from xlperf.errors import OutputError

        lost = uncarried_parts(self._bytes)
        if lost:
            raise OutputError(
                str(out),
                f"重写整个工作簿会丢失{'、'.join(part_kinds(lost))}，未写出",
                f"would lose {', '.join(lost[:3])}",
            )
        buf = io.BytesIO()
        self._formulas().save(buf)
        write_atomically(buf.getvalue(), out)

    def _formulas(self) -> Any:
        if self._formula_wb is None:
            self._formula_wb = _load(self._path, self._bytes, data_only=False)
        return self._formula_wb


_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?\bt="e"[^>]*>\s*<(?:\w+:)?v>([^<]*)<')


def _too_far(xml: bytes) -> bool:
    """Whether a sheet's cells reach beyond the block calamine may materialise (:data:`limits.MAX_DENSE_CELLS`),
    or have no references to tell."""
    span = sheet_xml.extent(xml)
    return span is None or span[0] * span[1] > limits.MAX_DENSE_CELLS


def _patch_errors(xml: bytes, values: list[list[Any]]) -> None:
    """Put back the error values (#REF! …) that calamine reads as empty, from the sheet's XML."""
    if b't="e"' not in xml:
        return
    for col, row, error in _ERROR_CELL.findall(xml):
        r, c = int(row), column_index(col.decode())
        while len(values) < r:
            values.append([])
        line = values[r - 1]
        line.extend([None] * (c - len(line)))
        line[c - 1] = error.decode()


def _open_calamine(path: str, data: bytes) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for malformed parts
        raise WorkbookError(path, "文件已损坏，无法解析", f"corrupt workbook: {type(exc).__name__}: {exc}") from exc


def _values(cs: Any) -> list[list[Any]]:
    """A sheet's values as rows from A1 (``skip_empty_area=False`` keeps the empty rows and columns above
    and left of the first used cell, so coordinates need no offset)."""
    if cs.start is None:
        return []
    return [[reader_value(v) for v in raw] for raw in cs.to_python(skip_empty_area=False)]


def _openpyxl_rows(ws: Any) -> list[list[Any]]:
    """All rows of a read-only openpyxl sheet, whatever its recorded dimension says."""
    ws.reset_dimensions()
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _load(path: str, data: bytes, data_only: bool, read_only: bool = False) -> Any:
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about every data validation extension and unknown part; they are not errors.
            warnings.simplefilter("ignore")
            return load_workbook(
                io.BytesIO(data),
                data_only=data_only,
                read_only=read_only,
                keep_vba=not read_only and path.lower().endswith(".xlsm"),
            )
    except WorkbookError:
        raise
    except Exception as exc:  # openpyxl raises many types on malformed parts
        raise WorkbookError(
            path, "文件已损坏，无法解析", f"corrupt workbook: {type(exc).__name__}: {exc}".strip()
        ) from exc
