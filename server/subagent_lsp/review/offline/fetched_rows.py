"""A DB-API ``fetchone()`` keyed by what the client sent, used as if a row came back.

``pickup = db.execute("SELECT ... WHERE id = ?", (pickup_id,)).fetchone()`` then
``pickup["status"]`` in a Flask route: an unknown id gives None, and the subscript raises
TypeError, a 500 where the client asked for a row that is not there (a 404). The same for
``cur.execute(sql, params)`` then ``row = cur.fetchone()`` (sqlite3, psycopg, PyMySQL alike).

Only a literal SELECT that may match nothing counts: ``SELECT COUNT(*) ...`` always gives a
row. The fix is the module's own answer to a missing ``fetchone()`` row where it has one
(``if row is None: abort(404)`` elsewhere in the file), else the route's idiom.
"""

from __future__ import annotations

import ast
import itertools

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route, caught
from .helper_rows import keyed_by_client
from .pyedits import ensure_imports, insert_before_line
from .pysource import dotted
from .row_guards import missing_test
from .row_uses import app_catches, missing_row, read_unchecked, short
from .sql import may_match_nothing

_CAUGHT = {"TypeError", "HTTPException", "NotFound"}


def fetchone_suggestions(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    if route.framework not in ("flask", "fastapi") or not route.answers:
        return []
    execute = _execute_of(facts, call)
    if execute is None:
        return []
    sql = execute.args[0] if execute.args else None
    if not (isinstance(sql, ast.Constant) and isinstance(sql.value, str)):
        return []
    assign = facts.up.get(call)
    if not (
        isinstance(assign, ast.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0], ast.Name)
    ):
        return []
    if caught(call, facts.up, _CAUGHT) or app_catches(facts, _CAUGHT):
        return []
    if not keyed_by_client(execute, route):
        return []  # ``WHERE id = ?`` of ``cur.lastrowid``: the row the route has just written
    name = assign.targets[0].id
    used = read_unchecked(
        facts, route.func, name, assign.end_lineno or 0, helpers=True, copies=True
    )
    if used is None:
        return []
    # last: sqlglot's parse is the dearest check, and most fetchone() rows are checked
    if not may_match_nothing(sql.value):
        return []  # an aggregate, a SELECT with no FROM: there is always a row
    src = facts.source
    found = _module_answer(facts, call)
    if found is not None:
        test, answer = found
        needed: list[tuple[str, str]] = []
        fix = f"The module's own answer to a missing row, `if {test.format(name=name)}: {answer}`"
    else:
        test, answer, needed = "{name} is None", *route_answer(facts, route)
        fix = f"`if {name} is None: {answer}`"
    line = assign.end_lineno or assign.lineno
    indent = src.indent_of(assign.lineno - 1)
    check = f"{indent}if {test.format(name=name)}:\n{indent}    {answer}"
    edits = [*ensure_imports(src, needed), insert_before_line(src, line, check)]
    return missing_row(
        src,
        call,
        "Answer 404 when fetchone() finds no row",
        f"`{short(src.text_of(call))}` gives None when no row matches the key the client "
        f"sent, and `{used}` then raises TypeError: a 500 where the client asked for a row "
        f"that is not there. {fix} after it, answers 404 instead.",
        tuple(edits),
    )


def _execute_of(facts: ModuleFacts, call: ast.Call) -> ast.Call | None:
    """The ``execute(sql, ...)`` whose row ``call`` (a bare ``.fetchone()``) fetches: chained
    (``db.execute(...).fetchone()``), or the last ``cur.execute(...)`` before it in the same
    function on the same cursor."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "fetchone":
        return None
    if call.args or call.keywords:
        return None
    receiver = func.value
    if _is_execute(receiver):
        assert isinstance(receiver, ast.Call)
        return receiver
    cursor = dotted(receiver)
    scope = facts.source.function_of(call)
    if not cursor or scope is None:
        return None
    before = [
        n
        for n in facts.source.nodes_of(scope)
        if isinstance(n, ast.Call)
        and _is_execute(n)
        and dotted(n.func.value) == cursor  # type: ignore[attr-defined]
        and n.lineno < call.lineno
    ]
    return max(before, key=lambda n: n.lineno) if before else None


def _is_execute(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "execute"
        and bool(node.args)
    )


def _module_answer(facts: ModuleFacts, call: ast.Call) -> tuple[str, str] | None:
    """``row = ....fetchone()`` then ``if row is None: abort(404)`` elsewhere in this module:
    its test (a template for another name) and its one-line answer."""
    for node in facts.source.walk():
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for stmt, following in itertools.pairwise(body):
            if not (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.value, ast.Call)
                and stmt.value is not call
                and isinstance(stmt.value.func, ast.Attribute)
                and stmt.value.func.attr == "fetchone"
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(following, ast.If)
                and len(following.body) == 1
                and not following.orelse
            ):
                continue
            test = missing_test(following.test, stmt.targets[0].id)
            answer = following.body[0]
            text = facts.source.text_of(answer)
            if test is None or "\n" in text or not _answers(answer):
                continue
            if "404" in text:
                return test, text
    return None


def _answers(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Raise | ast.Return) or (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and dotted(stmt.value.func).rsplit(".", 1)[-1] == "abort"
    )


def route_answer(facts: ModuleFacts, route: Route) -> tuple[str, list[tuple[str, str]]]:
    if route.framework == "fastapi":
        return 'raise HTTPException(status_code=404, detail="not found")', [
            ("fastapi", "HTTPException")
        ]
    if facts.imports.get("abort") == "flask.abort":
        return "abort(404)", []
    return "abort(404)", [("flask", "abort")]
