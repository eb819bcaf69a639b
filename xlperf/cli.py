"""The ``xlperf`` command. Thin: parse arguments, open the book, run the operation, print.

Heavy libraries are imported inside the commands, so that ``xlperf --help`` and a failing open answer
at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from xlperf import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


def _inspect(args: argparse.Namespace) -> int:
    from xlperf.errors import WorkbookError
    from xlperf.forms import read_file
    from xlperf.inspect import render_text, summarize

    code = EXIT_OK
    results = []
    for path in args.files:
        try:
            summary = summarize(read_file(path))
        except WorkbookError as err:
            print(str(err), file=sys.stderr)
            code = EXIT_UNREADABLE
            continue
        results.append(summary)
        if not args.json:
            print(render_text(summary))
    if args.json:
        out = results[0] if len(results) == 1 and len(args.files) == 1 else results
        print(json.dumps(out, ensure_ascii=False, indent=2))
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlperf",
        description="检查和完善预算绩效工作簿（绩效目标表、附表2/附表3、绩效自评表）。",
    )
    parser.add_argument("--version", action="version", version=f"xlperf {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("inspect", help="列出工作簿中识别出的表格、关键字段和指标数 (what was recognised)")
    p.add_argument("files", nargs="+", metavar="FILE", help="工作簿 .xlsx / .xlsm")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(run=_inspect)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped to head
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
