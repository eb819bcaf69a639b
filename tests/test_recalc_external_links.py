"""Recalculation never follows a workbook's links to other files.

A workbook's external links (``xl/externalLinks/externalLinkN.xml``, whose relationship names the other
workbook: ``Target="../secret.xlsx" TargetMode="External"``) are read by formulas like
``=[1]Sheet1!$A$1+1``. A crafted workbook can point such a link, or a path written in a formula, at any file
of the machine or at a URL. Neither engine is given the link (each loads a copy whose link targets are
neutralised: :func:`xlperf.recalc.package.without_external_links`), the formulas library is not let open
any workbook but the one recalculated, and the cells that read another workbook keep their cached value and
are reported as such (引用其他工作簿，未重算), never as a mismatch.

The linked file holds a value (424242) that must never show up; that it is never even opened is checked by
making it a named pipe: opening a pipe for reading waits for a writer, and a watcher thread that finds a
reader waiting records it (and lets it go).
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from xlperf.recalc import recalculate_for_check
from xlperf.recalc.engine import Computed, Failed, get_engine
from xlperf.recalc.package import NO_LINK, read_package, without_external_links

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "recalc"
SECRET = 424242

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LINK_PATH = f"{R}/externalLinkPath"

ENGINES = [
    "ironcalc",
    pytest.param(
        "formulas",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("formulas") is None, reason="the formulas engine is an optional extra"
        ),
    ),
]


def xlperf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=300)


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def linked_book(path: Path) -> bytes:
    """The other workbook: Sheet1!A1 holds the value that must never be read."""
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = SECRET
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def book_with_link(
    path: Path,
    target: str,
    a1: str = "[1]Sheet1!$A$1+1",
    external_mode: bool = True,
    stale_c1: bool = False,
    hyperlink: str | None = None,
) -> Path:
    """A workbook whose external link [1] points at ``target``: Sheet1!A1 ``=a1`` (cached 8, computed by
    Excel from the link's cached 7), B1 ``=A1*2`` (16), C1 ``=2+3`` (cached 5, or 4 when ``stale_c1``, so
    that writing has a value to write). Written by openpyxl, the link added to the package by hand."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"], ws["B1"], ws["C1"] = "=" + a1, "=A1*2", "=2+3"
    buf = io.BytesIO()
    wb.save(buf)
    parts = entries(buf.getvalue())

    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, text, value in (("A1", a1, 8), ("B1", "A1*2", 16), ("C1", "2+3", 4 if stale_c1 else 5)):
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        empty = f'<c r="{ref}"><f>{escaped}</f><v></v></c>'
        assert empty in sheet, sheet
        sheet = sheet.replace(empty, f'<c r="{ref}"><f>{escaped}</f><v>{value}</v></c>')
    if hyperlink is not None:
        sheet = sheet.replace("</sheetData>", '</sheetData><hyperlinks><hyperlink ref="D1" r:id="rIdH"/></hyperlinks>')
        sheet = sheet.replace("<worksheet ", f'<worksheet xmlns:r="{R}" ', 1)
        parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdH" Type="{R}/hyperlink" Target="{hyperlink}" TargetMode="External"/>'
            "</Relationships>"
        ).encode()
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()

    workbook = parts["xl/workbook.xml"].decode()
    refs = f'<externalReferences><externalReference xmlns:r="{R}" r:id="rIdLink1"/></externalReferences>'
    parts["xl/workbook.xml"] = workbook.replace("</sheets>", "</sheets>" + refs).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rel = f'<Relationship Id="rIdLink1" Type="{R}/externalLink" Target="externalLinks/externalLink1.xml"/>'
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()
    types = parts["[Content_Types].xml"].decode()
    override = (
        '<Override PartName="/xl/externalLinks/externalLink1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
    )
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    parts["xl/externalLinks/externalLink1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<externalLink xmlns="{MAIN}" xmlns:r="{R}"><externalBook r:id="rId1"><sheetNames>'
        '<sheetName val="Sheet1"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1">'
        '<cell r="A1"><v>7</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>'
    ).encode()
    mode = ' TargetMode="External"' if external_mode else ""
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{LINK_PATH}" Target="{target}"{mode}/></Relationships>'
    ).encode()

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


