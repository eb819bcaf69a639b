"""Recognise what a file is before any spreadsheet library touches it.

A finance clerk sends what they have: an old .xls, a workbook with a password, a .xlsb, a file that was
cut off in an e-mail. Each gets a clear one-line answer that says what to do, instead of a traceback.

Hostile files are stopped here too, before any parser sees them: a package whose parts expand beyond
:mod:`xlperf.limits` (a zip bomb) and XML parts that declare a DTD (entity expansion: Excel never writes
one) are refused. Every part is decompressed once through :mod:`zipfile`, which stops at each part's
declared size and checks its CRC, so a package that lies about its sizes is refused as corrupt instead of
expanding without bound in a later reader.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from xlperf import limits
from xlperf.errors import WorkbookError

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
# The password Excel uses for a workbook that is encrypted without the user setting one (a workbook that
# is only protected against changes): Excel opens it silently, and so does xlperf.
_EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"
_DTD_MARKERS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le"))
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CHUNK = 1024 * 1024
_TO_XLSX = "请在 Excel 或 WPS 中“另存为” Excel 工作簿 (.xlsx)"


@dataclass(frozen=True)
class Input:
    """A workbook file's content, ready for a reader.

    ``kind`` is "xlsx" (an OOXML package: .xlsx/.xlsm) or "xls" (a BIFF workbook, read for checking only).
    ``password`` is the password the file was decrypted with, so that a written copy is encrypted again.
    """

    data: bytes
    kind: str = "xlsx"
    password: str | None = None


def read_input(path: str, what: str = "工作簿") -> bytes:
    """The bytes of an input file, or a WorkbookError saying why there are none (``what`` names the kind of
    file expected, for the message about a folder)."""
    p = Path(path)
    if not p.exists():
        raise WorkbookError(path, "文件不存在", "file not found")
    if p.is_dir():
        raise WorkbookError(path, f"这是一个文件夹，不是{what}", "is a directory")
    try:
        size = p.stat().st_size
        if size > limits.MAX_FILE_BYTES:
            raise WorkbookError(
                path,
                f"文件过大（{size / limits.MiB:.0f} MB，上限 {limits.MAX_FILE_BYTES // limits.MiB} MB）",
                f"file larger than {limits.MAX_FILE_BYTES // limits.MiB} MiB",
            )
        data = p.read_bytes()
    except OSError as exc:
        raise WorkbookError(path, "无法打开文件", f"cannot open: {exc.strerror or exc}") from exc
    if not data:
        raise WorkbookError(path, "文件是空的", "empty file")
    return data


def open_input(path: str, password: str | None = None, allow_xls: bool = False) -> Input:
    """Read, decrypt and vet a workbook file; raise WorkbookError with the reason when it cannot be used.

    ``allow_xls``: the caller only reads (inspect, check), so a legacy .xls is accepted; writers get the
    message that tells how to convert it.
    """
    data = read_input(path)
    used_password = None
    if data.startswith(_OLE) and _ENCRYPTION_INFO in data:
        data, used_password = _decrypt(path, data, password)
    if data.startswith(_OLE):
        if not allow_xls:
            raise WorkbookError(
                path,
                "这是旧版 .xls 文件，此操作需要 .xlsx（.xls 只能检查）",
                "legacy .xls (BIFF) workbook is read-only",
                _TO_XLSX,
            )
        return Input(data, "xls", used_password)
    if not data.startswith(_ZIP):
        raise WorkbookError(path, "不是 Excel 工作簿（.xlsx/.xlsm）", "not an xlsx/xlsm file (not a zip package)")
    _vet_package(path, data)
    return Input(data, "xlsx", used_password)


def sniff(path: str, password: str | None = None) -> bytes:
    """The OOXML package of a workbook file (decrypted with ``password`` if it has one), or WorkbookError."""
    return open_input(path, password).data


def _decrypt(path: str, data: bytes, password: str | None) -> tuple[bytes, str]:
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError, InvalidKeyError

    attempts = [password] if password else [_EXCEL_DEFAULT_PASSWORD]
    for attempt in attempts:
        try:
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            office.load_key(password=attempt, verify_password=True)
            out = io.BytesIO()
            office.decrypt(out)
            return out.getvalue(), attempt
        except (InvalidKeyError, DecryptionError):
            continue
        except Exception as exc:  # msoffcrypto raises its own types for damaged containers
            raise WorkbookError(path, "加密的工作簿已损坏，无法解密", f"cannot decrypt: {type(exc).__name__}") from exc
    if password:
        raise WorkbookError(path, "打开密码不正确", "wrong password", "请核对 --password 的值（区分大小写）")
    raise WorkbookError(
        path,
        "工作簿设有打开密码",
        "password-protected workbook",
        "请用 --password 提供密码（或设置环境变量 XLPERF_PASSWORD），或在 Excel 中取消密码后另存为 .xlsx",
    )


def _vet_package(path: str, data: bytes) -> None:
    """Refuse a package that is not a workbook, is damaged, would expand beyond the limits or declares a
    DTD; decompresses every part once, in bounded memory."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as exc:
        raise WorkbookError(path, "文件不完整或已损坏（压缩包无法打开）", f"truncated or corrupt zip: {exc}") from exc
    names = {i.filename for i in infos}
    if "xl/workbook.bin" in names:
        raise WorkbookError(path, "这是二进制工作簿 .xlsb", "binary .xlsb workbook is not supported", _TO_XLSX)
    if "xl/workbook.xml" not in names:
        raise WorkbookError(path, "压缩包里没有 Excel 工作簿", "zip package holds no xl/workbook.xml")
    if len(infos) > limits.MAX_PARTS:
        raise _bomb(path, f"{len(infos)} parts, more than {limits.MAX_PARTS}")
    declared = sum(i.file_size for i in infos)
    if declared > limits.MAX_EXPANDED_BYTES:
        raise _bomb(path, f"parts expand to {declared // limits.MiB} MiB")
    for i in infos:
        if i.file_size > limits.RATIO_FLOOR_BYTES and i.file_size > limits.MAX_RATIO * max(i.compress_size, 1):
            raise _bomb(path, f"{i.filename} expands {i.file_size // max(i.compress_size, 1)}:1")
    try:
        for i in infos:
            with z.open(i) as part:
                head = part.read(_CHUNK)
                if i.filename.lower().endswith(_XML_SUFFIXES) and any(m in head[:4096] for m in _DTD_MARKERS):
                    raise WorkbookError(
                        path,
                        f"{i.filename} 含有 DTD 实体声明（Excel 不会写出这种内容），为安全起见不予读取",
                        "XML part declares a DTD (entity expansion refused)",
                    )
                while part.read(_CHUNK):  # decompress to check the size and CRC; the content is not kept
                    pass
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise WorkbookError(path, "文件不完整或已损坏（压缩包无法读出）", f"truncated or corrupt zip: {exc}") from exc
    except RuntimeError as exc:  # an encrypted zip entry (a zip password, not an Office one)
        raise WorkbookError(path, "压缩包设有密码，不是 Excel 工作簿", f"encrypted zip entries: {exc}") from exc


def _bomb(path: str, detail: str) -> WorkbookError:
    return WorkbookError(
        path,
        f"解压后过大（上限 {limits.MAX_EXPANDED_BYTES // limits.MiB} MB、压缩比 {limits.MAX_RATIO}:1），疑似压缩炸弹",
        f"zip bomb refused: {detail}",
    )


def encrypt(data: bytes, password: str) -> bytes:
    """An OOXML package encrypted with ``password`` (Agile encryption, as Excel writes it)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def env_password() -> str | None:
    """The password from the environment (XLPERF_PASSWORD), which keeps it out of the shell history."""
    return os.environ.get("XLPERF_PASSWORD") or None
