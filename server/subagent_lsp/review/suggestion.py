"""What the backend review produces: suggestions with anchored edits. No LSP types here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from ..definitions.findings import Position, Severity, Span

Kind = Literal["index", "validation", "error-handling"]
KINDS: tuple[str, ...] = get_args(Kind)
SOURCE = "backend-developer"


def position_at(text: str, offset: int) -> Position:
    """The position of a character offset into ``text`` (the SQL and the agent's ``find`` are
    located by offset; edits are anchored by position)."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return Position(line, offset - start)


@dataclass(frozen=True)
class Edit:
    """Replace ``span`` of the file at ``path`` with ``new_text`` (positions in code points)."""

    path: str
    span: Span
    new_text: str


@dataclass(frozen=True)
class Suggestion:
    code: str  # BKD###: stable, suppressible like the agent-file rules
    kind: str  # index | validation | error-handling
    path: str
    span: Span  # where the problem is (the diagnostic's range)
    title: str
    rationale: str
    edits: tuple[Edit, ...]
    engine: str = "offline"  # offline | anthropic
    proven: bool | None = None  # index suggestions: did SQLite's planner confirm it?
    # Suggestions are information unless the user re-rates the code (the policy does).
    severity: Severity = Severity.INFORMATION
    data: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class BackendRule:
    code: str
    kind: str
    name: str
    summary: str


BACKEND_RULES: dict[str, BackendRule] = {
    r.code: r
    for r in (
        BackendRule("BKD101", "index", "missing-index",
                    "A query filters or sorts on columns no index serves (proven on SQLite)."),
        BackendRule("BKD201", "validation", "unvalidated-json",
                    "Request JSON is used without a schema."),
        BackendRule("BKD202", "validation", "unguarded-conversion",
                    "A request value is converted without handling missing or bad input."),
        BackendRule("BKD203", "validation", "untyped-body",
                    "A FastAPI body is a plain dict/Any: nothing is validated."),
        BackendRule("BKD204", "validation", "raw-request-json",
                    "`await request.json()` bypasses FastAPI's validation."),
        BackendRule("BKD205", "validation", "unchecked-query-key",
                    "`request.GET[...]`/`request.POST[...]` raises on a missing key (500)."),
        BackendRule("BKD301", "error-handling", "http-without-timeout",
                    "An HTTP call without a timeout can hang the worker forever."),
        BackendRule("BKD302", "error-handling", "http-errors-unhandled",
                    "An upstream HTTP failure becomes a 500 instead of a 502."),
        BackendRule("BKD303", "error-handling", "commit-without-rollback",
                    "A failed commit leaves the session unusable without a rollback."),
        BackendRule("BKD304", "error-handling", "get-without-404",
                    "`objects.get` raises DoesNotExist (a 500) when nothing matches."),
        BackendRule("BKD305", "error-handling", "json-body-unhandled",
                    "`json.loads` of a request body raises on malformed input (a 500)."),
    )
}  # fmt: skip
