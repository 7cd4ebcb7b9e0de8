"""The agent's ``propose_changes`` answer -> suggestions with exact edits, or reasons to drop.

The answer is untrusted data. Each edit's ``find`` must occur exactly once in what was sent (the
code in scope; the whole file for an edit to another file); an edit with a ``path`` stays inside
the workspace; a new file is created only where none exists; an edit that touches text redacted
before sending is dropped. Nothing is applied approximately and nothing is ever run.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field

from ..definitions.document import split_lines
from ..definitions.findings import Position, Span
from ..textfile import read_utf8
from .context import AgentContext
from .exclusions import is_secret_file
from .offline.foreign.engine import foreign_queries, is_foreign_source
from .offline.indexes import prove
from .offline.project_files import project_root
from .offline.pysource import parse_source, strings_and_comments
from .offline.queries import FoundQuery, python_queries, sql_file_queries
from .offline.schema import Schema
from .offline.sql import index_defs
from .pgproof.prover import postgres_prover
from .secrets import PLACEHOLDER_PREFIX
from .suggestion import Edit, Suggestion, position_at


@dataclass
class AgentAnswer:
    summary: str
    suggestions: list[Suggestion] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # why each refused edit was refused


def parse_answer(
    raw: object, context: AgentContext, schema: Schema, roots: list[str]
) -> AgentAnswer:
    """Raises MalformedAnswer (from propose_changes.py) when ``raw`` breaks the tool's schema."""
    from .propose_changes import validate

    valid = validate(raw)
    answer = AgentAnswer(valid.summary)
    file_text = read_utf8(context.path)
    for item in valid.suggestions:
        edits: list[Edit] = []
        reason = None
        for proposed in item.edits:
            edit, reason = _map_edit(
                proposed.find, proposed.replace, proposed.path, context, file_text, roots
            )
            if edit is None:
                break
            edits.append(edit)
        if reason is not None:
            answer.dropped.append(f"“{item.title}”: {reason}")
            continue
        proven = None
        proved_on = "SQLite"
        rationale = item.rationale
        if item.kind == "index":
            proven, note, proved_on = _prove_indexes(edits, context, schema)
            rationale = f"{rationale}\n\n{note}" if note else rationale
        answer.suggestions.append(
            Suggestion(
                "BKD900",
                item.kind,
                context.path,
                context.scope,
                item.title,
                rationale,
                tuple(edits),
                engine="anthropic",
                proven=proven,
                proved_on=proved_on,
            )
        )
    return answer


