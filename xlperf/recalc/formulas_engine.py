"""The formulas library (``formulas`` on PyPI, optional extra ``[formulas]``) as a recalculation engine.

formulas compiles the workbook into a graph of Python functions (``ExcelModel().loads(path).finish()``) and
calculates it. It runs in a child process with a time limit and a memory limit (:mod:`xlperf.recalc.child`):
some workbooks take it minutes and gigabytes.

What it cannot do, and how it is found:

- a function it does not implement is compiled as a call to an unknown name and gives ``#NAME?``, with
  only a log line: every formula calling a function that is not in formulas' function table is reported
  unsupported, naming the function, whatever value it got (INDIRECT is supported only with a literal text
  argument, and reported otherwise);
- a formula it fails on at calculation time (an argument shape it does not broadcast, an exception in a
  function) gets no value: failed (formulas logs the exception; the log is kept quiet here);
- circular references are solved as formulas does (``finish(circular=True)``); a cell left at ``#CIRC!``
  is failed.

formulas opens any other workbook a formula refers to (through an external link, or by a path written in
the formula). It is given a copy of the workbook whose links are neutralised, alone in a new directory
(:func:`xlperf.recalc.engine.engine_copy`), and may open that copy only; a formula that refers to another
workbook fails, saying so (:func:`xlperf.recalc.graph.mark_other_workbooks`), and keeps its cached value.
"""

from __future__ import annotations

import logging
import os
import re
import time

from xlperf.recalc import DEFAULT_MEMORY_MB, DEFAULT_TIME_LIMIT
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
from xlperf.recalc.formula_text import function_name, functions
from xlperf.recalc.graph import mark_other_workbooks, propagate_unsupported
from xlperf.recalc.package import Cell, Package, read_package
from xlperf.recalc.values import XlError

_KEY = re.compile(r"^'\[(?P<book>[^\]]*)\](?P<sheet>(?:[^']|'')*)'!(?P<ref>[A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)$")
_LITERAL_INDIRECT = re.compile(r'INDIRECT\("(?:[^"]|"")*"\)', re.IGNORECASE)
_NOT_INSTALLED = "formulas 未安装 (not installed: pip install 'xlperf[formulas]')"
# Parsed by formulas as special tokens, not looked up in its function table.
_SPECIAL = frozenset({"LAMBDA", "LET"})


class FormulasEngine:
    name = "formulas"

    def __init__(
        self,
        isolate: bool = True,
        time_limit: float = DEFAULT_TIME_LIMIT,
        memory_mb: int | None = DEFAULT_MEMORY_MB,
        circular: bool = True,
    ) -> None:
        self.isolate = isolate
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self.circular = circular

    def compute(self, source: Source, package: Package | None = None) -> Result:
        data, path = load(source)
        try:
            with engine_copy(data, path) as copy:  # its external links neutralised, alone in a new directory
                if self.isolate:
                    import importlib.util

                    from xlperf.recalc.child import run_isolated

                    if importlib.util.find_spec("formulas") is None:
                        return Result(self.name, status="load_error", message=_NOT_INSTALLED)

                    return run_isolated(self.name, copy, self.time_limit, self.memory_mb)
                return self._compute(copy, package or read_package(data))
        except UnreadablePackage as exc:
            return Result(self.name, status="load_error", message=str(exc))

    def _compute(self, path: str, package: Package) -> Result:
        start = time.perf_counter()
        try:
            import formulas
            from formulas.excel import xlreader
            from formulas.functions import get_functions
        except ImportError as exc:
            import importlib.util

            if importlib.util.find_spec("formulas") is None:
                return Result(self.name, status="load_error", message=_NOT_INSTALLED)
            raise MemoryError("its libraries could not be loaded") from exc  # installed, yet no memory
        quiet = logging.NullHandler()
        loggers = [logging.getLogger(name) for name in ("formulas", "schedula")]
        saved = [(lg.propagate, lg.level) for lg in loggers]
        for lg in loggers:
            lg.addHandler(quiet)
            lg.propagate = False
            lg.setLevel(logging.WARNING)
        own = os.path.abspath(path)
        load_workbook = xlreader.load_workbook

        def own_book_only(filename, *args, **kwargs):
            # formulas opens every other workbook a formula names — through an external link ([1]Sheet1!A1,
            # the link's path resolved against the workbook's folder), a path in the formula itself
            # ('/dir/[book.xlsx]Sheet1'!A1), a defined name or a literal INDIRECT — by this function, as it
            # meets it: it may open this workbook only, and takes the others as missing (#REF!).
            if not isinstance(filename, str) or os.path.abspath(filename) != own:
                raise FileNotFoundError("xlperf 不打开其他工作簿 (another workbook is never opened)")
            return load_workbook(filename, *args, **kwargs)

        xlreader.load_workbook = own_book_only
        try:
            try:
                model = formulas.ExcelModel().loads(path).finish(circular=self.circular)
            except MemoryError:
                raise
            except Exception as exc:
                message = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
                return Result(self.name, status="load_error", message=message, seconds=time.perf_counter() - start)
            solution = model.calculate()
            cells = _outcomes(package, solution, set(get_functions()), os.path.basename(path).upper())
        finally:
            xlreader.load_workbook = load_workbook
            for lg, (propagate, level) in zip(loggers, saved, strict=True):
                lg.removeHandler(quiet)
                lg.propagate = propagate
                lg.setLevel(level)
        return Result(self.name, cells, seconds=time.perf_counter() - start)


