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
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..pgproof.detect import sqlite_evidence, sqlite_foreign_keys
from ..suggestion import Edit, Suggestion
from .create_reads import SAME_VALUE, bindings, model_fields, model_named
from .delete_children import app_answers, row_model, strict_database
from .frameworks import ModuleFacts, Route, enclosing_statement
from .helper_creates import Frame, callee_frame, from_client, splatted
from .helper_rows import keyed_by_client, model_noun
from .html_answers import answers_browser
from .pyedits import LINE_LENGTH, ensure_imports, insert_before_line
from .pysource import (
    Source,
    dotted,
    imported_from,
    imported_names,
    string_quote,
)
from .row_guards import app_guard
from .row_uses import session_like
from .schema import Column, Schema, Table
from .try_blocks import answers_server_error, handler_names, in_server_error_try, status_code
from .upstream_calls import UpstreamCalls

CODE = "BKD333"

Function = ast.FunctionDef | ast.AsyncFunctionDef
# What a handler around the commit may take the foreign-key violation as.
_GUARDS = frozenset({"IntegrityError", "SQLAlchemyError", "DBAPIError", "DatabaseError"})
_BROAD = frozenset({"Exception", "BaseException"})
_WRITES = ("commit", "flush")
# Calls that hand a value on without looking anything up by it: a conversion, a log line.
_PLAIN = frozenset(
    {"int", "str", "float", "bool", "len", "repr", "print", "isinstance", "UUID", "format"}
    | {"debug", "info", "warning", "warn", "error", "exception", "log"}
)
# ``int(payload["car_id"])``: a conversion of the client's value is still the client's value.
_CONVERSIONS = frozenset({"int", "str", "UUID", "uuid.UUID"})
# Words of an ``except`` that answers a duplicate (BKD315's "already exists", a 409).
_DUPLICATE = re.compile(r"already|exist|duplicate|taken|unique|conflict", re.IGNORECASE)
_MAX_DEPTH = 2  # route -> service -> crud
# Flask-SQLAlchemy's ``db.get_or_404(Model, id, description=...)`` came with 3.0.
_DB_GET_OR_404 = 3


@dataclass(frozen=True)
class _Read:
    """How code reads the client's value: ``data.course_id`` / ``data["course_id"]`` /
    ``data.get("course_id")`` (``root`` ``data``, ``key`` ``course_id``), or a bare name."""

    root: str
    key: str | None = None

    def matches(self, node: ast.AST) -> bool:
        if self.key is None:
            return isinstance(node, ast.Name) and node.id == self.root
        if isinstance(node, ast.Attribute):
            return node.attr == self.key and ast.unparse(node.value) == self.root
        if isinstance(node, ast.Subscript):
            key = node.slice
            return (
                isinstance(key, ast.Constant)
                and key.value == self.key
                and ast.unparse(node.value) == self.root
            )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            return node.args[0].value == self.key and ast.unparse(node.func.value) == self.root
        return False


@dataclass(frozen=True)
class _Key:
    """A foreign key the create fills with the client's value."""

    attribute: str  # the row's attribute (``course_id``)
    column: Column
    parent: Table
    parent_model: str
    value: str  # as the route writes it (``data.course_id``)
    read: _Read  # how the route reads it
    inner: _Read  # how the function making the row reads it
    # the value may be None: a nullable key, or an update's field that may be left out
    may_be_none: bool


@dataclass(frozen=True)
class _Site:
    """Where a function writes the client's values into a row's foreign keys: ``Model(...)``
    (a create), a ``setattr`` loop over the body's fields, or ``row.key = ...``."""

    anchor: ast.AST  # the call, the loop, the first assignment
    model: str
    keys: tuple[_Key, ...]
    update: bool


@dataclass(frozen=True)
class _Create:
    func: Function  # the function writing the row (the route, or a project function)
    source: Source
    site: _Site
    write: ast.Call  # the commit (flush) after it
    session: str  # the session as the route holds it (``db``, ``db.session``)
    awaited: bool
    at: ast.Call | None  # the route's call reaching a project function's write
    duplicate: ast.ExceptHandler | None  # an ``except`` answering the error as a duplicate


# How a function's site reads the client's values: the keys of ``**name.model_dump()`` (or a
# setattr loop over it; ``True``: an update, whose fields may be left out), and the key a
# keyword's (or an assignment's) value fills.
Splat = Callable[[str, Table, bool], list[_Key]]
Valued = Callable[[str, ast.expr, Table], "_Key | None"]


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


# -- what the route makes --------------------------------------------------------------------


def _creates(facts: ModuleFacts, route: Route, schema: Schema) -> list[_Create]:
    """The route's own writes of unchecked keys, then those of the project functions it
    hands the client's values to."""
    src = facts.source
    func = route.func
    bound = bindings(func)
    upstream = facts.upstream
    if upstream is None:
        return []

    def splat(name: str, table: Table, update: bool) -> list[_Key]:
        param = _body_param(facts, route, name)
        if param is None or param.annotation is None:
            return []
        out: list[_Key] = []
        for field in model_fields(upstream, src, param.annotation):
            read = _Read(name, field)
            optional = _optional_field(upstream, src, param.annotation, field)
            key = _key(schema, table, field, f"{name}.{field}", read, read, optional, update)
            if key is not None:
                out.append(key)
        return out

    def valued(attribute: str, value: ast.expr, table: Table) -> _Key | None:
        plain = _unconverted(value)
        read = _read_of(plain) if _sent(facts, route, plain, bound, 0) else None
        if read is None:
            return None
        return _key(schema, table, attribute, src.text_of(value), read, read, None, False)

    out: list[_Create] = []
    for site in _sites(src, func, schema, {}, splat, valued):
        found = _written(src, func, site, None)
        if found is None:
            continue
        write, session, duplicate = found
        keys = tuple(
            k
            for k in site.keys
            if not _checked(facts, src, func, k.read, site.anchor, write, k.parent_model)
        )
        if not keys:
            continue
        awaited = isinstance(src.up().get(write), ast.Await)
        site = _Site(site.anchor, site.model, keys, site.update)
        out.append(_Create(func, src, site, write, session, awaited, None, duplicate))
    out.extend(_helper_creates(facts, route, schema, upstream))
    return out


