"""``xlperf template``: write a blank official form, or add a spending direction to a 专项资金 workbook.

::

    xlperf template KIND --output FILE [--year Y] [--unit NAME]
    xlperf template add-direction FILE NAME [--output OUT]

Light on purpose (argparse only): the builders are imported when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xlperf.templates import TEMPLATES

EXIT_OK, EXIT_ERROR = 0, 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``template`` to the ``xlperf`` command's subcommands."""
    from xlperf.book.output import add_output_arguments
    from xlperf.cli import add_password_argument

    p = subparsers.add_parser("template", help="生成空白的官方表格，或为专项资金表添加支出方向 (blank official forms)")
    kinds = p.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, (file_name, what) in TEMPLATES.items():
        k = kinds.add_parser(kind, help=f"{what}（workbook_templates/{file_name}）")
        k.add_argument("--output", required=True, metavar="FILE", help="输出文件 .xlsx")
        k.add_argument("--year", metavar="Y", help="年度，写入标题（不写则标题留空待填）")
        k.add_argument("--unit", metavar="NAME", help="单位名称，写入填报单位和单位名称栏")
        k.add_argument("--overwrite", action="store_true", help="输出文件已存在时覆盖它")
        k.set_defaults(run=_write)
    a = kinds.add_parser("add-direction", help="在专项资金表中添加一个支出方向：新增一张附表3，并在附表2 中添加一行")
    a.add_argument("file", metavar="FILE", help="专项资金工作簿（附表2 和附表3）")
    a.add_argument("name", metavar="NAME", help="支出方向名称")
    add_output_arguments(a, "新增方向")
    add_password_argument(a)
    a.set_defaults(run=_add_direction)


def _write(args: argparse.Namespace) -> int:
    from xlperf.templates.generate import generate, write

    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        print(f"输出文件应为 .xlsx：{out} (the template is an .xlsx workbook)", file=sys.stderr)
        return EXIT_ERROR
    if out.exists() and not args.overwrite:
        print(f"{out} 已存在，未覆盖；确认覆盖请加 --overwrite (the output exists)", file=sys.stderr)
        return EXIT_ERROR
    if not out.parent.is_dir():
        print(f"文件夹不存在：{out.parent} (no such folder)", file=sys.stderr)
        return EXIT_ERROR
    write(out, generate(args.kind, args.year, args.unit))
    print(f"已生成{TEMPLATES[args.kind][1]}：{out}")
    return EXIT_OK


def _add_direction(args: argparse.Namespace) -> int:
    from xlperf.book.output import plan_output
    from xlperf.cli import password_of
    from xlperf.errors import WorkbookError
    from xlperf.templates.add_direction import add_direction, cli_summary

    try:
        target = plan_output(args.file, args.output, args.in_place, "新增方向")
        added = add_direction(args.file, args.name, target, password_of(args))
    except WorkbookError as err:
        print(str(err), file=sys.stderr)
        return EXIT_ERROR
    print(cli_summary(added, target.path))
    return EXIT_OK
