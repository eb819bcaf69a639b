"""The Excel add-in ``xlperf.xlam``: build it from ``vba_shim/`` and the installed xlwings, install it.

The add-in is an OOXML add-in package (macro-enabled, content type
``application/vnd.ms-excel.addin.macroEnabled.main+xml``) holding

- the ribbon tab 绩效 (``vba_shim/customUI14.xml``, the 2009/07 customUI, related from the package root),
- a sheet ``xlwings.conf`` with the xlwings settings of ``vba_shim/xlwings.conf``, which xlwings' VBA reads
  from the add-in itself,
- ``xl/vbaProject.bin``: a VBA project holding xlwings' own VBA modules, read at build time from the
  ``xlwings.xlam`` that the installed xlwings package ships (its code is never copied into this
  repository), and the ribbon callbacks of ``vba_shim/xlperf_ribbon.bas``.

The VBA project is written by pyOpenVBA (PyPI ``pyopenvba``, the ``[addin]`` extra), which makes a project
as Excel makes one for a workbook that has none and adds the modules as source. Its ``_VBA_PROJECT`` stream
is then written without a performance cache, version 0xFFFF, as [MS-OVBA] asks of writers and as xlwings
ships its own add-in, so Excel compiles every module from its source when it first loads the add-in.

``install`` copies the add-in into the folder Excel opens at start-up (XLSTART on Windows, the Startup
folder of Excel on macOS). Everything here raises :class:`AddinError` with a one-line message.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape as _html_escape
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

ADDIN_FILE = "xlperf.xlam"
SHIM_MODULE = "xlperfRibbon"
CONFIG_SHEET = "xlwings.conf"

BAS_FILE = "xlperf_ribbon.bas"
CUSTOM_UI_FILE = "customUI14.xml"
CUSTOM_UI_SCHEMA_FILE = "customUI14.xsd"
CONFIG_FILE = "xlwings.conf"
SHIM_FILES = (BAS_FILE, CUSTOM_UI_FILE, CUSTOM_UI_SCHEMA_FILE, CONFIG_FILE)

#: Where the parts go inside the package.
CUSTOM_UI_PART = "customUI/customUI14.xml"
WORKBOOK_PART = "xl/workbook.xml"
CONFIG_SHEET_PART = "xl/worksheets/sheet1.xml"
VBA_PART = "xl/vbaProject.bin"

ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
CUSTOM_UI_NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
#: The relationship type of the Office 2010 customUI part ([MS-CUSTOMUI2]); the 2007 part has its own.
UI_EXTENSIBILITY = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"

#: The ``_VBA_PROJECT`` stream with no performance cache ([MS-OVBA] 2.3.4.1: version 0xFFFF on write, no
#: cache), byte for byte as xlwings ships it in its own add-in: Excel compiles every module from source.
VBA_PROJECT_NO_CACHE = bytes.fromhex("cc61ffff000100")

#: The code names Excel gives a workbook's document modules; the VBA project is made to match them.
WORKBOOK_CODE_NAME = "ThisWorkbook"
SHEET_CODE_NAME = "Sheet1"

#: The Startup folder of Excel 2016 and later on macOS, below the home folder.
MAC_STARTUP = (
    "Library",
    "Group Containers",
    "UBF8T346G9.Office",
    "User Content.localized",
    "Startup.localized",
    "Excel",
)


class AddinError(Exception):
    """The add-in cannot be built or installed. ``str(err)`` is one line: Chinese, then the English reason."""


# --- where things are ------------------------------------------------------------------------------------


def _xml(text: str) -> str:
    """Text escaped for an XML element (&, <, >); the stdlib's xml.sax.saxutils would pull in urllib."""
    return _html_escape(text, quote=False)


