"""One session over one workbook: open it once, read the model once, run an operation, apply its edits,
and report what the written file says.

Every host is these few lines — the command line (``xlperf check|fill|score``), the ribbon, a batch worker:

    session = Session.open(path, password, profile)
    report = session.check()                       # or session.fill(...), session.score(...)
    written = session.commit(report, target)       # the edits applied; the output read back and checked

Opening and reading fail only with :class:`~xlperf.errors.WorkbookError` (one Chinese line, exit 2); an
operation never writes; :meth:`Session.commit` is the one write path, and what it returns is the check of
the file as written, so a host prints the findings of the output, not of the input before the write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlperf.book.output import OutputTarget
from xlperf.book.protocol import Book
from xlperf.model import WorkbookModel
from xlperf.profiles import NATIONAL, Profile
from xlperf.report import Edit, Report
from xlperf.scoring import ScoringSettings


@dataclass
class Written:
    """What a commit wrote: where, the cells it changed, the backup of an in-place write, and the check of
    the written file."""

    path: Path | None  # None: nothing to change, nothing written
    changed: list[Edit] = field(default_factory=list)
    backup: Path | None = None
    report: Report = field(default_factory=Report)  # the findings of the file as written (or of the input)


class Session:
    """A workbook opened once, with the profile (and scoring settings) in force."""

    def __init__(
        self,
        path: str,
        book: Book,
        password: str | None = None,
        profile: Profile = NATIONAL,
        settings: ScoringSettings | None = None,
    ) -> None:
        self.path = path
        self.book = book
        self.password = password
        self.profile = profile
        self.settings = settings if settings is not None else profile.scoring
        self._model: WorkbookModel | None = None

    @classmethod
    def open(
        cls,
        path: str,
        password: str | None = None,
        profile: Profile = NATIONAL,
        settings: ScoringSettings | None = None,
    ) -> Session:
        """Open a workbook file (WorkbookError with its reason when it cannot be read)."""
        from xlperf.book import open_book

        return cls(path, open_book(path, password), password, profile, settings)

    @classmethod
    def of_book(cls, book: Book, profile: Profile = NATIONAL, settings: ScoringSettings | None = None) -> Session:
        """A session over a book already open (live Excel through xlwings)."""
        return cls(book.path, book, None, profile, settings)

    @classmethod
    def of_model(cls, path: str, model: WorkbookModel, profile: Profile = NATIONAL) -> Session:
        """A session over a model read elsewhere (batch --recalc reads the recalculated copy); it has no book
        to commit to."""
        session = cls(path, _NoBook(path), None, profile)
        session._model = model
        return session

    @property
    def model(self) -> WorkbookModel:
        """The workbook read into the model, once."""
        if self._model is None:
            from xlperf.forms import read_book

            self._model = read_book(self.book)
        return self._model

    # --- operations: pure, they return a report and never write ------------------------------------------
    def check(self) -> Report:
        from xlperf.checks import check_model

        return check_model(self.model, self.settings, self.profile)

    def fill(self, overwrite: bool = False) -> Report:
        from xlperf.totals import fill_totals

        return fill_totals(self.model, overwrite=overwrite)

    def score(self, overwrite: bool = False) -> Report:
        from xlperf.evaluate import score_workbook

        return score_workbook(self.model, self.settings, overwrite=overwrite)

    # --- the one write path ------------------------------------------------------------------------------
    def commit(self, report: Report, target: OutputTarget | Path, values_only: bool = False) -> Written:
        """Apply the report's edits to a copy (or in place, after a backup), then read the written file back
        and check it. With no edit nothing is written and the check is of the input."""
        if not report.edits:
            from xlperf.book.sniff import open_input

            open_input(self.path, self.password)  # what could not be written is refused all the same (.xls)
            return Written(None, [], None, self.check())
        from xlperf.book.apply import apply_edits

        backup = apply_edits(self.path, report.edits, target, values_only=values_only, password=self.password)
        out = target.path if isinstance(target, OutputTarget) else Path(target)
        again = Session.open(str(out), self.password, self.profile, self.settings)
        return Written(out, list(report.edits), backup, again.check())


class _NoBook:
    """The book of a session over a model read elsewhere: nothing to read again, nothing to write."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"a session over a model read elsewhere has no book ({name})")


def changed_json(written: Written) -> list[dict[str, Any]]:
    """The cells a commit changed, for ``--format json``: sheet, cell, value, formula, why."""
    from xlperf.report import _plain

    return [
        {"sheet": e.sheet, "cell": e.cell, "value": _plain(e.value), "formula": e.formula, "reason": e.reason}
        for e in written.changed
    ]
