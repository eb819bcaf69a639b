"""Big inputs stay bounded: a sheet reaching row 1,048,576 or column XFD, and 50,000 indicator rows.

A value typed at XFD1048576 makes calamine's block of a sheet 17 billion cells (it aborted on the 512 GB
allocation); such a sheet is read cell by cell instead (:mod:`xlperf.book.sheet_xml`), which must give the
very values calamine gives. The checks then find exactly what they find on the workbook without the far
cell, in a process whose peak memory is asserted (measured by a wrapper process, so that no other child of
the test run counts). Times are not asserted: ``benchmarks/bench_big_inputs.py`` prints them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from big_inputs import indicator_workbook, planted, with_far_cell
from conftest import EXAMPLES, ROOT, example

from xlperf import limits
from xlperf.book import open_book
from xlperf.book.sheet_xml import excel_date, format_kind
from xlperf.checks import check_model
from xlperf.errors import WorkbookError
from xlperf.forms import read_file

MiB = 1024 * 1024
CEILING = 1536 * MiB  # far below what a materialised far cell takes; a plain check peaks near 100 MB

_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "sys.stderr.write('\\nPEAK_RSS_KB %d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def measured(*args: str, timeout: float = 600) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``xlperf ARGS`` in a fresh process; its output and its peak resident memory in bytes."""
    cmd = [sys.executable, "-c", _MEASURE, sys.executable, "-m", "xlperf", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    kb = int(out.stderr.rsplit("PEAK_RSS_KB", 1)[1].split()[0])
    return out, kb * 1024


def expected_findings(path: Path) -> list[dict]:
    report = check_model(read_file(str(path)))
    return json.loads(json.dumps([f.to_json() for f in report.findings], ensure_ascii=False))


def trimmed(values: list[list]) -> list[list]:
    """Rows without their trailing empty cells, and no trailing empty rows (the block and the cell-by-cell
    reading differ only there)."""
    rows = [list(r) for r in values]
    for r in rows:
        while r and r[-1] is None:
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


# ---------------------------------------------------------------------------------------------- far cells

FAR = [
    pytest.param("000", "XFD1048576", "x", "A1:XFD1048576", id="value-at-XFD1048576"),
    pytest.param("000", "XFD1048576", None, "A1:XFD1048576", id="style-only-whole-grid-dimension"),
    pytest.param("000", "A1048576", "x", None, id="value-at-A1048576"),
    # seed 003's first sheet ends with its indicator table: the rows are walked down to the far cell
    pytest.param("003", "XFD1048576", "x", "A1:XFD1048576", id="indicator-table-open-to-the-end"),
]


@pytest.mark.parametrize(("seed", "ref", "value", "dimension"), FAR)
def test_a_far_cell_changes_no_finding_and_memory_stays_bounded(tmp_path, seed, ref, value, dimension):
    """The far value is the one new finding: a cell of the form's sheet outside every column it knows
    (form.partly_read at that cell, never silently dropped); every other finding is unchanged."""
    far = with_far_cell(example(seed), tmp_path / f"seed{seed}_far.xlsx", ref, value, dimension)
    out, peak = measured("check", "--format", "json", str(far))
    assert out.returncode in (0, 1), out.stderr
    findings = json.loads(out.stdout)["findings"]
    unread = [f for f in findings if f["code"] == "form.partly_read"]
    assert [f["cell"] for f in unread] == ([ref] if value else [])
    assert [f for f in findings if f["code"] != "form.partly_read"] == expected_findings(example(seed))
    assert peak < CEILING, f"peak memory {peak / MiB:.0f} MB"


def test_inspect_a_far_cell_workbook(tmp_path):
    far = with_far_cell(example("000"), tmp_path / "far.xlsx")
    out, peak = measured("inspect", "--json", str(far))
    plain, _ = measured("inspect", "--json", str(example("000")))
    assert out.returncode == 0, out.stderr
    got, want = json.loads(out.stdout), json.loads(plain.stdout)
    coverage = [s.pop("coverage") for s in got["sheets"]]
    for s in want["sheets"]:
        s.pop("coverage")
    assert got["sheets"] == want["sheets"] and got["unrecognized"] == want["unrecognized"]
    assert coverage[0]["unread"] == ["XFD1048576"]  # the far value is shown as not read, never dropped
    assert peak < CEILING


def test_the_far_value_is_read_at_its_place_and_rows_end_at_their_last_value(tmp_path):
    far = with_far_cell(example("000"), tmp_path / "far.xlsx")
    book = open_book(far)
    sheet = book.sheet_names()[0]
    data = book.read(sheet)
    assert data.n_rows == 1_048_576 and data.n_cols == 16_384
    assert data.values[-1][-1] == "x"
    assert trimmed(data.values[:-1]) == trimmed(open_book(example("000")).read(sheet).values)
    assert sum(len(r) for r in data.values) < 20_000  # the empty rows hold nothing


WORKBOOKS = [*sorted(EXAMPLES.glob("*.xlsx")), *sorted((ROOT / "workbook_templates").glob("*.xlsx"))]


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_cell_by_cell_reading_gives_the_values_calamine_gives(path, monkeypatch):
    book = open_book(path)
    dense = {name: book.read(name) for name in book.sheet_names()}
    monkeypatch.setattr(limits, "MAX_DENSE_CELLS", -1)  # every sheet read cell by cell
    for name, want in dense.items():
        got = book.read(name)
        assert trimmed(got.values) == trimmed(want.values), name
        assert sorted(got.merges, key=repr) == sorted(want.merges, key=repr), name


def probe_workbook(path: Path, date1904: bool = False) -> Path:
    """Every kind of value a cell holds: dates and times by built-in, custom and East Asian formats, a
    duration, booleans, error codes, numbers, rich and phonetic shared strings, _xHHHH_ escapes."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.epoch = datetime(1904, 1, 1) if date1904 else wb.epoch
    ws = wb.active
    cells = [
        (datetime(2023, 5, 1), None),
        (datetime(2023, 5, 1, 12, 30), None),
        (time(12, 30), None),
        (timedelta(hours=30), None),
        (45000, 'yyyy"年"m"月"d"日"'),
        (45000, "[h]:mm:ss"),
        (45000.5, "m/d/yy h:mm"),
        (0.25, "h:mm"),
        (45000, "0.00_);[Red]\\(0.00\\)"),
        (45000, '"d"0'),
        (1.5, "0.00%"),
        (12345678901234567890, None),
        (0.1, None),
        (True, None),
        (False, None),
        ("a_x000D_b_x005F_x0041_c_xD800_", None),
        ("=1+1", None),
    ]
    for r, (value, fmt) in enumerate(cells, start=1):
        ws.cell(r, 1, value)
        if fmt:
            ws.cell(r, 1).number_format = fmt
    ws.cell(5, 3, "#REF!").data_type = "e"
    ws.merge_cells("E1:F2")
    wb.save(path)
    # a built-in East Asian date format (31: yyyy"年"m"月"d"日" in a Chinese Excel), a formula's cached text,
    # an ISO date, an error, and a shared string table with rich text, a phonetic guide and an escape
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    styles = parts["xl/styles.xml"].decode()
    east_asian = '<xf numFmtId="31" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
    styles = styles.replace("</cellXfs>", east_asian + "</cellXfs>")
    parts["xl/styles.xml"] = styles.encode()
    n_xf = styles.split("<cellXfs", 1)[1].count("<xf ")
    extra = (
        f'<row r="20"><c r="A20" s="{n_xf - 1}"><v>45000</v></c>'
        '<c r="B20" t="str"><f>"x"</f><v>text_x0009_tab</v></c><c r="C20" t="d"><v>2023-05-01T08:00:00</v></c>'
        '<c r="D20" t="e"><v>#DIV/0!</v></c><c r="E20" t="s"><v>0</v></c><c r="F20" t="s"><v>1</v></c>'
        '<c r="G20" t="s"><v>2</v></c><c r="H20" t="s"><v>3</v></c></row>'
    )
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("</sheetData>", extra + "</sheetData>").encode()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{main}" count="4" uniqueCount="4">'
        '<si><r><rPr><b/></rPr><t>ri</t></r><r><t xml:space="preserve">ch </t></r></si>'
        '<si><t>民政</t><rPh sb="0" eb="2"><t>みんせい</t></rPh></si>'
        "<si><t>line_x000D_break</t></si><si><t></t></si></sst>"
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    rels = rels.replace("</Relationships>", f'<Relationship Id="rIdSst" Type="{rel}" Target="sharedStrings.xml"/>')
    parts["xl/_rels/workbook.xml.rels"] = (rels + "</Relationships>").encode()
    types = parts["[Content_Types].xml"].decode()
    sst = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    types = types.replace("</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{sst}"/></Types>')
    parts["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_cell_by_cell_reading_gives_calamines_value_of_every_kind(tmp_path, monkeypatch, date1904):
    path = probe_workbook(tmp_path / "probe.xlsx", date1904)
    book = open_book(path)
    want = book.read("Sheet")
    monkeypatch.setattr(limits, "MAX_DENSE_CELLS", -1)
    got = book.read("Sheet")
    assert trimmed(got.values) == trimmed(want.values)
    assert got.merges == want.merges
    kinds = {type(v) for row in got.values for v in row}
    assert {date, datetime, time, timedelta, bool, int, float, str} <= kinds


def test_number_formats_that_show_dates():
    assert format_kind('yyyy"年"m"月"d"日"') == "date"
    assert format_kind("[$-804]yyyy/mm/dd") == "date"
    assert format_kind("[h]:mm:ss") == "duration"
    assert format_kind("#,##0.00_);[Red]\\(#,##0.00\\)") is None
    assert format_kind('0.0"万元"') is None
    assert format_kind("General") is None
    assert excel_date(45047.5, "date", False) == datetime(2023, 5, 1, 12, 0)
    assert excel_date(1e300, "date", False) == 1e300  # no date: the number stays


def test_a_sheet_beyond_the_cell_limit_is_refused(tmp_path, monkeypatch):
    far = with_far_cell(example("000"), tmp_path / "far.xlsx")
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 100_000)
    book = open_book(far)
    with pytest.raises(WorkbookError, match="过大"):
        book.read(book.sheet_names()[0])  # 1,048,576 rows


def test_a_damaged_far_sheet_is_refused_in_one_line(tmp_path):
    """The XML of a sheet read cell by cell, cut short after its far cell: a WorkbookError, no traceback."""
    far = with_far_cell(example("000"), tmp_path / "far.xlsx")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(far) as zin, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, data[:-300] if info.filename == "xl/worksheets/sheet1.xml" else data)
    with pytest.raises(WorkbookError, match="损坏"):
        read_file(str(damaged))


def test_a_sheet_beyond_the_merged_cell_limit_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_MERGED_CELLS", 10)
    book = open_book(example("000"))
    with pytest.raises(WorkbookError, match="合并单元格"):
        book.read(book.sheet_names()[0])


# ---------------------------------------------------------------------------------------------- 50,000 rows

ROWS = 50_000


def test_fifty_thousand_indicator_rows_are_checked_in_bounded_memory(tmp_path):
    files = [indicator_workbook(tmp_path / f"{kind}.xlsx", ROWS, kind) for kind in ("project", "selfeval")]
    out, peak = measured("check", "--format", "json", *map(str, files))
    assert out.returncode == 1, out.stderr  # 分值 of 50,000 rows do not sum to 100
    for result in json.loads(out.stdout):
        from rule_cases import REVIEW_CODES  # the generated rows' 有效保障 is vague: the 审核 rules say so too

        codes = Counter(f["code"] for f in result["findings"] if f["code"] not in REVIEW_CODES)
        assert codes == {"indicator.placeholder_value": planted(ROWS), "score.weights_sum": 1}, result["file"]
        placeholders = [f for f in result["findings"] if f["code"] == "indicator.placeholder_value"]
        assert all(f["actual"] == "是/否" for f in placeholders)
    assert peak < 1024 * MiB, f"peak memory {peak / MiB:.0f} MB"


def test_thousands_of_directions_pair_by_name_each_row_with_the_first_free_sheet():
    """附表2 rows pair with 附表3 sheets by a name index (it was every row against every sheet)."""
    from decimal import Decimal

    from xlperf.crosscheck import pair
    from xlperf.model import Field, SpendingDirection, SummaryRow

    empty: Field = Field(None)
    n = 3000

    def sheet(name: str, label: str) -> SpendingDirection:
        return SpendingDirection(name, empty, Field(label), empty, empty, empty, empty, empty, empty, None, [], empty)

    rows = [SummaryRow(i, empty, Field(f"方向{i}"), Field(Decimal(i)), empty, empty) for i in range(n)]
    sheets = [sheet(f"S{i}", f"方向 {i}" if i % 2 else f"方向{i}") for i in reversed(range(n))]
    got = [(r.row, s.sheet, basis) for r, s, basis, _ in pair(rows, sheets)]
    want = [(i, f"S{i}", "exact") for i in range(0, n, 2)] + [(i, f"S{i}", "normalised") for i in range(1, n, 2)]
    assert got == want

    twins = [sheet("A", "方向"), sheet("B", "方向")]
    same = [SummaryRow(i, empty, Field("方向"), empty, empty, empty) for i in range(3)]
    assert [(r.row, s.sheet) for r, s, *_ in pair(same, twins)] == [(0, "A"), (1, "B")]
