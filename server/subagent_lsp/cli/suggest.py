"""``subagent-lsp suggest``: backend-developer suggestions for files, as text with diffs or JSON."""

from __future__ import annotations

import argparse
import difflib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

from ..definitions.findings import TextEdit
from ..definitions.fixes import apply_edits
from ..policy import Policy

if TYPE_CHECKING:
    from ..config import Settings
from ..review.offline.compose import analyze_files
from ..review.offline.engine import workspace_root
from ..review.offline.not_sources import DEFAULT_NOT_SOURCES
from ..review.project import Projects
from ..review.suggestion import KINDS, Suggestion
from ..textfile import read_utf8
from .backend_paths import backend_files, display, open_projects

EXIT_OK, EXIT_USAGE = 0, 2


def collect(
    paths: Sequence[str],
    kinds: Iterable[str] | None = None,
    policy: Policy | None = None,
    not_sources: Sequence[str] = DEFAULT_NOT_SOURCES,
) -> list[Suggestion]:
    projects = open_projects(paths, not_sources)
    return analyze_files(projects, backend_files(paths), kinds, policy)


def _range(span: object) -> dict[str, dict[str, int]]:
    s, e = span.start, span.end  # type: ignore[attr-defined]
    return {
        "start": {"line": s.line, "character": s.column},
        "end": {"line": e.line, "character": e.column},
    }


