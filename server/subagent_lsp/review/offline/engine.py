"""The offline engine's entry point: one file's text (+ the workspace schema) -> suggestions.

Each analysis runs on its own and a failure in one (a construct nobody foresaw) costs only its
own suggestions: the others still come, and nothing is raised to the caller.
"""

from __future__ import annotations

import ast
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from ...textfile import read_utf8
from ..pgproof import proofs_off
from ..suggestion import Suggestion
from .base_class_queries import BaseClassQueries
from .body_readers import mark_body_readers
from .built_queries import helper_pages
from .edit_gate import parse_safe
from .errors import error_suggestions
from .exists_walks import exists_walks
from .foreign.engine import analyze_foreign, is_foreign_source
from .frameworks import ModuleFacts, module_facts
from .indexes import index_suggestions
from .manager_queries import ManagerChains
from .mentions import dead_functions
from .minified import is_minified
from .off_request import (
    WHOLE_MODULE,
    background_task_lines,
    is_off_request,
    off_request_lines,
    suite_route_lines,
)
from .project_files import (
    declared_major,
    declared_packages,
    declared_version,
    is_not_a_source,
    project_root,
    workspace_root,
)
from .pysource import Source, dotted, parse_source
from .python_filters import python_filter_suggestions
from .python_target import target_python
from .queries import FoundQuery, python_queries, sql_file_queries
from .response_walks import response_walks
from .same_fix import one_per_fix
from .schema import Schema, schema_of_file
from .schema_dumps import dumped_walks
from .sql_helpers import helper_runs_sql
from .unreachable import unreachable_lines
from .unreferenced import unreferenced_foreign, unreferenced_functions
from .upstream_calls import UpstreamCalls
from .validation import validation_suggestions
from .view_helpers import mark_view_helpers

if TYPE_CHECKING:
    from ..pgproof.prover import PostgresProver
    from ..project import Project

log = logging.getLogger(__name__)
SourceLoader = Callable[[str], Source | None]


__all__ = ["analyze", "analyze_file", "is_backend_file", "workspace_root"]


def is_backend_file(path: str) -> bool:
    return path.endswith((".py", ".sql")) or is_foreign_source(path)


def load_source_from_disk(path: str) -> Source | None:
    text = read_utf8(path)
    return parse_source(path, text) if text is not None else None


class _Sources(dict[str, Source]):
    def __init__(self, first: Source | None, loader: SourceLoader) -> None:
        super().__init__()
        if first is not None:
            self[first.path] = first
        self.loader = loader

    def get(self, key: str, default: Source | None = None) -> Source | None:  # type: ignore[override]
        if key not in self:
            loaded = self.loader(key)
            if loaded is None:
                return default
            self[key] = loaded
        return self[key]


def _dead_lines(path: str, text: str, source: Source | None, project: Project) -> list[range]:
    """The lines of the file's functions nobody calls: advice there is noise (an index for a
    query only dead code runs, a guard in a helper left from an old version)."""

    def elsewhere(word: str) -> int | None:
        return project.mentioned_elsewhere(word, path)

    if source is None:
        spans = unreferenced_foreign(path, text, elsewhere)
    else:
        spans = [*dead_functions(source, project.mentions)]
        spans += unreferenced_functions(source, elsewhere)
    return [range(first, last + 1) for first, last in spans]


def _alive(found: list[FoundQuery], dead: list[range]) -> list[FoundQuery]:
    return [q for q in found if not any(q.span.start.line in lines for lines in dead)]


def broad_handler_lines(source: Source) -> list[range]:
    """The (0-based) lines of ``except Exception:`` (and bare ``except:``) bodies: what runs
    when anything at all went wrong, a failure path and no hot one. An index is not for its
    queries (a real app's debug lookups by ``ip`` and by ``ua`` after a failed token check
    were proposed an index of their own)."""
    out = []
    for handler in source.of(ast.ExceptHandler):
        if not isinstance(handler, ast.ExceptHandler) or not handler.body:
            continue
        caught = handler.type
        if caught is None or dotted(caught).split(".")[-1] in ("Exception", "BaseException"):
            last = handler.body[-1]
            out.append(range(handler.body[0].lineno - 1, (last.end_lineno or last.lineno)))
    return out


def _outside(out: list[Suggestion], path: str, dead: list[range]) -> list[Suggestion]:
    """The suggestions not anchored in ``dead`` lines of ``path``, whichever rule made them."""
    return [
        s for s in out if s.path != path or not any(s.span.start.line in lines for lines in dead)
    ]


