"""BKD315 through a CRUD function: the route hands the client's body (or a field of it) to a
project function (``crud.create_entry(db=db, entry=entry)``) that makes the row with the
client's value in a unique column and commits; a duplicate is the same IntegrityError, the
same 500, as in the route.

Followed one or two calls deep (route -> service -> crud), each call's arguments mapped onto
the callee's parameters: which hold the client's value (the body, a field, a local made of
them, a loop over a list of them), and which the route's session. Inside, a keyword read off
such a parameter (``Sender(email=email)`` of ``for email in newsletter.sender_emails``) or
``**param.model_dump()`` of a body model with the field fills the column; the callee's
commit must follow, and nothing on the way may catch it or look the value up first (a query
by the column, a call named for it). The answer is the route's to give (it alone knows
HTTP), so the fix wraps the route's call and rolls back the session the route passed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from .body_converters import converted_fields
from .create_reads import (
    CAUGHT,
    bindings,
    commit_after,
    dumped_name,
    looked_up,
    model_fields,
    model_named,
    read_root,
    sent_as_is,
    unique,
)
from .crud_generics import receiver_model
from .frameworks import ModuleFacts, Route
from .pysource import Source, dotted, imported_names
from .schema import Schema, Table
from .try_blocks import caught
from .upstream_calls import UpstreamCalls

_MAX_DEPTH = 2  # route -> service -> crud
Function = ast.FunctionDef | ast.AsyncFunctionDef
# A parameter that holds the client's value, and the fields of its body model (where known:
# the callee's own annotation, else the route's for the argument it passed, or what a
# converter of the body filled).
Typed = tuple[str, ...] | None


@dataclass(frozen=True)
class HelperCreate:
    call: ast.Call  # the route's call that reaches the create
    helper: str  # the callee's name, as the route calls it
    path: str  # the module the create is in
    model: str
    column: str
    session: str  # the route's session, as it passed it (``db``, ``db.session``)
    awaited: bool  # the commit is awaited: so is the rollback
    # The callee commits before it makes the row too (the newsletter, then its senders): the
    # rollback cannot take back what that commit saved.
    committed_before: bool
    # The route made the row itself and hands it on (``User.model_validate(user)``), as written
    made: str = ""


@dataclass(frozen=True)
class _Found:
    model: str
    column: str
    path: str
    session: str  # as the route holds it, or the module-level name both modules bind
    shared: bool  # a module-level session (Flask-SQLAlchemy's ``db``), not one passed
    awaited: bool
    committed_before: bool


@dataclass(frozen=True)
class Frame:
    """One function on the way: which of its names hold the client's value, and which its
    route's session (as the route writes it)."""

    source: Source
    func: Function
    client: dict[str, Typed]
    sessions: dict[str, str]
    # Parameters the caller filled with a model class (``ResourceModel`` of a generic
    # ``create_resource_item(db, UserModel, item)``): the model each stands for.
    models: dict[str, str]


def helper_create(facts: ModuleFacts, route: Route, schema: Schema) -> HelperCreate | None:
    """The route's first call that reaches an unanswered create of the client's value."""
    upstream = facts.upstream
    if upstream is None:
        return None
    bound = bindings(route.func)
    params = {a.arg: a for a in [*route.func.args.args, *route.func.args.kwonlyargs]}
    calls = sorted(
        (
            n
            for n in facts.source.nodes_of(route.func)
            if isinstance(n, ast.Call) and (n.args or n.keywords)
        ),
        key=lambda n: n.lineno,
    )
    for call in calls:
        target = upstream.callee(facts.source, call)
        if target is None or facts.is_route(target[1]):
            continue

        def client(arg: ast.expr) -> Typed | bool:
            given = params.get(arg.id) if isinstance(arg, ast.Name) else None
            if given is not None and _session_typed(given):
                return False  # ``db: Session = db_dependency``: injected, not the client's
            if not sent_as_is(arg, route, bound, 0):
                # ``user_db = to_db_schema(user)``: a converter that copies the body's fields
                made = bound.get(arg.id) if isinstance(arg, ast.Name) else None
                copied = converted_fields(upstream, facts.source, made, route, bound)
                return tuple(copied) if copied else False
            if given is not None and given.annotation is not None:
                return tuple(model_fields(upstream, facts.source, given.annotation)) or None
            return None

        def held(arg: ast.expr) -> str | None:
            return dotted(arg) or None

        frame = callee_frame(upstream, schema, *target, call, client, held, facts.source)
        if frame is None:
            continue
        model = receiver_model(upstream, schema, facts.source, call)
        if model is not None:
            frame.models["self.model"] = model  # ``CRUDBase.create``'s ``self.model(...)``
        found = _create_in(upstream, frame, schema, 1, {id(route.func)})
        if found is None or caught(call, facts.up, CAUGHT) or looked_up(route.func, found.column):
            continue
        if found.shared and not module_level(facts.source, found.session.split(".")[0]):
            continue
        return HelperCreate(
            call,
            dotted(call.func),
            found.path,
            found.model,
            found.column,
            found.session,
            found.awaited,
            found.committed_before,
        )
    return None


