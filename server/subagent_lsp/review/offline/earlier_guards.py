"""A check the function has already made before a read: ``if not request.POST.get("query"):
return HttpResponseBadRequest(...)`` four lines above ``request.POST["query"]``, ``if not
qs.exists(): raise Http404`` above ``qs.first()``, or the read under ``if qs.exists():``.
Judged noise on a real app (round 24) when the tool proposed the same check again.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from .pysource import FUNCTIONS

Test = Callable[[ast.expr], bool]


def refused_before(node: ast.AST, up: dict[ast.AST, ast.AST], refuses: Test) -> bool:
    """An ``if`` that runs before ``node`` on its way (a preceding statement of ``node``'s
    block or of a block around it) whose test ``refuses`` and whose body leaves the function
    (ends in ``return``, ``raise`` or Flask's ``abort(...)``)."""
    return any(
        isinstance(stmt, ast.If)
        and stmt.body
        and leaves(stmt.body[-1])
        and _any_part(stmt.test, refuses)
        for stmt in preceding(node, up)
    )


def preceding(node: ast.AST, up: dict[ast.AST, ast.AST]) -> Iterator[ast.stmt]:
    """The statements that run before ``node`` on its way: those ahead of it in its block and
    in each block around it, up to its function."""
    child: ast.AST = node
    current = up.get(node)
    while current is not None and not isinstance(child, FUNCTIONS):
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(current, field, None)
            if isinstance(block, list) and child in block:
                yield from block[: block.index(child)]
        child, current = current, up.get(current)


def leaves(stmt: ast.stmt) -> bool:
    """``return`` / ``raise``, or ``abort(404)`` (which raises HTTPException)."""
    if isinstance(stmt, ast.Return | ast.Raise):
        return True
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return False
    func = stmt.value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "abort"


def inside_if(node: ast.AST, up: dict[ast.AST, ast.AST], holds: Test) -> bool:
    """``node`` sits in the body of an ``if`` whose test (or one ``and`` part of it) holds."""
    child: ast.AST = node
    current = up.get(node)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.If) and child in current.body:
            test = current.test
            parts = (
                test.values
                if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)
                else [test]
            )
            if any(holds(p) for p in parts):
                return True
        child, current = current, up.get(current)
    return False


def _any_part(test: ast.expr, refuses: Test) -> bool:
    """``if not a or not b: return``: either part refusing leaves the function."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return any(refuses(v) for v in test.values)
    return refuses(test)


def negated(test: ast.expr) -> ast.expr | None:
    """``not x`` -> x."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return test.operand
    return None
