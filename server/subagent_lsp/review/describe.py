"""The words the editor shows for backend suggestions: diagnostic messages, hovers, the asks'
verbs and the labels under which an edit is confirmed."""

from __future__ import annotations

from collections.abc import Iterable

from ..definitions.findings import Position, Span
from .rules import BACKEND_RULES
from .suggestion import Suggestion

# What each kind of "Ask backend-developer" action offers to do.
ASK_VERBS = {
    "index": "suggest indexes",
    "validation": "add input validation",
    "error-handling": "add error handling",
}


def message(s: Suggestion) -> str:
    return f"{s.title} (index proven on {s.proved_on})" if s.proven else s.title


def hover(suggestions: Iterable[Suggestion], pos: Position) -> tuple[str, Span] | None:
    """Markdown for the suggestions at ``pos`` (code, rule name, title, rationale), and the
    range of the first."""
    parts = []
    span: Span | None = None
    for s in suggestions:
        if s.span.contains(pos):
            rule = BACKEND_RULES.get(s.code)
            head = f"**{s.code}** `{rule.name}` — {s.title}" if rule else f"**{s.code}** {s.title}"
            parts.append(f"{head}\n\n{s.rationale}")
            span = span or s.span
    if not parts or span is None:
        return None
    return "\n\n---\n\n".join(parts), span


def edit_label(s: Suggestion) -> str:
    """What the user confirms an agent's edit under; an index says whether SQLite proved it."""
    proof = ""
    if s.kind == "index":
        proof = f" (index {'proven' if s.proven else 'NOT proven'} on {s.proved_on})"
    return f"backend-developer: {s.title}{proof}"
