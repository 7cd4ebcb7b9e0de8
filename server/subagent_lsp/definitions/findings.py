"""The vocabulary every consumer shares: positions, spans, edits, fixes and findings.

Positions are (line, column) with 0-based lines and columns counted in Unicode code points, as
PyYAML's marks give them. Conversion to UTF-16 (or whatever an LSP client negotiated) happens once,
at the edge, in the LSP layer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered so that ``max()`` gives the worst; values match LSP's DiagnosticSeverity."""

    HINT = 4
    INFORMATION = 3
    WARNING = 2
    ERROR = 1

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        key = text.strip().upper()
        if key == "INFO":
            key = "INFORMATION"
        return cls[key]


@dataclass(frozen=True, order=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True, order=True)
class Span:
    start: Position
    end: Position

    @classmethod
    def of(cls, line: int, col: int, end_line: int, end_col: int) -> Span:
        return cls(Position(line, col), Position(end_line, end_col))

    @classmethod
    def point(cls, line: int, col: int) -> Span:
        return cls(Position(line, col), Position(line, col))

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end


@dataclass(frozen=True)
class TextEdit:
    span: Span
    new_text: str


@dataclass(frozen=True)
class Fix:
    """Text edits that repair a finding. ``safe`` fixes never change what the author meant and
    may be applied without review (``--fix``); the others are offered as quick fixes only."""

    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True


@dataclass(frozen=True)
class Related:
    """Another place that explains a finding (the other file defining the same agent...)."""

    path: str
    span: Span
    message: str


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    span: Span
    message: str
    fixes: tuple[Fix, ...] = ()
    related: tuple[Related, ...] = ()
    data: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def sort_key(self) -> tuple[int, int, str]:
        return (self.span.start.line, self.span.start.column, self.code)
