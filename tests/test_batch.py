"""``xlperf batch`` on a real folder: copies of the examples under other names, a corrupt, an encrypted and a
text file named .xlsx, and a workbook whose cells hold formula-like and HTML-like text.

Each file's row must agree with ``check_model`` run on it directly; the bad files are recorded with their
reason while the others are checked; the SQLite results, the re-run that skips unchanged files, both reports,
and the same batch on a Dask cluster (a LocalCluster started here) are checked against each other."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import encrypted, example
from openpyxl import load_workbook

from xlperf.batch import CheckOptions, check_file, collect_inputs
from xlperf.checks import check_model
from xlperf.forms import read_file
from xlperf.rules import title_of

FORMULA_UNIT = '=HYPERLINK("http://example.invalid","<script>alert(1)</script>")'
HTML_TARGET = "≥≥95%<img src=x onerror=alert(1)>"


def xlperf(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=timeout)


def injected(dst: Path) -> Path:
    """Seed 004 whose 部门名称 is a formula-like text holding a script tag, and a 指标值 with an HTML tag."""
    wb = load_workbook(example("004"))
    ws = wb["部门整体支出绩效目标表"]
    ws["C3"].value = FORMULA_UNIT
    ws["C3"].data_type = "s"  # stored as text, as a clerk's pasted text would be
    ws["E71"].value = HTML_TARGET
    wb.save(dst)
    return dst


# Files that are not workbooks, and the reason the batch must give for each.
BAD = {
    "损坏的.xlsx": "损坏",
    "加密 的表.xlsx": "密码",
    "其实是文本.xlsx": "不是 Excel 工作簿",
}


def build_folder(root: Path) -> Path:
    """The batch folder: every example, seed 004 twice more under other names (one in a subfolder, with an
    upper-case suffix), the bad files, the injected workbook; plus files the batch must not pick up."""
    folder = root / "收到的表"
    sub = folder / "第二批"
    sub.mkdir(parents=True)
    for seed in ("000", "001", "002", "003", "004"):
        shutil.copy(example(seed), folder / f"{seed}-{example(seed).name}")
    shutil.copy(example("004"), folder / "乌尔禾 副本 (2).xlsx")
    shutil.copy(example("004"), sub / "WUERHE.XLSX")
    (folder / "损坏的.xlsx").write_bytes(example("001").read_bytes()[:5000])
    encrypted(example("004"), folder / "加密 的表.xlsx", "secret")
    (folder / "其实是文本.xlsx").write_text("单位,金额\n民政局,14.87\n", encoding="utf-8")
    injected(sub / "注入.xlsx")
    (folder / "说明.txt").write_text("不是工作簿", encoding="utf-8")
    shutil.copy(example("004"), folder / "~$乌尔禾.xlsx")  # Excel's lock file beside an open workbook
    return folder


EXPECTED_FILES = 5 + 2 + len(BAD) + 1


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One local batch of the folder, with both reports."""
    root = tmp_path_factory.mktemp("batch")
    folder = build_folder(root)
    db = root / "results.sqlite"
    run = xlperf("batch", str(folder), "--jobs", "2", "--db", str(db), "--report", str(root / "报告.html"))
    xlsx = xlperf("batch", str(folder), "--db", str(db), "--report", str(root / "报告.xlsx"))
    return {"root": root, "folder": folder, "db": db, "run": run, "rerun": xlsx}


def query(db: Path, sql: str, *params) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def files_of(db: Path, run_id: int) -> dict[str, dict]:
    return {Path(r["path"]).name: r for r in query(db, "SELECT * FROM files WHERE run_id = ?", run_id)}


def findings_of(db: Path, file_id: int) -> list[dict]:
    rows = query(
        db, "SELECT code, severity, sheet, cell, message, expected, actual FROM findings WHERE file_id = ? ORDER BY id",
        file_id,
    )  # fmt: skip
    for r in rows:
        r["expected"] = None if r["expected"] is None else json.loads(r["expected"])
        r["actual"] = None if r["actual"] is None else json.loads(r["actual"])
    return rows


