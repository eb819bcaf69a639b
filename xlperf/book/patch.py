"""Write cells into an existing .xlsx/.xlsm by patching only the touched cells of its sheet XML.

openpyxl re-writes a whole workbook from its own object model and drops what it does not model (charts,
images, VBA projects, slicers, custom XML …). This module writes values and formulas instead by editing the
original package: only the ``<c>`` elements named in the edits change, in the sheet parts that hold them;
every other zip entry is copied under the same name, with the same compression and the same bytes, in the
original order.

A formula is written together with its cached value, so that a reader that does not recalculate (openpyxl
with ``data_only=True``, a previewer, a phone) still sees the number. Whenever a formula is written or an
existing one replaced, the calculation chain (``xl/calcChain.xml``), which Excel would find stale and
"repair", is dropped with its content-type override and relationship, and ``fullCalcOnLoad="1"`` is set on
``<calcPr>`` so that Excel recomputes everything on open.

Strings are written as inline strings (``t="inlineStr"``); the shared-string table is never touched.
"""

from __future__ import annotations

import copy
import io
import math
import numbers
import posixpath
import re
import struct
import zipfile
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import unquote

from lxml import etree

from xlperf.a1 import column_index, column_letter

__all__ = ["KEEP_FORMULA", "CellPatch", "patch_cells"]


class _KeepFormula:
    """The type of :data:`KEEP_FORMULA`."""

    def __repr__(self) -> str:
        return "KEEP_FORMULA"


KEEP_FORMULA = _KeepFormula()
"""``CellPatch(value, KEEP_FORMULA)``: keep the cell's formula exactly as it is (shared, array or plain, with
its attributes) and write only its cached value. The formula is not touched, so the calculation chain and
``calcPr`` stay as they are; this is how recalculated values are written."""


@dataclass(frozen=True)
class CellPatch:
    """What to write into one cell.

    ``value`` is the cell's value, or for a formula its cached result (None: no cached value).
    ``formula`` is the formula text without the leading "=", e.g. ``"SUM(C6:C17)"``, or
    :data:`KEEP_FORMULA` to write only the cached value of the formula already in the cell.
    """

    value: str | int | float | Decimal | bool | None
    formula: str | _KeepFormula | None = None


_XML_NS = "http://www.w3.org/XML/1998/namespace"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_CALC_CHAIN_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"

_MAX_ROW = 1_048_576
_MAX_COL = 16_384

# The children of CT_Workbook that come before <calcPr> (ECMA-376 Part 1, 18.2.27), in schema order:
# fileVersion, fileSharing, workbookPr, workbookProtection, bookViews, sheets, functionGroups,
# externalReferences, definedNames, calcPr, oleSize, customWorkbookViews, pivotCaches, …, extLst.
_BEFORE_CALC_PR = frozenset(
    {
        "fileVersion",
        "fileSharing",
        "workbookPr",
        "workbookProtection",
        "bookViews",
        "sheets",
        "functionGroups",
        "externalReferences",
        "definedNames",
    }
)
# The children of CT_Worksheet that come before <sheetData> (ECMA-376 Part 1, 18.3.1.99).
_BEFORE_SHEET_DATA = frozenset({"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols"})

# Cached values of formulas that are Excel error literals are written as errors (t="e"), not as text.
_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)

_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")
# Characters XML 1.0 cannot carry; ST_Xstring writes them as _xHHHH_ (ECMA-376 Part 1, 22.9.2.19).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile("_(x[0-9A-Fa-f]{4}_)")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, _parser())


def _serialize(root: etree._Element) -> bytes:
    tree = root.getroottree()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


# --- cell references -------------------------------------------------------------------------------------


def _parse_ref(ref: str) -> tuple[int, int]:
    """ "C5" → (5, 3); also accepts "$C$5" and lower case. ValueError outside the sheet's bounds."""
    m = _A1.fullmatch(ref.strip()) if isinstance(ref, str) else None
    if m is None:
        raise ValueError(f"not an A1 cell reference: {ref!r}")
    row, col = int(m.group(2)), column_index(m.group(1))
    if not (1 <= row <= _MAX_ROW and 1 <= col <= _MAX_COL):
        raise ValueError(f"cell reference outside the sheet: {ref!r}")
    return row, col


