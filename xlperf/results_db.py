"""The batch results in SQLite (the standard library's sqlite3): runs, the files each run covered, findings.

Only the parent process of a batch writes here (the workers return plain results); the database is in WAL
mode so that a reader — a report, a person with the sqlite3 shell — can look while a batch is writing.

Tables::

    runs      id, started, finished, version, args (JSON), status ('running' · 'done' · 'interrupted'),
              files, checked, reused
    files     id, run_id, path, sha256, size, status ('ok' · 'unreadable' · 'too_large' · 'failed'), error,
              mode ('cached' · 'recalc'), unit, forms (JSON list of {"sheet", "form"}), score,
              errors, warnings, hints, seconds, reused_from
    findings  id, file_id, code, severity, sheet, cell, message, expected, actual (JSON text)

Every run has one ``files`` row per file it covered. A file that was not checked again because its
sha256, the xlperf version and the mode are those of an earlier result has a row with ``reused_from``
naming that result's row, whose findings it shares: ``findings.file_id`` is the row that was checked.

The password is never stored, and is not part of the mode: a result is the result of the file's content.
Results about the password itself are the exception: a file that could not be opened because it needs a
password is checked again when a password is given, and a file opened with a wrong password is always
checked again (another password, or none, gives another result).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    version TEXT NOT NULL,
    args TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    files INTEGER NOT NULL DEFAULT 0,
    checked INTEGER NOT NULL DEFAULT 0,
    reused INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    path TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER,
    status TEXT NOT NULL,
    error TEXT,
    mode TEXT NOT NULL,
    unit TEXT,
    forms TEXT NOT NULL DEFAULT '[]',
    score REAL,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    hints INTEGER NOT NULL DEFAULT 0,
    seconds REAL,
    reused_from INTEGER REFERENCES files(id)
);
CREATE INDEX IF NOT EXISTS files_by_path ON files(path, id);
CREATE INDEX IF NOT EXISTS files_by_run ON files(run_id);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    sheet TEXT,
    cell TEXT,
    message TEXT,
    expected TEXT,
    actual TEXT
);
CREATE INDEX IF NOT EXISTS findings_by_file ON findings(file_id);
"""

# Results that a later run may reuse: a file that could not be checked for a reason that may pass (too
# large for this run's limit, a worker that died) is checked again.
REUSABLE = ("ok", "unreadable")
# How the stored error of an unreadable file ends when the password was the reason (the English reasons of
# xlperf.book.sniff's WorkbookError, which close its one line): reused only when no password is given now,
# and a wrong password's never.
NEEDS_PASSWORD = "(password-protected workbook)"
WRONG_PASSWORD = "(wrong password)"

