"""The ``xlperf`` command. Thin: parse arguments, open the book, run the operation, print.

Heavy libraries are imported inside the commands, so that ``xlperf --help`` and a failing open answer
at once.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence

from xlperf import __version__
from xlperf.errors import WorkbookError
from xlperf.safe_text import utf8

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3


def _inspect(args: argparse.Namespace) -> int:
    from xlperf.forms import read_file
    from xlperf.inspect import render_text, summarize

    code = EXIT_OK
    results = []
    for path in args.files:
        try:
            summary = summarize(read_file(path, password_of(args)))
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


def add_password_argument(parser: argparse.ArgumentParser) -> None:
    """``--password`` for commands that open workbooks (XLPERF_PASSWORD in the environment works too)."""
    parser.add_argument(
        "--password", metavar="PW", help="打开密码（也可设置环境变量 XLPERF_PASSWORD）；写出的文件用同一密码加密"
    )


def password_of(args: argparse.Namespace) -> str | None:
    from xlperf.book.sniff import env_password

    return getattr(args, "password", None) or env_password()


def add_profile_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        metavar="NAME|FILE.toml",
        help="审核配置：内置配置的名称（见 xlperf profiles）或 TOML 文件（默认 national，或环境变量 XLPERF_PROFILE）",
    )


def profile_of(args: argparse.Namespace):
    """The profile in force: ``--profile``, else ``XLPERF_PROFILE``, else the national one (ProfileError if bad)."""
    from xlperf.profiles import load_profile, profile_from_env

    spec = getattr(args, "profile", None)
    return load_profile(spec) if spec else profile_from_env()


def _settings(args: argparse.Namespace, profile=None):
    """The scoring settings: ``--rules RULES.toml`` over the profile's scoring."""
    from xlperf.profiles import rules_over

    profile = profile if profile is not None else profile_of(args)
    return rules_over(profile.scoring, getattr(args, "rules", None))