def _postgres_prover(path: str, root: str | None, schema: Schema) -> PostgresProver | None:
    """``postgres_prover``, whose module (the cluster, the loader, the probes and what they
    import) is imported only when proofs on PostgreSQL are not turned off."""
    if proofs_off():
        return None
    from ..pgproof.prover import postgres_prover

    return postgres_prover(path, root, schema)


def _holds(schema: Schema, own: Schema) -> bool:
    """Whether ``schema`` already has ``own`` as merging it last would leave it: each of its
    tables the one that won there, and its classes and helpers the same objects (the scan's
    own per-file schema, not an edited text)."""
    return (
        all(
            (table := schema.tables.get(name)) is not None and table.path == mine.path
            for name, mine in own.tables.items()
        )
        and all(schema.classes.get(k) is v for k, v in own.classes.items())
        and all(schema.helpers.get(k) == v for k, v in own.helpers.items())
        and all(schema.model_classes.get(k) == v for k, v in own.model_classes.items())
        and _names_resolve_alike(schema, own)
        and (not own.sessions.flask_db or schema.sessions.flask_db)
        and (not own.sessions.rollback_handler or schema.sessions.rollback_handler)
        and (not own.sessions.request_session or schema.sessions.request_session)
    )


def _names_resolve_alike(schema: Schema, own: Schema) -> bool:
    """The file's own class names (``Note``) may map to other tables than the workspace's
    (another package's ``Note`` won there); resolving looks a name up only for a backref's
    owner, so the resolved tables are the same unless such an owner is among them."""
    differ = {k for k, v in own.models.items() if schema.models.get(k) != v}
    return not differ or not any(
        owner in differ for t in schema.tables.values() for owner, _ in t.backrefs
    )


def _own_names(schema: Schema, own: Schema) -> Schema:
    if all(schema.models.get(k) == v for k, v in own.models.items()):
        return schema
    return replace(schema, models={**schema.models, **own.models}, is_resolved=True)


def analyze(
    path: str,
    text: str,
    schema: Schema | None = None,
    kinds: Iterable[str] | None = None,
    loader: SourceLoader = load_source_from_disk,
    project: Project | None = None,
) -> list[Suggestion]:
    return analyze_file(path, text, schema, kinds, loader, project)[0]


