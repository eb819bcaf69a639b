"""The Excel host on xlwings' real remote engine: each ribbon entry point runs on a Book opened from the JSON
payload the Excel client sends, and the actions xlwings returns for the client to apply are checked —
values and formulas written, fills, notes, the 校验结果 sheet, the record of marks and its undoing, and the
number of round trips."""

from __future__ import annotations

import copy
from collections import Counter
from decimal import Decimal
from importlib.util import find_spec

import pytest
from conftest import example

if find_spec("xlwings") is None:  # not imported here: the licence key must be set first (see remote_engine)
    pytest.skip("xlwings is not installed (pip install '.[excel]'): no Excel host to test", allow_module_level=True)

from remote_payload import apply, payload, remote_engine

from xlperf import crosscheck as core_crosscheck
from xlperf import xl
from xlperf.a1 import a1, column_letter, split
from xlperf.annotate import FILL, RESULT_SHEET, annotate, marks
from xlperf.book import open_book
from xlperf.book.xlwings_book import MARKS_HEADER, MARKS_SHEET, XlwingsBook, bands
from xlperf.checks import check_model
from xlperf.evaluate import score_workbook
from xlperf.forms import read_book, read_file
from xlperf.report import Finding, Report
from xlperf.rules import title_of

ERROR = "#" + FILL["error"].lower()


@pytest.fixture
def xw(monkeypatch):
    return remote_engine(monkeypatch)


@pytest.fixture
def open_remote(xw):
    """Open payloads as xlwings' remote engine does for a request; close them afterwards."""
    opened = []

    def open_(data):
        book = xw.Book(json=copy.deepcopy(data))  # the engine keeps and updates the dict it is given
        opened.append(book)
        return book

    yield open_
    for book in opened:
        book.close()


def actions(book):
    return book.json()["actions"]


def names(data):
    return [s["name"] for s in data["sheets"]]


def at(action):
    """(sheet position, A1 address of the top-left cell) of a range action."""
    return action["sheet_position"], a1(action["start_row"] + 1, action["start_column"] + 1)


def colours(action):
    """{(row, col): colour} that a setRangeColors action sets (cells it keeps are left out)."""
    out = {}
    for dr, row in enumerate(action["args"][0]):
        for dc, colour in enumerate(row):
            if colour != "keep":
                out[(action["start_row"] + 1 + dr, action["start_column"] + 1 + dc)] = colour
    return out


def colour_map(book_actions, data):
    """{(sheet, cell): colour} over all setRangeColors actions."""
    out = {}
    for a in book_actions:
        if a["func"] == "setRangeColors":
            sheet = data["sheets"][a["sheet_position"]]["name"]
            for (r, c), colour in colours(a).items():
                out[(sheet, a1(r, c))] = colour
    return out


def unprefixed(v):
    return v[1:] if isinstance(v, str) and v.startswith("'") else v


# --- reading -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_the_live_book_reads_what_the_file_reads(open_remote, seed):
    path = example(seed)
    live = XlwingsBook(open_remote(payload(path)))
    model, expected = read_book(live), read_file(str(path))
    assert live.sheet_names() == expected.sheet_names
    assert [f.kind for f in model.forms] == [f.kind for f in expected.forms]
    assert check_model(model).findings == check_model(expected).findings  # merges or not, the same findings


def test_read_is_one_block_from_a1_and_keeps_errors_and_hidden_sheets(open_remote):
    data = payload(example("001"))
    data["sheets"][0]["values"][0][0] = ""  # the used range no longer starts at A1
    data["sheets"][1]["values"][2][3] = "#REF!"
    data["sheets"][1]["visibility"] = "Hidden"
    live = XlwingsBook(open_remote(data))
    first = live.read("附件2")
    from_file = open_book(example("001")).read("附件2").values
    assert first.values[0][0] is None and first.values[1:] == from_file[1:]
    second = live.read("附件3", formulas=True)
    assert second.values[2][3] == "#REF!"
    assert second.hidden
    assert second.formulas is None  # the remote engine cannot read formulas synchronously
    assert second.merges == []


# --- 校验 ------------------------------------------------------------------------------------------------


