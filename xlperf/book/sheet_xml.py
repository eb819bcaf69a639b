"""Reading a sheet's cells straight from its XML, for the sheets too large to read as one block.

calamine reads a sheet as the block of cells from A1 to its farthest cell. That is the fast way for every
real form, and the impossible one for a sheet with one value at XFD1048576. :func:`extent` tells the two
apart cheaply (a scan of the cell references, before anything is materialised); :func:`read_cells` then
reads such a sheet cell by cell (lxml's iterparse, each row freed once read), keeping only the cells that
hold a value, each row up to its own last value. It gives the values calamine gives — text from the shared
string table or inline, ``_xHHHH_`` escapes decoded, numbers, booleans, error codes, dates and durations by
the cell's number format, in the 1900 or 1904 date system — so readers cannot tell which way a sheet was
read. The limits are in :mod:`xlperf.limits`.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from xlperf.a1 import column_index
from xlperf.book import number_formats
from xlperf.book.protocol import Merge

# A cell reference attribute (only <c> elements carry one like "AB12"; a <cellWatch> would only make the count
# larger), the start of a cell element, and the prefix of a worksheet written with one ("<x:worksheet").
_ROW_OF_REF = re.compile(rb' r="[A-Za-z]{1,3}([0-9]{1,9})"')
_COL_OF_REF = re.compile(rb' r="([A-Za-z]{1,3})[0-9]')
_CELL = re.compile(rb"<c[\s/>]")
_PREFIX = re.compile(rb"<(\w+:)worksheet\b")
_MERGE = re.compile(
    rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="\$?([A-Za-z]{1,3})\$?([0-9]{1,9})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,9}))?"'
)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")

# Number formats Excel has built in that show a date or a time (ids 27–36 and 50–58: the East Asian dates
# and times of a Chinese Excel), and the one that shows a duration ([h]:mm:ss).
_BUILTIN_DATES = frozenset([*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)])
_BUILTIN_DURATIONS = frozenset([46])
_ELAPSED = frozenset(["h", "hh", "m", "mm", "s", "ss"])
_MS_PER_DAY = 86_400_000


class SheetTooLarge(Exception):
    """A sheet beyond a reading limit; the message says which, in English (the caller words it for people)."""


def extent(xml: bytes) -> tuple[int, int] | None:
    """(last row, last column) over every cell reference of a sheet's XML, style-only cells included; (0, 0)
    for a sheet without cells; None when some cell has no reference (its place must be counted, which only
    :func:`read_cells` does). Three scans of the bytes, no parsing: 0.3 s for 20 MB of XML."""
    rows = _ROW_OF_REF.findall(xml)
    prefix = _PREFIX.search(xml, 0, 4096)
    cells = re.compile(rb"<" + prefix.group(1) + rb"c[\s/>]") if prefix else _CELL
    if len(cells.findall(xml)) > len(rows):
        return None
    if not rows:
        return 0, 0
    return max(map(int, rows)), max(column_index(c.decode("ascii")) for c in set(_COL_OF_REF.findall(xml)))


def merges(xml: bytes) -> list[Merge]:
    """The merged ranges of a sheet's XML (a one-cell ``ref`` is a range of one cell)."""
    out = []
    for c0, r0, c1, r1 in _MERGE.findall(xml):
        (ra, ca) = (int(r0), column_index(c0.decode("ascii")))
        (rb, cb) = (int(r1), column_index(c1.decode("ascii"))) if c1 else (ra, ca)
        out.append(Merge(min(ra, rb), min(ca, cb), max(ra, rb), max(ca, cb)))
    return out


def merged_cells(ranges: Sequence[Merge], n_rows: int, n_cols: int) -> int:
    """How many cells the ranges cover within the first ``n_rows`` rows and ``n_cols`` columns (a cell in
    two overlapping ranges counts twice: each is looked up)."""
    total = 0
    for m in ranges:
        rows = min(m.max_row, n_rows) - m.min_row + 1
        cols = min(m.max_col, n_cols) - m.min_col + 1
        if rows > 0 and cols > 0:
            total += rows * cols
    return total


