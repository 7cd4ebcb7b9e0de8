"""A commit whose database error is caught and swallowed, then the session used again.

``try: db.session.commit() except IntegrityError: continue`` in a per-row loop: the failed
flush leaves the session in a failed transaction, so the next row's ``add``/``commit`` (or any
later query of the same function) raises PendingRollbackError, a 500 for every row after the
first duplicate. Whoever removes the session at the end of the request (Flask-SQLAlchemy's
teardown, a ``with`` block) does not help within it: the handler itself must roll back. In a
Celery/RQ/dramatiq task or a thread's loop no request teardown comes at all, and the rationale
says what fails there instead (the rest of the run, the thread's later iterations).

Silent when the handler rolls back, or ends the function (re-raises, returns, aborts) and so
leaves the session to the request's teardown.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts
from .off_request import worker_kind
from .pyedits import insert_before_line
from .pysource import dotted

_DB_ERRORS = {
    "IntegrityError",
    "SQLAlchemyError",
    "DatabaseError",
    "OperationalError",
    "DBAPIError",
    "Exception",
    "BaseException",
}


def swallowed_commit(
    facts: ModuleFacts, call: ast.Call, receiver: str, rollback: str
) -> list[Suggestion]:
    found = _handler(facts, call)
    if found is None:
        return []
    try_node, handler, loop = found
    if _rolls_back(handler):
        return []
    # ``except IntegrityError: return db.scalars(select(...)).one()``: the handler itself
    # queries the failed session before the request ends.
    in_handler = any(_session_use(n, receiver) for stmt in handler.body for n in ast.walk(stmt))
    if _ends_function(handler) and not in_handler:
        return []
    if handler.body[0].lineno == handler.lineno:
        return []  # ``except IntegrityError: continue`` on one line: no line to insert before
    breaks = isinstance(handler.body[-1], ast.Break)
    after = loop if loop is not None and breaks else try_node
    func = facts.source.function_of(call)
    if func is None:
        return []
    reused = (
        in_handler
        or (loop is not None and not breaks)
        or _uses_session_after(func, after, receiver)
    )
    if not reused:
        return []
    src = facts.source
    first = handler.body[0]
    indent = src.indent_of(first.lineno - 1)
    edit = insert_before_line(src, first.lineno - 1, f"{indent}{rollback}")
    name = dotted(call.func)
    where = (
        "then queries"
        if in_handler
        else "the next iteration reuses"
        if loop is not None and not breaks
        else "the queries after it reuse"
    )
    return [
        Suggestion(
            "BKD303",
            "error-handling",
            src.path,
            src.span(call),
            f"Roll back before carrying on after {name}() fails",
            f"The handler swallows the error of `{name}()` and {where} the session, which "
            f"is still in the failed transaction: {_consequence(worker_kind(src, func, facts.up))} "
            f"`{rollback}` first thing in the handler lets the rest go on.",
            (edit,),
        )
    ]


def _consequence(worker: str | None) -> str:
    """What a session left in its failed transaction does where the code runs."""
    if worker == "task":
        return (
            "every later query of the task raises PendingRollbackError and no request "
            "teardown comes to reset it, so the rest of this run fails, and the worker's next "
            "jobs too unless something removes the session between them."
        )
    if worker == "thread":
        return (
            "every later query of the thread raises PendingRollbackError and no request "
            "teardown comes to reset it, so the rest of the thread's work fails (in a loop, "
            "every later iteration, for as long as the thread runs)."
        )
    return (
        "every later query raises PendingRollbackError (a 500) until it is rolled back, and "
        "the end-of-request teardown comes too late."
    )


def _handler(
    facts: ModuleFacts, call: ast.Call
) -> tuple[ast.Try, ast.ExceptHandler, ast.AST | None] | None:
    """The nearest ``try`` around ``call`` with a handler for a database error, that handler,
    and the loop around the ``try`` within the function (None when there is none). A ``with``
    in between (a savepoint, ``begin()``) may roll back itself: not read."""
    current: ast.AST | None = call
    child: ast.AST | None = None
    while current is not None:
        if isinstance(current, ast.With | ast.AsyncWith):
            return None
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                if _catches_db_error(handler):
                    return current, handler, _loop_around(facts, current)
            return None
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return None
        child, current = current, facts.up.get(current)
    return None


def _catches_db_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(dotted(t).rsplit(".", 1)[-1] in _DB_ERRORS for t in types)


def _loop_around(facts: ModuleFacts, node: ast.AST) -> ast.AST | None:
    current = facts.up.get(node)
    while current is not None and not isinstance(
        current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    ):
        if isinstance(current, ast.For | ast.AsyncFor | ast.While):
            return current
        current = facts.up.get(current)
    return None


def _ends_function(handler: ast.ExceptHandler) -> bool:
    """Re-raises, returns or aborts: the request ends, and its teardown removes the session."""
    for stmt in handler.body:
        if isinstance(stmt, ast.Raise | ast.Return):
            return True
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and dotted(stmt.value.func).rsplit(".", 1)[-1] in ("abort", "exit")
        ):
            return True
    return False


def _rolls_back(handler: ast.ExceptHandler) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "rollback"
        for stmt in handler.body
        for n in ast.walk(stmt)
    )


def _uses_session_after(func: ast.AST, node: ast.AST, receiver: str) -> bool:
    """The session is used on a line after ``node``."""
    end = getattr(node, "end_lineno", None) or 0
    return any(getattr(n, "lineno", 0) > end and _session_use(n, receiver) for n in ast.walk(func))


def _session_use(node: ast.AST, receiver: str) -> bool:
    """The session, or a Flask-SQLAlchemy ``Model.query`` (which runs on it)."""
    if not isinstance(node, ast.Attribute):
        return False
    text = dotted(node)
    if text == receiver or text.startswith(receiver + "."):
        return True
    return (
        receiver.endswith(".session")
        and node.attr == "query"
        and isinstance(node.value, ast.Name)
        and node.value.id[:1].isupper()
    )
