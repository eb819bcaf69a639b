"""Which formulas depend on which: what is said of a cell (its formula is volatile, its function is not
implemented) is said of every formula that reads it, directly or through other formulas.

References are found in the formula text (cells, ranges, whole columns and rows, other sheets, defined
names); a cell of a multi-cell array formula depends on the array's first cell. References made at run time
(INDIRECT, OFFSET's result, structured table references) are not followed: a formula that reaches a cell
only that way is not found to depend on it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping

from xlperf.recalc.engine import Computed, Failed, Outcome, Unsupported
from xlperf.recalc.formula_text import Area, area, other_workbook, reference_tokens, references, shifted
from xlperf.recalc.package import Cell, FormulaCell, Package

_NAME_DEPTH = 8
OTHER_WORKBOOK = "引用其他工作簿，未重算"


class _Reader:
    """The areas each formula cell reads, computed once per distinct formula text and moved for the cells
    of a shared formula."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.sheets = {name.lower(): name for name in package.sheets}
        self._tokens: dict[str, tuple[list[tuple[str | None, str, str]], list[str]]] = {}
        self._names: dict[tuple[str, str], list[tuple[str, Area]]] = {}

    def _parsed(self, text: str):
        found = self._tokens.get(text)
        if found is None:
            found = self._tokens[text] = reference_tokens(text)
        return found

    def _resolve(self, sheet: str | None, home: str) -> str | None:
        return self.sheets.get(sheet.lower()) if sheet is not None else home

    def _name_areas(self, name: str, home: str, depth: int = 0) -> list[tuple[str, Area]]:
        """The areas a defined name refers to, as seen from sheet ``home`` (names within names followed)."""
        key = (name, home)
        if key in self._names:
            return self._names[key]
        self._names[key] = []  # a name that refers to itself ends here
        target = self.package.defined_name(name, home)
        out: list[tuple[str, Area]] = []
        if target and depth < _NAME_DEPTH:
            found, names = references(target)
            out = [(s, a) for a in found if (s := self._resolve(a.sheet, home)) is not None]
            for inner in names:
                out += self._name_areas(inner, home, depth + 1)
        self._names[key] = out
        return out

    def areas(self, cell: FormulaCell) -> list[tuple[str, Area]]:
        refs, names = self._parsed(cell.text)
        rows, cols = cell.shift
        out: list[tuple[str, Area]] = []
        for sheet, kind, text in refs:
            if rows or cols:
                text = shifted(text, rows, cols)
                if text == "#REF!":
                    continue
            target = self._resolve(sheet, cell.sheet)
            found = area(kind, text, sheet)
            if target is not None and found is not None:
                out.append((target, found))
        for name in names:
            out += self._name_areas(name, cell.sheet)
        if not cell.master and cell.array:
            first = cell.array.split(":")[0]
            out.extend((cell.sheet, a) for a in references(first)[0])
        return out


class _Index:
    """Cells of one sheet by column, rows sorted: which of them fall in an area."""

    def __init__(self, keys: Iterable[Cell]) -> None:
        self.columns: dict[int, list[int]] = {}
        for _, row, col in keys:
            self.columns.setdefault(col, []).append(row)
        for rows in self.columns.values():
            rows.sort()

    def hit(self, a: Area) -> tuple[int, int] | None:
        for col, rows in self.columns.items():
            if a.col1 <= col <= a.col2:
                i = bisect_left(rows, a.row1)
                if i < len(rows) and rows[i] <= a.row2:
                    return rows[i], col
        return None


