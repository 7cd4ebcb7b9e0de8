"""``subagent-lsp suggest``: backend-developer suggestions for files, as text with diffs or JSON."""

from __future__ import annotations

import argparse
import difflib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TextIO

from .definitions.document import split_lines
from .definitions.findings import TextEdit
from .definitions.fixes import apply_edits
from .policy import Policy
from .review.offline.engine import analyze, is_backend_file, workspace_root
from .review.offline.schema import SKIP_DIRS, SchemaCache
from .review.suggestion import KINDS, Suggestion
from .textfile import read_utf8

EXIT_OK, EXIT_USAGE = 0, 2


def backend_files(paths: Iterable[str]) -> list[str]:
    out: list[str] = []
    for given in paths:
        if os.path.isfile(given):
            out.append(given)
            continue
        for folder, dirs, files in os.walk(given):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            out.extend(os.path.join(folder, f) for f in sorted(files) if is_backend_file(f))
    return out


def collect(
    paths: Sequence[str], kinds: Iterable[str] | None = None, policy: Policy | None = None
) -> list[Suggestion]:
    policy = policy or Policy()
    cache = SchemaCache()
    cache.scan(sorted({workspace_root(p) for p in paths} | {p for p in paths if os.path.isdir(p)}))
    schema = cache.schema()
    out: list[Suggestion] = []
    for path in backend_files(paths):
        text = read_utf8(path)
        if text is None:
            continue
        found = analyze(path, text, schema, kinds)
        out.extend(policy.apply(path, split_lines(text), found))
    return out


def _display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _range(span: object) -> dict[str, dict[str, int]]:
    s, e = span.start, span.end  # type: ignore[attr-defined]
    return {
        "start": {"line": s.line, "character": s.column},
        "end": {"line": e.line, "character": e.column},
    }


def to_json(suggestions: Sequence[Suggestion]) -> list[dict[str, object]]:
    return [
        {
            "path": _display(s.path),
            "kind": s.kind,
            "code": s.code,
            "range": _range(s.span),
            "title": s.title,
            "rationale": s.rationale,
            "engine": s.engine,
            "proven": s.proven,
            "edits": [
                {"path": _display(e.path), "range": _range(e.span), "newText": e.new_text}
                for e in s.edits
            ],
        }
        for s in suggestions
    ]


def diff_of(suggestion: Suggestion) -> str:
    by_path: dict[str, list[TextEdit]] = defaultdict(list)
    for edit in suggestion.edits:
        by_path[edit.path].append(TextEdit(edit.span, edit.new_text))
    chunks = []
    for path, edits in by_path.items():
        before = read_utf8(path) or ""
        after = apply_edits(before, edits)
        name = _display(path)
        chunks.append(
            "".join(
                difflib.unified_diff(
                    before.splitlines(keepends=True),
                    after.splitlines(keepends=True),
                    f"a/{name}",
                    f"b/{name}",
                )
            )
        )
    return "".join(chunks)


def write_text(
    suggestions: Sequence[Suggestion], out: TextIO, engine: str = "offline engine"
) -> None:
    for s in suggestions:
        where = f"{_display(s.path)}:{s.span.start.line + 1}:{s.span.start.column + 1}"
        proof = ""
        if s.kind == "index" and s.proven is not None:
            proof = " (proven on SQLite)" if s.proven else " (not proven on SQLite)"
        out.write(f"{where}: {s.code} [{s.kind}] {s.title}{proof}\n")
        for line in s.rationale.splitlines():
            out.write(f"    {line}\n")
        diff = diff_of(s)
        if diff:
            out.write("".join(f"    {line}" for line in diff.splitlines(keepends=True)))
            if not diff.endswith("\n"):
                out.write("\n")
        out.write("\n")
    counts = {k: sum(1 for s in suggestions if s.kind == k) for k in KINDS}
    summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "nothing to suggest"
    out.write(f"backend-developer ({engine}): {summary}.\n")


def run_suggest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        for p in missing:
            err.write(f"subagent-lsp: no such file or directory: {p}\n")
        return EXIT_USAGE
    kinds = [args.kind] if args.kind else None
    if args.agent:
        return run_agent_suggest(args.paths, kinds, args.format, out, err)
    from .config import ConfigError

    try:
        policy = _policy(args.paths[0], err)
    except ConfigError as exc:  # not TOML: what it turns off is unknown, so nothing is shown
        err.write(f"subagent-lsp: {exc}\n")
        return EXIT_USAGE
    suggestions = collect(args.paths, kinds, policy)
    if args.format == "json":
        json.dump(to_json(suggestions), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        write_text(suggestions, out)
    return EXIT_OK


def _policy(start: str, err: TextIO) -> Policy:
    """The nearest configuration's policy (``ignore = ["BKD301"]``, severities, per-path
    ignores), the same one `check` and the editor apply. ConfigError when it is not TOML."""
    from .config import find_config_file, load_config_file

    path = find_config_file(start)
    if path is None:
        return Policy()
    settings = load_config_file(path)
    for problem in settings.problems:
        err.write(f"subagent-lsp: {problem}\n")
    return settings.options.policy


def run_agent_suggest(
    paths: Sequence[str], kinds: list[str] | None, fmt: str, out: TextIO, err: TextIO
) -> int:
    """One call to the backend-developer agent per file and kind (the count is shown first)."""
    import asyncio

    from .definitions.findings import Position, Span
    from .review.agent import bundled_agent_path, load_agent
    from .review.anthropic_agent import AgentCall, AgentError, call_agent, has_credentials
    from .review.context import build_context, is_secret_file

    if not has_credentials():
        err.write(
            "subagent-lsp: --agent needs ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN); without it, "
            "run `subagent-lsp suggest` for the offline engine.\n"
        )
        return EXIT_USAGE
    files = [f for f in backend_files(paths) if not is_secret_file(f)]
    wanted = kinds or list(KINDS)
    roots = sorted({workspace_root(p) for p in paths})
    cache = SchemaCache()
    cache.scan(roots)
    schema = cache.schema()
    agent = load_agent(bundled_agent_path())
    model = agent.model_id()
    from .cli import plural

    err.write(
        f"subagent-lsp: asking backend-developer ({model}): "
        f"{plural(len(files) * len(wanted), 'call')} "
        f"({plural(len(files), 'file')} x {plural(len(wanted), 'kind')}).\n"
    )
    suggestions: list[Suggestion] = []
    for path in files:
        text = read_utf8(path)
        if text is None:
            continue
        whole = Span(Position(0, 0), Position(max(text.count("\n"), 0), 0))
        for kind in wanted:
            context = build_context(path, text, whole, kind, schema)
            try:
                answer = asyncio.run(call_agent(AgentCall(agent, model, context), schema, roots))
            except AgentError as error:
                err.write(f"subagent-lsp: {_display(path)} ({kind}): {error}\n")
                continue
            for reason in answer.dropped:
                err.write(f"subagent-lsp: {_display(path)}: dropped {reason}\n")
            suggestions.extend(answer.suggestions)
    if fmt == "json":
        json.dump(to_json(suggestions), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        write_text(suggestions, out, engine="backend-developer agent")
    return EXIT_OK
