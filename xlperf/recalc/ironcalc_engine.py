"""IronCalc (the ``ironcalc`` package: a Rust engine with Python bindings) as a recalculation engine.

IronCalc loads the .xlsx itself, evaluates every formula, and is asked for the value of each formula cell.
What it cannot do shows in its values, and is turned into outcomes here:

- ``#N/IMPL!`` — a function IronCalc knows but does not implement (FORECAST.ETS), or implements but not
  for these arguments (DATEDIF over arrays): unsupported, naming the function;
- ``#NAME?`` from a function IronCalc does not know at all (BAHTTEXT, WEEK; IronCalc writes the name back
  in lower case) or from an eta-reduced lambda (``BYROW(A1:B2, SUM)``, stored as ``_xleta.SUM``):
  unsupported, naming it; any other ``#NAME?`` is a value, compared as such;
- a multi-cell array formula whose other cells IronCalc leaves empty (it evaluated the formula as one
  value, not as an array): unsupported, "array formula", for every cell of the array;
- ``#ERROR!`` (a formula IronCalc cannot parse) and ``#CIRC!`` (a circular reference; Excel iterates or
  reports it): failed.

IronCalc does not follow a workbook's external links (``[1]Sheet1!A1`` gives ``#ERROR!``); it is given a
copy whose links are neutralised all the same (:func:`xlperf.recalc.engine.engine_copy`), and a formula that
refers to another workbook fails, saying so, and keeps its cached value.

Which functions IronCalc implements is found by asking it: a probe formula ``=NAME()`` gives ``#N/IMPL!``
for a known function without an implementation and ``#NAME?`` for an unknown one.
"""

from __future__ import annotations

import time

from xlperf.recalc.engine import (
    Computed,
    Failed,
    Outcome,
    Result,
    Source,
    UnreadablePackage,
    Unsupported,
    engine_copy,
    load,
)
from xlperf.recalc.formula_text import functions, tokens
from xlperf.recalc.graph import mark_other_workbooks, propagate_unsupported, reading
from xlperf.recalc.package import Cell, Package, read_package, with_parts
from xlperf.recalc.values import XlError

_NOT_IMPLEMENTED = "#N/IMPL!"
_FAILED = {"#ERROR!": "IronCalc 无法解析该公式 (IronCalc cannot parse this formula: #ERROR!)"}
_CIRCULAR = "#CIRC!"
ARRAY_FORMULA = "array formula"
# Stored as functions in the file, read by IronCalc as syntax: A1# (spilled range) and @A1.
_SYNTAX = frozenset({"ANCHORARRAY", "SINGLE"})


class IronCalcEngine:
    name = "ironcalc"

    def __init__(self, locale: str = "en", timezone: str = "UTC") -> None:
        self.locale = locale
        self.timezone = timezone

    def compute(self, source: Source, package: Package | None = None) -> Result:
        import ironcalc

        start = time.perf_counter()
        data, path = load(source)
        if package is None:
            package = read_package(data)
        try:
            with engine_copy(data, path, _relative_sheet_targets) as copy:  # its external links neutralised
                try:
                    model = ironcalc.load_from_xlsx(copy, self.locale, self.timezone)
                    model.evaluate()
                except BaseException as exc:  # the bindings raise WorkbookError, or a PanicException on a bug
                    if isinstance(exc, KeyboardInterrupt | SystemExit):
                        raise
                    message = f"{type(exc).__name__}: {exc}".strip()
                    return Result(self.name, status="load_error", message=message, seconds=time.perf_counter() - start)
        except UnreadablePackage as exc:
            return Result(self.name, status="load_error", message=str(exc), seconds=time.perf_counter() - start)
        cells = _outcomes(ironcalc, model, package)
        return Result(self.name, cells, seconds=time.perf_counter() - start)


def _relative_sheet_targets(data: bytes) -> bytes | None:
    """IronCalc resolves a worksheet's relationship targets against the sheet's folder even when they are
    absolute ("/xl/comments/comment1.xml", as openpyxl writes the notes of every sheet), and then refuses the
    whole workbook ("specified file not found in archive"). A copy for IronCalc with those targets relative
    ("../comments/comment1.xml"); None when there is none. Only the engine reads it: the values are written
    into the original package."""
    import io
    import posixpath
    import re
    import zipfile

    relationship = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
    absolute = re.compile(rb'(\bTarget=")/([^"]*)"')

    def relative(m: re.Match[bytes]) -> bytes:
        if b'TargetMode="External"' in m.group(0):
            return m.group(0)
        return absolute.sub(
            lambda t: t.group(1) + posixpath.relpath(t.group(2).decode(), "xl/worksheets").encode() + b'"', m.group(0)
        )

    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        rels = [i for i in zin.infolist() if re.fullmatch(r"xl/worksheets/_rels/[^/]+\.rels", i.filename)]
        changed = {}
        for info in rels:
            xml = zin.read(info)
            new = relationship.sub(relative, xml)
            if new != xml:
                changed[info.filename] = new
        if not changed:
            return None
        return with_parts(zin, changed)