def test_every_workbook_is_found_once_and_nothing_else(batch):
    paths, empty = collect_inputs([str(batch["folder"])])
    names = sorted(Path(p).name for p in paths)
    assert len(names) == EXPECTED_FILES
    assert "说明.txt" not in names and not any(n.startswith("~$") for n in names)
    assert "WUERHE.XLSX" in names and "注入.xlsx" in names
    assert empty == []


def test_one_row_per_file_with_the_counts_of_check_model(batch):
    run = batch["run"]
    assert run.returncode == 2, run.stderr  # some files cannot be read
    rows = files_of(batch["db"], 1)
    assert len(rows) == EXPECTED_FILES
    checked = {n: r for n, r in rows.items() if n not in BAD}
    assert all(r["status"] == "ok" and r["error"] is None for r in checked.values())
    for name, row in checked.items():
        report = check_model(read_file(row["path"]))
        counts = report.counts()
        assert (row["errors"], row["warnings"], row["hints"]) == (counts["error"], counts["warning"], counts["hint"])
        direct = json.loads(json.dumps([f.to_json() for f in report.findings], ensure_ascii=False))
        assert findings_of(batch["db"], row["id"]) == direct, name
    assert rows["000-" + example("000").name]["unit"] == "株洲市石峰区民政局"
    assert rows["001-" + example("001").name]["score"] == 94  # the 总分 of its self-evaluation table
    assert rows["004-" + example("004").name]["score"] is None  # no self-evaluation table
    assert json.loads(rows["WUERHE.XLSX"]["forms"]) == [{"sheet": "部门整体支出绩效目标表", "form": "dept_target"}]
    assert rows["注入.xlsx"]["unit"] == FORMULA_UNIT


def test_bad_files_are_recorded_with_their_reason_and_the_batch_goes_on(batch):
    rows = files_of(batch["db"], 1)
    for name, reason in BAD.items():
        assert rows[name]["status"] == "unreadable"
        assert reason in rows[name]["error"] and name in rows[name]["error"]
        assert "\n" not in rows[name]["error"]
        assert rows[name]["error"] in batch["run"].stderr  # one line each, on stderr
    n = EXPECTED_FILES
    assert f"共 {n} 个文件，检查 {n}；有错误的文件 3，无法读取 3" in batch["run"].stdout


def test_sqlite_contents(batch):
    db = batch["db"]
    assert query(db, "PRAGMA journal_mode")[0]["journal_mode"] == "wal"
    runs = query(db, "SELECT * FROM runs ORDER BY id")
    first = runs[0]
    assert first["status"] == "done" and first["finished"] >= first["started"]
    assert first["version"] == __import__("xlperf").__version__
    assert json.loads(first["args"])["jobs"] == 2
    assert (first["files"], first["checked"], first["reused"]) == (EXPECTED_FILES, EXPECTED_FILES, 0)
    rows = files_of(db, 1)
    sample = rows["000-" + example("000").name]
    assert sample["sha256"] == __import__("hashlib").sha256(Path(sample["path"]).read_bytes()).hexdigest()
    assert sample["size"] == Path(sample["path"]).stat().st_size
    assert sample["mode"] == "cached" and sample["reused_from"] is None
    total = query(db, "SELECT COUNT(*) AS n FROM findings f JOIN files x ON x.id = f.file_id WHERE x.run_id = 1")
    assert total[0]["n"] == sum(r["errors"] + r["warnings"] + r["hints"] for r in rows.values())
    bad = findings_of(db, rows["注入.xlsx"]["id"])
    assert {"code": "indicator.bad_value", "cell": "E71", "actual": HTML_TARGET}.items() <= next(
        f for f in bad if f["code"] == "indicator.bad_value"
    ).items()


