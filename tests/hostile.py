"""Bad and hostile input files, built from the examples: one table shared by the tests
(tests/test_bad_inputs.py asserts each answer) and the measurement of time and memory
(benchmarks/bench_bad_inputs.py, whose table is docs/reliability.md)."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import FIXTURES, encrypted, example

from xlperf import limits


@dataclass(frozen=True)
class Run:
    """How ``python -m xlperf …`` ended: exit code, output, wall time and the process's peak memory."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_measured(argv: list[str], cwd: Path | None = None) -> Run:
    """Run xlperf as a user runs it, in its own process, measuring that process alone (``wait4``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "xlperf", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
    )
    stdout = proc.stdout.read() if proc.stdout else b""  # both are small: the pipes never fill up
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        proc.returncode,
        stdout.decode("utf-8", "replace"),
        stderr.decode("utf-8", "replace"),
        time.perf_counter() - start,
        usage.ru_maxrss / 1024,
    )


def repack(src: Path, dst: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of a package with some parts replaced (None: removed) or added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in change:
                zout.writestr(info, zin.read(info.filename))
        for name, data in change.items():
            if data is not None:
                zout.writestr(name, data)
    return dst


def declare_size(path: Path, name: str, size: int) -> Path:
    """Rewrite the uncompressed size of ``name`` in the central directory: a package that lies."""
    data = bytearray(path.read_bytes())
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + name_len].decode() == name:
            struct.pack_into("<I", data, pos + 24, size)
            path.write_bytes(bytes(data))
            return path
        pos += 4
    raise AssertionError(f"{name} not in the central directory")


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    + b"<si><t>&lol9;</t></si></sst>"
)


def _text(d: Path) -> Path:
    p = d / "报表 (1).xlsx"
    p.write_text("单位,金额\n民政局,14.87\n", encoding="utf-8")
    return p


def _truncated(d: Path) -> Path:
    p = d / "truncated.xlsx"
    p.write_bytes(example("000").read_bytes()[:4000])
    return p


def _empty(d: Path) -> Path:
    p = d / "empty.xlsx"
    p.write_bytes(b"")
    return p


def _xlsb(d: Path) -> Path:
    p = d / "binary.xlsb"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return p


def _other_zip(d: Path) -> Path:
    p = d / "photos.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.jpg", b"\xff\xd8")
    return p


def _locked(d: Path) -> Path:
    return encrypted(example("004"), d / "加密.xlsx", "1234")


def _xls(d: Path) -> Path:
    p = d / "旧版.xls"
    p.write_bytes((FIXTURES / "seed000_saved_as_xls.xls").read_bytes())
    return p


@dataclass(frozen=True)
class Case:
    """A bad input: how to build it, the command run on it, and what xlperf must answer (``reason`` is
    in the one-line message; exit code ``exit``). ``what`` is the row's text in docs/reliability.md."""

    name: str
    what: str
    build: Callable[[Path], Path]
    argv: tuple[str, ...]
    reason: str
    exit: int = 2


CASES = [
    Case("missing", "不存在的文件", lambda d: d / "nowhere.xlsx", ("inspect",), "file not found"),
    Case("empty", "空文件（0 字节）", _empty, ("inspect",), "empty file"),
    Case("text", "文本文件改名为 .xlsx", _text, ("inspect",), "not an xlsx/xlsm file"),
    Case("truncated", "截断的 .xlsx（邮件附件只收到一半）", _truncated, ("inspect",), "truncated or corrupt zip"),
    Case("other-zip", "不含工作簿的 zip", _other_zip, ("inspect",), "holds no xl/workbook.xml"),
    Case("xlsb", "二进制工作簿 .xlsb", _xlsb, ("check",), "binary .xlsb workbook is not supported"),
    Case("xls-check", "旧版 .xls（BIFF8）检查", _xls, ("check",), "", exit=0),
    Case("xls-write", "旧版 .xls 填充合计", _xls, ("fill",), "legacy .xls (BIFF) workbook is read-only"),
    Case(
        "password",
        "设有打开密码，未给密码",
        _locked,
        ("inspect",),
        "password-protected workbook",
    ),
    Case(
        "wrong-password",
        "设有打开密码，密码错误",
        _locked,
        ("inspect", "--password", "4321"),
        "wrong password",
    ),
    Case(
        "password-ok",
        "设有打开密码，--password 正确",
        _locked,
        ("check", "--password", "1234"),
        "",
        exit=0,
    ),
    Case(
        "ratio-bomb",
        "压缩炸弹：一个部件 20 MiB 零字节（约 1000:1）",
        lambda d: repack(example("000"), d / "bomb.xlsx", {"xl/media/image1.png": bytes(20 * limits.MiB)}),
        ("check",),
        "zip bomb refused",
    ),
    Case(
        "declared-bomb",
        "压缩炸弹：目录声明 4 GiB",
        lambda d: declare_size(repack(example("000"), d / "declared.xlsx", {}), "xl/styles.xml", 2**32 - 1),
        ("check",),
        "zip bomb refused",
    ),
    Case(
        "lying-size",
        "部件实际解压大小超过声明（10 MiB 声明为 100 字节）",
        lambda d: declare_size(
            repack(example("000"), d / "liar.xlsx", {"xl/media/image1.png": bytes(10 * limits.MiB)}),
            "xl/media/image1.png",
            100,
        ),
        ("check",),
        "truncated or corrupt zip",
    ),
    Case(
        "billion-laughs",
        "XML 实体膨胀（billion laughs，sharedStrings.xml）",
        lambda d: repack(example("000"), d / "laughs.xlsx", {"xl/sharedStrings.xml": BILLION_LAUGHS}),
        ("check",),
        "declares a DTD",
    ),
]
