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
import re

from ..suggestion import Suggestion
from .earlier_guards import inside_if, preceding, refused_before
from .frameworks import ModuleFacts, Route, caught
from .helper_rows import keyed_by_client
from .pyedits import ensure_imports, insert_before_line, replace_node
from .pysource import TRIES, dotted
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
    indexed = _indexed(facts, call)
    if indexed is None and not (
        isinstance(assign, ast.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0], ast.Name)
    ):
        return []
    if caught(call, facts.up, _CAUGHT) or app_catches(facts, _CAUGHT):
        return []
    if not keyed_by_client(execute, route):
        return []  # ``WHERE id = ?`` of ``cur.lastrowid``: the row the route has just written
    if fetch_proven(facts, call, execute):
        return []  # inserted just before, or an earlier fetch by the same key was checked
    if indexed is not None:
        used: str | None = f"{_tail(facts, call)}[...]"
        assign, free = indexed, _free_name(facts, call)
        if free is None:
            return []
        name = free
    else:
        assert isinstance(assign, ast.Assign) and isinstance(assign.targets[0], ast.Name)
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
    if indexed is not None:
        # ``uid = cur.fetchone()[0]``: the row gets a name, tested before the index.
        fetched = f"{indent}{name} = {src.text_of(call)}\n{check}"
        row_edits = [insert_before_line(src, assign.lineno - 1, fetched)]
        row_edits.append(replace_node(src, call, name))
    else:
        row_edits = [insert_before_line(src, line, check)]
    edits = [*ensure_imports(src, needed), *row_edits]
    return missing_row(
        src,
        call,
        "Answer 404 when fetchone() finds no row",
        f"`{short(src.text_of(call))}` gives None when no row matches the key the client "
        f"sent, and `{used}` then raises TypeError: a 500 where the client asked for a row "
        f"that is not there. {fix} after it, answers 404 instead.",
        tuple(edits),
    )


def _indexed(facts: ModuleFacts, call: ast.Call) -> ast.stmt | None:
    """``uid = cur.fetchone()[0]`` / ``return db.execute(...).fetchone()[0]``: the row
    indexed where it is fetched, a TypeError on None; the one-line statement it sits in."""
    sub = facts.up.get(call)
    stmt = facts.up.get(sub) if isinstance(sub, ast.Subscript) and sub.value is call else None
    if not isinstance(stmt, ast.Assign | ast.Return | ast.Expr) or stmt.value is not sub:
        return None
    if not stmt.lineno == call.lineno == stmt.end_lineno:
        return None
    # ``if ok: uid = cur.fetchone()[0]``: a line inserted above would run outside the branch
    starts_line = not facts.source.lines[stmt.lineno - 1][: stmt.col_offset].strip()
    return stmt if starts_line else None


def _tail(facts: ModuleFacts, call: ast.Call) -> str:
    return "fetchone()" if _is_execute(call.func.value) else facts.source.text_of(call)  # type: ignore[attr-defined]


def _free_name(facts: ModuleFacts, call: ast.Call) -> str | None:
    scope = facts.source.function_of(call)
    nodes = list(ast.walk(scope)) if scope else []
    taken = {n.id for n in nodes if isinstance(n, ast.Name)}
    taken |= {n.arg for n in nodes if isinstance(n, ast.arg)}
    return next((n for n in ("row", "found_row", "fetched_row", "db_row") if n not in taken), None)


def _table(sql: str, verb: str) -> str | None:
    """The table of ``SELECT ... FROM posts`` / ``INSERT INTO posts``, lower-cased."""
    pattern = (
        r"\bFROM\s+(\w+)" if verb == "select" else r"^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(\w+)"
    )
    found = re.search(pattern, sql, re.IGNORECASE)
    return found.group(1).lower() if found else None


def _params(execute: ast.Call) -> set[str]:
    """The values an ``execute(sql, params)`` binds, as written."""
    if len(execute.args) < 2:
        return set()
    given = execute.args[1]
    items = given.elts if isinstance(given, ast.Tuple | ast.List) else [given]
    return {ast.unparse(_bare(i)) for i in items}


