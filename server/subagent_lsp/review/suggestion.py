"""What the backend review produces: suggestions with anchored edits. No LSP types here."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..definitions.findings import Severity, Span

KINDS = ("index", "validation", "error-handling")
SOURCE = "backend-developer"


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
