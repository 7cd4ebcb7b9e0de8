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
    proven: bool | None = None  # index suggestions: did the planner confirm it?
    proved_on: str = "SQLite"  # whose planner: SQLite, or "PostgreSQL 15" (review/pgproof)
    # Suggestions are information unless the user re-rates the code (the policy does).
    severity: Severity = Severity.INFORMATION
    data: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
