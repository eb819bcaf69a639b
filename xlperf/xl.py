"""What the 绩效 ribbon buttons call (``RunPython "import xlperf.xl; xlperf.xl.validate()"``).

Each entry point works on the calling workbook — or, when the caller is the xlperf add-in itself (.xlam),
on the active workbook — or on the xlwings Book it is given. It is as thin as the CLI: undo the previous
marks, read the book, run the same core operation as the CLI, write the edits (as live formulas), mark the
findings and write the 校验结果 sheet (``annotate``), select the first error, and say what happened. No
rule lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from xlperf import crosscheck as _crosscheck
from xlperf.annotate import HEADER, RESULT_SHEET, annotate
from xlperf.book.edits import apply_to_book
from xlperf.book.xlwings_book import XlwingsBook
from xlperf.profiles import ENV_VAR, NATIONAL, Profile, ProfileError, load_profile
from xlperf.render import summary_line
from xlperf.report import Report
from xlperf.session import Session

if TYPE_CHECKING:
    import xlwings as xw


def validate(book: xw.Book | None = None) -> Report:
    """校验: every rule of the catalog, as ``xlperf check``, under the profile of :func:`profile_for`."""
    profile = _profile_or_tell(book, "校验")
    if profile is None:
        return Report()
    return run(book, "校验", lambda session: session.check(), profile=profile)


def crosscheck(book: xw.Book | None = None) -> Report:
    """交叉核对: 附表2 against its 附表3 sheets and the department table."""
    needs = ("summary", "工作簿中没有附表2（专项资金绩效目标汇总表）")
    return run(book, "交叉核对", lambda session: _crosscheck.check(session.model), needs=needs)


def fill_totals(book: xw.Book | None = None) -> Report:
    """填充合计: the totals as live formulas, as ``xlperf fill``."""
    return run(book, "填充合计", lambda session: session.fill())


def score(book: xw.Book | None = None) -> Report:
    """评分: 得分, 执行率 and 总分 of the self-evaluation tables, as ``xlperf score``, with the profile's scoring."""
    profile = _profile_or_tell(book, "评分")
    if profile is None:
        return Report()
    needs = ("self_eval", "工作簿中没有绩效自评表")
    return run(book, "评分", lambda session: session.score(), needs=needs, profile=profile)


def clear_marks(book: xw.Book | None = None) -> int:
    """清除标注: restore the cells xlperf marked and remove the 校验结果 sheet."""
    live = live_book(book)
    restored = live.clear_marks()
    tell(live, "清除标注", f"已恢复 {restored} 个单元格的原样，并删除“{RESULT_SHEET}”工作表")
    return restored


# --- shared by the entry points ----------------------------------------------------------------------------


def profile_for(book: xw.Book | None = None) -> Profile:
    """The review profile of the ribbon: ``XLPERF_PROFILE`` (a name or a TOML file), else the key
    ``XLPERF_PROFILE`` of the add-in's (or the user's) xlwings.conf, else the national profile."""
    import os

    spec = os.environ.get(ENV_VAR, "").strip()
    if not spec:
        spec = _conf_value(book, ENV_VAR)
    return load_profile(spec or None)


def _conf_value(book: xw.Book | None, key: str) -> str:
    """``key`` in the xlwings.conf sheet of the calling add-in or workbook, else in the user's xlwings.conf."""
    try:
        import xlwings as xw
        from xlwings.utils import read_config_sheet, read_user_config
    except ImportError:
        return ""
    try:
        caller = book if book is not None else xw.Book.caller()
        sheet = read_config_sheet(caller) or {}
    except Exception:  # no caller (run from a script), or a host without config sheets
        sheet = {}
    for k, v in sheet.items():
        if str(k).strip().lower() == key.lower() and v:
            return str(v).strip()
    return str(read_user_config().get(key.lower(), "") or "").strip()


def _profile_or_tell(book: xw.Book | None, title: str) -> Profile | None:
    """The profile in force; None after telling the user, in one line, what is wrong with its file."""
    try:
        return profile_for(book)
    except ProfileError as err:
        tell(live_book(book), title, str(err))
        return None


def live_book(book: xw.Book | None = None) -> XlwingsBook:
    """The given book, else the calling workbook (the active one when the caller is an add-in)."""
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
        if book.name.lower().endswith(".xlam"):
            book = book.app.books.active
    return XlwingsBook(book)


def run(
    book: xw.Book | None,
    title: str,
    operation: Callable[[Session], Report],
    needs: tuple[str, str] | None = None,
    profile: Profile = NATIONAL,
) -> Report:
    """Undo the previous marks, run ``operation`` on a Session over the live book (the same Session the
    command line runs), apply and show its report."""
    live = live_book(book)
    live.clear_marks()
    session = Session.of_book(live, profile)
    model = session.model
    report = operation(session)
    apply_to_book(live, report.edits)
    annotate(live, report)
    live.flush()
    select_first(live, report)
    lines = [summary_line(report)]
    if report.edits:
        lines.append(f"已写入 {len(report.edits)} 个单元格（公式由 Excel 自动计算）")
    if needs and not model.of_kind(needs[0]):
        lines.append(needs[1])
    tell(live, title, "\n".join(lines))
    return report


def select_first(live: XlwingsBook, report: Report) -> None:
    """Select the cell of the first error, else of the first finding."""
    located = [f for f in report.findings if f.sheet and f.cell and f.sheet in live.sheet_names()]
    first = next((f for f in located if f.severity == "error"), located[0] if located else None)
    if first is None:
        return
    sheet = live.book.sheets[first.sheet]
    sheet.activate()
    sheet.range(first.cell).select()


def tell(live: XlwingsBook, title: str, text: str) -> None:
    """A message box where the engine has one; otherwise the text beside the 校验结果 table (K1: one empty
    column after its last)."""
    try:
        live.book.app.alert(text, title=f"xlperf {title}")
    except NotImplementedError:
        if RESULT_SHEET in live.sheet_names():
            live.write(RESULT_SHEET, 1, len(HEADER) + 2, [[text]])


__all__ = ["clear_marks", "crosscheck", "fill_totals", "live_book", "profile_for", "run", "score", "validate"]