def test_rerun_skips_unchanged_files_and_still_reports_them(batch):
    rerun = batch["rerun"]
    assert rerun.returncode == 2
    run2 = query(batch["db"], "SELECT * FROM runs WHERE id = 2")[0]
    assert (run2["files"], run2["checked"], run2["reused"]) == (EXPECTED_FILES, 0, EXPECTED_FILES)
    assert f"未变化跳过 {EXPECTED_FILES}" in rerun.stdout
    first, second = files_of(batch["db"], 1), files_of(batch["db"], 2)
    for name, row in second.items():
        assert row["reused_from"] == first[name]["id"]
        assert (row["errors"], row["warnings"], row["hints"], row["status"]) == (
            first[name]["errors"], first[name]["warnings"], first[name]["hints"], first[name]["status"],
        )  # fmt: skip


def test_force_and_changed_files_are_checked_again(tmp_path):
    folder = tmp_path / "表"
    folder.mkdir()
    for seed in ("001", "004"):
        shutil.copy(example(seed), folder / f"{seed}.xlsx")
    db = str(tmp_path / "r.sqlite")
    assert xlperf("batch", str(folder), "--db", db).returncode == 1  # seed 001 has errors

    changed = folder / "004.xlsx"
    wb = load_workbook(changed)
    wb["部门整体支出绩效目标表"]["E71"].value = "是/否"  # a placeholder 指标值 instead of ≥95%
    wb.save(changed)
    run = xlperf("batch", str(folder), "--db", db)
    assert run.returncode == 1, run.stderr
    rows = files_of(Path(db), 2)
    assert rows["001.xlsx"]["reused_from"] is not None
    before = check_model(read_file(str(example("004")))).counts()["warning"]
    assert rows["004.xlsx"]["reused_from"] is None and rows["004.xlsx"]["warnings"] == before + 1  # the 是/否
    codes = [f["code"] for f in findings_of(Path(db), rows["004.xlsx"]["id"])]
    assert "indicator.placeholder_value" in codes

    run = xlperf("batch", str(folder), "--db", db, "--force")
    assert run.returncode == 1
    assert all(r["reused_from"] is None for r in files_of(Path(db), 3).values())
    assert xlperf("batch", str(folder / "004.xlsx"), "--db", db).returncode == 0  # warnings and hints only


def test_xlsx_report(batch):
    wb = load_workbook(batch["root"] / "报告.xlsx")
    assert wb.sheetnames[:2] == ["文件", "问题"]
    files, findings = wb["文件"], wb["问题"]
    header = [c.value for c in files[1]]
    assert header[:9] == ["文件", "单位", "识别的表格", "错误", "警告", "提示", "得分", "状态", "原因"]
    body = list(files.iter_rows(min_row=2, values_only=True))
    assert len(body) == EXPECTED_FILES
    by_name = {Path(r[0]).name: r for r in body}
    seed000 = by_name["000-" + example("000").name]
    n = check_model(read_file(str(example("000")))).counts()
    assert seed000[1:7] == ("株洲市石峰区民政局", "部门整体目标表、附表2、附表3×12", 0, n["warning"], n["hint"], None)
    assert by_name["001-" + example("001").name][6] == 94
    assert "未变化" in seed000[7]  # this report is of the re-run
    assert "密码" in by_name["加密 的表.xlsx"][8]
    rows = files_of(batch["db"], 1)
    assert findings.max_row - 1 == sum(r["errors"] + r["warnings"] + r["hints"] for r in rows.values())
    problem_header = [c.value for c in findings[1]]
    assert problem_header[:6] == ["文件", "单位", "严重性", "代码", "规则名称", "工作表"]
    assert all(line[4] == title_of(line[3]) for line in findings.iter_rows(min_row=2, values_only=True))
    for ws in (files, findings):
        for line in ws.iter_rows():
            for c in line:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} became a formula"
    unit_cells = [line[1] for line in files.iter_rows(min_row=2) if line[1].value == FORMULA_UNIT]
    assert unit_cells and unit_cells[0].data_type == "s"


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.rows: dict[str, int] = {}
        self.table: str | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table":
            self.table = a.get("id")
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body and self.table:
            self.rows[self.table] = self.rows.get(self.table, 0) + 1

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_one_inert_self_contained_page(batch):
    html = (batch["root"] / "报告.html").read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    tags = [t for t, _ in page.tags]
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            value = value or ""
            assert "://" not in value and not value.startswith("//"), f"<{tag} {name}={value!r}>"
            assert not name.startswith("on"), f"<{tag} {name}>"  # no inline handlers from workbook text
    assert not {"link", "img", "iframe", "object", "embed", "base"} & set(tags)
    assert tags.count("script") == 1 and all("src" not in a for t, a in page.tags if t == "script")
    assert tags.count("style") == 1 and tags.count("svg") == 2
    text = "".join(page.text)
    assert FORMULA_UNIT in text and HTML_TARGET in text  # shown as text, not markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    rows = files_of(batch["db"], 1)
    assert page.rows["files"] == EXPECTED_FILES
    assert page.rows["findings"] == sum(r["errors"] + r["warnings"] + r["hints"] for r in rows.values())
    assert "xref.name_mismatch 名称不一致" in text and "indicator.placeholder_value 指标值是占位内容" in text  # chart
    assert "株洲市石峰区民政局" in text