def _sites(
    src: Source,
    func: Function,
    schema: Schema,
    models: dict[str, str],
    splat: Splat,
    valued: Valued,
) -> list[_Site]:
    """The function's writes of foreign keys from the client's values, in source order
    (``models``: parameters a caller filled with a model class)."""
    bound = bindings(func)
    out: list[_Site] = []
    for call in _calls(src, func):
        model = models.get(dotted(call.func)) or model_named(src, call.func, schema)
        table = _orm_table(schema, model)
        if model is None or table is None:
            continue
        keys: list[_Key] = []
        for keyword in call.keywords:
            if keyword.arg is None:
                name = splatted(keyword.value, bound)
                keys += splat(name, table, False) if name is not None else []
            elif (key := valued(keyword.arg, keyword.value, table)) is not None:
                keys.append(key)
        if keys:
            out.append(_Site(call, model, tuple(keys), False))
    assigned: dict[str, tuple[ast.stmt, str, list[_Key]]] = {}
    for node in src.nodes_of(func):
        if src.function_of(node) is not func:
            continue
        if isinstance(node, ast.For):
            loop = _setattr_loop(node, bound)
            model = row_model(src, func, ast.Name(id=loop[1]), schema, 0) if loop else None
            table = _orm_table(schema, model)
            if loop is not None and model is not None and table is not None:
                keys = splat(loop[0], table, True)
                if keys:
                    out.append(_Site(node, model, tuple(keys), True))
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(target := node.targets[0], ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id not in ("self", "cls")
        ):
            row = target.value.id
            model = row_model(src, func, target.value, schema, 0)
            table = _orm_table(schema, model)
            key = valued(target.attr, node.value, table) if table is not None else None
            if model is not None and key is not None:
                first = assigned.setdefault(row, (node, model, []))
                first[2].append(key)
    out += [_Site(stmt, model, tuple(keys), True) for stmt, model, keys in assigned.values()]
    return sorted(out, key=lambda site: getattr(site.anchor, "lineno", 0))


def _orm_table(schema: Schema, model: str | None) -> Table | None:
    table = schema.table_for_model(model) if model is not None else None
    return table if table is not None and table.origin == "sqlalchemy" else None


def _setattr_loop(loop: ast.For, bound: dict[str, ast.expr]) -> tuple[str, str] | None:
    """``for key, value in data.dict(exclude_unset=True).items(): setattr(row, key, value)``:
    the body's and the row's names."""
    target, it = loop.target, loop.iter
    if not (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and all(isinstance(e, ast.Name) for e in target.elts)
        and isinstance(it, ast.Call)
        and isinstance(it.func, ast.Attribute)
        and it.func.attr == "items"
        and not it.args
    ):
        return None
    name, value = (e.id for e in target.elts)  # type: ignore[attr-defined]
    body = splatted(it.func.value, bound)
    if body is None:
        return None
    for stmt in loop.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and dotted(call.func) == "setattr"
            and len(call.args) == 3
            and isinstance(row := call.args[0], ast.Name)
            and [dotted(a) for a in call.args[1:]] == [name, value]
        ):
            return body, row.id
    return None


def _calls(src: Source, func: Function) -> list[ast.Call]:
    return sorted(
        (n for n in src.nodes_of(func) if isinstance(n, ast.Call) and n.keywords),
        key=lambda n: (n.lineno, n.col_offset),
    )


def _key(
    schema: Schema,
    table: Table,
    attribute: str,
    value: str,
    read: _Read,
    inner: _Read,
    optional: bool | None,
    update: bool,
) -> _Key | None:
    """The foreign key ``attribute`` of ``table`` is, to a model's primary key; ``optional``:
    whether the body model's field may be None (None: not known); ``update``: a field of an
    update's body, which may be left out."""
    column = table.columns.get(table.attributes.get(attribute, attribute))
    if column is None or not column.references or column.primary_key:
        return None
    parent = schema.table_named(column.references) or schema.table_for_model(column.references)
    if parent is None or parent.model is None or parent.origin != "sqlalchemy":
        return None
    keys = [c.name for c in parent.columns.values() if c.primary_key]
    if len(keys) != 1 or column.references_key != keys[0]:
        return None  # a key to another unique column, or to a composite one: not a get()
    may_be_none = (update or column.nullable is not False) and optional is not False
    return _Key(attribute, column, parent, parent.model, value, read, inner, may_be_none)


def _unconverted(value: ast.expr) -> ast.expr:
    """``payload["car_id"]`` of ``int(payload["car_id"])`` (or of ``.strip()``)."""
    while isinstance(value, ast.Call):
        if dotted(value.func) in _CONVERSIONS and len(value.args) == 1 and not value.keywords:
            value = value.args[0]
        elif isinstance(value.func, ast.Attribute) and value.func.attr in SAME_VALUE:
            value = value.func.value
        else:
            break
    return value


