"""Did a write change only what it meant to change? Two comparators of a workbook before and after a write.

:func:`compare_packages` compares two packages part by part, for the writes that patch the original package
(fill, score, recalc, check --output). Every zip entry must be byte for byte the same, in the same order and
with the same compression, except the parts the operation may rewrite; those are compared by meaning:

- a worksheet: every ``<c>`` (value, formula, type, style — an absent cell has the style of its row or
  column) except the cells allowed to change, every row's attributes, the dimension (it may only grow to
  take in changed cells), and every other element (merges, drop-downs, conditional formats, columns, views,
  print settings, hyperlinks, drawing references, extensions …) by canonical XML, in schema order;
- workbook.xml: the sheets (order, names, state, ids), defined names and every other element, calcPr up to
  ``fullCalcOnLoad``; relationships and content types: every original entry kept;
- styles.xml and the shared strings: the original entries kept at their indices (new ones only appended);
- the comments and VML of a sheet that gets notes: every original note kept (a note on a marked cell may
  gain text, never lose it).

Whenever a formula changed, the calculation chain must be gone (part, relationship, content type) and
``fullCalcOnLoad="1"`` set, else Excel "repairs" the file.

:func:`compare_workbooks` compares two workbooks through openpyxl, for the write that rewrites the whole
workbook (template add-direction), where bytes cannot be compared: values and formulas (shifted when a row
was inserted), cached values, the style of every cell, merges, drop-downs, conditional formats, column
widths and row heights, print settings, views, protection, comments, hyperlinks, defined names, and the
order and visibility of the sheets.

Both return a list of differences in words (empty: the write was faithful).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import unquote

from lxml import etree

from xlperf.a1 import column_index, column_letter

Cell = tuple[str, str]  # (sheet name, "C5")

__all__ = ["Allowed", "Cell", "CellState", "compare_packages", "compare_workbooks", "shift_formula"]

_MAX_LISTED = 12  # differences listed per part; the rest are counted

# ECMA-376 Part 1 §18.3.1.99 (CT_Worksheet) and §18.2.27 (CT_Workbook): the order of the children.
WORKSHEET_ORDER = (
    "sheetPr dimension sheetViews sheetFormatPr cols sheetData sheetCalcPr sheetProtection protectedRanges "
    "scenarios autoFilter sortState dataConsolidate customSheetViews mergeCells phoneticPr conditionalFormatting "
    "dataValidations hyperlinks printOptions pageMargins pageSetup headerFooter rowBreaks colBreaks "
    "customProperties cellWatches ignoredErrors smartTags drawing legacyDrawing legacyDrawingHF drawingHF "
    "picture oleObjects controls webPublishItems tableParts extLst"
).split()
WORKBOOK_ORDER = (
    "fileVersion fileSharing workbookPr workbookProtection bookViews sheets functionGroups externalReferences "
    "definedNames calcPr oleSize customWorkbookViews pivotCaches smartTagPr smartTagTypes webPublishing "
    "fileRecoveryPr webPublishObjects extLst"
).split()
# The lists of styles.xml whose entries are referred to by index: new entries may only be appended.
STYLE_LISTS = frozenset(
    {"numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles"}
)
_REL = "/relationships/"
_CALC_CHAIN = "calcChain"


@dataclass(frozen=True)
class Allowed:
    """What a write may change.

    ``values``: cells whose cached value (and type) may change, their formula staying as it is.
    ``formulas``: cells whose formula may change too (or be written, or removed).
    ``styles``: cells whose style index may change — to a cellXfs entry that is the old one with another
    fill (the only style change any write makes).
    ``notes``: cells that may get a note (their sheet's comments, VML drawing, relationships and
    ``<legacyDrawing>`` may change accordingly).
    ``added_sheets``: sheets that may be added after the existing ones.
    ``added_parts``: regular expressions of the zip entries that may be added.
    ``calc_chain_dropped``: the calculation chain may be dropped and ``fullCalcOnLoad`` set.
    """

    values: frozenset[Cell] = frozenset()
    formulas: frozenset[Cell] = frozenset()
    styles: frozenset[Cell] = frozenset()
    notes: frozenset[Cell] = frozenset()
    added_sheets: frozenset[str] = frozenset()
    added_parts: tuple[str, ...] = ()
    calc_chain_dropped: bool = False

    @classmethod
    def edits(cls, cells: Iterable[Cell], formulas: bool = True) -> Allowed:
        """The cells an operation wrote: values, formulas (when ``formulas``) and the calculation chain."""
        cells = frozenset(cells)
        return cls(values=cells, formulas=cells if formulas else frozenset(), calc_chain_dropped=formulas)

    def sheets(self) -> set[str]:
        return {s for s, _ in self.values | self.formulas | self.styles | self.notes}


# --- the package -------------------------------------------------------------------------------------------


def _parse(data: bytes, recover: bool = False) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=recover, huge_tree=True)
    return etree.fromstring(data, parser)


def _local(el: Any) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _name(key: str) -> str:
    """An attribute's local name."""
    return key.rpartition("}")[2]


def _c14n(el: etree._Element, drop: Iterable[str] = ()) -> bytes:
    """Canonical XML of an element (exclusive: only the namespaces it uses), optionally without some
    attributes (by local name) on every element of it."""
    drop = set(drop)
    if drop:
        el = copy(el)
        for node in el.iter():
            if isinstance(node.tag, str):
                for key in [k for k in node.attrib if _name(k) in drop]:
                    del node.attrib[key]
    return etree.tostring(el, method="c14n", exclusive=True, with_comments=False)


def _resolve(source: str, target: str) -> str:
    target = unquote(target)
    path = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(source), target)
    return posixpath.normpath(path).lstrip("/")