def _session_typed(param: ast.arg) -> bool:
    """A parameter annotated as a database session (``Session``, ``AsyncSession``): what
    its default is (``Depends(get_db)``, an app's ``db_dependency`` object), it is no body."""
    annotation = param.annotation
    if (
        isinstance(annotation, ast.Subscript)
        and dotted(annotation.value).endswith("Annotated")
        and isinstance(annotation.slice, ast.Tuple)
    ):
        annotation = annotation.slice.elts[0]  # ``Annotated[Session, Depends(get_db)]``
    return annotation is not None and dotted(annotation).rsplit(".", 1)[-1].endswith("Session")


def callee_frame(
    upstream: UpstreamCalls,
    schema: Schema,
    source: Source,
    func: ast.AST,
    call: ast.Call,
    client: Callable[[ast.expr], Typed | bool],
    session: Callable[[ast.expr], str | None],
    caller: Source | None = None,
) -> Frame | None:
    """The callee's frame: its parameters the call fills with the client's value, with the
    session (``client``/``session`` read one argument of the caller) and with a model class
    of the caller's (``caller``: the module the call is in)."""
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) or func.name == "__init__":
        return None
    filled = filled_parameters(func, call)
    clients: dict[str, Typed] = {}
    sessions: dict[str, str] = {}
    models: dict[str, str] = {}
    for param, arg in filled:
        sent = client(arg)
        if sent is not False:
            # The callee's own annotation, unless it names no project model (a generic
            # ``item: BaseModel``): then what the caller passed.
            own = (
                tuple(model_fields(upstream, source, param.annotation))
                if param.annotation is not None
                else ()
            )
            clients[param.arg] = own or (sent if isinstance(sent, tuple) else None)
            continue
        model = model_named(caller, arg, schema) if caller is not None else None
        if model is not None:
            models[param.arg] = model
            continue
        held = session(arg)
        if isinstance(held, str):
            sessions[param.arg] = held
    if not clients:
        return None
    return Frame(source, func, clients, sessions, models)


def filled_parameters(func: Function, call: ast.Call) -> list[tuple[ast.arg, ast.expr]]:
    """The callee's parameters (but ``self``, ``cls``) the call fills, with what."""
    positional = [*func.args.posonlyargs, *func.args.args]
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    by_name = {a.arg: a for a in [*positional, *func.args.kwonlyargs]}
    filled: list[tuple[ast.arg, ast.expr]] = [
        (p, arg)
        for p, arg in zip(positional, call.args, strict=False)
        if not isinstance(arg, ast.Starred)
    ]
    filled += [(by_name[k.arg], k.value) for k in call.keywords if k.arg in by_name]
    return filled


def _create_in(
    upstream: UpstreamCalls, frame: Frame, schema: Schema, depth: int, seen: set[int]
) -> _Found | None:
    """The frame's own unanswered create of the client's value, or one a call of it
    reaches."""
    func, src = frame.func, frame.source
    if id(func) in seen:
        return None
    seen = seen | {id(func)}
    bound = bindings(func)
    client = _with_loops(func, frame.client, bound)
    calls = sorted(
        (n for n in src.nodes_of(func) if isinstance(n, ast.Call)), key=lambda n: n.lineno
    )
    for node in calls:
        written = dotted(node.func)
        model = frame.models.get(written) or written.rsplit(".", 1)[-1]
        table = schema.table_for_model(model) if model in schema.models else None
        if table is None:
            continue
        column = _unique_from(node, table, client, bound)
        if column is None or looked_up(func, column):
            continue
        commit = commit_after(func, node)
        if commit is None or caught(commit, src.up(), CAUGHT):
            continue
        session = _route_side(frame, commit)
        if session is None:
            continue
        awaited = isinstance(src.up().get(commit), ast.Await)
        before = _commits_before(func, node)
        return _Found(model, column, src.path, session[0], session[1], awaited, before)
    if depth >= _MAX_DEPTH:
        return None
    for node in calls:
        target = upstream.callee(src, node)
        if target is None:
            continue

        def sent(arg: ast.expr) -> Typed | bool:
            if not from_client(arg, client, bound, 0):
                return False
            return client.get(arg.id) if isinstance(arg, ast.Name) else None

        def held(arg: ast.expr) -> str | None:
            written = dotted(arg)
            root, _, rest = written.partition(".")
            if root in frame.sessions:
                return frame.sessions[root] + (f".{rest}" if rest else "")
            return None

        deeper = callee_frame(upstream, schema, *target, node, sent, held, src)
        if deeper is None:
            continue
        found = _create_in(upstream, deeper, schema, depth + 1, seen)
        if found is None or caught(node, src.up(), CAUGHT) or looked_up(func, found.column):
            continue
        return found
    return None