def _check(args: argparse.Namespace) -> int:
    from xlperf.render import Checked, emitter
    from xlperf.session import Session

    if args.output and len(args.files) != 1:
        print("--output 只能用于一个工作簿 (--output takes exactly one FILE)", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        profile = profile_of(args)
        settings = _settings(args, profile)
    except WorkbookError as err:
        print(str(err), file=sys.stderr)
        return EXIT_UNREADABLE
    code = EXIT_OK
    annotated = False

    def checked():
        """Each file checked, as it comes (the emitter prints file by file)."""
        nonlocal code, annotated
        for path in args.files:
            try:
                session = Session.open(path, password_of(args), profile, settings)
                model = session.model
            except WorkbookError as err:
                print(str(err), file=sys.stderr)
                code = EXIT_UNREADABLE
                continue
            report = session.check()
            if args.output:
                annotated = _annotate_copy(report, path, args.output, password_of(args))
                if not annotated:
                    code = EXIT_UNREADABLE
            if report.has_errors and code == EXIT_OK:
                code = EXIT_FINDINGS
            yield Checked(path, report, [{"sheet": f.sheet, "form": f.kind} for f in model.forms])

    emitter(args.format)(checked(), len(args.files) == 1)
    if annotated and args.format == "table":
        print(f"已写出带标注的副本：{utf8(args.output)}")
    return code


def _annotate_copy(report, path: str, output: str, password: str | None) -> bool:
    """Write the annotated copy: the marks and the 校验结果 sheet patched into the original package, so that
    charts, pictures, macros and everything else of the workbook stay as they were."""
    from xlperf.annotate import annotated_package
    from xlperf.book.output import plan_output, write_output
    from xlperf.book.sniff import open_input

    try:
        target = plan_output(path, output, False, "已标注")
        source = open_input(path, password)
        data = annotated_package(source.data, report)
        write_output(data, target, source.password)  # an encrypted input gives an encrypted copy
    except WorkbookError as err:
        print(str(err), file=sys.stderr)
        return False
    except (KeyError, ValueError) as err:  # a package whose parts cannot be patched (malformed)
        print(f"未写出带标注的副本 {output}：{err} (the annotated copy was not written)", file=sys.stderr)
        return False
    return True


def _fill(args: argparse.Namespace) -> int:
    from xlperf.book.output import plan_output
    from xlperf.session import Session

    try:
        profile = profile_of(args)  # checked like everywhere else; no key of a profile changes the totals
        target = plan_output(args.file, args.output, args.in_place, "已填合计")
        session = Session.open(args.file, password_of(args), profile)
        report = session.fill(overwrite=args.overwrite)
        written = session.commit(report, target, values_only=args.values)
    except WorkbookError as err:
        print(str(err), file=sys.stderr)
        return EXIT_UNREADABLE
    how = "数值" if args.values else "公式（已带计算结果）"
    return _written(args, report, written, f"已填充 {len(written.changed)} 个合计，写为{how}", "没有需要填写的合计")


def _score(args: argparse.Namespace) -> int:
    from xlperf.book.output import plan_output
    from xlperf.session import Session

    password = password_of(args)
    try:
        profile = profile_of(args)
        target = plan_output(args.file, args.output, args.in_place and not args.actuals, "已评分")
        settings = _settings(args, profile)
        warnings: list[str] = []
        if args.actuals:
            from xlperf.forms import read_file
            from xlperf.selfeval import self_evaluation_from_targets

            warnings = self_evaluation_from_targets(read_file(args.file, password), args.actuals, str(target.path))
            # the self-evaluations are a new workbook (not the encrypted input): scored where they were written
            session = Session.open(str(target.path), None, profile, settings)
            target = target.path
        else:
            session = Session.open(args.file, password, profile, settings)
        if not session.model.of_kind("self_eval"):
            print(f"{args.file} 中没有绩效自评表；项目绩效目标表请用 --actuals 提供实际完成值", file=sys.stderr)
            return EXIT_UNREADABLE
        report = session.score(overwrite=args.overwrite)
        written = session.commit(report, target)
        if args.actuals and written.path is None:  # nothing to score, but the self-evaluations were written
            from pathlib import Path

            written.path = Path(str(target))
    except WorkbookError as err:
        print(str(err), file=sys.stderr)
        return EXIT_UNREADABLE
    except (OSError, ValueError) as err:
        print(f"无法读取评分规则或实际完成值：{err}", file=sys.stderr)
        return EXIT_UNREADABLE
    done = f"已写入 {len(written.changed)} 个得分/执行率/总分"
    return _written(args, report, written, done, "没有需要填写的得分", warnings)


def _written(args, report, written, done: str, nothing: str, notes: list[str] | None = None) -> int:
    """What a writing command prints: the cells it changed, what it left for the user to confirm, and the
    findings of the file as written (those ``xlperf check`` gives on it) — or that nothing was to change,
    and no copy was written."""
    from xlperf.render import file_json, print_json, print_table
    from xlperf.session import changed_json

    advice = [f for f in report.findings if f.fix is not None or "--overwrite" in f.message]
    shown = str(written.path) if written.path is not None else args.file
    if args.format == "json":
        out = file_json(shown, written.report)
        out["written"] = None if written.path is None else str(written.path)
        out["edits"] = changed_json(written)  # the cells written (the key fill and score always used)
        out["not_changed"] = [f.to_json() for f in advice]
        out["warnings"] = list(notes or [])
        print_json([out], single=True)
    else:
        for note in notes or []:
            print(f"注意：{note}")
        for e in written.changed:
            what = f"={e.formula}" if e.formula and not getattr(args, "values", False) else e.value
            print(f"  写入 {e.sheet}!{e.cell}：{what}（{e.reason}）")
        for f in advice:
            print(f"  未改 {f.sheet}!{f.cell}：{f.message}")
        if written.path is None:
            print(f"{nothing}：文件未改动，未写出新文件")
        else:
            print(f"{done}：{utf8(str(written.path))}{_backup_note(written.backup)}")
        print_table(shown, written.report)
    return EXIT_FINDINGS if written.report.has_errors else EXIT_OK


def _backup_note(backup) -> str:
    return f"（原文件已备份为 {utf8(str(backup))}）" if backup else ""


def _rules(args: argparse.Namespace) -> int:
    from xlperf.rules import RULES

    if args.format == "markdown":
        from xlperf.rules import markdown

        sys.stdout.write(markdown())
        return EXIT_OK
    if args.format == "json":
        rows = [{"code": r.code, "severity": r.severity, "title": r.title, "fires_when": r.fires_when} for r in RULES]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    from xlperf.report import SEVERITY_ZH

    table = Table(header_style="bold")
    for name in ("代码", "严重性", "名称", "何时报告"):
        table.add_column(name, overflow="fold")
    for r in RULES:
        table.add_row(r.code, SEVERITY_ZH[r.severity], r.title, r.fires_when)
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    return EXIT_OK


def _profiles(args: argparse.Namespace) -> int:
    from xlperf.profiles import markdown, shipped

    if args.format == "markdown":
        sys.stdout.write(markdown())
        return EXIT_OK
    rows = shipped()
    if args.format == "json":
        print(json.dumps([{"name": n, "title": t} for n, t in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    for name, title in rows:
        print(f"{name}\t{title}")
    return EXIT_OK


# Commands that live in their own module, each with a ``register(subparsers)``. Only the module of the
# command being run is imported, so that e.g. ``xlperf recalc`` starts without loading the others.
COMMAND_MODULES = {
    "batch": "xlperf.batch",
    "template": "xlperf.templates.command",
    "addin": "xlperf.addin",
    "recalc": "xlperf.recalc.command",
}


BUILTIN_COMMANDS = ("inspect", "check", "score", "fill", "rules", "profiles")


# argparse's own words, as a finance clerk reads them.
_ARGPARSE_ZH = (
    (re.compile(r"the following arguments are required: (.+)"), "缺少参数：{0}"),
    (re.compile(r"argument (\S+): invalid choice: (\S+) \(choose from (.+)\)"), "参数 {0} 的值 {1} 不可用，可选：{2}"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 后面需要一个值"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"), "参数 {0} 不能与 {1} 同时使用"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (.+)"), "参数 {0} 的值 {2} 不是有效的数值"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
)


class Parser(argparse.ArgumentParser):
    """argparse in Chinese: the usage line, the section titles, -h, and an error as one line that says
    where to look (exit 2, as every wrong argument)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "用法：", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", "用法：", 1)

    def error(self, message: str):  # type: ignore[override]
        for pattern, zh in _ARGPARSE_ZH:
            m = pattern.fullmatch(message)
            if m:
                message = zh.format(*m.groups())
                break
        print(f"{self.prog}：{message}；用 {self.prog} --help 查看用法 (wrong arguments)", file=sys.stderr)
        raise SystemExit(EXIT_UNREADABLE)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    from xlperf.book.output import add_output_arguments

    """The command line; ``only`` names the one module command to register ("" for none, None for all)."""
    parser = Parser(
        prog="xlperf",
        description="检查和完善预算绩效工作簿（绩效目标表、附表2/附表3、绩效自评表）。",
    )
    parser.add_argument("--version", action="version", version=f"xlperf {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("inspect", help="列出工作簿中识别出的表格、关键字段和指标数 (what was recognised)")
    p.add_argument("files", nargs="+", metavar="FILE", help="工作簿 .xlsx / .xlsm（旧版 .xls 也可检查）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    add_password_argument(p)
    p.set_defaults(run=_inspect)

    p = sub.add_parser("check", help="按规则目录校验工作簿 (check against the rule catalog)")
    p.add_argument("files", nargs="+", metavar="FILE", help="工作簿 .xlsx / .xlsm（旧版 .xls 也可检查）")
    p.add_argument(
        "--format",
        choices=("table", "json", "concise"),
        default="table",
        help="输出格式：table（默认）、json、concise（每个问题一行：文件:工作表!单元格 代码 说明）",
    )
    add_password_argument(p)
    p.add_argument("--output", metavar="ANNOTATED.xlsx", help="写出带标注的副本和“校验结果”工作表（原文件不变）")
    p.add_argument("--rules", metavar="RULES.toml", help="评分规则设置（覆盖配置中的评分设置，见 examples/rules.toml）")
    add_profile_argument(p)
    p.set_defaults(run=_check)

    p = sub.add_parser("score", help="评分：填写得分、执行率、总分 (score self-evaluation tables)")
    p.add_argument("file", metavar="FILE")
    add_output_arguments(p, "已评分")
    add_password_argument(p)
    p.add_argument("--overwrite", action="store_true", help="替换与评分规则不一致的已填得分")
    p.add_argument("--rules", metavar="RULES.toml", help="评分规则设置（覆盖配置中的评分设置，见 examples/rules.toml）")
    add_profile_argument(p)
    p.add_argument("--actuals", metavar="ACTUALS.csv|xlsx", help="项目绩效目标表的实际完成值：生成并评分绩效自评表")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=_score)

    p = sub.add_parser("fill", help="填充合计（写公式并带计算结果）(fill the totals)")
    p.add_argument("file", metavar="FILE")
    add_output_arguments(p, "已填合计")
    add_password_argument(p)
    p.add_argument("--values", action="store_true", help="写数值而不是公式")
    p.add_argument("--overwrite", action="store_true", help="替换与计算结果不一致的已填合计")
    add_profile_argument(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(run=_fill)

    p = sub.add_parser("rules", help="列出全部校验规则 (list the rule catalog)")
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    p.set_defaults(run=_rules)

    p = sub.add_parser("profiles", help="列出内置的审核配置 (list the shipped review profiles)")
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table",
                   help="markdown：全部配置项及默认值（docs/profiles.md）")  # fmt: skip
    p.set_defaults(run=_profiles)
    import importlib

    for name, module in COMMAND_MODULES.items():
        if only is None or only == name:
            importlib.import_module(module).register(sub)
    return parser


def _terminate_like_interrupt() -> None:
    """SIGTERM (a batch system stopping the job, ``kill``) unwinds like Ctrl+C, so the temporary file of a
    write in progress is removed and the target is left as it was."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (e.g. called from a host that runs us in a worker thread)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    only = command if command in COMMAND_MODULES else ("" if command in BUILTIN_COMMANDS else None)
    parser = build_parser(only)
    if not argv:
        parser.print_help()  # bare ``xlperf``: what it can do, not an error
        return EXIT_OK
    args = parser.parse_args(argv)
    _terminate_like_interrupt()
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("已中断，未写出不完整的文件 (interrupted; no partial output)", file=sys.stderr)
        return 130
    except WorkbookError as err:  # an operation that failed after its own checks, e.g. a full disk
        print(str(err), file=sys.stderr)
        return EXIT_UNREADABLE
    except BrokenPipeError:  # output piped to head
        return EXIT_OK
    except Exception as exc:  # a bug of xlperf's: one line, the detail in a log, never "errors found"
        print(internal_error(exc, argv), file=sys.stderr)
        return EXIT_INTERNAL


def internal_error(exc: BaseException, argv: Sequence[str]) -> str:
    """Write the traceback of an unexpected exception to a log file and say, in one Chinese line, what
    happened and what to do. The log goes to ``XLPERF_LOG_DIR``, else the system's temporary folder."""
    import os
    import tempfile
    import time
    import traceback
    from pathlib import Path

    folder = Path(os.environ.get("XLPERF_LOG_DIR") or Path(tempfile.gettempdir()) / "xlperf-logs")
    detail = f"xlperf {__version__}\nargs: {list(argv)!r}\n\n" + "".join(traceback.format_exception(exc))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / f"xlperf-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        log.write_text(detail, encoding="utf-8")
        where = f"详情已记入 {log}"
    except OSError:
        where = "日志无法写出"
    name = type(exc).__name__
    return (
        f"xlperf 内部错误（{name}），操作未完成，文件未改动：这是 xlperf 的问题，不是工作簿的问题；"
        f"{where}，请把该文件发给维护者 (internal error: {name}; see the log)"
    )


if __name__ == "__main__":
    sys.exit(main())
