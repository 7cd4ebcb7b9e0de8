"""SQLAlchemy 2's ``.one()`` / ``.scalar_one()`` keyed by what the client sent, in a FastAPI or
Flask route or in a project helper (or method) it calls: NoResultFound when nothing matches,
a 500 where the client asked for a row that is not there (a 404).

``(await db.execute(select(Rule).filter(Rule.id == id))).scalar_one()`` in the route, or
``db.get_job(job_id)`` whose ``Database.__get_job`` ends in ``session.exec(...).one()``. The
fix catches NoResultFound around the route's statement and answers 404 the route's way
(FastAPI's ``HTTPException``, Flask's ``abort(404)``); where SQLAlchemy cannot be imported by
name, a lookup in the route becomes ``scalar_one_or_none()`` with a None check instead.
Flask-SQLAlchemy's own ``Model.query....one()`` is missing_rows' (its ``one_or_404``).
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .helper_rows import keyed_by_client
from .pyedits import ensure_imports, insert_before_line, replace_node, wrap_in_try
from .pysource import Source, dotted
from .row_methods import Function, resolve_call
from .row_uses import app_catches, is_aggregate, session_like, short
from .upstream_calls import UpstreamCalls

_ONE = ("one", "scalar_one")
_READS = ("query", "scalars", "execute", "exec")
_CAUGHT = {"NoResultFound", "SQLAlchemyError", "HTTPException", "NotFound"}
_WRITES = ("commit", "flush")
_MAX_HOPS = 3


def one_row_suggestions(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    if route.framework not in ("fastapi", "flask") or not route.answers:
        return []
    if caught(call, facts.up, _CAUGHT, client_error=True) or app_catches(facts, _CAUGHT):
        return []
    # Every call of a route comes through here: what a call is goes first, and the walks of
    # the route (who sent the key, what was written before) only for a lookup.
    lookup = one_lookup(call, route.func)
    target = None
    if lookup is None:
        if facts.upstream is None:
            return []
        target = resolve_call(facts.upstream, facts.source, call)
        if target is None:
            return []
    if not keyed_by_client(call, route) or _after_write(route.func, call):
        # A lookup after the route's commit re-reads the row it has just written.
        return []
    if lookup is not None:
        if route.framework == "flask" and _flask_sqlalchemy_chain(call):
            return []
        return _in_route(facts, call, route, lookup)
    assert target is not None and facts.upstream is not None
    found = _one_in(facts.upstream, *target, depth=1, seen=set())
    if found is None:
        return []
    where, inner, chain = found
    label = one_lookup(inner) or "row"
    what = (
        f"{' -> '.join(f'`{c}`' for c in chain)} ends in `{short(where.text_of(inner))}`, which "
        "raises NoResultFound when nothing matches"
    )
    return _caught_in_route(facts, call, route, label, what)


def one_lookup(call: ast.Call, scope: ast.AST | None = None) -> str | None:
    """The model's name ("row" when it is not written there) when ``call`` is a ``.one()`` /
    ``.scalar_one()`` on a session's read: ``session.exec(select(Job).where(...)).one()``,
    ``(await db.execute(select(M)...)).scalar_one()``, ``db.query(M).filter(...).one()``."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _ONE or call.args or call.keywords:
        return None
    node: ast.expr = func.value
    if isinstance(node, ast.Await):
        node = node.value
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in _READS and session_like(node.func.value):
            return _selected(node, scope)
        node = node.func.value
    return None


def _selected(read: ast.Call, scope: ast.AST | None = None) -> str | None:
    """``query(Job)`` / ``exec(select(Job).where(...))`` / ``execute(Rule.select_related()
    .filter(...))`` -> Job / Rule; None for what always gives a row (``select(func.count(
    ...))``) or is no read (``update(Job)...returning(...)``)."""
    arg = read.args[0] if read.args else None
    if isinstance(arg, ast.Name) and scope is not None:
        # ``count_stmt = select(func.count())...`` then ``session.exec(count_stmt).one()``
        bound = [
            n.value
            for n in ast.walk(scope)
            if (isinstance(n, ast.Assign) and any(dotted(t) == arg.id for t in n.targets))
            or (isinstance(n, ast.AnnAssign) and n.value is not None and dotted(n.target) == arg.id)
        ]
        if len(bound) == 1:
            arg = bound[0]
    if read.func.attr == "query":  # type: ignore[attr-defined]
        chosen = list(read.args)
    else:
        while isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute):
            arg = arg.func.value  # ``select(M).where(...)`` down to ``select(M)``
        head = dotted(arg.func).rsplit(".", 1)[-1] if isinstance(arg, ast.Call) else ""
        if head in ("update", "insert", "delete"):
            return None
        chosen = list(arg.args) if isinstance(arg, ast.Call) and head == "select" else []
        if not chosen and arg is not None:
            chosen = [arg]
    if chosen and all(is_aggregate(c) for c in chosen):
        return None
    first = chosen[0] if chosen else None
    while isinstance(first, ast.Attribute | ast.Call):
        first = first.func if isinstance(first, ast.Call) else first.value
    name = first.id if isinstance(first, ast.Name) else ""
    return name if name[:1].isupper() else "row"