def _range_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """ "A1:F23" or "A1" → (min_row, min_col, max_row, max_col); None when it is not such a range."""
    parts = ref.strip().split(":")
    if len(parts) not in (1, 2):
        return None
    try:
        corners = [_parse_ref(p) for p in parts]
    except ValueError:
        return None
    rows = [r for r, _ in corners]
    cols = [c for _, c in corners]
    return min(rows), min(cols), max(rows), max(cols)


# --- values ----------------------------------------------------------------------------------------------


def _number_text(value: object) -> str:
    """The lexical form of a number in ``<v>``: ints as ints, decimals without exponent where reasonable."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        d = value
    else:
        f = float(value)  # type: ignore[arg-type]
        if not math.isfinite(f):
            raise ValueError(f"cannot write a non-finite number into a cell: {value!r}")
        d = Decimal(repr(f))  # the shortest text that reads back as the same double
    if not d.is_finite():
        raise ValueError(f"cannot write a non-finite number into a cell: {value!r}")
    if d.is_zero():
        return "0"
    if -15 <= d.adjusted() <= 20:
        text = format(d, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    return format(d.normalize(), "E")  # e.g. 1.5E-22, which xsd:double accepts


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool)


def _xstring(text: str) -> str:
    """Text for an ST_Xstring: characters XML cannot carry become _xHHHH_, and a literal _xHHHH_ is kept
    literal by escaping its underscore (_x005F_), as Excel does."""
    text = _LOOKS_ESCAPED.sub(r"_x005F_\1", text)
    return _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


# --- the package -----------------------------------------------------------------------------------------


def _resolve(source_part: str, target: str) -> str:
    """The zip entry name a relationship target points at (relative to the source part, or absolute)."""
    target = unquote(target)
    path = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(source_part), target)
    return posixpath.normpath(path).lstrip("/")


def _rels_part(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _relationships(root: etree._Element) -> list[etree._Element]:
    return [el for el in root if _local(el) == "Relationship"]


def _rel_id(sheet: etree._Element) -> str | None:
    """The r:id of a <sheet> (the relationships namespace differs between transitional and strict)."""
    for key, val in sheet.attrib.items():
        q = etree.QName(key)
        if q.localname == "id" and q.namespace and q.namespace.endswith("/relationships"):
            return val
    return None


class _Package:
    def __init__(self, zin: zipfile.ZipFile) -> None:
        self.zin = zin
        self.infos = zin.infolist()
        self._by_lower = {i.filename.lower(): i.filename for i in self.infos}

    def find(self, name: str) -> str | None:
        """The entry with this name (part names are case-insensitive in OPC)."""
        return self._by_lower.get(name.lower())

    def read(self, name: str) -> bytes:
        return self.zin.read(name)

    def workbook_part(self) -> str:
        rels = self.find("_rels/.rels")
        if rels is not None:
            for rel in _relationships(_parse(self.read(rels))):
                if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                    found = self.find(_resolve("", rel.get("Target", "")))
                    if found is not None:
                        return found
        found = self.find("xl/workbook.xml")
        if found is None:
            raise ValueError("not a spreadsheet package: no workbook part (xl/workbook.xml)")
        return found


def _sheet_parts(
    pkg: _Package, wb_part: str, wb_root: etree._Element, rels_root: etree._Element | None
) -> dict[str, str]:
    """Sheet name (as on the tab) → zip entry name of its part."""
    targets: dict[str, str] = {}
    if rels_root is not None:
        for rel in _relationships(rels_root):
            if rel.get("TargetMode") != "External" and rel.get("Id") is not None:
                targets[rel.get("Id")] = _resolve(wb_part, rel.get("Target", ""))
    parts: dict[str, str] = {}
    for el in wb_root.iter():
        if _local(el) != "sheet" or _local(el.getparent()) != "sheets":
            continue
        name, rid = el.get("name"), _rel_id(el)
        part = pkg.find(targets[rid]) if rid in targets else None
        if name is not None and part is not None:
            parts[name] = part
    return parts


def _zipinfo_copy(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A copy of an entry's ZipInfo to write it again: same name, time, compression and attributes. A
    zip64 extra field is dropped (zipfile adds its own when the entry needs one)."""
    new = copy.copy(info)
    extra, kept, i = info.extra, b"", 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[i : i + 4])
        if tag != 0x0001:
            kept += extra[i : i + 4 + size]
        i += 4 + size
    new.extra = kept
    return new