def analyze_file(
    path: str,
    text: str,
    schema: Schema | None = None,
    kinds: Iterable[str] | None = None,
    loader: SourceLoader = load_source_from_disk,
    project: Project | None = None,
) -> tuple[list[Suggestion], Schema]:
    """The suggestions, and the schema this file itself defines (parsed once, for callers that
    keep a workspace schema current with the text being edited). ``project``: the model of the
    file's project (app-wide handlers, its functions, declared packages); without one only
    this file and its project's manifests are read."""
    wanted = set(kinds) if kinds is not None else {"index", "validation", "error-handling"}
    if schema is None and project is not None:
        schema = project.schema()
    source = parse_source(path, text) if path.endswith(".py") else None
    own = project.schemas.read_from(path, text) if project is not None else None
    scanned = own is not None  # this very text is in the project's schema
    if own is None:
        own = schema_of_file(path, text, source)
    held = schema is not None and schema.is_resolved and scanned and _holds(schema, own)
    if schema is not None and schema.is_resolved and (own.is_empty() or held):
        # Most files (views, services) define no table, and a models file read as the scan
        # read it is already in: the workspace's schema, resolved once by the caller, serves
        # as it is (merging and resolving the whole schema again for every models file was
        # quadratic in the tables) but for the file's own class names (another package's
        # ``Note`` won them in the workspace).
        workspace = _own_names(schema, own)
    else:
        workspace = Schema()
        if schema is not None:
            workspace.merge(schema)
        workspace.merge(own)  # the text being edited wins over the disk
        workspace = workspace.resolved()
    out: list[Suggestion] = []
    root = project.source_root() if project is not None else project_root(path)
    if not project.is_source(path) if project is not None else is_not_a_source(path, root):
        return out, own
    if is_foreign_source(path):  # JavaScript, TypeScript, Go
        if is_minified(text):
            return out, own
        out = analyze_foreign(path, text, workspace, wanted)
        if out and project is not None:
            out = _outside(out, path, _dead_lines(path, text, None, project))
        return sorted(out, key=lambda s: (s.span.start, s.code)), own
    # Commands and scripts: no request runs them, so nothing there is a request path's cost.
    # and what only commands call: their helpers, the modules only they import
    reached = (
        project.off_request_lines(path) if source is not None and project is not None else None
    )
    if reached is not None:
        off_request = reached
    else:
        off_request = off_request_lines(source) if source is not None else []
    if WHOLE_MODULE in off_request:
        return out, own
    # Routes kept for the test suite: no index is for them; those a settings guard closes in
    # production are skipped by every rule (see suite_route_lines).
    test_routes, closed_routes = suite_route_lines(source) if source is not None else ([], [])
    off_request = [*off_request, *closed_routes]
    sources = _Sources(source, project.source if project is not None else loader)
    # An edit that no longer parses on the app's Python is not offered (issue #15), nor one
    # that uses what that Python lacks.
    if project is not None:
        version = project.target_python()
    else:
        version = target_python(root or os.path.dirname(os.path.abspath(path)))
    upstream: UpstreamCalls | None = None
    dead: list[range] | None = None
    unreachable: list[range] = []
    if source is not None:
        try:
            unreachable = unreachable_lines(source)
        except Exception:
            log.exception("reachability analysis failed for %s", path)

    def dead_lines() -> list[range]:
        nonlocal dead
        if dead is None:
            dead = _dead_lines(path, text, source, project) if project is not None else []
        return dead

    def followed() -> UpstreamCalls:
        nonlocal upstream
        if upstream is None:
            if project is not None:
                upstream = project.upstream()
            else:
                folder = root if root is not None else os.path.dirname(os.path.abspath(path))
                upstream = UpstreamCalls([folder], sources.get)
        return upstream

    if "index" in wanted:
        found: list[FoundQuery] = []
        try:
            if source is not None:
                calls_of = project.call_passes if project is not None else None
                inline = BaseClassQueries(followed(), workspace.models).query_of
                chains = ManagerChains(followed(), workspace)
                managers = chains.returned
                paged_by = helper_pages(followed().callee)
                runs_sql = helper_runs_sql(followed().callee)
                found = python_queries(
                    source,
                    workspace,
                    calls_of,
                    inline,
                    managers,
                    paged_by,
                    runs_sql,
                    manager_model=chains.model_of,
                )
                if "response_model" in text:
                    found += response_walks(source, workspace, followed().resolve_class)
                if ".any(" in text:
                    found += exists_walks(source, workspace)
                if "Nested(" in text or "Pluck(" in text:
                    found += dumped_walks(source, workspace)
            elif path.endswith(".sql"):
                found = sql_file_queries(text)
            if found and source is not None and project is not None:
                found = _alive(found, dead_lines())
            if found and source is not None:
                found = _alive(found, [*broad_handler_lines(source), *unreachable])
            background = [*off_request, *test_routes]
            background += background_task_lines(source) if source else []
            found = [q for q in found if not is_off_request(background, q.span.start.line)]
            prover = _postgres_prover(path, root, workspace) if found else None
            out.extend(index_suggestions(found, workspace, path, sources, prover, project))
        except Exception:
            log.exception("index analysis failed for %s", path)
        if source is not None:
            try:
                out.extend(python_filter_suggestions(source, workspace, followed().callee))
            except Exception:
                log.exception("filter analysis failed for %s", path)
    if source is not None and source.modules:
        facts: ModuleFacts | None = None
        try:
            facts = module_facts(source, followed())
            # what the rest of the project says of the module: a failure there loses this
            # file's validation and error advice, not its indexes
            if project is not None:
                project.complete(facts)
            else:
                facts.declared = declared_packages(root) if root is not None else None
                if root is not None:
                    folder = root
                    facts.package_version = lambda package: declared_version(folder, package)
                if root is not None and "flask" in facts.frameworks:
                    facts.flask_sqlalchemy_major = declared_major(root, "flask_sqlalchemy")
                mark_view_helpers(facts)
        except Exception:
            log.exception("framework analysis failed for %s", path)
            facts = None
        if facts is not None:
            facts.sessions = workspace.sessions
            facts.schema = workspace
            facts.python = version
            mark_body_readers(facts)
            for kind, analysis in (
                ("validation", validation_suggestions),
                ("error-handling", error_suggestions),
            ):
                if kind in wanted:
                    try:
                        out.extend(analysis(facts))
                    except Exception:
                        log.exception("%s analysis failed for %s", kind, path)
    # Another file the edits touch is read as the project has it (an open document's text).
    read = project.text if project is not None else read_utf8
    out = parse_safe(out, path, text, version, source, read)
    if off_request:
        out = [
            s for s in out if s.path != path or not is_off_request(off_request, s.span.start.line)
        ]
    if out and project is not None:
        out = _outside(out, path, dead_lines())
    if out and unreachable:
        out = _outside(out, path, unreachable)
    # At the rules' own severity, unsuppressed: callers pass them through the policy.
    return one_per_fix(sorted(out, key=lambda s: (s.span.start, s.code))), own
