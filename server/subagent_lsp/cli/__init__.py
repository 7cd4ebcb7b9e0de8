"""Command line: ``subagent-lsp check | suggest | serve | schema | rules | rule``.

Each command imports what it needs, so ``serve`` starts as fast as a bare pygls server and
``check`` never loads pygls, pydantic or anthropic. A plain ``check PATH...`` (what pre-commit
runs) is read without argparse, whose import and parser cost ~5 ms of a start-up.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Callable, Sequence

from .. import __version__
from ..records import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from typing import TextIO

KINDS = (
    *("subagent", "skill", "command", "catalog-note", "memory"),
    *("settings", "mcp", "plugin-manifest", "marketplace", "plugin-hooks"),
)  # spec.Kind values, without importing it

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _terminal_columns() -> int:
    """The width ``shutil.get_terminal_size()`` gives: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    stdout = sys.__stdout__
    if columns <= 0 and stdout is not None:
        try:
            columns = os.get_terminal_size(stdout.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _formatter() -> type[argparse.HelpFormatter]:
    import argparse

    class Formatter(argparse.HelpFormatter):
        """argparse's help formatter, minus its ``import shutil`` (which loads zlib, bz2 and
        lzma) for the terminal's width: argparse makes one per argument."""

        def __init__(
            self,
            prog: str,
            indent_increment: int = 2,
            max_help_position: int = 24,
            width: int | None = None,
        ) -> None:
            width = _terminal_columns() - 2 if width is None else width
            super().__init__(prog, indent_increment, max_help_position, width)

    return Formatter


# What `check` options are when none is given: argparse's defaults for the parser below
# (tests/test_startup.py compares the two).
CHECK_DEFAULTS: dict[str, object] = {
    "stdin_filename": None,
    "format": "text",
    "output": None,
    "claude_code_version": None,
    "today": None,
    "config": None,
    "isolated": False,
    "select": None,
    "ignore": None,
    "fix": False,
    "diff": False,
    "statistics": False,
    "baseline": None,
    "write_baseline": None,
    "exit_zero": False,
}


def plain_check(argv: Sequence[str]) -> argparse.Namespace | None:
    """``check PATH...`` without options, as argparse would parse it; None for anything else
    (an option, ``-``, ``--``, another command), which goes to argparse."""
    if not argv or argv[0] != "check" or any(a.startswith("-") for a in argv[1:]):
        return None
    from types import SimpleNamespace

    args = SimpleNamespace(command="check", paths=list(argv[1:]), **CHECK_DEFAULTS)
    return args  # type: ignore[return-value]  # the attributes of argparse's Namespace


def _parser() -> argparse.ArgumentParser:
    import argparse

    _Formatter = _formatter()
    parser = argparse.ArgumentParser(
        prog="subagent-lsp",
        description="Checks Claude Code agent definitions (subagents, skills, commands).",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"subagent-lsp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, formatter_class=_Formatter)

    check = command("check", "check agent definition files and folders")
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files and folders to check (default: .); `-` reads one file from standard input",
    )
    check.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="the path of the file read from standard input (its kind and configuration)",
    )
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    check.add_argument(
        "--claude-code-version",
        metavar="X.Y.Z",
        help="judge files as this Claude Code version would (default: the latest known)",
    )
    check.add_argument(
        "--today", metavar="YYYY-MM-DD", help="date to compare model end-of-life dates with"
    )
    check.add_argument("--config", metavar="FILE", help="configuration file (default: nearest)")
    check.add_argument("--isolated", action="store_true", help="ignore configuration files")
    check.add_argument("--select", metavar="CODES", help="only these rules (codes or prefixes)")
    check.add_argument("--ignore", metavar="CODES", help="not these rules (codes or prefixes)")
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument(
        "--fix", action="store_true", help="apply the safe fixes (with `-`: print the fixed text)"
    )
    fixing.add_argument("--diff", action="store_true", help="show the safe fixes, change nothing")
    check.add_argument(
        "--statistics", action="store_true", help="count the problems per rule instead of listing"
    )
    check.add_argument("--baseline", metavar="FILE", help="report only findings not in FILE")
    check.add_argument("--write-baseline", metavar="FILE", help="record all findings in FILE")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with errors")
    serve = command("serve", "run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    serve.add_argument("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT")
    schema = command("schema", "print the JSON Schema of a kind's frontmatter or JSON file")
    schema.add_argument("kind", choices=KINDS)
    suggest = command(
        "suggest", "backend-developer suggestions (indexes, validation, error handling)"
    )
    suggest.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files and folders (default: .)"
    )
    suggest.add_argument("--format", choices=("text", "json"), default="text")
    suggest.add_argument("--kind", choices=("index", "validation", "error-handling"))
    suggest.add_argument(
        "--agent",
        action="store_true",
        help="ask the backend-developer agent (Anthropic API; needs ANTHROPIC_API_KEY)",
    )
    suggest.add_argument(
        "--database-url",
        metavar="URL",
        help="prove index suggestions on this PostgreSQL database: read-only, HypoPG's "
        "hypothetical indexes only (also $SUBAGENT_LSP_DATABASE_URL)",
    )
    suggest.add_argument(
        "--dry-run",
        action="store_true",
        help="with --agent: print each request exactly as it would be sent (system prompt, "
        "messages, tools; secrets shown redacted) and send nothing",
    )
    together = suggest.add_mutually_exclusive_group()
    together.add_argument(
        "--diff",
        action="store_true",
        help="print one patch of every suggestion applied together (each computed on the "
        "text the earlier ones left); what was applied or skipped goes to stderr",
    )
    together.add_argument(
        "--fix",
        action="store_true",
        help="apply every suggestion together and write the files that change",
    )
    rules = command("rules", "print the rules reference (docs/rules.md)")
    rules.add_argument("--format", choices=("markdown", "json"), default="markdown")
    rule = command("rule", "explain a rule: `subagent-lsp rule AGT020`")
    which = rule.add_mutually_exclusive_group(required=True)
    which.add_argument("code", nargs="?", metavar="CODE", help="a rule code (or name)")
    which.add_argument("--all", action="store_true", help="explain every rule")
    rule.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `subagent-lsp rules | head`: the reader left, nothing is wrong
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _import_check(program: bool) -> Callable[[argparse.Namespace, TextIO, TextIO, TextIO], int]:
    """``check``'s code, imported (see ``_gc_paused``)."""
    if not program:
        from .check import run_check

        return run_check
    enabled = _gc_paused()
    try:
        from .check import run_check
    finally:
        _gc_resumed(enabled, freeze=True)
    return run_check


