"""What part of a file an "Ask backend-developer" action is about."""

from __future__ import annotations

import ast

from ..definitions.findings import Position, Span
from .offline.foreign.scope import function_scope
from .offline.treesitter import language_of

WHOLE_FILE = Span(Position(0, 0), Position(10**9, 0))


def scope_of(text: str, lo: Position, hi: Position, path: str = "") -> Span:
    """The selection, or (for a cursor) the innermost function around it, or the whole file
    (also when the file does not parse). JS/TS and Go (by ``path``) are read by tree-sitter."""
    if lo != hi:
        return Span(lo, hi)
    if language_of(path) is not None:
        return function_scope(path, text, lo) or WHOLE_FILE
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return WHOLE_FILE
    best: Span | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            last = (node.end_lineno or node.lineno) - 1
            if first <= lo.line <= last and (best is None or first >= best.start.line):
                best = Span(Position(first, 0), Position(last, 10**6))
    return best or WHOLE_FILE


def whole_file(text: str) -> Span:
    """Every line of ``text``, as `suggest --agent` sends it."""
    return Span(Position(0, 0), Position(max(text.count("\n"), 0), 0))
