"""A Flask conversion written inline, as a call's argument (``Row.create(count=int(
request.form["count"]))``): its guard goes before the statement and binds a local, which then
takes the conversion's place. ``.get(key, type=int)`` inline would hand the write a None for a
bad value where a 400 was meant.

Each conversion of a statement is its own suggestion, and they compose: each inserts its own
lines before the statement and replaces only its own call, under the key's name (skipped when
that name is taken in the function, or the statement converts the key twice)."""

from __future__ import annotations

import ast
import keyword

from ..suggestion import Edit
from .pyedits import insert_before_line
from .pysource import Source

# Between the conversion and its statement, any of these runs it conditionally or many times:
# hoisted, it would run always and once (``a or int(...)``, a comprehension, a lambda).
_DEFERRING = (ast.IfExp, ast.BoolOp, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp)
_DEFERRING_TOO = (ast.GeneratorExp,)
_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)


def free_local(func: ast.AST, key: str) -> str | None:
    """The key as a new local's name, when it is one and the function uses no such name."""
    if not key.isidentifier() or keyword.iskeyword(key):
        return None
    names = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)}
    names |= {a.arg for a in ast.walk(func) if isinstance(a, ast.arg)}
    return None if key in names else key


def hoisted_guard(
    src: Source,
    up: dict[ast.AST, ast.AST],
    func: ast.AST,
    call: ast.Call,
    stmt: ast.stmt | None,
    key: str,
    read: str,
    answer: str,
) -> list[Edit] | None:
    """The edits that check ``call`` (a conversion of the client's ``key``; ``read``: the
    checked read, ``request.form.get("count", type=int)``) in a new local before ``stmt`` and
    use the local in its place; None where hoisting would change when it runs or the name is
    taken."""
    if not isinstance(stmt, _SIMPLE) or getattr(stmt, "value", None) is call:
        return None  # the plain statement shapes have fixes of their own
    if len(src.indent_of(stmt.lineno - 1)) != stmt.col_offset:
        return None  # shares its line with another statement (``if x: f(int(...))``)
    current = up.get(call)
    while current is not None and current is not stmt:
        if isinstance(current, _DEFERRING + _DEFERRING_TOO):
            return None
        current = up.get(current)
    var = free_local(func, key)
    if (
        var is None
        or sum(isinstance(n, ast.Constant) and n.value == key for n in ast.walk(stmt)) > 1
    ):
        return None
    indent = src.indent_of(stmt.lineno - 1)
    guard = f"{indent}{var} = {read}\n{indent}if {var} is None:\n{indent}    {answer}"
    return [insert_before_line(src, stmt.lineno - 1, guard), Edit(src.path, src.span(call), var)]
