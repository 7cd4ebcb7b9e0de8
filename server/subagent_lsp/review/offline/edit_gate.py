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
import keyword
import logging
import os
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

from ...definitions.document import split_lines
from ...definitions.findings import Position, Span, TextEdit
from ...definitions.fixes import apply_edits
from ...textfile import read_utf8
from ..suggestion import Suggestion
from .pysource import IMPORTS, Source, every_node, parse_source, type_checking
from .python_target import Version

log = logging.getLogger(__name__)


def parses(text: str, version: Version | None = None) -> bool:
    """``text`` parses and compiles, as ``parsed`` asks. Without a tree to keep, compiling the
    text is one step: a syntax tree made in Python objects and compiled again cost twice (most
    of the gate's stretches need no tree, their edits naming nothing new)."""
    if not _current(version):
        return parsed(text, version) is not None
    try:
        compile(text, "<edit>", "exec", dont_inherit=True)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError, TypeError):
        return False


def _current(version: Version | None) -> bool:
    """The running Python's own grammar is the target's: it needs no feature_version, which
    doubles a parse's cost (the gate parses every suggestion's stretch)."""
    return version is None or tuple(version) >= sys.version_info[:2]


def parsed(text: str, version: Version | None = None) -> ast.Module | None:
    try:
        current = _current(version)
        tree = ast.parse(text) if current else ast.parse(text, feature_version=version)
        # What the parser lets through and the compiler refuses: a keyword given twice
        # (``index=False, index=True``, judged on a real app), ``nonlocal`` at the top.
        compile(tree, "<edit>", "exec", dont_inherit=True)
        return tree
    except (SyntaxError, ValueError, RecursionError, MemoryError, TypeError):
        return None


class _File:
    """A Python file as it is: its lines and the line ranges of its top-level statements
    (0-based, first line inclusive of decorators, last line inclusive); no ranges when it
    does not parse as a whole."""

    def __init__(self, text: str, tree: ast.Module | None) -> None:
        self.lines = split_lines(text)
        self.blocks: list[tuple[int, int]] | None = None
        self.starts: list[int] = []
        self.tree = tree
        self._names: frozenset[str] | None = None
        self._module_names: frozenset[str] | None = None
        # ``from __future__ import annotations``: a def's annotations are not evaluated
        self.lazy = tree is not None and _lazy_annotations(tree)
        # a stretch as it is: the names it binds and reads (shared by the suggestions there)
        self.stretches: dict[tuple[int, int], _Names] = {}
        if tree is not None:
            blocks = []
            for node in tree.body:
                first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
                blocks.append((first - 1, (node.end_lineno or node.lineno) - 1))
            self.blocks = blocks
            self.starts = [b[0] for b in blocks]

    @property
    def names(self) -> frozenset[str]:
        """Every name the file binds anywhere (read only when an edit names a new one)."""
        if self._names is None:
            self._names = names_in(self.tree)[0] if self.tree is not None else frozenset()
        return self._names

    @property
    def module_names(self) -> frozenset[str]:
        """The names the file binds at module level: what a def's signature, a decorator or a
        module-level statement can read when the module is imported."""
        if self._module_names is None:
            tree = self.tree
            self._module_names = module_names_in(tree)[0] if tree is not None else frozenset()
        return self._module_names

    def local_only(self) -> frozenset[str]:
        """Names bound only inside a function or class (``from uuid import UUID`` in a
        route's body): an edit that writes one at module level needs its names read."""
        return self.names - self.module_names

    def stretch_names(self, start: int, end: int) -> _Names:
        """From the file's own parse: the stretch is whole top-level statements of it."""
        key = (start, end)
        if key not in self.stretches:
            bound: set[str] = set()
            read: set[str] = set()
            top: set[str] = set()
            eager: set[str] = set()
            for node in self.tree.body if self.tree is not None else ():
                first = (getattr(node, "decorator_list", None) or [node])[0].lineno - 1
                if start <= min(first, node.lineno - 1) and (node.end_lineno or 0) - 1 <= end:
                    binds, reads = names_in(node)
                    bound |= binds
                    read |= reads
                    binds, reads = module_names_in(node, self.lazy)
                    top |= binds
                    eager |= reads
            self.stretches[key] = _Names(bound, read, top, eager)
        return self.stretches[key]

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