def unescape(text: str) -> str:
    """``_x000D_`` → carriage return: how OOXML writes characters XML cannot carry (``_x005F_`` is "_"). A
    surrogate code (``_xD800_``) is no character and stays as written, as calamine leaves it."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(_unescaped, text)


def _unescaped(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    return m.group() if 0xD800 <= code <= 0xDFFF else chr(code)


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _text_of(el: Any) -> str:
    """The text of a string item (``<si>`` or ``<is>``): its ``<t>``, or the ``<t>`` of its rich-text runs;
    phonetic guides (``<rPh>``) are not part of the value."""
    parts = []
    for child in el:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return unescape("".join(parts))


def _parser_options() -> dict[str, Any]:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False}


class Package:
    """What every sheet of a package shares: the shared strings, the number format of each cell style (and
    which show dates or durations), and the date system. Parsed on first use."""

    def __init__(self, zin: zipfile.ZipFile) -> None:
        from lxml import etree

        self._zin = zin
        names = set(zin.namelist())
        targets: dict[str, str] = {}
        rels = "xl/_rels/workbook.xml.rels"
        if rels in names:
            for rel in etree.fromstring(zin.read(rels), etree.XMLParser(**_parser_options())):
                kind = (rel.get("Type") or "").rpartition("/")[2]
                target = rel.get("Target") or ""
                if rel.get("TargetMode") != "External" and target:
                    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                    targets.setdefault(kind, part)
        self._strings_part = targets.get("sharedStrings") if targets.get("sharedStrings") in names else None
        self._styles_part = targets.get("styles") if targets.get("styles") in names else None
        self._strings: list[str] | None = None
        self._kinds: list[str | None] | None = None
        self._formats: list[str | None] | None = None
        self._styles: tuple[dict[str, str], list[str]] | None = None
        book = etree.fromstring(zin.read("xl/workbook.xml"), etree.XMLParser(**_parser_options()))
        pr = next((el for el in book if _local(el.tag) == "workbookPr"), None)
        self.date1904 = pr is not None and (pr.get("date1904") or "").lower() in ("1", "true")

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = self._read_strings()
        return self._strings

    @property
    def kinds(self) -> list[str | None]:
        """Per cell style (``s``): "date", "duration" or None (a plain number)."""
        if self._kinds is None:
            self._kinds = self._read_kinds()
        return self._kinds

    def _read_strings(self) -> list[str]:
        from lxml import etree

        if self._strings_part is None:
            return []
        out = []
        source = io.BytesIO(self._zin.read(self._strings_part))
        for _, si in etree.iterparse(source, tag="{*}si", **_parser_options()):
            out.append(_text_of(si))
            si.clear()
            while si.getprevious() is not None:
                del si.getparent()[0]
        return out

    @property
    def formats(self) -> list[str | None]:
        """Per cell style (``s``): the number format code it shows, None for General (or a format id that is
        neither the workbook's own nor built in)."""
        if self._formats is None:
            custom, ids = self._style_table()
            self._formats = [number_formats.shown(custom[i] if i in custom else _builtin(i)) for i in ids]
        return self._formats

    def _style_table(self) -> tuple[dict[str, str], list[str]]:
        """The workbook's own format codes by id, and the format id of each cell style, in order."""
        if self._styles is None:
            self._styles = self._read_styles()
        return self._styles

    def _read_styles(self) -> tuple[dict[str, str], list[str]]:
        from lxml import etree

        if self._styles_part is None:
            return {}, []
        root = etree.fromstring(self._zin.read(self._styles_part), etree.XMLParser(**_parser_options()))
        custom: dict[str, str] = {}
        ids: list[str] = []
        for section in root:
            name = _local(section.tag)
            if name == "numFmts":
                for fmt in section:
                    if _local(fmt.tag) == "numFmt":
                        custom[(fmt.get("numFmtId") or "").strip()] = fmt.get("formatCode") or ""
            elif name == "cellXfs":
                ids = [(xf.get("numFmtId") or "0").strip() for xf in section if _local(xf.tag) == "xf"]
        return custom, ids

    def _read_kinds(self) -> list[str | None]:
        custom, ids = self._style_table()
        kinds: list[str | None] = []
        for fmt_id in ids:
            if fmt_id in custom:
                kinds.append(format_kind(custom[fmt_id]))
            elif fmt_id.isdigit() and int(fmt_id) in _BUILTIN_DATES:
                kinds.append("date")
            elif fmt_id.isdigit() and int(fmt_id) in _BUILTIN_DURATIONS:
                kinds.append("duration")
            else:
                kinds.append(None)
        return kinds


def _builtin(fmt_id: str) -> str | None:
    return number_formats.BUILTIN_FORMATS.get(int(fmt_id)) if fmt_id.isdigit() and len(fmt_id) < 6 else None


def format_kind(code: str) -> str | None:
    """Whether a number format code shows a date ("date"), an elapsed time ("duration": ``[h]:mm``) or a
    plain number (None). Quoted text, escaped characters and bracketed colours or locales do not count."""
    found = elapsed = False
    for kind, text in number_formats.tokens(code):
        if kind == "bracket":
            elapsed = elapsed or text.lower() in _ELAPSED
        elif kind == "char" and text in "dmyhsDMYHS":
            found = True
    if elapsed:
        return "duration"
    return "date" if found else None


def excel_date(serial: float, kind: str, date1904: bool) -> Any:
    """A date-formatted number as calamine gives it: a date (no time of day), a time (under one day), a
    datetime, or a timedelta for a duration; the number itself when it is no date (out of range)."""
    try:
        if kind == "duration":
            return timedelta(milliseconds=round(serial * _MS_PER_DAY))
        if date1904:
            moment = datetime(1904, 1, 1) + timedelta(milliseconds=round(serial * _MS_PER_DAY))
        else:  # day 60 is 1900-02-29, which did not exist: days before it count from one day later
            days = serial if serial >= 60 else serial + 1
            moment = datetime(1899, 12, 30) + timedelta(milliseconds=round(days * _MS_PER_DAY))
    except (OverflowError, ValueError):
        return serial
    if 0 <= serial < 1:
        return moment.time()
    if moment.time() == time(0):
        return moment.date()
    return moment


def _iso_date(text: str) -> Any:
    """A ``t="d"`` cell (an ISO 8601 date, time or both)."""
    try:
        if "T" in text or " " in text:
            moment = datetime.fromisoformat(text.rstrip("Z"))
            return moment.date() if moment.time() == time(0) else moment
        if ":" in text:
            return time.fromisoformat(text)
        return date.fromisoformat(text)
    except ValueError:
        return text


def _value(el: Any, package: Package, ns: str) -> Any:
    """The value of a ``<c>`` element (``ns``: the namespace of its tags, in braces), None when it holds none."""
    t = el.get("t") or "n"
    if t == "inlineStr":
        inline = el.find(f"{ns}is")
        return None if inline is None else _text_of(inline)
    v = el.findtext(f"{ns}v")
    if v is None:
        return None
    if t == "s":
        try:
            return package.strings[int(v)]
        except (ValueError, IndexError):
            return None
    if t == "str":
        return unescape(v)
    if t == "b":
        return v.strip() in ("1", "true")
    if t == "e":
        return v
    if t == "d":
        return _iso_date(v.strip())
    try:
        number = float(v)
    except ValueError:
        return None
    style = el.get("s")
    if style is not None and style.isdigit():
        kinds = package.kinds
        kind = kinds[int(style)] if int(style) < len(kinds) else None
        if kind is not None:
            return excel_date(number, kind, package.date1904)
    return number


def read_cells(xml: bytes, package: Package, convert: Callable[[Any], Any], max_cells: int) -> list[list[Any]]:
    """A sheet's values as rows from A1, each row up to its own last value (rows of no value are empty).

    ``convert`` turns each value into the reader's form (whole floats into ints, "" into None); a cell whose
    converted value is None takes no room. Raises SheetTooLarge when the rows would hold more than
    ``max_cells`` cells (each row counting as one more). Each ``<row>`` is freed once read, so the XML tree
    never grows beyond one row."""
    from lxml import etree

    rows: list[list[Any]] = []
    held = 0  # cells in the rows so far, plus one per row
    row_no = 0
    columns: dict[str, int] = {}
    for _, row in etree.iterparse(io.BytesIO(xml), events=("end",), tag="{*}row", **_parser_options()):
        ns = row.tag[: row.tag.index("}") + 1] if row.tag.startswith("{") else ""
        r = row.get("r")
        row_no = int(r) if r and r.isdigit() else row_no + 1
        for at, col_no, el in _placed(row, row_no, columns):
            value = convert(_value(el, package, ns))
            if value is None or at < 1:
                continue
            if len(rows) < at:
                held += at - len(rows)
                if held > max_cells:
                    raise SheetTooLarge(f"more than {max_cells} cells (row {at})")
                rows.extend([] for _ in range(at - len(rows)))
            line = rows[at - 1]
            if len(line) < col_no:
                held += col_no - len(line)
                if held > max_cells:
                    raise SheetTooLarge(f"more than {max_cells} cells (row {at})")
                line.extend([None] * (col_no - len(line)))
            line[col_no - 1] = value
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]
    return rows