def _gc_paused() -> bool:
    """When a command is the program (``argv`` came from the command line, not from a caller),
    the cyclic GC is paused while its code loads and what it loaded is frozen: imports make
    thousands of objects and no garbage, so each collection would only walk them again (~5 ms
    of a ``check FILE`` before, a few more at exit). Whether it was enabled."""
    enabled = gc.isenabled()
    gc.disable()
    return enabled


def _gc_resumed(enabled: bool, freeze: bool) -> None:
    if freeze:
        gc.freeze()
    if enabled:
        gc.enable()


# ``suggest`` keeps every module's syntax tree of a project alive to its end and frees little
# before: at the default 700 allocations per young collection, the collector walks the trees
# thousands of times for nothing (5-7% of the CPU of a 5,000-line app, bench_suggest_app.py).
_SUGGEST_GC_THRESHOLD = (20_000, 20, 20)


def _exit_now(code: int) -> int:
    """Ends the program without the interpreter's teardown: freeing the syntax trees of every
    module ``suggest`` kept to its end, one object at a time, was a tenth of its CPU on a
    5,000-line app (bench_suggest_app.py). What the teardown does that matters still runs: the
    exit handlers (the PostgreSQL cluster's stop, logging's flush) and the output's flush. With
    another thread alive, the usual exit waits for it: ``code`` is returned."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return code
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _main(argv: Sequence[str] | None) -> int:
    args = plain_check(sys.argv[1:] if argv is None else argv)
    if args is None:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
            return int(exc.code or 0)
    if args.command == "check":
        run_check = _import_check(program=argv is None)
        if not args.paths:  # `subagent-lsp check`: the current folder, or stdin if it is named
            args.paths = ["-"] if args.stdin_filename else ["."]
        return run_check(args, sys.stdout, sys.stderr, sys.stdin)
    if args.command == "suggest":
        if argv is not None:
            from .suggest import run_suggest

            return run_suggest(args, sys.stdout, sys.stderr)
        enabled = _gc_paused()
        try:
            from .suggest import run_suggest
        finally:
            _gc_resumed(enabled, freeze=True)
        gc.set_threshold(*_SUGGEST_GC_THRESHOLD)
        return _exit_now(run_suggest(args, sys.stdout, sys.stderr))
    if args.command == "serve":
        from ..lsp.server import serve  # pygls only when serving: `check` starts faster

        serve(args.tcp)
        return EXIT_OK
    if args.command == "schema":
        import json

        from ..definitions.spec import Kind
        from .schema import json_schema  # pydantic only for this command

        json.dump(json_schema(Kind(args.kind)), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    if args.command == "rule":
        from .check import explain_rule

        return explain_rule(None if args.all else args.code, args.format, sys.stdout, sys.stderr)
    from .check import print_rules

    return print_rules(args.format, sys.stdout)
