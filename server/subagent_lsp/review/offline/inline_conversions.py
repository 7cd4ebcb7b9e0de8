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
from .pyedits import insert_before_line, replace_statement
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
    local: str | None = None,
) -> list[Edit] | None:
    """The edits that check ``call`` (a conversion of the client's ``key``; ``read``: the
    checked read, ``request.form.get("count", type=int)``) in a new local before ``stmt`` and
    use the local in its place; None where hoisting would change when it runs or the name is
    taken. ``local``: the conversion's argument is a local bound to the read earlier
    (``uid = request.args.get("uid")``, then ``User.query.get(int(uid))``): the guard binds
    that local again, checked, where no later use of it relies on its being text."""
    if not isinstance(stmt, _SIMPLE) or getattr(stmt, "value", None) is call:
        return None  # the plain statement shapes have fixes of their own
    if len(src.indent_of(stmt.lineno - 1)) != stmt.col_offset:
        return None  # shares its line with another statement (``if x: f(int(...))``)
    current = up.get(call)
    while current is not None and current is not stmt:
        if isinstance(current, _DEFERRING + _DEFERRING_TOO):
            return None
        current = up.get(current)
    var = free_local(func, key) if local is None else _rebound(func, call, stmt, local)
    if (
        var is None
        or sum(isinstance(n, ast.Constant) and n.value == key for n in ast.walk(stmt)) > 1
    ):
        return None
    binding = _binding_beside(func, stmt, local) if local is not None else None
    at = binding if binding is not None else stmt
    indent = src.indent_of(at.lineno - 1)
    guard = f"{indent}{var} = {read}\n{indent}if {var} is None:\n{indent}    {answer}"
    use = Edit(src.path, src.span(call), var)
    if binding is not None:
        # the read itself takes ``type=``: the request is read once, checked where it is
        return [replace_statement(src, binding, guard), use]
    return [insert_before_line(src, stmt.lineno - 1, guard), use]


def _binding_beside(func: ast.AST, stmt: ast.stmt, local: str) -> ast.stmt | None:
    """The one ``local = ...`` of ``func`` when it sits in ``stmt``'s block, before it, with
    nothing between them reading the local (so checking it there answers alike)."""
    for node in ast.walk(func):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list) or stmt not in block:
                continue
            before = block[: block.index(stmt)]
            bound = [
                s
                for s in before
                if isinstance(s, ast.Assign)
                and len(s.targets) == 1
                and isinstance(s.targets[0], ast.Name)
                and s.targets[0].id == local
            ]
            if len(bound) != 1:
                return None
            after = before[before.index(bound[0]) + 1 :]
            if any(isinstance(n, ast.Name) and n.id == local for s in after for n in ast.walk(s)):
                return None
            return bound[0]
    return None


def _rebound(func: ast.AST, call: ast.Call, stmt: ast.stmt, local: str) -> str | None:
    """``local`` when ``call`` converts it and nothing after ``stmt`` uses it as text: a
    ``+``, an f-string, a method call (``uid.strip()``) would meet the int the guard binds."""
    arg = call.args[0] if call.args else None
    if not (isinstance(arg, ast.Name) and arg.id == local):
        return None
    if sum(isinstance(n, ast.Name) and n.id == local for n in ast.walk(stmt)) != 1:
        return None
    end = stmt.end_lineno or stmt.lineno
    parents = {id(c): p for p in ast.walk(func) for c in ast.iter_child_nodes(p)}
    for node in ast.walk(func):
        if not (isinstance(node, ast.Name) and node.id == local and node.lineno > end):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.BinOp | ast.FormattedValue | ast.Attribute | ast.Compare):
            return None
    return local
