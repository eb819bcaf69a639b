"""Recognise what a file is before any spreadsheet library touches it.

A finance clerk sends what they have: an old .xls, a workbook with a password, a .xlsb, a file that was
cut off in an e-mail. Each gets a clear one-line answer that says what to do, instead of a traceback.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from xlperf.errors import WorkbookError

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def read_input(path: str, what: str = "工作簿") -> bytes:
    """The bytes of an input file, or a WorkbookError saying why there are none (``what`` names the kind of
    file expected, for the message about a folder)."""
    p = Path(path)
    if not p.exists():
        raise WorkbookError(path, "文件不存在", "file not found")
    if p.is_dir():
        raise WorkbookError(path, f"这是一个文件夹，不是{what}", "is a directory")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise WorkbookError(path, "无法打开文件", f"cannot open: {exc.strerror or exc}") from exc
    if not data:
        raise WorkbookError(path, "文件是空的", "empty file")
    return data


def sniff(path: str) -> bytes:
    """Read the file and return its bytes if it is an OOXML workbook; raise WorkbookError otherwise."""
    data = read_input(path)
    if data.startswith(_OLE):
        if _ENCRYPTION_INFO in data:
            raise WorkbookError(
                path,
                "工作簿设有打开密码",
                "password-protected workbook",
                "请在 Excel 中取消密码后另存为 .xlsx",
            )
        raise WorkbookError(
            path,
            "这是旧版 .xls 文件",
            "legacy .xls (BIFF) workbook",
            "请在 Excel 或 WPS 中“另存为” Excel 工作簿 (.xlsx)",
        )
    if not data.startswith(_ZIP):
        raise WorkbookError(path, "不是 Excel 工作簿（.xlsx/.xlsm）", "not an xlsx/xlsm file (not a zip package)")
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile as exc:
        raise WorkbookError(path, "文件不完整或已损坏（压缩包无法打开）", f"truncated or corrupt zip: {exc}") from exc
    if "xl/workbook.bin" in names:
        raise WorkbookError(
            path,
            "这是二进制工作簿 .xlsb",
            "binary .xlsb workbook is not supported",
            "请在 Excel 中“另存为” Excel 工作簿 (.xlsx)",
        )
    if "xl/workbook.xml" not in names:
        raise WorkbookError(path, "压缩包里没有 Excel 工作簿", "zip package holds no xl/workbook.xml")
    return data
