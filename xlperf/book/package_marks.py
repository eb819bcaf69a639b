"""Write marks (cell fills and notes) and a result sheet into an existing .xlsx/.xlsm package.

This is how the annotated copy of ``xlperf check --output`` is written. Like :mod:`xlperf.book.patch` it edits
the original package instead of re-saving the workbook through a library's object model, so charts,
pictures, VBA projects, controls, pivot tables, slicers, external links and the 2010 extensions stay exactly
as they were. Every zip entry the operation does not need to change is copied under the same name, with the
same compression and the same bytes, in the original order; new parts are appended at the end. No formula
changes, so the calculation chain is left alone.

What changes:

- ``styles.xml``: one solid ``<fill>`` per colour is appended to ``<fills>``, and per (original style index,
  colour) a copy of the cell's ``cellXfs`` ``<xf>`` with that fill (``applyFill="1"``) to ``<cellXfs>``; for
  the result sheet, two fonts (bold; blue underlined for links) and their ``<xf>``. Nothing existing is
  modified or reordered, so every other cell keeps its look; an entry equal to one already there (from an
  earlier annotation) is reused rather than added twice.
- The marked sheets: a marked cell's ``s`` changes to the new style and nothing else of it (value, formula,
  type); a marked cell that has no ``<c>`` yet gets one, in column order (and its ``<row>`` if needed),
  starting from the row's style (a formatted row) or else its column's, as Excel would.
- Notes, with the author "xlperf":

  - a sheet without comments and without a legacy drawing gets a new comments part and a new legacy VML
    drawing holding one hidden note shape per comment, the two relationships (its rels part is created if
    absent), a ``<legacyDrawing>`` at its schema position, and the content types;
  - a sheet that already has notes (a comments relationship and a ``<legacyDrawing>``) gets ours added to
    its comments part and its VML drawing, provided the drawing parses as XML and has a shape-id map to
    number the new shapes from; otherwise (Excel's VML is not always well-formed) the sheet gets no notes
    and keeps its fills;
  - a cell that already holds a note (or a threaded comment's placeholder note) keeps it untouched and
    gets no second one: the message is still listed in the result sheet. The exception is a note whose
    author is "xlperf" (an annotated copy checked again): its text becomes the new message;
  - a sheet whose legacy drawing is not a notes drawing (form controls and no comments part), or that has
    a comments part without a legacy drawing, is not touched for notes: fills only.

- The result sheet: a new worksheet part appended at the end of the sheet list (a fresh ``sheetId`` and
  relationship, so no ``localSheetId`` of a defined name shifts), with the content type override. When a
  sheet of that name exists already (an annotated copy checked again), its part is rewritten in place; the
  relationships of its old content (its notes, a drawing) are dropped with the parts nothing else refers to.
  Strings are inline strings (text starting with "=" stays text, never a formula), the header row is bold,
  the first row is frozen, in-book links need no relationship (``<hyperlink location=…>``).
- ``[Content_Types].xml``, ``workbook.xml`` and the workbook's rels, only for what was added.
"""

from __future__ import annotations

import copy
import io
import itertools
import math
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from lxml import etree

from xlperf.a1 import a1
from xlperf.book.patch import (
    CellPatch,
    _local,
    _Package,
    _parse,
    _parse_ref,
    _rel_id,
    _relationships,
    _rels_part,
    _resolve,
    _serialize,
    _Sheet,
    _sheet_parts,
    _xstring,
    _zipinfo_copy,
)

__all__ = ["ResultSheet", "mark_package"]

AUTHOR = "xlperf"
LINK_COLOR = "0563C1"  # Excel's hyperlink blue

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_V = "urn:schemas-microsoft-com:vml"
_O = "urn:schemas-microsoft-com:office:office"
_X = "urn:schemas-microsoft-com:office:excel"

_CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

# The children of CT_Stylesheet (ECMA-376 Part 1, 18.8.39), in schema order.
_STYLE_SECTIONS = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
    "colors", "extLst",
)  # fmt: skip
# The usual order of a <font>'s children (CT_Font is an unordered choice; Excel writes them in this order).
_FONT_ORDER = (
    "b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color", "name",
    "family", "charset", "scheme",
)  # fmt: skip
# The children of CT_Worksheet that come after <legacyDrawing> (ECMA-376 Part 1, 18.3.1.99); controls and
# OLE objects are often wrapped in mc:AlternateContent, which therefore also comes after it.
_AFTER_LEGACY_DRAWING = frozenset(
    {"legacyDrawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
     "AlternateContent"}
)  # fmt: skip
# The children of CT_Worksheet that come after <hyperlinks>.
_AFTER_HYPERLINKS = frozenset(
    {"printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties",
     "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "picture",
     "oleObjects", "controls", "webPublishItems", "tableParts", "extLst", "AlternateContent"}
)  # fmt: skip

