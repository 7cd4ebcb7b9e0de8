"""Which suggestions an action applies: those on the lines asked about, and for an
"Ask backend-developer" action the ones of its kind in scope whose edits apply together."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..definitions.findings import Span
from ..definitions.fixes import spans_overlap
from .suggestion import Suggestion


def on_lines(suggestions: Iterable[Suggestion], first: int, last: int) -> list[Suggestion]:
    """Suggestions whose range touches lines ``first``..``last``."""
    return [s for s in suggestions if s.span.end.line >= first and s.span.start.line <= last]


def in_scope(suggestions: Iterable[Suggestion], kind: str, scope: Span) -> list[Suggestion]:
    """What the offline engine answers an ask with: suggestions of ``kind`` starting in
    ``scope``, without the ones whose edits clash with an earlier one."""
    inside = [s for s in suggestions if s.kind == kind and scope.start <= s.span.start <= scope.end]
    return non_overlapping(inside)


def non_overlapping(suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    """Suggestions whose edits can all apply together (the first of two that clash wins)."""
    chosen: list[Suggestion] = []
    taken: list[tuple[str, Span]] = []
    for s in suggestions:
        spans = [(e.path, e.span) for e in s.edits]
        if not any(p == q and spans_overlap(a, b) for p, a in spans for q, b in taken):
            chosen.append(s)
            taken.extend(spans)
    return chosen
