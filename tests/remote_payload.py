"""The other side of xlwings' remote engine, for the tests: what the Excel client sends and does.

``payload`` shapes a workbook file as the xlwings Office.js client sends it with each request (the book,
its names, and per sheet its name, values from A1, used range address, visibility and which cells have
notes). ``apply`` does to that payload what the client does to the workbook with the actions a request
returns — only the actions that change what the next request would carry: sheets added, deleted or hidden,
values written (Excel drops the ' text prefix), notes added or deleted. Fills, formulas, selection and
alerts are not part of the payload and are left out. This stands in for Excel, not for xlwings: the
engine under test is xlwings' own.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from xlperf.a1 import a1
from xlperf.book import open_book

LICENSE = "noncommercial"  # xlwings PRO's PolyForm Noncommercial licence; it covers government use


def remote_engine(monkeypatch: Any) -> Any:
    """xlwings with its remote engine. The licence key is read when xlwings is first imported; when another
    test imported it before without one, the engine is registered now, as xlwings' own import does."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", LICENSE)
    import xlwings as xw

    if not any(e.name == "remote" for e in xw.engines):
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))
    return xw


def payload(path: Path | str, client: str = "Office.js", name: str | None = None) -> dict[str, Any]:
    book = open_book(path)
    sheets = []
    for sheet in book.sheet_names():
        data = book.read(sheet)
        sheets.append(_sheet(sheet, data.values, client, hidden=data.hidden))
    return {
        "client": client,
        "version": version(),
        "book": {"name": name or Path(path).name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


def version() -> str:
    from importlib.metadata import version as installed

    return installed("xlwings")


def _sheet(name: str, values: list[list[Any]], client: str, hidden: bool = False) -> dict[str, Any]:
    width = max((len(r) for r in values), default=0)
    grid = [[_json(v) for v in row] + [""] * (width - len(row)) for row in values] or [[]]
    sheet: dict[str, Any] = {"name": name, "values": grid, "pictures": [], "tables": []}
    if client == "Office.js":
        sheet.update(
            visibility="Hidden" if hidden else "Visible",
            shapes=[],
            charts=[],
            notes=[],
            notes_supported=True,
            print_area=None,
            pivot_tables=[],
            show_gridlines=True,
            used_range_address=used_range(grid),
        )
    return sheet


def used_range(grid: list[list[Any]]) -> str | None:
    """The address of the used range as Excel gives it: from the first used cell, not from A1."""
    cells = [(r, c) for r, row in enumerate(grid, 1) for c, v in enumerate(row, 1) if v != ""]
    if not cells:
        return None
    r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
    r1, c1 = max(r for r, _ in cells), max(c for _, c in cells)
    return f"{a1(r0, c0)}:{a1(r1, c1)}"


def _json(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat() + ("T00:00:00" if type(v) is dt.date else "") + ".000Z"
    return v


def apply(state: dict[str, Any], actions: list[dict[str, Any]]) -> dict[str, Any]:
    """The payload of the next request, after the client ran ``actions`` on the workbook."""
    state = copy.deepcopy(state)
    sheets = state["sheets"]
    client = state["client"]
    for action in actions:
        func, args, pos = action["func"], action["args"], action["sheet_position"]
        if func == "addSheet":
            sheets.insert(args[0], _sheet(args[1], [], client))
        elif func == "sheetDelete":
            del sheets[pos]
        elif func == "setSheetVisibility":
            sheets[pos]["visibility"] = args[0]
        elif func == "setValues":
            _write(sheets[pos], action["start_row"], action["start_column"], action["values"])
        elif func == "addNote":
            sheets[pos]["notes"].append({"address": args[0]})
        elif func == "deleteNote":
            key = args[0].replace("$", "")
            sheets[pos]["notes"] = [n for n in sheets[pos]["notes"] if n["address"].replace("$", "") != key]
    return state


def _write(sheet: dict[str, Any], row0: int, col0: int, block: list[list[Any]]) -> None:
    grid = [list(r) for r in sheet["values"] if r] or []
    height = max(len(grid), row0 + len(block))
    width = max(max((len(r) for r in grid), default=0), col0 + max(len(r) for r in block))
    grid = [r + [""] * (width - len(r)) for r in grid] + [[""] * width for _ in range(height - len(grid))]
    for dr, row in enumerate(block):
        for dc, v in enumerate(row):
            if isinstance(v, str) and v.startswith("'"):
                v = v[1:]
            grid[row0 + dr][col0 + dc] = "" if v is None else v
    sheet["values"] = grid
    if "used_range_address" in sheet:
        sheet["used_range_address"] = used_range(grid)
