"""BKD315: a route makes a row whose unique column holds the client's value and commits with no
answer for a duplicate: a second sign-up with the same e-mail is an IntegrityError, a 500,
where the client deserves a 409 that says the value is taken.

Read in FastAPI and Flask routes over SQLAlchemy: ``Customer(email=payload.email.lower())``
(a keyword whose value reads what the client sent, trimmed or recased on the way), or
``Customer(**payload.model_dump())`` of a body model that has the field; then the session's
commit further down the route. Only for a column unique in the schema (``unique=True``, a
``UniqueConstraint`` of it alone) that is no primary key. A route with no such create of its
own may hand the body to a CRUD function that makes it (helper_creates): the fix is then at
the route's call.

Silent in a view that answers pages (its form reports a taken value itself, and a JSON 409
is no answer there), when the commit is caught (IntegrityError, SQLAlchemyError or broader),
when the route looks the value up first (any query by the column, or a call named for it, as
``get_user_by_email``), when an app-wide handler answers IntegrityError, and where BKD314 (an
update mirroring its create) already speaks. The fix catches IntegrityError around the commit,
rolls the session back and answers 409 the way the route answers errors: FastAPI's
``HTTPException`` (with the module's ``status`` names), Flask's ``abort`` where the module uses
it, else a JSON 409.
"""

from __future__ import annotations

import ast
import os

from ..suggestion import Suggestion
from .create_reads import (
    CAUGHT,
    bindings,
    commit_after,
    dumped_name,
    looked_up,
    model_fields,
    sent_as_is,
    unique,
)
from .flask_answers import json_error
from .frameworks import ModuleFacts, Route, enclosing_statement
from .helper_creates import HelperCreate, helper_create
from .html_answers import answers_browser
from .passed_rows import added, handed_on, made_rows
from .pyedits import LINE_LENGTH, ensure_imports, wrap_in_try
from .pysource import bound_as, dotted
from .schema import Schema, Table
from .try_blocks import caught

CODE = "BKD315"


def duplicate_create_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    schema = facts.schema
    if schema is None or not ({"fastapi", "flask"} & facts.frameworks):
        return []
    if facts.handled_by_app({"IntegrityError", "SQLAlchemyError"}) or facts.middleware_catches:
        return []
    out: list[Suggestion] = []
    for route in facts.routes:
        if route.framework not in ("fastapi", "flask") or not route.answers:
            continue
        if answers_browser(facts, route):
            # A page's form answers a duplicate with its own errors (a WTForms
            # ``validate_<column>``, a flash and the form again): a JSON 409 there is no
            # answer (judged on a real app); what is left is a race of two submits.
            continue
        found = _unanswered_create(facts, route, schema)
        if found is not None:
            out.append(found)
    return out


def _unanswered_create(facts: ModuleFacts, route: Route, schema: Schema) -> Suggestion | None:
    func = route.func
    for node in facts.source.nodes_of(func):
        if not isinstance(node, ast.Call) or not node.keywords:
            continue  # a row made with no keywords writes no column by name
        called = node.func
        model = (
            called.id
            if isinstance(called, ast.Name)
            else called.attr
            if isinstance(called, ast.Attribute)
            else ""
        )
        if model not in schema.models:
            continue
        table = schema.table_for_model(model)
        if table is None:
            continue
        column = _unique_from_client(facts, route, node, table)
        if column is None or looked_up(func, column):
            continue
        commit = commit_after(func, node)
        if commit is None or caught(commit, facts.up, CAUGHT):
            continue
        return _in_route(facts, route, model, column, commit)
    for row in made_rows(facts, route, schema):
        handed = handed_on(facts, route, row)
        if handed is not None:
            return _through_helper(facts, route, handed)
        commit = commit_after(func, row.made)
        if commit is not None and added(facts, func, row) and not caught(commit, facts.up, CAUGHT):
            return _in_route(facts, route, row.model, row.column, commit)
    found = helper_create(facts, route, schema)
    return _through_helper(facts, route, found) if found is not None else None


def _unique_from_client(
    facts: ModuleFacts, route: Route, call: ast.Call, table: Table
) -> str | None:
    """The first unique column the constructor fills with the client's value."""
    for keyword in call.keywords:
        if keyword.arg is None:
            fields = _dumped_fields(facts, route, keyword.value)
            for name in fields:
                if unique(table, name):
                    return name
            continue
        if not unique(table, keyword.arg):
            continue
        if sent_as_is(keyword.value, route, bindings(route.func), 0):
            return keyword.arg
    return None


def _dumped_fields(facts: ModuleFacts, route: Route, value: ast.expr) -> list[str]:
    """``**payload.model_dump()`` of a body model the route takes: the model's field names."""
    name = dumped_name(value)
    if name is None or facts.upstream is None:
        return []
    arg = next((a for a in route.func.args.args if a.arg == name), None)
    if arg is None or arg.annotation is None:
        return []
    return model_fields(facts.upstream, facts.source, arg.annotation)


