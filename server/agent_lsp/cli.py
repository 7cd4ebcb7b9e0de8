"""Command line: ``agent-lsp check`` (and the other subcommands as they arrive)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from .definitions.checks import CheckOptions
from .definitions.findings import Finding, Severity
from .definitions.versions import parse_version
from .definitions.workspace import FileResult, check_paths

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-lsp",
        description="Checks Claude Code agent definitions (subagents, skills, commands).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check agent definition files and folders")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--claude-code-version",
        metavar="X.Y.Z",
        help="judge files as this Claude Code version would (default: the latest known)",
    )
    check.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="date to compare model end-of-life dates with (default: today)",
    )
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    serve.add_argument("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    if args.command == "check":
        return _check(args, sys.stdout, sys.stderr)
    if args.command == "serve":
        from .lsp.server import serve  # pygls only when serving: `check` starts faster

        serve(args.tcp)
        return EXIT_OK
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


def _options(args: argparse.Namespace) -> CheckOptions:
    kwargs: dict[str, object] = {}
    if args.claude_code_version:
        kwargs["claude_code_version"] = parse_version(args.claude_code_version)
    if args.today:
        kwargs["today"] = dt.date.fromisoformat(args.today)
    return CheckOptions(**kwargs)  # type: ignore[arg-type]


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        for p in missing:
            err.write(f"agent-lsp: no such file or directory: {p}\n")
        return EXIT_USAGE
    try:
        opts = _options(args)
    except ValueError as exc:
        err.write(f"agent-lsp: {exc}\n")
        return EXIT_USAGE
    results = check_paths(args.paths, opts)
    if args.format == "json":
        json.dump(to_json(results), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        write_text(results, out)
    errors = any(f.severity is Severity.ERROR for r in results for f in r.findings)
    return EXIT_ERRORS if errors else EXIT_OK


def _display_path(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def finding_json(path: str, f: Finding) -> dict[str, object]:
    return {
        "path": _display_path(path),
        "range": {
            "start": {"line": f.span.start.line, "character": f.span.start.column},
            "end": {"line": f.span.end.line, "character": f.span.end.column},
        },
        "severity": f.severity.label,
        "code": f.code,
        "message": f.message,
        "source": "agent-lsp",
    }


def to_json(results: Sequence[FileResult]) -> list[dict[str, object]]:
    return [finding_json(r.path, f) for r in results for f in r.findings]


def write_text(results: Sequence[FileResult], out: TextIO) -> None:
    counts = dict.fromkeys(Severity, 0)
    files_with = 0
    for result in results:
        if result.findings:
            files_with += 1
        for f in result.findings:
            counts[f.severity] += 1
            line, col = f.span.start.line + 1, f.span.start.column + 1
            fixable = " [fix]" if any(x.safe for x in f.fixes) else ""
            out.write(
                f"{_display_path(result.path)}:{line}:{col}: {f.severity.label} "
                f"{f.code} {f.message}{fixable}\n"
            )
    total = sum(counts.values())
    if total == 0:
        out.write(f"All clear: {len(results)} agent definition files checked.\n")
        return
    parts = [
        f"{counts[s]} {s.label if counts[s] == 1 or s is Severity.INFORMATION else s.label + 's'}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT)
        if counts[s]
    ]
    out.write(
        f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in "
        f"{files_with} of {len(results)} agent definition files.\n"
    )