def test_check_file_result_is_plain_and_picklable(tmp_path):
    result = check_file(str(example("000")))
    assert pickle.loads(pickle.dumps(result)) == result
    assert result.status == "ok" and result.counts == check_model(read_file(str(example("000")))).counts()
    assert result.counts["error"] == 0
    assert result.forms[0] == ("部门整体支出绩效目标表", "dept_target") and len(result.forms) == 14
    missing = check_file(str(tmp_path / "没有这个文件.xlsx"))
    assert missing.status == "unreadable" and "文件不存在" in missing.error


def test_size_limit(tmp_path):
    shutil.copy(example("000"), tmp_path / "大.xlsx")
    shutil.copy(example("004"), tmp_path / "小.xlsx")
    db = str(tmp_path / "r.sqlite")
    run = xlperf("batch", str(tmp_path), "--db", db, "--max-size", "0.02")  # 20 KB: seed 000 is 36 KB
    assert run.returncode == 2
    rows = files_of(Path(db), 1)
    assert rows["大.xlsx"]["status"] == "too_large" and "文件过大" in rows["大.xlsx"]["error"]
    assert rows["小.xlsx"]["status"] == "ok"
    # a larger limit next time: the file is checked, not skipped
    assert xlperf("batch", str(tmp_path), "--db", db).returncode == 0
    assert files_of(Path(db), 2)["大.xlsx"]["status"] == "ok"


def test_nothing_to_check_and_recalc_without_an_engine(tmp_path):
    run = xlperf("batch", str(tmp_path / "*.xlsx"), "--db", str(tmp_path / "r.sqlite"))
    assert run.returncode == 2 and "没有匹配" in run.stderr
    try:
        from xlperf.recalc import recalculate_for_check  # noqa: F401

        available = True
    except ImportError:
        available = False
    db = tmp_path / "r.sqlite"
    run = xlperf("batch", str(example("004")), "--recalc", "--db", str(db))
    if not available:
        assert run.returncode == 2 and "--recalc" in run.stderr
        return
    assert run.returncode == 0, run.stderr  # seed 004 has no formulas: the same findings as without --recalc
    row = next(iter(files_of(db, 1).values()))
    n = check_model(read_file(str(example("004")))).counts()
    assert row["mode"] == "recalc" and (row["errors"], row["warnings"], row["hints"]) == (0, n["warning"], n["hint"])


