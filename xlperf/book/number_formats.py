"""Number format codes: the formats Excel has built in, and what a code shows.

A cell's number format is what turns the stored number into what the user sees: 1.23 in a cell formatted
``0%`` reads 123%, 0.9911 formatted ``0.00%`` reads 99.11%. A workbook file stores a cell's style index
(``<c s="3">``); the style (``cellXfs``) names a format id; ids from 164 are the workbook's own codes
(``numFmts``), the ids below are built in (:data:`BUILTIN_FORMATS`).

Codes are read by :func:`tokens`, which tells what the code shows from what it only quotes: ``"%"`` and
``\\%`` are a literal percent sign (no scaling), ``_%`` is the width of one, ``*%`` fills with it, and what is
in brackets (``[Red]``, ``[>=100]``, ``[$-804]``) is a colour, a condition or a locale. This module is pure:
no spreadsheet library, no XML.
"""

from __future__ import annotations

from collections.abc import Iterator

# The built-in formats as Excel shows them in a Chinese (zh-CN) installation: the ids of ECMA-376 Part 1
# §18.8.30 with the codes that Excel reports for them there (ids 14 and 22, the short date, follow the
# locale: yyyy/m/d; ids 27–36 and 50–58 are the East Asian dates and times). Ids 5–8 and 41–44 are the
# locale's currency and accounting formats.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: '"¥"#,##0;"¥"\\-#,##0',
    6: '"¥"#,##0;[Red]"¥"\\-#,##0',
    7: '"¥"#,##0.00;"¥"\\-#,##0.00',
    8: '"¥"#,##0.00;[Red]"¥"\\-#,##0.00',
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "yyyy/m/d",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "yyyy/m/d h:mm",
    27: 'yyyy"年"m"月"',
    28: 'm"月"d"日"',
    29: 'm"月"d"日"',
    30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"',
    33: 'h"时"mm"分"ss"秒"',
    34: '上午/下午h"时"mm"分"',
    35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"',
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    41: '_ * #,##0_ ;_ * \\-#,##0_ ;_ * "-"_ ;_ @_ ',
    42: '_ "¥"* #,##0_ ;_ "¥"* \\-#,##0_ ;_ "¥"* "-"_ ;_ @_ ',
    43: '_ * #,##0.00_ ;_ * \\-#,##0.00_ ;_ * "-"??_ ;_ @_ ',
    44: '_ "¥"* #,##0.00_ ;_ "¥"* \\-#,##0.00_ ;_ "¥"* "-"??_ ;_ @_ ',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mm:ss.0",
    48: "##0.0E+0",
    49: "@",
    50: 'yyyy"年"m"月"',
    51: 'm"月"d"日"',
    52: 'yyyy"年"m"月"',
    53: 'm"月"d"日"',
    54: 'm"月"d"日"',
    55: '上午/下午h"时"mm"分"',
    56: '上午/下午h"时"mm"分"ss"秒"',
    57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}

# What Excel reports for the General format: in English, and as a Chinese Excel names it locally.
_GENERAL = frozenset(["general", "g/通用格式"])


def shown(code: str | None) -> str | None:
    """A format code as :meth:`SheetData.number_format` gives it: None for General (or no code)."""
    if code is None or not code.strip() or code.strip().lower() in _GENERAL:
        return None
    return code


def tokens(code: str) -> Iterator[tuple[str, str]]:
    """The parts of a format code that act, in order: ``("char", c)`` for a character that formats (a digit
    placeholder, ``%``, a date letter …), ``("bracket", text)`` for what is in ``[…]`` and ``("section",
    ";")`` between sections. Quoted text, ``\\x`` (a literal x), ``_x`` (the width of x) and ``*x`` (x repeated)
    yield nothing: they are shown as they are."""
    quoted = escaped = False
    bracket: list[str] | None = None
    for ch in code:
        if escaped:
            escaped = False
        elif quoted:
            quoted = ch != '"'
        elif bracket is not None:
            if ch == "]":
                yield "bracket", "".join(bracket)
                bracket = None
            else:
                bracket.append(ch)
        elif ch in "\\_*":
            escaped = True
        elif ch == '"':
            quoted = True
        elif ch == "[":
            bracket = []
        elif ch == ";":
            yield "section", ch
        else:
            yield "char", ch


def is_percent_format(code: str | None) -> bool:
    """Whether a number format shows its number as a percentage (×100, with a % sign): ``0%``, ``0.00%``,
    ``0.0%;[Red]-0.0%``. It is the first section — the one for positive numbers — that decides; a percent
    sign that is quoted (``0.00"%"``) or escaped (``0.00\\%``) is only a character and does not count. None
    (General) and text (``@``) are no percentage."""
    if not code:
        return False
    for kind, text in tokens(code):
        if kind == "section":
            return False
        if kind == "char" and text == "%":
            return True
    return False
