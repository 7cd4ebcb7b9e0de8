"""The vocabulary every consumer shares: positions, spans, edits, fixes and findings.

Positions are (line, column) with 0-based lines and columns counted in Unicode code points, as
PyYAML's marks give them. Conversion to UTF-16 (or whatever an LSP client negotiated) happens once,
at the edge, in the LSP layer.

Value types are Records (records.py), not dataclasses: ``check FILE`` pays for creating them on
every pre-commit run.
"""

from __future__ import annotations

import enum

from ..records import Record


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


class Position(Record):
    __slots__ = ("column", "line")

    def __init__(
        self,
        line: int,
        column: int,
    ) -> None:
        self.line = line
        self.column = column

    # Ordered as (line, column), as the dataclass with order=True was.
    def __lt__(self, other: Position) -> bool:
        return (self.line, self.column) < (other.line, other.column)

    def __le__(self, other: Position) -> bool:
        return (self.line, self.column) <= (other.line, other.column)

    def __gt__(self, other: Position) -> bool:
        return (self.line, self.column) > (other.line, other.column)

    def __ge__(self, other: Position) -> bool:
        return (self.line, self.column) >= (other.line, other.column)


class Span(Record):
    __slots__ = ("end", "start")

    def __init__(
        self,
        start: Position,
        end: Position,
    ) -> None:
        self.start = start
        self.end = end

    def _order(self) -> tuple[int, int, int, int]:
        return (self.start.line, self.start.column, self.end.line, self.end.column)

    def __lt__(self, other: Span) -> bool:
        return self._order() < other._order()

    def __le__(self, other: Span) -> bool:
        return self._order() <= other._order()

    def __gt__(self, other: Span) -> bool:
        return self._order() > other._order()

    def __ge__(self, other: Span) -> bool:
        return self._order() >= other._order()

    @classmethod
    def of(cls, line: int, col: int, end_line: int, end_col: int) -> Span:
        return cls(Position(line, col), Position(end_line, end_col))

    @classmethod
    def point(cls, line: int, col: int) -> Span:
        return cls(Position(line, col), Position(line, col))

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end


class TextEdit(Record):
    __slots__ = ("new_text", "span")

    def __init__(
        self,
        span: Span,
        new_text: str,
    ) -> None:
        self.span = span
        self.new_text = new_text


class Fix(Record):
    """Text edits that repair a finding. ``safe`` fixes never change what the author meant and
    may be applied without review (``--fix``); the others are offered as quick fixes only."""

    __slots__ = ("edits", "safe", "title")

    def __init__(
        self,
        title: str,
        edits: tuple[TextEdit, ...],
        safe: bool = True,
    ) -> None:
        self.title = title
        self.edits = edits
        self.safe = safe


class Related(Record):
    """Another place that explains a finding (the other file defining the same agent...)."""

    __slots__ = ("message", "path", "span")

    def __init__(
        self,
        path: str,
        span: Span,
        message: str,
    ) -> None:
        self.path = path
        self.span = span
        self.message = message


class Finding(Record):
    __slots__ = ("code", "fixes", "message", "related", "severity", "span")

    def __init__(
        self,
        code: str,
        severity: Severity,
        span: Span,
        message: str,
        fixes: tuple[Fix, ...] = (),
        related: tuple[Related, ...] = (),
    ) -> None:
        self.code = code
        self.severity = severity
        self.span = span
        self.message = message
        self.fixes = fixes
        self.related = related

    def sort_key(self) -> tuple[int, int, str]:
        return (self.span.start.line, self.span.start.column, self.code)