# --- one sheet -------------------------------------------------------------------------------------------


class _Sheet:
    """A worksheet part being patched."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.root = _parse(data)
        if _local(self.root) != "worksheet":
            raise ValueError(f"sheet {name!r} is not a worksheet (it is a {_local(self.root)}); cannot write cells")
        self.ns = etree.QName(self.root).namespace or ""
        self.formula_touched = False
        self.sheet_data = self._sheet_data()
        self._number_rows_and_cells()
        self.rows: dict[int, etree._Element] = {}
        for row in self.sheet_data.iterchildren(self._tag("row")):
            self.rows.setdefault(int(row.get("r")), row)
        self.row_numbers = sorted(self.rows)
        self._cells: dict[int, dict[int, etree._Element]] = {}
        self._scan_formulas()

    def _tag(self, local: str) -> str:
        return f"{{{self.ns}}}{local}" if self.ns else local

    def _sheet_data(self) -> etree._Element:
        found = self.root.find(self._tag("sheetData"))
        if found is not None:
            return found
        sheet_data = etree.Element(self._tag("sheetData"))
        index = 0
        for i, child in enumerate(self.root):
            if _local(child) in _BEFORE_SHEET_DATA:
                index = i + 1
        self.root.insert(index, sheet_data)
        return sheet_data

    def _number_rows_and_cells(self) -> None:
        """Give every row and cell an explicit r when some lack one (r is optional: a row or cell without it
        follows the previous one), so that inserting a row or cell cannot shift the ones after it."""
        if self.ns:
            query = "boolean(x:row[not(@r)] | x:row/x:c[not(@r)])"
            missing = self.sheet_data.xpath(query, namespaces={"x": self.ns})
        else:
            missing = self.sheet_data.xpath("boolean(row[not(@r)] | row/c[not(@r)])")
        if not missing:
            return
        row_number = 0
        for row in self.sheet_data.iterchildren(self._tag("row")):
            row_number = int(row.get("r")) if row.get("r") else row_number + 1
            row.set("r", str(row_number))
            col = 0
            for cell in row.iterchildren(self._tag("c")):
                if cell.get("r"):
                    col = _parse_ref(cell.get("r"))[1]
                else:
                    col += 1
                    cell.set("r", f"{column_letter(col)}{row_number}")

    def _scan_formulas(self) -> None:
        """Shared-formula masters and the number of cells in each shared group; multi-cell array ranges."""
        self.shared_masters: dict[tuple[int, int], tuple[str, str]] = {}
        self.shared_sizes: dict[str, int] = {}
        self.arrays: list[tuple[str, str, tuple[int, int, int, int]]] = []
        for f in self.sheet_data.iter(self._tag("f")):
            kind, ref = f.get("t"), f.get("ref")
            cell_ref = f.getparent().get("r", "")
            if kind == "shared" and f.get("si") is not None:
                si = f.get("si")
                self.shared_sizes[si] = self.shared_sizes.get(si, 0) + 1
                if ref is not None:
                    self.shared_masters[_parse_ref(cell_ref)] = (si, ref)
            elif kind == "array" and ref is not None:
                bounds = _range_bounds(ref)
                if bounds is not None and (bounds[0], bounds[1]) != (bounds[2], bounds[3]):
                    self.arrays.append((cell_ref, ref, bounds))

    def _check_formula_groups(self, row: int, col: int, ref: str) -> None:
        master = self.shared_masters.get((row, col))
        if master is not None and self.shared_sizes.get(master[0], 0) > 1:
            raise ValueError(
                f"cannot write {self.name}!{ref}: it holds the master of a shared formula for {master[1]}, "
                "whose other cells take their formula from it; patching shared formulas is not supported "
                "(rare in practice)"
            )
        for master_ref, array_ref, (r1, c1, r2, c2) in self.arrays:
            if r1 <= row <= r2 and c1 <= col <= c2:
                raise ValueError(
                    f"cannot write {self.name}!{ref}: it is part of the array formula in {array_ref} "
                    f"(entered in {master_ref}); Excel cannot change part of an array"
                )

    def _row(self, row: int) -> etree._Element:
        found = self.rows.get(row)
        if found is not None:
            return found
        new = etree.Element(self._tag("row"))
        new.set("r", str(row))
        i = bisect_left(self.row_numbers, row)
        if i < len(self.row_numbers):
            self.rows[self.row_numbers[i]].addprevious(new)
        else:
            self.sheet_data.append(new)
        self.row_numbers.insert(i, row)
        self.rows[row] = new
        return new

    def _row_cells(self, row: int, row_el: etree._Element) -> dict[int, etree._Element]:
        cells = self._cells.get(row)
        if cells is None:
            cells = {}
            for c in row_el.iterchildren(self._tag("c")):
                cells.setdefault(_parse_ref(c.get("r"))[1], c)
            self._cells[row] = cells
        return cells

    def existing_cell(self, row: int, col: int) -> etree._Element | None:
        """The ``<c>`` of a cell, or None when the sheet has none for it (nothing is created)."""
        row_el = self.rows.get(row)
        return None if row_el is None else self._row_cells(row, row_el).get(col)

    def default_style(self, row: int, col: int) -> str | None:
        """The style index (``s``) Excel gives a new cell at (row, col): its row's when the row is formatted
        (``customFormat="1"``), else its column's (``<col style>``); None when neither has one."""
        row_el = self.rows.get(row)
        if row_el is not None and row_el.get("customFormat") in ("1", "true") and row_el.get("s"):
            return row_el.get("s")
        cols = self.root.find(self._tag("cols"))
        for c in cols.iterchildren(self._tag("col")) if cols is not None else ():
            try:
                first, last = int(c.get("min", "0")), int(c.get("max", "0"))
            except ValueError:
                continue
            if first <= col <= last:
                return c.get("style")
        return None

    def _cell(self, row: int, col: int) -> etree._Element:
        row_el = self._row(row)
        cells = self._row_cells(row, row_el)
        found = cells.get(col)
        if found is not None:
            return found
        new = etree.Element(self._tag("c"))
        new.set("r", f"{column_letter(col)}{row}")
        style = self.default_style(row, col)
        if style not in (None, "0"):
            new.set("s", style)  # an absent cell shows its row's or column's style; the new one keeps it
        after = [c for c in cells if c > col]
        if after:
            cells[min(after)].addprevious(new)
        else:
            ext = row_el.find(self._tag("extLst"))
            if ext is not None:
                ext.addprevious(new)
            else:
                row_el.append(new)
        cells[col] = new
        self._extend_spans(row_el, col)
        return new

    @staticmethod
    def _extend_spans(row_el: etree._Element, col: int) -> None:
        """Keep the optional spans hint ("1:6") covering a newly created cell."""
        spans = row_el.get("spans")
        if not spans:
            return
        try:
            bounds = [int(x) for part in spans.split() for x in part.split(":")]
        except ValueError:
            del row_el.attrib["spans"]
            return
        if bounds and not (min(bounds) <= col <= max(bounds)):
            row_el.set("spans", f"{min([*bounds, col])}:{max([*bounds, col])}")

    def write(self, row: int, col: int, patch: CellPatch) -> None:
        ref = f"{column_letter(col)}{row}"
        keep = patch.formula is KEEP_FORMULA
        if not keep:
            self._check_formula_groups(row, col, ref)
        cell = self._cell(row, col)
        for child in list(cell):
            if _local(child) == "f" and not keep:
                self.formula_touched = True
            if _local(child) in (("v", "is") if keep else ("f", "v", "is")):
                cell.remove(child)
        # t is rewritten below; cm/vm point at cell and value metadata (dynamic arrays, rich values) that
        # described the old content (a kept formula keeps its cell metadata, cm: it says the formula spills).
        for attr in ("t", "vm") if keep else ("t", "cm", "vm"):
            cell.attrib.pop(attr, None)
        ext = cell.find(self._tag("extLst"))

        def add(local: str, text: str | None = None) -> etree._Element:
            el = etree.Element(self._tag(local))
            el.text = text
            if ext is not None:
                ext.addprevious(el)
            else:
                cell.append(el)
            return el

        value, formula = patch.value, patch.formula
        if isinstance(formula, _KeepFormula):
            formula = None
        elif formula is not None:
            formula = formula[1:] if formula.startswith("=") else formula
            if not formula.strip():
                raise ValueError(f"empty formula for {self.name}!{ref}")
            self.formula_touched = True
            add("f", formula)
        if value is None:
            return
        if isinstance(value, bool):
            cell.set("t", "b")
            add("v", "1" if value else "0")
        elif _is_number(value):
            add("v", _number_text(value))
        elif isinstance(value, str):
            if formula is not None or keep:
                cell.set("t", "e" if value in _ERRORS else "str")
                add("v", _xstring(value))
            else:
                cell.set("t", "inlineStr")
                inline = add("is")
                t = etree.SubElement(inline, self._tag("t"))
                t.text = _xstring(value)
                if value != value.strip() or "\n" in value or "\r" in value:
                    t.set(f"{{{_XML_NS}}}space", "preserve")
        else:
            raise TypeError(
                f"cannot write a {type(value).__name__} into {self.name}!{ref}: "
                "only str, int, float, Decimal, bool or None"
            )

    def update_dimension(self, cells: list[tuple[int, int]]) -> None:
        dim = self.root.find(self._tag("dimension"))
        if dim is None or not cells:
            return
        bounds = _range_bounds(dim.get("ref", ""))
        if bounds is None:
            return
        r1, c1, r2, c2 = bounds
        r1, c1 = min(r1, *(r for r, _ in cells)), min(c1, *(c for _, c in cells))
        r2, c2 = max(r2, *(r for r, _ in cells)), max(c2, *(c for _, c in cells))
        if (r1, c1, r2, c2) != bounds:
            first, last = f"{column_letter(c1)}{r1}", f"{column_letter(c2)}{r2}"
            dim.set("ref", first if first == last else f"{first}:{last}")

    def tobytes(self) -> bytes:
        return _serialize(self.root)