class PipeWatch:
    """A named pipe in place of the linked workbook. Whoever opens it for reading waits for a writer; the
    watcher finds such a reader (a non-blocking open for writing succeeds only when there is one), records
    it, hands it the linked workbook's bytes and closes, so the reader does not hang."""

    def __init__(self, path: Path, content: bytes) -> None:
        self.path, self.content = path, content
        os.mkfifo(path)
        self.opened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody has it open for reading
                time.sleep(0.005)
                continue
            self.opened += 1
            try:
                os.set_blocking(fd, True)
                os.write(fd, self.content)
            except OSError:
                pass
            finally:
                os.close(fd)
            time.sleep(0.05)  # the reader sees end of file before another open is looked for

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def targets(tmp_path: Path) -> dict[str, str]:
    """Ways a link names the file: beside the workbook, by absolute path, up and down again, as a URI."""
    return {
        "beside": "linked.xlsx",
        "absolute": str(tmp_path / "linked.xlsx"),
        "up": f"../{tmp_path.name}/linked.xlsx",
        "uri": (tmp_path / "linked.xlsx").as_uri(),
    }


def fast(engine: str):
    """The engine, formulas in this process (its child process takes seconds to start): the same loading,
    link handling and guard, for the many variants; the commands below run it as xlperf does."""
    return get_engine(engine, isolate=False) if engine == "formulas" else get_engine(engine)


def computed_values(result) -> list[object]:
    return [o.value for o in result.cells.values() if isinstance(o, Computed)]


def assert_not_recalculated(result) -> None:
    """A1 reads the other workbook and B1 reads A1: neither computed, both saying why; C1 computed."""
    assert result.ok, result.message
    a1, b1, c1 = (result.cells[("Sheet1", 1, col)] for col in (1, 2, 3))
    assert isinstance(a1, Failed) and a1.reason.startswith("引用其他工作簿，未重算"), a1
    assert isinstance(b1, Failed) and "引用其他工作簿，未重算" in b1.reason and "Sheet1!A1" in b1.reason, b1
    assert c1 == Computed(5.0)
    assert not any(isinstance(v, float) and v >= SECRET for v in computed_values(result))


# --- the linked file is never opened nor read ------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_the_linked_workbook_is_never_opened(engine, tmp_path):
    watch = PipeWatch(tmp_path / "linked.xlsx", linked_book(tmp_path / "content.xlsx"))
    try:
        books = []
        for kind, target in targets(tmp_path).items():
            books.append(book_with_link(tmp_path / f"{kind}.xlsx", target))
            # openpyxl (under formulas) resolves a link's target inside the package when it is not marked
            # external: "/abs/path" becomes "abs/path", relative to the workbook's folder
            books.append(book_with_link(tmp_path / f"{kind}-internal.xlsx", target, external_mode=False))
        for book in books:
            assert_not_recalculated(fast(engine).compute(book))
            assert_not_recalculated(fast(engine).compute(book.read_bytes()))  # as bytes: a temporary copy
        assert_not_recalculated(get_engine(engine).compute(books[0]))  # formulas in its child process
    finally:
        watch.close()
    assert watch.opened == 0, f"{engine} opened the linked workbook {watch.opened} times"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_path_in_the_formula_itself_is_not_opened_either(engine, tmp_path):
    """formulas also opens a workbook a formula names by path, with no external link part at all."""
    content = linked_book(tmp_path / "content.xlsx")
    watch, beside = PipeWatch(tmp_path / "linked.xlsx", content), PipeWatch(tmp_path / "2", content)
    try:
        for i, a1 in enumerate(
            [
                f"'{tmp_path}/[linked.xlsx]Sheet1'!$A$1+1",
                "'[linked.xlsx]Sheet1'!$A$1+1",
                "[2]Sheet1!$A$1+1",  # no link 2: formulas looks for a file called "2" beside the workbook
            ]
        ):
            book = book_with_link(tmp_path / f"formula{i}.xlsx", "nothing.xlsx", a1=a1)
            assert_not_recalculated(fast(engine).compute(book))
        # a literal INDIRECT: formulas reads it as a reference; it is not found to refer to another
        # workbook (its text is read at run time), and gives #REF! like Excel with the other book closed
        wb = Workbook()
        wb.active.title = "Sheet1"
        wb.active["A1"] = f"=INDIRECT(\"'{tmp_path}/[linked.xlsx]Sheet1'!A1\")"
        wb.save(tmp_path / "indirect.xlsx")
        result = fast(engine).compute(tmp_path / "indirect.xlsx")
        assert result.ok and SECRET not in computed_values(result), result.cells
    finally:
        watch.close()
        beside.close()
    assert watch.opened == 0, f"{engine} opened the linked workbook {watch.opened} times"
    assert beside.opened == 0, f"{engine} opened the file called 2 {beside.opened} times"