def _parse_of(path: str, text: str) -> ast.Module | None:
    """The models file every view's index edit lands in is parsed once, not once per view."""
    source = parse_source(path, text)
    if source.__dict__.get("whole", False):
        return source.modules[0]
    return _whole(text) if not source.modules else None


_Region = tuple[int, int, tuple[TextEdit, ...], bool]  # with its names read or not


class _Names(NamedTuple):
    """What code binds and reads anywhere, and what it binds at module level and reads when
    the module runs (decorators, a def's defaults and annotations, module statements)."""

    bound: frozenset[str] | set[str]
    read: frozenset[str] | set[str]
    module_bound: frozenset[str] | set[str]
    eager: frozenset[str] | set[str]


_NONE = _Names(frozenset(), frozenset(), frozenset(), frozenset())
# a stretch with its edits: whether it parses, the names it binds and newly reads (anywhere,
# and at module level: bound there, read when the module runs)
_Verdict = tuple[bool, _Names]


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
    module_bound: set[str] = set()
    eager: set[str] = set()
    # what the suggestion's own imports bind (``from flask import abort``)
    imported = {w for e in edits if "import" in e.new_text for w in _WORD.findall(e.new_text)}
    # Names the edits write that a stretch does not already use as a bare name (``request``
    # beside ``self.request``) are the only ones to look up: without any, the parse alone
    # decides (most edits reuse the names around them). With one, every stretch's names
    # count: a constant one edit defines at the top is what another reads further down.
    written = [
        {w for e in grouped for w in _BARE.findall(_written(e.new_text))} for *_, grouped in regions
    ]
    look = any(
        words - set(_BARE.findall("\n".join(file.lines[start : end + 1]))) - _KNOWN - imported
        for words, (start, end, _) in zip(written, regions, strict=True)
    )
    # ``media_id: UUID`` where ``UUID`` is imported in the route's body only: the text has
    # the word, the module does not have the name when the def runs (judged on a real app)
    if not look:
        local = file.local_only()
        look = bool(local) and any(words & local for words in written)
    for start, end, grouped in regions:
        key = (start, end, tuple(grouped), look)
        if key not in seen:
            seen[key] = _region_verdict(file, start, end, grouped, version, names=look)
        parsed, names = seen[key]
        if not parsed:
            return False
        bound |= names.bound
        read |= names.read
        module_bound |= names.module_bound
        eager |= names.eager
    unknown = read - bound - imported
    if unknown:
        unknown -= file.names
    late = eager - module_bound
    if late:
        # read when the module is imported: only a module-level name will do (a NameError
        # on import is the whole app down, not one request)
        unknown |= late - file.module_names
    if unknown:
        log.debug("edit names what the file does not have: %s", ", ".join(sorted(unknown)))
    return not unknown


def _region_verdict(
    file: _File,
    start: int,
    end: int,
    edits: list[TextEdit],
    version: Version,
    names: bool = True,
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
    edited = apply_edits(text, shifted)
    if not names:
        return parses(edited, version), _NONE
    tree = parsed(edited, version)
    if tree is None:
        return False, _NONE
    bound, read = names_in(tree)
    top, eager = module_names_in(tree, file.lazy)
    before = file.stretch_names(start, end)
    newly_read = read - bound - _BUILTINS - (before.read - before.bound)
    newly_eager = eager - top - _BUILTINS - (before.eager - before.module_bound)
    return True, _Names(bound, newly_read, top, newly_eager)


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
                    tree = _parse_of(name, other) if other is not None else None
                    files[name] = _File(other, tree) if other is not None else None
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
_KNOWN = _BUILTINS | frozenset(keyword.kwlist)
_WORD = re.compile(r"[A-Za-z_]\w*")
_BARE = re.compile(r"(?<![\w.])[A-Za-z_]\w*")  # not an attribute: ``request``, not ``.request``
_STRING = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")  # a string's words are no names
_ASSIGNED = re.compile(r"\b[A-Za-z_]\w*\s*=(?!=)")  # nor ``timeout=`` (a keyword) or ``x =``


def _written(text: str) -> str:
    """An edit's text without what cannot read a name: strings, keywords given, targets."""
    return _ASSIGNED.sub("", _STRING.sub('""', text))


def names_in(tree: ast.AST) -> tuple[frozenset[str], frozenset[str]]:
    """The names code binds anywhere (flow-insensitive: assignments, parameters, imports,
    definitions, ``as`` targets, comprehension variables, globals) and the names it reads."""
    bound: set[str] = set()
    read: set[str] = set()
    for node in every_node(tree):
        kind = type(node)
        if kind not in _BINDS_OR_READS:  # most nodes: calls, attributes, constants, contexts
            continue
        if kind is ast.Name:
            (read if type(node.ctx) is ast.Load else bound).add(node.id)  # type: ignore[attr-defined]
        elif kind is ast.arg:
            bound.add(node.arg)  # type: ignore[attr-defined]
        elif kind in _DEFINES:
            bound.add(node.name)  # type: ignore[attr-defined]
        elif kind in _IMPORTS:
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)  # type: ignore[attr-defined]
        elif kind in _NAMED and node.name:  # type: ignore[attr-defined]
            bound.add(node.name)  # type: ignore[attr-defined]
        elif kind in _DECLARES:
            bound.update(node.names)  # type: ignore[attr-defined]
    return frozenset(bound), frozenset(read)