def to_json(suggestions: Sequence[Suggestion]) -> list[dict[str, object]]:
    return [
        {
            "path": display(s.path),
            "kind": s.kind,
            "code": s.code,
            "range": _range(s.span),
            "title": s.title,
            "rationale": s.rationale,
            "engine": s.engine,
            "proven": s.proven,
            "provedOn": s.proved_on if s.proven is not None else None,
            "edits": [
                {"path": display(e.path), "range": _range(e.span), "newText": e.new_text}
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
        name = display(path).lstrip("/")  # ``a/tmp/x.py`` for a file outside the cwd
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
        where = f"{display(s.path)}:{s.span.start.line + 1}:{s.span.start.column + 1}"
        proof = ""
        if s.kind == "index" and s.proven is not None:
            proof = f" ({'proven' if s.proven else 'not proven'} on {s.proved_on})"
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
    if getattr(args, "database_url", None):
        from ..review.pgproof.userdb import DATABASE_URL

        os.environ[DATABASE_URL] = args.database_url  # the engine reads it where it proves
    from ..config import ConfigError

    try:
        settings = _settings(args.paths[0], err)
    except ConfigError as exc:  # not TOML: what it turns off is unknown, so nothing is shown
        err.write(f"subagent-lsp: {exc}\n")
        return EXIT_USAGE
    together = (
        "--diff"
        if getattr(args, "diff", False)
        else "--fix"
        if getattr(args, "fix", False)
        else None
    )
    if together and (args.agent or args.format == "json"):
        other = "--agent" if args.agent else "--format json"
        err.write(
            f"subagent-lsp: {together} applies the offline engine's suggestions together and "
            f"prints a patch or writes files; it does not combine with {other}.\n"
        )
        return EXIT_USAGE
    dry_run = getattr(args, "dry_run", False)
    if dry_run and not args.agent:
        err.write("subagent-lsp: --dry-run shows what --agent would send; add --agent.\n")
        return EXIT_USAGE
    if args.agent:
        return run_agent_suggest(
            args.paths, kinds, args.format, out, err, settings, dry_run=dry_run
        )
    if together:
        from .suggest_all import run_compose

        return run_compose(args.paths, kinds, settings, together == "--fix", out, err)
    suggestions = collect(args.paths, kinds, settings.options.policy, settings.not_sources)
    if args.format == "json":
        out.write(json.dumps(to_json(suggestions), indent=2, ensure_ascii=False))
        out.write("\n")
    else:
        write_text(suggestions, out)
    return EXIT_OK


def _settings(start: str, err: TextIO) -> Settings:
    """The nearest configuration file's settings: the policy (``ignore = ["BKD301"]``,
    severities, per-path ignores) `check` and the editor apply, and the agent's settings the
    editor uses. ConfigError when it is not TOML."""
    from ..config import Settings, find_config_file, load_config_file

    path = find_config_file(start)
    if path is None:
        return Settings()
    settings = load_config_file(path)
    for problem in settings.problems:
        err.write(f"subagent-lsp: {problem}\n")
    return settings


def run_agent_suggest(
    paths: Sequence[str],
    kinds: list[str] | None,
    fmt: str,
    out: TextIO,
    err: TextIO,
    settings: Settings | None = None,
    dry_run: bool = False,
) -> int:
    """One call to the backend-developer agent per file and kind (the count is shown first),
    with the agent, model and options the editor would use for these settings. ``dry_run``:
    each request is printed as it would be sent, and nothing is sent (no key needed)."""
    import asyncio

    from ..config import Settings
    from ..review.agent_setup import AgentUnavailable, setup_agent
    from ..review.anthropic_agent import AgentError, has_credentials
    from ..review.scope import whole_file
    from ..wording import plural
    from .dry_run import DryRun, write_requests

    settings = settings or Settings()
    if dry_run:
        pass  # nothing leaves the machine: neither offline nor a missing key stands in the way
    elif settings.offline:
        err.write(
            f"subagent-lsp: offline is set in {settings.source}: nothing is sent to the agent; "
            "run `subagent-lsp suggest` for the offline engine.\n"
        )
        return EXIT_USAGE
    elif not has_credentials():
        err.write(
            "subagent-lsp: --agent needs ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN); without it, "
            "run `subagent-lsp suggest` for the offline engine.\n"
        )
        return EXIT_USAGE
    roots = sorted({workspace_root(p) for p in paths})
    try:
        setup = setup_agent(settings, _agent_roots(settings, roots), base=settings.root)
    except AgentUnavailable as exc:
        err.write(f"subagent-lsp: {exc}.\n")
        return EXIT_USAGE
    for warning in setup.warnings:
        err.write(f"subagent-lsp: {warning}\n")
    files = []
    for path in backend_files(paths):
        why = setup.excluded(path)
        if why is None:
            files.append(path)
        else:
            err.write(f"subagent-lsp: {display(path)} is not sent to the agent: {why}.\n")
    wanted = kinds or list(KINDS)
    projects = Projects(not_sources=settings.not_sources)
    projects.scan(roots)
    schema = projects.schemas.schema()
    err.write(
        f"subagent-lsp: {'dry run, nothing is sent: ' if dry_run else ''}"
        f"asking backend-developer ({setup.model}): "
        f"{plural(len(files) * len(wanted), 'call')} "
        f"({plural(len(files), 'file')} x {plural(len(wanted), 'kind')}).\n"
    )
    suggestions: list[Suggestion] = []
    requests: list[DryRun] = []
    for path in files:
        text = read_utf8(path)
        if text is None:
            continue
        for kind in wanted:
            context = setup.context(path, text, whole_file(text), kind, schema, projects.of(path))
            if dry_run:
                requests.append(DryRun(display(path), kind, context, setup.request(context)))
                continue
            try:
                answer = asyncio.run(setup.ask(context, schema, roots))
            except AgentError as error:
                err.write(f"subagent-lsp: {display(path)} ({kind}): {error}\n")
                continue
            for reason in answer.dropped:
                err.write(f"subagent-lsp: {display(path)}: dropped {reason}\n")
            suggestions.extend(answer.suggestions)
    if dry_run:
        write_requests(requests, fmt, out)
        return EXIT_OK
    if fmt == "json":
        out.write(json.dumps(to_json(suggestions), indent=2, ensure_ascii=False))
        out.write("\n")
    else:
        write_text(suggestions, out, engine="backend-developer agent")
    return EXIT_OK


def _agent_roots(settings: Settings, roots: Sequence[str]) -> list[str]:
    """Where a workspace's own backend-developer is looked for: the configuration file's
    folder (the editor's workspace folder, usually), then each file's project."""
    first = [settings.root] if settings.root else []
    return list(dict.fromkeys([*first, *roots]))
