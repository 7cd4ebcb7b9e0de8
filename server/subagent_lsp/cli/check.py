"""``subagent-lsp check``, ``rules`` and ``rule``: running the checks and reporting them.

``check FILE`` runs on every commit (pre-commit), so start-up is part of its cost: json and
difflib are imported by the paths that write JSON or diffs, not by the text report.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Sequence

from ..all_rules import all_rules
from ..config import (
    ALL_CODES,
    TOOL_TABLE,
    ConfigError,
    Settings,
    find_config_file,
    load_config_file,
    rule_filter,
)
from ..definitions.findings import Finding, Severity, Span
from ..definitions.kinds import FileKind, Globs, classify, classify_by_content
from ..definitions.rules import RULES
from ..definitions.spec import JSON_KINDS, Kind
from ..definitions.versions import parse_version
from ..definitions.workspace import (
    FileResult,
    ReadResult,
    add_duplicate_names,
    check_paths,
    check_text,
    decode_text,
    fix_text,
    read_text,
)
from ..records import TYPE_CHECKING
from ..registry import Rule
from ..wording import plural

if TYPE_CHECKING:
    import argparse
    from typing import BinaryIO, TextIO

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
STDIN = "-"
FILE_NAME_RULES = frozenset({"AGT015"})  # about the file's name: not for nameless stdin


def _rule_info(rule: Rule) -> dict[str, str]:
    return {
        "code": rule.code,
        "name": rule.name,
        "family": rule.family,
        "severity": rule.severity.label,
        "summary": rule.summary,
        "why": rule.why,
        "example": rule.example.text if rule.example else "",
        "example_path": rule.example.path if rule.example else "",
        "fix": rule.fix,
        "fix_applicability": rule.applicability,
        "url": rule.url,
    }


def print_rules(fmt: str, out: TextIO) -> int:
    if fmt == "json":
        import json

        json.dump([_rule_info(r) for r in all_rules().values()], out, indent=2)
        out.write("\n")
        return EXIT_OK
    from .rules_doc import render

    out.write(render())
    return EXIT_OK


def _rule_text(rule: Rule) -> str:
    """One rule, as ``ruff rule`` shows one: Markdown, the name and code as the title."""
    lines = [f"# {rule.name} ({rule.code})", "", f"Default severity: {rule.severity.label}."]
    if rule.family == "backend":
        lines.append(
            "A backend-developer suggestion, from `subagent-lsp suggest` and the language "
            "server; select, ignore or re-rate it like any rule."
        )
    fix = {"safe": " (safe: `--fix` applies it)", "unsafe": " (a quick fix to review)"}
    lines += ["", "## What it does", rule.summary, "", "## Why is this bad?", rule.why, ""]
    if rule.example is not None:
        lines += ["## Example", rule.example_markdown(), ""]
    lines += ["## How to fix", rule.fix + fix.get(rule.applicability, ""), ""]
    lines += [f"More: {rule.url}", ""]
    return "\n".join(lines)


def explain_rule(code: str | None, fmt: str, out: TextIO, err: TextIO) -> int:
    """``subagent-lsp rule AGT020`` (a code or a name), or every rule with ``code=None``."""
    import json

    from ..definitions.suggest import closest

    registry = all_rules()
    known = list(registry)
    if code is None:
        codes = known
    else:
        by_name = {_rule_name(c): c for c in known}
        wanted = code.strip()
        found = wanted.upper() if wanted.upper() in known else by_name.get(wanted.lower())
        if found is None:
            guess = closest(wanted.upper(), known) or by_name.get(
                closest(wanted.lower(), by_name) or ""
            )
            hint = f" (did you mean {guess} {_rule_name(guess)}?)" if guess else ""
            err.write(f"subagent-lsp: no rule {wanted!r}{hint}; `subagent-lsp rules` lists them\n")
            return EXIT_USAGE
        codes = [found]
    rules = [registry[c] for c in codes]
    if fmt == "json":
        infos = [_rule_info(r) for r in rules]
        json.dump(infos if code is None else infos[0], out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write("\n".join(_rule_text(r) for r in rules))
    return EXIT_OK


def _split_codes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def _settings(args: argparse.Namespace, err: TextIO, start: str) -> Settings:
    """The configuration (``--config``, or the nearest to ``start``) with the options on top.
    Raises ConfigError for a file that is not TOML, ValueError for a bad option."""
    settings = Settings()
    if not args.isolated:
        path = args.config or find_config_file(start)
        if path is not None:
            settings = load_config_file(path)
    for problem in settings.problems:
        err.write(f"subagent-lsp: {problem}\n")
    changes: dict[str, object] = {}
    if args.claude_code_version:
        changes["claude_code_version"] = parse_version(args.claude_code_version)
    if args.today:
        import datetime as dt  # only when a date is there to read

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
        settings.options = settings.options._replace(**changes)
    return settings


def _usage_problem(args: argparse.Namespace) -> str | None:
    paths: list[str] = args.paths
    if STDIN in paths and len(paths) > 1:
        return "`-` (standard input) cannot be checked together with other paths"
    if args.stdin_filename and STDIN not in paths:
        return "--stdin-filename names the file read from standard input: give `-` as the PATH"
    missing = [p for p in paths if p != STDIN and not os.path.exists(p)]
    if missing:
        return "\n".join(f"no such file or directory: {p}" for p in missing)
    if args.config and not os.path.isfile(args.config):
        return f"no such configuration file: {args.config}"
    return None


def run_check(
    args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO | None = None
) -> int:
    problem = _usage_problem(args)
    if problem:
        err.writelines(f"subagent-lsp: {line}\n" for line in problem.splitlines())
        return EXIT_USAGE
    source = None
    if args.paths == [STDIN]:
        source = _read_stdin(stdin, args.stdin_filename)
    try:
        settings = _settings(args, err, source.config_start if source else args.paths[0])
    except (ConfigError, ValueError) as exc:
        err.write(f"subagent-lsp: {exc}\n")
        return EXIT_USAGE
    results = _run(args, settings, source)
    report_to = out
    if source is not None and (args.fix or args.diff):
        report_to = err  # like ruff: stdout carries the fixed text (or the diff), nothing else
        text_changed = _fix_stdin(source, results, settings, write=args.fix, out=out, err=err)
        if args.diff:
            return EXIT_ERRORS if text_changed else EXIT_OK
        results = _run(args, settings, source)
    elif args.fix or args.diff:
        changed = _fix(results, settings, write=args.fix, out=out, err=err)
        if args.diff:
            return EXIT_ERRORS if changed else EXIT_OK
        results = _run(args, settings)
    if not results:
        err.write(f"subagent-lsp: {_nothing_found(args.paths, source, settings.globs)}\n")
    if args.write_baseline:
        count = _write_baseline(args.write_baseline, results)
        err.write(f"subagent-lsp: recorded {plural(count, 'finding')} in {args.write_baseline}\n")
    if args.baseline:
        from .baseline import filter_new

        try:
            from pathlib import Path

            dropped = filter_new(Path(args.baseline), results)
        except (OSError, ValueError, KeyError) as exc:
            err.write(f"subagent-lsp: cannot use the baseline: {exc}\n")
            return EXIT_USAGE
        if dropped:
            verb = "is" if dropped == 1 else "are"
            err.write(
                f"subagent-lsp: {plural(dropped, 'finding')} {verb} in the baseline and not shown\n"
            )
    stream: TextIO = open(args.output, "w", encoding="utf-8") if args.output else report_to  # noqa: SIM115
    try:
        if args.statistics:
            _statistics(args.format, results, stream)
        else:
            _report(args.format, results, stream)
    finally:
        if args.output:
            stream.close()
    errors = any(f.severity is Severity.ERROR for r in results for f in r.findings)
    return EXIT_ERRORS if errors and not args.exit_zero else EXIT_OK


def _globs_in_effect(globs: Globs) -> list[str]:
    """The agent files' patterns of ``globs`` as matched (with the ``**/`` Globs adds); the JSON
    configuration files are checked beside them, not instead."""
    return list(
        dict.fromkeys(
            p for kind, pats in globs.patterns.items() if kind not in JSON_KINDS for p in pats
        )
    )


def _nothing_found(paths: Sequence[str], source: StdinFile | None, globs: Globs) -> str:
    """Why nothing was checked (instead of a misleading "all clear"): where we looked, for what."""
    if source is not None and source.name is None:
        return (
            "standard input is not an agent definition: its frontmatter is not a subagent's, "
            "skill's or command's (--stdin-filename NAME classifies it by its path)"
        )
    if source is not None:
        where, preposition = source.shown, "in"
    else:
        where = ", ".join(paths)
        preposition = "under" if all(os.path.isdir(p) for p in paths) else "in"
    looked = ", ".join(_globs_in_effect(globs)) or "no globs"
    if source is not None or not all(os.path.isdir(p) for p in paths):
        looked += ", or frontmatter of a subagent, skill or command"
    return (
        f"no agent definition files {preposition} {where} "
        f"(looked for {looked}; see [tool.{TOOL_TABLE}] globs)"
    )


class StdinFile:
    """The file text ``check -`` reads from standard input, and what it stands for."""

    def __init__(self, name: str | None, read: ReadResult, raw: bytes, bom: str) -> None:
        self.name = name  # --stdin-filename
        self.read = read
        self.raw = raw  # as read, for `--fix -` to give back what it cannot decode
        self.bom = bom

    @property
    def path(self) -> str:
        return self.name or STDIN

    @property
    def shown(self) -> str:
        return self.name or "standard input"

    @property
    def config_start(self) -> str:
        return self.name or "."


def _read_stdin(stdin: TextIO | None, name: str | None) -> StdinFile:
    """Standard input as bytes (line endings kept), decoded as ``read_text`` decodes a file."""
    stream = stdin if stdin is not None else sys.stdin
    binary: BinaryIO | None = getattr(stream, "buffer", None)
    data = binary.read() if binary is not None else stream.read().encode("utf-8")
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    return StdinFile(name, decode_text(data), data, bom)


def _stdin_kind(source: StdinFile, globs: Globs) -> FileKind | None:
    """With --stdin-filename, the kind that name has (globs, plugin, then content, as for a
    file given by path); without, the content alone decides, as for a path no glob matches."""
    if source.name:
        return classify(source.name, source.read.text, globs, explicit=True)
    if source.read.text is None:
        return None
    kind = classify_by_content(os.path.join(os.getcwd(), STDIN), source.read.text)
    if kind is None:
        return None
    return FileKind(kind, scope=os.getcwd() if kind is Kind.SUBAGENT else None)


def _check_stdin(source: StdinFile, settings: Settings) -> list[FileResult]:
    kind = _stdin_kind(source, settings.globs)
    if source.read.text is None:  # given explicitly: unreadable is a finding, as for a path
        rule = RULES["AGT001"]
        finding = Finding(rule.code, rule.severity, Span.point(0, 0), source.read.problem or "")
        return [
            FileResult(
                source.path, kind, settings.options.policy.apply(source.path, [""], [finding])
            )
        ]
    if kind is None:
        return []
    result = check_text(source.path, source.read.text, kind, settings.options)
    if source.name is None:  # no file name to compare the agent's name with
        result.findings = [f for f in result.findings if f.code not in FILE_NAME_RULES]
    results = [result]
    add_duplicate_names(results, settings.options)
    return results


def _run(
    args: argparse.Namespace, settings: Settings, source: StdinFile | None = None
) -> list[FileResult]:
    if source is not None:
        return _check_stdin(source, settings)
    return check_paths(
        args.paths, settings.options, settings.globs, settings.excludes, settings.root
    )


def _fix_stdin(
    source: StdinFile,
    results: Sequence[FileResult],
    settings: Settings,
    write: bool,
    out: TextIO,
    err: TextIO,
) -> bool:
    """``check --fix -`` prints the whole text, fixed (as it came when nothing is fixed or it is
    not text), like ``ruff check --fix -``; ``--diff -`` prints the diff. With ``write``, the
    fixed text becomes ``source``'s, for the report. Returns whether the text changed."""
    import difflib

    text, kind = source.read.text, results[0].kind if results else None
    new, applied = text, 0
    if text is not None and kind is not None:
        new, applied = fix_text(source.path, text, kind, settings.options)
    changed = new is not None and new != text
    if write:
        _write_bytes(out, source.raw if new is None else (source.bom + new).encode("utf-8"))
        if changed:
            source.read = ReadResult(new)
    elif changed and text is not None and new is not None:
        out.writelines(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"a/{source.path}",
                f"b/{source.path}",
            )
        )
    verb = "Fixed" if write else "Would fix"
    err.write(f"subagent-lsp: {verb} {plural(applied if changed else 0, 'problem')}.\n")
    return changed


