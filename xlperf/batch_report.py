"""The report of a batch: an Excel workbook or one self-contained HTML page, from the rows of the database.

.xlsx: a sheet 文件 (one row per file: path, unit, forms found, errors / warnings / hints, score, status and
the reason a file could not be read), a sheet 问题 (one row per finding, with the rule catalog's fields and
the rule's Chinese name beside its code), 按规则 (findings per rule code and name) and 运行 (what was run).
Text that looks like a formula ("=HYPERLINK(…)") is written as text, never as a formula.

.html: one page that needs no network (inline CSS, a small inline script, charts as inline SVG drawn here,
a Content-Security-Policy that forbids loading anything): findings per rule (code and name) and per unit,
and the two tables, sortable by a click on a heading and filtered by a search box and a selector. Every
text from a workbook is HTML-escaped, so a cell holding ``<script>`` shows as text.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from xlperf import safe_text
from xlperf.report import SEVERITIES, SEVERITY_ZH
from xlperf.results_db import FileRow
from xlperf.rules import title_of

FORM_SHORT = {
    "dept_target": "部门整体目标表",
    "summary": "附表2",
    "direction": "附表3",
    "project_target": "项目目标表",
    "self_eval": "绩效自评表",
    "basic_data": "基础数据表",
}
STATUS_ZH = {"ok": "已检查", "unreadable": "无法读取", "too_large": "文件过大", "failed": "检查出错"}
COLORS = {"error": "#c0392b", "warning": "#d68910", "hint": "#2e6fb0"}
NO_UNIT = "（未识别单位）"


def write_report(rows: list[FileRow], out: str | os.PathLike[str], run: dict[str, Any]) -> None:
    """Write the report of a run to ``out`` (.xlsx or .html, by its suffix), atomically."""
    from xlperf.book.apply import write_atomically

    if Path(out).suffix.lower() == ".xlsx":
        data = xlsx_bytes(rows, run)
    else:
        data = html_page(rows, run).encode("utf-8")
    write_atomically(data, out)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(out, 0o666 & ~mask)  # readable as any new file is, not only by its owner (the temporary file's mode)


def forms_text(forms: list[dict[str, str]]) -> str:
    """The forms found, by kind in order of first appearance: "部门整体目标表、附表2、附表3×12"."""
    counts = Counter(f["form"] for f in forms)
    parts = []
    for kind in dict.fromkeys(f["form"] for f in forms):
        name = FORM_SHORT.get(kind, kind)
        parts.append(name if counts[kind] == 1 else f"{name}×{counts[kind]}")
    return "、".join(parts)


def status_text(row: FileRow) -> str:
    text = STATUS_ZH.get(row.status, row.status)
    return text + "（未变化，沿用上次结果）" if row.reused else text


def _plain(value: Any) -> Any:
    """``expected`` / ``actual`` as a cell shows them: numbers and text as they are, the rest as JSON."""
    if value is None or isinstance(value, (int, float, str)):
        return value
    return json.dumps(value, ensure_ascii=False)


def _display(value: Any) -> str:
    value = _plain(value)
    return "" if value is None else str(value)


# ---------------------------------------------------------------------------------------------- .xlsx

FILE_HEADERS = ("文件", "单位", "识别的表格", "错误", "警告", "提示", "得分", "状态", "原因", "SHA-256", "大小（字节）")
FINDING_HEADERS = ("文件", "单位", "严重性", "代码", "规则名称", "工作表", "单元格", "说明", "应为", "实际")


def xlsx_bytes(rows: list[FileRow], run: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def cell(ws: Any, value: Any, font: Font | None = None) -> Any:
        c = safe_text.xlsx_text(WriteOnlyCell(ws, value=safe_text.xlsx_value(value)))  # "=HYPERLINK(…)" stays text
        if font is not None:
            c.font = font
        return c

    def sheet(title: str, headers: tuple[str, ...], body: list[list[Any]], widths: list[int]) -> None:
        ws = wb.create_sheet(title)
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(body) + 1}"
        ws.append([cell(ws, h, bold) for h in headers])
        for line in body:
            ws.append([cell(ws, v) for v in line])

    files = [
        [r.path, r.unit, forms_text(r.forms), *_counts(r), r.score, status_text(r), r.error, r.sha256, r.size]
        for r in rows
    ]
    sheet("文件", FILE_HEADERS, files, [60, 28, 30, 6, 6, 6, 8, 14, 60, 20, 12])
    findings = [
        [r.path, r.unit, SEVERITY_ZH.get(f["severity"], f["severity"]), f["code"], title_of(f["code"]), f["sheet"],
         f["cell"], f["message"], _plain(f["expected"]), _plain(f["actual"])]
        for r in rows for f in r.findings
    ]  # fmt: skip
    sheet("问题", FINDING_HEADERS, findings, [60, 28, 8, 28, 20, 24, 8, 80, 16, 16])
    by_rule = [
        [code, title_of(code), SEVERITY_ZH.get(sev, sev), n, files_n] for code, sev, n, files_n in _by_rule(rows)
    ]
    sheet("按规则", ("代码", "规则名称", "严重性", "问题数", "涉及文件数"), by_rule, [30, 20, 8, 10, 12])
    sheet("运行", ("项目", "值"), _run_lines(rows, run), [16, 80])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _counts(r: FileRow) -> list[int | None]:
    if r.status != "ok":
        return [None, None, None]
    return [r.errors, r.warnings, r.hints]


def _by_rule(rows: list[FileRow]) -> list[tuple[str, str, int, int]]:
    """(code, severity, findings, files) per rule code, most findings first."""
    n: Counter[str] = Counter()
    files: dict[str, set[int]] = defaultdict(set)
    severity: dict[str, str] = {}
    for r in rows:
        for f in r.findings:
            n[f["code"]] += 1
            files[f["code"]].add(r.id)
            severity.setdefault(f["code"], f["severity"])
    return [(code, severity[code], count, len(files[code])) for code, count in sorted(n.items(), key=_most)]


def _most(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _run_lines(rows: list[FileRow], run: dict[str, Any]) -> list[list[Any]]:
    unreadable = sum(1 for r in rows if r.status != "ok")
    return [
        ["运行编号", run.get("id")],
        ["开始", run.get("started")],
        ["结束", run.get("finished")],
        ["xlperf 版本", run.get("version")],
        ["参数", run.get("args")],
        ["文件数", len(rows)],
        ["沿用上次结果", sum(1 for r in rows if r.reused)],
        ["有错误的文件", sum(1 for r in rows if r.errors)],
        ["无法读取的文件", unreadable],
        ["问题数", sum(len(r.findings) for r in rows)],
    ]


# ---------------------------------------------------------------------------------------------- .html


e = safe_text.html  # every text of the page goes through it: workbook text never becomes markup


def html_page(rows: list[FileRow], run: dict[str, Any]) -> str:
    base = _common_folder([r.path for r in rows])
    with_errors = sum(1 for r in rows if r.errors)
    unreadable = sum(1 for r in rows if r.status != "ok")
    sev = Counter(f["severity"] for r in rows for f in r.findings)
    cards = [
        ("文件", len(rows), ""),
        ("有错误的文件", with_errors, "error"),
        ("无法读取", unreadable, "error" if unreadable else ""),
        *((SEVERITY_ZH[s], sev[s], s) for s in SEVERITIES),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        # Nothing may be fetched: the page is read offline, and text from workbooks must stay inert.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>xlperf 批量校验报告 · 第 {e(run.get('id'))} 次运行</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>批量校验报告</h1>",
        f'<p class="meta">第 {e(run.get("id"))} 次运行 · 开始 {e(run.get("started"))} · '
        f"结束 {e(run.get('finished'))} · xlperf {e(run.get('version'))}"
        + (f" · 文件夹 {e(base)}" if base else "")
        + "</p>",
        '<div class="cards">'
        + "".join(f'<div class="card {k}"><b>{e(n)}</b><span>{e(label)}</span></div>' for label, n, k in cards)
        + "</div>",
        '<section class="charts"><div><h2>各规则的问题数</h2>',
        _rule_chart(rows),
        "</div><div><h2>各单位的问题数</h2>",
        _unit_chart(rows),
        "</div></section>",
        '<p class="tip">点击图中的条形可筛选下方的问题表；点击表头排序。</p>',
        _files_table(rows, base),
        _findings_table(rows, base),
        f"<script>{SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _common_folder(paths: list[str]) -> str:
    folders = [os.path.dirname(p) for p in paths]
    if not folders:
        return ""
    try:
        return os.path.commonpath(folders)
    except ValueError:  # different drives
        return ""


def _short(path: str, base: str) -> str:
    return os.path.relpath(path, base) if base else path


def _bar_chart(items: list[tuple[str, dict[str, int], str]], empty: str, rest: str = "", room: int = 34) -> str:
    """Horizontal bars, one per item (label, counts by severity, filter text), stacked by severity, as SVG;
    ``rest`` is a last line of text only (the items left out), so that it does not squash the scale; a label
    is cut to ``room`` half-width places."""
    if not items:
        return f'<p class="empty">{e(empty)}</p>'
    label_w, bar_w, row_h, pad = 6 * room + 26, 360, 22, 4
    most = max(sum(c.values()) for _, c, _ in items) or 1
    height = row_h * (len(items) + (1 if rest else 0)) + pad
    out = [
        f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 60} {height}" '
        f'width="{label_w + bar_w + 60}" height="{height}" role="img">'
    ]
    for i, (label, counts, key) in enumerate(items):
        y = i * row_h + pad
        n = sum(counts.values())
        # The text to filter by is in <desc>, not in an attribute: workbook text is only ever element text.
        out.append(f'<g class="bar" tabindex="0"><title>{e(label)}：{n}</title><desc>{e(key)}</desc>')
        out.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{e(_fit(label, room))}</text>')
        x = float(label_w)
        for s in SEVERITIES:
            if counts.get(s):
                w = max(1.0, bar_w * counts[s] / most)
                out.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{COLORS[s]}"/>')
                x += w
        out.append(f'<text x="{x + 5:.1f}" y="{y + 15}">{n}</text></g>')
    if rest:
        y = len(items) * row_h + pad
        out.append(f'<text class="rest" x="{label_w}" y="{y + 15}">{e(rest)}</text>')
    out.append("</svg>")
    return "".join(out)


def _fit(text: str, room: int) -> str:
    """``text`` cut to ``room`` half-width places (a Chinese character takes two), with "…" when cut."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0x2E7F else 1
        if used > room:
            return text[: max(i - 1, 0)] + "…"
    return text


