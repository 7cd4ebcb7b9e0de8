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

A DB-API connection (sqlite3, psycopg, PyMySQL: ``get_db()`` in ``flask.g``) counts too: a
commit that fails ("database is locked") leaves its transaction open, so the reads after it see
writes that were never saved, and the connection's close at teardown throws them away, after a
success answer has told the client otherwise.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts
from .off_request import worker_kind
from .pyedits import insert_before_line
from .pysource import dotted, imported_names
from .row_uses import short

# DB-API drivers: their connections' ``commit()`` raises the driver's own errors.
DBAPI_DRIVERS = frozenset(
    {"sqlite3", "psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql", "oracledb", "pyodbc"}
)
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
    facts: ModuleFacts, call: ast.Call, receiver: str, rollback: str, dbapi: bool = False
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
    if dbapi:
        answer = _success_after(facts, try_node)
        told = f", after `{short(answer)}` has told the client it was saved" if answer else ""
        why = (
            f"The handler swallows the error of `{name}()` and {where} the connection, whose "
            "transaction is still open: they see writes that were never committed, and closing "
            f"the connection at the end of the request throws them away{told}. `{rollback}` "
            "first thing in the handler ends the failed transaction (then answer with an error "
            "status rather than carry on)."
        )
    else:
        why = (
            f"The handler swallows the error of `{name}()` and {where} the session, which "
            f"is still in the failed transaction: {_consequence(worker_kind(src, func, facts.up))} "
            f"`{rollback}` first thing in the handler lets the rest go on."
        )
    return [
        Suggestion(
            "BKD303",
            "error-handling",
            src.path,
            src.span(call),
            f"Roll back before carrying on after {name}() fails",
            why,
            (edit,),
        )
    ]


def dbapi_connection(facts: ModuleFacts, call: ast.Call, receiver: str) -> bool:
    """``receiver`` is a DB-API connection: this module imports a driver (``import sqlite3``),
    or the function bound it from a project helper whose module does (``db = get_db()``)."""
    if any(v.split(".")[0] in DBAPI_DRIVERS for v in facts.imports.values()):
        return True
    func = facts.source.function_of(call)
    if func is None or facts.upstream is None:
        return False
    for node in facts.source.nodes_of(func):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        if not any(dotted(t) == receiver for t in node.targets):
            continue
        found = facts.upstream.resolve(facts.source, node.value.func)
        if found is not None and any(
            v.split(".")[0] in DBAPI_DRIVERS for v in imported_names(found[0]).values()
        ):
            return True
    return False


def _success_after(facts: ModuleFacts, try_node: ast.Try) -> str | None:
    """The ``return`` that follows the ``try`` in its block when it answers no error status
    (``return jsonify(dict(row)), 201``): the success the swallowed failure falls through to."""
    parent = facts.up.get(try_node)
    body = next((b for f in ("body", "orelse") if try_node in (b := getattr(parent, f, []))), None)
    if body is None:
        return None
    for stmt in body[body.index(try_node) + 1 :]:
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            text = facts.source.text_of(stmt)
            statuses = [
                n.value
                for n in ast.walk(stmt)
                if isinstance(n, ast.Constant) and isinstance(n.value, int)
            ]
            return None if any(400 <= c < 600 for c in statuses) else text
    return None


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
    # ``sqlite3.Error`` / ``psycopg2.Error``: a driver's base error, by its module's name.
    return any(
        dotted(t).rsplit(".", 1)[-1] in _DB_ERRORS
        or (dotted(t).endswith(".Error") and dotted(t).split(".")[0] in DBAPI_DRIVERS)
        for t in types
    )


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


# ``db.session.remove()`` / ``session.close()`` end the failed transaction too: the next use
# starts a new session (a ``rollback()`` added before a ``remove()`` was judged redundant).
_ENDS_TRANSACTION = frozenset({"rollback", "remove", "close"})


def _rolls_back(handler: ast.ExceptHandler) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _ENDS_TRANSACTION
        and (n.func.attr == "rollback" or _session_or_connection(n.func.value))
        for stmt in handler.body
        for n in ast.walk(stmt)
    )


def _session_or_connection(node: ast.expr) -> bool:
    last = dotted(node).rsplit(".", 1)[-1].lower()
    return "session" in last or "conn" in last or last == "db"


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