def _known(name: str, table: set[str]) -> bool:
    return name in table or f"_XLFN.{name}" in table or f"_XLFN._XLWS.{name}" in table or name in _SPECIAL


def _missing_functions(text: str, table: set[str], names: set[str], memo: dict[str, list[str]]) -> list[str]:
    """The functions a formula calls that formulas does not implement (a defined name holding a LAMBDA is
    the workbook's own function, not missing)."""
    if text not in memo:
        stripped = _LITERAL_INDIRECT.sub("0", text)
        memo[text] = [f for f in functions(stripped) if not _known(function_name(f), table) and f not in names]
    return memo[text]


def _convert(value: object) -> object:
    """A value of formulas' solution as a plain value: float, str, bool, XlError or None."""
    from formulas.tokens.operand import XlError as FormulasError

    if isinstance(value, FormulasError):
        return XlError(str(value))
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return None  # formulas' EMPTY: the formula gave no value (formulas itself writes an empty cell)


def _outcomes(package: Package, solution, table: set[str], book: str | None = None) -> dict[Cell, Outcome]:
    """Each formula cell's outcome from formulas' solution, whose keys name the workbook: only ``book``'s
    cells (upper case, as formulas names it) are this workbook's."""
    sheets = {name.upper(): name for name in package.sheets}
    values: dict[Cell, object] = {}
    ranges: dict[tuple[str, str], object] = {}
    for key, rng in solution.items():
        if not isinstance(key, str):
            continue
        m = _KEY.match(key)
        if m is None or (book is not None and m.group("book").upper() != book):
            continue
        sheet = sheets.get(m.group("sheet").replace("''", "'"))
        if sheet is None:
            continue
        array = getattr(rng, "value", None)
        if array is None:
            continue
        ref = m.group("ref")
        if ":" in ref:
            ranges[(sheet, ref)] = array
        else:
            try:
                values[(sheet, *_split(ref))] = array[0][0]
            except (IndexError, TypeError):
                continue

    out: dict[Cell, Outcome] = {}
    memo: dict[str, list[str]] = {}
    names = {name for _, name in package.names}
    for key, cell in package.cells.items():
        missing = _missing_functions(cell.text, table, names, memo)
        if missing:
            out[key] = Unsupported(tuple(missing))
            continue
        if key in values:
            raw = values[key]
        elif cell.array and (cell.sheet, cell.array.replace("$", "").upper()) in ranges:
            array = ranges[(cell.sheet, cell.array.replace("$", "").upper())]
            r0, c0 = _split(cell.array.split(":")[0].replace("$", "").upper())
            try:
                raw = array[cell.row - r0][cell.col - c0]
            except IndexError:
                raw = None
        else:
            out[key] = Failed("formulas 未计算该单元格 (formulas produced no value)")
            continue
        value = _convert(raw)
        if isinstance(value, XlError) and value.code == "#CIRC!":
            out[key] = Failed("循环引用未收敛 (circular reference left unsolved by formulas)")
            continue
        out[key] = Computed(value)  # type: ignore[arg-type]

    propagate_unsupported(package, out)
    mark_other_workbooks(package, out)
    return out


def _split(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters) :]), col