def _write_bytes(out: TextIO, data: bytes) -> None:
    """Write ``data`` as it is when ``out`` has bytes underneath (a text stream on Windows would
    turn CRLF into CRCRLF)."""
    binary: BinaryIO | None = getattr(out, "buffer", None)
    if binary is None:
        out.write(data.decode("utf-8", errors="replace"))
        return
    out.flush()
    binary.write(data)
    binary.flush()


def _write_baseline(path: str, results: list[FileResult]) -> int:
    from pathlib import Path

    from .baseline import write_baseline

    return write_baseline(Path(path), results)


def statistics(results: Sequence[FileResult]) -> list[dict[str, object]]:
    """Problems per rule code, most frequent first (``check --statistics``)."""
    counts: Counter[str] = Counter()
    fixable: set[str] = set()
    for result in results:
        for f in result.findings:
            counts[f.code] += 1
            if any(x.safe for x in f.fixes):
                fixable.add(f.code)
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rows.append(
            {"code": code, "name": _rule_name(code), "count": count, "fixable": code in fixable}
        )
    return rows


def _rule_name(code: str) -> str:
    rule = all_rules().get(code)
    return rule.name if rule else ""


def _statistics(fmt: str, results: Sequence[FileResult], stream: TextIO) -> None:
    """As ``ruff --statistics``: ``  12  AGT020  [*] unknown-key``, ``[*]`` when fixable."""
    rows = statistics(results)
    if fmt == "json":
        import json

        json.dump(rows, stream, indent=2)
        stream.write("\n")
        return
    if not rows:
        return
    count_width = max(len(str(r["count"])) for r in rows)
    code_width = max(len(str(r["code"])) for r in rows)
    any_fixable = any(r["fixable"] for r in rows)
    for r in rows:
        flag = ("[*] " if r["fixable"] else "[ ] ") if any_fixable else ""
        stream.write(
            f"{r['count']:>{count_width}}  {r['code']:<{code_width}}  {flag}{r['name']}\n".rstrip()
            + "\n"
        )


def _report(fmt: str, results: Sequence[FileResult], stream: TextIO) -> None:
    if fmt == "json":
        import json

        json.dump(to_json(results), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    elif fmt == "sarif":
        import json

        from .sarif import to_sarif

        json.dump(to_sarif(results), stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    else:
        write_text(results, stream)


def _fix(
    results: Sequence[FileResult], settings: Settings, write: bool, out: TextIO, err: TextIO
) -> int:
    """Apply (or, without ``write``, show as a diff) every safe fix; return files changed."""
    import difflib

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
    err.write(f"subagent-lsp: {verb} {plural(fixes, 'problem')} in {plural(changed, 'file')}.\n")
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
    if not results:
        return  # run_check says on stderr why nothing was checked
    checked = plural(len(results), "Claude Code file")
    if total == 0:
        out.write(f"All clear: {checked} checked.\n")
        return
    parts = [
        # "information" has no plural
        plural(counts[s], s.label, s.label if s is Severity.INFORMATION else None)
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT)
        if counts[s]
    ]
    out.write(
        f"Found {plural(total, 'problem')} ({', '.join(parts)}) in {files_with} of {checked}."
        + (f" {fixable} fixable with `subagent-lsp check --fix`." if fixable else "")
        + "\n"
    )
