"""The vocabulary every consumer shares: positions, spans, edits, fixes and findings.

Positions are (line, column) with 0-based lines and columns counted in Unicode code points, as
PyYAML's marks give them. Conversion to UTF-16 (or whatever an LSP client negotiated) happens once,
at the edge, in the LSP layer.

Value types are NamedTuples, not dataclasses: ``check FILE`` pays their creation on every
pre-commit run, and a frozen dataclass costs ~0.6 ms to create (plus ~10 ms to import
``dataclasses``); a NamedTuple ~0.1 ms. Compare with ``==`` within one type only.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


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


class Position(NamedTuple):
    line: int
    column: int


class Span(NamedTuple):
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


class TextEdit(NamedTuple):
    span: Span
    new_text: str


class Fix(NamedTuple):
    """Text edits that repair a finding. ``safe`` fixes never change what the author meant and
    may be applied without review (``--fix``); the others are offered as quick fixes only."""

    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True


class Related(NamedTuple):
    """Another place that explains a finding (the other file defining the same agent...)."""

    path: str
    span: Span
    message: str


class Finding(NamedTuple):
    code: str
    severity: Severity
    span: Span
    message: str
    fixes: tuple[Fix, ...] = ()
    related: tuple[Related, ...] = ()

    def sort_key(self) -> tuple[int, int, str]:
        return (self.span.start.line, self.span.start.column, self.code)
