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

A workbook written by a program that does not calculate (openpyxl, some export tools) holds formulas with
no value, which calamine reads as empty cells. When a sheet has such cells, the workbook is calculated
once, in memory, by the default recalculation engine (:mod:`xlperf.recalc`, given a copy: the file is
never written) and the values it computes are put into the block; ``SheetData.computed`` and
``SheetData.uncomputed`` say which cells were filled so and which the engine could not compute. A sheet
whose formulas all have their value is told so by a scan of its bytes, and no engine is loaded.

Number formats (``SheetData.number_format``) are read from the styles and the sheet's XML on the first
call for that sheet, never while reading values.
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
        self._outcomes: dict[tuple[str, int, int], Any] | None = None  # the recalculation, once per workbook
        self.recalc_message = ""  # why the engine computed nothing, when it could not load the workbook

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
        computed: frozenset[tuple[int, int]] = frozenset()
        uncomputed: frozenset[tuple[int, int]] = frozenset()
        if xml is not None:
            computed, uncomputed = self._fill_uncached(sheet, xml, values)
        n_cols = max((len(r) for r in values), default=0)
        if sheet_xml.merged_cells(merges, len(values), n_cols) > limits.MAX_MERGED_CELLS:
            en = f"merged ranges cover more than {limits.MAX_MERGED_CELLS} cells"
            raise self._too_large(sheet, "合并单元格过多", en)
        data = SheetData(
            sheet,
            values,
            merges,
            hidden=sheet in self._hidden,
            computed=computed,
            uncomputed=uncomputed,
            format_source=_SheetFormats(self, sheet, values) if xml is not None else None,
        )
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

    def _shared(self) -> sheet_xml.Package:
        """What the sheets share (strings, styles, the date system), parsed on first use."""
        if self._package is None:
            self._package = sheet_xml.Package(self._zip)
        return self._package

    def _fill_uncached(
        self, sheet: str, xml: bytes, values: list[list[Any]]
    ) -> tuple[frozenset[tuple[int, int]], frozenset[tuple[int, int]]]:
        """Put into ``values`` what the engine computes for the sheet's formula cells that have no value;
        (computed, uncomputed) cells. Nothing is loaded for a sheet whose formulas all have their value."""
        from lxml import etree

        try:
            uncached = sheet_xml.uncached_formulas(xml)
        except (etree.LxmlError, ValueError) as exc:
            raise self._corrupt(sheet, f"{type(exc).__name__}: {exc}") from exc
        if not uncached:
            return frozenset(), frozenset()
        from xlperf.recalc.engine import Computed

        outcomes = self._recalculated()
        shared = self._shared()
        computed, uncomputed = set(), set()
        for (row, col), style in uncached.items():
            outcome = outcomes.get((sheet, row, col))
            if not isinstance(outcome, Computed):
                uncomputed.add((row, col))
                continue
            computed.add((row, col))
            value = _cell_value(outcome.value, style, shared)
            if value is not None:
                _put(values, row, col, value)
        return frozenset(computed), frozenset(uncomputed)

    def _recalculated(self) -> dict[tuple[str, int, int], Any]:
        """The outcome of every formula cell of the workbook as the default engine computes it in memory,
        once per workbook ({} when it cannot load the workbook: :attr:`recalc_message` says why)."""
        if self._outcomes is None:
            try:
                from xlperf.recalc.engine import DEFAULT_ENGINE, get_engine

                result = get_engine(DEFAULT_ENGINE).compute(self._bytes)
            except ImportError as exc:  # the engine is a dependency; a broken installation computes nothing
                self._outcomes, self.recalc_message = {}, f"recalculation engine unavailable: {exc}"
            else:
                self._outcomes = result.cells if result.ok else {}
                self.recalc_message = "" if result.ok else f"{result.status}: {result.message}".strip()
        return self._outcomes

    def _formats(self, sheet: str, values: list[list[Any]]) -> sheet_xml.SheetFormats:
        """The number formats of a sheet's cells, for :class:`_SheetFormats` (styles and XML parsed now)."""
        from lxml import etree

        xml = self._sheet_xml(sheet)
        try:
            if xml is None:
                return sheet_xml.SheetFormats()
            return sheet_xml.cell_formats(xml, self._shared().formats, values)
        except (etree.LxmlError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise self._corrupt(sheet, f"{type(exc).__name__}: {exc}") from exc

    def _read_cells(self, sheet: str, xml: bytes) -> tuple[list[list[Any]], list[Merge]]:
        """A sheet too large for one block, read cell by cell from its XML (see :mod:`xlperf.book.sheet_xml`)."""
        from lxml import etree

        try:
            values = sheet_xml.read_cells(xml, self._shared(), reader_value, limits.MAX_SHEET_CELLS)
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


class _SheetFormats:
    """The number formats of one sheet read from a file, parsed on the first call (see SheetData)."""

    def __init__(self, book: FileBook, sheet: str, values: list[list[Any]]) -> None:
        self._book, self._sheet, self._values = book, sheet, values
        self._formats: sheet_xml.SheetFormats | None = None

    def number_format(self, row: int, col: int) -> str | None:
        if self._formats is None:
            self._formats = self._book._formats(self._sheet, self._values)
        return self._formats.get(row, col)


def _cell_value(value: Any, style: int, shared: sheet_xml.Package) -> Any:
    """A value the engine computed as calamine would read it from the cell: an error as its code, a number
    in a date format as a date, a whole number as an int, "" as empty."""
    from xlperf.recalc.values import XlError

    if isinstance(value, XlError):
        return value.code
    if isinstance(value, int | float) and not isinstance(value, bool):
        kinds = shared.kinds
        kind = kinds[style] if 0 <= style < len(kinds) else None
        if kind is not None:
            return reader_value(sheet_xml.excel_date(float(value), kind, shared.date1904))
        return reader_value(float(value))
    return reader_value(value)


def _put(values: list[list[Any]], row: int, col: int, value: Any) -> None:
    """Set the cell at ``row``, ``col`` (1-based) of a block, growing it as needed."""
    while len(values) < row:
        values.append([])
    line = values[row - 1]
    line.extend([None] * (col - len(line)))
    line[col - 1] = value


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
        _put(values, int(row), column_index(col.decode()), error.decode())


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