# The node types that bind or read a name, by exact type: a tree ``ast.parse`` made has no
# subclasses of them, and one set lookup per node costs less than eight isinstance tests.
_DEFINES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
_IMPORTS = frozenset({ast.Import, ast.ImportFrom})
_NAMED = frozenset({ast.ExceptHandler, ast.MatchAs, ast.MatchStar})  # ``as name``, ``*name``
_DECLARES = frozenset({ast.Global, ast.Nonlocal})
_BINDS_OR_READS = frozenset({ast.Name, ast.arg}) | _DEFINES | _IMPORTS | _NAMED | _DECLARES
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


# Built once: tested of every node.
_DEFS = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
_MATCH_NAMES = ast.MatchAs | ast.MatchStar


def module_names_in(tree: ast.AST, lazy: bool = False) -> tuple[frozenset[str], frozenset[str]]:
    """The names code binds at module level and the names it reads when the module runs: a
    module statement's, a decorator's, a def's defaults and (unless ``lazy``: ``from
    __future__ import annotations``) annotations, a class's bases and body; not a function's
    body, which reads its names when it is called. A class body's assignments (seen by its
    own statements only) and a comprehension's variables are no module names, and ``if
    TYPE_CHECKING:`` binds nothing when the module runs."""
    bound: set[str] = set()
    read: set[str] = set()
    stack: list[tuple[ast.AST, bool]] = [(tree, True)]  # (node, whether its stores bind here)
    while stack:
        node, binds = stack.pop()
        if type(node) is ast.Name:  # the commonest node, and a leaf: first
            if type(node.ctx) is ast.Load:
                read.add(node.id)
            elif binds:
                bound.add(node.id)
            continue
        if isinstance(node, _DEFS):
            if not isinstance(node, ast.Lambda):
                if binds:
                    bound.add(node.name)
                stack.extend((d, binds) for d in node.decorator_list)
                if not lazy:
                    stack.extend((a, binds) for a in _annotations(node))
            stack.extend((d, binds) for d in node.args.defaults)
            stack.extend((d, binds) for d in node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.AnnAssign) and lazy:
            stack.append((node.target, binds))
            stack.extend([(node.value, binds)] if node.value is not None else [])
            continue
        if isinstance(node, ast.If) and type_checking(node.test):
            stack.extend((n, binds) for n in node.orelse)
            continue
        if isinstance(node, ast.ClassDef):
            if binds:
                bound.add(node.name)
            for part in (*node.decorator_list, *node.bases, *node.keywords):
                stack.append((part, binds))
            # the body reads its own names (``__table_args__`` naming a column above it),
            # and binds no module name
            own_bound, own_read = module_names_in(ast.Module(body=node.body, type_ignores=[]), lazy)
            read.update(own_read - own_bound)
            continue
        inner = binds and not isinstance(node, _COMPREHENSIONS)
        if not binds:
            pass
        elif isinstance(node, IMPORTS):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Global):
            bound.update(node.names)
        elif isinstance(node, _MATCH_NAMES) and node.name:
            bound.add(node.name)
        for field in node._fields:  # ast.iter_child_nodes, without its generator
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        stack.append((item, inner))
            elif isinstance(value, ast.AST):
                stack.append((value, inner))
    return frozenset(bound), frozenset(read)


def _annotations(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    args = func.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    found = [a.annotation for a in every if a is not None and a.annotation is not None]
    return [*found, func.returns] if func.returns is not None else found


def _lazy_annotations(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(a.name == "annotations" for a in node.names)
        for node in tree.body
    )