def dependents(package: Package, seeds: Iterable[Cell]) -> dict[Cell, Cell]:
    """Every formula cell that depends on one of ``seeds`` (not counting the seeds), mapped to the seed it
    depends on."""
    marked: dict[Cell, Cell] = {seed: seed for seed in seeds}
    if not marked:
        return {}
    reader = _Reader(package)
    reads = {key: reader.areas(cell) for key, cell in package.cells.items() if key not in marked}
    frontier = dict(marked)
    while frontier:
        by_sheet: dict[str, list[Cell]] = {}
        for key in frontier:
            by_sheet.setdefault(key[0], []).append(key)
        index = {sheet: _Index(keys) for sheet, keys in by_sheet.items()}
        found: dict[Cell, Cell] = {}
        for key, areas in reads.items():
            if key in marked:
                continue
            for sheet, a in areas:
                hit = _hit(a, sheet, index.get(sheet), frontier)
                if hit is not None:
                    found[key] = marked[hit]
                    break
        marked.update(found)
        frontier = found
    return {key: seed for key, seed in marked.items() if key != seed}


def _hit(a: Area, sheet: str, index: _Index | None, frontier: Mapping[Cell, Cell]) -> Cell | None:
    if index is None:
        return None
    if a.row1 == a.row2 and a.col1 == a.col2:
        key = (sheet, a.row1, a.col1)
        return key if key in frontier else None
    found = index.hit(a)
    return (sheet, *found) if found is not None else None


def reading(package: Package, keys: Iterable[Cell], candidates: set[Cell]) -> dict[Cell, Cell]:
    """For each of ``keys`` whose formula reads one of ``candidates`` directly (other than itself): that
    candidate."""
    if not candidates:
        return {}
    reader = _Reader(package)
    by_sheet: dict[str, list[Cell]] = {}
    for cand in candidates:
        by_sheet.setdefault(cand[0], []).append(cand)
    index = {sheet: _Index(cells) for sheet, cells in by_sheet.items()}
    lookup = dict.fromkeys(candidates, ("", 0, 0))
    out: dict[Cell, Cell] = {}
    for key in keys:
        for sheet, a in reader.areas(package.cells[key]):
            hit = _hit(a, sheet, index.get(sheet), lookup)
            if hit is not None and hit != key:
                out[key] = hit
                break
    return out


def propagate_unsupported(package: Package, out: dict[Cell, Outcome]) -> None:
    """A computed formula that reads an unsupported cell is unsupported too: its value rests on one that was
    not computed."""
    seeds = [key for key, outcome in out.items() if isinstance(outcome, Unsupported)]
    for key, seed in dependents(package, seeds).items():
        if isinstance(out.get(key), Computed):
            origin = out[seed]
            assert isinstance(origin, Unsupported)
            cell = package.cells[seed]
            out[key] = Unsupported(origin.what, via=f"{cell.sheet}!{cell.ref}")


def _reads_other_workbook(package: Package, text: str, sheet: str, depth: int = 0) -> bool:
    """Whether a formula (or a defined name's, as seen from ``sheet``; names within names followed) refers
    to another workbook."""
    if other_workbook(text):
        return True
    if depth >= _NAME_DEPTH:
        return False
    for name in reference_tokens(text)[1]:
        target = package.defined_name(name, sheet)
        if target and _reads_other_workbook(package, target, sheet, depth + 1):
            return True
    return False


def mark_other_workbooks(package: Package, out: dict[Cell, Outcome]) -> None:
    """A formula that refers to another workbook, itself or through a defined name, is not computed: no
    engine is given the other workbook (xlperf never opens a workbook's external links), so whatever value
    the engine gave it is not the formula's — it fails, saying so, and keeps its cached value; and so does
    every formula that reads it (unless already unsupported for a reason of its own)."""
    seen: dict[tuple[str, str], bool] = {}
    seeds = []
    for key, cell in package.cells.items():
        found = seen.get((cell.text, cell.sheet))
        if found is None:
            found = seen[(cell.text, cell.sheet)] = _reads_other_workbook(package, cell.text, cell.sheet)
        if found:
            seeds.append(key)
            out[key] = Failed(f"{OTHER_WORKBOOK} (refers to another workbook: not recalculated)")
    for key, seed in dependents(package, seeds).items():
        if not isinstance(out.get(key), Unsupported):
            cell = package.cells[seed]
            out[key] = Failed(f"{OTHER_WORKBOOK}（经由 {cell.sheet}!{cell.ref}）")