def _inside(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(
        real == r or real.startswith(r.rstrip(os.sep) + os.sep)
        for r in map(os.path.realpath, roots)
    )


def _map_edit(
    find: str,
    replace: str,
    path: str | None,
    context: AgentContext,
    file_text: str | None,
    roots: list[str],
) -> tuple[Edit | None, str | None]:
    if PLACEHOLDER_PREFIX in find or PLACEHOLDER_PREFIX in replace:
        return None, "it touches text that was redacted before sending"
    if path is not None and os.path.abspath(
        path if os.path.isabs(path) else os.path.join(os.path.dirname(context.path), path)
    ) != os.path.abspath(context.path):
        return _map_other_file(find, replace, path, context, roots)
    sent = context.sent_scope.text
    count = sent.count(find) if find else 0
    if count != 1:
        where = "does not occur" if count == 0 else f"occurs {count} times"
        return None, f"its text to replace {where} in the code that was sent"
    start = sent.index(find)
    original = context.sent_scope.to_original(start, start + len(find))
    if original is None:
        return None, "it touches text that was redacted before sending"
    scope_start = context.scope.start.line
    a = position_at(context.scope_text, original[0])
    b = position_at(context.scope_text, original[1])
    span = Span(Position(a.line + scope_start, a.column), Position(b.line + scope_start, b.column))
    if file_text is not None:
        lines = split_lines(file_text)
        if span.end.line >= len(lines):
            return None, "the file changed since the request"
    return Edit(context.path, span, replace), None


def _map_other_file(
    find: str, replace: str, path: str, context: AgentContext, roots: list[str]
) -> tuple[Edit | None, str | None]:
    base = os.path.dirname(context.path)
    target = (
        path
        if os.path.isabs(path)
        else os.path.normpath(os.path.join(_root_of(context.path, roots) or base, path))
    )
    if not _inside(target, roots):
        return None, f"{path} is outside the workspace"
    if is_secret_file(target) or (
        context.exclusions is not None and context.exclusions.excluded(target)
    ):
        return None, f"{path} is excluded from the agent's context (secrets); it is never edited"
    if not os.path.exists(target):
        if find:
            return None, f"{path} does not exist"
        return Edit(target, Span.point(0, 0), replace), None
    text = read_utf8(target)
    if text is None:
        return None, f"{path} cannot be read"
    if not find:
        return None, f"{path} exists; an edit to it needs text to replace"
    count = text.count(find)
    if count != 1:
        where = "does not occur" if count == 0 else f"occurs {count} times"
        return None, f"its text to replace {where} in {path}"
    start = text.index(find)
    return Edit(
        target, Span(position_at(text, start), position_at(text, start + len(find))), replace
    ), None


def _root_of(path: str, roots: list[str]) -> str | None:
    real = os.path.realpath(path)
    for root in sorted(roots, key=len, reverse=True):
        if real.startswith(os.path.realpath(root) + os.sep):
            return root
    return None


_SQLITE_METHODS = {None, "btree"}


def _sql_of(edit: Edit) -> list[str]:
    """The SQL an edit writes: a .sql file's whole text; in Python (a migration, an ``execute``
    call), its string literals and comments."""
    if edit.path.endswith(".py"):
        return strings_and_comments(edit.new_text)
    return [edit.new_text]


def _prove_indexes(
    edits: list[Edit], context: AgentContext, schema: Schema
) -> tuple[bool | None, str, str]:
    """(proven, the note for the rationale, the engine that judged)."""
    statements = [index for e in edits for sql in _sql_of(e) for index in index_defs(sql)]
    if not statements:
        note = "Not proven: no CREATE INDEX to run on SQLite (an ORM flag or other change)."
        return None, note, "SQLite"
    queries = _queries_of(context, schema)
    prover = postgres_prover(context.path, project_root(context.path), schema)
    sql = [text for e in edits for text in _sql_of(e)]
    on_postgres = prover.prove_statements(sql, queries) if prover is not None else None
    if prover is not None and on_postgres is not None:
        return on_postgres[0], on_postgres[1], prover.engine
    notes = []
    proven_all = True
    for index in statements:
        table = schema.tables.get(index.table)
        cols = list(index.columns)
        label = f"{index.table} ({', '.join(cols)})"
        if index.method not in _SQLITE_METHODS or index.include:
            what = f"USING {index.method}" if index.method not in _SQLITE_METHODS else "INCLUDE"
            notes.append(
                f"Not proven: {label} uses {what}, a PostgreSQL feature SQLite cannot run."
            )
            proven_all = False
            continue
        if table is None:
            notes.append(
                f"Not proven: the table {index.table} is not in the schema this tool found."
            )
            proven_all = False
            continue
        if any(c not in table.columns for c in cols):
            notes.append(f"Not proven: {label} names a column the schema does not have.")
            proven_all = False
            continue
        relevant = [q for q in queries if q.shape.table == table.name]
        proofs = [prove(q, table, cols) for q in relevant]
        good = next((p for p in proofs if p.proven), None)
        if good is None:
            notes.append(
                f"Not proven: on SQLite no query in scope gets faster with {label}"
                + (f" ({proofs[0].why})." if proofs else " (no query on that table in scope).")
            )
            proven_all = False
        else:
            notes.append(
                f"Proven on SQLite for {label}: {good.why}.\n"
                f"Plan before: {' | '.join(good.before)}\n"
                f"Plan after:  {' | '.join(good.after)}"
            )
    return proven_all, "\n".join(notes), "SQLite"


def _queries_of(context: AgentContext, schema: Schema) -> list[FoundQuery]:
    if context.language == "sql":
        return sql_file_queries(context.scope_text)
    if is_foreign_source(context.path):
        return foreign_queries(context.path, context.scope_text, schema)
    source = parse_source(context.path, textwrap.dedent(context.scope_text))
    return python_queries(source, schema)
