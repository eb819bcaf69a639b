"""The Excel add-in: ``xlperf addin build`` makes a real .xlam from vba_shim/ and the installed xlwings, checked
here with independent readers (oletools' olevba and olefile for the VBA project, lxml and the customUI schema
for the ribbon, openpyxl and python-calamine for the workbook); ``install`` knows where Excel looks and says
plainly that there is no Excel on Linux."""

from __future__ import annotations

import argparse
import ast
import importlib.util
import io
import re
import shutil
import sys
import warnings
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

import olefile
import pytest
from lxml import etree

from xlperf import addin
from xlperf.addin import AddinError

with warnings.catch_warnings():  # oletools still calls pyparsing's deprecated camelCase names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

ROOT = Path(__file__).resolve().parent.parent
SHIM = ROOT / "vba_shim"
UI_NS = {"ui": addin.CUSTOM_UI_NAMESPACE}

#: The ribbon as the issue describes it: group → (button label, callback, xlperf.xl function).
RIBBON = {
    "检查": [("校验", "XlperfValidate", "validate"), ("交叉核对", "XlperfCrosscheck", "crosscheck")],
    "计算": [("填充合计", "XlperfFillTotals", "fill_totals"), ("评分", "XlperfScore", "score")],
    "标注": [("清除标注", "XlperfClearMarks", "clear_marks")],
}
#: The icons used, each checked against the Office imageMso gallery lists (2007/2010 icon galleries and the
#: [MS-CUSTOMUI] imageMso table).
KNOWN_IMAGE_MSO = {"AcceptInvitation", "CompareAndCombine", "AutoSum", "CalculateNow", "ClearFormats"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return addin.build(tmp_path_factory.mktemp("addin"), SHIM)


def macros(path: Path) -> dict[str, str]:
    """Module name → source, as olevba reads them from an Office file."""
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def lines(source: str) -> list[str]:
    return source.replace("\r\n", "\n").rstrip("\n").split("\n")


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def xlwings_addin() -> Path:
    spec = importlib.util.find_spec("xlwings")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "addin" / "xlwings.xlam"


# --- the package -------------------------------------------------------------------------------------------


def test_build_makes_a_macro_enabled_addin(built):
    assert built.name == "xlperf.xlam"
    types = etree.fromstring(part(built, "[Content_Types].xml"))
    ns = {"ct": "http://schemas.openxmlformats.org/package/2006/content-types"}
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.findall("ct:Override", ns)}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.findall("ct:Default", ns)}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    assert not [t for t in overrides.values() if t.endswith(".main+xml") and "addin" not in t]
    workbook_rels = part(built, "xl/_rels/workbook.xml.rels").decode()
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"' in (
        workbook_rels
    )
    with zipfile.ZipFile(built) as zf:
        assert zf.testzip() is None
        assert "xl/vbaProject.bin" in zf.namelist()


def test_custom_ui_part_is_related_from_the_package_root(built):
    rels = etree.fromstring(part(built, "_rels/.rels"))
    ui = [r for r in rels if r.get("Type") == "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"]
    assert [r.get("Target") for r in ui] == ["customUI/customUI14.xml"]
    assert part(built, "customUI/customUI14.xml") == (SHIM / "customUI14.xml").read_bytes()


def test_rebuilding_replaces_the_file_and_leaves_nothing_behind(tmp_path):
    first = addin.build(tmp_path, SHIM)
    first.write_bytes(b"stale")
    again = addin.build(tmp_path, SHIM)
    assert again == first and zipfile.is_zipfile(again)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xlperf.xlam"]


# --- the VBA project -----------------------------------------------------------------------------------------


def test_olevba_lists_xlwings_modules_and_the_shim(built):
    found = macros(built)
    ours = set(found) - {"ThisWorkbook", "Sheet1"}
    xlwings_own = set(macros(xlwings_addin())) - {"ThisWorkbook", "Sheet1"}
    assert {"Main", "Config", "Utils", "Dictionary"} <= xlwings_own
    assert ours == xlwings_own | {"xlperfRibbon"}


def test_shim_source_in_the_add_in_is_vba_shim_xlperf_ribbon_bas(built):
    stored = macros(built)["xlperfRibbon"]
    assert "\r\n" in stored and "\n" not in stored.replace("\r\n", "")  # VBA's line ends
    assert lines(stored) == lines((SHIM / "xlperf_ribbon.bas").read_text(encoding="utf-8"))


def test_xlwings_modules_are_those_of_the_installed_xlwings(built):
    ours, theirs = macros(built), macros(xlwings_addin())
    for name, source in theirs.items():
        if name not in ("ThisWorkbook", "Sheet1"):
            assert ours[name] == source, name
    # The version the VBA checks against the Python package is the installed one.
    import xlwings

    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in ours["Main"]