FILE_COLUMNS = (
    "path", "sha256", "size", "status", "error", "mode", "unit", "forms",
    "score", "errors", "warnings", "hints", "seconds",
)  # fmt: skip
FINDING_KEYS = ("code", "severity", "sheet", "cell", "message", "expected", "actual")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def to_json_text(value: Any) -> str | None:
    """``expected`` / ``actual`` as JSON text (None stays NULL), so that a number stays a number."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str)


def from_json_text(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@dataclass
class FileRow:
    """One file of a run as the report shows it (read back from the database)."""

    id: int
    path: str
    sha256: str | None
    size: int | None
    status: str
    error: str | None
    mode: str
    unit: str | None
    forms: list[dict[str, str]]
    score: float | None
    errors: int
    warnings: int
    hints: int
    reused: bool
    findings: list[dict[str, Any]] = field(default_factory=list)


class ResultsDB:
    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = sqlite3.connect(path)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.executescript(SCHEMA)
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ResultsDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def commit(self) -> None:
        self.conn.commit()

    # runs

    def start_run(self, version: str, args: dict[str, Any]) -> int:
        cur = self.conn.execute(
            "INSERT INTO runs (started, version, args) VALUES (?, ?, ?)",
            (now(), version, json.dumps(args, ensure_ascii=False)),
        )
        self.conn.commit()
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, status: str) -> None:
        self.conn.execute(
            """UPDATE runs SET finished = ?, status = ?,
                   files = (SELECT COUNT(*) FROM files WHERE run_id = ?),
                   checked = (SELECT COUNT(*) FROM files WHERE run_id = ? AND reused_from IS NULL),
                   reused = (SELECT COUNT(*) FROM files WHERE run_id = ? AND reused_from IS NOT NULL)
               WHERE id = ?""",
            (now(), status, run_id, run_id, run_id, run_id),
        )
        self.conn.commit()

    def run(self, run_id: int) -> dict[str, Any]:
        row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(row)

    # files

    def previous(self, path: str, version: str, mode: str, password_given: bool = False) -> tuple[int, str] | None:
        """The latest reusable result for ``path`` made by this xlperf version in this mode: (row id, sha256).

        A "wrong password" result is never reusable, a "needs a password" one only when ``password_given`` is
        false: the password given now may open the file."""
        password_errors = [WRONG_PASSWORD, *([NEEDS_PASSWORD] if password_given else [])]
        about_password = " OR ".join(["f.error LIKE ? ESCAPE '!'"] * len(password_errors))
        row = self.conn.execute(
            f"""SELECT f.id, f.sha256 FROM files f JOIN runs r ON r.id = f.run_id
               WHERE f.path = ? AND r.version = ? AND f.mode = ? AND f.reused_from IS NULL
                 AND f.sha256 IS NOT NULL AND f.status IN ({",".join("?" * len(REUSABLE))})
                 AND NOT (f.status = 'unreadable' AND ({about_password}))
               ORDER BY f.id DESC LIMIT 1""",
            (path, version, mode, *REUSABLE, *("%" + _like(e) for e in password_errors)),
        ).fetchone()
        return (int(row["id"]), str(row["sha256"])) if row else None

    def add_result(self, run_id: int, result: Any) -> int:
        """Store one checked file (a :class:`xlperf.batch.FileResult`) and its findings."""
        values = [getattr(result, c) for c in FILE_COLUMNS]
        values[FILE_COLUMNS.index("forms")] = json.dumps(
            [{"sheet": s, "form": k} for s, k in result.forms], ensure_ascii=False
        )
        cur = self.conn.execute(
            f"INSERT INTO files (run_id, {', '.join(FILE_COLUMNS)}) VALUES (?{', ?' * len(FILE_COLUMNS)})",
            (run_id, *values),
        )
        file_id = int(cur.lastrowid)
        self.conn.executemany(
            "INSERT INTO findings (file_id, code, severity, sheet, cell, message, expected, actual)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (file_id, f["code"], f["severity"], f["sheet"], f["cell"], f["message"],
                 to_json_text(f["expected"]), to_json_text(f["actual"]))
                for f in result.findings
            ],
        )  # fmt: skip
        return file_id

    def reuse(self, run_id: int, previous_id: int) -> int:
        """Record in this run a file whose earlier result stands (same content, version and mode)."""
        cols = ", ".join(c for c in FILE_COLUMNS if c != "seconds")
        cur = self.conn.execute(
            f"INSERT INTO files (run_id, {cols}, reused_from) SELECT ?, {cols}, id FROM files WHERE id = ?",
            (run_id, previous_id),
        )
        return int(cur.lastrowid)

    def files_of_run(self, run_id: int) -> list[FileRow]:
        """Every file of a run with its findings, sorted by path (reused files carry their earlier findings)."""
        rows = self.conn.execute("SELECT * FROM files WHERE run_id = ? ORDER BY path, id", (run_id,)).fetchall()
        out: list[FileRow] = []
        source_of: dict[int, FileRow] = {}
        for r in rows:
            fr = FileRow(
                id=r["id"], path=r["path"], sha256=r["sha256"], size=r["size"], status=r["status"],
                error=r["error"], mode=r["mode"], unit=r["unit"], forms=json.loads(r["forms"]),
                score=r["score"], errors=r["errors"], warnings=r["warnings"], hints=r["hints"],
                reused=r["reused_from"] is not None,
            )  # fmt: skip
            out.append(fr)
            source_of[r["reused_from"] if r["reused_from"] is not None else r["id"]] = fr
        for chunk in _chunks(list(source_of), 500):
            marks = ",".join("?" * len(chunk))
            for f in self.conn.execute(
                f"SELECT * FROM findings WHERE file_id IN ({marks}) ORDER BY file_id, id", chunk
            ).fetchall():
                source_of[f["file_id"]].findings.append(
                    {k: (from_json_text(f[k]) if k in ("expected", "actual") else f[k]) for k in FINDING_KEYS}
                )
        return out


def _like(text: str) -> str:
    """``text`` as a literal in a LIKE pattern (escape character ``!``)."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
