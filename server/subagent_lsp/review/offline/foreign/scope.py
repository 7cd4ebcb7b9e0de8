"""What an "Ask backend-developer" at a cursor covers in JS/TS or Go: the innermost function
around it -- and, for a handler written inline in ``app.get("/x", async (req, res) => ...)``,
the whole route statement, so the agent sees the path and the middleware too."""

from __future__ import annotations

from ....definitions.findings import Position, Span
from ..treesitter import parse

FUNCTIONS = frozenset(
    {
        "arrow_function",
        "function_expression",
        "function_declaration",
        "function",
        "method_definition",
        "method_declaration",
        "func_literal",
    }
)


def function_scope(path: str, text: str, at: Position) -> Span | None:
    tree = parse(path, text)
    if tree is None:
        return None
    best = None
    for node in tree.nodes(*FUNCTIONS):
        if node.type in FUNCTIONS and node.start_point[0] <= at.line <= node.end_point[0]:
            best = node  # document order: a later match is nested inside the earlier one
    if best is None:
        return None
    top = best
    while top.parent is not None and top.parent.type not in ("program", "source_file"):
        if top.parent.type in ("statement_block", "block", "class_body", "statement_list"):
            break
        top = top.parent
    if top.parent is not None and top.parent.type in ("program", "source_file"):
        best = top  # a handler inline in a route call: the whole statement
    first = best.start_point[0]
    previous = best.prev_named_sibling
    while (
        previous is not None
        and previous.type in ("decorator", "comment")
        and (previous.end_point[0] == first - 1)
    ):
        first = previous.start_point[0]
        previous = previous.prev_named_sibling
    return Span(Position(first, 0), Position(best.end_point[0], 10**6))