def _placed(row: Any, row_no: int, columns: dict[str, int]) -> Iterator[tuple[int, int, Any]]:
    """The ``<c>`` elements of a ``<row>`` with the 1-based (row, column) :func:`read_cells` places them at:
    by their reference, or one after the other where a cell has none."""
    ns = row.tag[: row.tag.index("}") + 1] if row.tag.startswith("{") else ""
    col_no = 0
    for el in row.iterchildren(f"{ns}c"):
        at = row_no
        ref = el.get("r")
        letters = ref.rstrip("0123456789") if ref else ""
        if letters and letters.isalpha() and len(letters) <= 3 and len(letters) < len(ref):
            at = int(ref[len(letters) :])
            col_no = columns.get(letters) or columns.setdefault(letters, column_index(letters))
        else:
            col_no += 1
        yield at, col_no, el


def _rows(xml: bytes, tags: tuple[str, ...] = ("{*}row",)) -> Iterator[tuple[int, Any]]:
    """Each ``<row>`` of a sheet's XML (and each element of ``tags``, with row number 0) with its number,
    parsed safely (no entities, no network, no DTD) and freed once the caller has read it."""
    from lxml import etree

    row_no = 0
    for _, el in etree.iterparse(io.BytesIO(xml), events=("end",), tag=tags, **_parser_options()):
        if _local(el.tag) != "row":
            yield 0, el
            continue
        r = el.get("r")
        row_no = int(r) if r and r.isdigit() else row_no + 1
        yield row_no, el
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]


