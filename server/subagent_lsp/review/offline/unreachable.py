"""The lines no run reaches: the statements after a ``return``, ``raise``, ``continue`` or
``break`` in the same block. Advice there changes nothing (a real Flask-RESTful resource kept
three lines of an older body after its ``return``; a guard of its JSON body there was judged
noise), so no rule's suggestion is anchored in them.
"""

from __future__ import annotations

import ast

from .pysource import TRIES, Source

_LEAVES = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_BLOCKS = ("body", "orelse", "finalbody")
# The node types that can hold a block (a ``Match`` holds its cases'), read off the running
# Python's ``ast``: the walk tests these, not every node of the file.
_HOLDERS = tuple(
    sorted(
        {
            kind
            for kind in vars(ast).values()
            if isinstance(kind, type)
            and issubclass(kind, ast.AST)
            and set(kind._fields) & set(_BLOCKS)
        }
        | {ast.Match},
        key=lambda kind: kind.__name__,
    )
)


def unreachable_lines(source: Source) -> list[range]:
    """0-based line ranges of the statements after a block's first ``return`` / ``raise`` /
    ``continue`` / ``break``."""
    out: list[range] = []
    holders: list[ast.AST] = source.of(_HOLDERS)  # type: ignore[arg-type]
    for node in holders:
        blocks = [getattr(node, f, None) for f in _BLOCKS]
        if isinstance(node, TRIES):
            blocks += [h.body for h in node.handlers]
        if isinstance(node, ast.Match):
            blocks += [c.body for c in node.cases]
        for block in blocks:
            if not isinstance(block, list) or not block or not isinstance(block[0], ast.stmt):
                continue
            for i, stmt in enumerate(block[:-1]):
                if isinstance(stmt, _LEAVES):
                    after = block[i + 1]
                    last = block[-1]
                    first = min([after.lineno, *(d.lineno for d in _decorators(after))])
                    out.append(range(first - 1, last.end_lineno or last.lineno))
                    break
    return out


def _decorators(stmt: ast.stmt) -> list[ast.expr]:
    return list(getattr(stmt, "decorator_list", []))
