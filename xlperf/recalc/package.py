"""What the recalculation needs from a workbook package, read straight from its XML: the sheets in order,
every formula cell with its formula text and the value Excel cached for it, and the defined names.

A formula cell is a cell with an ``<f>`` element (a shared formula's cells get the master's formula moved
to their place) or a cell inside the range of a multi-cell array formula (which Excel stores only in the
range's first cell). Data tables (what-if analysis, ``t="dataTable"``) are not formulas any engine
evaluates and are left out.

Only zipfile and lxml are used, so that ``xlperf recalc`` does not load a spreadsheet library to find out
what to recalculate.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree

from xlperf.a1 import a1
from xlperf.book.patch import sheet_parts
from xlperf.recalc.formula_text import translate
from xlperf.recalc.values import Value, XlError

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")
_MAX_ARRAY = 1_000_000  # cells: a larger array range is not read cell by cell
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# What an engine's copy of a workbook has instead of the target of a link to another file: a relative name
# (not ending in .xlsx, which the formulas library would resolve) in the new, otherwise empty directory
# the copy is written to (xlperf.recalc.engine.engine_copy), so nothing by that name exists.
NO_LINK = "xlperf-external-link-removed"

Cell = tuple[str, int, int]  # sheet, row, column


class FormulaCell:
    """One formula cell. ``text`` is the formula as stored (without "="): for a cell of a shared formula the
    master's, moved by ``shift`` (rows, columns) when :attr:`formula` is asked for; for a cell of a
    multi-cell array formula other than the first (``master`` False), the array's formula."""

    __slots__ = ("_formula", "array", "cached", "col", "master", "row", "sheet", "shift", "text")

    def __init__(
        self,
        sheet: str,
        row: int,
        col: int,
        text: str,
        cached: Value,
        array: str | None = None,
        master: bool = True,
        shift: tuple[int, int] = (0, 0),
    ) -> None:
        self.sheet, self.row, self.col = sheet, row, col
        self.text, self.cached, self.array, self.master, self.shift = text, cached, array, master, shift
        self._formula: str | None = None

    @property
    def formula(self) -> str:
        """The formula as it reads in this cell (without "=")."""
        if self._formula is None:
            self._formula = translate(self.text, *self.shift) if self.shift != (0, 0) else self.text
        return self._formula

    @property
    def key(self) -> Cell:
        return (self.sheet, self.row, self.col)

    @property
    def ref(self) -> str:
        return a1(self.row, self.col)

    def __repr__(self) -> str:
        return f"FormulaCell({self.sheet}!{self.ref} ={self.formula} cached={self.cached!r})"


@dataclass
class Package:
    """The formula cells of a workbook, in sheet order then row by row."""

    sheets: list[str]
    cells: dict[Cell, FormulaCell] = field(default_factory=dict)
    names: dict[tuple[str | None, str], str] = field(default_factory=dict)  # (local sheet, NAME) → formula
    data_tables: int = 0  # cells of what-if data tables, left out

    def defined_name(self, name: str, sheet: str | None) -> str | None:
        """The formula of a defined name as seen from ``sheet`` (a sheet-local name wins)."""
        return self.names.get((sheet, name.upper())) or self.names.get((None, name.upper()))


def _col_row(ref: str) -> tuple[int, int]:
    m = _REF.fullmatch(ref)
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _bounds(ref: str) -> tuple[int, int, int, int]:
    parts = [_col_row(p) for p in ref.split(":")]
    rows = [r for r, _ in parts]
    cols = [c for _, c in parts]
    return min(rows), min(cols), max(rows), max(cols)


