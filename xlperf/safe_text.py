"""Text from a workbook, written out so that it stays text in every report.

A cell holds whatever was typed into it — ``=HYPERLINK("http://x","y")``, ``=cmd|' /C calc'!A0``, ``+1+1``,
``<script>`` — or written by a program: an ESC character is one ``_x001B_`` away in the sheet's XML. That
text reaches findings' messages and values, file names reach every line, and from there the reports. Each
writer passes text through the function here for its format, so that it shows as what it is and does
nothing:

- :func:`html`: HTML-escaped, quotes included, so the same text is safe in element text and in an
  attribute (the batch HTML report);
- :func:`xlsx_value` and :func:`xlsx_text`: a cell openpyxl can write, holding the text as a string — never
  a formula, whatever it starts with (the batch .xlsx report);
- :func:`printable` and :func:`markup`: text for a terminal, control characters shown as symbols instead of
  acting on the terminal, and for rich (the findings table) its markup brackets escaped too;
- :func:`utf8`: a file name whose bytes are not UTF-8, as text a UTF-8 terminal, JSON or database takes.

JSON needs nothing here: ``json.dumps`` writes any text as a JSON string, control characters escaped. xlperf
writes no CSV report; were it to, a field starting with one of :data:`FORMULA_LEAD` would get a leading "'"
(the usual rule against CSV injection).
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take for the start of a formula when the text is typed or imported again."""

EXCEL_CELL_CHARS = 32767
"""The most characters an Excel cell holds."""

# C0 controls but tab and line feed, DEL, and the C1 controls: they move the cursor, recolour, retitle a
# terminal. Bidirectional overrides reorder what is shown around them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def looks_like_formula(text: object) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_LEAD)


def html(value: Any) -> str:
    """HTML-escaped text ("" for None), quotes too, so that it is inert in an attribute as well."""
    return escape("" if value is None else str(value), quote=True)


def xlsx_value(value: Any) -> Any:
    """A value openpyxl can write: text without the control characters XML cannot carry, cut to Excel's
    32,767 characters a cell; anything else as it is."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_CELL_CHARS]


def xlsx_text(cell: Any) -> Any:
    """Make an openpyxl cell holding text a string cell, whatever the text starts with (openpyxl takes a str
    starting with "=" for a formula); text that looks like a formula also gets Excel's text prefix (the "'"
    a person would type), so that editing the cell in Excel keeps it text. Returns the cell."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if looks_like_formula(cell.value):
            cell.quotePrefix = True
    return cell


def utf8(text: str) -> str:
    """Text that any UTF-8 output takes. A file name that is not UTF-8 (a GBK name unpacked from a zip on
    Linux) reaches Python with its bytes as lone surrogates, which a UTF-8 terminal, JSON file or SQLite
    database refuses: those bytes are shown as ``\\xNN`` escapes instead. Text without them is returned
    as it is."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _picture(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL …
    return "\u2421" if code == 0x7F else "\ufffd"


def printable(text: Any) -> str:
    """Text for a terminal: each control character shown as a symbol (ESC as ␛) instead of acting on it,
    and no lone surrogate (see :func:`utf8`)."""
    return _CONTROL.sub(_picture, utf8("" if text is None else str(text)))


def markup(text: Any) -> str:
    """:func:`printable` text with rich's markup escaped: for a rich table or ``Console.print``, where
    "[bold]" or "[link=…]" in a file name or a cell would otherwise be styling."""
    from rich.markup import escape as escape_markup

    return escape_markup(printable(text))
