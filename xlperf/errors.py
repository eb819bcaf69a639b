"""Errors that reach the user: one line, in Chinese with the English reason, naming the file."""

from __future__ import annotations


class WorkbookError(Exception):
    """A workbook that cannot be processed. The CLI prints ``str(err)`` and exits with code 2."""

    def __init__(self, path: str, reason_zh: str, reason_en: str, hint: str = "") -> None:
        self.path = path
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        tail = f"；{self.hint}" if self.hint else ""
        return f"无法读取 {self.path}：{self.reason_zh}{tail} ({self.reason_en})"


class OutputError(WorkbookError):
    """An output that could not be written (disk full, no permission, the input named as output …).
    Nothing partial is left behind; the CLI prints ``str(err)`` and exits with code 2."""

    def __str__(self) -> str:
        tail = f"；{self.hint}" if self.hint else ""
        return f"无法写出 {self.path}：{self.reason_zh}{tail} ({self.reason_en})"