def _read_of(value: ast.expr) -> _Read | None:
    if isinstance(value, ast.Name):
        return _Read(value.id)
    if isinstance(value, ast.Attribute):
        return _Read(ast.unparse(value.value), value.attr)
    if isinstance(value, ast.Subscript):
        key = value.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return _Read(ast.unparse(value.value), key.value)
        return None
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and value.args
        and isinstance(value.args[0], ast.Constant)
        and isinstance(value.args[0].value, str)
    ):
        return _Read(ast.unparse(value.func.value), value.args[0].value)
    return None


def _sent(
    facts: ModuleFacts, route: Route, value: ast.expr, bound: dict[str, ast.expr], depth: int
) -> bool:
    """The value is what the client sent: read off the request (``request.json["x"]``, a
    local of ``request.get_json()``), the body model, a URL part or query parameter; not the
    signed-in user's id, nor a loaded row's own column."""
    if depth > 3:
        return False
    value = _unconverted(value)
    root: ast.expr = value
    steps = 0
    while True:
        if isinstance(root, ast.Attribute | ast.Subscript):
            root = root.value
        elif (
            isinstance(root, ast.Call)
            and isinstance(root.func, ast.Attribute)
            and root.func.attr == "get"
        ):
            root = root.func.value
        else:
            break
        steps += 1
    if isinstance(root, ast.Call) and dotted(root.func) == "request.get_json":
        return True
    if not isinstance(root, ast.Name):
        return False
    if root.id == "request":
        return route.framework == "flask" and steps >= 2  # ``request.json["x"]``
    if root.id in bound:
        return _sent(facts, route, bound[root.id], bound, depth + 1)
    if steps > 1:
        return False  # ``data.course.id``: a row the body model holds, not an id it sent
    if _body_param(facts, route, root.id) is not None:
        return True
    if steps == 1 and not _dict_param(route, root.id):
        return False  # ``user.id`` of a parameter that is no body: not a key it sent
    return keyed_by_client(root, route)


def _dict_param(route: Route, name: str) -> bool:
    """FastAPI's ``payload: dict`` (``Dict[str, Any]``): the JSON body as it came."""
    args = route.func.args
    param = next((a for a in [*args.args, *args.kwonlyargs] if a.arg == name), None)
    annotation = param.annotation if param is not None else None
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    return annotation is not None and dotted(annotation).rsplit(".", 1)[-1] in ("dict", "Dict")


def _body_param(facts: ModuleFacts, route: Route, name: str) -> ast.arg | None:
    """The route's parameter ``name`` when it holds the client's body model: FastAPI's body
    (or query) model, also when a dependency builds it from the form
    (``data: StudentIn = Depends(StudentIn.as_form)``, ``Depends()``); not a dependency's user
    or session, nor a table model."""
    args = route.func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    param = next((a for a in params if a.arg == name), None)
    if param is None or param.annotation is None or facts.upstream is None:
        return None
    found = facts.upstream.resolve_class(facts.source, param.annotation)
    if found is None or (facts.schema is not None and found[1].name in facts.schema.models):
        return None
    default = _default_of(route.func, param)
    if default is None or not _depends(default):
        return param if keyed_by_client(ast.Name(id=name), route) else None
    assert isinstance(default, ast.Call)
    if not default.args:
        return param  # ``Depends()``: FastAPI builds the class from the query
    maker = default.args[0]
    if isinstance(maker, ast.Attribute) and ast.unparse(maker.value) == ast.unparse(
        param.annotation
    ):
        return param  # ``Depends(StudentIn.as_form)``: the class's own builder of the form
    return None


def _default_of(func: Function, param: ast.arg) -> ast.expr | None:
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    if param in positional:
        at = positional.index(param) - (len(positional) - len(args.defaults))
        return args.defaults[at] if at >= 0 else None
    if param in args.kwonlyargs:
        return args.kw_defaults[args.kwonlyargs.index(param)]
    return None


def _depends(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and dotted(node.func).rsplit(".", 1)[-1] in (
        "Depends",
        "Security",
    )


def _optional_field(
    upstream: UpstreamCalls, source: Source, annotation: ast.expr, field: str
) -> bool | None:
    """Whether the body model's ``field`` may be None (``Optional[int]``, ``int | None``, a
    None default); None when the field is not found."""
    todo = [upstream.resolve_class(source, annotation)]
    seen: set[int] = set()
    while todo:
        here = todo.pop(0)
        if here is None or id(here[1]) in seen or len(seen) > 4:
            continue
        seen.add(id(here[1]))
        src, cls = here
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == field
            ):
                written = ast.unparse(stmt.annotation)
                default = stmt.value
                none_default = isinstance(default, ast.Constant) and default.value is None
                return "Optional" in written or "None" in written or none_default
        todo.extend(upstream.resolve_class(src, base) for base in cls.bases)
    return None


# -- looked up first? -----------------------------------------------------------------------


def _checked(
    facts: ModuleFacts,
    src: Source,
    func: Function,
    read: _Read,
    site: ast.AST,
    write: ast.AST,
    parent: str,
) -> bool:
    """Something before the write looks the value up (outside the site itself): a call it is
    handed to (``db.get(Course, data.course_id)``, ``filter(Course.id == ...)``,
    ``get_course(db, ...)``), an ``in`` test, a loop over it, the body handed whole to a
    project function; or one of the route's dependencies or decorators reads the parent's
    model."""
    if _looked_up_in(src, func, [read], site, write, facts.upstream):
        return True
    route = next((r for r in facts.routes if r.func is func), None)
    return route is not None and _dependency_reads(facts, route, parent)


