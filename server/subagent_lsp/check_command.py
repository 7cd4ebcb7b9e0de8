"""``subagent-lsp check`` and ``subagent-lsp rules``: running the checks and reporting them."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import difflib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .config import ALL_CODES, Settings, find_config_file, load_config_file, rule_filter
from .definitions.findings import Finding, Severity
from .definitions.rules import RULES
from .definitions.versions import parse_version
from .definitions.workspace import FileResult, check_paths, fix_text, read_text

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def print_rules(fmt: str, out: TextIO) -> int:
    if fmt == "json":
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.label,
                "summary": r.summary,
                "why": r.why,
                "example": r.example,
                "fix": r.fix,
                "url": r.url,
            }
            for r in RULES.values()
        ]
        json.dump(data, out, indent=2)
        out.write("\n")
        return EXIT_OK
    from .rules_doc import render

    out.write(render())
    return EXIT_OK


def _split_codes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def _settings(args: argparse.Namespace, err: TextIO) -> Settings:
    settings = Settings()
    if not args.isolated:
        path = Path(args.config) if args.config else find_config_file(args.paths[0])
        if path is not None:
            settings = load_config_file(path)
    for problem in settings.problems:
        err.write(f"subagent-lsp: {problem}\n")
    changes: dict[str, object] = {}
    if args.claude_code_version:
        changes["claude_code_version"] = parse_version(args.claude_code_version)
    if args.today:
        changes["today"] = dt.date.fromisoformat(args.today)
    select, ignore = _split_codes(args.select), _split_codes(args.ignore)
    for code in [*(select or []), *(ignore or [])]:
        if not any(r.startswith(code) for r in ALL_CODES):
            raise ValueError(f"no rule code starts with {code!r}")
    if select is not None or ignore is not None:
        # --select replaces the configuration's choice of rules; severities it set stay.
        severities: dict[str, Severity | None] = {
            k: v for k, v in settings.options.severities.items() if select is None or v is not None
        }
        severities.update(rule_filter(select, ignore))
        changes["severities"] = severities
    if changes:
        settings.options = dataclasses.replace(settings.options, **changes)  # type: ignore[arg-type]
    return settings


def run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        for p in missing:
            err.write(f"subagent-lsp: no such file or directory: {p}\n")
        return EXIT_USAGE
    if args.config and not os.path.isfile(args.config):
        err.write(f"subagent-lsp: no such configuration file: {args.config}\n")
        return EXIT_USAGE
    try:
        settings = _settings(args, err)
    except ValueError as exc:
        err.write(f"subagent-lsp: {exc}\n")
        return EXIT_USAGE
    results = _run(args, settings)
    if args.fix or args.diff:
        changed = _fix(results, settings, write=args.fix, out=out, err=err)
        if args.diff:
            return EXIT_ERRORS if changed else EXIT_OK
        results = _run(args, settings)
    if args.write_baseline:
        count = _write_baseline(Path(args.write_baseline), results)
        err.write(f"subagent-lsp: recorded {count} findings in {args.write_baseline}\n")
    if args.baseline:
        from .baseline import filter_new

        try:
            dropped = filter_new(Path(args.baseline), results)
        except (OSError, ValueError, KeyError) as exc:
            err.write(f"subagent-lsp: cannot use the baseline: {exc}\n")
            return EXIT_USAGE
        if dropped:
            err.write(f"subagent-lsp: {dropped} findings are in the baseline and not shown\n")
    stream: TextIO = open(args.output, "w", encoding="utf-8") if args.output else out  # noqa: SIM115
    try:
        _report(args.format, results, stream)
    finally:
        if args.output:
            stream.close()
    errors = any(f.severity is Severity.ERROR for r in results for f in r.findings)
    return EXIT_ERRORS if errors and not args.exit_zero else EXIT_OK


def _run(args: argparse.Namespace, settings: Settings) -> list[FileResult]:
    return check_paths(
        args.paths, settings.options, settings.globs, settings.excludes, settings.root
    )


def _write_baseline(path: Path, results: list[FileResult]) -> int:
    from .baseline import write_baseline

    return write_baseline(path, results)


def _report(fmt: str, results: Sequence[FileResult], stream: TextIO) -> None:
    if fmt == "json":
        json.dump(to_json(results), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    elif fmt == "sarif":
        from .sarif import to_sarif

        json.dump(to_sarif(results), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    else:
        write_text(results, stream)


def _fix(
    results: Sequence[FileResult], settings: Settings, write: bool, out: TextIO, err: TextIO
) -> int:
    """Apply (or, without ``write``, show as a diff) every safe fix; return files changed."""
    changed = 0
    fixes = 0
    for result in results:
        if result.kind is None or not any(x.safe for f in result.findings for x in f.fixes):
            continue
        read = read_text(result.path)
        if read.text is None:
            continue
        with open(result.path, "rb") as fh:
            raw = fh.read().decode("utf-8")
        bom = "\ufeff" if raw.startswith("\ufeff") else ""
        new, applied = fix_text(result.path, read.text, result.kind, settings.options)
        if not applied or new == read.text:
            continue
        changed += 1
        fixes += applied
        if write:
            with open(result.path, "w", encoding="utf-8", newline="") as fh:
                fh.write(bom + new)
        else:
            name = _display_path(result.path)
            out.writelines(
                difflib.unified_diff(
                    read.text.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    f"a/{name}",
                    f"b/{name}",
                )
            )
    verb = "Fixed" if write else "Would fix"
    err.write(f"subagent-lsp: {verb} {fixes} problems in {changed} files.\n")
    return changed


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
        "source": "subagent-lsp",
    }


def to_json(results: Sequence[FileResult]) -> list[dict[str, object]]:
    return [finding_json(r.path, f) for r in results for f in r.findings]


def write_text(results: Sequence[FileResult], out: TextIO) -> None:
    counts = dict.fromkeys(Severity, 0)
    files_with = 0
    fixable = 0
    for result in results:
        if result.findings:
            files_with += 1
        for f in result.findings:
            counts[f.severity] += 1
            line, col = f.span.start.line + 1, f.span.start.column + 1
            safe = any(x.safe for x in f.fixes)
            fixable += safe
            out.write(
                f"{_display_path(result.path)}:{line}:{col}: {f.severity.label} "
                f"{f.code} {f.message}{' [fix]' if safe else ''}\n"
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
        f"{files_with} of {len(results)} agent definition files."
        + (f" {fixable} fixable with `subagent-lsp check --fix`." if fixable else "")
        + "\n"
    )