def _flask_sqlalchemy_chain(call: ast.Call) -> bool:
    """``Model.query....one()`` / ``db.session.query(...).one()``: Flask-SQLAlchemy's, whose
    ``one_or_404`` missing_rows proposes."""
    node: ast.expr = call.func.value  # type: ignore[attr-defined]
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "query":
            return True
        node = node.func.value
    return isinstance(node, ast.Attribute) and node.attr == "query"


def _after_write(func: ast.AST, call: ast.Call) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _WRITES
        and n.lineno < call.lineno
        for n in ast.walk(func)
    )


def _one_in(
    upstream: UpstreamCalls,
    source: Source,
    func: Function,
    depth: int,
    seen: set[tuple[str, int]],
) -> tuple[Source, ast.Call, tuple[str, ...]] | None:
    """The uncaught ``.one()`` that ``func`` reaches with one of its parameters (the key the
    route passed), itself or through the helpers it hands the parameter to."""
    if (source.path, func.lineno) in seen:
        return None
    seen.add((source.path, func.lineno))
    args = func.args
    params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    params -= {"self", "cls", "session", "db"}
    up = source.up()
    for node in source.nodes_of(func):
        if not isinstance(node, ast.Call) or source.function_of(node) is not func:
            continue
        if not any(isinstance(n, ast.Name) and n.id in params for n in ast.walk(node)):
            continue
        if caught(node, up, _CAUGHT):
            continue
        if one_lookup(node) is not None:
            return source, node, (func.name,)
        if depth >= _MAX_HOPS:
            continue
        target = resolve_call(upstream, source, node)
        if target is not None:
            found = _one_in(upstream, *target, depth=depth + 1, seen=seen)
            if found is not None:
                return found[0], found[1], (func.name, *found[2])
    return None


def _answer(route: Route, label: str) -> tuple[list[str], tuple[str, str]]:
    if route.framework == "fastapi":
        return [
            "except NoResultFound as exc:",
            f'    raise HTTPException(status_code=404, detail="{label} not found") from exc',
        ], ("fastapi", "HTTPException")
    return ["except NoResultFound:", "    abort(404)"], ("flask", "abort")


def _importable(facts: ModuleFacts) -> bool:
    """SQLAlchemy's ``NoResultFound`` can be imported: SQLAlchemy is declared or imported, or
    SQLModel / Flask-SQLAlchemy is, each of which is built on it and requires it."""
    return any(facts.can_import(p) for p in ("sqlalchemy", "sqlmodel", "flask_sqlalchemy"))


def _caught_in_route(
    facts: ModuleFacts, call: ast.Call, route: Route, label: str, what: str
) -> list[Suggestion]:
    stmt = enclosing_statement(call, facts.up)
    if stmt is None or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return []
    if not _importable(facts):
        return []
    src = facts.source
    handler, needed = _answer(route, label)
    edits = [
        *ensure_imports(src, [("sqlalchemy.exc", "NoResultFound"), needed]),
        wrap_in_try(src, stmt, handler),
    ]
    return [
        _suggestion(
            facts,
            call,
            label,
            f"{what}: a 500 where the client asked for a row that is not there. Catching "
            f"NoResultFound around it and answering with `{handler[1].strip()}` gives a 404 "
            "instead.",
            edits,
        )
    ]


def _in_route(facts: ModuleFacts, call: ast.Call, route: Route, label: str) -> list[Suggestion]:
    what = f"`{short(facts.source.text_of(call))}` raises NoResultFound when nothing matches"
    if _importable(facts):
        return _caught_in_route(facts, call, route, label, what)
    # No SQLAlchemy to name: ``scalar_one_or_none()`` and a None check need no import.
    parent = facts.up.get(call)
    if not (
        isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        return []
    src = facts.source
    name = parent.targets[0].id
    assert isinstance(call.func, ast.Attribute)
    head = src.text_of(call)[: src.text_of(call).rfind(".")]
    _, needed = _answer(route, label)
    answer = (
        f'raise HTTPException(status_code=404, detail="{label} not found")'
        if route.framework == "fastapi"
        else "abort(404)"
    )
    line = parent.end_lineno or parent.lineno
    indent = src.indent_of(parent.lineno - 1)
    edits = [
        *ensure_imports(src, [needed]),
        replace_node(src, call, f"{head}.{call.func.attr}_or_none()"),
        insert_before_line(src, line, f"{indent}if {name} is None:\n{indent}    {answer}"),
    ]
    return [
        _suggestion(
            facts,
            call,
            label,
            f"{what}: a 500 where the client asked for a row that is not there. "
            f"`{call.func.attr}_or_none()` and `if {name} is None: {answer}` answer 404 instead.",
            edits,
        )
    ]


def _suggestion(
    facts: ModuleFacts, call: ast.Call, label: str, why: str, edits: list[Edit]
) -> Suggestion:
    src = facts.source
    return Suggestion(
        "BKD306",
        "error-handling",
        src.path,
        src.span(call),
        f"Answer 404 when {label} is not found",
        why,
        tuple(edits),
    )