@pytest.mark.parametrize("engine", ENGINES)
def test_check_says_the_cells_read_another_workbook(engine, tmp_path):
    linked_book(tmp_path / "linked.xlsx")  # a real workbook this time: were it read, 424243 would show
    book = book_with_link(tmp_path / "book.xlsx", str(tmp_path / "linked.xlsx"))
    before = book.read_bytes()

    run = xlperf("recalc", str(book), "--check", "--engine", engine, "--format", "json")
    assert run.returncode == 1, run.stdout + run.stderr  # cells not computed: not all confirmed
    assert str(SECRET) not in run.stdout and str(SECRET + 1) not in run.stdout
    out = json.loads(run.stdout)
    assert out["summary"]["differ"] == 0 and out["summary"]["matched"] == 1
    cells = {c["cell"]: c for c in out["cells"]}
    assert set(cells) == {"A1", "B1"}
    assert cells["A1"]["verdict"] == "error" and cells["A1"]["note"].startswith("引用其他工作簿，未重算")
    assert cells["A1"]["cached"] == 8 and cells["A1"]["computed"] is None
    assert cells["B1"]["note"] == "引用其他工作簿，未重算（经由 Sheet1!A1）"

    table = xlperf("recalc", str(book), "--check", "--engine", engine)
    assert "引用其他工作簿，未重算" in table.stdout and str(SECRET) not in table.stdout, table.stdout

    # xlperf batch --recalc: the cells that read another workbook keep their cached values
    recalculated = entries(recalculate_for_check(str(book), engine))
    sheet = recalculated["xl/worksheets/sheet1.xml"].decode()
    assert "<v>8</v>" in sheet and "<v>16</v>" in sheet and str(SECRET) not in sheet
    assert {(c.ref, c.cached) for c in read_package(before).cells.values()} == {
        ("A1", 8.0),
        ("B1", 16.0),
        ("C1", 5.0),
    }
    assert book.read_bytes() == before


@pytest.mark.parametrize("engine", ENGINES)
def test_output_keeps_the_external_link_parts_byte_for_byte(engine, tmp_path):
    linked_book(tmp_path / "linked.xlsx")
    book = book_with_link(tmp_path / "book.xlsx", "linked.xlsx", stale_c1=True)
    out = tmp_path / "out.xlsx"
    run = xlperf("recalc", str(book), "--output", str(out), "--engine", engine)
    assert run.returncode == 0, run.stdout + run.stderr  # written: exit 0, the cells it could not compute listed
    assert "已写入 1 个" in run.stdout, run.stdout  # C1 only
    old, new = entries(book.read_bytes()), entries(out.read_bytes())
    assert list(old) == list(new)
    assert [name for name in old if old[name] != new[name]] == ["xl/worksheets/sheet1.xml"]
    for name in old:
        if "externalLink" in name or name.endswith(".rels") or name == "[Content_Types].xml":
            assert new[name] == old[name], name
    assert b"linked.xlsx" in new["xl/externalLinks/_rels/externalLink1.xml.rels"]
    sheet = new["xl/worksheets/sheet1.xml"].decode()
    assert "<v>8</v>" in sheet and "<v>16</v>" in sheet and "<v>5</v>" in sheet and str(SECRET) not in sheet


# --- no network ------------------------------------------------------------------------------------------


