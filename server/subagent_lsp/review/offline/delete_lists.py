"""BKD326: ``session.delete(rows)`` where ``rows`` is a list, which SQLAlchemy refuses.

A real app's account deletion (bookstore-flask, round 36) did ``userBooks = UserBookModel.query
.filter_by(user_id=user.id).all()`` and then ``DB.session.delete(userBooks)``: ``Session.delete``
takes one mapped instance, and a list raises ``UnmappedInstanceError`` ("Class 'builtins.list'
is not mapped"), so every user who owned a book got a 500 and kept the account. The name counts
when every binding of it in the function before the call makes a list: a query's ``.all()``
(``Model.query...``, ``session.query(...)``, ``session.scalars(...)``), a list comprehension or
display, ``list(...)`` / ``sorted(...)``; the argument may be written inline too. The receiver
is a session by its name (``db.session``, ``session``) or a parameter typed ``Session``, in a
project that declares SQLAlchemy.

The fix deletes each row in a loop, which keeps the ORM's cascades (a bulk ``query.delete()``
would skip them and the session's own bookkeeping).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, caught
from .pyedits import replace_statement
from .pysource import dotted, every_node, single_binding
from .row_uses import short

CODE = "BKD326"

# What catches UnmappedInstanceError (an InvalidRequestError, a SQLAlchemyError).
_CATCHES = {"UnmappedInstanceError", "UnmappedError", "InvalidRequestError", "SQLAlchemyError"}
_ORMS = ("sqlalchemy", "flask_sqlalchemy", "sqlmodel")
# The query steps whose ``.all()`` is a list of rows.
_QUERIES = frozenset({"query", "scalars", "execute", "filter", "filter_by", "where", "order_by"})


def delete_list_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if ".delete(" not in facts.source.text or not any(facts.can_import(p) for p in _ORMS):
        return []
    out: list[Suggestion] = []
    for call in facts.source.of(ast.Call):
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr == "delete"
            and len(call.args) == 1
            and not call.keywords
        ):
            continue
        where = facts.source.function_of(call)
        if not isinstance(where, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not _session(func.value, where):
            continue
        made = _list_made(call.args[0], where, call.lineno)
        if made is None:
            continue
        found = _suggestion(facts, call, where, made)
        if found is not None:
            out.append(found)
    return out


def _session(node: ast.expr, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``db.session`` / ``session`` / ``self.session``, or a parameter typed ``Session``
    (FastAPI's ``db: Session = Depends(get_db)``)."""
    written = dotted(node)
    if "session" in written.rsplit(".", 1)[-1].lower():
        return True
    if not isinstance(node, ast.Name):
        return False
    for arg in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]:
        if arg.arg == node.id and arg.annotation is not None:
            return dotted(arg.annotation).rsplit(".", 1)[-1] in ("Session", "AsyncSession")
    return False


def _list_made(
    arg: ast.expr, func: ast.FunctionDef | ast.AsyncFunctionDef, line: int
) -> ast.expr | None:
    """The expression that makes ``arg``'s list: ``arg`` itself, or the last value bound to the
    name before ``line`` when every binding of it in the function makes a list (a loop, an
    unpacking, a ``with ... as`` or a parameter binds a value not read here)."""
    if not isinstance(arg, ast.Name):
        return arg if _makes_list(arg) else None
    if arg.id in {a.arg for a in every_node(func.args) if isinstance(a, ast.arg)}:
        return None
    plain: dict[int, ast.expr] = {}
    before: list[ast.expr] = []
    for node in every_node(func):
        if isinstance(node, ast.Assign | ast.AnnAssign) and single_binding(node) == arg.id:
            assert node.value is not None
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            plain[id(target)] = node.value
            if node.lineno < line:
                before.append(node.value)
    if any(
        isinstance(node, ast.Name)
        and node.id == arg.id
        and not isinstance(node.ctx, ast.Load)
        and id(node) not in plain
        for node in every_node(func)
    ):
        return None
    if not before or not all(_makes_list(v) for v in plain.values()):
        return None
    return max(before, key=lambda v: v.lineno)


def _makes_list(node: ast.expr) -> bool:
    if isinstance(node, ast.ListComp | ast.List):
        return True
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Name) and node.func.id in ("list", "sorted"):
        return len(node.args) == 1
    if not (isinstance(node.func, ast.Attribute) and node.func.attr == "all") or node.args:
        return False
    chain: ast.expr = node.func.value
    while isinstance(chain, ast.Call | ast.Attribute | ast.Await):
        if isinstance(chain, ast.Attribute) and chain.attr in _QUERIES:
            return True
        # ``(await session.scalars(select(Item))).all()`` too
        chain = chain.func if isinstance(chain, ast.Call) else chain.value
    return False


def _suggestion(
    facts: ModuleFacts,
    call: ast.Call,
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    made: ast.expr,
) -> Suggestion | None:
    src = facts.source
    parent = facts.up.get(call)
    awaited = isinstance(parent, ast.Await)
    stmt = facts.up.get(parent) if awaited and parent is not None else parent
    if not isinstance(stmt, ast.Expr) or stmt.lineno != stmt.end_lineno:
        return None
    arg = call.args[0]
    assert isinstance(call.func, ast.Attribute)
    receiver = src.text_of(call.func.value)
    row = _loop_name(func, arg)
    indent = src.indent_of(stmt.lineno - 1)
    text = (
        f"{indent}for {row} in {src.text_of(arg)}:\n"
        f"{indent}    {'await ' if awaited else ''}{receiver}.delete({row})"
    )
    listed = src.text_of(arg)
    origin = "" if made is arg else f" (`{short(src.text_of(made))}`)"
    if caught(call, facts.up, _CATCHES | {"Exception", "BaseException"}):
        outcome = "the `except` around it takes the error, and the rows are never deleted"
    else:
        outcome = "a 500, and nothing is deleted"
    why = (
        f"`{listed}` is a list{origin}, and `{receiver}.delete()` takes one mapped instance: "
        f"a list raises SQLAlchemy's UnmappedInstanceError (\"Class 'builtins.list' is not "
        f"mapped\"): {outcome}. Deleting each row in a loop keeps the ORM's cascades."
    )
    if isinstance(arg, ast.Name):
        title = f"Delete the rows of `{arg.id}` one by one"
    else:
        title = "Delete the list's rows one by one"
    edit = replace_statement(src, stmt, text)
    return Suggestion(CODE, "error-handling", src.path, src.span(call), title, why, (edit,))


def _loop_name(func: ast.AST, arg: ast.expr) -> str:
    """``userBooks`` -> ``userBook``, ``entries`` -> ``entry``; ``row`` when that name is taken
    in the function or the list has no plural name."""
    used = {n.id for n in every_node(func) if isinstance(n, ast.Name)}
    used |= {a.arg for a in every_node(func) if isinstance(a, ast.arg)}
    candidates = []
    if isinstance(arg, ast.Name):
        name = arg.id
        if name.endswith("ies") and len(name) > 4:
            candidates.append(name[:-3] + "y")
        elif name.endswith("s") and not name.endswith("ss") and len(name) > 2:
            candidates.append(name[:-1])
    candidates += ["row", "instance", "obj"]
    return next((c for c in candidates if c not in used), "row_")