# --- the workbook-level clean-up after formulas change ---------------------------------------------------


def _set_full_calc_on_load(wb_root: etree._Element) -> None:
    ns = etree.QName(wb_root).namespace
    tag = f"{{{ns}}}calcPr" if ns else "calcPr"
    calc_pr = wb_root.find(tag)
    if calc_pr is None:
        calc_pr = etree.Element(tag)
        index = 0
        for i, child in enumerate(wb_root):
            if _local(child) in _BEFORE_CALC_PR:
                index = i + 1
        wb_root.insert(index, calc_pr)
    calc_pr.set("fullCalcOnLoad", "1")


def _drop_calc_chain(
    pkg: _Package, wb_part: str, rels_root: etree._Element | None, ct_root: etree._Element | None
) -> tuple[set[str], bool, bool]:
    """Remove the calculation chain: its relationship(s) from the workbook's rels, its override(s) from
    [Content_Types].xml. Returns (entries to drop, rels changed, content types changed)."""
    parts: set[str] = set()
    rels_changed = ct_changed = False
    if rels_root is not None:
        for rel in _relationships(rels_root):
            if rel.get("Type", "").endswith("/calcChain"):
                found = pkg.find(_resolve(wb_part, rel.get("Target", "")))
                if found is not None:
                    parts.add(found)
                rels_root.remove(rel)
                rels_changed = True
    if ct_root is not None:
        lowered = {p.lower() for p in parts}
        for override in [el for el in ct_root if _local(el) == "Override"]:
            name = override.get("PartName", "").lstrip("/")
            if override.get("ContentType") == _CALC_CHAIN_CT or name.lower() in lowered:
                found = pkg.find(unquote(name))
                if found is not None:
                    parts.add(found)
                ct_root.remove(override)
                ct_changed = True
    return parts, rels_changed, ct_changed


