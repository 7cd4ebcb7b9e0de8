"""The SQL text a local variable holds where a query runs it: ``sql = "SELECT ..."`` then
``sql += " ORDER BY ..."`` in the same function, then ``cur.execute(sql, params)``.

Only what always runs is read: the last plain assignment of a string before the call and the
``+=`` of strings in the same block after it. A piece appended under an ``if`` is left out (the
query runs without it too, and a condition it adds is not always there to index); any other
binding of the name (a tuple, a loop, a call's result) or a piece that is no string literal
says the text is not known, and nothing is read.
"""

from __future__ import annotations

import ast

from .pysource import Source

_Str = ast.Constant | ast.JoinedStr


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _block_of(node: ast.stmt, up: dict[ast.AST, ast.AST]) -> tuple[int, str]:
    """Which statement list a statement sits in: its parent and the field holding it."""
    parent = up.get(node)
    for name in ("body", "orelse", "finalbody", "handlers"):
        if node in getattr(parent, name, ()):
            return id(parent), name
    return id(parent), ""


def local_sql_pieces(source: Source, name: ast.Name) -> list[_Str] | None:
    """The string pieces that make up ``name`` where it is read, in order: none when the
    function binds the name in a way that says nothing of its text, None when it does not bind
    it at all (a module constant, read by the caller)."""
    func = source.function_of(name)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    up = source.up()
    at = (name.lineno, name.col_offset)
    stores = [
        n
        for n in source.nodes_of(func)
        if isinstance(n, ast.Name)
        and n.id == name.id
        and isinstance(n.ctx, ast.Store)
        and (n.lineno, n.col_offset) < at
    ]
    if not stores:
        return None
    stores.sort(key=lambda n: (n.lineno, n.col_offset))
    base: ast.Assign | None = None
    for store in reversed(stores):
        statement = up.get(store)
        if isinstance(statement, ast.Assign) and statement.targets == [store]:
            base = statement
            break
        if not isinstance(statement, ast.AugAssign):
            return []  # bound some other way (unpacked, a loop's target): not known
    if base is None or not _is_text(base.value):
        return []
    pieces: list[_Str] = [base.value]  # type: ignore[list-item]
    block = _block_of(base, up)
    for store in stores:
        statement = up.get(store)
        if not isinstance(statement, ast.AugAssign) or statement.lineno <= base.lineno:
            continue
        if not isinstance(statement.op, ast.Add):
            return []
        if _block_of(statement, up) != block:
            continue  # appended only on some runs
        if not _is_text(statement.value):
            return []
        pieces.append(statement.value)  # type: ignore[arg-type]
    return pieces