def test_validate_marks_the_two_sum_mismatches_red_and_writes_the_result_sheet(open_remote):
    data = payload(example("001"))
    book = open_remote(data)
    report = xl.validate(book)
    assert report.findings == check_model(read_file(str(example("001")))).findings  # the CLI's core
    done = actions(book)

    mismatches = [f for f in report.findings if f.code == "amount.sum_mismatch"]
    assert [(f.sheet, f.cell) for f in mismatches] == [("附件3", "B7"), ("附件3", "F7")]
    filled = colour_map(done, data)
    assert filled[("附件3", "B7")] == filled[("附件3", "F7")] == ERROR
    expected = {key: "#" + fill.lower() for key, (fill, _) in marks(report).items()}
    assert filled == expected  # every marked cell, by its worst severity, and nothing else

    notes = {(data["sheets"][a["sheet_position"]]["name"], a["args"][0].replace("$", "")): a["args"][1]
             for a in done if a["func"] == "addNote"}  # fmt: skip
    assert notes == {key: note for key, (_, note) in marks(report).items()}
    assert "amount.sum_mismatch 合计不符：" in notes[("附件3", "B7")]  # the code and the rule's name

    added = [a["args"][1] for a in done if a["func"] == "addSheet"]
    assert added == [MARKS_SHEET, RESULT_SHEET]
    result_pos = len(names(data)) + 1  # after the two example sheets and the record
    (rows,) = [a["values"] for a in done if a["func"] == "setValues" and a["sheet_position"] == result_pos]
    assert len(rows) == 1 + len(report.findings)  # a header and one row per finding
    assert [unprefixed(r[2]) for r in rows[1:]] == [f.code for f in report.findings]
    assert [unprefixed(r[3]) for r in rows[1:]] == [title_of(f.code) for f in report.findings]
    assert [unprefixed(r[6]) for r in rows[1:]] == [f.message for f in report.findings]
    (links,) = [a for a in done if a["func"] == "setFormula" and a["sheet_position"] == result_pos]
    assert at(links) == (result_pos, "F2")
    row = next(i for i, f in enumerate(report.findings) if (f.sheet, f.cell) == ("附件3", "B7"))
    assert links["values"][row] == ['=HYPERLINK("#\'附件3\'!B7","B7")']
    assert len(links["values"]) == len(report.findings)

    select = [a for a in done if a["func"] in ("activateSheet", "rangeSelect")]
    assert [a["func"] for a in select] == ["activateSheet", "rangeSelect"]
    assert at(select[1]) == (1, "B7")  # the first error, not the first finding (H5, a warning)
    (alert,) = [a for a in done if a["func"] == "alert"]
    assert "错误 2" in alert["args"][0] and alert["args"][1] == "xlperf 校验"


def test_validate_round_trips_on_seed_000_are_bounded(open_remote, monkeypatch):
    """Stated bound. Reads: one block per sheet, nothing else. Marks, for N marked cells on S sheets: one
    setRangeColors per sheet (a sheet's marks fit one band of at most 10,000 cells; never more bands than
    cells), one addNote per cell, and 3 for the record (add the sheet, hide it, write it in one block):
    at most S + N + 3. Around them a constant 14: the 校验结果 sheet (add, values, links column, 8 column
    widths), selecting the first finding (2) and the summary alert (1)."""
    from xlwings.pro import _xlremote

    reads = []
    original = _xlremote.Range.raw_value

    def counting(rng):
        reads.append((rng.sheet.name, rng.address))
        return original.fget(rng)

    monkeypatch.setattr(_xlremote.Range, "raw_value", property(counting, original.fset))
    data = payload(example("000"))
    book = open_remote(data)
    report = xl.validate(book)
    done = actions(book)

    sheets = names(data)
    assert len(sheets) == 14
    assert [s for s, _ in reads] == sheets  # each sheet read once …
    for (_, address), spec in zip(reads, data["sheets"], strict=True):  # … in one block from A1
        row, col = split(spec["used_range_address"].split(":")[1])
        assert address == f"$A$1:${column_letter(col)}${row}"

    marked = marks(report)
    n_cells, n_sheets = len(marked), len({s for s, _ in marked})
    file_report = check_model(read_file(str(example("000"))))  # the same findings as the file's check
    assert n_cells == len({(f.sheet, f.cell) for f in file_report.findings}) and n_sheets >= 8
    funcs = Counter(a["func"] for a in done)
    assert funcs["setRangeColors"] == n_sheets
    assert funcs["addNote"] == n_cells
    record = [a for a in done if (a["func"] == "addSheet" and a["args"][1] == MARKS_SHEET)
              or a["func"] == "setSheetVisibility"
              or (a["func"] == "setValues" and a["sheet_position"] == len(sheets))]  # fmt: skip
    assert len(record) == 3
    mark_actions = funcs["setRangeColors"] + funcs["addNote"] + len(record)
    assert mark_actions <= n_sheets + n_cells + 3
    from xlperf.annotate import WIDTHS

    # besides the marks: the 校验结果 sheet — added, its values, its links, one width per column — and the rest
    # of the run's fixed calls
    assert len(done) == mark_actions + 6 + len(WIDTHS)