def _looked_up_in(
    src: Source,
    func: Function,
    reads: list[_Read],
    site: ast.AST,
    before: ast.AST,
    upstream: UpstreamCalls | None,
) -> bool:
    """A read of the value before ``before`` (not in ``site``) that may look it up."""
    up = src.up()
    stop = (getattr(before, "lineno", 0), getattr(before, "col_offset", 0))
    inside = {id(n) for n in ast.walk(site)}
    reads = [*reads, *_aliases(func, reads), *_origins(func, reads)]
    for node in src.nodes_of(func):
        at = (getattr(node, "lineno", stop[0]), getattr(node, "col_offset", stop[1]))
        if at >= stop or id(node) in inside or src.function_of(node) is not func:
            continue
        if any(r.matches(node) for r in reads) and _handed_on(node, up):
            return True
        if isinstance(node, ast.Name) and upstream is not None:
            # ``validate_refs(db, data)``: the whole body handed to a project function
            roots = {r.root for r in reads if r.key is not None}
            parent = up.get(node)
            if (
                node.id in roots
                and isinstance(parent, ast.Call)
                and node in parent.args
                and upstream.callee(src, parent) is not None
            ):
                return True
    return False


def _aliases(func: Function, reads: list[_Read]) -> list[_Read]:
    """``cid = int(data.course_id)``: the locals bound (once) to the value itself."""
    return [
        _Read(name)
        for name, value in bindings(func).items()
        if any(r.matches(_unconverted(value)) for r in reads)
    ]


def _origins(func: Function, reads: list[_Read]) -> list[_Read]:
    """``data["car_id"]`` of ``car_id = data["car_id"]``: what a local the value is read
    from was bound to, which a lookup may read instead."""
    bound = bindings(func)
    out: list[_Read] = []
    for read in reads:
        value = bound.get(read.root) if read.key is None else None
        origin = _read_of(_unconverted(value)) if value is not None else None
        if origin is not None:
            out.append(origin)
    return out


def _handed_on(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """The read is an argument (or inside one) of a call that is no plain conversion or log
    line, the left side of an ``in`` test, or what a loop walks."""
    child, current = node, up.get(node)
    while current is not None:
        if isinstance(current, ast.For | ast.AsyncFor | ast.comprehension):
            return child is current.iter  # ``for key in (data.course_id, ...)``: each is used
        if isinstance(current, ast.stmt):
            return False
        if isinstance(current, ast.Call) and child is not current.func:
            name = dotted(current.func).rsplit(".", 1)[-1]
            if name not in _PLAIN:
                return True
        if isinstance(current, ast.Compare) and any(
            isinstance(op, ast.In | ast.NotIn) for op in current.ops
        ):
            return True
        child, current = current, up.get(current)
    return False


def _dependency_reads(facts: ModuleFacts, route: Route, parent: str) -> bool:
    """A dependency of the route (``course: Course = Depends(valid_course)``) or one of its
    decorators names the parent's model: it may have looked the value up."""
    upstream = facts.upstream
    func = route.func
    args = func.args
    for param in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if param.annotation is not None and _names(param.annotation, parent):
            return True
        default = _default_of(func, param)
        if default is not None and _depends(default):
            assert isinstance(default, ast.Call)
            if default.args and _function_names(facts, default.args[0], parent):
                return True
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if upstream is not None and _function_names(facts, target, parent):
            return True
    return False


def _function_names(facts: ModuleFacts, node: ast.expr, parent: str) -> bool:
    if facts.upstream is None:
        return False
    found = facts.upstream.resolve(facts.source, node)
    return found is not None and _names(found[1], parent)


def _names(node: ast.AST, name: str) -> bool:
    return any(_is_named(n, name) for n in ast.walk(node))


def _is_named(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def _names_before(src: Source, func: Function, name: str, at: ast.AST) -> bool:
    line = getattr(at, "lineno", 0)
    return any(getattr(n, "lineno", line) < line and _is_named(n, name) for n in src.nodes_of(func))


# -- written where? -------------------------------------------------------------------------


def _written(
    src: Source, func: Function, site: _Site, sessions: dict[str, str] | None
) -> tuple[ast.Call, str, ast.ExceptHandler | None] | None:
    """The row is committed (flushed) after the site, added to a session first where it is
    made, with nothing around the write to answer the error (or only a duplicate's answer):
    the write, the session as the route holds it (``sessions`` maps a project function's
    parameters to the route's arguments), and that duplicate's ``except``."""
    call = site.anchor
    if isinstance(call, ast.Call) and not site.update and not _added(src, func, call):
        return None
    up = src.up()
    end = (getattr(call, "end_lineno", 0) or 0, getattr(call, "end_col_offset", 0) or 0)
    writes = sorted(
        (
            n
            for n in src.nodes_of(func)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in _WRITES
            and not n.args
            and (n.lineno, n.col_offset) >= end
            and session_like(n.func.value)
            and src.function_of(n) is func
        ),
        key=lambda n: (n.lineno, n.col_offset),
    )
    if not writes:
        return None
    write = writes[0]
    assert isinstance(write.func, ast.Attribute)
    receiver = dotted(write.func.value)
    if not receiver:
        return None
    root, _, rest = receiver.partition(".")
    if sessions is not None:
        if root in sessions:
            receiver = sessions[root] + (f".{rest}" if rest else "")
        elif not _module_level(src, root):
            return None
    elif not _bound_before(src, func, root, call):
        return None
    duplicate: ast.ExceptHandler | None = None
    for handler in _handlers_around(write, up):
        names = handler_names(handler)
        if names & _GUARDS:
            if not _answers_duplicate(handler):
                return None
            duplicate = duplicate or handler
        elif names & _BROAD and not answers_server_error(handler):
            return None
    return write, receiver, duplicate


def _added(src: Source, func: Function, call: ast.Call) -> bool:
    """``session.add(row)`` (``add_all``, ``merge``) of the row ``call`` makes, or of the
    call itself."""
    up = src.up()
    parent = up.get(call)
    if isinstance(parent, ast.Call) and _adds(parent) and call in parent.args:
        return True
    stmt = enclosing_statement(call, up)
    if not (
        isinstance(stmt, ast.Assign | ast.AnnAssign)
        and stmt.value is call
        and (targets := stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
        and len(targets) == 1
        and isinstance(targets[0], ast.Name)
    ):
        return False
    name = targets[0].id
    return any(
        isinstance(n, ast.Call)
        and _adds(n)
        and any(isinstance(a, ast.Name) and a.id == name for arg in n.args for a in ast.walk(arg))
        for n in src.nodes_of(func)
        if getattr(n, "lineno", 0) >= call.lineno
    )


def _adds(call: ast.Call) -> bool:
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr in ("add", "add_all", "merge")
        and session_like(call.func.value)
    )


def _bound_before(src: Source, func: Function, name: str, at: ast.AST) -> bool:
    """``name`` means the same where the lookup goes (before ``at``): a parameter, a module
    name, or a local bound before it (``with Session() as db:``)."""
    args = func.args
    if name in {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}:
        return True
    line = getattr(at, "lineno", 0)
    for node in src.nodes_of(func):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            return node.lineno < line
    return _module_level(src, name)


def _module_level(source: Source, name: str) -> bool:
    if name in imported_names(source):
        return True
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        for module in source.modules
        for node in module.body
    )


def _handlers_around(node: ast.AST, up: dict[ast.AST, ast.AST]) -> list[ast.ExceptHandler]:
    out: list[ast.ExceptHandler] = []
    child, current = node, up.get(node)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try) and child in current.body:
            out.extend(current.handlers)
        child, current = current, up.get(current)
    return out