class Listener:
    """A local TCP server that records every connection made to it (and closes it at once)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> int:
        self._stop.set()
        self._thread.join()
        # a connection the thread had no time to accept is still queued
        self.sock.setblocking(False)
        try:
            while True:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
        except (BlockingIOError, OSError):
            pass
        self.sock.close()
        return self.connections


@pytest.mark.parametrize("engine", ENGINES)
def test_no_engine_touches_the_network(engine, tmp_path):
    server = Listener()
    try:
        url = f"http://127.0.0.1:{server.port}"
        book = book_with_link(tmp_path / "http.xlsx", f"{url}/linked.xlsx", hyperlink=f"{url}/page")
        assert_not_recalculated(get_engine(engine).compute(book))
        run = xlperf("recalc", str(book), "--check", "--engine", engine, "--format", "json")
        assert json.loads(run.stdout)["summary"]["matched"] == 1, run.stdout + run.stderr
        in_formula = book_with_link(tmp_path / "http-formula.xlsx", "x.xlsx", a1=f"'{url}/[linked.xlsx]Sheet1'!$A$1")
        assert_not_recalculated(fast(engine).compute(in_formula))
        wb = Workbook()
        wb.active.title = "Sheet1"
        wb.active["A1"] = f'=WEBSERVICE("{url}/service")'  # implemented by neither engine
        wb.active["A2"] = f'=HYPERLINK("{url}/page", "link")'
        wb.save(tmp_path / "functions.xlsx")
        assert fast(engine).compute(tmp_path / "functions.xlsx").ok
    finally:
        connections = server.close()
    assert connections == 0, f"{engine} connected to the link's server {connections} times"


# --- the engine's copy -----------------------------------------------------------------------------------


def test_the_engines_copy_has_every_link_target_replaced_and_nothing_else(tmp_path):
    book = book_with_link(tmp_path / "book.xlsx", "/etc/x.xlsx", hyperlink="http://example.invalid/")
    data = book.read_bytes()
    old, new = entries(data), entries(without_external_links(data))
    assert list(old) == list(new)
    changed = sorted(name for name in old if old[name] != new[name])
    assert changed == ["xl/externalLinks/_rels/externalLink1.xml.rels", "xl/worksheets/_rels/sheet1.xml.rels"]
    for name in changed:
        assert b"/etc/x.xlsx" not in new[name] and b"example.invalid" not in new[name]
        assert f'Target="{NO_LINK}"'.encode() in new[name]
    assert b'TargetMode="External"' in new["xl/externalLinks/_rels/externalLink1.xml.rels"]
    assert without_external_links(new_data := without_external_links(data)) == new_data  # nothing left

    internal = book_with_link(tmp_path / "internal.xlsx", "../../etc/x.xlsx", external_mode=False).read_bytes()
    rels = entries(without_external_links(internal))["xl/externalLinks/_rels/externalLink1.xml.rels"]
    assert b"etc/x.xlsx" not in rels and f'Target="{NO_LINK}"'.encode() in rels

    wb = Workbook()
    wb.active["A1"] = "=1+1"
    buf = io.BytesIO()
    wb.save(buf)
    plain = buf.getvalue()
    assert without_external_links(plain) is plain  # no link: the bytes as they are


@pytest.mark.parametrize("engine", ENGINES)
def test_a_link_part_that_cannot_be_read_is_not_handed_to_the_engine(engine, tmp_path):
    book = book_with_link(tmp_path / "book.xlsx", "linked.xlsx")
    parts = entries(book.read_bytes())
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] += b"<unclosed"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    result = fast(engine).compute(out.getvalue())
    assert result.status == "load_error" and "XMLSyntaxError" in result.message, result


@pytest.mark.parametrize("engine", ENGINES)
def test_the_engines_copy_is_removed_even_when_the_engine_is_killed(engine, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    book = book_with_link(tmp_path / "book.xlsx", "linked.xlsx")
    assert get_engine(engine).compute(book).ok
    assert get_engine(engine).compute(book.read_bytes()).ok
    if engine == "formulas":  # killed at its time limit, most likely after it made its copy
        assert get_engine(engine, time_limit=1.5).compute(book).status in ("timeout", "ok")
    assert list(scratch.iterdir()) == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the recalculation corpus (../shared/corpus/recalc) is absent")
@pytest.mark.parametrize("name", ["pycel__excelcompiler.xlsx", "formulas__full-range.xlsx", "formulas__test.xlsx"])
def test_corpus_workbooks_with_links(name):
    data = (CORPUS / name).read_bytes()
    old, new = entries(data), entries(without_external_links(data))
    links = [n for n in old if n.startswith("xl/externalLinks/_rels/")]
    assert links
    for n in old:
        if n in links:
            assert new[n] != old[n] and f'Target="{NO_LINK}"'.encode() in new[n]
        elif n.endswith(".rels") and b'TargetMode="External"' in old[n]:
            assert new[n] != old[n]
        else:
            assert new[n] == old[n], n