def test_vba_project_has_no_performance_cache_and_matches_the_workbook(built):
    ole = olefile.OleFileIO(io.BytesIO(part(built, "xl/vbaProject.bin")))
    streams = ["/".join(entry) for entry in ole.listdir()]
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")
    assert not [s for s in streams if s.startswith("VBA/__SRP_")]
    project = ole.openstream("PROJECT").read().decode("latin-1").split("\r\n")
    assert "Module=xlperfRibbon" in project
    assert {"Document=ThisWorkbook/&H00000000", "Document=Sheet1/&H00000000"} <= set(project)
    assert 'codeName="ThisWorkbook"' in part(built, "xl/workbook.xml").decode()
    assert 'codeName="Sheet1"' in part(built, "xl/worksheets/sheet1.xml").decode()
    assert not [line for line in project if line.startswith("DPB=") and len(line) > 30]  # no password


# --- the ribbon ----------------------------------------------------------------------------------------------


def test_custom_ui_validates_against_the_customui_2009_07_schema(built):
    problems = addin.check_custom_ui(part(built, "customUI/customUI14.xml"), SHIM / "customUI14.xsd")
    assert problems == []
    root = etree.fromstring(part(built, "customUI/customUI14.xml"))
    assert root.tag == "{http://schemas.microsoft.com/office/2009/07/customui}customUI"


@pytest.mark.parametrize(
    "edit, expected",
    [
        (('label="校验"', 'label="校验" onClick="x"'), "onClick"),  # not a customUI attribute
        (("</group>", "<checkbox id='c'/></group>"), "checkbox"),  # not an element of the subset
        (('id="xlperfScore"', 'id="xlperfValidate"'), "xlperfValidate"),  # ids are unique
        (('size="large" imageMso="AutoSum"', 'size="huge" imageMso="AutoSum"'), "huge"),
        (('label="评分"', 'label="' + "分" * 1025 + '"'), "length"),
    ],
)
def test_the_schema_rejects_what_excel_would_reject(edit, expected):
    text = (SHIM / "customUI14.xml").read_text(encoding="utf-8")
    assert edit[0] in text
    problems = addin.check_custom_ui(text.replace(edit[0], edit[1], 1).encode("utf-8"), SHIM / "customUI14.xsd")
    assert problems and expected in " ".join(problems)


def test_tab_groups_and_buttons(built):
    root = etree.fromstring(part(built, "customUI/customUI14.xml"))
    (tab,) = root.findall(".//ui:tab", UI_NS)
    assert tab.get("label") == "绩效"
    groups = {g.get("label"): g for g in tab.findall("ui:group", UI_NS)}
    assert list(groups) == list(RIBBON)
    for label, expected in RIBBON.items():
        buttons = groups[label].findall("ui:button", UI_NS)
        assert [(b.get("label"), b.get("onAction")) for b in buttons] == [
            (text, f"xlperfRibbon.{callback}") for text, callback, _ in expected
        ]
        for button in buttons:
            assert button.get("imageMso") in KNOWN_IMAGE_MSO
            for tip in ("screentip", "supertip"):
                assert re.search(r"[\u4e00-\u9fff]", button.get(tip, "")), (button.get("id"), tip)


