"""BKD333: a route makes (or updates) a row whose foreign key holds the client's id, and
nothing looks up the row it names: on a database that enforces foreign keys an id with no row
makes the commit raise IntegrityError, a 500 where the client named a parent that is not
there (a 404).

The real shape (a FastAPI app on PostgreSQL, judged a must by two reviewers): ``student =
RegularStudent(**data.dict())`` of a form body carrying ``course_id``, ``batch_id`` and
``payment_duration_id``, then ``db.add(student)`` and ``db.commit()``; its PUTs wrote the same
fields with ``for key, value in data.dict(exclude_unset=True).items(): setattr(student, key,
value)``, and a CRUD function the route handed the body to did both with ``teacher_id``. Read
in FastAPI and Flask routes over SQLAlchemy and SQLModel models: a keyword of the model's
constructor, or an assignment to a loaded row's attribute (``trip.car_id =
request.json["car_id"]``), that fills a foreign-key column with what the client sent (a body
model's field, the request's JSON, a URL part or query parameter), ``**body.model_dump()``
(``.dict()``) of a body model with such a field, or a ``setattr`` loop over it; the row is
committed (or flushed) further down, added to the session first where it is made, in the
route or in the project function (one or two calls deep) the route passes the body to. Only
for a key the schema declares (the model's ``ForeignKey``, SQLModel's ``foreign_key=``) to the
single primary key of a model the schema knows.

Silent when the value is read before the commit by a call (``db.get(Course, ...)``, a filter,
a project helper: a lookup, or something that may be one), an ``in`` test or a loop, there or
in the project function writing the row; when the body is handed whole to a project function
first, or a dependency or decorator of the route names the parent's model; when the value is
not the client's (the signed-in user's id, a loaded row's own column); when the commit (or the
route's call) is caught, unless by an ``except`` answering a duplicate (a 409, "already
exists"), or a broad one answering a 5xx; when an app-wide handler may answer the error; in a
view that answers pages; and unless the app's database enforces foreign keys (PostgreSQL,
MySQL; SQLite only where the app turns ``PRAGMA foreign_keys`` on). An ``except
IntegrityError`` answering "already exists" (BKD315's own fix) would report the unknown id
as a duplicate: the suggestion says so.

The fix looks each parent up before the write, one statement per key, and answers 404 naming
the missing id the route's way: FastAPI's ``HTTPException`` (the module's ``status`` names), the
module's own answer to a missing row of that model where it has one, Flask-SQLAlchemy's
``get_or_404`` in Flask (``db.get_or_404(Model, id, description=...)`` from its 3.0,
``Model.query.get_or_404(id)`` before), else Flask's ``abort(404, ...)``. A nullable key, and an
update's field that may be left out, is looked up only when given. Through a project function
the lookup goes in the route, before its call: the route answers HTTP.
"""

from __future__ import annotations

import ast

from ..pgproof.detect import sqlite_evidence, sqlite_foreign_keys
from ..suggestion import Suggestion
from .create_reads import bindings, model_fields
from .delete_children import app_answers, strict_database
from .frameworks import ModuleFacts, Route
from .helper_creates import Frame, callee_frame, filled_parameters, from_client
from .helper_rows import keyed_by_client
from .html_answers import answers_browser
from .parent_checks import caught_at, checked, dependency_reads, looked_up_in, names_before
from .parent_key_writes import KeySite, KeyWrite, committed, key_sites
from .parent_keys import Passed, body_param, frame_readers, route_readers, sent, unconverted
from .parent_lookup_fix import lookup_edits, rationale, shown, title
from .pysource import dotted
from .schema import Schema
from .upstream_calls import UpstreamCalls

CODE = "BKD333"

_MAX_DEPTH = 2  # route -> service -> crud