def _answers_duplicate(handler: ast.ExceptHandler) -> bool:
    """The ``except`` answers 409, or says the value exists (``"... already exists"``)."""
    for node in ast.walk(handler):
        if isinstance(node, ast.expr) and status_code(node) == 409:
            return True
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _DUPLICATE.search(node.value)
        ):
            return True
    return False


# -- through a project function -------------------------------------------------------------


def _helper_creates(
    facts: ModuleFacts, route: Route, schema: Schema, upstream: UpstreamCalls
) -> list[_Create]:
    """The route hands the client's body (or a field of it) to a project function that writes
    the row with it and commits: ``expense_crud.create_salary_expense(db, expense)``."""
    src = facts.source
    bound = bindings(route.func)
    out: list[_Create] = []
    calls = sorted(
        (n for n in src.nodes_of(route.func) if isinstance(n, ast.Call) and (n.args or n.keywords)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    args = route.func.args
    names = {
        a.arg
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if keyed_by_client(ast.Name(id=a.arg), route) or _body_param(facts, route, a.arg)
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
                param = _body_param(facts, route, arg.id)
                if param is not None and param.annotation is not None:
                    return tuple(model_fields(upstream, src, param.annotation)) or None
            if not _sent(facts, route, arg, bound, 0):
                return False
            return None

        def held(arg: ast.expr) -> str | None:
            return dotted(arg) or None

        frame = callee_frame(upstream, schema, *target, call, client, held, src)
        if frame is None:
            continue
        written = {p: (src, a) for p, a in _filled(target[1], call)}
        found = _create_in(upstream, frame, schema, 1, written, {id(route.func)})
        if found is None:
            continue
        keys = tuple(
            k
            for k in found.site.keys
            if not _looked_up_in(src, route.func, [k.read], call, call, upstream)
            and not _dependency_reads(facts, route, k.parent_model)
        )
        if not keys or _caught_at(src, call):
            continue
        site = _Site(found.site.anchor, found.site.model, keys, found.site.update)
        out.append(
            _Create(
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
    value = _unconverted(value)
    while isinstance(value, ast.Attribute | ast.Subscript | ast.Call):
        value = value.func if isinstance(value, ast.Call) else value.value
    return isinstance(value, ast.Name) and value.id in names


def _filled(func: Function, call: ast.Call) -> list[tuple[str, ast.expr]]:
    """The callee's parameters the call fills, with what."""
    positional = [*func.args.posonlyargs, *func.args.args]
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    names = {a.arg for a in [*positional, *func.args.kwonlyargs]}
    out = [(p.arg, a) for p, a in zip(positional, call.args, strict=False)]
    out += [(str(k.arg), k.value) for k in call.keywords if k.arg in names]
    return [(p, a) for p, a in out if not isinstance(a, ast.Starred)]


def _caught_at(src: Source, call: ast.Call) -> bool:
    """A ``try`` around the route's call takes the error (a duplicate's answer aside)."""
    for handler in _handlers_around(call, src.up()):
        names = handler_names(handler)
        if names & _GUARDS and not _answers_duplicate(handler):
            return True
        if names & _BROAD and not answers_server_error(handler):
            return True
    return False


# What the route passed for a parameter of a function on the way: its module and the argument.
Passed = dict[str, tuple[Source, ast.expr]]


def _create_in(
    upstream: UpstreamCalls,
    frame: Frame,
    schema: Schema,
    depth: int,
    written: Passed,
    seen: set[int],
) -> _Create | None:
    """The frame's own write of a foreign key from the client's value, unchecked there, or
    one a call of it reaches; ``written``: what the route wrote for each of the frame's
    parameters."""
    func, src = frame.func, frame.source
    if id(func) in seen:
        return None
    seen = seen | {id(func)}
    bound = bindings(func)
    splat, valued = _frame_readers(frame, schema, written, upstream)
    for site in _sites(src, func, schema, frame.models, splat, valued):
        found = _written(src, func, site, frame.sessions)
        if found is None:
            continue
        write, session, duplicate = found
        keys = tuple(
            k
            for k in site.keys
            if not _looked_up_in(src, func, [k.inner], site.anchor, write, upstream)
        )
        if not keys:
            continue
        awaited = isinstance(src.up().get(write), ast.Await)
        site = _Site(site.anchor, site.model, keys, site.update)
        return _Create(func, src, site, write, session, awaited, None, duplicate)
    if depth >= _MAX_DEPTH:
        return None
    for node in sorted(
        (n for n in src.nodes_of(func) if isinstance(n, ast.Call)), key=lambda n: n.lineno
    ):
        target = upstream.callee(src, node)
        if target is None:
            continue

        def sent(arg: ast.expr) -> tuple[str, ...] | bool | None:
            if not from_client(arg, frame.client, bound, 0):
                return False
            return frame.client.get(arg.id) if isinstance(arg, ast.Name) else None

        def held(arg: ast.expr) -> str | None:
            root, _, rest = dotted(arg).partition(".")
            if root in frame.sessions:
                return frame.sessions[root] + (f".{rest}" if rest else "")
            return None

        deeper = callee_frame(upstream, schema, *target, node, sent, held, src)
        if deeper is None:
            continue
        passed = {
            p: written[a.id]
            for p, a in _filled(target[1], node)
            if isinstance(a, ast.Name) and a.id in written
        }
        inner = _create_in(upstream, deeper, schema, depth + 1, passed, seen)
        if inner is None or _caught_at(src, node):
            continue
        # the service on the way names the value by its own parameters: any mention of the
        # parent's model before the call may be its lookup
        keys = tuple(
            k for k in inner.site.keys if not _names_before(src, func, k.parent_model, node)
        )
        if keys:
            site = _Site(inner.site.anchor, inner.site.model, keys, inner.site.update)
            return _Create(
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


def _frame_readers(
    frame: Frame, schema: Schema, written: Passed, upstream: UpstreamCalls
) -> tuple[Splat, Valued]:
    """How a project function's sites read the client's values: off its parameters that hold
    them, each value spelled as the route wrote it (what the route passed as a name, or as
    ``data.course_id`` for a parameter of its own), so that the lookup reads it there."""

    def splat(name: str, table: Table, update: bool) -> list[_Key]:
        fields = frame.client.get(name)
        given = written.get(name)
        if not fields or given is None or not isinstance(given[1], ast.Name):
            return []
        outer = given[1].id
        out: list[_Key] = []
        for field in fields:
            optional = _field_optional(frame, upstream, name, field)
            read, inner = _Read(outer, field), _Read(name, field)
            key = _key(schema, table, field, f"{outer}.{field}", read, inner, optional, update)
            if key is not None:
                out.append(key)
        return out

    def valued(attribute: str, value: ast.expr, table: Table) -> _Key | None:
        plain = _unconverted(value)
        inner = _read_of(plain)
        if inner is None or inner.root not in frame.client:
            return None
        given = written.get(inner.root)
        if given is None:
            return None
        route_src, arg = given
        if inner.key is None:
            # ``Cart(user_id=user_id)`` of the route's ``cart_create.user_id``
            outer = _read_of(_unconverted(arg))
            text = route_src.text_of(arg)
        elif isinstance(arg, ast.Name) and isinstance(plain, ast.Attribute):
            outer, text = _Read(arg.id, inner.key), f"{arg.id}.{inner.key}"
        else:
            return None  # a dict's key: the route's own spelling is not known
        if outer is None:
            return None
        return _key(schema, table, attribute, text, outer, inner, None, False)

    return splat, valued


def _field_optional(frame: Frame, upstream: UpstreamCalls, param: str, field: str) -> bool | None:
    func = frame.func
    arg = next((a for a in [*func.args.args, *func.args.kwonlyargs] if a.arg == param), None)
    if arg is None or arg.annotation is None:
        return None
    return _optional_field(upstream, frame.source, arg.annotation, field)


# -- the fix --------------------------------------------------------------------------------


def _suggestion(
    facts: ModuleFacts, route: Route, create: _Create, enforced: str
) -> Suggestion | None:
    src = facts.source
    at = create.at if create.at is not None else create.site.anchor
    stmt = at if isinstance(at, ast.stmt) else enclosing_statement(at, facts.up)
    if stmt is None or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    if in_server_error_try(stmt, facts.up) is not None:
        return None  # its ``except Exception`` would answer the 404 with a 500
    indent = src.indent_of(stmt.lineno - 1)
    lines: list[str] = []
    needed: list[tuple[str, str]] = []
    quote = string_quote(src, route.func)
    for key in create.site.keys:
        made = _lookup(facts, route, create, key, indent, quote)
        if made is None:
            return None
        text, imports = made
        lines.append(text)
        needed.extend(imports)
        model_import = _model_import(facts, key.parent_model)
        if model_import is None:
            return None
        needed.extend(model_import)
    edits: list[Edit] = [
        *ensure_imports(src, list(dict.fromkeys(needed))),
        insert_before_line(src, stmt.lineno - 1, "\n".join(lines)),
    ]
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(_shown(at)),
        f"Answer 404 when {_listed([k.attribute for k in create.site.keys], 'or')} names no row",
        _rationale(facts, route, create, enforced),
        tuple(edits),
    )


def _shown(at: ast.AST) -> ast.AST:
    """What the suggestion points at: a loop's ``data.dict(...).items()``, an assignment's
    target, else the node."""
    if isinstance(at, ast.For):
        return at.iter
    if isinstance(at, ast.Assign):
        return at.targets[0]
    return at


def _rationale(facts: ModuleFacts, route: Route, create: _Create, enforced: str) -> str:
    site = create.site
    keys = site.keys
    plural = len(keys) > 1
    attrs = _listed([k.attribute for k in keys])
    held = f"foreign key{'s' if plural else ''} to {_listed([k.parent.name for k in keys])}"
    values = f"the client's {attrs}" if create.at is None else "them" if plural else "it"
    if site.update:
        does = f"writes {values} into {_a(site.model)}"
    else:
        does = f"makes {_a(site.model)} with {values}"
    if create.at is None:
        lead = f"`{route.func.name}` {does} ({held}) and commits"
    else:
        where = os.path.relpath(create.source.path, os.path.dirname(facts.source.path))
        lead = (
            f"`{route.func.name}` hands the client's {attrs} to `{dotted(create.at.func)}` "
            f"(in {where}), which {does} ({held}) and commits"
        )
    nouns = _listed([model_noun(k.parent_model).lower() for k in keys], "or")
    change = "update" if site.update else "create"
    why = (
        f"{lead} without looking {'those rows' if plural else 'that row'} up: an id no row "
        f"has makes the commit raise IntegrityError on {enforced}, which enforces foreign "
        f"keys, a 500 where the client named {_a(nouns)} that does not exist. A lookup of "
        f"{'each' if plural else 'it'} before the {change} answers 404 naming the missing id."
    )
    optional = [k.attribute for k in keys if k.may_be_none]
    if optional:
        several = len(optional) > 1
        left = "may be left out" if site.update else "are nullable" if several else "is nullable"
        pronoun = "each" if several else "it"
        why += f" {_listed(optional)} {left}: {pronoun} is looked up only when given."
    if create.duplicate is not None:
        why += (
            " The `except` around the commit answers the IntegrityError as a duplicate: an "
            "unknown id is a foreign-key violation, which it would report as a taken value."
        )
    return why


def _lookup(
    facts: ModuleFacts,
    route: Route,
    create: _Create,
    key: _Key,
    indent: str,
    quote: str,
) -> tuple[str, list[tuple[str, str]]] | None:
    """The statement looking ``key``'s parent up (at ``indent``), answering 404 without it."""
    value = key.value
    other = "'" if quote == '"' else '"'
    if quote in value:
        quote, other = other, quote
        if quote in value:
            return None
    label = key.parent_model
    message = f"f{quote}{model_noun(label)} {{{value}}} not found{quote}"
    session = create.session
    awaited = "await " if create.awaited else ""
    model = key.parent_model
    if route.framework == "fastapi":
        version = facts.package_version("sqlalchemy") if facts.package_version else None
        got = (
            f"{awaited}{session}.query({model}).get({value})"
            if version is not None and version < (1, 4) and not awaited
            else f"{awaited}{session}.get({model}, {value})"
        )
        answer, needed = _fastapi_answer(facts, route, model, message)
        if answer is None:
            return None
        return _if(indent, key, f"{got} is None", answer), needed
    # Flask: the module's own answer to a missing row of the model, else Flask-SQLAlchemy's
    # ``get_or_404``, else ``abort(404)``
    own = _module_guard(facts, route, model)
    flask_db = _flask_sqlalchemy_db(facts, session)
    if flask_db is not None and not awaited:
        major = facts.flask_sqlalchemy_major
        newer = major is not None and major >= _DB_GET_OR_404
        if not newer and not _query_model(key.parent):
            return None
        if own is not None:
            got = (
                f"{flask_db}.session.get({model}, {value})"
                if newer
                else f"{model}.query.get({value})"
            )
            return _if(indent, key, f"{got} is None", own), []
        if newer:
            text = f"{flask_db}.get_or_404({model}, {value}, description={message})"
        else:
            text = f"{model}.query.get_or_404({value})"  # Flask-SQLAlchemy 2's, on every model
        if key.may_be_none:
            return f"{indent}if {value} is not None:\n{_laid_out(indent + '    ', text)}", []
        return _laid_out(indent, text), []
    version = facts.package_version("sqlalchemy") if facts.package_version else None
    if version is not None and version < (1, 4):
        return None  # no ``Session.get`` before 1.4
    got = f"{awaited}{session}.get({model}, {value})"
    if own is not None:
        return _if(indent, key, f"{got} is None", own), []
    bound = _bound_as(facts, "flask.abort")
    if bound is None and "abort" in facts.imports:
        return None  # another ``abort`` (Flask-RESTful's) takes other arguments
    answer = f"{bound or 'abort'}(404, description={message})"
    return _if(indent, key, f"{got} is None", answer), [] if bound else [("flask", "abort")]


def _if(indent: str, key: _Key, test: str, answer: str) -> str:
    """``if <test>:`` + the answer, as ruff would lay them out."""
    if key.may_be_none:
        test = f"{key.value} is not None and {test}"
    head = f"{indent}if {test}:"
    if len(head) > LINE_LENGTH and key.may_be_none:
        first, _, second = test.partition(" and ")
        head = f"{indent}if (\n{indent}    {first}\n{indent}    and {second}\n{indent}):"
    return f"{head}\n{_laid_out(indent + '    ', answer)}"


def _laid_out(indent: str, stmt: str) -> str:
    """A one-call statement (``raise HTTPException(...)``, ``db.get_or_404(...)``) at
    ``indent`` as ruff writes it: on one line, else its arguments on one line of their own,
    else one per line with a trailing comma."""
    line = f"{indent}{stmt}"
    if len(line) <= LINE_LENGTH or not stmt.endswith(")") or "(" not in stmt:
        return line
    call, _, args = stmt.partition("(")
    inner = f"{indent}    {args[:-1]}"
    if len(inner) <= LINE_LENGTH:
        return f"{indent}{call}(\n{inner}\n{indent})"
    listed = "".join(f"{indent}    {p.strip()},\n" for p in _split_arguments(args[:-1]))
    return f"{indent}{call}(\n{listed}{indent})"


def _split_arguments(text: str) -> list[str]:
    """``status_code=404, detail=f"..."`` -> its two arguments (commas in strings kept)."""
    try:
        call = ast.parse(f"f({text})", mode="eval").body
    except SyntaxError:
        return [text]
    assert isinstance(call, ast.Call)
    return [ast.get_source_segment(f"f({text})", n) or "" for n in [*call.args, *call.keywords]]


def _fastapi_answer(
    facts: ModuleFacts, route: Route, model: str, message: str
) -> tuple[str | None, list[tuple[str, str]]]:
    """``raise HTTPException(status_code=404, detail=...)`` as the module names them (or its
    own answer to a missing row of the model)."""
    own = _module_guard(facts, route, model)
    if own is not None:
        return own, []
    exception = _bound_as(facts, "fastapi.HTTPException") or _bound_as(
        facts, "starlette.exceptions.HTTPException"
    )
    needed: list[tuple[str, str]] = []
    if exception is None:
        if "HTTPException" in facts.imports:
            return None, []
        exception, needed = "HTTPException", [("fastapi", "HTTPException")]
    status = _bound_as(facts, "fastapi.status") or _bound_as(facts, "starlette.status")
    code = f"{status}.HTTP_404_NOT_FOUND" if status else "404"
    return f"raise {exception}(status_code={code}, detail={message})", needed


def _module_guard(facts: ModuleFacts, route: Route, model: str) -> str | None:
    """The module's own answer after another lookup of ``model`` finds nothing (``if not
    course: abort(404, message="...")``, row_guards), where it is a 404."""
    probe = ast.parse(f"db.session.get({model}, key)", mode="eval").body
    assert isinstance(probe, ast.Call)
    found = app_guard(facts, probe, route)
    if found is None:
        return None
    written = ast.parse(found[1]).body[0]
    codes = {status_code(n) for n in ast.walk(written) if isinstance(n, ast.expr)}
    return found[1] if 404 in codes else None


def _flask_sqlalchemy_db(facts: ModuleFacts, session: str) -> str | None:
    """``db`` of ``db.session``, the module's Flask-SQLAlchemy object."""
    owner, _, attr = session.rpartition(".")
    if attr != "session" or "." in owner or not owner or not facts.can_import("flask_sqlalchemy"):
        return None
    return owner if _module_level(facts.source, owner) else None


def _query_model(table: Table) -> bool:
    """A Flask-SQLAlchemy model (``class Course(db.Model)``), which has ``Course.query``."""
    return any(b.rsplit(".", 1)[-1] == "Model" for b in table.base_exprs)


def _model_import(facts: ModuleFacts, model: str) -> list[tuple[str, str]] | None:
    """What the module must import to name ``model``: nothing where it binds it, else from
    a module it imports models from that binds it too (``from app.models import ...``), or
    the parent's own module beside one of them; None where neither is known."""
    src = facts.source
    if model in imported_names(src) or any(
        isinstance(n, ast.ClassDef) and n.name == model for m in src.modules for n in m.body
    ):
        return []
    upstream = facts.upstream
    schema = facts.schema
    if upstream is None or schema is None:
        return None
    parent = schema.table_for_model(model)
    if parent is None:
        return None
    modules = {
        module
        for local in imported_names(src)
        if local in schema.models
        for module, _name in imported_from(src, local)
    }
    for module in sorted(modules):
        for path in upstream.module_files_of(src.path, module):
            loaded = upstream.loader(path)
            if loaded is not None and _binds(loaded, model):
                return [(module, model)]
    for module in sorted(modules):
        for path in upstream.module_files_of(src.path, module):
            if os.path.dirname(path) == os.path.dirname(parent.path) and path.endswith(".py"):
                if os.path.basename(path) == "__init__.py":
                    continue
                stem = os.path.splitext(os.path.basename(parent.path))[0]
                head = module.rpartition(".")[0]
                dots = module[: len(module) - len(module.lstrip("."))]
                sibling = f"{head}.{stem}" if head else f"{dots}{stem}"
                return [(sibling, model)]
    return None


def _binds(source: Source, name: str) -> bool:
    return name in imported_names(source) or any(
        isinstance(n, ast.ClassDef) and n.name == name for m in source.modules for n in m.body
    )


def _bound_as(facts: ModuleFacts, target: str) -> str | None:
    return next((k for k, v in facts.imports.items() if v == target), None)


def _listed(names: list[str], last: str = "and") -> str:
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
