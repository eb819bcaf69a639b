"""The interface every recalculation engine implements, and what it returns.

``engine.compute(source)`` takes a workbook (its bytes or its path) and returns a :class:`Result` with an
outcome for every formula cell of the workbook (as :func:`xlperf.recalc.package.read_package` finds them):

- :class:`Computed` — the engine computed this value;
- :class:`Unsupported` — the formula uses something the engine does not implement (a function, named; or a
  feature such as a multi-cell array formula), or depends on such a cell: whatever value the engine put
  there is not a computation of the formula, and is not given;
- :class:`Failed` — the engine could not evaluate the cell (a formula it cannot parse, a circular
  reference, no value produced), with the reason.

A workbook the engine cannot load at all, or that takes longer or more memory than allowed, gives a Result
whose ``status`` says so (``load_error``, ``timeout``, ``memory``, ``crashed``) and no cells.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from xlperf.recalc import DEFAULT_ENGINE, ENGINES
from xlperf.recalc.package import Cell, Package, without_external_links
from xlperf.recalc.values import Value

__all__ = ["DEFAULT_ENGINE", "ENGINES", "Computed", "Engine", "Failed", "Outcome", "Result", "Unsupported"]

Source = bytes | str | os.PathLike[str]


@dataclass(frozen=True, slots=True)
class Computed:
    value: Value


@dataclass(frozen=True, slots=True)
class Unsupported:
    what: tuple[str, ...]  # function names (SUM, FORECAST.ETS) or features ("array formula")
    via: str = ""  # for a formula that only depends on such a cell: that cell, "Sheet1!B3"


@dataclass(frozen=True, slots=True)
class Failed:
    reason: str


Outcome = Computed | Unsupported | Failed


@dataclass
class Result:
    engine: str
    cells: dict[Cell, Outcome] = field(default_factory=dict)
    status: str = "ok"  # ok | load_error | timeout | memory | crashed
    message: str = ""
    seconds: float = 0.0  # the engine's own time: loading and evaluating the workbook
    peak_rss_mb: float | None = None  # of the engine's child process, when it runs in one
    wall_seconds: float | None = None  # of the child process, start-up and imports included

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Engine(Protocol):
    name: str

    def compute(self, source: Source, package: Package | None = None) -> Result:
        """Recalculate every formula of the workbook; ``package`` is the workbook already read, if it was."""
        ...


def get_engine(name: str, **options: object) -> Engine:
    """The engine called ``name`` ("ironcalc" or "formulas"); options go to its constructor."""
    if name == "ironcalc":
        from xlperf.recalc.ironcalc_engine import IronCalcEngine

        return IronCalcEngine(**options)  # type: ignore[arg-type]
    if name == "formulas":
        from xlperf.recalc.formulas_engine import FormulasEngine

        return FormulasEngine(**options)  # type: ignore[arg-type]
    raise ValueError(f"unknown recalculation engine {name!r} (engines: {', '.join(ENGINES)})")


def load(source: Source) -> tuple[bytes, str | None]:
    """The bytes of a workbook and its path (None when given as bytes)."""
    if isinstance(source, bytes | bytearray):
        return bytes(source), None
    path = os.fspath(source)
    with open(path, "rb") as f:
        return f.read(), path


class UnreadablePackage(Exception):
    """The package could not be read to prepare the engine's copy (not a zip file, a part that does not
    decompress): the engine is not given it."""


@contextmanager
def engine_copy(
    data: bytes, path: str | None = None, prepare: Callable[[bytes], bytes | None] | None = None
) -> Iterator[str]:
    """The path of the copy of a workbook an engine loads — never the workbook itself: its links to other
    files neutralised (:func:`xlperf.recalc.package.without_external_links`), then changed by ``prepare``
    if given (None: no change), written alone into a new private directory (so that a relative name
    resolves to nothing), removed afterwards. ``path`` is the original's, for its extension (.xlsm stays
    .xlsm). Raises :class:`UnreadablePackage` when the package cannot be read."""
    try:
        prepared = without_external_links(data)
        if prepare is not None:
            prepared = prepare(prepared) or prepared
    except MemoryError:
        raise
    except Exception as exc:  # zipfile, zlib, lxml: whatever a damaged package gives
        raise UnreadablePackage(f"{type(exc).__name__}: {exc}".strip()) from exc
    suffix = os.path.splitext(path)[1].lower() if path else ""
    directory = tempfile.mkdtemp(prefix="xlperf-recalc-")
    try:
        copy = os.path.join(directory, "workbook" + (suffix if suffix in (".xlsx", ".xlsm") else ".xlsx"))
        with open(copy, "wb") as f:
            f.write(prepared)
        yield copy
    finally:
        shutil.rmtree(directory, ignore_errors=True)