def _outcomes(ironcalc, model, package: Package) -> dict[Cell, Outcome]:
    index = {props["name"]: i for i, props in enumerate(model.get_worksheets_properties())}
    error_type = ironcalc.CellType.ErrorValue
    raw: dict[Cell, object] = {}
    for key, cell in package.cells.items():
        sheet = index.get(cell.sheet)
        if sheet is None:
            raw[key] = None
            continue
        value = model.get_cell_value(sheet, cell.row, cell.col)
        if isinstance(value, str) and model.get_cell_type(sheet, cell.row, cell.col) == error_type:
            value = XlError(value)
        raw[key] = value

    missing = _missing_functions(ironcalc, package)
    out: dict[Cell, Outcome] = {}
    not_implemented: list[Cell] = []
    for key, value in raw.items():
        text = package.cells[key].text
        if missing.get(text):
            out[key] = Unsupported(tuple(missing[text]))
        elif not isinstance(value, XlError):
            out[key] = Computed(value)  # type: ignore[arg-type]
        elif value.code in _FAILED:
            out[key] = Failed(_FAILED[value.code])
        elif value.code == _CIRCULAR:
            out[key] = Failed("循环引用 (circular reference: IronCalc does not iterate)")
        elif value.code == "#NAME?" and "_xleta." in text.lower():
            eta = [t.text.split(".", 1)[1].upper() for t in tokens(text) if t.text.upper().startswith("_XLETA.")]
            out[key] = Unsupported(tuple(f"{name} (eta lambda)" for name in eta))
        else:
            out[key] = Computed(value)
            if value.code == _NOT_IMPLEMENTED:
                not_implemented.append(key)
    _arrays_not_spilled(package, raw, out)
    if not_implemented:
        # #N/IMPL! from a function IronCalc implements, but not for these arguments (arrays, mostly) — or
        # passed on from a cell it reads, which the propagation below names
        unsupported = {k for k, o in out.items() if isinstance(o, Unsupported)} | set(not_implemented)
        passed_on = reading(package, not_implemented, unsupported)
        for key in not_implemented:
            if isinstance(out[key], Computed) and key not in passed_on:
                found = functions(package.cells[key].text)
                what = f"{', '.join(found)} (not for these arguments)" if found else "this formula"
                out[key] = Unsupported((what,))
    propagate_unsupported(package, out)
    for key in not_implemented:  # anything left: reached through a reference the graph does not see
        if isinstance(out[key], Computed):
            out[key] = Unsupported(("#N/IMPL!",))
    mark_other_workbooks(package, out)
    return out


def _missing_functions(ironcalc, package: Package) -> dict[str, list[str]]:
    """For each distinct formula text, the functions it calls that IronCalc does not implement or does not
    know (a defined name holding a LAMBDA is the workbook's own function)."""
    defined = {name for _, name in package.names} | _SYNTAX
    calls = {text: functions(text) for text in {cell.text for cell in package.cells.values()}}
    names = sorted({name for found in calls.values() for name in found} - defined)
    verdict = _probe(ironcalc, names)
    return {text: [n for n in found if verdict.get(n, "implemented") != "implemented"] for text, found in calls.items()}


def _arrays_not_spilled(package: Package, raw: dict[Cell, object], out: dict[Cell, Outcome]) -> None:
    """A multi-cell array formula whose other cells IronCalc left empty was not evaluated as an array."""
    groups: dict[tuple[str, str], list[Cell]] = {}
    for key, cell in package.cells.items():
        if cell.array:
            groups.setdefault((cell.sheet, cell.array), []).append(key)
    for keys in groups.values():
        others = [k for k in keys if not package.cells[k].master]
        if others and all(raw.get(k) is None for k in others):
            for k in keys:
                if isinstance(out.get(k), Computed):
                    out[k] = Unsupported((ARRAY_FORMULA,))


def _probe(ironcalc, names: list[str]) -> dict[str, str]:
    """For each function name: "implemented", "not implemented" (#N/IMPL!) or "unknown" (#NAME?)."""
    if not names:
        return {}
    model = ironcalc.create("probe", "en", "UTC")
    for row, name in enumerate(names, start=1):
        model.set_user_input(0, row, 1, f"={name}()")
    model.evaluate()
    verdict = {}
    for row, name in enumerate(names, start=1):
        value = model.get_cell_value(0, row, 1)
        verdict[name] = {_NOT_IMPLEMENTED: "not implemented", "#NAME?": "unknown"}.get(value, "implemented")  # type: ignore[arg-type]
    return verdict