def _style(el: Any) -> int:
    s = (el.get("s") or el.get("style") or "").strip()
    return int(s) if s.isdigit() and len(s) < 10 else 0


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true")


class SheetFormats:
    """The number format of each cell of one sheet: the cell's own style, else its row's (``<row s
    customFormat="1">``), else its column's (``<col style>``); None for General."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], str | None] = {}
        self.rows: dict[int, str] = {}
        self.cols: list[tuple[int, int, str]] = []

    def get(self, row: int, col: int) -> str | None:
        if (row, col) in self.cells:
            return self.cells[(row, col)]
        if row in self.rows:
            return self.rows[row]
        return next((code for lo, hi, code in self.cols if lo <= col <= hi), None)


def cell_formats(xml: bytes, formats: Sequence[str | None], widths: Sequence[Sequence[Any]]) -> SheetFormats:
    """The number formats of a sheet's cells (``formats``: the code of each cell style, see
    :attr:`Package.formats`), kept for the cells of the rows read (``widths``: the block of values, row ``r``
    holding ``len(widths[r - 1])`` cells), so that what is kept never outgrows the values themselves."""

    def code(style: int) -> str | None:
        return formats[style] if 0 < style < len(formats) else None

    out = SheetFormats()
    columns: dict[str, int] = {}
    for row_no, el in _rows(xml, ("{*}row", "{*}col")):
        if row_no == 0:  # a <col>
            lo, hi = (el.get("min") or "").strip(), (el.get("max") or "").strip()
            found = code(_style(el))
            if found is not None and lo.isdigit() and hi.isdigit():
                out.cols.append((int(lo), int(hi), found))
            continue
        row_code = code(_style(el)) if _truthy(el.get("customFormat")) else None
        if row_code is not None and row_no <= len(widths):
            out.rows[row_no] = row_code
        fallback = row_code is not None or bool(out.cols)  # a General cell must then hide its row's or column's
        for at, col_no, c in _placed(el, row_no, columns):
            if not 0 < at <= len(widths) or col_no > len(widths[at - 1]):
                continue
            found = code(_style(c))
            if found is not None or fallback:
                out.cells[(at, col_no)] = found
    return out


# The start of a formula element (``<f``, ``<x:f``: an "f" after "<" or ":", then a space, "/" or ">"; written
# to begin with the literal "f", which the regex engine finds fast), and one followed at once by a value that
# holds something. When the two counts are the same, every formula of the sheet has its cached value.
_FORMULA = re.compile(rb"f(?<=[<:]f)(?=[\s/>])")
_CACHED_FORMULA = re.compile(
    rb"f(?<=[<:]f)(?=[\s/>])[^>]*?(?:/>|>[^<]*</(?:\w+:)?f\s*>)\s*<(?:\w+:)?v(?:\s[^>]*)?>[^<]"
)


def uncached_formulas(xml: bytes) -> dict[tuple[int, int], int]:
    """The formula cells of a sheet's XML that hold no value (no ``<v>``, or an empty one for a number), as
    (row, col) → the cell's style index. A program that writes formulas without calculating them (openpyxl)
    leaves them so; Excel never does. A byte scan answers for a sheet whose every formula has its value
    (or that has none); only otherwise is the XML parsed. Data-table cells (what-if analysis) are no
    formulas to calculate."""
    found = len(_FORMULA.findall(xml))
    if not found or found == len(_CACHED_FORMULA.findall(xml)):
        return {}
    out: dict[tuple[int, int], int] = {}
    columns: dict[str, int] = {}
    for row_no, row in _rows(xml):
        for at, col_no, c in _placed(row, row_no, columns):
            formula = value = None
            for child in c:
                name = _local(child.tag)
                if name == "f":
                    formula = child
                elif name == "v":
                    value = child
            if formula is None or formula.get("t") == "dataTable" or c.get("t") == "inlineStr" or at < 1:
                continue
            if value is None or (not (value.text or "").strip() and (c.get("t") or "n") == "n"):
                out[(at, col_no)] = _style(c)
    return out