def find_shim_dir(shim_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder of the VBA shim sources: the one given, else ``vba_shim/`` of the source tree, else of
    the current directory."""
    candidates = (
        [Path(shim_dir)]
        if shim_dir is not None
        else [Path(__file__).resolve().parent.parent / "vba_shim", Path.cwd() / "vba_shim"]
    )
    for folder in candidates:
        if all((folder / name).is_file() for name in SHIM_FILES):
            return folder
    where = candidates[0] if shim_dir is not None else "vba_shim/"
    raise AddinError(
        f"找不到加载项的源文件 {where}（需要 {', '.join(SHIM_FILES)}）；请在 xlperf 项目文件夹中运行，"
        f"或用 --shim 指定该文件夹 (the vba_shim folder was not found)"
    )


def xlwings_addin_path() -> Path:
    """The ``xlwings.xlam`` shipped by the installed xlwings package (its VBA is what RunPython needs)."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise AddinError("未安装 xlwings；请先运行 pip install xlwings (xlwings is not installed)")
    path = Path(spec.origin).parent / "addin" / "xlwings.xlam"
    if not path.is_file():
        raise AddinError(f"xlwings 安装不完整，缺少 {path.name} (the xlwings package has no addin/xlwings.xlam)")
    return path


def install_dir(platform: str, environ: Mapping[str, str], home: str | os.PathLike[str]) -> PurePath:
    """The folder whose workbooks and add-ins Excel opens at start-up, for ``platform`` (``sys.platform``).

    A pure function of its arguments: Windows ``%APPDATA%\\Microsoft\\Excel\\XLSTART``, macOS the Startup
    folder of Excel 2016 and later below ``home``. Elsewhere there is no Excel, and :class:`AddinError`
    says so and where the file goes on a Windows PC.
    """
    if platform == "win32":
        appdata = environ.get("APPDATA")
        if not appdata:
            raise AddinError("找不到 APPDATA 文件夹，无法确定 XLSTART 的位置 (APPDATA is not set)")
        return PureWindowsPath(appdata, "Microsoft", "Excel", "XLSTART")
    if platform == "darwin":
        return PurePosixPath(home, *MAC_STARTUP)
    system = "Linux" if platform.startswith("linux") else platform
    raise AddinError(
        f"本机不能安装：Excel 不能在 {system} 上运行。请把 xlperf.xlam 复制到 Windows 电脑的 "
        "%APPDATA%\\Microsoft\\Excel\\XLSTART 文件夹，然后重新启动 Excel "
        f"(Excel is not available on {system}: copy xlperf.xlam to %APPDATA%\\Microsoft\\Excel\\XLSTART "
        "on a Windows PC and restart Excel)"
    )


# --- the xlwings settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    key: str
    value: str | bool


def read_settings(path: Path) -> list[Setting]:
    """The key/value lines of ``vba_shim/xlwings.conf`` (xlwings' config-file format: ``"KEY","VALUE"``).

    ``True``/``False`` become booleans, as xlwings' own config sheet holds them.
    """
    settings = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if not row or not row[0].strip():
                continue
            if len(row) != 2:
                raise AddinError(f'{path.name} 格式错误：{row!r} 不是 "键","值" (expected two columns)')
            key, value = row[0].strip(), row[1]
            flag = {"true": True, "false": False}.get(value.strip().lower())
            settings.append(Setting(key, value if flag is None else flag))
    return settings


def settings_for(settings: Sequence[Setting], platform: str, executable: str) -> list[Setting]:
    """The settings with the interpreter of the building machine, when it is the machine Excel runs on.

    Built on Windows, ``Interpreter_Win`` becomes the ``pythonw.exe`` beside ``executable`` (the Python
    that has xlperf installed, without a console window); built on macOS, ``Interpreter_Mac`` becomes
    ``executable``. Elsewhere the file's values stay (``pythonw`` / ``python3`` found on the PATH).
    """
    override: dict[str, str] = {}
    if platform == "win32":
        override["interpreter_win"] = str(PureWindowsPath(executable).with_name("pythonw.exe"))
    elif platform == "darwin":
        override["interpreter_mac"] = executable
    return [Setting(s.key, override.get(s.key.lower(), s.value)) for s in settings]


# --- the package -----------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _relationships(rels: Sequence[tuple[str, str, str]]) -> str:
    items = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in rels)
    return f'{_XML_DECL}<Relationships xmlns="{_PKG_RELS}">{items}</Relationships>'


def _content_types() -> str:
    ooxml = "application/vnd.openxmlformats-officedocument"
    overrides = [
        ("/" + WORKBOOK_PART, ADDIN_CONTENT_TYPE),
        ("/" + CONFIG_SHEET_PART, f"{ooxml}.spreadsheetml.worksheet+xml"),
        ("/xl/styles.xml", f"{ooxml}.spreadsheetml.styles+xml"),
        ("/xl/sharedStrings.xml", f"{ooxml}.spreadsheetml.sharedStrings+xml"),
        ("/xl/theme/theme1.xml", f"{ooxml}.theme+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{ooxml}.extended-properties+xml"),
    ]
    items = "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
    return (
        f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{items}</Types>"
    )