def test_each_callback_runs_its_xlperf_xl_function():
    bas = (SHIM / "xlperf_ribbon.bas").read_text(encoding="utf-8")
    assert bas.isascii()
    assert lines(bas)[0] == 'Attribute VB_Name = "xlperfRibbon"'
    assert "Option Explicit" in lines(bas)
    subs = re.findall(r"^Sub (\w+)\(control As IRibbonControl\)\n((?:.*\n)*?)End Sub$", bas, re.M)
    bodies = {name: body.strip() for name, body in subs}
    xl = importlib.util.find_spec("xlperf.xl")
    assert xl is not None and xl.origin is not None
    tree = ast.parse(Path(xl.origin).read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    for expected in RIBBON.values():
        for _, callback, function in expected:
            assert bodies.pop(callback) == f'RunPython "import xlperf.xl; xlperf.xl.{function}()"'
            assert function in defined
    assert bodies == {}


# --- the xlwings.conf sheet ----------------------------------------------------------------------------------


def xlsm_view(path: Path) -> io.BytesIO:
    """The package with only its main part's content type read as .xlsm: openpyxl 3.1 knows the main parts of
    .xlsx/.xlsm/.xltx/.xltm only and refuses every .xlam, xlwings' own included ("File contains no valid
    workbook part"). Every other part is read as built."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
            dst.writestr(info, data)
    out.seek(0)
    return out


def test_opens_in_openpyxl_with_its_vba(built):
    import openpyxl

    wb = openpyxl.load_workbook(xlsm_view(built), keep_vba=True)
    assert wb.sheetnames == ["xlwings.conf"]
    assert "xl/vbaProject.bin" in wb.vba_archive.namelist()
    rows = {row[0]: row[1] for row in wb["xlwings.conf"].iter_rows(values_only=True)}
    assert rows["Interpreter_Win"] and rows["Interpreter_Mac"]
    assert rows["Use UDF Server"] is False and rows["UDF Modules"] is None and rows["PYTHONPATH"] is None
    wb.vba_archive.close()


def test_config_sheet_is_what_xlwings_reads(built):
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(built))  # the .xlam as it is
    assert book.sheet_names == ["xlwings.conf"]
    rows = book.get_sheet_by_name("xlwings.conf").to_python()
    keys = [row[0] for row in rows]
    # xlwings reads the keys from A1 down to the first empty cell, values from column B, no header row.
    assert all(keys) and len(keys) == len(set(k.upper() for k in keys))
    assert {"Interpreter_Win", "Interpreter_Mac", "PYTHONPATH", "UDF Modules", "Use UDF Server"} <= set(keys)
    values = {row[0]: row[1] for row in rows}
    assert values["Use UDF Server"] is False and values["UDF Modules"] == ""
    expected = addin.settings_for(addin.read_settings(SHIM / "xlwings.conf"), sys.platform, sys.executable)
    assert [(s.key, s.value) for s in expected] == [(k, values[k]) for k in keys]


def test_settings_take_the_interpreter_of_the_machine_that_builds():
    settings = addin.read_settings(SHIM / "xlwings.conf")
    by_key = {s.key: s.value for s in settings}
    assert by_key["Interpreter_Win"] == "pythonw" and by_key["Use UDF Server"] is False

    win = {s.key: s.value for s in addin.settings_for(settings, "win32", r"C:\Python312\python.exe")}
    assert win["Interpreter_Win"] == r"C:\Python312\pythonw.exe"
    assert win["Interpreter_Mac"] == by_key["Interpreter_Mac"]
    mac = {s.key: s.value for s in addin.settings_for(settings, "darwin", "/opt/py/bin/python3")}
    assert mac["Interpreter_Mac"] == "/opt/py/bin/python3" and mac["Interpreter_Win"] == "pythonw"
    assert addin.settings_for(settings, "linux", "/usr/bin/python3") == settings


# --- install -------------------------------------------------------------------------------------------------


def test_install_dir_on_windows_is_xlstart_of_appdata():
    appdata = r"C:\Users\someone\AppData\Roaming"
    got = addin.install_dir("win32", {"APPDATA": appdata}, r"C:\Users\someone")
    assert got == PureWindowsPath(appdata, "Microsoft", "Excel", "XLSTART")
    with pytest.raises(AddinError, match="APPDATA"):
        addin.install_dir("win32", {}, r"C:\Users\someone")


def test_install_dir_on_macos_is_the_excel_startup_folder():
    got = addin.install_dir("darwin", {}, "/Users/someone")
    assert got == PurePosixPath(
        "/Users/someone/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
    )


def test_install_on_linux_says_excel_is_not_available_and_where_the_file_goes(built, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(AddinError) as caught:
        addin.install(built)
    message = str(caught.value)
    assert "\n" not in message
    assert "Excel 不能在 Linux 上运行" in message and "Excel is not available on Linux" in message
    assert r"%APPDATA%\Microsoft\Excel\XLSTART" in message and "Windows" in message
    assert list(tmp_path.iterdir()) == []  # nothing copied anywhere


# --- the command line ----------------------------------------------------------------------------------------


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="xlperf")
    addin.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_build_prints_one_line(tmp_path, capsys):
    assert run_cli(["addin", "build", "--output", str(tmp_path / "out"), "--shim", str(SHIM)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and str(tmp_path / "out" / "xlperf.xlam") in out
    assert zipfile.is_zipfile(tmp_path / "out" / "xlperf.xlam")


def test_cli_errors_exit_2_with_one_line(tmp_path, capsys):
    assert run_cli(["addin", "build", "--output", str(tmp_path), "--shim", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "vba_shim" in err
    for argv in (["addin", "install"], ["addin", "install", str(tmp_path / "xlperf.xlam")]):
        assert run_cli(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Linux" in err


def test_invalid_ribbon_xml_stops_the_build(tmp_path):
    shim = tmp_path / "vba_shim"
    shutil.copytree(SHIM, shim)
    ui = shim / "customUI14.xml"
    ui.write_text(ui.read_text(encoding="utf-8").replace('size="large"', 'size="big"', 1), encoding="utf-8")
    with pytest.raises(AddinError, match="customUI"):
        addin.build(tmp_path / "out", shim)
    assert not (tmp_path / "out" / "xlperf.xlam").exists()