def _unescape(text: str) -> str:
    """ST_Xstring: _xHHHH_ stands for a character (and _x005F_ for a literal underscore)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _text(el: etree._Element | None, ns: str) -> str:
    """The text of an <is> or <si>: its <t>, or the <t> of every rich-text run (phonetic runs left out)."""
    if el is None:
        return ""
    direct = el.find(f"{{{ns}}}t")
    if direct is not None:
        return _unescape(direct.text or "")
    return "".join(_unescape(t.text or "") for r in el.iterfind(f"{{{ns}}}r") for t in r.iterfind(f"{{{ns}}}t"))


class _Strings:
    def __init__(self, zin: zipfile.ZipFile) -> None:
        self._zin = zin
        self._items: list[str] | None = None

    def __getitem__(self, index: int) -> str:
        if self._items is None:
            self._items = []
            name = next((n for n in self._zin.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
            if name is not None:
                root = etree.fromstring(self._zin.read(name), etree.XMLParser(resolve_entities=False, huge_tree=True))
                ns = etree.QName(root).namespace or ""
                self._items = [_text(si, ns) for si in root.iterfind(f"{{{ns}}}si")]
        return self._items[index]


def _cached(c: etree._Element, v: etree._Element | None, ns: str, strings: _Strings) -> Value:
    """The cached value of cell ``c`` whose <v> is ``v``."""
    t = c.get("t", "n")
    if t == "inlineStr":
        return _text(c.find(f"{{{ns}}}is"), ns)
    if v is None:
        return None
    text = v.text or ""
    if t == "n":
        return float(text) if text else None
    if t == "b":
        return text.strip() in ("1", "true")
    if t == "e":
        return XlError(text)
    if t == "s":
        return strings[int(text)]
    return _unescape(text)  # str, and d (an ISO date, which Excel itself does not write)


def _value_of(c: etree._Element, v_tag: str, after: etree._Element | None = None) -> etree._Element | None:
    """The <v> of a cell: usually right after its <f> (the schema's order is f, v, is, extLst)."""
    if after is not None:
        nxt = after.getnext()
        if nxt is not None and nxt.tag == v_tag:
            return nxt
    for child in c:
        if child.tag == v_tag:
            return child
    return None


def _read_sheet(name: str, xml: bytes, strings: _Strings, out: Package) -> None:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, huge_tree=True))
    ns = etree.QName(root).namespace or ""
    f_tag, c_tag, v_tag = f"{{{ns}}}f", f"{{{ns}}}c", f"{{{ns}}}v"
    shared: dict[str, tuple[int, int, str]] = {}
    members: dict[str, tuple[int, int, str, str]] = {}  # "B2" of a multi-cell array → (row, col, range, formula)
    for f in root.iter(f_tag):
        c = f.getparent()
        if c is None or c.tag != c_tag or c.get("r") is None:
            continue
        row, col = _col_row(c.get("r"))
        kind = f.get("t", "normal")
        text = f.text or ""
        shift = (0, 0)
        if kind == "dataTable":
            r1, c1, r2, c2 = _bounds(f.get("ref") or c.get("r"))
            out.data_tables += (r2 - r1 + 1) * (c2 - c1 + 1)
            continue
        if kind == "shared" and f.get("si") is not None:
            si = f.get("si")
            if text:
                shared[si] = (row, col, text)
            elif si in shared:
                r0, c0, text = shared[si]
                shift = (row - r0, col - c0)
        if not text and kind == "normal":
            # Excel writes <f ca="1"/> in the cells an array formula spills into: they belong to the array
            found = members.get(c.get("r", "").replace("$", "").upper())
            if found is not None:
                cached = _cached(c, _value_of(c, v_tag, f), ns, strings)
                member = FormulaCell(name, row, col, found[3], cached, found[2], master=False)
                out.cells[member.key] = member
            continue
        array = None
        if kind == "array" and f.get("ref"):
            r1, c1, r2, c2 = _bounds(f.get("ref"))
            if (r1, c1) != (r2, c2) and (r2 - r1 + 1) * (c2 - c1 + 1) <= _MAX_ARRAY:
                array = f.get("ref")
                for r in range(r1, r2 + 1):
                    for k in range(c1, c2 + 1):
                        members[a1(r, k)] = (r, k, array, text)
        cached = _cached(c, _value_of(c, v_tag, f), ns, strings)
        cell = FormulaCell(name, row, col, text, cached, array, shift=shift)
        out.cells[cell.key] = cell
    if not members:
        return
    for c in root.iter(c_tag):
        found = members.get(c.get("r", "").replace("$", "").upper())
        if found is None or (name, found[0], found[1]) in out.cells:
            continue
        row, col, array, text = found
        cached = _cached(c, _value_of(c, v_tag), ns, strings)
        member = FormulaCell(name, row, col, text, cached, array, master=False)
        out.cells[member.key] = member