def test_ctrl_c_stops_cleanly(tmp_path):
    folder = tmp_path / "多"
    folder.mkdir()
    for i in range(600):
        try:
            os.link(example("000"), folder / f"{i:03d}.xlsx")
        except OSError:  # another filesystem
            shutil.copyfile(example("000"), folder / f"{i:03d}.xlsx")
    db = tmp_path / "r.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "xlperf", "batch", str(folder), "--jobs", "2", "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            if db.exists() and query(db, "SELECT COUNT(*) AS n FROM files")[0]["n"] > 0:
                break
        except sqlite3.OperationalError:
            continue  # the database file exists before its tables do
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "已中断" in err
    run = query(db, "SELECT * FROM runs")[0]
    assert run["status"] == "interrupted" and run["finished"]
    assert 0 < run["files"] < 600


def comparable(db: Path, run_id: int) -> list[tuple]:
    """A run's files and findings without ids, run ids, timings and timestamps, sorted."""
    out = []
    for r in query(db, "SELECT * FROM files WHERE run_id = ? ORDER BY path", run_id):
        findings = [tuple(f.values()) for f in findings_of(db, r["id"])]
        for key in ("id", "run_id", "seconds", "reused_from"):
            del r[key]
        out.append((tuple(r.items()), tuple(findings)))
    return out


def test_dask_cluster_gives_the_same_results(batch, tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is in the [test] extra")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
    ):
        db = tmp_path / "dask.sqlite"
        run = xlperf("batch", str(batch["folder"]), "--scheduler", cluster.scheduler_address, "--db", str(db),
                     "--report", str(tmp_path / "dask.html"))  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert comparable(db, 1) == comparable(batch["db"], 1)
    assert query(db, "SELECT files, checked FROM runs")[0] == {"files": EXPECTED_FILES, "checked": EXPECTED_FILES}
    page = Page()
    page.feed((tmp_path / "dask.html").read_text(encoding="utf-8"))
    local = Page()
    local.feed((batch["root"] / "报告.html").read_text(encoding="utf-8"))
    assert page.rows == local.rows


def test_unreachable_scheduler(tmp_path):
    pytest.importorskip("distributed")
    run = xlperf("batch", str(example("004")), "--scheduler", "tcp://127.0.0.1:1", "--db", str(tmp_path / "r.sqlite"))
    assert run.returncode == 2 and "Dask" in run.stderr


def test_check_options_size_limit_in_process(tmp_path):
    result = check_file(str(example("000")), CheckOptions(max_bytes=1000))
    assert result.status == "too_large" and result.sha256 is None and result.size > 1000


def test_recalc_checks_recalculated_values_instead_of_stale_cached_ones(tmp_path):
    """A 合计 formula whose cached value is stale: checked as cached it disagrees with its rows; with
    --recalc the engine recomputes it and the workbook is right."""
    from xlperf.book.patch import KEEP_FORMULA, CellPatch, patch_cells

    model = read_file(str(example("004")))
    total = model.forms[0].tasks_total.total
    wb = load_workbook(example("004"))
    wb.active[total.cell].value = None  # cleared, then filled back as a formula by xlperf fill
    cleared = tmp_path / "cleared.xlsx"
    wb.save(cleared)
    filled = tmp_path / "filled.xlsx"
    assert xlperf("fill", str(cleared), "--output", str(filled)).returncode == 0
    stale = tmp_path / "folder" / "stale.xlsx"
    stale.parent.mkdir()
    stale.write_bytes(patch_cells(filled.read_bytes(), {total.sheet: {total.cell: CellPatch(999, KEEP_FORMULA)}}))
    cached = xlperf("batch", str(stale.parent), "--db", str(tmp_path / "a.sqlite"))
    assert cached.returncode == 1  # amount.sum_mismatch: 999 is not the sum of the tasks
    recalculated = xlperf("batch", str(stale.parent), "--recalc", "--db", str(tmp_path / "b.sqlite"))
    assert recalculated.returncode == 0, recalculated.stdout + recalculated.stderr
