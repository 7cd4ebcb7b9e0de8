"""BKD315: a route makes a row whose unique column holds the client's value and commits with no
answer for a duplicate: a second sign-up with the same e-mail is an IntegrityError, a 500,
where the client deserves a 409 that says the value is taken.

Read in FastAPI and Flask routes over SQLAlchemy: ``Customer(email=payload.email.lower())``
(a keyword whose value reads what the client sent, trimmed or recased on the way), or
``Customer(**payload.model_dump())`` of a body model that has the field; then the session's
commit further down the route. Only for a column unique in the schema (``unique=True``, a
``UniqueConstraint`` of it alone) that is no primary key.

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

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route, enclosing_statement
from .helper_rows import keyed_by_client
from .html_answers import answers_browser
from .pyedits import LINE_LENGTH, ensure_imports, wrap_in_try
from .pysource import dotted
from .schema import Schema, Table
from .try_blocks import caught

CODE = "BKD315"
_CAUGHT = {"IntegrityError", "SQLAlchemyError", "DatabaseError", "DBAPIError"}
_SAME_VALUE = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title"})
_DUMPS = frozenset({"dict", "model_dump"})


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
        if column is None or _looked_up(func, column):
            continue
        commit = _commit_after(func, node)
        if commit is None or caught(commit, facts.up, _CAUGHT):
            continue
        return _suggestion(facts, route, node, model, column, commit)
    return None


def _unique_from_client(
    facts: ModuleFacts, route: Route, call: ast.Call, table: Table
) -> str | None:
    """The first unique column the constructor fills with the client's value."""
    for keyword in call.keywords:
        if keyword.arg is None:
            fields = _dumped_fields(facts, route, keyword.value)
            for name in fields:
                if _unique(table, name):
                    return name
            continue
        if not _unique(table, keyword.arg):
            continue
        if _sent_as_is(keyword.value, route, _bindings(route.func), 0):
            return keyword.arg
    return None


def _bindings(func: ast.AST) -> dict[str, ast.expr]:
    """Locals bound once in the route, to what."""
    seen: dict[str, list[ast.expr]] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                seen.setdefault(target.id, []).append(node.value)
    return {k: v[0] for k, v in seen.items() if len(v) == 1}


def _sent_as_is(value: ast.expr, route: Route, bound: dict[str, ast.expr], depth: int) -> bool:
    """The value is what the client sent, read off the request or the body model and at most
    trimmed or recased: ``payload.email.lower()``, ``data["email"]`` of ``data =
    request.get_json()``, ``form.email.data``. Not what a call made of it (``charge["id"]`` of
    ``charge = charge_card(token)`` is the provider's)."""
    if depth > 3:
        return False
    while (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in _SAME_VALUE | {"get"}
    ):
        value = value.func.value
    while isinstance(value, ast.Subscript | ast.Attribute):
        value = value.value
    if isinstance(value, ast.Call) and dotted(value.func) == "request.get_json":
        return True
    if not isinstance(value, ast.Name):
        return False
    if value.id == "request" or (value.id == "form" and route.framework == "flask"):
        return True
    if value.id in bound:
        return _sent_as_is(bound[value.id], route, bound, depth + 1)
    return route.framework == "fastapi" and keyed_by_client(value, route)


def _dumped_fields(facts: ModuleFacts, route: Route, value: ast.expr) -> list[str]:
    """``**payload.model_dump()`` of a body model the route takes: the model's field names."""
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in _DUMPS
        and isinstance(value.func.value, ast.Name)
        and facts.upstream is not None
    ):
        return []
    if any(k.arg in ("include", "exclude") for k in value.keywords):
        return []  # what it leaves out is not read here
    name = value.func.value.id
    arg = next((a for a in route.func.args.args if a.arg == name), None)
    if arg is None or arg.annotation is None:
        return []
    found = facts.upstream.resolve_class(facts.source, arg.annotation)
    if found is None:
        return []
    return [
        s.target.id
        for s in found[1].body
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
    ]