def _defined_names(zin: zipfile.ZipFile, sheets: list[str], out: Package) -> None:
    name = next((n for n in zin.namelist() if n.lower() == "xl/workbook.xml"), None)
    if name is None:
        return
    root = etree.fromstring(zin.read(name), etree.XMLParser(resolve_entities=False))
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname != "definedName" or not el.get("name"):
            continue
        local = el.get("localSheetId")
        scope = sheets[int(local)] if local is not None and local.isdigit() and int(local) < len(sheets) else None
        out.names[(scope, el.get("name").upper())] = el.text or ""


def read_package(data: bytes) -> Package:
    """The formula cells of an .xlsx/.xlsm package (its bytes, already checked by ``sniff``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = sheet_parts(zin)
        out = Package(sheets=list(parts))
        strings = _Strings(zin)
        for sheet, part in parts.items():
            if "chartsheet" in part.lower():
                continue  # a chart sheet holds no cells
            _read_sheet(sheet, zin.read(part), strings, out)
        _defined_names(zin, out.sheets, out)
    order = {sheet: i for i, sheet in enumerate(out.sheets)}
    out.cells = dict(sorted(out.cells.items(), key=lambda kv: (order[kv[0][0]], kv[0][1], kv[0][2])))
    return out


def _source_part(rels: str) -> str:
    """ "xl/_rels/workbook.xml.rels" → "xl/workbook.xml" (the part whose relationships these are)."""
    folder, name = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), name[: -len(".rels")])


def _external_link_rels(zin: zipfile.ZipFile, rels: list[zipfile.ZipInfo]) -> set[str]:
    """The relationship parts (lower case) of the workbook's external link parts: whatever they point at is
    another workbook (openpyxl, under formulas, takes the first of them as the linked file's path)."""
    out = set()
    for info in rels:
        source = _source_part(info.filename)
        for rel in _relationship_elements(zin.read(info)):
            if not rel.get("Type", "").lower().endswith("/externallink"):
                continue
            target = rel.get("Target", "")
            for t in {target, unquote(target)}:
                path = t[1:] if t.startswith("/") else posixpath.join(posixpath.dirname(source), t)
                part = posixpath.normpath(path).lstrip("/")
                folder, name = posixpath.split(part)
                out.add(posixpath.join(folder, "_rels", name + ".rels").lower())
    return out


def _relationship_elements(xml: bytes) -> list[etree._Element]:
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError:
        return []
    return [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "Relationship"]


def with_parts(zin: zipfile.ZipFile, changed: dict[str, bytes]) -> bytes:
    """The package of ``zin`` with the parts named in ``changed`` replaced: the engines' working copy."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, changed.get(info.filename) or zin.read(info))
    return out.getvalue()


def without_external_links(data: bytes) -> bytes:
    """The package for an engine to load: every relationship that names a file outside the package — an
    external link's path to another workbook (``xl/externalLinks/_rels/externalLinkN.xml.rels``, whatever
    its type or target mode), and any other ``TargetMode="External"`` target (hyperlinks, linked images,
    OLE links) — points at :data:`NO_LINK` instead, so that no engine opens, or fetches, another file.
    Nothing else changes: the cells, and the values cached for the other workbook, are as they were. The
    bytes themselves when there is no such relationship. Only the engine reads this copy: the values
    computed are written into the original package, whose links stay as they were. Raises (zipfile's or
    lxml's error) when the package, or a relationship part that may name an outside file, cannot be read."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        rels = [i for i in zin.infolist() if i.filename.lower().endswith(".rels")]
        linked = _external_link_rels(zin, rels)
        changed: dict[str, bytes] = {}
        for info in rels:
            xml = zin.read(info)
            whole = info.filename.lower() in linked or "/externallinks/_rels/" in "/" + info.filename.lower()
            try:
                root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
            except etree.XMLSyntaxError:
                if whole or b"external" in xml.lower():
                    raise  # not handed to an engine whose reader might make more of it
                continue
            touched = False
            for rel in root.iter():
                if not isinstance(rel.tag, str) or etree.QName(rel).localname != "Relationship":
                    continue
                external = (rel.get("TargetMode") or "").lower() == "external"
                path_type = "externallinkpath" in (rel.get("Type") or "").lower()
                if (whole or external or path_type) and rel.get("Target") != NO_LINK:
                    rel.set("Target", NO_LINK)
                    touched = True
            if touched:
                changed[info.filename] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if not changed:
            return data
        return with_parts(zin, changed)