def _rels_name(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str
    mode: str | None
    part: str | None  # the entry it points at (None: external)


@dataclass(frozen=True)
class SheetEntry:
    name: str
    part: str | None
    attrs: tuple[tuple[str, str], ...]  # every attribute of <sheet>, by local name


class Package:
    """A workbook package read for comparison."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.infos = {i.filename: i for i in self.zip.infolist()}
        self.order = [i.filename for i in self.zip.infolist()]
        self._lower = {n.lower(): n for n in self.order}
        self._xml: dict[str, etree._Element] = {}

    def find(self, name: str | None) -> str | None:
        return None if name is None else self._lower.get(name.lower())

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def xml(self, name: str) -> etree._Element:
        if name not in self._xml:
            self._xml[name] = _parse(self.read(name), recover=name.lower().endswith(".vml"))
        return self._xml[name]

    def rels(self, part: str) -> list[Rel]:
        name = self.find(_rels_name(part))
        if name is None:
            return []
        out = []
        for el in self.xml(name):
            if _local(el) != "Relationship":
                continue
            mode = el.get("TargetMode")
            target = el.get("Target", "")
            out.append(
                Rel(
                    el.get("Id", ""),
                    el.get("Type", ""),
                    target,
                    mode,
                    None if mode == "External" else _resolve(part, target),
                )
            )
        return out

    @cached_property
    def workbook(self) -> str:
        for rel in self.rels(""):
            if rel.type.endswith("/officeDocument") and rel.part and self.find(rel.part):
                return self.find(rel.part) or ""
        return self.find("xl/workbook.xml") or "xl/workbook.xml"

    @cached_property
    def sheets(self) -> list[SheetEntry]:
        targets = {r.id: self.find(r.part) for r in self.rels(self.workbook)}
        out = []
        for el in self.xml(self.workbook).iter():
            if _local(el) == "sheet" and _local(el.getparent()) == "sheets":
                attrs = tuple(sorted((_name(k), v) for k, v in el.attrib.items()))
                rid = dict(attrs).get("id")
                out.append(SheetEntry(el.get("name", ""), targets.get(rid), attrs))
        return out

    def sheet_part(self, name: str) -> str | None:
        return next((s.part for s in self.sheets if s.name == name), None)

    def related(self, part: str, kind: str) -> str | None:
        """The part related to ``part`` by a relationship of type .../``kind``."""
        for rel in self.rels(part):
            if rel.type.endswith("/" + kind) and rel.part:
                return self.find(rel.part)
        return None

    def styles(self) -> str | None:
        return self.related(self.workbook, "styles")

    def shared_strings(self) -> str | None:
        return self.related(self.workbook, "sharedStrings")

    def calc_chain(self) -> str | None:
        return self.related(self.workbook, _CALC_CHAIN) or self.find("xl/calcChain.xml")

    def content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        """(extension → type, part name → type), both keys lower case, part names without the leading /."""
        root = self.xml("[Content_Types].xml")
        defaults = {
            el.get("Extension", "").lower(): el.get("ContentType", "") for el in root if _local(el) == "Default"
        }
        overrides = {
            unquote(el.get("PartName", "")).lstrip("/").lower(): el.get("ContentType", "")
            for el in root
            if _local(el) == "Override"
        }
        return defaults, overrides

    def cell_xfs(self) -> list[etree._Element]:
        part = self.styles()
        if part is None:
            return []
        found = next((el for el in self.xml(part) if _local(el) == "cellXfs"), None)
        return [] if found is None else [el for el in found if _local(el) == "xf"]


# --- a worksheet -------------------------------------------------------------------------------------------

_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def _ref(ref: str) -> tuple[int, int]:
    m = _A1.fullmatch(ref.strip())
    if m is None:
        raise ValueError(ref)
    return int(m.group(2)), column_index(m.group(1))


def _a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def _bounds(ref: str | None) -> tuple[int, int, int, int] | None:
    if not ref:
        return None
    try:
        corners = [_ref(p) for p in ref.split(":")]
    except ValueError:
        return None
    return (
        min(r for r, _ in corners),
        min(c for _, c in corners),
        max(r for r, _ in corners),
        max(c for _, c in corners),
    )


@dataclass(frozen=True)
class CellState:
    """One cell as its XML says, split by what a write may change."""

    value: tuple[Any, ...]  # (type, <v> text, <is> canonical, vm)
    formula: tuple[Any, ...]  # ((<f> text, its attributes), cm)
    style: str  # the cellXfs index that applies (an absent cell: its row's or column's)
    other: tuple[Any, ...]  # every other attribute and child

    def describe(self) -> str:
        t, v, inline, _ = self.value
        f = self.formula[0]
        parts = []
        if f is not None:
            parts.append(f"={f[0]}")
        if inline is not None:
            parts.append(repr("".join(_parse(inline).itertext())))
        elif v is not None:
            parts.append(repr(v) if t in ("s", "str", "inlineStr") else v)
        if t not in ("n",):
            parts.append(f"t={t}")
        parts.append(f"s={self.style}")
        return " ".join(str(p) for p in parts)


_EMPTY_VALUE = ("n", None, None, None)
_EMPTY_FORMULA = (None, None)


class Sheet:
    """The parts of a worksheet XML a comparison looks at."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.cells: dict[tuple[int, int], CellState] = {}
        self.rows: dict[int, dict[str, str]] = {}
        self.row_cells: dict[int, list[int]] = {}
        self.row_style: dict[int, str] = {}
        self.col_style: list[tuple[int, int, str]] = []
        self.others: list[tuple[str, bytes]] = []
        self.dimension: str | None = None
        self.order_problems: list[str] = []
        for child in root:
            name = _local(child)
            if name == "sheetData":
                self._read_data(child)
            elif name == "dimension":
                self.dimension = child.get("ref")
            elif name:
                if name == "cols":
                    for col in child:
                        if _local(col) == "col" and col.get("style"):
                            self.col_style.append((int(col.get("min")), int(col.get("max")), col.get("style")))
                self.others.append((name, _c14n(child)))

    def _read_data(self, data: etree._Element) -> None:
        row_number = 0
        previous_row = 0
        for row in data:
            if _local(row) != "row":
                continue
            row_number = int(row.get("r")) if row.get("r") else row_number + 1
            if row_number <= previous_row:
                self.order_problems.append(f"row {row_number} comes after row {previous_row}")
            previous_row = row_number
            attrs = {_name(k): v for k, v in row.attrib.items() if _name(k) != "r"}
            self.rows[row_number] = attrs
            if attrs.get("customFormat") in ("1", "true") and attrs.get("s"):
                self.row_style[row_number] = attrs["s"]
            col = 0
            cols: list[int] = []
            for c in row:
                if _local(c) != "c":
                    continue
                col = _ref(c.get("r"))[1] if c.get("r") else col + 1
                if cols and col <= cols[-1]:
                    self.order_problems.append(f"{_a1(row_number, col)} comes after {_a1(row_number, cols[-1])}")
                cols.append(col)
                self.cells[(row_number, col)] = self._cell(c)
            self.row_cells[row_number] = cols

    @staticmethod
    def _cell(c: etree._Element) -> CellState:
        attrs = {_name(k): v for k, v in c.attrib.items()}
        v = inline = f = None
        rest = []
        for child in c:
            name = _local(child)
            if name == "v":
                v = child.text or ""
            elif name == "is":
                inline = _c14n(child)
            elif name == "f":
                f = (child.text or "", tuple(sorted((_name(k), v) for k, v in child.attrib.items())))
            elif name:
                rest.append(_c14n(child))
        other = tuple(sorted((k, val) for k, val in attrs.items() if k not in ("r", "t", "s", "cm", "vm")))
        return CellState(
            (attrs.get("t", "n"), v, inline, attrs.get("vm")),
            (f, attrs.get("cm")),
            attrs.get("s", "0"),
            (*other, *rest),
        )

    def default_style(self, row: int, col: int) -> str:
        """The style of a cell the XML does not hold: its row's (customFormat), else its column's, else 0."""
        if row in self.row_style:
            return self.row_style[row]
        for lo, hi, style in self.col_style:
            if lo <= col <= hi:
                return style
        return "0"

    def cell(self, row: int, col: int) -> CellState:
        found = self.cells.get((row, col))
        if found is not None:
            return found
        return CellState(_EMPTY_VALUE, _EMPTY_FORMULA, self.default_style(row, col), ())


def _capped(title: str, items: list[str]) -> list[str]:
    if len(items) <= _MAX_LISTED:
        return [f"{title}: {i}" for i in items]
    return [f"{title}: {i}" for i in items[:_MAX_LISTED]] + [f"{title}: … and {len(items) - _MAX_LISTED} more"]


def _schema_order(children: list[str], order: list[str]) -> str | None:
    known = [c for c in children if c in order]
    ranks = [order.index(c) for c in known]
    if ranks != sorted(ranks):
        return "children out of schema order: " + ", ".join(known)
    return None


# --- comparing packages ------------------------------------------------------------------------------------


@dataclass
class _Comparison:
    before: Package
    after: Package
    allowed: Allowed
    problems: list[str] = field(default_factory=list)
    changes: dict[Cell, tuple[CellState, CellState]] = field(default_factory=dict)
    formula_changed: list[str] = field(default_factory=list)
    style_changed: dict[Cell, tuple[str, str]] = field(default_factory=dict)

    def add(self, text: str) -> None:
        self.problems.append(text)

    def run(self) -> list[str]:
        a, b, allowed = self.before, self.after, self.allowed
        rewritable, noted = self._rewritable()
        self._entries()
        for name in a.order:
            other = b.find(name)
            if other is None or a.read(name) == b.read(other):
                continue
            if name == a.workbook:
                self._workbook()
            elif name.lower().endswith(".rels") and name in rewritable:
                self._rels(name)
            elif name == "[Content_Types].xml" and name in rewritable:
                self._content_types()
            elif name == a.styles() and name in rewritable:
                self._appended_only(name, STYLE_LISTS, "styles")
            elif name == a.shared_strings() and name in rewritable:
                self._appended_only(name, frozenset({"sst"}), "shared strings", root_list=True)
            elif name in noted:
                self._notes_part(name, noted[name])
            elif name in rewritable and name == "docProps/app.xml":
                _parse(b.read(other))  # kept well-formed; its list of sheet titles may be brought up to date
            else:
                sheet = next((s.name for s in a.sheets if s.part == name), None)
                if sheet is not None and sheet in allowed.sheets() and _local(a.xml(name)) == "worksheet":
                    self._sheet(sheet, name, other)
                    continue
                detail = ""
                if sheet is not None and _local(a.xml(name)) == "worksheet":
                    found = _Comparison(a, b, Allowed(), changes=self.changes)
                    found._sheet(sheet, name, other)
                    detail = "; " + "; ".join(found.problems[:3]) if found.problems else " (the same cells)"
                self.add(f"{name} was rewritten, though the write had nothing to change there{detail}")
        self._styles_of_changed_cells()
        self._calc_chain()
        return self.problems

    def _rewritable(self) -> tuple[set[str], dict[str, str]]:
        """The parts the write may rewrite, and the notes parts of the sheets that may get notes (→ sheet)."""
        a, allowed = self.before, self.allowed
        parts: set[str] = set()
        structural = allowed.calc_chain_dropped or allowed.added_sheets or allowed.added_parts
        if structural:
            parts |= {a.workbook, "[Content_Types].xml", _rels_name(a.workbook)}
        if allowed.styles and a.styles():
            parts.add(a.styles() or "")
        if allowed.added_sheets:
            parts.add("docProps/app.xml")
            if a.shared_strings():
                parts.add(a.shared_strings() or "")
        noted: dict[str, str] = {}
        for sheet in {s for s, _ in allowed.notes}:
            part = a.sheet_part(sheet)
            if part is None:
                continue
            parts.add(_rels_name(part))
            for kind in ("comments", "vmlDrawing"):
                found = a.related(part, kind)
                if found:
                    noted[found] = sheet
        return {p for p in (a.find(p) for p in parts) if p}, noted

    def _entries(self) -> None:
        a, b, allowed = self.before, self.after, self.allowed
        chain = a.calc_chain()
        for name in a.order:
            if b.find(name) is None:
                if name == chain and allowed.calc_chain_dropped:
                    continue
                self.add(f"{name} was removed")
        kept_a = [n.lower() for n in a.order if b.find(n)]
        kept_b = [n.lower() for n in b.order if a.find(n)]
        if kept_a != kept_b:
            self.add("the zip entries are in another order")
        for name in b.order:
            if a.find(name) is None and not any(re.fullmatch(p, name) for p in allowed.added_parts):
                self.add(f"{name} was added")
        for name in a.order:
            other = b.find(name)
            if other and a.infos[name].compress_type != b.infos[other].compress_type:
                self.add(f"{name} is stored with another compression")
        defaults, overrides = b.content_types()
        for name in b.order:
            if a.find(name) is None and not name.endswith("/"):
                ext = name.rsplit(".", 1)[-1].lower()
                if name.lower() not in overrides and ext not in defaults:
                    self.add(f"{name} was added without a content type")

    # --- worksheets ----------------------------------------------------------------------------------------

    def _sheet(self, sheet: str, part_a: str, part_b: str) -> None:
        allowed = self.allowed
        sa, sb = Sheet(self.before.xml(part_a)), Sheet(self.after.xml(part_b))
        where = f"{sheet} ({part_a})"
        ra, rb = sa.root, sb.root
        if ra.tag != rb.tag or dict(ra.attrib) != dict(rb.attrib) or ra.nsmap != rb.nsmap:
            self.add(f"{where}: the root element or its namespace declarations changed")
        for problem in sb.order_problems:
            self.add(f"{where}: {problem} (Excel requires rows and cells in order)")
        children = [_local(c) for c in rb if _local(c)]
        if (problem := _schema_order(children, WORKSHEET_ORDER)) is not None:
            self.add(f"{where}: {problem}")
        noted = any(s == sheet for s, _ in allowed.notes)
        others_b = [(n, x) for n, x in sb.others if not (noted and n == "legacyDrawing")]
        others_a = [(n, x) for n, x in sa.others if not (noted and n == "legacyDrawing")]
        if others_a != others_b:
            names = sorted({n for n, _ in others_a} | {n for n, _ in others_b})
            changed = [n for n in names if [x for m, x in others_a if m == n] != [x for m, x in others_b if m == n]]
            self.add(f"{where}: <{'>, <'.join(changed) or 'order of elements'}> changed")
        if noted:
            old = [x for n, x in sa.others if n == "legacyDrawing"]
            new = [x for n, x in sb.others if n == "legacyDrawing"]
            if old and old != new:
                self.add(f"{where}: the existing <legacyDrawing> (the notes' drawing) was replaced or removed")
        value_ok = {_ref(r) for s, r in allowed.values | allowed.formulas if s == sheet}
        formula_ok = {_ref(r) for s, r in allowed.formulas if s == sheet}
        style_ok = {_ref(r) for s, r in allowed.styles if s == sheet}
        touched = value_ok | style_ok | {_ref(r) for s, r in allowed.notes if s == sheet}
        problems: list[str] = []
        for row, col in sorted(set(sa.cells) | set(sb.cells)):
            old, new = sa.cell(row, col), sb.cell(row, col)
            if old == new:
                continue
            ref, what = _a1(row, col), []
            self.changes[(sheet, ref)] = (old, new)
            if old.value != new.value and (row, col) not in value_ok:
                what.append("value")
            if old.formula != new.formula:
                if (row, col) not in formula_ok:
                    what.append("formula")
                elif old.formula[0] != new.formula[0]:
                    self.formula_changed.append(f"{sheet}!{ref}")
            if old.style != new.style:
                if (row, col) in style_ok:
                    self.style_changed[(sheet, ref)] = (old.style, new.style)
                else:
                    what.append("style")
            if old.other != new.other:
                what.append("other attributes")
            if what:
                problems.append(f"{ref} {'/'.join(what)} changed: {old.describe()} → {new.describe()}")
        for row in sorted(set(sa.rows) | set(sb.rows)):
            old_attrs, new_attrs = sa.rows.get(row), sb.rows.get(row)
            holds_touched = any((row, c) in touched for c in sb.row_cells.get(row, []))
            if old_attrs is None:
                if not holds_touched or set(new_attrs or {}) - {"spans"}:
                    problems.append(f"row {row} was added")
                continue
            if new_attrs is None:
                problems.append(f"row {row} was removed")
                continue
            if holds_touched:
                old_attrs = {k: v for k, v in old_attrs.items() if k != "spans"}
                new_attrs = {k: v for k, v in new_attrs.items() if k != "spans"}
            if old_attrs != new_attrs:
                problems.append(f"row {row} attributes changed: {old_attrs} → {new_attrs}")
        if sa.dimension != sb.dimension:
            old_b, new_b = _bounds(sa.dimension), _bounds(sb.dimension)
            cover = [old_b[:2], old_b[2:]] if old_b else []
            cover += [p for p in touched if p in sb.cells]
            widest = (
                min(r for r, _ in cover),
                min(c for _, c in cover),
                max(r for r, _ in cover),
                max(c for _, c in cover),
            ) if cover else None  # fmt: skip
            grows = (
                old_b is not None
                and new_b is not None
                and widest is not None
                and new_b[0] <= old_b[0]
                and new_b[1] <= old_b[1]
                and new_b[2] >= old_b[2]
                and new_b[3] >= old_b[3]
                and new_b[0] >= widest[0]
                and new_b[1] >= widest[1]
                and new_b[2] <= widest[2]
                and new_b[3] <= widest[3]
            )
            if not grows:
                problems.append(f"dimension changed: {sa.dimension} → {sb.dimension}")
        self.problems += _capped(where, problems)

    def _styles_of_changed_cells(self) -> None:
        """A cell whose style index changed must have the style it had, with another fill."""
        if not self.style_changed:
            return
        old_xfs, new_xfs = self.before.cell_xfs(), self.after.cell_xfs()
        problems = []
        for (sheet, ref), (old, new) in sorted(self.style_changed.items()):
            if int(new) >= len(new_xfs) or int(old) >= len(old_xfs):
                problems.append(f"{sheet}!{ref}: style {old} → {new}, outside cellXfs")
                continue
            a = _c14n(old_xfs[int(old)], drop=("fillId", "applyFill"))
            b = _c14n(new_xfs[int(new)], drop=("fillId", "applyFill"))
            if a != b:
                problems.append(f"{sheet}!{ref}: style {old} → {new} changes more than the fill: {a!r} → {b!r}")
        self.problems += _capped("styles of marked cells", problems)

    # --- workbook, relationships, content types ----------------------------------------------------------------

    def _workbook(self) -> None:
        a, b, allowed = self.before, self.after, self.allowed
        ra, rb = a.xml(a.workbook), b.xml(b.find(a.workbook) or "")
        where = a.workbook
        if ra.tag != rb.tag or dict(ra.attrib) != dict(rb.attrib) or ra.nsmap != rb.nsmap:
            self.add(f"{where}: the root element or its namespace declarations changed")
        children = [_local(c) for c in rb if _local(c)]
        if (problem := _schema_order(children, WORKBOOK_ORDER)) is not None:
            self.add(f"{where}: {problem}")
        old = [(n.name, n.attrs) for n in a.sheets]
        new = [(n.name, n.attrs) for n in b.sheets]
        kept = [s for s in new if s[0] not in allowed.added_sheets or s[0] in {n for n, _ in old}]
        if kept != old:
            self.add(f"{where}: the sheets changed: {[n for n, _ in old]} → {[n for n, _ in new]}")
        elif [s[0] for s in new[: len(old)]] != [s[0] for s in old]:
            self.add(f"{where}: a sheet was added before the existing ones")
        ids = [dict(attrs).get("sheetId") for _, attrs in new]
        if len(set(ids)) != len(ids):
            self.add(f"{where}: two sheets share a sheetId")

        def others(root: etree._Element) -> list[tuple[str, bytes]]:
            return [(_local(c), _c14n(c)) for c in root if _local(c) and _local(c) not in ("sheets", "calcPr")]

        old_others, new_others = others(ra), others(rb)
        if old_others != new_others:
            names = sorted({n for n, _ in old_others} | {n for n, _ in new_others})
            changed = [n for n in names if [x for m, x in old_others if m == n] != [x for m, x in new_others if m == n]]
            self.add(f"{where}: <{'>, <'.join(changed) or 'order of elements'}> changed")
        calc_a = next((c for c in ra if _local(c) == "calcPr"), None)
        calc_b = next((c for c in rb if _local(c) == "calcPr"), None)
        attrs_a = {} if calc_a is None else {_name(k): v for k, v in calc_a.attrib.items()}
        attrs_b = {} if calc_b is None else {_name(k): v for k, v in calc_b.attrib.items()}
        if allowed.calc_chain_dropped:
            attrs_a.pop("fullCalcOnLoad", None)
            attrs_b.pop("fullCalcOnLoad", None)
        if attrs_a != attrs_b or ((calc_a is None) != (calc_b is None) and not allowed.calc_chain_dropped):
            self.add(f"{where}: <calcPr> changed: {attrs_a} → {attrs_b}")

    def _rels(self, name: str) -> None:
        a, b, allowed = self.before, self.after, self.allowed
        source = posixpath.join(posixpath.dirname(posixpath.dirname(name)), posixpath.basename(name)[: -len(".rels")])
        old = {r.id: r for r in a.rels(source)}
        new = {r.id: r for r in b.rels(source)}
        for rid, rel in old.items():
            if rel.type.endswith("/" + _CALC_CHAIN) and allowed.calc_chain_dropped and rid not in new:
                continue
            if new.get(rid) != rel:
                self.add(
                    f"{name}: relationship {rid} ({rel.type.rsplit('/', 1)[-1]} → {rel.target}) changed or was removed"
                )
        for rid, rel in new.items():
            if rid in old:
                continue
            if rel.part is None or a.find(rel.part) is not None or b.find(rel.part) is None:
                self.add(f"{name}: relationship {rid} added to {rel.target}, not a part the write added")

    def _content_types(self) -> None:
        a, b, allowed = self.before, self.after, self.allowed
        defaults_a, overrides_a = a.content_types()
        defaults_b, overrides_b = b.content_types()
        for ext, ct in defaults_a.items():
            if defaults_b.get(ext) != ct:
                self.add(f"[Content_Types].xml: the default type of .{ext} changed or was removed")
        chain = (a.calc_chain() or "").lower()
        for part, ct in overrides_a.items():
            if overrides_b.get(part) != ct and not (
                part == chain and allowed.calc_chain_dropped and part not in overrides_b
            ):
                self.add(f"[Content_Types].xml: the type of /{part} changed or was removed")
        for part in overrides_b.keys() - overrides_a.keys():
            if a.find(part) is not None or b.find(part) is None:
                self.add(f"[Content_Types].xml: an override for /{part}, not a part the write added")

    def _calc_chain(self) -> None:
        """A changed formula leaves no calculation chain and asks Excel for a full calculation."""
        if not self.formula_changed:
            return
        b = self.after
        root = b.xml(b.workbook)
        calc = next((c for c in root if _local(c) == "calcPr"), None)
        where = (
            f"formulas written ({', '.join(self.formula_changed[:3])}{' …' if len(self.formula_changed) > 3 else ''})"
        )
        if calc is None or calc.get("fullCalcOnLoad") not in ("1", "true"):
            self.add(f"{where} but fullCalcOnLoad is not set")
        if b.calc_chain() is not None:
            self.add(f"{where} but the calculation chain {b.calc_chain()} is still there")
        _, overrides = b.content_types()
        if any(ct.endswith("calcChain+xml") for ct in overrides.values()):
            self.add(f"{where} but [Content_Types].xml still names a calculation chain")

    # --- appended-only lists, notes -----------------------------------------------------------------------

    def _appended_only(self, name: str, lists: frozenset[str], what: str, root_list: bool = False) -> None:
        ra, rb = self.before.xml(name), self.after.xml(self.after.find(name) or "")
        if root_list:
            pairs = [(ra, rb)]
        else:
            if [_local(c) for c in ra if _local(c) and _local(c) not in lists] != [
                _local(c) for c in rb if _local(c) and _local(c) not in lists
            ]:
                self.add(f"{name}: its elements changed")
            others_a = {_local(c): _c14n(c) for c in ra if _local(c) and _local(c) not in lists}
            others_b = {_local(c): _c14n(c) for c in rb if _local(c) and _local(c) not in lists}
            for key in sorted(others_a):
                if others_a[key] != others_b.get(key):
                    self.add(f"{name}: <{key}> changed")
            found_b = {_local(c): c for c in rb if _local(c) in lists}
            pairs = []
            for c in ra:
                if _local(c) in lists:
                    if _local(c) not in found_b:
                        self.add(f"{name}: <{_local(c)}> was removed")
                    else:
                        pairs.append((c, found_b[_local(c)]))
        for la, lb in pairs:
            if {k: v for k, v in la.attrib.items() if k not in ("count", "uniqueCount")} != {
                k: v for k, v in lb.attrib.items() if k not in ("count", "uniqueCount")
            }:
                self.add(f"{name}: the attributes of <{_local(la)}> changed")
            old = [_c14n(c) for c in la if _local(c)]
            new = [_c14n(c) for c in lb if _local(c)]
            if new[: len(old)] != old:
                first = next((i for i, (x, y) in enumerate(zip(old, new, strict=False)) if x != y), len(new))
                self.add(f"{name}: {what} <{_local(la)}> entry {first} changed or removed (entries keep their index)")

    def _notes_part(self, name: str, sheet: str) -> None:
        """An existing comments part or VML drawing of a sheet that gets notes: every original note kept."""
        a, b = self.before, self.after
        noted = {_ref(r) for s, r in self.allowed.notes if s == sheet}
        other = b.find(name)
        part_b = b.sheet_part(sheet)
        if part_b is None or other is None:
            return
        if name.lower().endswith(".vml"):
            old, new = _vml_shapes(a.xml(name)), _vml_shapes(b.xml(other))
            for key, shape in old.items():
                if key[0] in noted:
                    continue
                if new.get(key) != shape:
                    self.add(f"{name}: the note drawing at {_a1(*key[0]) if key[0] else key} changed or was removed")
            return
        old_c, new_c = _comments(a.xml(name)), _comments(b.xml(other))
        for pos, (author, text) in old_c.items():
            found = new_c.get(pos)
            if found is None:
                self.add(f"{sheet}!{_a1(*pos)}: the note already there was removed")
            elif pos in noted:
                if text.strip() not in found[1]:
                    self.add(f"{sheet}!{_a1(*pos)}: the note already there lost its text {text!r}")
            elif found != (author, text):
                self.add(f"{sheet}!{_a1(*pos)}: the note already there changed")


def _comments(root: etree._Element) -> dict[tuple[int, int], tuple[str, str]]:
    authors = [a.text or "" for el in root if _local(el) == "authors" for a in el]
    out = {}
    for el in root.iter():
        if _local(el) == "comment":
            i = int(el.get("authorId", "0"))
            text = "".join(t.text or "" for t in el.iter() if _local(t) == "t")
            out[_ref(el.get("ref"))] = (authors[i] if i < len(authors) else "", text)
    return out


def _vml_shapes(root: etree._Element) -> dict[tuple[Any, int], bytes]:
    """Shapes of a VML drawing by the cell they are anchored to (notes), else by their position."""
    out = {}
    for i, shape in enumerate(el for el in root.iter() if _local(el) == "shape"):
        data = next((d for d in shape.iter() if _local(d) == "ClientData"), None)
        row = col = None
        if data is not None:
            for d in data:
                if _local(d) == "Row":
                    row = int(d.text)
                elif _local(d) == "Column":
                    col = int(d.text)
        key = ((row + 1, col + 1), 0) if row is not None and col is not None else (None, i)
        out[key] = _c14n(shape, drop=("id", "spid"))
    return out


def compare_packages(
    before: bytes, after: bytes, allowed: Allowed = Allowed(), changes: dict[Cell, Any] | None = None
) -> list[str]:
    """The differences between two workbook packages beyond what ``allowed`` lets the write change. Every
    cell whose XML differs, allowed or not, is put into ``changes`` (when given): (sheet, ref) → (before,
    after) as :class:`CellState`."""
    comparison = _Comparison(Package(before), Package(after), allowed)
    problems = comparison.run()
    if changes is not None:
        changes.update(comparison.changes)
    return problems


# --- comparing workbooks through openpyxl (a whole-workbook rewrite) --------------------------------------------

_RANGE_PART = re.compile(r"(\$?)([A-Za-z]{1,3})?(\$?)(\d+)?")


def _shift_area(text: str, at: int) -> str:
    """A1, $A$1, A1:B2, 3:5 with every row number ``at`` or below one higher."""

    def one(ref: str) -> str:
        m = _RANGE_PART.fullmatch(ref)
        if m is None or m.group(4) is None:
            return ref
        row = int(m.group(4))
        return f"{m.group(1)}{m.group(2) or ''}{m.group(3)}{row + 1 if row >= at else row}"

    return ":".join(one(p) for p in text.split(":"))


def shift_formula(formula: str, own_sheet: str, sheet: str, at: int) -> str:
    """``formula`` (on ``own_sheet``; "" for a defined name) with every reference to rows ``at`` and below of
    ``sheet`` one row lower, as Excel does when a row is inserted. Written from the tokens of openpyxl's
    formula tokenizer, independently of the code under test."""
    from openpyxl.formula.tokenizer import Token, Tokenizer

    text = formula if formula.startswith("=") else "=" + formula
    tok = Tokenizer(text)
    for t in tok.items:
        if t.type != Token.OPERAND or t.subtype != Token.RANGE:
            continue
        target, _, area = t.value.rpartition("!")
        name = target.strip("'").replace("''", "'") if target else own_sheet
        if name == sheet and re.fullmatch(r"[$A-Za-z0-9:]+", area):
            t.value = (target + "!" if target else "") + _shift_area(area, at)
    out = tok.render()
    return out if formula.startswith("=") else out[1:]


def _tree(obj: Any) -> bytes | None:
    if obj is None:
        return None
    tree = obj.to_tree()
    return None if tree is None else etree.tostring(etree.fromstring(etree.tostring(tree)), method="c14n")


@dataclass(frozen=True)
class _Shift:
    """A row inserted before ``at`` of ``sheet`` (``sheet`` None: nothing moved)."""

    sheet: str | None = None
    at: int = 0

    def row(self, sheet: str, row: int) -> int:
        return row + 1 if sheet == self.sheet and row >= self.at else row

    def formula(self, text: Any, own: str) -> Any:
        if self.sheet is None or not isinstance(text, str):
            return text
        return shift_formula(text, own, self.sheet, self.at)

    def area(self, text: str, sheet: str) -> str:
        return " ".join(_shift_area(p, self.at) if sheet == self.sheet else p for p in str(text).split())

    def is_new_row(self, sheet: str, row: int) -> bool:
        return sheet == self.sheet and row == self.at


_SAME = _Shift()


def _defined_names(wbk: Any, shift: _Shift) -> dict[tuple[str, str], Any]:
    out = {("", n): (shift.formula(d.attr_text, ""), d.hidden) for n, d in wbk.defined_names.items()}
    for ws in wbk.worksheets:
        for n, d in ws.defined_names.items():
            out[(ws.title, n)] = (shift.formula(d.attr_text, ""), d.hidden)
    return out


def _validations(ws: Any, shift: _Shift) -> list[tuple[Any, ...]]:
    out = []
    for dv in ws.data_validations.dataValidation:
        ranges = sorted(shift.area(str(r), ws.title) for r in dv.sqref.ranges)
        out.append(
            (dv.type, dv.operator, shift.formula(dv.formula1, ws.title), shift.formula(dv.formula2, ws.title),
             dv.allow_blank, dv.showDropDown, dv.showErrorMessage, dv.showInputMessage, dv.error, dv.errorTitle,
             dv.prompt, dv.promptTitle, ranges)
        )  # fmt: skip
    return sorted(out, key=repr)


def _conditional_formats(ws: Any, shift: _Shift) -> list[tuple[Any, ...]]:
    out = []
    for cf in ws.conditional_formatting:
        ranges = " ".join(sorted(shift.area(str(r), ws.title) for r in cf.sqref.ranges))
        for rule in cf.rules:
            formulas = tuple(shift.formula(f, ws.title) for f in rule.formula or ())
            out.append((ranges, rule.type, rule.operator, formulas, rule.stopIfTrue, _tree(rule.dxf)))
    return sorted(out, key=repr)


def _row_facts(ws: Any, shift: _Shift, skip_new: _Shift = _SAME) -> dict[int, Any]:
    out = {}
    for r, d in ws.row_dimensions.items():
        facts = (d.height, bool(d.hidden), d.outlineLevel)
        if facts != (None, False, 0) and not skip_new.is_new_row(ws.title, r):
            out[shift.row(ws.title, r)] = facts
    return out


def _column_facts(ws: Any) -> dict[str, Any]:
    return {
        k: (d.width, d.hidden, d.customWidth, d.outlineLevel, d.min, d.max) for k, d in ws.column_dimensions.items()
    }


def _border(border: Any) -> tuple[Any, ...]:
    """What a border draws: each side's line style and colour (an empty <right/> and no <right> draw nothing)."""
    sides = []
    for name in ("left", "right", "top", "bottom", "diagonal", "vertical", "horizontal"):
        side = getattr(border, name)
        style = side.style if side is not None else None
        color = side.color if side is not None and style else None
        sides.append((style, _tree(color) if color is not None else None))
    return (*sides, bool(border.diagonalUp), bool(border.diagonalDown), bool(border.outline))


class _Styles:
    """Compares the style parts of cells of two workbooks by their indices, each pair of indices once."""

    KINDS = (("fontId", "_fonts"), ("fillId", "_fills"), ("borderId", "_borders"),
             ("alignmentId", "_alignments"), ("protectionId", "_protections"))  # fmt: skip

    def __init__(self, old: Any, new: Any) -> None:
        self.old, self.new = old, new
        self.memo: dict[tuple[str, int, int], bool] = {}

    def differences(self, a: Any, b: Any) -> list[str]:
        """The style parts in which cell ``a`` (of the old workbook) and ``b`` (of the new) differ."""
        from openpyxl.styles.cell_style import StyleArray

        sa, sb = a._style if a is not None else StyleArray(), b._style if b is not None else StyleArray()
        out = []
        for attr, kind in self.KINDS:
            i, j = getattr(sa, attr), getattr(sb, attr)
            key = (kind, i, j)
            if key not in self.memo:
                x, y = getattr(self.old, kind)[i], getattr(self.new, kind)[j]
                self.memo[key] = _border(x) == _border(y) if kind == "_borders" else x == y
            if not self.memo[key]:
                out.append(kind[1:-1])
        if (a.number_format if a is not None else "General") != (b.number_format if b is not None else "General"):
            out.append("number format")
        if sa.quotePrefix != sb.quotePrefix:
            out.append("text prefix")
        return out


def _cached_values(src: Any) -> dict[str, list[list[Any]]]:
    """The values a reader that does not recalculate sees (cached results of formulas), read by calamine."""
    from python_calamine import CalamineWorkbook

    if hasattr(src, "read"):
        src.seek(0)
        data = src.read()
    else:
        with open(src, "rb") as f:
            data = f.read()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def _at(grid: list[list[Any]], row: int, col: int) -> Any:
    return grid[row - 1][col - 1] if row <= len(grid) and col <= len(grid[row - 1]) else ""


def _compare_cells(
    ws: Any,
    nw: Any,
    cached: tuple[list[list[Any]], list[list[Any]]],
    styles: _Styles,
    shift: _Shift,
    allowed: set[Cell],
) -> list[str]:
    """Every cell of the old sheet at its new place: value or shifted formula, cached value, style, note, link;
    every cell of the new sheet that came from nowhere must be as the old one there (empty)."""
    name = ws.title
    problems = []
    moved_from: dict[tuple[int, int], tuple[int, int]] = {(shift.row(name, r), c): (r, c) for r, c in ws._cells}
    for r, c in list(nw._cells):
        if (r, c) not in moved_from and not shift.is_new_row(name, r):
            moved_from[(r, c)] = (r - 1 if name == shift.sheet and r > shift.at else r, c)
    for (r2, c), (r, _) in sorted(moved_from.items()):
        ref, was = _a1(r2, c), _a1(r, c)
        if (name, ref) in allowed or shift.is_new_row(name, r2):
            continue
        old, new = ws._cells.get((r, c)), nw._cells.get((r2, c))
        old_value, new_value = (old.value if old is not None else None), (new.value if new is not None else None)
        formula = isinstance(old_value, str) and old_value.startswith("=")
        if (shift.formula(old_value, name) if formula else old_value) != new_value:
            problems.append(f"{ref} (was {was}): {old_value!r} → {new_value!r}")
        if _at(cached[0], r, c) != _at(cached[1], r2, c):
            problems.append(f"{ref} (was {was}): cached value {_at(cached[0], r, c)!r} → {_at(cached[1], r2, c)!r}")
        for what in styles.differences(old, new):
            problems.append(f"{ref} (was {was}): {what} changed")
        old_note = (old.comment.text, old.comment.author) if old is not None and old.comment else None
        new_note = (new.comment.text, new.comment.author) if new is not None and new.comment else None
        if old_note != new_note:
            problems.append(f"{ref} (was {was}): note {old_note} → {new_note}")
        old_link = (old.hyperlink.target, old.hyperlink.location) if old is not None and old.hyperlink else None
        new_link = (new.hyperlink.target, new.hyperlink.location) if new is not None and new.hyperlink else None
        if old_link != new_link:
            problems.append(f"{ref} (was {was}): hyperlink {old_link} → {new_link}")
    return problems


def _compare_sheet(ws: Any, nw: Any, shift: _Shift) -> list[str]:
    """Everything of a sheet but its cells."""
    name = ws.title
    problems = []
    if ws.sheet_state != nw.sheet_state:
        problems.append(f"visibility {ws.sheet_state} → {nw.sheet_state}")
    old_merges = {shift.area(str(m), name) for m in ws.merged_cells.ranges}
    new_merges = {
        str(m) for m in nw.merged_cells.ranges if not shift.is_new_row(name, m.min_row) or m.max_row != m.min_row
    }
    if old_merges != new_merges:
        problems.append(f"merged ranges differ: {sorted(old_merges ^ new_merges)}")
    if _validations(ws, shift) != _validations(nw, _SAME):
        problems.append(f"data validations: {_validations(ws, shift)} → {_validations(nw, _SAME)}")
    if _conditional_formats(ws, shift) != _conditional_formats(nw, _SAME):
        problems.append(f"conditional formats: {_conditional_formats(ws, shift)} → {_conditional_formats(nw, _SAME)}")
    if _column_facts(ws) != _column_facts(nw):
        problems.append("column widths changed")
    if _row_facts(ws, shift) != _row_facts(nw, _SAME, skip_new=shift):
        problems.append(f"row heights or visibility: {_row_facts(ws, shift)} → {_row_facts(nw, _SAME, skip_new=shift)}")
    for what, attr in (
        ("page setup", "page_setup"),
        ("page margins", "page_margins"),
        ("print options", "print_options"),
        ("header and footer", "HeaderFooter"),
        ("sheet properties", "sheet_properties"),
        ("protection", "protection"),
        ("views", "views"),
    ):
        if _tree(getattr(ws, attr)) != _tree(getattr(nw, attr)):
            problems.append(f"{what} changed")
    old_area = shift.formula(ws.print_area, name) if ws.print_area else None
    if old_area != (nw.print_area or None):
        problems.append(f"print area {ws.print_area} → {nw.print_area}")
    old_titles = ws.print_title_rows and shift.area(ws.print_title_rows, name)
    if old_titles != nw.print_title_rows or ws.print_title_cols != nw.print_title_cols:
        problems.append(f"print titles {ws.print_title_rows} → {nw.print_title_rows}")
    old_freeze = ws.freeze_panes and shift.area(ws.freeze_panes, name)
    if old_freeze != nw.freeze_panes:
        problems.append(f"frozen panes {ws.freeze_panes} → {nw.freeze_panes}")
    old_filter = ws.auto_filter.ref and shift.area(ws.auto_filter.ref, name)
    if old_filter != nw.auto_filter.ref:
        problems.append(f"auto filter {ws.auto_filter.ref} → {nw.auto_filter.ref}")
    return problems


def compare_workbooks(
    before: Any,
    after: Any,
    *,
    inserted: tuple[str, int] | None = None,
    allowed: Iterable[Cell] = (),
    added_sheets: Iterable[str] = (),
) -> list[str]:
    """The differences between two workbooks read by openpyxl, beyond ``allowed`` (cells, in the new
    coordinates) and ``added_sheets``. ``inserted`` = (sheet, row): a row was inserted before ``row`` of
    ``sheet`` — every cell, range and reference to that sheet at or below it is expected one row lower.

    ``before`` and ``after`` are paths or file objects: read by openpyxl, and by calamine for the cached
    values."""
    import warnings

    from openpyxl import load_workbook

    def load(src: Any) -> Any:
        if hasattr(src, "seek"):
            src.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(src)

    wa, wb = load(before), load(after)
    va, vb = _cached_values(before), _cached_values(after)
    styles = _Styles(wa, wb)
    shift = _Shift(*inserted) if inserted else _SAME
    allowed, added = set(allowed), set(added_sheets)
    problems: list[str] = []
    if [n for n in wb.sheetnames if n not in added or n in wa.sheetnames] != wa.sheetnames:
        problems.append(f"the sheets changed: {wa.sheetnames} → {wb.sheetnames}")
    if wa.active.title != wb.active.title:
        problems.append(f"the active sheet changed: {wa.active.title} → {wb.active.title}")
    old_names, new_names = _defined_names(wa, shift), _defined_names(wb, _SAME)
    for key in [k for k in new_names if k not in old_names]:  # the names of an added sheet come with it
        if any(re.search(rf"(^|[=,(\s])'?{re.escape(sheet)}'?!", str(new_names[key][0])) for sheet in added):
            del new_names[key]
    if old_names != new_names:
        problems.append(f"defined names: {old_names} → {new_names}")
    for ws in wa.worksheets:
        if ws.title not in wb.sheetnames:
            continue
        nw, cached = wb[ws.title], (va.get(ws.title, []), vb.get(ws.title, []))
        found = _compare_sheet(ws, nw, shift) + _compare_cells(ws, nw, cached, styles, shift, allowed)
        problems += _capped(ws.title, found)
    return problems