def test_validate_on_a_client_without_notes_still_marks_and_records(open_remote):
    data = payload(example("001"), client="Microsoft Office Scripts")
    book = open_remote(data)
    report = xl.validate(book)
    done = actions(book)
    assert not [a for a in done if a["func"] == "addNote"]
    assert colour_map(done, data)[("附件3", "B7")] == ERROR
    (record,) = [a["values"] for a in done if a["func"] == "setValues" and a["sheet_position"] == 2]
    assert {unprefixed(r[4]) for r in record[1:]} == {0}  # no note was added, none will be deleted
    assert len(record) == 1 + len(marks(report))


# --- 清除标注 ---------------------------------------------------------------------------------------------


def test_clear_marks_after_validate_restores_exactly_the_marked_cells(open_remote):
    data = payload(example("001"))
    first = open_remote(data)
    report = xl.validate(first)
    after = apply(data, actions(first))
    assert names(after) == ["附件2", "附件3", MARKS_SHEET, RESULT_SHEET]
    assert after["sheets"][2]["visibility"] == "Hidden"

    book = open_remote(after)
    assert xl.clear_marks(book) == len(marks(report))
    done = actions(book)
    marked = set(marks(report))
    restored = colour_map(done, after)
    assert set(restored) == marked  # exactly the marked cells …
    assert set(restored.values()) == {None}  # … back to the fill recorded for them (none: see below)
    deleted = {(after["sheets"][a["sheet_position"]]["name"], a["args"][0].replace("$", ""))
               for a in done if a["func"] == "deleteNote"}  # fmt: skip
    assert deleted == marked
    assert [after["sheets"][a["sheet_position"]]["name"] for a in done if a["func"] == "sheetDelete"] == [
        RESULT_SHEET,
        MARKS_SHEET,
    ]
    assert Counter(a["func"] for a in done) == {
        "setRangeColors": 1,
        "deleteNote": len(marked),
        "sheetDelete": 2,
        "alert": 1,
    }  # fmt: skip  (nothing else is touched)
    assert names(apply(after, done)) == ["附件2", "附件3"]


def test_clear_marks_restores_the_recorded_fills_and_keeps_the_persons_notes(open_remote):
    """As Excel (which can read fills) records them: a yellow cell goes back to yellow, a note the person
    wrote stays."""
    data = payload(example("001"))
    sheet = data["sheets"][1]
    sheet["notes"] = [{"address": "$B$7"}, {"address": "$F$7"}]
    record = [MARKS_HEADER, ["附件3", "B7", "#FFFF00", 0, 1], ["附件3", "F7", "", 1, 0], ["附件3", "C9", "", 0, 0]]
    data["sheets"].append(
        {"name": MARKS_SHEET, "values": record, "visibility": "Hidden", "pictures": [], "shapes": [], "charts": [],
         "notes": [], "notes_supported": True, "tables": [], "print_area": None, "used_range_address": "A1:E4"}
    )  # fmt: skip
    book = open_remote(data)
    assert xl.clear_marks(book) == 3
    done = actions(book)
    assert colour_map(done, data) == {("附件3", "B7"): "#ffff00", ("附件3", "F7"): None, ("附件3", "C9"): None}
    assert [a["args"][0] for a in done if a["func"] == "deleteNote"] == ["$B$7"]  # F7's note was there before
    assert [a["sheet_position"] for a in done if a["func"] == "sheetDelete"] == [2]  # the record; no 校验结果