def _in_route(
    facts: ModuleFacts, route: Route, model: str, column: str, commit: ast.Call
) -> Suggestion | None:
    stmt = enclosing_statement(commit, facts.up)
    if not isinstance(stmt, ast.Expr):
        return None
    why = (
        f"`{route.func.name}` makes {_a(model)} with the client's {column}, a unique column, and "
        "commits with no answer for a duplicate: a value another row holds makes the "
        "commit raise IntegrityError, a 500 for what is the client's conflict. Catching it "
        "(and rolling the session back) answers 409."
    )
    awaited = isinstance(stmt.value, ast.Await)
    receiver = dotted(commit.func)[: -len(".commit")]
    return _suggestion(facts, route, stmt, commit, model, column, receiver, awaited, why)


def _through_helper(facts: ModuleFacts, route: Route, found: HelperCreate) -> Suggestion | None:
    stmt = enclosing_statement(found.call, facts.up)
    if not isinstance(stmt, ast.Expr | ast.Assign | ast.AnnAssign | ast.Return):
        return None
    where = os.path.relpath(found.path, os.path.dirname(facts.source.path))
    if found.made:
        handed = (
            f"`{route.func.name}` makes {_a(found.model)} of the client's body "
            f"(`{found.made}`), its {found.column} a unique column, and hands it to "
            f"`{found.helper}` (in {where}), which commits it with no answer for a duplicate"
        )
    else:
        handed = (
            f"`{route.func.name}` hands the client's {found.column} to `{found.helper}` (in "
            f"{where}), which makes {_a(found.model)} with it, a unique column, and commits "
            "with no answer for a duplicate"
        )
    why = (
        f"{handed}: a value another row holds makes the commit raise IntegrityError, a 500 "
        "for what is the client's conflict. Catching it at the call (and rolling the session "
        "back) answers 409 where the route answers its errors."
    )
    if found.committed_before:
        why += (
            f" `{found.helper}` commits once before it makes the {found.model}: what that "
            "commit saved stays after the rollback (one commit at its end keeps the create "
            "whole)."
        )
    return _suggestion(
        facts,
        route,
        stmt,
        found.call,
        found.model,
        found.column,
        found.session,
        found.awaited,
        why,
    )


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    stmt: ast.stmt,
    at: ast.AST,
    model: str,
    column: str,
    receiver: str,
    awaited: bool,
    why: str,
) -> Suggestion:
    """Wrap ``stmt`` in a try that rolls ``receiver`` back and answers 409 the route's way."""
    src = facts.source
    rollback = f"{'await ' if awaited else ''}{receiver}.rollback()"
    error, needed = _integrity_error(facts)
    detail = f"{model} with this {column} already exists"
    if route.framework == "fastapi":
        exception = bound_as(facts.imports, "fastapi.HTTPException") or "HTTPException"
        if exception == "HTTPException" and "HTTPException" not in facts.imports:
            needed.append(("fastapi", "HTTPException"))
        status = bound_as(facts.imports, "fastapi.status") or bound_as(
            facts.imports, "starlette.status"
        )
        code = f"{status}.HTTP_409_CONFLICT" if status else "409"
        raised = f'raise {exception}(status_code={code}, detail="{detail}") from exc'
        indent = len(src.indent_of(stmt.lineno - 1)) + 4
        if indent + len(raised) > LINE_LENGTH:  # as ruff would write it
            raised = (
                f"raise {exception}(\n"
                f"        status_code={code},\n"
                f'        detail="{detail}",\n'
                "    ) from exc"
            )
        answer = [f"except {error} as exc:", f"    {rollback}", *f"    {raised}".split("\n")]
    elif facts.imports.get("abort") == "flask.abort":
        answer = [f"except {error}:", f"    {rollback}", "    abort(409)"]
    else:
        answered, jsonify = json_error(facts, route.func, 409, [("error", f'"{detail}"')])
        needed.extend(jsonify)
        answer = [f"except {error}:", f"    {rollback}", f"    {answered}"]
    edits = [*ensure_imports(src, needed), wrap_in_try(src, stmt, answer)]
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(at),
        f"Answer 409 when {model}.{column} is taken",
        why,
        tuple(edits),
    )


def _a(noun: str) -> str:
    low = noun.lower()
    # ``a User``, ``a Unit``: a u sounded "you" (one consonant, then a vowel) takes "a"
    you = low[:1] == "u" and len(low) > 2 and low[1] not in "aeiou" and low[2] in "aeiou"
    return f"{'an' if low[:1] in 'aeiou' and not you else 'a'} {noun}"


def _integrity_error(facts: ModuleFacts) -> tuple[str, list[tuple[str, str]]]:
    """How the module names IntegrityError, and the import it needs when it does not."""
    bound = bound_as(facts.imports, "sqlalchemy.exc.IntegrityError")
    if bound is not None:
        return bound, []
    module = bound_as(facts.imports, "sqlalchemy.exc")
    if module is not None:
        return f"{'sqlalchemy.exc' if module == 'sqlalchemy' else module}.IntegrityError", []
    return "IntegrityError", [("sqlalchemy.exc", "IntegrityError")]