def rule_label(code: str) -> str:
    """A rule as the chart names it: its code and its Chinese name, "amount.sum_mismatch 合计不符"."""
    return f"{code} {title_of(code)}".rstrip()


def _rule_chart(rows: list[FileRow]) -> str:
    items = [(rule_label(code), {sev: n}, code) for code, sev, n, _ in _by_rule(rows)]
    return _bar_chart(items, "没有发现问题", room=50)


def _unit_chart(rows: list[FileRow], top: int = 30) -> str:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        for f in r.findings:
            per[r.unit or NO_UNIT][f["severity"]] += 1
    ranked = sorted(per.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    items = [(unit, dict(c), unit) for unit, c in ranked[:top]]
    rest = ""
    if len(ranked) > top:
        n = sum(sum(c.values()) for _, c in ranked[top:])
        rest = f"其他 {len(ranked) - top} 个单位：共 {n} 项（见问题表）"
    return _bar_chart(items, "没有发现问题", rest)


def _controls(table: str, options: list[tuple[str, str]]) -> str:
    opts = "".join(f'<option value="{e(v)}">{e(t)}</option>' for v, t in options)
    return (
        f'<div class="controls"><input type="search" data-for="{table}" '
        'placeholder="筛选：文件、单位、代码、名称、说明…">'
        f'<select data-for="{table}">{opts}</select><span class="count" data-for="{table}"></span></div>'
    )


def _th(names: list[tuple[str, str]]) -> str:
    return "<thead><tr>" + "".join(f'<th data-type="{t}">{e(n)}</th>' for n, t in names) + "</tr></thead>"


def _num(value: Any) -> str:
    if value is None:
        return '<td class="num" data-sort=""></td>'
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f'<td class="num" data-sort="{e(value)}">{e(value)}</td>'


def _files_table(rows: list[FileRow], base: str) -> str:
    out = [
        "<h2>文件</h2>",
        _controls("files", [("", "全部文件"), ("error", "有错误"), ("warning", "有警告"), ("unreadable", "无法读取"),
                            ("clean", "没有问题")]),
        '<table class="data" id="files">',
        _th([("文件", "text"), ("单位", "text"), ("识别的表格", "text"), ("错误", "num"), ("警告", "num"),
             ("提示", "num"), ("得分", "num"), ("状态", "text"), ("原因", "text")]),
        "<tbody>",
    ]  # fmt: skip
    for r in rows:
        tags = []
        if r.status != "ok":
            tags.append("unreadable")
        if r.errors:
            tags.append("error")
        if r.warnings:
            tags.append("warning")
        if r.status == "ok" and not r.findings:
            tags.append("clean")
        counts = _counts(r)
        out.append(
            f'<tr data-kind="{" ".join(tags)}"><td title="{e(r.path)}">{e(_short(r.path, base))}</td>'
            f"<td>{e(r.unit)}</td><td>{e(forms_text(r.forms))}</td>"
            + "".join(_num(c) for c in counts)
            + _num(r.score)
            + f'<td class="st {e(r.status)}">{e(status_text(r))}</td><td>{e(r.error)}</td></tr>'
        )
    out.append("</tbody></table>")
    return "\n".join(out)


def _findings_table(rows: list[FileRow], base: str) -> str:
    out = [
        "<h2>问题</h2>",
        _controls("findings", [("", "全部严重性"), *((s, SEVERITY_ZH[s]) for s in SEVERITIES)]),
        '<table class="data" id="findings">',
        _th([("文件", "text"), ("单位", "text"), ("严重性", "text"), ("代码", "text"), ("名称", "text"),
             ("位置", "text"), ("说明", "text"), ("应为", "text"), ("实际", "text")]),
        "<tbody>",
    ]  # fmt: skip
    order = {s: i for i, s in enumerate(SEVERITIES)}
    for r in rows:
        short = e(_short(r.path, base))
        for f in r.findings:
            where = f"{f['sheet']}!{f['cell']}" if f["cell"] else f["sheet"]
            sev = f["severity"]
            out.append(
                f'<tr data-kind="{e(sev)}"><td title="{e(r.path)}">{short}</td><td>{e(r.unit)}</td>'
                f'<td class="sev {e(sev)}" data-sort="{order.get(sev, 9)}">{e(SEVERITY_ZH.get(sev, sev))}</td>'
                f'<td><code>{e(f["code"])}</code></td><td class="rule">{e(title_of(f["code"]))}</td>'
                f"<td>{e(where)}</td><td>{e(f['message'])}</td>"
                f"<td>{e(_display(f['expected']))}</td><td>{e(_display(f['actual']))}</td></tr>"
            )
    out.append("</tbody></table>")
    return "\n".join(out)


CSS = """
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:24px;
color:#222;background:#fafafa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta,.tip{color:#666;margin:4px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:90px}
.card b{display:block;font-size:20px}.card span{color:#666}
.card.error b{color:#c0392b}.card.warning b{color:#d68910}.card.hint b{color:#2e6fb0}
.charts{display:flex;flex-wrap:wrap;gap:24px}
.chart{background:#fff;border:1px solid #ddd;border-radius:6px;max-width:100%;height:auto}
.chart text{font-size:12px;fill:#333}.chart text.rest{fill:#666}
.chart .bar{cursor:pointer}.chart .bar:hover rect{opacity:.75}
.controls{display:flex;gap:8px;align-items:center;margin:6px 0}
.controls input{flex:0 1 360px;padding:4px 8px}.count{color:#666}
table.data{border-collapse:collapse;background:#fff;width:100%;font-size:13px}
table.data th,table.data td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
table.data th{background:#f0f0f0;cursor:pointer;position:sticky;top:0;user-select:none;white-space:nowrap}
table.data th[aria-sort=ascending]::after{content:" ▲"}table.data th[aria-sort=descending]::after{content:" ▼"}
td.num,td.st{text-align:right;white-space:nowrap}td.st{text-align:left}
td.sev.error,td.st.unreadable,td.st.too_large,td.st.failed{color:#c0392b;font-weight:600}
td.sev.warning{color:#d68910}td.sev.hint{color:#2e6fb0}
code{font-size:12px}td.rule{white-space:nowrap}.empty{color:#666}
"""

# Sorting and filtering: rows are moved and hidden, never rebuilt from text, so no value becomes markup.
SCRIPT = """
(function () {
  function key(tr, i) {
    var td = tr.children[i];
    if (!td) return "";
    var v = td.getAttribute("data-sort");
    return v !== null ? v : td.textContent;
  }
  function sortBy(table, th, i) {
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var num = th.getAttribute("data-type") === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, i), y = key(b, i), c;
      if (num) {
        var p = x === "" ? -Infinity : parseFloat(x), q = y === "" ? -Infinity : parseFloat(y);
        c = p < q ? -1 : p > q ? 1 : 0;
      } else {
        c = x.localeCompare(y, "zh-CN");
      }
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function filter(id) {
    var table = document.getElementById(id);
    var q = document.querySelector('input[data-for="' + id + '"]').value.trim().toLowerCase();
    var kind = document.querySelector('select[data-for="' + id + '"]').value;
    var shown = 0, rows = table.tBodies[0].rows;
    for (var j = 0; j < rows.length; j++) {
      var tr = rows[j];
      var ok = (!q || tr.textContent.toLowerCase().indexOf(q) >= 0) &&
               (!kind || (" " + tr.getAttribute("data-kind") + " ").indexOf(" " + kind + " ") >= 0);
      tr.hidden = !ok;
      if (ok) shown++;
    }
    document.querySelector('span[data-for="' + id + '"]').textContent = shown + " / " + rows.length + " 行";
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.addEventListener("click", function () { sortBy(table, th, i); });
    });
    ["input", "select"].forEach(function (tag) {
      var el = document.querySelector(tag + '[data-for="' + table.id + '"]');
      el.addEventListener(tag === "input" ? "input" : "change", function () { filter(table.id); });
    });
    filter(table.id);
  });
  Array.prototype.forEach.call(document.querySelectorAll(".bar"), function (g) {
    function pick() {
      var input = document.querySelector('input[data-for="findings"]');
      input.value = g.querySelector("desc").textContent;
      filter("findings");
      document.getElementById("findings").scrollIntoView();
    }
    g.addEventListener("click", pick);
    g.addEventListener("keydown", function (ev) { if (ev.key === "Enter") pick(); });
  });
})();
"""
