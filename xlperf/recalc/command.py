"""``xlperf recalc FILE --output OUT [--check] [--engine formulas|ironcalc|both]``.

Recalculates every formula of the workbook and writes the new cached values into the original file's
cells: the formulas are kept as they are and only the ``<v>`` of the cells whose value changed is
rewritten (:data:`xlperf.book.patch.KEEP_FORMULA`), so everything else — other cells, styles, charts,
macros, the calculation chain — stays byte for byte. A cell an engine does not support or cannot compute
keeps its cached value and is listed. With ``--engine both`` only the values the two engines agree on are
written; every cell where they disagree with each other or with the cached value is listed.

``--check`` writes nothing and lists the formula cells whose computed value differs from the workbook's
own cached value, with the cells that could not be computed.

Exit code (:data:`EXIT_RULE`): when writing, 0 once the file is written, whatever was recalculated (the
cells that differed are listed, not failed); with ``--check``, 0 when every formula's cached value is
confirmed and 1 when a cell differs, has no cached value, or could not be computed — the opt-in for a
script that wants to know whether a workbook's values are stale; 2 when the file cannot be read, no
engine could load it, or the output cannot be written.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata

EXIT_OK, EXIT_DIFFER, EXIT_UNREADABLE = 0, 1, 2
EXIT_RULE = (
    "退出码：写出文件成功为 0（重新计算改变了的值照样列出）；--check 时，全部缓存值一致为 0，"
    "有不一致、无缓存值或无法计算的单元格为 1；无法读取文件或无法写出为 2。"
)

_VERDICT_ZH = {
    "matched": "一致",
    "differ": "不一致",
    "unsupported": "不支持",
    "error": "无法计算",
    "volatile": "易变函数，未比较",
    "no_cached": "无缓存值",
}


def register(subparsers) -> None:
    """Add the ``recalc`` command to the ``xlperf`` parser's subparsers."""
    from xlperf.book.output import add_output_arguments
    from xlperf.cli import add_password_argument
    from xlperf.recalc import DEFAULT_ENGINE, DEFAULT_MEMORY_MB, DEFAULT_TIME_LIMIT, ENGINES

    p = subparsers.add_parser(
        "recalc",
        help="重新计算全部公式，写入计算结果或与缓存值比较 (recalculate every formula)",
        description="重新计算工作簿中的全部公式：写入新的计算结果（公式和其余内容不变），"
        "或用 --check 与工作簿中缓存的值比较。",
        epilog=EXIT_RULE,
    )
    p.add_argument("file", metavar="FILE", help="工作簿 .xlsx / .xlsm")
    add_output_arguments(p, "已重算")
    add_password_argument(p)
    p.add_argument(
        "--check",
        action="store_true",
        help="只比较，不写文件：列出计算结果与缓存值不一致的单元格；有这样的单元格时退出码为 1",
    )
    p.add_argument(
        "--engine",
        choices=(*ENGINES, "both"),
        default=DEFAULT_ENGINE,
        help=f"计算引擎（默认 {DEFAULT_ENGINE}；both：两个引擎互相核对）",
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="输出格式（默认 table）")
    p.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=f"formulas 引擎的时间上限（默认 {DEFAULT_TIME_LIMIT:g} 秒）",
    )
    p.add_argument(
        "--memory-limit",
        type=int,
        default=DEFAULT_MEMORY_MB,
        metavar="MB",
        help=f"formulas 引擎的内存上限（默认 {DEFAULT_MEMORY_MB} MB）",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xlperf.book.output import plan_output
    from xlperf.book.sniff import open_input
    from xlperf.cli import password_of
    from xlperf.errors import WorkbookError
    from xlperf.recalc.engine import get_engine
    from xlperf.recalc.package import read_package

    try:
        if not args.check:
            args.target = plan_output(args.file, args.output, args.in_place, "已重算")
            args.output = str(args.target.path)
        source = open_input(args.file, password_of(args))
        args.password = source.password
        data = source.data
        try:
            package = read_package(data)
        except Exception as exc:  # a package whose parts do not parse: lxml, zipfile, a bad reference
            raise WorkbookError(args.file, "工作簿内容无法解析", f"malformed workbook: {exc}") from exc
    except WorkbookError as err:
        print(str(err), file=sys.stderr)
        return EXIT_UNREADABLE

    if not package.cells:
        if not args.check:
            if _write(args.file, data, {}, args) is None:
                return EXIT_UNREADABLE
        print(f"{args.file} 中没有公式 (no formulas)")
        return EXIT_OK

    names = ["ironcalc", "formulas"] if args.engine == "both" else [args.engine]
    results = []
    for name in names:
        options = {"time_limit": args.time_limit, "memory_mb": args.memory_limit} if name == "formulas" else {}
        result = get_engine(name, **options).compute(args.file, package)
        if not result.ok:
            print(f"无法用 {name} 重新计算 {args.file}：{result.status} ({result.message})", file=sys.stderr)
        results.append(result)
    if not any(r.ok for r in results):
        return EXIT_UNREADABLE

    if args.engine == "both":
        return _both(args, data, package, results)
    return _single(args, data, package, results[0])


# --- one engine ------------------------------------------------------------------------------------------


def _single(args, data: bytes, package, result) -> int:
    from xlperf.recalc.compare import compare
    from xlperf.recalc.engine import Computed
    from xlperf.recalc.values import same

    comparison = compare(package, result)
    listed = [v for v in comparison.verdicts if v.verdict not in ("matched", "volatile")]
    written = 0
    if not args.check:
        values = {}
        for v in comparison.verdicts:
            if isinstance(v.outcome, Computed) and not (
                v.cell.cached is not None and same(v.outcome.value, v.cell.cached)
            ):
                values[v.cell.key] = v.outcome.value
        written = _write(args.file, data, values, args)
        if written is None:
            return EXIT_UNREADABLE
    counts = comparison.counts
    volatile = [v for v in comparison.verdicts if v.verdict == "volatile"]
    if args.format == "json":
        cells = [
            {
                "sheet": v.cell.sheet,
                "cell": v.cell.ref,
                "formula": "=" + v.cell.formula,
                "cached": _json(v.cell.cached),
                "computed": _json(v.computed) if isinstance(v.outcome, Computed) else None,
                "verdict": v.verdict,
                "note": v.note,
            }
            for v in listed
        ]
        out = {
            "file": args.file,
            "engine": result.engine,
            "output": None if args.check else args.output,
            "written": written,
            "summary": {"formula_cells": len(comparison.verdicts), **{k: counts.get(k, 0) for k in _VERDICT_ZH}},
            "volatile_excluded": [f"{v.cell.sheet}!{v.cell.ref}" for v in volatile],
            "cells": cells,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        rows = []
        for v in listed:
            computed = _show(v.computed) if isinstance(v.outcome, Computed) else "—"
            note = v.note or _VERDICT_ZH[v.verdict]
            rows.append(
                [f"{v.cell.sheet}!{v.cell.ref}", _formula(v.cell.formula), _show(v.cell.cached), computed, note]
            )
        if rows:
            _table(["单元格", "公式", "工作簿中的值", f"重新计算 ({result.engine})", "说明"], rows)
        print(_summary(len(comparison.verdicts), counts, volatile))
        if not args.check:
            print(f"已写入 {written} 个重新计算的值（公式不变）：{args.output}")
    return _exit_code(args, stale=bool(listed))


# --- two engines -----------------------------------------------------------------------------------------


def _both(args, data: bytes, package, results) -> int:
    from xlperf.recalc.compare import cross_check, describe, volatile_cells
    from xlperf.recalc.engine import Computed
    from xlperf.recalc.values import same

    volatile = volatile_cells(package)
    disagreements = cross_check(package, results, volatile)
    written = 0
    if not args.check:
        values = {}
        for key, cell in package.cells.items():
            outcomes = [r.cells.get(key) for r in results if r.ok]
            if len(outcomes) != len(results):
                continue
            first = outcomes[0]
            if not all(isinstance(o, Computed) for o in outcomes) or not isinstance(first, Computed):
                continue
            if not all(same(first.value, o.value) for o in outcomes[1:]):  # type: ignore[union-attr]
                continue
            if cell.cached is None or not same(first.value, cell.cached):
                values[key] = first.value
        written = _write(args.file, data, values, args)
        if written is None:
            return EXIT_UNREADABLE

    def shown(outcome) -> str:
        return _show(outcome.value) if isinstance(outcome, Computed) else describe(outcome) or "—"

    engines = [r.engine for r in results]
    if args.format == "json":
        cells = []
        for d in disagreements:
            entry = {"sheet": d.cell.sheet, "cell": d.cell.ref, "formula": "=" + d.cell.formula}
            entry["cached"] = _json(d.cell.cached)
            for name, outcome in d.outcomes.items():
                if isinstance(outcome, Computed):
                    entry[name] = _json(outcome.value)
                else:
                    entry[name] = {"not_computed": describe(outcome)}
            entry["engines_agree"] = d.engines_agree
            entry["matches_cached"] = d.matches_cached
            cells.append(entry)
        out = {
            "file": args.file,
            "engine": "both",
            "engines": {r.engine: {"status": r.status, "message": r.message} for r in results},
            "output": None if args.check else args.output,
            "written": written,
            "summary": {"formula_cells": len(package.cells), "disagreements": len(disagreements)},
            "volatile_excluded": [f"{package.cells[k].sheet}!{package.cells[k].ref}" for k in volatile],
            "cells": cells,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        rows = []
        for d in disagreements:
            row = [f"{d.cell.sheet}!{d.cell.ref}", _formula(d.cell.formula), _show(d.cell.cached)]
            row += [shown(d.outcomes[name]) for name in engines]
            if d.engines_agree:
                row.append("引擎之间一致，与工作簿中的值不同")
            elif all(isinstance(o, Computed) for o in d.outcomes.values()):
                row.append("引擎之间不一致")
            else:
                row.append("有引擎未能计算")
            rows.append(row)
        if rows:
            _table(["单元格", "公式", "工作簿中的值", *engines, "说明"], rows)
        print(
            f"共 {len(package.cells)} 个公式：{len(disagreements)} 个单元格两个引擎之间或与工作簿中的值不一致"
            + (f"；易变函数（及其引用者）{len(volatile)} 个未比较" if volatile else "")
        )
        if not args.check:
            print(f"已写入 {written} 个两个引擎一致的重新计算值（公式不变）：{args.output}")
    return _exit_code(args, stale=bool(disagreements))


# --- writing and printing --------------------------------------------------------------------------------


def _exit_code(args: argparse.Namespace, stale: bool) -> int:
    """:data:`EXIT_RULE`: a write that succeeded is 0 (a failed one returned 2 before this); only ``--check``
    reports cells whose cached value is not confirmed, with 1."""
    return EXIT_DIFFER if args.check and stale else EXIT_OK


def _write(path: str, data: bytes, values: dict, args: argparse.Namespace) -> int | None:
    """Patch the computed values into the original package (formulas kept) and write it atomically to the
    planned target (for --in-place after a backup; encrypted again when the input was)."""
    from xlperf.a1 import a1
    from xlperf.book.output import write_output
    from xlperf.book.patch import KEEP_FORMULA, CellPatch, patch_cells
    from xlperf.errors import WorkbookError
    from xlperf.recalc.values import XlError

    edits: dict[str, dict[str, CellPatch]] = {}
    for (sheet, row, col), value in values.items():
        cell_value = value.code if isinstance(value, XlError) else value
        edits.setdefault(sheet, {})[a1(row, col)] = CellPatch(cell_value, KEEP_FORMULA)
    try:
        backup = write_output(patch_cells(data, edits), args.target, args.password)
    except WorkbookError as err:
        print(str(err), file=sys.stderr)
        return None
    if backup:
        print(f"原文件已备份为 {backup}")
    return len(values)


def _formula(text: str) -> str:
    """A formula as Excel shows it: without the file format's prefixes (_xlfn.CONCAT is CONCAT)."""
    import re

    return "=" + re.sub(r"(?i)_xl(?:fn|ws|pm)\.", "", text)


def _json(value):
    from xlperf.recalc.values import to_json

    return to_json(value)


def _show(value) -> str:
    from xlperf.recalc.values import show

    return show(value)


def _summary(total: int, counts, volatile) -> str:
    parts = [f"{_VERDICT_ZH[k]} {counts.get(k, 0)}" for k in ("matched", "differ", "unsupported", "error")]
    if counts.get("no_cached"):
        parts.append(f"无缓存值 {counts['no_cached']}")
    line = f"共 {total} 个公式：" + "，".join(parts)
    if volatile:
        from xlperf.recalc.values import VOLATILE

        line += f"；含易变函数（{', '.join(sorted(VOLATILE))}）或引用它们的 {len(volatile)} 个公式未比较"
    return line


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: list[str], rows: list[list[str]], limit: int = 60) -> None:
    """Columns padded to their widest cell (wide characters count double); long cells cut at ``limit``."""

    def cut(text: str) -> str:
        text = text.replace("\n", " ")
        if _width(text) <= limit:
            return text
        out = ""
        for ch in text:
            if _width(out + ch) > limit - 1:
                break
            out += ch
        return out + "…"

    table = [[cut(c) for c in row] for row in [header, *rows]]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(" ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip())