def test_validate_twice_first_undoes_the_previous_marks(open_remote):
    data = payload(example("001"))
    first = open_remote(data)
    xl.validate(first)
    after = apply(data, actions(first))
    second = open_remote(after)
    xl.validate(second)
    done = actions(second)
    deletes = [i for i, a in enumerate(done) if a["func"] == "sheetDelete"]
    notes_deleted = [i for i, a in enumerate(done) if a["func"] == "deleteNote"]
    added = [i for i, a in enumerate(done) if a["func"] == "addNote"]
    assert len(deletes) == 2 and max(notes_deleted) < min(deletes) < min(added)
    assert names(apply(after, done)) == names(after)  # the record and 校验结果 again, not twice


def test_a_cell_marked_again_keeps_its_first_recorded_fill(open_remote):
    data = payload(example("001"))
    data["sheets"].append(
        {"name": MARKS_SHEET, "values": [MARKS_HEADER, ["附件3", "B7", "#FFFF00", 0, 1]], "visibility": "Hidden",
         "pictures": [], "shapes": [], "charts": [], "notes": [], "notes_supported": True, "tables": [],
         "print_area": None, "used_range_address": "A1:E2"}
    )  # fmt: skip
    data["sheets"][1]["notes"] = [{"address": "$B$7"}]
    book = open_remote(data)
    live = XlwingsBook(book)
    live.mark("附件3", 7, 2, "FFC7CE", "新的说明")
    live.mark("附件3", 9, 3, "FFEB9C", "另一处")
    live.flush()
    done = actions(book)
    (record,) = [a["values"] for a in done if a["func"] == "setValues"]
    assert [[unprefixed(v) for v in r] for r in record[1:]] == [
        ["附件3", "B7", "#FFFF00", 0, 1],
        ["附件3", "C9", "", 0, 1],
    ]
    assert [(a["func"], a["args"]) for a in done if "Note" in a["func"]] == [
        ("setNoteText", ["$B$7", "新的说明"]),  # xlperf's own note is updated, not added twice
        ("addNote", ["$C$9", "另一处"]),
    ]


# --- 填充合计 · 评分 · 交叉核对 ---------------------------------------------------------------------------


def test_fill_totals_writes_live_formulas_where_totals_were_cleared(open_remote):
    data = payload(example("000"))
    cleared = {("附表2", "C5"), ("部门整体支出绩效目标表", "E7"), ("附表3 (2)", "E5")}
    by_name = {s["name"]: s for s in data["sheets"]}
    for sheet, cell in cleared:
        r, c = split(cell)
        by_name[sheet]["values"][r - 1][c - 1] = ""
    book = open_remote(data)
    report = xl.fill_totals(book)
    done = actions(book)
    written = {}
    for a in done:
        if a["func"] in ("setFormula", "setValues") and a["sheet_position"] < len(data["sheets"]):
            for dr, row in enumerate(a["values"]):
                for dc, v in enumerate(row):
                    cell = a1(a["start_row"] + 1 + dr, a["start_column"] + 1 + dc)
                    written[(data["sheets"][a["sheet_position"]]["name"], cell)] = (a["func"], v)
    assert written == {
        ("附表2", "C5"): ("setFormula", "=SUM(C6:C17)"),
        ("部门整体支出绩效目标表", "E7"): ("setFormula", "='附表2'!C5"),
        ("附表3 (2)", "E5"): ("setFormula", "=D21"),
    }
    assert {(e.sheet, e.cell) for e in report.edits} == cleared
    (alert,) = [a for a in done if a["func"] == "alert"]
    assert "已写入 3 个单元格" in alert["args"][0]