def _unique(table: Table, name: str) -> bool:
    column = table.columns.get(name)
    if column is None or column.primary_key:
        return False
    if column.unique:
        return True
    return any(k.endswith("UniqueConstraint") and cols == (name,) for k, cols in table.indexes)


def _looked_up(func: ast.AST, column: str) -> bool:
    """The route looks for the duplicate itself: a query by the column (``filter_by(email=
    ...)``, ``User.email == ...``) or a call named for it (``get_user_by_email(db, ...)``)."""
    for node in ast.walk(func):
        if isinstance(node, ast.Compare) and any(
            isinstance(side, ast.Attribute) and side.attr == column
            for side in [node.left, *node.comparators]
        ):
            return True
        if isinstance(node, ast.Call):
            name = dotted(node.func).rsplit(".", 1)[-1].lower()
            if column.lower() in name and name != column.lower():
                return True
            if dotted(node.func).rsplit(".", 1)[-1] in ("filter_by", "where", "filter") and any(
                k.arg == column for k in node.keywords
            ):
                return True
    return False


def _commit_after(func: ast.AST, made: ast.Call) -> ast.Call | None:
    """The session's first ``commit()`` after the row is made (``db.session.commit()``,
    ``db.commit()``, ``await session.commit()``)."""
    best: ast.Call | None = None
    for node in ast.walk(func):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"
            and not node.args
            and node.lineno >= made.lineno
        ):
            continue
        receiver = dotted(node.func.value)
        if not receiver or not ("session" in receiver.lower() or receiver in ("db", "s")):
            continue
        if best is None or node.lineno < best.lineno:
            best = node
    return best


def _suggestion(
    facts: ModuleFacts, route: Route, made: ast.Call, model: str, column: str, commit: ast.Call
) -> Suggestion | None:
    src = facts.source
    stmt = enclosing_statement(commit, facts.up)
    if not isinstance(stmt, ast.Expr):
        return None
    awaited = isinstance(stmt.value, ast.Await)
    receiver = dotted(commit.func)[: -len(".commit")]
    rollback = f"{'await ' if awaited else ''}{receiver}.rollback()"
    error, needed = _integrity_error(facts)
    detail = f"{model} with this {column} already exists"
    if route.framework == "fastapi":
        exception = _bound_as(facts, "fastapi.HTTPException") or "HTTPException"
        if exception == "HTTPException" and "HTTPException" not in facts.imports:
            needed.append(("fastapi", "HTTPException"))
        status = _bound_as(facts, "fastapi.status") or _bound_as(facts, "starlette.status")
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
        jsonify = _bound_as(facts, "flask.jsonify")
        if jsonify is None:
            jsonify = "jsonify"
            needed.append(("flask", "jsonify"))
        answer = [
            f"except {error}:",
            f"    {rollback}",
            f'    return {jsonify}(error="{detail}"), 409',
        ]
    edits = [*ensure_imports(src, needed), wrap_in_try(src, stmt, answer)]
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(commit),
        f"Answer 409 when {model}.{column} is taken",
        f"`{route.func.name}` makes a {model} with the client's {column}, a unique column, and "
        f"commits with no answer for a duplicate: a value another row holds makes the "
        "commit raise IntegrityError, a 500 for what is the client's conflict. Catching it "
        "(and rolling the session back) answers 409.",
        tuple(edits),
    )


def _integrity_error(facts: ModuleFacts) -> tuple[str, list[tuple[str, str]]]:
    """How the module names IntegrityError, and the import it needs when it does not."""
    bound = _bound_as(facts, "sqlalchemy.exc.IntegrityError")
    if bound is not None:
        return bound, []
    module = _bound_as(facts, "sqlalchemy.exc")
    if module is not None:
        return f"{'sqlalchemy.exc' if module == 'sqlalchemy' else module}.IntegrityError", []
    return "IntegrityError", [("sqlalchemy.exc", "IntegrityError")]


def _bound_as(facts: ModuleFacts, target: str) -> str | None:
    return next((k for k, v in facts.imports.items() if v == target), None)