def _commits_before(func: ast.AST, made: ast.Call) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "commit"
        and n.lineno < made.lineno
        for n in ast.walk(func)
    )


def _with_loops(
    func: ast.AST, client: dict[str, Typed], bound: dict[str, ast.expr]
) -> dict[str, Typed]:
    """The client's names with the loop variables over what the client sent (``for email in
    newsletter.sender_emails``)."""
    out: dict[str, Typed] = dict(client)
    for node in ast.walk(func):
        if (
            isinstance(node, ast.For | ast.AsyncFor)
            and isinstance(node.target, ast.Name)
            and from_client(node.iter, out, bound, 0)
        ):
            out.setdefault(node.target.id, None)
    return out


def from_client(
    value: ast.expr, client: dict[str, Typed], bound: dict[str, ast.expr], depth: int
) -> bool:
    """The value is a client's parameter, read off it (an attribute, a key) and at most
    trimmed or recased, or a local bound once to such a value."""
    if depth > 3:
        return False
    value = read_root(value)
    if not isinstance(value, ast.Name):
        return False
    if value.id in client:
        return True
    return value.id in bound and from_client(bound[value.id], client, bound, depth + 1)


def _unique_from(
    call: ast.Call,
    table: Table,
    client: dict[str, Typed],
    bound: dict[str, ast.expr],
) -> str | None:
    """The first unique column the constructor fills with the client's value."""
    for keyword in call.keywords:
        if keyword.arg is None:
            name = splatted(keyword.value, bound)
            typed = client.get(name) if name is not None else None
            if typed is None:
                continue
            found = next((f for f in typed if unique(table, f)), None)
            if found is not None:
                return found
            continue
        if unique(table, keyword.arg) and from_client(keyword.value, client, bound, 0):
            return keyword.arg
    return None


def splatted(value: ast.expr, bound: dict[str, ast.expr]) -> str | None:
    """``obj_in`` of ``**obj_in.dict()``, or of ``**obj_in_data`` bound once to it or to
    ``jsonable_encoder(obj_in)`` (the FastAPI template's ``CRUDBase.create``)."""
    if isinstance(value, ast.Name) and value.id in bound:
        value = bound[value.id]
        if (
            isinstance(value, ast.Call)
            and dotted(value.func).rsplit(".", 1)[-1] == "jsonable_encoder"
            and len(value.args) == 1
            and isinstance(value.args[0], ast.Name)
        ):
            return value.args[0].id
    return dumped_name(value)


def _route_side(frame: Frame, commit: ast.Call) -> tuple[str, bool] | None:
    """The session the commit runs on, as the route holds it: the one it passed (``db`` for
    the callee's ``db``), or a module-level one (Flask-SQLAlchemy's ``db`` of
    ``db.session.commit()``), which the route must bind by the same name: an app has one."""
    receiver = dotted(commit.func)[: -len(".commit")]
    root, _, rest = receiver.partition(".")
    if root in frame.sessions:
        return frame.sessions[root] + (f".{rest}" if rest else ""), False
    params = {a.arg for a in [*frame.func.args.args, *frame.func.args.kwonlyargs]}
    if root in params or root in ("self", "cls") or not module_level(frame.source, root):
        return None
    return receiver, True


def module_level(source: Source, name: str) -> bool:
    """The module binds ``name`` at its top: an import or an assignment."""
    if name in imported_names(source):
        return True
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        for module in source.modules
        for node in module.body
    )
