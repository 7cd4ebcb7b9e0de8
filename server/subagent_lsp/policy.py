"""The one path every finding and suggestion takes before anyone sees it.

Checks and analyses report what they found at the rule's own severity; what the user asked for
is applied here, once, for the CLI, the server and ``suggest`` alike: rules turned off (settings'
select/ignore/severity "off"), severities re-rated, inline suppression comments, per-path
ignores, and ranges kept inside the document. (The CLI's baseline is the one step after this:
it runs once on the final report, so ``--fix`` passes never spend its budget.)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from .definitions.findings import Position, Severity, Span
from .definitions.suppress import MARK, Suppressions, find_suppressions
from .records import TYPE_CHECKING, Record

if TYPE_CHECKING:
    from typing import Protocol, TypeVar

    class Verdict(Protocol):
        """What a Finding and a Suggestion have in common."""

        @property
        def code(self) -> str: ...
        @property
        def span(self) -> Span: ...
        @property
        def severity(self) -> Severity: ...

    V = TypeVar("V", bound=Verdict)


class PathIgnores:
    """Rule codes silenced for files matching gitignore-style patterns below ``root``."""

    def __init__(self, root: str, table: Mapping[str, frozenset[str]]) -> None:
        import pathspec  # only when a configuration asks for per-path ignores

        self.root = os.path.abspath(root)
        self.table = [
            (pathspec.GitIgnoreSpec.from_lines([pattern]), codes)
            for pattern, codes in table.items()
        ]

    def codes_for(self, path: str) -> frozenset[str]:
        rel = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        if rel.startswith("../"):
            return frozenset()
        out: set[str] = set()
        for spec_, codes in self.table:
            if spec_.match_file(rel):
                out |= codes
        return frozenset(out)


class Policy(Record):
    __slots__ = ("path_ignores", "severities")

    def __init__(
        self,
        severities: Mapping[str, Severity | None] = MappingProxyType({}),  # None: rule off
        path_ignores: PathIgnores | None = None,
    ) -> None:
        self.severities = severities
        self.path_ignores = path_ignores

    def apply(
        self,
        path: str,
        lines: Sequence[str] | None,
        items: Iterable[V],
        suppressions: Suppressions | None = None,
    ) -> list[V]:
        """``items`` as the user configured them, sorted by position. ``suppressions`` may be
        passed when already known (else found in ``lines``, only if a comment can be there);
        without ``lines`` (a cross-file finding on a file not in memory) ranges are kept."""
        off = self.severities
        kept = [self._rated(i) for i in items if not (i.code in off and off[i.code] is None)]
        if not kept:
            return []
        if suppressions is None and lines is not None and any(MARK in line for line in lines):
            suppressions = find_suppressions(lines)
        if suppressions is not None:
            kept = [i for i in kept if not suppressions.silences_at(i.code, i.span.start.line)]
        if self.path_ignores is not None:
            silenced = self.path_ignores.codes_for(path)
            if "*" in silenced:
                return []
            kept = [i for i in kept if i.code not in silenced]
        if lines is not None:
            kept = [_clamped(i, lines) for i in kept]
        return sorted(kept, key=lambda i: (i.span.start, i.span.end, i.code))

    def _rated(self, item: V) -> V:
        configured = self.severities.get(item.code)
        if configured is None or configured is item.severity:
            return item
        return _with(item, severity=configured)

    def is_off(self, code: str) -> bool:
        return code in self.severities and self.severities[code] is None


def _clamped(item: V, lines: Sequence[str]) -> V:
    """Keep a range inside the document: YAML's end marks can point one line past the end of
    an unterminated or truncated frontmatter, and a stale analysis can outlive an edit."""
    last = max(len(lines) - 1, 0)

    def inside(pos: Position) -> Position:
        if not lines:
            return Position(0, 0)
        if pos.line > last:
            return Position(last, len(lines[last]))
        return Position(pos.line, min(pos.column, len(lines[pos.line])))

    span = Span(inside(item.span.start), inside(item.span.end))
    if span == item.span:
        return item
    return _with(item, span=span)


def _with(item: V, **changes: object) -> V:
    """``item`` with ``changes``: a Finding is a NamedTuple, a Suggestion a dataclass (whose
    module ``check`` never imports)."""
    replace = getattr(item, "_replace", None)
    if replace is not None:
        return replace(**changes)  # type: ignore[no-any-return]
    import dataclasses

    return dataclasses.replace(item, **changes)  # type: ignore[type-var]
