"""The last check before a suggestion is offered: its edits, applied to every Python file they
touch, must still parse with the app's target Python. An edit that breaks a file costs the
user more than no suggestion; a file that did not parse before is not held against it.

Only the top-level statements an edit touches (with their neighbours) are parsed again, not
the whole file: a top-level statement starts at column 0 and parses on its own, and a module of
2,000 lines with 200 suggestions would otherwise be parsed 200 times on every keystroke.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import logging
import os
from collections import defaultdict
from collections.abc import Callable

from ...definitions.document import split_lines
from ...definitions.findings import Position, Span, TextEdit
from ...definitions.fixes import apply_edits
from ...textfile import read_utf8
from ..suggestion import Suggestion
from .pysource import Source
from .python_target import Version

log = logging.getLogger(__name__)


def parses(text: str, version: Version) -> bool:
    try:
        ast.parse(text, feature_version=version)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


class _File:
    """A Python file as it is: its lines and the line ranges of its top-level statements
    (0-based, first line inclusive of decorators, last line inclusive); no ranges when it
    does not parse as a whole."""

    def __init__(self, text: str, tree: ast.Module | None) -> None:
        self.lines = split_lines(text)
        self.blocks: list[tuple[int, int]] | None = None
        self.starts: list[int] = []
        self.names: frozenset[str] = bound_names(tree) if tree is not None else frozenset()
        if tree is not None:
            blocks = []
            for node in tree.body:
                first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
                blocks.append((first - 1, (node.end_lineno or node.lineno) - 1))
            self.blocks = blocks
            self.starts = [b[0] for b in blocks]

    def region(self, lo: int, hi: int) -> tuple[int, int]:
        """The lines to parse again for edits on lines ``lo``..``hi``: the top-level statement
        they sit strictly inside (a guard in a function body), else every statement they touch
        and the one on each side (an import between statements)."""
        assert self.blocks is not None
        if not self.blocks:
            return 0, max(len(self.lines) - 1, hi)
        inside = bisect.bisect_right(self.starts, lo) - 1
        if inside >= 0:
            start, end = self.blocks[inside]
            if start < lo and hi < end:
                return start, end
        first = max(bisect.bisect_right(self.starts, lo) - 2, 0)
        last = min(bisect.bisect_right(self.starts, hi), len(self.blocks) - 1)
        start = 0 if first == 0 else self.blocks[first][0]
        end = len(self.lines) - 1 if last == len(self.blocks) - 1 else self.blocks[last][1]
        return start, max(end, hi)


def _whole(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


_Region = tuple[int, int, tuple[TextEdit, ...]]
# a stretch with its edits: whether it parses, the names it binds, the names it newly reads
_Verdict = tuple[bool, frozenset[str], frozenset[str]]


def still_parses(
    file: _File,
    edits: list[TextEdit],
    version: Version,
    seen: dict[_Region, _Verdict] | None = None,
) -> bool:
    """Each stretch of the file the edits touch (an import at the top and a guard in a
    function are two) parses again with the edits applied, and the edits name nothing the
    file does not have once they are in (an import one of them adds counts): an edit that
    reads ``request`` in a method whose request is ``self.request`` parses and fails on every
    call (judged on a real app). ``seen``: verdicts on stretches already parsed with the same
    edits (the import many suggestions of a module share)."""
    if file.blocks is None:
        return True  # it did not parse before: not the edit's fault
    last_line = max(len(file.lines) - 1, 0)
    regions: list[tuple[int, int, list[TextEdit]]] = []
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        start, end = file.region(edit.span.start.line, min(edit.span.end.line, last_line))
        if regions and start <= regions[-1][1]:
            first, previous_end, grouped = regions[-1]
            regions[-1] = (first, max(previous_end, end), [*grouped, edit])
        else:
            regions.append((start, end, [edit]))
    seen = {} if seen is None else seen
    bound: set[str] = set()
    read: set[str] = set()
    for start, end, grouped in regions:
        key = (start, end, tuple(grouped))
        if key not in seen:
            seen[key] = _region_verdict(file, start, end, grouped, version)
        parsed, binds, reads = seen[key]
        if not parsed:
            return False
        bound |= binds
        read |= reads
    unknown = read - bound - file.names
    if unknown:
        log.debug("edit names what the file does not have: %s", ", ".join(sorted(unknown)))
    return not unknown


def _region_verdict(
    file: _File, start: int, end: int, edits: list[TextEdit], version: Version
) -> _Verdict:
    text = "\n".join(file.lines[start : end + 1])
    shifted = [
        TextEdit(
            Span(
                Position(e.span.start.line - start, e.span.start.column),
                Position(e.span.end.line - start, e.span.end.column),
            ),
            e.new_text,
        )
        for e in edits
    ]
    after = apply_edits(text, shifted)
    if not parses(after, version):
        return False, frozenset(), frozenset()
    tree = ast.parse(after)
    return True, bound_names(tree), free_names(after) - free_names(text)


def parse_safe(
    suggestions: list[Suggestion],
    path: str,
    text: str,
    version: Version,
    source: Source | None = None,
    read: Callable[[str], str | None] = read_utf8,
) -> list[Suggestion]:
    """``suggestions`` without those whose edits break a Python file; ``text`` is the current
    text of the file at ``path`` (``source``: its parse, when whole), the others are read with
    ``read`` (from disk, or an open document's text), once."""
    own = os.path.abspath(path)
    files: dict[str, _File | None] = {}
    verdicts: dict[str, dict[_Region, _Verdict]] = defaultdict(dict)
    kept: list[Suggestion] = []
    for suggestion in suggestions:
        by_path: dict[str, list[TextEdit]] = defaultdict(list)
        for edit in suggestion.edits:
            if edit.path.endswith(".py"):
                by_path[os.path.abspath(edit.path)].append(TextEdit(edit.span, edit.new_text))
        broken = None
        for name, edits in by_path.items():
            if name not in files:
                if name == own:
                    whole = source is not None and source.__dict__.get("whole", False)
                    tree = source.modules[0] if source is not None and whole else _whole(text)
                    files[name] = _File(text, tree)
                else:
                    other = read(name)
                    files[name] = _File(other, _whole(other)) if other is not None else None
            file = files[name]
            if file is not None and not still_parses(file, edits, version, verdicts[name]):
                broken = name
                break
        if broken is None:
            kept.append(suggestion)
        else:
            log.debug(
                "dropped %s %r: its edit does not parse as Python %d.%d in %s",
                suggestion.code,
                suggestion.title,
                *version,
                broken,
            )
    return kept


_BUILTINS = frozenset(dir(builtins))


def bound_names(tree: ast.AST) -> frozenset[str]:
    """Every name the code binds anywhere (flow-insensitive): assignments, parameters,
    imports, definitions, ``as`` targets, comprehension variables, globals."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            out.add(node.id)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            out.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            out.update(node.names)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            out.add(node.name)
    return frozenset(out)


def free_names(text: str) -> frozenset[str]:
    """Names the code reads and binds nowhere in itself, builtins aside."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return frozenset(read - bound_names(tree) - _BUILTINS)