def _workbook() -> str:
    return (
        f'{_XML_DECL}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
        f'<workbookPr codeName="{WORKBOOK_CODE_NAME}"/>'
        '<bookViews><workbookView visibility="hidden"/></bookViews>'
        f'<sheets><sheet name="{CONFIG_SHEET}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _config_sheet(settings: Sequence[Setting]) -> tuple[str, str]:
    """The sheet xlwings reads (keys from A1 down, values in B, no header) and its shared strings."""
    strings: list[str] = []

    def shared(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    rows = []
    for number, setting in enumerate(settings, start=1):
        cells = f'<c r="A{number}" t="s"><v>{shared(setting.key)}</v></c>'
        if isinstance(setting.value, bool):
            cells += f'<c r="B{number}" t="b"><v>{int(setting.value)}</v></c>'
        elif setting.value:
            cells += f'<c r="B{number}" t="s"><v>{shared(setting.value)}</v></c>'
        rows.append(f'<row r="{number}">{cells}</row>')
    sheet = (
        f'{_XML_DECL}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
        f'<sheetPr codeName="{SHEET_CODE_NAME}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        '<cols><col min="1" max="1" width="22" customWidth="1"/>'
        '<col min="2" max="2" width="60" customWidth="1"/></cols>'
        f"<sheetData>{''.join(rows)}</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )
    items = "".join(f'<si><t xml:space="preserve">{_xml(text)}</t></si>' for text in strings)
    count = len(strings)
    shared_strings = f'{_XML_DECL}<sst xmlns="{_MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>'
    return sheet, shared_strings


_STYLES = (
    f'{_XML_DECL}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _doc_props() -> tuple[str, str]:
    from xlperf import __version__

    core = (
        f"{_XML_DECL}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{_xml('xlperf 绩效')}</dc:title><dc:creator>xlperf {__version__}</dc:creator>"
        "</cp:coreProperties>"
    )
    app = (
        f"{_XML_DECL}<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application></Properties>"
    )
    return core, app


def package_parts(settings: Sequence[Setting], custom_ui: bytes) -> dict[str, bytes]:
    """Every part of the add-in package except the VBA project, by part name."""
    from openpyxl.writer.theme import theme_xml

    sheet, shared_strings = _config_sheet(settings)
    core, app = _doc_props()
    parts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": _relationships(
            [
                ("rId1", f"{_DOC_RELS}/officeDocument", WORKBOOK_PART),
                ("rId2", f"{_PKG_RELS}/metadata/core-properties", "docProps/core.xml"),
                ("rId3", f"{_DOC_RELS}/extended-properties", "docProps/app.xml"),
                ("rId4", UI_EXTENSIBILITY, CUSTOM_UI_PART),
            ]
        ),
        "docProps/core.xml": core,
        "docProps/app.xml": app,
        WORKBOOK_PART: _workbook(),
        "xl/_rels/workbook.xml.rels": _relationships(
            [
                ("rId1", f"{_DOC_RELS}/worksheet", "worksheets/sheet1.xml"),
                ("rId2", f"{_DOC_RELS}/styles", "styles.xml"),
                ("rId3", f"{_DOC_RELS}/sharedStrings", "sharedStrings.xml"),
                ("rId4", f"{_DOC_RELS}/theme", "theme/theme1.xml"),
            ]
        ),
        CONFIG_SHEET_PART: sheet,
        "xl/sharedStrings.xml": shared_strings,
        "xl/styles.xml": _STYLES,
        "xl/theme/theme1.xml": theme_xml,
    }
    encoded = {name: text.encode("utf-8") for name, text in parts.items()}
    encoded[CUSTOM_UI_PART] = custom_ui
    return encoded


def _write_zip(path: Path, parts: Mapping[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


# --- checks on the sources -------------------------------------------------------------------------------


def check_custom_ui(custom_ui: bytes, schema: Path) -> list[str]:
    """What is wrong with the ribbon XML against the customUI schema (empty when it is valid)."""
    from lxml import etree

    try:
        document = etree.fromstring(custom_ui)
    except etree.XMLSyntaxError as err:
        return [f"not well-formed XML: {err}"]
    validator = etree.XMLSchema(etree.parse(str(schema)))
    if validator.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in validator.error_log]


def _shim_source(path: Path) -> str:
    """The shim module's source as VBA stores it: CRLF line ends, plain ASCII (the project's code page)."""
    text = path.read_text(encoding="utf-8")
    if not text.isascii():
        raise AddinError(f"{path.name} 只能含 ASCII 字符（VBA 工程的代码页）({path.name} must be plain ASCII)")
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[0].strip() != f'Attribute VB_Name = "{SHIM_MODULE}"':
        raise AddinError(f'{path.name} 的第一行必须是 Attribute VB_Name = "{SHIM_MODULE}" (wrong module name)')
    return "\r\n".join(lines).rstrip("\r\n") + "\r\n"


def xlwings_modules(addin: Path) -> list[tuple[str, str, object]]:
    """xlwings' own VBA modules (name, source, kind), read from its add-in; its document modules left out."""
    from pyopenvba import ExcelFile
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import parse_project_stream

    with ExcelFile(addin) as source:
        project = source.vba_project()
        documents = {
            name.casefold()
            for name, _ in parse_project_stream(
                CFB.from_bytes(source.vba_project_bytes()).get_stream("PROJECT"), code_page=project.code_page
            ).document_modules
        }
        return [
            (module.name, module.source, module.kind)
            for module in project.modules
            if module.name.casefold() not in documents
        ]


# --- build and install -----------------------------------------------------------------------------------


def build(
    output_dir: str | os.PathLike[str] = ".",
    shim_dir: str | os.PathLike[str] | None = None,
    *,
    platform: str | None = None,
    executable: str | None = None,
) -> Path:
    """Build ``OUTPUT_DIR/xlperf.xlam`` and return its path; an existing file is replaced whole.

    ``platform`` and ``executable`` (default: this machine's) choose the interpreter written into the
    xlwings settings, see :func:`settings_for`.
    """
    try:
        from pyopenvba import PyOpenVBAError
    except ImportError:
        raise AddinError(
            '生成加载项需要 pyOpenVBA；请运行 pip install "xlperf[addin]" 或 pip install pyopenvba '
            "(pyopenvba is not installed)"
        ) from None

    shim = find_shim_dir(shim_dir)
    try:
        return _build(Path(output_dir), shim, platform or sys.platform, executable or sys.executable)
    except PyOpenVBAError as err:
        raise AddinError(f"无法生成 VBA 工程：{err} (pyOpenVBA could not write the VBA project)") from err
    except OSError as err:
        raise AddinError(f"无法写入 {output_dir}：{err.strerror or err} (cannot write the add-in)") from err


def _build(out: Path, shim: Path, platform: str, executable: str) -> Path:
    from pyopenvba import ExcelFile, VBAModuleKind

    custom_ui = (shim / CUSTOM_UI_FILE).read_bytes()
    problems = check_custom_ui(custom_ui, shim / CUSTOM_UI_SCHEMA_FILE)
    if problems:
        raise AddinError(f"{CUSTOM_UI_FILE} 不符合 customUI 架构：{problems[0]} (invalid ribbon XML)")
    settings = settings_for(read_settings(shim / CONFIG_FILE), platform, executable)
    shim_source = _shim_source(shim / BAS_FILE)
    modules = xlwings_modules(xlwings_addin_path())

    out.mkdir(parents=True, exist_ok=True)
    target = out / ADDIN_FILE
    with tempfile.TemporaryDirectory(prefix=".xlperf-addin-", dir=out) as work:
        # pyOpenVBA gives a new VBA project to a macro-enabled workbook by its .xlsm name; the package's
        # main part says what it is (an add-in), and the file is named .xlam once it is complete.
        draft = Path(work) / "xlperf.xlsm"
        _write_zip(draft, package_parts(settings, custom_ui))
        with ExcelFile(draft) as book:
            project = book.add_vba_project()
            for name, source, kind in modules:
                project.add_module(name, source, kind=kind)
            project.add_module(SHIM_MODULE, shim_source, kind=VBAModuleKind.standard)
            book.save()
        _drop_performance_cache(draft)
        _check_built(draft, [name for name, _, _ in modules] + [SHIM_MODULE])
        os.replace(draft, target)
    return target


def _drop_performance_cache(path: Path) -> None:
    """Write the project's ``_VBA_PROJECT`` stream without its performance cache (see VBA_PROJECT_NO_CACHE)."""
    from pyopenvba.cfb import CFB

    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    project = CFB.from_bytes(parts[VBA_PART])
    project.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_NO_CACHE)
    parts[VBA_PART] = project.to_bytes()
    _write_zip(path, parts)


def _check_built(path: Path, modules: Sequence[str]) -> None:
    """The package is an add-in holding every module: a writer fault stops the build, never ships."""
    from pyopenvba import ExcelFile, check_file
    from pyopenvba.cfb import CFB

    report = check_file(path)
    if report.errors:
        first = report.errors[0]
        raise AddinError(f"生成的加载项未通过检查：{first.location} {first.message} (the built add-in is broken)")
    with zipfile.ZipFile(path) as zf:
        content_types = zf.read("[Content_Types].xml").decode("utf-8")
        expected = (f'PartName="/{WORKBOOK_PART}" ContentType="{ADDIN_CONTENT_TYPE}"', VBA_CONTENT_TYPE)
        if not all(text in content_types for text in expected):
            raise AddinError("生成的文件不是加载项 (the built package lost its add-in content type)")
    with ExcelFile(path) as book:
        present = {name.casefold() for name in book.module_names()}
        cache = CFB.from_bytes(book.vba_project_bytes()).get_stream_in_storage("VBA", "_VBA_PROJECT")
    if cache != VBA_PROJECT_NO_CACHE:
        raise AddinError("生成的 VBA 工程仍带编译缓存 (the _VBA_PROJECT cache was not dropped)")
    missing = [name for name in modules if name.casefold() not in present]
    if missing:
        raise AddinError(f"生成的加载项缺少 VBA 模块 {', '.join(missing)} (modules missing from the VBA project)")


def install(addin_path: str | os.PathLike[str]) -> Path:
    """Copy the add-in into the folder Excel opens at start-up; return where it now is."""
    folder = Path(install_dir(sys.platform, os.environ, Path.home()))
    source = Path(addin_path)
    if not source.is_file():
        raise AddinError(f"找不到 {source}；请先运行 xlperf addin build (no such file)")
    target = folder / ADDIN_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as err:
        raise AddinError(
            f"无法写入 {target}：{err.strerror or err}；若 Excel 正在运行，请先关闭 Excel 再安装 "
            "(cannot write the add-in there: close Excel and try again)"
        ) from err
    return target


# --- the command line ------------------------------------------------------------------------------------


def _build_command(args: argparse.Namespace) -> int:
    try:
        path = build(args.output, args.shim)
    except AddinError as err:
        print(str(err), file=sys.stderr)
        return 2
    print(f"已生成加载项 {path} (built the Excel add-in)")
    return 0


def _install_command(args: argparse.Namespace) -> int:
    try:
        install_dir(sys.platform, os.environ, Path.home())  # says at once when there is no Excel here
        if args.file is not None:
            path = install(args.file)
        else:
            with tempfile.TemporaryDirectory(prefix="xlperf-addin-") as work:
                path = install(build(work, args.shim))
    except AddinError as err:
        print(str(err), file=sys.stderr)
        return 2
    print(f"已安装加载项到 {path}，请重新启动 Excel (installed; restart Excel)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``xlperf addin build [--output DIR]`` and ``xlperf addin install [FILE]`` to the CLI.

    Each command sets ``run`` (the CLI's convention) to a function of the parsed arguments returning the
    exit code: 0, or 2 with a one-line message.
    """
    parser = subparsers.add_parser("addin", help="Excel 加载项 xlperf.xlam：生成、安装 (the Excel add-in)")
    commands = parser.add_subparsers(dest="addin_command", required=True, metavar="{build,install}")

    build_parser = commands.add_parser("build", help="生成 xlperf.xlam (build the add-in)")
    build_parser.add_argument("--output", default=".", metavar="DIR", help="输出文件夹，默认当前文件夹")
    build_parser.add_argument("--shim", default=None, metavar="DIR", help="vba_shim 文件夹，默认在项目文件夹中查找")
    build_parser.set_defaults(run=_build_command)

    install_parser = commands.add_parser(
        "install", help="安装到 Excel 启动时自动打开的文件夹 (install where Excel loads it)"
    )
    install_parser.add_argument(
        "file", nargs="?", default=None, metavar="FILE", help="要安装的 xlperf.xlam；省略时先生成再安装"
    )
    install_parser.add_argument("--shim", default=None, metavar="DIR", help="vba_shim 文件夹（省略 FILE 时用）")
    install_parser.set_defaults(run=_install_command)
    return parser


__all__ = [
    "ADDIN_FILE",
    "AddinError",
    "build",
    "install",
    "install_dir",
    "register",
    "settings_for",
]