def _bare(node: ast.expr) -> ast.expr:
    """``(urlID)`` is urlID already; ``str(urlID)`` is read as urlID."""
    if isinstance(node, ast.Call) and dotted(node.func) == "str" and len(node.args) == 1:
        return node.args[0]
    return node


def fetch_proven(facts: ModuleFacts, call: ast.Call, execute: ast.Call) -> bool:
    """The row ``call`` fetches is there: the function inserted it just before with the same
    values (``INSERT INTO users (name) VALUES (?)`` of ``(name,)``, then ``SELECT ... WHERE
    name = ?``), or an earlier fetch from the table was checked for the key (flaskBlog's
    ``if str(urlID) in posts:`` of ``posts = str(cursor.fetchall())``, or ``if row is None:
    abort(404)``) and ``call`` runs only when it held (judged noise on real apps)."""
    sql = execute.args[0] if execute.args else None
    if not (isinstance(sql, ast.Constant) and isinstance(sql.value, str)):
        return False
    table, keys = _table(sql.value, "select"), _params(execute)
    if table is None or not keys:
        return False
    before = list(preceding(call, facts.up))
    for node in (n for stmt in before for n in _always_run(stmt)):
        if isinstance(node, ast.Call) and _is_execute(node) and node is not execute:
            written = node.args[0]
            if not (isinstance(written, ast.Constant) and isinstance(written.value, str)):
                continue
            if _table(written.value, "insert") == table and keys <= _params(node):
                return True
    fetched = {  # names bound to an earlier fetch of the table by the same key, or all rows
        t.id
        for stmt in before
        for n in ast.walk(stmt)
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name) and _fetches(facts, n.value, table, keys)
    }
    if not fetched:
        return False

    def holds(test: ast.expr) -> bool:  # ``str(urlID) in posts`` / ``if row:``
        if isinstance(test, ast.Name):
            return test.id in fetched
        return (
            isinstance(test, ast.Compare)
            and isinstance(test.ops[0], ast.In)
            and ast.unparse(_bare(test.left)) in keys
            and any(isinstance(n, ast.Name) and n.id in fetched for n in ast.walk(test))
        )

    def refuses(test: ast.expr) -> bool:
        return any(missing_test(test, name) for name in fetched) or (
            isinstance(test, ast.Compare)
            and isinstance(test.ops[0], ast.NotIn)
            and holds(ast.Compare(test.left, [ast.In()], test.comparators))
        )

    return inside_if(call, facts.up, holds) or refused_before(call, facts.up, refuses)


def _always_run(stmt: ast.stmt) -> list[ast.AST]:
    """What runs whenever ``stmt`` does: not a branch, a loop's body, a ``try`` that may have
    failed, or a nested def (an INSERT there does not prove the row is there); a ``with``
    block runs."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, ast.If | ast.While):
            stack.append(node.test)
        elif isinstance(node, ast.For | ast.AsyncFor):
            stack.append(node.iter)
        elif isinstance(node, TRIES):
            stack.extend(node.finalbody)
        elif not isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
        ):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _fetches(facts: ModuleFacts, value: ast.expr, table: str, keys: set[str]) -> bool:
    """``value`` holds a ``fetchone()`` / ``fetchall()`` of a SELECT from ``table``, keyed
    by ``keys`` or (for ``fetchall()``) by nothing (``select urlID from posts``)."""
    for node in ast.walk(value):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("fetchone", "fetchall")
        ):
            continue
        one = node.func.attr == "fetchone"
        execute = _execute_of(facts, node, node.func.attr)
        sql = execute.args[0] if execute is not None else None
        if not (isinstance(sql, ast.Constant) and isinstance(sql.value, str)):
            continue
        if execute is None or _table(sql.value, "select") != table:
            continue
        given = _params(execute)
        if given == keys or (not one and not given):
            return True
    return False


def _execute_of(facts: ModuleFacts, call: ast.Call, fetch: str = "fetchone") -> ast.Call | None:
    """The ``execute(sql, ...)`` whose row ``call`` (a bare ``.fetchone()``) fetches: chained
    (``db.execute(...).fetchone()``), or the last ``cur.execute(...)`` before it in the same
    function on the same cursor."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != fetch:
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