def test_score_writes_what_the_cli_core_computes(open_remote):
    data = payload(example("001"))
    (table,) = read_file(str(example("001"))).of_kind("self_eval")
    cleared = [table.rate, table.rate_score, table.indicators.filled[0].score]
    for field in cleared:
        r, c = split(field.cell)
        data["sheets"][1]["values"][r - 1][c - 1] = ""
    expected = score_workbook(read_book(XlwingsBook(open_remote(data))))  # the CLI's core on the same cells
    book = open_remote(data)
    report = xl.score(book)
    assert report.edits == expected.edits and report.findings == expected.findings
    writes = {}
    for a in actions(book):
        if a["func"] in ("setFormula", "setValues") and a["sheet_position"] == 1:
            for dr, row in enumerate(a["values"]):
                for dc, v in enumerate(row):
                    writes[a1(a["start_row"] + 1 + dr, a["start_column"] + 1 + dc)] = v
    assert {e.cell for e in expected.edits} == {f.cell for f in cleared}
    assert [e.formula for e in expected.edits if e.formula]  # 执行率 and its 得分 as formulas
    for e in expected.edits:
        got = writes[e.cell]
        if e.formula:
            assert got == "=" + e.formula
        elif isinstance(e.value, Decimal):
            assert Decimal(str(got)) == e.value
        else:
            assert unprefixed(got) == e.value


def test_score_says_when_there_is_no_self_evaluation(open_remote):
    book = open_remote(payload(example("000")))
    report = xl.score(book)
    assert not report.edits
    (alert,) = [a for a in actions(book) if a["func"] == "alert"]
    assert "没有绩效自评表" in alert["args"][0]


def test_crosscheck_runs_the_crosscheck_core(open_remote):
    data = payload(example("000"))
    book = open_remote(data)
    report = xl.crosscheck(book)
    assert report.findings == core_crosscheck.check(read_file(str(example("000")))).findings
    assert {f.code.split(".")[0] for f in report.findings} == {"xref"}
    assert set(colour_map(actions(book), data)) == {(f.sheet, f.cell) for f in report.findings}


# --- the host and the adapter's guarantees ----------------------------------------------------------------


def test_the_caller_is_used_and_an_addin_caller_means_the_active_workbook(open_remote, xw, monkeypatch):
    addin = open_remote(payload(example("004"), name="xlperf.xlam"))
    workbook = open_remote(payload(example("001")))
    monkeypatch.setattr(xw.Book, "_mock_caller", addin, raising=False)
    assert xl.live_book().book == workbook  # Book.caller() is the add-in: work on the active workbook
    monkeypatch.setattr(xw.Book, "_mock_caller", workbook, raising=False)
    xl.validate()
    assert [a["func"] for a in actions(workbook)].count("setRangeColors") == 1
    assert actions(addin) == []


def test_text_from_findings_never_becomes_a_formula(open_remote):
    evil = 'x","y'
    data = payload(example("001"))
    data["sheets"].append(copy.deepcopy(data["sheets"][0]) | {"name": evil})
    book = open_remote(data)
    live = XlwingsBook(book)
    report = Report(
        findings=[
            Finding("amount.sum_mismatch", "error", "附件3", "B7", '=HYPERLINK("http://x")', "=1+1", "+2"),
            Finding("form.unrecognized", "warning", evil, "A1", "@SUM(A1)", None, "-3"),
        ]
    )
    annotate(live, report)
    done = actions(book)
    formulas = [v for a in done if a["func"] == "setFormula" for row in a["values"] for v in row]
    assert formulas == ['=HYPERLINK("#\'附件3\'!B7","B7")', '=HYPERLINK("#\'x"",""y\'!A1","A1")']
    values = [v for a in done if a["func"] == "setValues" for row in a["values"] for v in row]
    for text in ('=HYPERLINK("http://x")', "=1+1", "+2", "@SUM(A1)", "-3", evil):
        assert "'" + text in values and text not in values  # stored as text by Excel's ' prefix


def test_writes_are_blocks_and_bands_stay_within_the_set_colors_limit(open_remote):
    book = open_remote(payload(example("001")))
    live = XlwingsBook(book)
    live.write("附件3", 5, 2, [["=SUM(C5:D5)", 3.5], [Decimal("1.20"), "文字"]])
    (action,) = actions(book)
    assert action["func"] == "setFormula" and at(action) == (1, "B5")
    assert action["values"] == [["=SUM(C5:D5)", 3.5], [1.2, "'文字"]]
    assert bands([(1, 1), (2, 3)]) == [(1, 1, 2, 3)]
    tall = [(r, 1) for r in range(1, 25_001, 1000)] + [(25_000, 3)]
    assert all((r1 - r0 + 1) * (c1 - c0 + 1) <= 10_000 for r0, c0, r1, c1 in bands(tall))
    assert len(bands(tall)) <= len(tall)