# --- the entry point -------------------------------------------------------------------------------------


def patch_cells(package: bytes, edits: Mapping[str, Mapping[str, CellPatch]]) -> bytes:
    """Write cells into a workbook package and return the new package.

    ``edits`` maps a sheet name (as shown on the tab) to a mapping of A1 references ("C5") to patches.
    Only the touched sheets' XML is rewritten (and, when formulas change, workbook.xml, its rels and
    [Content_Types].xml); every other entry is copied unchanged, in the original order. Raises KeyError for
    an unknown sheet name, ValueError for a bad reference, a non-finite number or a cell that belongs to a
    shared-formula master or a multi-cell array formula, TypeError for an unsupported value type.
    """
    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        pkg = _Package(zin)
        wb_part = pkg.workbook_part()
        wb_root = _parse(pkg.read(wb_part))
        rels_part = pkg.find(_rels_part(wb_part))
        rels_root = _parse(pkg.read(rels_part)) if rels_part is not None else None
        sheet_parts = _sheet_parts(pkg, wb_part, wb_root, rels_root)

        plan: dict[str, tuple[str, dict[tuple[int, int], CellPatch]]] = {}
        for sheet, cells in edits.items():
            if sheet not in sheet_parts:
                raise KeyError(f"no sheet named {sheet!r} in the workbook (sheets: {', '.join(sheet_parts)})")
            part = sheet_parts[sheet]
            _, targets = plan.setdefault(part, (sheet, {}))
            for ref, patch in cells.items():
                if not isinstance(patch, CellPatch):
                    raise TypeError(f"{sheet}!{ref}: expected a CellPatch, got {type(patch).__name__}")
                key = _parse_ref(ref)
                if key in targets:
                    raise ValueError(f"{sheet}!{ref} is given twice")
                targets[key] = patch
        if not any(targets for _, targets in plan.values()):
            return bytes(package)

        replaced: dict[str, bytes] = {}
        formula_touched = False
        for part, (sheet, targets) in plan.items():
            if not targets:
                continue
            ws = _Sheet(sheet, pkg.read(part))
            for (row, col), patch in sorted(targets.items()):
                ws.write(row, col, patch)
            ws.update_dimension(list(targets))
            formula_touched |= ws.formula_touched
            replaced[part] = ws.tobytes()

        dropped: set[str] = set()
        if formula_touched:
            _set_full_calc_on_load(wb_root)
            replaced[wb_part] = _serialize(wb_root)
            ct_part = pkg.find("[Content_Types].xml")
            ct_root = _parse(pkg.read(ct_part)) if ct_part is not None else None
            dropped, rels_changed, ct_changed = _drop_calc_chain(pkg, wb_part, rels_root, ct_root)
            if rels_changed and rels_part is not None and rels_root is not None:
                replaced[rels_part] = _serialize(rels_root)
            if ct_changed and ct_part is not None and ct_root is not None:
                replaced[ct_part] = _serialize(ct_root)

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zout:
            zout.comment = zin.comment
            for info in pkg.infos:
                if info.filename in dropped:
                    continue
                data = replaced.get(info.filename)
                zout.writestr(_zipinfo_copy(info), data if data is not None else zin.read(info))
        return out.getvalue()


def sheet_parts(zin: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name (as on the tab) → zip entry name of its part, for readers that look into the package."""
    pkg = _Package(zin)
    wb_part = pkg.workbook_part()
    wb_root = _parse(pkg.read(wb_part))
    rels = pkg.find(_rels_part(wb_part))
    return _sheet_parts(pkg, wb_part, wb_root, _parse(pkg.read(rels)) if rels else None)
