"""Where an operation writes, and how: never over the user's only copy.

By default every writing command makes a new file beside the input (``名称（已填合计）.xlsx``); ``--output``
names another file; ``--in-place`` changes the input itself after copying it to ``名称.xlsx.bak``. Every write
goes to a temporary file in the target's folder, is flushed to disk and then renamed over the target, so an
interrupted run (Ctrl+C, SIGTERM, a full disk) leaves the target as it was and no partial file beside it.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from xlperf.errors import OutputError

_DISK_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


@dataclass(frozen=True)
class OutputTarget:
    """The file an operation writes, and whether it is the input itself (then backed up first)."""

    path: Path
    in_place: bool = False


def add_output_arguments(parser: argparse.ArgumentParser, suffix: str) -> None:
    """``--output`` / ``--in-place`` for a command that writes a copy of its input workbook."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--output", metavar="OUT.xlsx", help=f"输出文件（默认在原文件旁新建“原文件名（{suffix}）.xlsx”，原文件不变）"
    )
    group.add_argument("--in-place", action="store_true", help="直接修改原文件；修改前先备份为“原文件名.bak”")


def plan_output(src: str, output: str | None, in_place: bool, suffix: str) -> OutputTarget:
    """The target for writing ``src``'s result: ``output``, the input itself, or a new name beside it."""
    source = Path(src)
    if in_place:
        return OutputTarget(source, in_place=True)
    if output:
        target = Path(output)
        if target.exists() and source.exists() and os.path.samefile(target, source):
            raise OutputError(
                output,
                "输出文件不能是输入文件本身",
                "the output must not overwrite the input",
                "要直接修改原文件请用 --in-place（会先备份）",
            )
        if target.is_dir():
            raise OutputError(output, "这是一个文件夹", "output is a directory", "请给出输出文件名")
        return OutputTarget(target)
    return OutputTarget(_free_name(source, suffix))


def _free_name(source: Path, suffix: str) -> Path:
    ext = source.suffix if source.suffix.lower() in (".xlsx", ".xlsm") else ".xlsx"
    for n in range(1, 1000):
        tag = suffix if n == 1 else f"{suffix} {n}"
        candidate = source.with_name(f"{source.stem}（{tag}）{ext}")
        if not candidate.exists():
            return candidate
    raise OutputError(str(source), "同名输出文件过多", "too many earlier outputs", "请用 --output 指定")


def backup_path(source: Path) -> Path:
    """``名称.xlsx.bak``, or ``名称.xlsx.2.bak`` … when an earlier backup exists (it is never replaced)."""
    for n in range(1, 1000):
        candidate = source.with_name(source.name + (".bak" if n == 1 else f".{n}.bak"))
        if not candidate.exists():
            return candidate
    raise OutputError(str(source), "备份文件过多", "too many backups beside the input", "请先清理 .bak 文件")


def write_atomically(data: bytes, out: str | os.PathLike[str], password: str | None = None) -> None:
    """Write ``data`` to ``out`` through a temporary file in the same folder and a rename; encrypted with
    ``password`` when the input was. On any failure or interruption nothing is left at ``out``'s folder."""
    target = Path(out)
    if password:
        from xlperf.book.sniff import encrypt

        data = encrypt(data, password)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _write_error(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if target.exists():
            shutil.copymode(target, tmp)
        else:  # mkstemp makes the file private (0600); a new output gets the permissions any new file gets
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from exc
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_output(data: bytes, target: OutputTarget, password: str | None = None) -> Path | None:
    """Write an operation's result; for ``--in-place`` copy the input to a backup first. Returns the backup."""
    backup = None
    if target.in_place:
        backup = backup_path(target.path)
        try:
            write_atomically(target.path.read_bytes(), backup)
            shutil.copystat(target.path, backup)
        except OSError as exc:
            raise _write_error(backup, exc) from exc
    write_atomically(data, target.path, password)
    return backup


def _write_error(target: Path, exc: OSError) -> OutputError:
    if exc.errno in _DISK_FULL:
        return OutputError(
            str(target),
            "磁盘空间不足（或超出文件大小限制），没有写出任何文件",
            "no space left on device",
            "请清理磁盘后重试",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(
            str(target),
            "没有写入权限（文件可能正在 Excel 中打开）",
            "permission denied",
            "请关闭该文件或换一个输出位置",
        )
    return OutputError(str(target), "写入失败，没有写出任何文件", f"{exc.strerror or exc}")
