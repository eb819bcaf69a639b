"""Fuzzing the readers and the operations on them: whatever a workbook holds, reading, checking, filling
totals, scoring and inspecting report — they never raise.

Workbooks are generated two ways: the example workbooks mutated as people mutate them (odd values typed
into the label grid, cells cleared, merges added and undone, rows inserted and deleted, sheets renamed,
labels swapped), and small random grids mixing the forms' own labels with random text and numbers. Most
examples go through an in-memory Book (fast); some are written as real .xlsx files with openpyxl and read
back through ``read_file``, so that calamine's view of the values is fuzzed too.

Beyond "did not raise": every finding carries a catalog code and its severity, a sheet of the workbook
and an A1 cell inside that sheet; every edit names a sheet of the workbook and an A1 cell, the first cell
of a merged range and not one hidden inside it, and — unless asked to overwrite — a cell where nothing is
typed; the JSON the commands print can be serialised; annotating the workbook marks existing cells.

The bugs the fuzzing found are kept as regression cases (REGRESSIONS): explicit examples of the fuzz
tests, and plain tests that say what the right answer is.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import example as example_path
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from xlperf.a1 import split
from xlperf.amounts import is_blank
from xlperf.annotate import annotate
from xlperf.book import open_book
from xlperf.book.apply import cell_patches
from xlperf.book.protocol import Merge, SheetData
from xlperf.checks import check_model
from xlperf.checks.amount import NOT_APPLICABLE
from xlperf.errors import WorkbookError
from xlperf.evaluate import score_workbook
from xlperf.forms import basic_data, common, dept_target, project_target, read_book, read_file, self_eval, special_funds
from xlperf.forms import indicators as indicator_forms
from xlperf.forms.grid import Grid
from xlperf.inspect import render_text, summarize
from xlperf.labels import LEVEL1, LEVEL2
from xlperf.model import WorkbookModel
from xlperf.render import file_json
from xlperf.report import Edit, Finding, Report
from xlperf.rules import BY_CODE
from xlperf.totals import fill_totals

SEEDS = ("000", "001", "002", "003", "004")
MAX_ROW, MAX_COL = 1_048_576, 16_384  # Excel's sheet size
_A1 = re.compile(r"^([A-Z]{1,3})([1-9]\d*)$")

# One profile for every test here: reproducible (no example database, derandomised), no deadline.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- an in-memory Book ------------------------------------------------------------------------------------

Sheet = tuple[str, list[list[Any]], list[Merge]]  # name, values from A1, merged ranges


class MemoryBook:
    """The Book protocol over sheets held in memory: what the readers see, without a file."""

    def __init__(self, sheets: list[Sheet], path: str = "fuzz.xlsx") -> None:
        self._path = path
        self.sheets = {name: (values, merges) for name, values, merges in sheets}
        self.marks: dict[tuple[str, int, int], tuple[str, str | None]] = {}
        self.added: dict[str, list[list[Any]]] = {}

    @property
    def path(self) -> str:
        return self._path

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def read(self, sheet: str, formulas: bool = False) -> SheetData:
        values, merges = self.sheets[sheet]
        data = SheetData(sheet, [list(r) for r in values], list(merges))
        if formulas:
            data.formulas = [[None] * len(r) for r in values]
        return data

    def write(self, sheet: str, row: int, col: int, block: list[list[Any]]) -> None:
        values, _ = self.sheets[sheet]
        for dr, line in enumerate(block):
            for dc, v in enumerate(line):
                r, c = row + dr, col + dc
                while len(values) < r:
                    values.append([])
                values[r - 1].extend([None] * (c - len(values[r - 1])))
                values[r - 1][c - 1] = v

    def mark(self, sheet: str, row: int, col: int, fill: str, note: str | None = None) -> None:
        assert sheet in self.sheets, f"mark on a sheet that does not exist: {sheet!r}"
        assert 1 <= row <= MAX_ROW and 1 <= col <= MAX_COL
        self.marks[(sheet, row, col)] = (fill, note)

    def add_sheet(self, name: str, rows: list[list[Any]], links: dict[tuple[int, int], str]) -> None:
        self.added[name] = rows


# --- the example workbooks as plain data --------------------------------------------------------------------


@functools.cache
def seed_sheets(seed: str) -> tuple[Sheet, ...]:
    book = open_book(example_path(seed))
    out = []
    for name in book.sheet_names():
        data = book.read(name)
        out.append((name, data.values, data.merges))
    return tuple(out)


def copy_sheets(sheets: tuple[Sheet, ...] | list[Sheet]) -> list[Sheet]:
    return [(name, [list(r) for r in values], list(merges)) for name, values, merges in sheets]


# --- values people type into cells -------------------------------------------------------------------------

_ALPHABET = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc", "Co"), include_characters="\n\t"
)  # no XML-illegal control characters: openpyxl could not write them

NASTY_TEXT = [
    "1,594.78", "１２３", "12%", "≥95%", '< ="11479', "", " ", "\u3000", "\n", "  \t ",
    "=HYPERLINK(\"#'附表2'!A1\",\"看\")", "=SUM(A1:A3)", "=", "#REF!", "#DIV/0!", "#N/A", "#VALUE!", "14.87万",
    "约10", "——", "-", "/", "无", "1e30", "1" * 40, "9" * 30 + ".99", "-0", ".5", "+.5", "0.000000001", "100%",
    "≤100%", ">=<5", "≥", "(未闭合", "“引号", "2023年", "2023年底前", "12次", "应保尽保", "已及时发放", "完成", "是",
    "是/否", "达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差", "正向", "反向", "等于",
    "满分（10分），完成率*指标分值", "满分(0分)，完成率×指标分值", "效益达标得5分，反之不得分",
    "满意度达标得10分，90%（含）-95%得8分，低于80%不得分", "满意度达标得0分，0%-0%得5分", "产出指标(40分)",
    "产出指标（abc分）", "效益指标（99999999999999999999999999999分）", "合计", "总分", "资金总额：",
    "资金总额：1786.46", "资金总额:-1", "政府性基金拨款：205.49", "一般公共预算：1,594.78", "基本支出：" + "9" * 35,
    "其中：", "其中：项目支出", "1、公务接待费", "其中：公务用车购置", "3、市级专项资金",
    "共计92.63万元，其中35.41万元、4.83万元", "92.63万元+35.41万元+4.83万元", "10万元/人", "x" * 3000, "a\nb\nc",
    "≧上一年标准", "不低于最低生活保障标准的1.3倍", "12:00", "2024-01-01", "TRUE", "FALSE", "NaN", "inf", "Infinity",
    "-1e-400", "1E+999999",
]  # fmt: skip

NUMBERS = st.one_of(
    st.integers(-1000, 100_000),
    st.integers(-(10**40), 10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda f: round(f, 2)),
    st.sampled_from([0, 0.0, -0.0, 1e-300, 5e-324, 1e300, 1.7976931348623157e308, 2**53 + 1, 0.1 + 0.2]),
)


def _labels() -> list[str]:
    """The labels the readers anchor on, taken from the readers themselves."""
    found: set[str] = set()
    tables: list[Any] = [
        indicator_forms.COLUMNS,
        special_funds.SUMMARY_COLUMNS,
        special_funds.DETAIL_COLUMNS,
        self_eval.FUND_COLUMNS,
        dept_target.TASK_COLUMNS,
        dept_target.PLAN_COLUMNS,
    ]
    for table in tables:
        for aliases in table.values():
            found.update(aliases)
    for group in (
        special_funds.DIRECTION, special_funds.DIRECTION_STOP, special_funds.END, self_eval.UNIT, self_eval.GRADE,
        self_eval.STOP, dept_target.NAME, dept_target.TOTAL, dept_target.SECTIONS, dept_target.STOP,
        project_target.BUDGET, project_target.FISCAL, project_target.OTHER, project_target.PLAN_LABELS,
        project_target.STOP, common.INCOME_PARTS, common.SPENDING_PARTS, indicator_forms.STOP_PREFIXES,
        basic_data.END, tuple(LEVEL1), tuple(a for aliases in LEVEL1.values() for a in aliases), tuple(LEVEL2),
        tuple(a for aliases, _ in LEVEL2.values() for a in aliases),
        ("编制数", "实际在职人数", "控制率", "经费控制情况", "经费控制情况（万元）", "三公经费", "公用经费",
         "支出方向（子项）", "部门（单位）名称", "资金支出计划（%）", "年度预算申请（万元）", "按收入性质分",
         "按支出性质分", "预期目标", "实际完成情况", "年度总体目标", "序号"),
    ):  # fmt: skip
        found.update(group)
    return sorted(found)


LABELS = _labels()
LABEL = st.sampled_from(LABELS)
SPACED_LABEL = st.tuples(LABEL, st.sampled_from(["", " ", "\n", "：", "(万元)", "（40分）", "\u3000"])).map(
    lambda t: t[0][: len(t[0]) // 2] + t[1] + t[0][len(t[0]) // 2 :] if t[1] in (" ", "\n") else t[0] + t[1]
)

CELL_VALUE = st.one_of(
    st.none(),
    NUMBERS,
    NUMBERS.map(lambda n: f"{n:,}" if isinstance(n, int) else str(n)),  # numbers as text
    NUMBERS.map(lambda n: f"{n}%"),
    st.tuples(st.sampled_from(["≥", "≤", ">", "<", "=", "不低于", "达到", "< =", "≥≥", ""]), NUMBERS,
              st.sampled_from(["%", "次", "人", "万元", "元", "天", "个", "", "‰", "年"])).map(
        lambda t: f"{t[0]}{t[1]}{t[2]}"),
    st.sampled_from(NASTY_TEXT),
    LABEL,
    SPACED_LABEL,
    st.text(_ALPHABET, max_size=20),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda d: d.replace(microsecond=0)),
    st.sampled_from([dt.time(12, 30), dt.timedelta(hours=36, minutes=5)]),
)  # fmt: skip

SHEET_NAME = st.one_of(
    st.sampled_from(
        ["附表2", "附表3", "附表3 (2)", "Sheet1 (2)", "Sheet1", "部门整体支出绩效目标表", "附件3", "校验结果",
         "填表说明", "'引号'内", "名!感叹号", "a,b;c", "（全角）括号", "x" * 31, "一二三四五六七八九十" * 3 + "一",
         "1", " 前后空格 ", "附表3", "Sheet-名", "#&%+~"]
    ),
    st.text(st.sampled_from(list("附表三部门整体项目支出绩效 ()（）-_.,!&'#1234567890ab")), min_size=1, max_size=31),
)  # fmt: skip


def fit_name(name: str, taken: set[str]) -> str:
    """A sheet name Excel (and openpyxl) accepts, unique in the workbook ignoring case."""
    name = re.sub(r"[\\*?:/\[\]]", "_", name).strip("'")[:31] or "S"
    if not name.strip():
        name = "S"
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


# --- mutations ----------------------------------------------------------------------------------------------

_I = st.integers(0, 10_000)  # an index, taken modulo the size of what it indexes

MUTATION = st.one_of(
    st.tuples(st.just("set"), _I, _I, _I, CELL_VALUE),
    st.tuples(st.just("set_label"), _I, _I, _I, SPACED_LABEL),
    st.tuples(st.just("beside"), _I, _I, st.integers(0, 2), CELL_VALUE),
    st.tuples(st.just("beside"), _I, _I, st.integers(0, 2), NUMBERS),
    st.tuples(st.just("relabel"), _I, _I, SPACED_LABEL),
    st.tuples(st.just("clear"), _I, _I, _I),
    st.tuples(st.just("clear_row"), _I, _I),
    st.tuples(st.just("merge"), _I, _I, _I, st.integers(0, 4), st.integers(0, 4)),
    st.tuples(st.just("unmerge"), _I, _I),
    st.tuples(st.just("unmerge_all"), _I),
    st.tuples(st.just("insert_row"), _I, _I, st.booleans()),
    st.tuples(st.just("delete_row"), _I, _I, st.booleans()),
    st.tuples(st.just("insert_col"), _I, _I),
    st.tuples(st.just("swap_cells"), _I, _I, _I, _I, _I),
    st.tuples(st.just("swap_rows"), _I, _I, _I),
    st.tuples(st.just("rename"), _I, SHEET_NAME),
    st.tuples(st.just("drop_sheet"), _I),
    st.tuples(st.just("copy_sheet"), _I, SHEET_NAME),
)


def _cell(values: list[list[Any]], r: int, c: int) -> None:
    """Make room for (r, c), 0-based."""
    while len(values) <= r:
        values.append([])
    values[r].extend([None] * (c + 1 - len(values[r])))


def _shift_merges(merges: list[Merge], at: int, delta: int, fix: bool) -> list[Merge]:
    """Merges after inserting (delta 1) or deleting (delta -1) row ``at`` (1-based), as Excel moves them;
    without ``fix`` they stay where they were (a sheet edited by a tool that forgets them)."""
    if not fix:
        return merges
    out = []
    for m in merges:
        lo, hi = m.min_row, m.max_row
        if delta > 0:
            lo, hi = lo + (lo >= at), hi + (hi >= at)
        else:
            if lo == hi == at:
                continue
            lo, hi = lo - (lo > at), hi - (hi >= at)
        if lo < hi or m.min_col < m.max_col:  # a range shrunk to one cell is no longer merged
            out.append(Merge(lo, m.min_col, hi, m.max_col))
    return out


def mutate(sheets: list[Sheet], ops: list[tuple[Any, ...]]) -> list[Sheet]:
    for op in ops:
        if not sheets:
            return sheets
        kind, s = op[0], op[1] % len(sheets)
        name, values, merges = sheets[s]
        n_rows = max(len(values), 1)
        n_cols = max((len(r) for r in values), default=1) or 1
        if kind in ("set", "set_label", "clear"):
            r, c = op[2] % (n_rows + 2), op[3] % (n_cols + 2)
            _cell(values, r, c)
            values[r][c] = None if kind == "clear" else op[4]
        elif kind in ("beside", "relabel"):
            # Into the label grid: a value beside or under the k-th label, or another label in its place.
            labels = [(r, c) for r, row in enumerate(values) for c, v in enumerate(row) if isinstance(v, str)]
            if labels:
                r, c = labels[op[2] % len(labels)]
                if kind == "relabel":
                    values[r][c] = op[3]
                else:
                    r, c = (r + 1, c) if op[3] == 2 else (r, c + 1 + op[3])
                    _cell(values, r, c)
                    values[r][c] = op[4]
        elif kind == "clear_row":
            r = op[2] % n_rows
            _cell(values, r, 0)
            values[r] = [None] * len(values[r])
        elif kind == "merge":
            r, c = op[2] % n_rows + 1, op[3] % n_cols + 1
            if op[4] or op[5]:
                merges.append(Merge(r, c, r + op[4], c + op[5]))
        elif kind == "unmerge" and merges:
            merges.pop(op[2] % len(merges))
        elif kind == "unmerge_all":
            merges = []
        elif kind == "insert_row":
            r = op[2] % (n_rows + 1)
            values.insert(r, [])
            merges = _shift_merges(merges, r + 1, 1, op[3])
        elif kind == "delete_row" and values:
            r = op[2] % len(values)
            del values[r]
            merges = _shift_merges(merges, r + 1, -1, op[3])
        elif kind == "insert_col":
            c = op[2] % (n_cols + 1)
            for row in values:
                if len(row) > c:
                    row.insert(c, None)
            merges = [
                Merge(m.min_row, m.min_col + (m.min_col > c), m.max_row, m.max_col + (m.max_col > c)) for m in merges
            ]
        elif kind == "swap_cells":
            r1, c1 = op[2] % n_rows, op[3] % n_cols
            r2, c2 = op[4] % n_rows, (op[3] + op[4]) % n_cols
            _cell(values, r1, c1)
            _cell(values, r2, c2)
            values[r1][c1], values[r2][c2] = values[r2][c2], values[r1][c1]
        elif kind == "swap_rows":
            r1, r2 = op[2] % n_rows, op[3] % n_rows
            _cell(values, max(r1, r2), 0)
            values[r1], values[r2] = values[r2], values[r1]
        elif kind == "rename":
            name = op[2]
        elif kind == "drop_sheet" and len(sheets) > 1:
            del sheets[s]
            continue
        elif kind == "copy_sheet":
            sheets.append((op[2], [list(r) for r in values], list(merges)))
        sheets[s] = (name, values, merges)
    taken: set[str] = set()
    return [(fit_name(name, taken), values, merges) for name, values, merges in sheets]


def mutated_seed(max_ops: int = 12) -> st.SearchStrategy[tuple[str, list[tuple[Any, ...]]]]:
    """A seed and the edits to make to it (kept as data, so that a failing example prints short)."""
    seeds = st.sampled_from([*SEEDS, "001"])  # 001, the only self-evaluation, twice: scoring gets its share
    return st.tuples(seeds, st.lists(MUTATION, min_size=1, max_size=max_ops))


def mutated(case: tuple[str, list[tuple[Any, ...]]]) -> list[Sheet]:
    seed, ops = case
    return mutate(copy_sheets(seed_sheets(seed)), ops)


# --- random grids -------------------------------------------------------------------------------------------

# Label rows as the forms lay them out: a header row, label | value pairs, a body row of values.
HEADER_ROW = st.lists(LABEL, min_size=2, max_size=9)
PAIR_ROW = st.lists(st.tuples(SPACED_LABEL, CELL_VALUE), min_size=1, max_size=3).map(
    lambda pairs: [x for pair in pairs for x in pair]
)
BODY_ROW = st.lists(CELL_VALUE, max_size=9)
INDICATOR_ROW = st.tuples(
    st.sampled_from([*LEVEL1, "", "产出指标（50分）", "效益"]),
    st.sampled_from([*LEVEL2, "", "满意度指标"]),
    st.text(_ALPHABET, max_size=8),
    CELL_VALUE,
    CELL_VALUE,
    CELL_VALUE,
    CELL_VALUE,
).map(list)
# Rows that make each form's detector match, so that its reader runs on the random rest.
SIGNATURES = [
    [["支出方向（子项）", "x"], ["项目金额", 1, "金额", 2], ["一级指标", "二级指标", "三级指标", "指标值"],
     ["支出内容简介", "支出明细", "金额", "支出测算依据及过程说明"]],
    [["序号", "名称", "金额", "实施期绩效目标", "年度绩效目标"], ["合计", None, 3]],
    [["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
     ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"], ["总分"]],
    [["全年预算数", "全年执行数", "执行率"], [100, 50, "50%"], ["一级指标", "三级指标", "指标值", "评(扣)分标准"],
     ["得分"]],
    [["编制数", "实际在职人数", "控制率"], ["经费控制情况（万元）", "2022年", "2023年"], ["三公经费", 1, 2]],
    [["项目名称", "x"], ["预算数", 5], ["3月底", "6月底", "10月底", "12月底"],
     ["一级指标", "二级指标", "三级指标", "指标值", "分值", "评(扣)分标准"]],
    [["部门名称", "x"], ["资金总额：", None], ["基本支出", 1, "项目支出", 2], ["任务名称", "主要内容", "总额"],
     ["一级指标", "二级指标", "三级指标", "指标值"]],
]  # fmt: skip


@st.composite
def random_sheet(draw: st.DrawFn) -> Sheet:
    rows: list[list[Any]] = []
    if draw(st.booleans()):
        rows += [list(r) for r in draw(st.sampled_from(SIGNATURES))]
    rows += draw(st.lists(st.one_of(HEADER_ROW, PAIR_ROW, BODY_ROW, INDICATOR_ROW, st.just([])), max_size=16))
    rows = draw(st.permutations(rows)) if draw(st.booleans()) else rows
    offset = draw(st.integers(0, 2))  # the block need not start in column A
    rows = [[None] * offset + r for r in rows]
    n_rows, n_cols = max(len(rows), 1), max((len(r) for r in rows), default=1) or 1
    merges = [
        Merge(r, c, r + h, c + w)
        for r, c, h, w in draw(
            st.lists(st.tuples(st.integers(1, n_rows), st.integers(1, n_cols), st.integers(0, 3), st.integers(0, 3)),
                     max_size=6)
        )
        if h or w
    ]  # fmt: skip
    return draw(SHEET_NAME), rows, merges


@st.composite
def random_book(draw: st.DrawFn) -> list[Sheet]:
    sheets = draw(st.lists(random_sheet(), min_size=1, max_size=4))
    if draw(st.booleans()):  # alongside a real form, so the cross-checks have something to pair with
        seed = draw(st.sampled_from(SEEDS))
        sheets = [*copy_sheets(seed_sheets(seed))[: draw(st.integers(1, 3))], *sheets]
    taken: set[str] = set()
    return [(fit_name(name, taken), values, merges) for name, values, merges in sheets]


# --- what every result must satisfy -------------------------------------------------------------------------

Grids = dict[str, Grid]  # every sheet of the workbook as the readers saw it


def grids_of(book: Any) -> Grids:
    return {name: Grid(book.read(name)) for name in book.sheet_names()}


def extent(grid: Grid) -> tuple[int, int]:
    """The rows and columns a finding may point into: the used range and its merges, and the column
    right of it (where a value missing beside its label should be typed)."""
    rows = max([grid.n_rows, *(m.max_row for m in grid.data.merges)])
    cols = max([grid.n_cols, *(m.max_col for m in grid.data.merges)]) + 1
    return min(rows, MAX_ROW), min(cols, MAX_COL)


def assert_cell(sheet: str, cell: str, grids: Grids, what: str) -> tuple[int, int]:
    assert sheet in grids, f"{what} names a sheet that is not in the workbook: {sheet!r}"
    assert _A1.match(cell), f"{what} names a cell that is not an A1 reference: {cell!r}"
    row, col = split(cell)
    max_row, max_col = extent(grids[sheet])
    assert 1 <= row <= max_row and 1 <= col <= max_col, f"{what} names {sheet}!{cell}, outside {max_row}×{max_col}"
    return row, col


def overlapping(merges: list[Merge]) -> bool:
    seen: set[tuple[int, int]] = set()
    for m in merges:
        cells = {(r, c) for r in range(m.min_row, m.max_row + 1) for c in range(m.min_col, m.max_col + 1)}
        if cells & seen:
            return True
        seen |= cells
    return False


def assert_findings(findings: list[Finding], grids: Grids) -> None:
    for f in findings:
        assert f.code in BY_CODE, f"finding with a code outside the catalog: {f.code}"
        assert f.severity == BY_CODE[f.code].severity
        assert isinstance(f.message, str) and f.message.strip()
        assert_cell(f.sheet, f.cell, grids, f"finding {f.code} ({f.message})")


def assert_edits(edits: list[Edit], grids: Grids, overwrite: bool) -> None:
    """Edits name a cell of the workbook — the first cell of a merged range, never one hidden inside it —
    and, unless asked to overwrite, only a cell with nothing typed in it (or the inline "资金总额：" slot)."""
    for e in edits:
        what = f"edit {e.sheet}!{e.cell} ({e.reason})"
        row, col = assert_cell(e.sheet, e.cell, grids, what)
        grid = grids[e.sheet]
        if not overlapping(grid.data.merges):  # merges over merges (a damaged file): no cell is "the first"
            assert grid.origin(row, col) == (row, col), f"{what} is inside a merged range"
        assert e.value is not None
        assert e.formula is None or (isinstance(e.formula, str) and e.formula and not e.formula.startswith("="))
        raw = grid.raw(row, col)
        if not overwrite and not e.inline_label:
            assert is_blank(raw) or str(raw).strip() in NOT_APPLICABLE, f"{what} would replace {raw!r}"
    cell_patches(edits)
    cell_patches(edits, values_only=True)


def assert_json(path: str, report: Report) -> None:
    json.dumps(file_json(path, report), ensure_ascii=False)


def exercise(model: WorkbookModel, grids: Grids, book: Any = None) -> None:
    """Every operation on a model: check, fill (both ways), score (both ways), inspect, annotate."""
    assert set(model.unrecognized) <= set(model.sheet_names)
    assert {f.sheet for f in model.forms} <= set(model.sheet_names)
    report = check_model(model)
    assert_findings(report.findings, grids)
    assert_json(model.path, report)
    for overwrite in (False, True):
        filled = fill_totals(model, overwrite=overwrite)
        assert_findings(filled.findings, grids)
        assert_edits(filled.edits, grids, overwrite)
        assert_json(model.path, filled)
        if model.of_kind("self_eval"):
            scored = score_workbook(model, overwrite=overwrite)
            assert_findings(scored.findings, grids)
            assert_edits(scored.edits, grids, overwrite)
            assert_json(model.path, scored)
    summary = summarize(model)
    json.dumps(summary, ensure_ascii=False)
    render_text(summary)
    if book is not None:
        annotate(book, report)


def run_in_memory(sheets: list[Sheet]) -> None:
    book = MemoryBook(sheets)
    exercise(read_book(book), grids_of(book), book)


def write_xlsx(sheets: list[Sheet], path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name, values, merges in sheets:
        ws = wb.create_sheet(name)
        for r, line in enumerate(values, start=1):
            for c, v in enumerate(line, start=1):
                if v is None:
                    continue
                cell = ws.cell(r, c)
                cell.value = v
                if isinstance(v, str) and v.startswith("="):
                    cell.data_type = "s"  # formula-like text stays text, as a person typed it with a quote
        for m in merges:
            ws.merge_cells(start_row=m.min_row, start_column=m.min_col, end_row=m.max_row, end_column=m.max_col)
    wb.save(path)


def run_through_file(sheets: list[Sheet]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.xlsx"
        write_xlsx(sheets, path)
        try:
            model = read_file(str(path))
        except WorkbookError as err:  # for a file that truly cannot be read; openpyxl's output always can
            raise AssertionError(f"a workbook openpyxl wrote could not be read: {err}") from err
        exercise(model, grids_of(open_book(path)))


# --- the tests ----------------------------------------------------------------------------------------------

Case = tuple[str, list[tuple[Any, ...]]]

# Workbooks the fuzzing found to break an operation, kept as regression examples (seed, edits): the sheet,
# row and column indexes are 0-based and taken modulo the sheet's size, as in :func:`mutate`.
NEGATIVE_1E300_BUDGET: Case = ("001", [("set", 1, 4, 4, -1e300)])  # 附件3!E5 全年预算数: cents() raised
TINY_BUDGET: Case = ("001", [("set", 1, 4, 4, 1e-30)])  # 执行率 4.5E+35: its percentage raised
TINY_BUDGET_RATE_EMPTY: Case = ("001", [("set", 1, 4, 4, 1e-30), ("clear", 1, 4, 7)])  # 评分 writes 执行率
HUGE_EXECUTED: Case = ("001", [("set", 1, 4, 4, 0.0001), ("set", 1, 4, 5, 1e25)])
NO_TARGET_COLUMN: Case = ("003", [("clear", 2, 4, 3)])  # 指标值 header cleared: empty_value had no cell
NO_RATE_SCORE_CELL: Case = ("001", [("clear", 1, 3, 8), ("set", 1, 4, 5, 1)])  # 得分 header gone, 执行率 low
NO_ACTUAL_NOR_SCORE: Case = ("001", [("clear", 1, 12, 7), ("clear", 1, 12, 5)])  # manual_needed had no sheet
# 附表3: the value of 项目金额 gone, so the next cell is the label 项目实施期: 填充合计 wrote 14.87 over it.
LABEL_BESIDE_LABEL: Case = ("000", [("set", 2, 3, 1, "所属专项"), ("clear", 2, 3, 4), ("set", 2, 4, 1, "项目实施期")])
# 附表3: 项目金额's value cell B5 inside a blank merged B4:B5: 填充合计 wrote into B5, which Excel hides.
VALUE_INSIDE_MERGE: Case = ("000", [("clear", 2, 3, 1), ("clear", 2, 4, 1), ("merge", 2, 3, 1, 1, 0)])
TEXT_IN_TOTAL: Case = ("004", [("set", 0, 5, 4, "约182万"), ("set", 0, 6, 4, "单位资金：")])  # 填充合计 replaced
# 资金总额 beside a cell holding "14.87万": 填充合计 --overwrite took that text for an inline label, wrote "14.87万：…".
TEXT_BESIDE_TOTAL_LABEL: Case = ("000", [("unmerge_all", 0), ("set", 0, 3, 1, "资金总额"), ("set", 0, 3, 2, "14.87万")])
TEXT_IN_SCORES: Case = ("001", [("set", 1, 13, 7, "约9分"), ("set", 1, 4, 7, "约99%")])  # 评分 replaced them unasked
REGRESSIONS = [
    NEGATIVE_1E300_BUDGET,
    TINY_BUDGET,
    TINY_BUDGET_RATE_EMPTY,
    HUGE_EXECUTED,
    NO_TARGET_COLUMN,
    NO_RATE_SCORE_CELL,
    NO_ACTUAL_NOR_SCORE,
    LABEL_BESIDE_LABEL,
    VALUE_INSIDE_MERGE,
    TEXT_IN_TOTAL,
    TEXT_BESIDE_TOTAL_LABEL,
    TEXT_IN_SCORES,
]


def with_regressions(test: Any) -> Any:
    """The regression cases as explicit examples of a fuzz test: they run first, every time."""
    for case in reversed(REGRESSIONS):
        test = example(case)(test)
    return test


def model_of(case: Case) -> WorkbookModel:
    return read_book(MemoryBook(mutated(case)))


def test_the_unmutated_examples_pass_the_invariants() -> None:
    for seed in SEEDS:
        run_in_memory(copy_sheets(seed_sheets(seed)))
        exercise(read_file(str(example_path(seed))), grids_of(open_book(example_path(seed))))


def test_regression_edits_hit_the_cells_they_are_meant_for() -> None:
    """The regression cases stay meaningful: each edit lands on the label or value it names."""
    sheets = copy_sheets(seed_sheets("001"))
    assert sheets[1][0] == "附件3"
    values = sheets[1][1]
    assert (values[3][4], values[3][5], values[3][8]) == ("全年预算数", "全年执行数", "得分")
    assert (values[12][5], values[12][7]) == ("实际完成值", "得分")
    sheets = copy_sheets(seed_sheets("003"))
    assert sheets[2][1][4][3] == "指标值"


def test_huge_and_tiny_amounts_are_reported_not_raised() -> None:
    findings = check_model(model_of(NEGATIVE_1E300_BUDGET)).findings
    negative = [f for f in findings if f.code == "amount.negative"]
    assert [(f.sheet, f.cell) for f in negative] == [("附件3", "E5")]
    assert Decimal(negative[0].actual) == Decimal("-1E+300")
    rate = [f for f in check_model(model_of(TINY_BUDGET)).findings if f.code == "score.rate_basis"]
    assert [(f.sheet, f.cell) for f in rate] == [("附件3", "H5")]
    edits = score_workbook(model_of(TINY_BUDGET_RATE_EMPTY)).edits
    assert [e.value for e in edits if e.cell == "H5"] == [Decimal("4.5320500E+33")]


def test_empty_value_without_a_target_column_points_at_the_indicator() -> None:
    model = model_of(NO_TARGET_COLUMN)
    empty = [f for f in check_model(model).findings if f.code == "indicator.empty_value"]
    assert empty and all(f.sheet == model.sheet_names[2] and f.cell.startswith("C") for f in empty)


def test_a_missing_value_beside_another_label_is_not_filled_into_the_label() -> None:
    model = model_of(LABEL_BESIDE_LABEL)
    direction = next(f for f in model.forms if f.sheet == "附表3")
    assert direction.amount.value == Decimal("14.87") and direction.project_amount.cell == ""
    assert [e for e in fill_totals(model).edits if e.sheet == "附表3"] == []
    findings = [(f.code, f.cell) for f in check_model(model).findings if f.sheet == "附表3"]
    assert ("form.missing_field", "A1") in findings and ("xref.orphan_sheet", "A1") in findings


def test_a_missing_value_in_a_merged_range_is_written_to_its_first_cell() -> None:
    edits = [(e.sheet, e.cell) for e in fill_totals(model_of(VALUE_INSIDE_MERGE)).edits]
    assert ("附表3", "B4") in edits and ("附表3", "B5") not in edits


def test_text_in_a_total_or_a_score_is_reported_and_replaced_only_on_overwrite() -> None:
    model = model_of(TEXT_IN_TOTAL)
    assert ("amount.not_number", "E6") in [(f.code, f.cell) for f in check_model(model).findings]
    assert not {"E6", "E7"} & {e.cell for e in fill_totals(model).edits}
    assert {"E6", "E7"} <= {e.cell for e in fill_totals(model, overwrite=True).edits}
    model = model_of(TEXT_BESIDE_TOTAL_LABEL)
    assert "C4" not in [e.cell for e in fill_totals(model).edits]
    replaced = [e for e in fill_totals(model, overwrite=True).edits if e.cell == "C4"]
    assert [(e.value, e.formula, e.inline_label) for e in replaced] == [(Decimal("1786.46"), "SUM(E6:E7)", None)]
    model = model_of(TEXT_IN_SCORES)
    assert not {"H14", "H5"} & {e.cell for e in score_workbook(model).edits}
    assert {"H14", "H5"} <= {e.cell for e in score_workbook(model, overwrite=True).edits}


def test_score_findings_without_their_own_cell_point_at_the_nearest_one() -> None:
    reason = [f for f in check_model(model_of(NO_RATE_SCORE_CELL)).findings if f.code == "score.reason_missing"]
    assert ("附件3", "H5") in [(f.sheet, f.cell) for f in reason]  # the 执行率 cell, its 得分 has no header
    manual = [f for f in check_model(model_of(NO_ACTUAL_NOR_SCORE)).findings if f.code == "score.manual_needed"]
    assert manual and all(f.sheet == "附件3" and f.cell.startswith("D") for f in manual)  # the 三级指标 name


@settings(FUZZ, max_examples=200)
@given(mutated_seed())
@with_regressions
def test_mutated_examples_in_memory(case: Case) -> None:
    run_in_memory(mutated(case))


@settings(FUZZ, max_examples=150)
@given(random_book())
def test_random_grids_in_memory(sheets: list[Sheet]) -> None:
    run_in_memory(sheets)


@settings(FUZZ, max_examples=25)
@given(mutated_seed(max_ops=8))
@with_regressions
def test_mutated_examples_through_xlsx_files(case: Case) -> None:
    run_through_file(mutated(case))


@settings(FUZZ, max_examples=20)
@given(random_book())
def test_random_grids_through_xlsx_files(sheets: list[Sheet]) -> None:
    run_through_file(sheets)