_MINIMAL_STYLES = (
    f'<styleSheet xmlns="{_MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)

_IDMAP_DATA = re.compile(rb"idmap\b[^>]*?\bdata\s*=\s*[\"']([^\"']*)[\"']")
_SHAPE_ID = re.compile(r"_x0000_s(\d+)")
_BLOCK = 1024  # VML shape ids come in blocks of 1024 per drawing (o:idmap data lists a drawing's blocks)


@dataclass(frozen=True)
class ResultSheet:
    """A worksheet of rows from A1: ``links`` maps (row, col), 1-based, to an in-book target such as
    "'附表2'!C5"; ``widths`` are the widths of the first columns."""

    name: str
    rows: Sequence[Sequence[Any]]
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)
    widths: Sequence[float] = ()


# --- the output package ----------------------------------------------------------------------------------


class _Output:
    """What changes in the package: replaced entries, new entries (in order), dropped entries, content types."""

    def __init__(self, pkg: _Package) -> None:
        self.pkg = pkg
        self.replaced: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}
        self.dropped: set[str] = set()
        ct_part = pkg.find("[Content_Types].xml")
        if ct_part is None:
            raise ValueError("not a spreadsheet package: no [Content_Types].xml")
        self.ct_part = ct_part
        self.ct_root = _parse(pkg.read(ct_part))
        self.ct_changed = False
        self._taken = {info.filename.lower() for info in pkg.infos}

    def read(self, name: str) -> bytes:
        return self.replaced.get(name) or self.added.get(name) or self.pkg.read(name)

    def put(self, name: str, data: bytes) -> None:
        """Write an entry: replace it when the package has it, else add it at the end."""
        found = self.pkg.find(name)
        if found is not None:
            self.replaced[found] = data
        else:
            self.added[name] = data
            self._taken.add(name.lower())

    def new_name(self, pattern: str) -> str:
        """The first free part name of a numbered pattern, e.g. "xl/comments{}.xml" → "xl/comments1.xml"."""
        n = 1
        while pattern.format(n).lower() in self._taken:
            n += 1
        name = pattern.format(n)
        self._taken.add(name.lower())
        return name

    def _ct(self, local: str, **attrs: str) -> None:
        ns = etree.QName(self.ct_root).namespace
        el = etree.Element(f"{{{ns}}}{local}" if ns else local)
        for key, val in attrs.items():
            el.set(key, val)
        if local == "Default":
            first_override = next((c for c in self.ct_root if _local(c) == "Override"), None)
            if first_override is not None:
                first_override.addprevious(el)
                self.ct_changed = True
                return
        self.ct_root.append(el)
        self.ct_changed = True

    def override(self, part: str, content_type: str) -> None:
        self._ct("Override", PartName="/" + part, ContentType=content_type)

    def typed_by_extension(self, part: str, content_type: str) -> None:
        """Give a new part its content type: by a Default for its extension (added when there is none)."""
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        for el in self.ct_root:
            if _local(el) == "Default" and el.get("Extension", "").lower() == ext:
                if el.get("ContentType") != content_type:
                    self.override(part, content_type)
                return
        self._ct("Default", Extension=ext, ContentType=content_type)

    def drop(self, part: str) -> None:
        self.dropped.add(part)
        for el in [c for c in self.ct_root if _local(c) == "Override"]:
            if unquote(el.get("PartName", "")).lstrip("/").lower() == part.lower():
                self.ct_root.remove(el)
                self.ct_changed = True

    def write(self, zin: zipfile.ZipFile) -> bytes:
        if self.ct_changed:
            self.replaced[self.ct_part] = _serialize(self.ct_root)
        stamp = next((i.date_time for i in self.pkg.infos if not i.is_dir()), (1980, 1, 1, 0, 0, 0))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zout:
            zout.comment = zin.comment
            for info in self.pkg.infos:
                if info.filename in self.dropped:
                    continue
                data = self.replaced.get(info.filename)
                zout.writestr(_zipinfo_copy(info), data if data is not None else zin.read(info))
            for name, data in self.added.items():
                zout.writestr(zipfile.ZipInfo(name, date_time=stamp), data, compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()


def _new_rels() -> etree._Element:
    return etree.Element(f"{{{_PKG_RELS_NS}}}Relationships", nsmap={None: _PKG_RELS_NS})


def _add_relationship(rels: etree._Element, rel_type: str, target: str) -> str:
    ids = {rel.get("Id") for rel in _relationships(rels)}
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    ns = etree.QName(rels).namespace
    rel = etree.SubElement(rels, f"{{{ns}}}Relationship" if ns else "Relationship")
    rel.set("Id", f"rId{n}")
    rel.set("Type", rel_type)
    rel.set("Target", target)
    return f"rId{n}"


def _relative(part: str, source: str) -> str:
    """A relationship target for ``part``, relative to the folder of ``source``."""
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


# --- styles ----------------------------------------------------------------------------------------------


def _key(el: etree._Element) -> tuple:
    """What an element says (name, attributes, text, children), to find an equal one."""
    attrs = tuple(sorted((etree.QName(k).localname, v) for k, v in el.attrib.items()))
    return _local(el), attrs, (el.text or "").strip(), tuple(_key(c) for c in el if isinstance(c.tag, str))


class _Styles:
    """The workbook's styles part, to which fills, fonts and cell formats are appended (never changed). An
    entry equal to one the part has already (from an earlier annotation) is reused instead of added again,
    so that annotating an annotated copy again does not make the part grow."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.ns = etree.QName(root).namespace or ""
        self.changed = False
        self._known: dict[str, dict[tuple, int]] = {}
        self._fills: dict[str, int] = {}
        self._fill_xfs: dict[tuple[int, str], int] = {}
        self._font_xfs: dict[str, int] = {}

    def _tag(self, local: str) -> str:
        return f"{{{self.ns}}}{local}" if self.ns else local

    def _section(self, name: str) -> etree._Element:
        found = self.root.find(self._tag(name))
        if found is not None:
            return found
        el = etree.Element(self._tag(name))
        later = _STYLE_SECTIONS[_STYLE_SECTIONS.index(name) + 1 :]
        following = next((c for c in self.root if _local(c) in later), None)
        if following is not None:
            following.addprevious(el)
        else:
            self.root.append(el)
        return el

    def _append(self, section: etree._Element, el: etree._Element, reuse: bool = True) -> int:
        """The index of ``el`` in ``section``: of an equal entry already there, else of ``el`` appended."""
        name = _local(section)
        if name not in self._known:
            items = [c for c in section if _local(c) == _local(el)]
            self._known[name] = {}
            for i, item in enumerate(items):
                self._known[name].setdefault(_key(item), i)
        key = _key(el)
        if reuse and key in self._known[name]:
            return self._known[name][key]
        section.append(el)
        count = sum(1 for c in section if _local(c) == _local(el))
        section.set("count", str(count))
        self._known[name].setdefault(key, count - 1)
        self.changed = True
        return count - 1

    def _items(self, name: str, item: str) -> tuple[etree._Element, list[etree._Element]]:
        section = self._section(name)
        return section, [c for c in section if _local(c) == item]

    def _fill(self, rgb: str) -> int:
        if rgb not in self._fills:
            fills, items = self._items("fills", "fill")
            # Excel reserves fills 0 and 1 (none, gray125) whatever they say: never put ours there.
            for pattern in ("none", "gray125")[len(items) :]:
                fill = etree.Element(self._tag("fill"))
                etree.SubElement(fill, self._tag("patternFill")).set("patternType", pattern)
                self._append(fills, fill, reuse=False)
            fill = etree.Element(self._tag("fill"))
            pattern_fill = etree.SubElement(fill, self._tag("patternFill"))
            pattern_fill.set("patternType", "solid")
            etree.SubElement(pattern_fill, self._tag("fgColor")).set("rgb", "FF" + rgb.upper())
            etree.SubElement(pattern_fill, self._tag("bgColor")).set("indexed", "64")
            self._fills[rgb] = self._append(fills, fill)
        return self._fills[rgb]

    def _base_xf(self, index: int) -> etree._Element:
        cell_xfs, xfs = self._items("cellXfs", "xf")
        if not xfs:
            xf = etree.Element(self._tag("xf"))
            for key in ("numFmtId", "fontId", "fillId", "borderId", "xfId"):
                xf.set(key, "0")
            self._append(cell_xfs, xf)
            xfs = [xf]
        return xfs[index] if 0 <= index < len(xfs) else xfs[0]

    def filled(self, index: int, rgb: str) -> int:
        """The cell format ``index`` with a solid fill of ``rgb`` ("FFC7CE")."""
        key = (index, rgb.upper())
        if key not in self._fill_xfs:
            fill_id = self._fill(key[1])
            xf = copy.deepcopy(self._base_xf(index))
            xf.set("fillId", str(fill_id))
            xf.set("applyFill", "1")
            self._fill_xfs[key] = self._append(self._section("cellXfs"), xf)
        return self._fill_xfs[key]

    def font(self, kind: str) -> int:
        """A cell format of the default font made bold (``kind="bold"``) or a blue underlined link."""
        if kind not in self._font_xfs:
            fonts, items = self._items("fonts", "font")
            font = copy.deepcopy(items[0]) if items else etree.Element(self._tag("font"))
            for child in [c for c in font if _local(c) in (("b",) if kind == "bold" else ("u", "color"))]:
                font.remove(child)
            if kind == "bold":
                etree.SubElement(font, self._tag("b")).set("val", "1")
            else:
                etree.SubElement(font, self._tag("u")).set("val", "single")
                etree.SubElement(font, self._tag("color")).set("rgb", "FF" + LINK_COLOR)
            order = {name: i for i, name in enumerate(_FONT_ORDER)}
            font[:] = sorted(font, key=lambda c: order.get(_local(c), len(order)))
            font_id = self._append(fonts, font)
            xf = etree.Element(self._tag("xf"))
            for key, val in (("numFmtId", "0"), ("fontId", str(font_id)), ("fillId", "0"), ("borderId", "0")):
                xf.set(key, val)
            xf.set("xfId", "0")
            xf.set("applyFont", "1")
            self._base_xf(0)  # the default format exists before ours
            self._font_xfs[kind] = self._append(self._section("cellXfs"), xf)
        return self._font_xfs[kind]


def _styles(out: _Output, wb_part: str, wb_rels: etree._Element) -> tuple[str, _Styles]:
    for rel in _relationships(wb_rels):
        if rel.get("Type", "").endswith("/styles") and rel.get("TargetMode") != "External":
            part = out.pkg.find(_resolve(wb_part, rel.get("Target", "")))
            if part is not None:
                return part, _Styles(_parse(out.pkg.read(part)))
    part = out.new_name(posixpath.join(posixpath.dirname(wb_part), "styles{}.xml"))
    rel_ns = _relationship_ns(wb_rels)
    _add_relationship(wb_rels, f"{rel_ns}/styles", _relative(part, wb_part))
    out.override(part, _CT_STYLES)
    styles = _Styles(_parse(_MINIMAL_STYLES.encode()))
    styles.changed = True
    return part, styles


def _relationship_ns(wb_rels: etree._Element) -> str:
    """The namespace of relationship types (transitional or strict), from the workbook's own relationships."""
    for rel in _relationships(wb_rels):
        rel_type = rel.get("Type", "")
        if rel_type.endswith(("/worksheet", "/styles", "/theme")):
            return rel_type.rsplit("/", 1)[0]
    return _R_NS


# --- notes -----------------------------------------------------------------------------------------------


class _ShapeIds:
    """Allocates VML shape ids, in blocks of 1024 that no other drawing of the package uses."""

    def __init__(self, pkg: _Package) -> None:
        self.used: set[int] = set()
        for info in pkg.infos:
            if info.filename.lower().endswith(".vml"):
                data = pkg.read(info.filename)
                for m in _IDMAP_DATA.finditer(data):
                    self.used |= {int(x) for x in re.findall(rb"\d+", m.group(1))}
                self.used |= {int(x) // _BLOCK for x in _SHAPE_ID.findall(data.decode("latin-1"))}

    def fresh_block(self) -> int:
        block = max(self.used, default=0) + 1
        self.used.add(block)
        return block

    def allocate(self, blocks: list[int], taken: set[int], count: int) -> list[int]:
        """``count`` ids not ``taken`` in a drawing's ``blocks``, which get a fresh block appended when full
        (the first id of a block, a multiple of 1024, is not used: Excel's first shape is 1025)."""
        ids: list[int] = []
        i = 0
        while len(ids) < count:
            if i == len(blocks):
                blocks.append(self.fresh_block())
            start = blocks[i] * _BLOCK
            free = (n for n in range(start + 1, start + _BLOCK) if n not in taken)
            ids.extend(itertools.islice(free, count - len(ids)))
            i += 1
        return ids


def _note_shape(shape_id: int, shape_type: str, row: int, col: int, text: str) -> etree._Element:
    """A hidden note's VML shape for the cell (row, col), 1-based, sized roughly to its text."""
    lines = sum(max(1, math.ceil(len(line) / 22)) for line in text.split("\n"))
    height_rows = min(max(lines + 1, 4), 24)
    r0, c0 = row - 1, col - 1
    top = max(r0 - 1, 0)
    shape = etree.Element(f"{{{_V}}}shape")
    shape.set("id", f"_x0000_s{shape_id}")
    shape.set("type", f"#{shape_type}")
    shape.set(
        "style",
        f"position:absolute;margin-left:80pt;margin-top:2pt;width:216pt;height:{height_rows * 15}pt;"
        "z-index:1;visibility:hidden",
    )
    shape.set("fillcolor", "#ffffe1")
    shape.set(f"{{{_O}}}insetmode", "auto")
    etree.SubElement(shape, f"{{{_V}}}fill").set("color2", "#ffffe1")
    shadow = etree.SubElement(shape, f"{{{_V}}}shadow")
    shadow.set("on", "t")
    shadow.set("color", "black")
    shadow.set("obscured", "t")
    etree.SubElement(shape, f"{{{_V}}}path").set(f"{{{_O}}}connecttype", "none")
    textbox = etree.SubElement(shape, f"{{{_V}}}textbox")
    textbox.set("style", "mso-direction-alt:auto")
    etree.SubElement(textbox, "div").set("style", "text-align:left")
    data = etree.SubElement(shape, f"{{{_X}}}ClientData")
    data.set("ObjectType", "Note")
    etree.SubElement(data, f"{{{_X}}}MoveWithCells")
    etree.SubElement(data, f"{{{_X}}}SizeWithCells")
    anchor = f"{c0 + 1}, 15, {top}, 10, {c0 + 4}, 15, {top + height_rows}, 4"
    etree.SubElement(data, f"{{{_X}}}Anchor").text = anchor
    etree.SubElement(data, f"{{{_X}}}AutoFill").text = "False"
    etree.SubElement(data, f"{{{_X}}}Row").text = str(r0)
    etree.SubElement(data, f"{{{_X}}}Column").text = str(c0)
    return shape


def _shape_type(shape_id: str) -> etree._Element:
    """The VML shape type of notes (a text box, o:spt 202)."""
    shape_type = etree.Element(f"{{{_V}}}shapetype")
    shape_type.set("id", shape_id)
    shape_type.set("coordsize", "21600,21600")
    shape_type.set(f"{{{_O}}}spt", "202")
    shape_type.set("path", "m,l,21600r21600,l21600,xe")
    etree.SubElement(shape_type, f"{{{_V}}}stroke").set("joinstyle", "miter")
    path = etree.SubElement(shape_type, f"{{{_V}}}path")
    path.set("gradientshapeok", "t")
    path.set(f"{{{_O}}}connecttype", "rect")
    return shape_type


def _comment(ns: str, ref: str, author_id: int, text: str) -> etree._Element:
    comment = etree.Element(f"{{{ns}}}comment")
    comment.set("ref", ref)
    comment.set("authorId", str(author_id))
    t = etree.SubElement(etree.SubElement(comment, f"{{{ns}}}text"), f"{{{ns}}}t")
    t.text = _xstring(text)
    if text != text.strip() or "\n" in text or "\r" in text:
        t.set(f"{{{_XML_NS}}}space", "preserve")
    return comment


def _vml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="UTF-8")  # no XML declaration, as Excel writes VML


class _Notes:
    """Notes for the marked sheets (see the module docstring for what is done with existing notes)."""

    def __init__(self, out: _Output, rel_ns: str) -> None:
        self.out = out
        self.rel_ns = rel_ns
        self.ids = _ShapeIds(out.pkg)

    def add(self, ws: _Sheet, part: str, notes: dict[tuple[int, int], str]) -> None:
        pkg = self.out.pkg
        rels_name = pkg.find(_rels_part(part)) or _rels_part(part)
        rels = _parse(pkg.read(rels_name)) if pkg.find(rels_name) else None
        legacy = ws.root.find(ws._tag("legacyDrawing"))
        comments_rel = None
        if rels is not None:
            comments_rel = next(
                (r for r in _relationships(rels)
                 if r.get("Type", "").endswith("/comments") and r.get("TargetMode") != "External"),
                None,
            )  # fmt: skip
        if legacy is None and comments_rel is None:
            self._new(ws, part, rels_name, rels if rels is not None else _new_rels(), notes)
        elif legacy is not None and comments_rel is not None and rels is not None:
            self._extend(ws, part, rels, legacy, comments_rel, notes)
        # else: a legacy drawing of controls only, or comments without a drawing: no notes on this sheet

    def _new(self, ws: _Sheet, part: str, rels_name: str, rels: etree._Element, notes: dict) -> None:
        out = self.out
        comments_part = out.new_name("xl/comments{}.xml")
        vml_part = out.new_name("xl/drawings/vmlDrawing{}.vml")

        comments = etree.Element(f"{{{ws.ns}}}comments", nsmap={None: ws.ns})
        etree.SubElement(etree.SubElement(comments, f"{{{ws.ns}}}authors"), f"{{{ws.ns}}}author").text = AUTHOR
        comment_list = etree.SubElement(comments, f"{{{ws.ns}}}commentList")

        vml = etree.Element("xml", nsmap={"v": _V, "o": _O, "x": _X})
        layout = etree.SubElement(vml, f"{{{_O}}}shapelayout")
        layout.set(f"{{{_V}}}ext", "edit")
        idmap = etree.SubElement(layout, f"{{{_O}}}idmap")
        idmap.set(f"{{{_V}}}ext", "edit")
        vml.append(_shape_type("_x0000_t202"))
        blocks = [self.ids.fresh_block()]
        ids = self.ids.allocate(blocks, set(), len(notes))
        idmap.set("data", ",".join(map(str, blocks)))
        for shape_id, ((row, col), text) in zip(ids, sorted(notes.items()), strict=True):
            comment_list.append(_comment(ws.ns, a1(row, col), 0, text))
            vml.append(_note_shape(shape_id, "_x0000_t202", row, col, text))

        _add_relationship(rels, f"{self.rel_ns}/comments", _relative(comments_part, part))  # found by type
        vml_id = _add_relationship(rels, f"{self.rel_ns}/vmlDrawing", _relative(vml_part, part))
        r_ns = _r_namespace(ws.root, self.rel_ns)
        nsmap = {} if r_ns in ws.root.nsmap.values() else {"r": r_ns}
        legacy = etree.Element(ws._tag("legacyDrawing"), nsmap=nsmap)
        legacy.set(f"{{{r_ns}}}id", vml_id)
        following = next((c for c in ws.root if _local(c) in _AFTER_LEGACY_DRAWING), None)
        if following is not None:
            following.addprevious(legacy)
        else:
            ws.root.append(legacy)

        out.put(rels_name, _serialize(rels))
        out.put(comments_part, _serialize(comments))
        out.put(vml_part, _vml_bytes(vml))
        out.override(comments_part, _CT_COMMENTS)
        out.typed_by_extension(vml_part, _CT_VML)

    def _extend(
        self,
        ws: _Sheet,
        part: str,
        rels: etree._Element,
        legacy: etree._Element,
        comments_rel: etree._Element,
        notes: dict[tuple[int, int], str],
    ) -> None:
        pkg = self.out.pkg
        vml_rid = _rel_id(legacy)
        vml_rel = next((r for r in _relationships(rels) if r.get("Id") == vml_rid), None)
        if vml_rel is None or vml_rel.get("TargetMode") == "External":
            return
        vml_part = pkg.find(_resolve(part, vml_rel.get("Target", "")))
        comments_part = pkg.find(_resolve(part, comments_rel.get("Target", "")))
        if vml_part is None or comments_part is None:
            return
        try:
            comments = _parse(pkg.read(comments_part))
        except etree.XMLSyntaxError:
            return
        if _local(comments) != "comments":
            return
        cns = etree.QName(comments).namespace or ""

        def tag(local: str) -> str:
            return f"{{{cns}}}{local}" if cns else local

        authors = comments.find(tag("authors"))
        names = [a.text or "" for a in authors.iterchildren(tag("author"))] if authors is not None else []
        have: dict[tuple[int, int], etree._Element] = {}
        for c in comments.iter(tag("comment")):
            try:
                have.setdefault(_parse_ref(c.get("ref", "").split(":")[0]), c)
            except ValueError:
                continue
        changed = False
        # A note xlperf wrote on an earlier run (an annotated copy checked again) gets the new message; any
        # other note is the user's and stays as it is.
        for key, text in notes.items():
            old = have.get(key)
            author = old.get("authorId", "") if old is not None else ""
            if author.isdigit() and int(author) < len(names) and names[int(author)] == AUTHOR:
                new = _comment(cns, old.get("ref", ""), int(author), text).find(tag("text"))
                current = old.find(tag("text"))
                if current is None or _key(current) != _key(new):
                    if current is not None:
                        old.replace(current, new)
                    else:
                        old.insert(0, new)
                    changed = True
        todo = {k: v for k, v in notes.items() if k not in have}
        if todo and self._add_shapes(vml_part, todo):
            if authors is None:
                authors = etree.Element(tag("authors"))
                comments.insert(0, authors)
            if AUTHOR in names:
                author_id = names.index(AUTHOR)
            else:
                etree.SubElement(authors, tag("author")).text = AUTHOR
                author_id = len(names)
            comment_list = comments.find(tag("commentList"))
            if comment_list is None:
                comment_list = etree.Element(tag("commentList"))
                authors.addnext(comment_list)
            for (row, col), text in sorted(todo.items()):
                comment_list.append(_comment(cns, a1(row, col), author_id, text))
            changed = True
        if changed:
            self.out.put(comments_part, _serialize(comments))

    def _add_shapes(self, vml_part: str, notes: dict[tuple[int, int], str]) -> bool:
        """Add note shapes to an existing VML drawing; False (and nothing changed) when that is not safe: the
        drawing is not well-formed XML or has no shape-id map to number new shapes from."""
        try:
            vml = _parse(self.out.pkg.read(vml_part))
        except etree.XMLSyntaxError:
            return False  # Excel's VML is not always well-formed: leave the drawing alone
        idmap = next((el for el in vml.iter(f"{{{_O}}}idmap")), None)
        blocks = [int(x) for x in re.findall(r"\d+", idmap.get("data", ""))] if idmap is not None else []
        if idmap is None or not blocks:
            return False
        taken = {int(x) for x in _SHAPE_ID.findall(etree.tostring(vml, encoding="unicode"))}
        ids = self.ids.allocate(blocks, taken, len(notes))
        idmap.set("data", ",".join(map(str, blocks)))
        shape_type = next(
            (st.get("id") for st in vml.iter(f"{{{_V}}}shapetype") if st.get(f"{{{_O}}}spt") == "202" and st.get("id")),
            None,
        )
        if shape_type is None:
            known = {el.get("id") for el in vml.iter() if isinstance(el.tag, str)}
            shape_type = "_x0000_t202" if "_x0000_t202" not in known else "_xlperf_t202"
            vml.append(_shape_type(shape_type))
        for shape_id, ((row, col), text) in zip(ids, sorted(notes.items()), strict=True):
            vml.append(_note_shape(shape_id, shape_type, row, col, text))
        self.out.put(vml_part, _vml_bytes(vml))
        return True


def _r_namespace(root: etree._Element, rel_ns: str) -> str:
    """The namespace of r:id attributes in a part: its declared relationships namespace, else the workbook's."""
    for uri in root.nsmap.values():
        if uri and uri.endswith("/relationships") and "package" not in uri:
            return uri
    return rel_ns


# --- the result sheet ------------------------------------------------------------------------------------


def _result_sheet_xml(result: ResultSheet, ns: str, styles: _Styles) -> bytes:
    root = etree.Element(f"{{{ns}}}worksheet", nsmap={None: ns})

    def sub(parent: etree._Element, local: str, **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, f"{{{ns}}}{local}")
        for key, val in attrs.items():
            el.set(key, val)
        return el

    sub(root, "dimension", ref="A1")
    view = sub(sub(root, "sheetViews"), "sheetView", workbookViewId="0")
    sub(view, "pane", ySplit="1", topLeftCell="A2", activePane="bottomLeft", state="frozen")
    sub(view, "selection", pane="bottomLeft", activeCell="A2", sqref="A2")
    sub(root, "sheetFormatPr", defaultRowHeight="15")
    if result.widths:
        cols = sub(root, "cols")
        for i, width in enumerate(result.widths, start=1):
            sub(cols, "col", min=str(i), max=str(i), width=str(width), customWidth="1")
    sub(root, "sheetData")
    sub(root, "pageMargins", left="0.7", right="0.7", top="0.75", bottom="0.75", header="0.3", footer="0.3")

    ws = _Sheet(result.name, _serialize(root))
    written: list[tuple[int, int]] = []
    for r, row in enumerate(result.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            ws.write(r, c, CellPatch(value if isinstance(value, str | int | float | bool) else str(value)))
            written.append((r, c))
    if result.rows:
        bold = str(styles.font("bold"))
        for c in range(1, len(result.rows[0]) + 1):
            ws._cell(1, c).set("s", bold)
            written.append((1, c))
    if result.links:
        link = str(styles.font("link"))
        hyperlinks = etree.Element(ws._tag("hyperlinks"))
        for (r, c), target in sorted(result.links.items()):
            ref = a1(r, c)
            ws._cell(r, c).set("s", link)
            written.append((r, c))
            el = etree.SubElement(hyperlinks, ws._tag("hyperlink"))
            el.set("ref", ref)
            el.set("location", _xstring(target))
            shown = result.rows[r - 1][c - 1] if r <= len(result.rows) and c <= len(result.rows[r - 1]) else None
            if isinstance(shown, str) and shown:
                el.set("display", _xstring(shown))
        following = next(c for c in ws.root if _local(c) in _AFTER_HYPERLINKS)
        following.addprevious(hyperlinks)
    ws.update_dimension(written)
    return ws.tobytes()


def _drop_relationships_of(out: _Output, part: str) -> None:
    """Drop a part's rels and the parts reachable only through them (an old result sheet's notes, drawing)."""
    pkg = out.pkg
    pending = [part]
    while pending:
        source = pending.pop()
        rels_name = pkg.find(_rels_part(source))
        if rels_name is None or rels_name in out.dropped:
            continue
        targets = {
            found
            for rel in _relationships(_parse(pkg.read(rels_name)))
            if rel.get("TargetMode") != "External"
            and (found := pkg.find(_resolve(source, rel.get("Target", "")))) is not None
        }
        out.drop(rels_name)
        still = _referenced(out)
        for target in targets - still - out.dropped - {part}:
            out.drop(target)
            pending.append(target)


def _referenced(out: _Output) -> set[str]:
    """Every part some relationship of the package (not dropped) points at."""
    pkg = out.pkg
    found: set[str] = set()
    for info in pkg.infos:
        name = info.filename
        if not name.endswith(".rels") or name in out.dropped:
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")])
        try:
            root = _parse(out.read(name))
        except etree.XMLSyntaxError:
            continue
        for rel in _relationships(root):
            if rel.get("TargetMode") != "External":
                target = pkg.find(_resolve(source, rel.get("Target", "")))
                if target is not None:
                    found.add(target)
    return found


def _add_result_sheet(
    out: _Output,
    wb_part: str,
    wb_root: etree._Element,
    wb_rels: etree._Element,
    sheet_parts: dict[str, str],
    styles: _Styles,
    result: ResultSheet,
) -> None:
    ns = etree.QName(wb_root).namespace or _MAIN_NS
    data = _result_sheet_xml(result, ns, styles)
    existing = sheet_parts.get(result.name)
    if existing is not None:
        if _local(_parse(out.pkg.read(existing))) != "worksheet":
            raise ValueError(f"the workbook has a sheet named {result.name!r} that is not a worksheet")
        _drop_relationships_of(out, existing)
        out.put(existing, data)
        return
    part = out.new_name(posixpath.join(posixpath.dirname(wb_part), "worksheets", "sheet{}.xml"))
    rel_ns = _relationship_ns(wb_rels)
    rid = _add_relationship(wb_rels, f"{rel_ns}/worksheet", _relative(part, wb_part))
    sheets = next(el for el in wb_root if _local(el) == "sheets")
    ids = [int(s.get("sheetId")) for s in sheets if _local(s) == "sheet" and (s.get("sheetId") or "").isdigit()]
    sheet = etree.SubElement(sheets, f"{{{ns}}}sheet")
    sheet.set("name", result.name)
    sheet.set("sheetId", str(max(ids, default=0) + 1))
    sheet.set(f"{{{_r_namespace(wb_root, rel_ns)}}}id", rid)
    out.put(part, data)
    out.override(part, _CT_WORKSHEET)


# --- the entry point -------------------------------------------------------------------------------------


def mark_package(
    package: bytes,
    marks: Mapping[tuple[str, str], tuple[str, str | None]],
    result: ResultSheet | None = None,
) -> bytes:
    """The package with marks and, if given, a result sheet written into it (see the module docstring).

    ``marks`` maps (sheet name, A1 reference) to (fill RGB such as "FFC7CE", note text or None). Raises
    KeyError for an unknown sheet, ValueError for a bad reference or a package that is not a workbook (or
    whose parts are not well-formed XML).
    """
    try:
        return _mark_package(package, marks, result)
    except etree.XMLSyntaxError as err:
        raise ValueError(f"a part of the workbook is not well-formed XML: {err}") from err


def _mark_package(
    package: bytes,
    marks: Mapping[tuple[str, str], tuple[str, str | None]],
    result: ResultSheet | None,
) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        pkg = _Package(zin)
        out = _Output(pkg)
        wb_part = pkg.workbook_part()
        wb_root = _parse(pkg.read(wb_part))
        wb_rels_part = pkg.find(_rels_part(wb_part))
        if wb_rels_part is None:
            raise ValueError("not a spreadsheet package: the workbook has no relationships part")
        wb_rels = _parse(pkg.read(wb_rels_part))
        wb_rels_before = _serialize(wb_rels)
        sheet_parts = _sheet_parts(pkg, wb_part, wb_root, wb_rels)
        styles_part, styles = _styles(out, wb_part, wb_rels)

        by_part: dict[str, tuple[str, dict[tuple[int, int], tuple[str, str | None]]]] = {}
        for (sheet, ref), mark in marks.items():
            if sheet not in sheet_parts:
                raise KeyError(f"no sheet named {sheet!r} in the workbook (sheets: {', '.join(sheet_parts)})")
            by_part.setdefault(sheet_parts[sheet], (sheet, {}))[1][_parse_ref(ref)] = mark

        notes = _Notes(out, _relationship_ns(wb_rels))
        for part, (sheet, cells) in by_part.items():
            ws = _Sheet(sheet, pkg.read(part))
            for (row, col), (rgb, _) in sorted(cells.items()):
                cell = ws.existing_cell(row, col)
                if cell is None:
                    style = ws.default_style(row, col)
                    cell = ws._cell(row, col)
                    if style is not None:
                        cell.set("s", style)
                base = cell.get("s", "0")
                cell.set("s", str(styles.filled(int(base) if base.isdigit() else 0, rgb)))
            ws.update_dimension(list(cells))
            texts = {key: note for key, (_, note) in cells.items() if note}
            if texts:
                notes.add(ws, part, texts)
            out.put(part, ws.tobytes())

        if result is not None:
            _add_result_sheet(out, wb_part, wb_root, wb_rels, sheet_parts, styles, result)
            if result.name not in sheet_parts:
                out.put(wb_part, _serialize(wb_root))
        if styles.changed:
            out.put(styles_part, _serialize(styles.root))
        if _serialize(wb_rels) != wb_rels_before:
            out.put(wb_rels_part, _serialize(wb_rels))
        return out.write(zin)
