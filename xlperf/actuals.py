"""The year-end actual values of projects, as a finance clerk fills them in: a CSV file or an .xlsx sheet.

One row per indicator of a project, found by its header labels (in any order, other columns ignored):

========================  ========  ===================================================================
column                    required  what it holds
========================  ========  ===================================================================
项目名称                  yes       the project, as its 项目支出绩效目标表 names it (a blank cell repeats
                                    the project of the row above, as a merged cell in Excel reads)
三级指标                  yes       the indicator, as its target table names it; or 年初预算数 / 全年预算数
                                    / 全年执行数 for the project's money
实际完成值                yes       the actual value ("2380", "96%", "按时发放"); for a money row the
                                    amount in 万元 ("20.00", "19.5万元")
完成等级                  no        for qualitative indicators: 达成年度指标, 部分达成年度指标并具有一定
                                    效果 or 未达成年度指标且效果较差 (达成 / 部分达成 / 未达成 are enough)
偏差原因分析及改进措施    no        why the actual differs from the target, and what is done about it
========================  ========  ===================================================================

Headers are compared with :func:`xlperf.labels.label_key`, so spaces, line breaks, full-width brackets
and a unit suffix ("实际完成值（万元）") do not matter; the 实际完成值 and 偏差原因 columns also take the
aliases of :data:`xlperf.forms.indicators.COLUMNS`. Rows above the header (a title) and blank rows are
skipped. An indicator named twice for one project (a target table may repeat a name, e.g. 补助人数)
gives its actuals to that name's rows in order.

Example (``实际完成值.csv``, UTF-8)::

    项目名称,三级指标,实际完成值,完成等级,偏差原因分析及改进措施
    临时救助专项经费,全年预算数,20.00,,
    临时救助专项经费,全年执行数,19.56,,
    临时救助专项经费,救助人数,2380,,临时困难群众较上年减少
    临时救助专项经费,困难群众生活水平,有所提高,达成年度指标,
    临时救助专项经费,救助对象满意度,96%,,

A CSV may be UTF-8 (with or without the BOM Excel writes for "CSV UTF-8"), GBK/GB18030 (what Excel on
Chinese Windows writes for plain "CSV"), or UTF-16 with a BOM (Excel's "Unicode text", tab-separated);
the encoding and the separator (comma or tab) are detected. An .xlsx (or .xlsm) is read from its first
sheet. Note that Excel stores a cell typed as 96% as the number 0.96: type "96%" as text, or 96 with the
unit in the target table's 度量单位.

Errors the clerk can fix — a missing column, an amount that is not a number, a completion grade that is
none of the three, a project no target table has (:meth:`Actuals.check_projects`) — raise
:class:`xlperf.errors.WorkbookError` with one line naming the file and the row. A row whose 三级指标 is
none of its project's indicators (a misspelt name, or a row under the wrong project) cannot be placed:
:meth:`Actuals.unmatched` finds those rows and :func:`unmatched_note` says, in one line naming the row, the
project and the 三级指标, what to check; they are reported, never dropped silently.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlperf.amounts import to_decimal
from xlperf.errors import WorkbookError
from xlperf.forms.indicators import COLUMNS as INDICATOR_COLUMNS
from xlperf.labels import label_key, norm

ACHIEVED = "达成年度指标"
PARTIAL = "部分达成年度指标并具有一定效果"
NOT_ACHIEVED = "未达成年度指标且效果较差"
GRADES = (ACHIEVED, PARTIAL, NOT_ACHIEVED)

# Field → header labels (as label_key gives them).
HEADERS: dict[str, tuple[str, ...]] = {
    "project": ("项目名称", "项目"),
    "name": (*INDICATOR_COLUMNS["name"], "指标名称"),
    "actual": INDICATOR_COLUMNS["actual"],
    "grade": ("完成等级", "完成情况等级"),
    "reason": INDICATOR_COLUMNS["reason"],
}
REQUIRED = ("project", "name", "actual")

# 三级指标 of the rows that carry the project's money (amount in 实际完成值), as label_key gives them.
MONEY: dict[str, str] = {
    "年初预算数": "initial_budget",
    "全年预算数": "annual_budget",
    "调整后预算数": "annual_budget",
    "全年执行数": "executed",
    "实际执行数": "executed",
}
MONEY_LABELS = {"initial_budget": "年初预算数", "annual_budget": "全年预算数", "executed": "全年执行数"}

_HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class IndicatorActual:
    """What the file says about one indicator of one project; ``row`` is its row in the file."""

    name: str
    actual: str = ""
    grade: str = ""
    reason: str = ""
    row: int = 0


@dataclass
class ProjectActuals:
    """One project's money (万元; None where the file has no row for it) and its indicators' actuals.

    ``indicators`` is keyed by the normalised indicator name (:func:`xlperf.labels.norm`); a name listed
    more than once keeps its rows in file order.
    """

    name: str
    row: int
    initial_budget: Decimal | None = None
    annual_budget: Decimal | None = None
    executed: Decimal | None = None
    indicators: dict[str, list[IndicatorActual]] = field(default_factory=dict)

    def indicator(self, name: str, occurrence: int = 0) -> IndicatorActual | None:
        """The actual of an indicator by name (the ``occurrence``-th row of that name), or None."""
        rows = self.indicators.get(norm(name), [])
        return rows[occurrence] if occurrence < len(rows) else None


@dataclass
class Actuals:
    """The actuals of one file, keyed by the normalised project name."""

    path: str
    projects: dict[str, ProjectActuals] = field(default_factory=dict)

    def project(self, name: str) -> ProjectActuals | None:
        return self.projects.get(norm(name))

    def check_projects(self, names: Iterable[str]) -> None:
        """Raise WorkbookError at the first project of the file that none of ``names`` is (compared with
        :func:`xlperf.labels.norm`)."""
        known = {norm(n) for n in names}
        for key, project in self.projects.items():
            if key not in known:
                raise _error(
                    self.path,
                    project.row,
                    f"项目“{project.name}”没有对应的项目支出绩效目标表，请核对项目名称",
                    f"project {project.name!r} matches no target table",
                )

    def unmatched(self, indicators: Mapping[str, Sequence[str]]) -> list[tuple[ProjectActuals, IndicatorActual]]:
        """The indicator rows that no indicator takes, in file order: ``indicators`` maps a project's name to
        the 三级指标 of its target table, in table order. A row is unmatched when its project is one of
        ``indicators`` and its name is none of that project's (compared with :func:`xlperf.labels.norm`),
        or when the name is listed more often than the table has it (the rows after those it takes, as
        :meth:`ProjectActuals.indicator` gives them out)."""
        out: list[tuple[ProjectActuals, IndicatorActual]] = []
        for name, names in indicators.items():
            project = self.project(name)
            if project is None:
                continue
            counts: dict[str, int] = {}
            for n in names:
                counts[norm(n)] = counts.get(norm(n), 0) + 1
            for key, rows in project.indicators.items():
                out += [(project, row) for row in rows[counts.get(key, 0) :]]
        return sorted(out, key=lambda pair: pair[1].row)

    def without(self, rows: Iterable[IndicatorActual]) -> Actuals:
        """A copy without these indicator rows (those :meth:`unmatched` found, once reported)."""
        dropped = {r.row for r in rows}
        projects = {}
        for key, project in self.projects.items():
            kept = {k: [r for r in v if r.row not in dropped] for k, v in project.indicators.items()}
            projects[key] = replace(project, indicators={k: v for k, v in kept.items() if v})
        return Actuals(self.path, projects)


def unmatched_note(project: ProjectActuals, row: IndicatorActual, indicators: Mapping[str, Sequence[str]]) -> str:
    """One line for a row :meth:`Actuals.unmatched` found: its row in the file, its project and 三级指标, and
    what to check — the spelling (with the project's closest indicator, if one is close), the project's
    name (when another project's table has the indicator), or a row listed twice."""
    names = next((v for k, v in indicators.items() if norm(k) == norm(project.name)), ())
    key = norm(row.name)
    head = f"实际完成值文件第 {row.row} 行：项目“{project.name}”的三级指标“{row.name}”"
    if key in {norm(n) for n in names}:
        count = sum(norm(n) == key for n in names)
        extra = f"在该项目的目标表中只有 {count} 个，这一行多出，未写入自评表"
        return f"{head}{extra}；请核对是否重复填写，或该行的项目名称是否填对"
    others = [p for p, v in indicators.items() if norm(p) != norm(project.name) and key in {norm(n) for n in v}]
    if others:
        where = "、".join(f"“{p}”" for p in others)
        return f"{head}不在该项目的目标表中，未写入自评表；项目{where}的目标表有此指标，请核对该行的项目名称"
    close = difflib.get_close_matches(key, [norm(n) for n in names], n=1, cutoff=0.6)
    spelling = f"是否应为“{next(n for n in names if norm(n) == close[0])}”" if close else "须与目标表中的三级指标一致"
    return f"{head}不在该项目的目标表中，未写入自评表；请核对指标名称的写法（{spelling}），或该行的项目名称是否填对"


def load_actuals(path: str | os.PathLike[str], projects: Iterable[str] | None = None) -> Actuals:
    """Read an actuals file (CSV or .xlsx, see the module docstring).

    With ``projects`` (the names of the target tables), a project of the file that is none of them is an
    error here already; :func:`xlperf.selfeval_writer.write_self_evaluations` checks it in any case.
    """
    p = str(path)
    rows = _rows(p)
    actuals = _parse(p, rows)
    if projects is not None:
        actuals.check_projects(projects)
    return actuals


# --- reading the file into rows of text ----------------------------------------------------------------


def _rows(path: str) -> list[list[str]]:
    """The file's cells as text, one list per spreadsheet row (row 1 first)."""
    from xlperf.book.sniff import read_input

    p = Path(path)
    data = read_input(path, "实际完成值文件")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) or p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return _sheet_rows(path)
    return _csv_rows(path, data)


def _sheet_rows(path: str) -> list[list[str]]:
    from xlperf.book import open_book

    book = open_book(path)
    names = book.sheet_names()
    if not names:
        raise WorkbookError(path, "工作簿里没有工作表", "workbook has no worksheet")
    return [[_text(v) for v in row] for row in book.read(names[0]).values]


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-8 (BOM or not), UTF-16 with a BOM, else
    GB18030 (a superset of GBK, which Excel on Chinese Windows writes). Raises UnicodeDecodeError when it
    is none of them."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def _csv_rows(path: str, data: bytes) -> list[list[str]]:
    try:
        text, _ = decode_csv(data)
    except UnicodeDecodeError as exc:
        raise WorkbookError(
            path,
            "无法识别文件编码（应为 UTF-8 或 GBK）",
            f"unknown text encoding: {exc.reason}",
            "请在 Excel 中“另存为” CSV UTF-8 (逗号分隔)",
        ) from exc
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [
            [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise WorkbookError(path, "CSV 格式有误", f"malformed CSV: {exc}") from exc


def _text(v: Any) -> str:
    """A cell value as the text a person sees (whole floats without ".0")."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v).strip()


# --- rows into the model ---------------------------------------------------------------------------------


def _error(path: str, row: int, zh: str, en: str) -> WorkbookError:
    return WorkbookError(path, f"第 {row} 行：{zh}", f"row {row}: {en}")


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The header row (1-based) and the column (0-based) of each known field in it."""
    wanted = {k for aliases in HEADERS.values() for k in aliases}
    first_filled = 0
    for r, row in enumerate(rows[:_HEADER_SEARCH_ROWS], start=1):
        keys = [label_key(c) for c in row]
        if not first_filled and any(keys):
            first_filled = r
        if sum(k in wanted for k in keys) >= 2:
            return r, _columns(keys)
    if not first_filled:
        return 0, {}
    return first_filled, _columns([label_key(c) for c in rows[first_filled - 1]])


def _columns(keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for c, k in enumerate(keys):
        for fname, aliases in HEADERS.items():
            if fname not in found and k in aliases:
                found[fname] = c
                break
    return found


def parse_grade(text: str) -> str | None:
    """The completion grade a cell names ("" for none), or None when it names none of the three."""
    s = norm(text)
    if not s:
        return ""
    if s.startswith("未达成"):
        return NOT_ACHIEVED
    if s.startswith("部分达成"):
        return PARTIAL
    if s.startswith(("达成", "已达成")):
        return ACHIEVED
    return None


def parse_amount(text: str) -> Decimal | None:
    """An amount in 万元 ("20.00", "1,234.5", "19.5万元"); None when it is not a number."""
    s = norm(text)
    return to_decimal(s.removesuffix("万元"))


def _parse(path: str, rows: list[list[str]]) -> Actuals:
    header, cols = _header(rows)
    if header == 0:
        raise WorkbookError(path, "文件里没有数据", "no data rows")
    missing = [HEADERS[f][0] for f in REQUIRED if f not in cols]
    if missing:
        names = "、".join(f"“{m}”" for m in missing)
        raise _error(path, header, f"表头缺少{names}列", f"header lacks column(s) {', '.join(missing)}")

    def cell(row: list[str], fname: str) -> str:
        c = cols.get(fname)
        return row[c].strip() if c is not None and c < len(row) else ""

    actuals = Actuals(path)
    current: ProjectActuals | None = None
    for r in range(header + 1, len(rows) + 1):
        row = rows[r - 1]
        if not any(v.strip() for v in row):
            continue
        name_text = cell(row, "project")
        if name_text:
            key = norm(name_text)
            current = actuals.projects.get(key)
            if current is None:
                current = actuals.projects[key] = ProjectActuals(name_text, r)
        indicator = cell(row, "name")
        actual = cell(row, "actual")
        grade_text = cell(row, "grade")
        reason = cell(row, "reason")
        if not indicator:
            if actual or grade_text or reason:
                raise _error(path, r, "缺少三级指标名称", "no indicator name")
            continue  # a row that only names its project
        if current is None:
            raise _error(path, r, "缺少项目名称", "no project name")
        money = MONEY.get(label_key(indicator))
        if money is not None:
            _set_money(path, r, current, money, actual)
            continue
        grade = parse_grade(grade_text)
        if grade is None:
            raise _error(
                path,
                r,
                f"完成等级“{grade_text}”应为 {' / '.join(GRADES)} 之一",
                f"unknown completion grade {grade_text!r}",
            )
        current.indicators.setdefault(norm(indicator), []).append(IndicatorActual(indicator, actual, grade, reason, r))
    return actuals


def _set_money(path: str, row: int, project: ProjectActuals, attr: str, text: str) -> None:
    label = MONEY_LABELS[attr]
    if getattr(project, attr) is not None:
        raise _error(path, row, f"“{project.name}”的{label}填写了两次", f"{attr} given twice for {project.name!r}")
    if not text:
        return
    amount = parse_amount(text)
    if amount is None:
        raise _error(
            path,
            row,
            f"“{project.name}”的{label}“{text}”不是数字（单位：万元）",
            f"{attr} {text!r} is not a number",
        )
    setattr(project, attr, amount)