def unchecked_parent_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    schema = facts.schema
    if schema is None or not schema.models or not ({"fastapi", "flask"} & facts.frameworks):
        return []
    if app_answers(facts):
        return []
    enforced = _enforcing(facts.source.path)
    if enforced is None:
        return []
    out: list[Suggestion] = []
    for route in facts.routes:
        if route.framework not in ("fastapi", "flask") or not route.answers:
            continue
        if answers_browser(facts, route):
            continue  # a page's form offers the rows it has; a 404 page is no answer there
        for create in _creates(facts, route, schema):
            if create.source is not facts.source and _enforcing(create.source.path) is None:
                continue
            made = _suggestion(facts, route, create, enforced)
            if made is not None:
                out.append(made)
    return out


def _enforcing(path: str) -> str | None:
    """Why the app's database refuses a key with no row (PostgreSQL, MySQL, SQLite with its
    foreign keys turned on), or None."""
    found = strict_database(path)
    if found is not None:
        return found
    pragma = sqlite_foreign_keys(path)
    if pragma is not None and sqlite_evidence(path):
        return f"SQLite with `PRAGMA foreign_keys=ON` ({pragma})"
    return None


def _suggestion(
    facts: ModuleFacts, route: Route, create: KeyWrite, enforced: str
) -> Suggestion | None:
    edits = lookup_edits(facts, route, create)
    if edits is None:
        return None
    src = facts.source
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(shown(create)),
        title(create),
        rationale(facts, route, create, enforced),
        edits,
    )


# -- what the route makes --------------------------------------------------------------------


def _creates(facts: ModuleFacts, route: Route, schema: Schema) -> list[KeyWrite]:
    """The route's own writes of unchecked keys, then those of the project functions it
    hands the client's values to."""
    src = facts.source
    func = route.func
    upstream = facts.upstream
    if upstream is None:
        return []
    splat, valued = route_readers(facts, route, schema, upstream)
    out: list[KeyWrite] = []
    for site in key_sites(src, func, schema, {}, splat, valued):
        found = committed(src, func, site, None)
        if found is None:
            continue
        write, session, duplicate = found
        keys = tuple(
            k
            for k in site.keys
            if not checked(facts, src, func, k.read, site.anchor, write, k.parent_model)
        )
        if not keys:
            continue
        awaited = isinstance(src.up().get(write), ast.Await)
        site = KeySite(site.anchor, site.model, keys, site.update)
        out.append(KeyWrite(func, src, site, write, session, awaited, None, duplicate))
    out.extend(_helper_creates(facts, route, schema, upstream))
    return out


# -- through a project function -------------------------------------------------------------


def _helper_creates(
    facts: ModuleFacts, route: Route, schema: Schema, upstream: UpstreamCalls
) -> list[KeyWrite]:
    """The route hands the client's body (or a field of it) to a project function that writes
    the row with it and commits: ``expense_crud.create_salary_expense(db, expense)``."""
    src = facts.source
    bound = bindings(route.func)
    out: list[KeyWrite] = []
    calls = sorted(
        (n for n in src.nodes_of(route.func) if isinstance(n, ast.Call) and (n.args or n.keywords)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    args = route.func.args
    names = {
        a.arg
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if keyed_by_client(ast.Name(id=a.arg), route) or body_param(facts, route, a.arg)
    }
    names |= {"request", *bound}
    for call in calls:
        passed = [*call.args, *(k.value for k in call.keywords)]
        if not any(_rooted(a, names) for a in passed):
            continue  # no value of the client's goes in: not worth resolving the callee
        target = upstream.callee(src, call)
        if target is None or facts.is_route(target[1]):
            continue

        def client(arg: ast.expr) -> tuple[str, ...] | bool | None:
            if isinstance(arg, ast.Name):
                param = body_param(facts, route, arg.id)
                if param is not None and param.annotation is not None:
                    return tuple(model_fields(upstream, src, param.annotation)) or None
            if not sent(facts, route, arg, bound, 0):
                return False
            return None

        def held(arg: ast.expr) -> str | None:
            return dotted(arg) or None

        frame = callee_frame(upstream, schema, *target, call, client, held, src)
        if frame is None:
            continue
        written = {p.arg: (src, a) for p, a in filled_parameters(target[1], call)}
        found = _create_in(upstream, frame, schema, 1, written, {id(route.func)})
        if found is None:
            continue
        keys = tuple(
            k
            for k in found.site.keys
            if not looked_up_in(src, route.func, [k.read], call, call, upstream)
            and not dependency_reads(facts, route, k.parent_model)
        )
        if not keys or caught_at(src, call):
            continue
        site = KeySite(found.site.anchor, found.site.model, keys, found.site.update)
        out.append(
            KeyWrite(
                found.func,
                found.source,
                site,
                found.write,
                found.session,
                found.awaited,
                call,
                found.duplicate,
            )
        )
    return out


def _rooted(value: ast.expr, names: set[str]) -> bool:
    """``value`` is read off one of ``names`` (``data``, ``data.course_id``, ``int(x)``)."""
    value = unconverted(value)
    while isinstance(value, ast.Attribute | ast.Subscript | ast.Call):
        value = value.func if isinstance(value, ast.Call) else value.value
    return isinstance(value, ast.Name) and value.id in names


def _create_in(
    upstream: UpstreamCalls,
    frame: Frame,
    schema: Schema,
    depth: int,
    written: Passed,
    seen: set[int],
) -> KeyWrite | None:
    """The frame's own write of a foreign key from the client's value, unchecked there, or
    one a call of it reaches; ``written``: what the route wrote for each of the frame's
    parameters."""
    func, src = frame.func, frame.source
    if id(func) in seen:
        return None
    seen = seen | {id(func)}
    bound = bindings(func)
    splat, valued = frame_readers(frame, schema, written, upstream)
    for site in key_sites(src, func, schema, frame.models, splat, valued):
        found = committed(src, func, site, frame.sessions)
        if found is None:
            continue
        write, session, duplicate = found
        keys = tuple(
            k
            for k in site.keys
            if not looked_up_in(src, func, [k.inner], site.anchor, write, upstream)
        )
        if not keys:
            continue
        awaited = isinstance(src.up().get(write), ast.Await)
        site = KeySite(site.anchor, site.model, keys, site.update)
        return KeyWrite(func, src, site, write, session, awaited, None, duplicate)
    if depth >= _MAX_DEPTH:
        return None
    for node in sorted(
        (n for n in src.nodes_of(func) if isinstance(n, ast.Call)), key=lambda n: n.lineno
    ):
        target = upstream.callee(src, node)
        if target is None:
            continue

        def client(arg: ast.expr) -> tuple[str, ...] | bool | None:
            if not from_client(arg, frame.client, bound, 0):
                return False
            return frame.client.get(arg.id) if isinstance(arg, ast.Name) else None

        def held(arg: ast.expr) -> str | None:
            root, _, rest = dotted(arg).partition(".")
            if root in frame.sessions:
                return frame.sessions[root] + (f".{rest}" if rest else "")
            return None

        deeper = callee_frame(upstream, schema, *target, node, client, held, src)
        if deeper is None:
            continue
        passed = {
            p.arg: written[a.id]
            for p, a in filled_parameters(target[1], node)
            if isinstance(a, ast.Name) and a.id in written
        }
        inner = _create_in(upstream, deeper, schema, depth + 1, passed, seen)
        if inner is None or caught_at(src, node):
            continue
        # the service on the way names the value by its own parameters: any mention of the
        # parent's model before the call may be its lookup
        keys = tuple(
            k for k in inner.site.keys if not names_before(src, func, k.parent_model, node)
        )
        if keys:
            site = KeySite(inner.site.anchor, inner.site.model, keys, inner.site.update)
            return KeyWrite(
                inner.func,
                inner.source,
                site,
                inner.write,
                inner.session,
                inner.awaited,
                None,
                inner.duplicate,
            )
    return None
