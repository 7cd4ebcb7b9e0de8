"""Rows that may be None outside Flask-SQLAlchemy's own queries: SQLAlchemy's
``session.get(Doctor, id)``, ``.first()``, ``.one_or_none()`` and ``scalars(...).first()``
in a FastAPI route (its session from ``Depends``), and the same lookups inside a project
helper (``crud.get_template_by_id(db, id)``) whose result the route then uses, or which uses
the row itself; a Django view's helper returning ``X.objects.filter(...).first()`` too
(django_rows). Either way an unknown id becomes a 500 (AttributeError, TypeError,
UnmappedInstanceError) where the client asked for something that is not there: a 404.

MongoDB's ``find_one`` (mongo_rows) counts the same, in the route, in its service, or in a
repository the service hands the client's id to; and so does the None of a project function
such a service or repository takes (``job = await self.repository.get_job(job_id)`` then
``job.position``).

The fix is a None check in the route's idiom, right after the row is fetched: FastAPI's
``raise HTTPException(status_code=404, ...)``, Flask's ``abort(404)``, Django's
``raise Http404(...)``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from ..suggestion import Edit, Suggestion
from .django_rows import (
    DJANGO_CAUGHT,
    django_answer,
    django_model,
    django_row,
    model_label,
    signed_in_user,
    view_input,
)
from .drf_permissions import request_helper_proved
from .form_rows import checked_by_validator
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .known_rows import keyed_by_helper_row
from .mongo_rows import label as mongo_label
from .mongo_rows import mongo_find
from .none_lookups import first_use_answered
from .none_returns import may_give_none, none_path, optional_model
from .project_errors import own_not_found
from .pyedits import ensure_imports, insert_before_line, replace_node, replace_statement
from .pysource import Source, block_of, child_nodes, dotted, every_node, is_none
from .query_locals import spelled_out
from .receiver_rows import receiver_member
from .row_guards import app_guard, get_through
from .row_methods import model_of, resolve_call
from .row_uses import missing_row, read_unchecked, session_like, short, tests_name
from .try_blocks import status_code
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef

# What a route or its app may already answer a missing row with.
_CAUGHT = {"AttributeError", "TypeError", "HTTPException", "NotFound", "UnmappedInstanceError"}
# What an app-wide handler must take to answer it (besides every exception).
_APP_CAUGHT = frozenset({"AttributeError", "TypeError", "UnmappedInstanceError"})
_BROAD = frozenset({"Exception", "BaseException"})
# ``.first()`` / ``.one_or_none()`` count on a chain that reads from the database.
_MAYBE_ONE = ("first", "one_or_none", "scalar_one_or_none")
_READS = ("query", "scalars", "execute", "exec")
# Helpers that hand on another helper's row: ``_find_book`` -> ``BookRepository.find``.
_MAX_HOPS = 3


def helper_row_suggestions(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    if not _open(facts, call, route):
        return []
    row = maybe_row(call)
    if row is None:
        collection = mongo_find(facts.upstream, facts.source, call)
        if collection is not None:
            # ``doc = await db.users.find_one({"_id": ...})`` in the route itself
            return _mongo_in_route(facts, call, route, collection)
    if route.framework == "fastapi" and row is not None:
        keyed = keyed_by_client(call, route) or children_of_client_row(call, route)
        return _in_route(facts, call, route) if keyed else []
    if facts.upstream is None or row is not None:
        return []
    member = receiver_member(facts, call)
    if member is not None:
        # ``self.request.user.get_active_employment().location``: keyed by no client, but the
        # model's own method says it may give None
        return _member_row(facts, call, route, *member)
    found = resolve_call(facts.upstream, facts.source, call)
    if found is None or not keyed_by_client(call, route) or checked_by_validator(facts, call):
        # ``db.query(Settings).first()`` (the one settings row), ``crud.get_admin(db,
        # admin.username)`` of the signed-in admin: a miss is the server's, not a 404
        return []
    helper_source, helper = found
    # The helper's own use of the row fails first; else the route's use of what it returns.
    # a view (or a resource's method a view dispatches to) has its own lookups read there
    own = (
        None
        if facts.is_route(helper)
        else _used_in_helper(facts, call, route, helper_source, helper)
    )
    if own is not None:
        return own
    model = _returned_row(helper_source, helper, facts.upstream)
    if model is not None:
        return _returned(facts, call, route, helper, model)
    # ``def find_member(card): ... return None``: the helper's own None, on some path
    why = none_path(helper_source, helper, _awaited(facts.up, call))
    if why is None:
        return []
    if request_helper_proved(facts.upstream, facts.source, call, helper_source, helper):
        return []  # ``get_active_session(request)`` under a permission that denied its None
    # ``Person.query.get()`` says whose query class it is; ``get()`` alone would not
    queried = isinstance(call.func, ast.Attribute) and model_of(call.func.value, "query")
    # ``Users.get(username)``, a classmethod: its class says whose ``get`` it is too
    on_class = isinstance(call.func, ast.Attribute) and _class_name(call.func.value)
    shown = dotted(call.func) if queried or on_class else helper.name
    what = f"`{shown}()` may give None ({why})"
    return _returned(facts, call, route, helper, optional_model(helper), what)


def _class_name(node: ast.expr) -> bool:
    """``Users`` / ``models.Users``: a class by its CamelCase name, not a CONSTANT."""
    last = dotted(node).rsplit(".", 1)[-1]
    return last[:1].isupper() and not last.isupper()


def property_row_suggestions(
    facts: ModuleFacts, node: ast.Attribute, route: Route
) -> list[Suggestion]:
    """``post.latest_revision.body`` where the model's ``@property`` may give None."""
    if facts.upstream is None or not _open(facts, node, route):
        return []
    member = receiver_member(facts, node)
    return [] if member is None else _member_row(facts, node, route, *member)


def _open(facts: ModuleFacts, node: ast.AST, route: Route) -> bool:
    """The route answers a missing row itself, and nothing around ``node`` or in the app
    already catches its error."""
    django = route.framework == "django"
    # A Django fix raises, so a class-based view's helper method (``get_object``) takes it too.
    if route.framework not in ("fastapi", "flask", "django") or not (route.answers or django):
        return False
    # ``except Exception: raise HTTPException(500)`` around it answers the miss with a 500
    if caught(node, facts.up, _CAUGHT, client_error=True) or _app_answers(facts):
        return False
    return not (
        django
        and (
            caught(node, facts.up, DJANGO_CAUGHT, client_error=True)
            or DJANGO_CAUGHT & route.handled
            or facts.handled_by_app(DJANGO_CAUGHT | {"404"})
        )
    )


def _app_answers(facts: ModuleFacts) -> bool:
    """An app-wide handler answers a missing row's AttributeError or TypeError: one of that
    error, or of every exception unless each such handler answers only a 500 (a generic
    ``JSONResponse(status_code=500, ...)`` still gives the client a 500). A handler of
    HTTPException or NotFound takes neither error."""
    handled = set(facts.handled)
    if handled & _BROAD and facts.server_errors is not None:
        handled -= facts.server_errors()
    return bool(handled & (_APP_CAUGHT | _BROAD))


def _awaited(up: dict[ast.AST, ast.AST], call: ast.expr) -> bool:
    return isinstance(up.get(call), ast.Await)


def _mongo_in_route(
    facts: ModuleFacts, call: ast.Call, route: Route, collection: str
) -> list[Suggestion]:
    """``doc = await db.users.find_one({"_id": ObjectId(user_id)})`` then ``doc["name"]``."""
    if route.framework == "django" or not keyed_by_client(call, route):
        return []
    bound = _assigned(facts.up, call)
    if bound is None:
        return []
    assign, name = bound
    used = read_unchecked(facts, route.func, name, assign.end_lineno or 0, helpers=True)
    if used is None or first_use_answered(route.func, name, assign.end_lineno or 0):
        return []
    src = facts.source
    what = f"`{short(src.text_of(call))}` gives None when no document matches"
    return [_suggestion(facts, route, call, src, assign, name, mongo_label(collection), what, used)]


def _member_row(
    facts: ModuleFacts,
    node: ast.Call | ast.Attribute,
    route: Route,
    source: Source,
    member: Function,
) -> list[Suggestion]:
    """A model's method or property that may give None, its value used unchecked: named and
    tested where it is bound, or named first where it is used in place."""
    if not may_give_none(member):
        return []  # ``-> Employment``: its author says it is always there
    model = _returned_row(source, member, facts.upstream)
    why = none_path(source, member, isinstance(node, ast.Call) and _awaited(facts.up, node))
    if model is None and why is None:
        return []
    label = optional_model(member) or model or ""
    shown = f"{member.name}()" if isinstance(node, ast.Call) else member.name
    what = f"`{shown}` may give None ({why or 'a lookup that finds no row'})"
    tail = "for a user or row that has none"
    bound = _assigned(facts.up, node)
    if bound is not None:
        assign, name = bound
        used = read_unchecked(facts, route.func, name, assign.end_lineno or 0, helpers=True)
        if used is None:
            return []
        src = facts.source
        return [_suggestion(facts, route, node, src, assign, name, label or name, what, used, tail)]
    return _used_in_place(facts, node, route, member.name, label, what, tail)


# A getter's verb, dropped to name its value: ``get_active_employment()`` -> active_employment.
_FINDERS = ("get_", "find_", "fetch_", "load_", "lookup_")
# Where a value in place is evaluated only on some paths, or once per item: naming it before
# the statement would change what runs.
_CONDITIONAL = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.IfExp)


def _used_in_place(
    facts: ModuleFacts,
    node: ast.Call | ast.Attribute,
    route: Route,
    member: str,
    label: str,
    what: str,
    tail: str,
) -> list[Suggestion]:
    """``user.get_active_employment().location`` inside a statement: the value is named
    before it (``active_employment = ...``), tested, and the name used in its place."""
    src, up = facts.source, facts.up
    parent = up.get(node)
    if not (isinstance(parent, ast.Attribute | ast.Subscript) and parent.value is node):
        return []
    if _tested_in_place(route.func, node):
        return []
    stmt = enclosing_statement(node, up)
    if stmt is None or isinstance(stmt, ast.While) or not _hoistable(up, node, stmt):
        return []
    if src.lines[stmt.lineno - 1].lstrip().startswith("elif"):
        return []
    # ``delete_session(get_active_session(request).user, get_active_session(request).id)``:
    # one value, one suggestion (at its first use), and its edit names both
    same = _same_in_statement(stmt, node)
    if same[0] is not node:
        return []
    name = next((member[len(p) :] for p in _FINDERS if member.startswith(p)), member)
    taken = {n.id for n in ast.walk(route.func) if isinstance(n, ast.Name)}
    taken |= {a.arg for a in ast.walk(route.func) if isinstance(a, ast.arg)}
    if not name.isidentifier() or name in taken:
        return []
    answer, needed = _answer(route, label or name.title().replace("_", ""))
    text = src.text_of(node)
    used = f"{text}.{parent.attr}" if isinstance(parent, ast.Attribute) else f"{text}[...]"
    indent = src.indent_of(stmt.lineno - 1)
    check = f"{indent}{name} = {text}\n{indent}if {name} is None:\n{indent}    {answer}"
    edits = [
        *ensure_imports(src, needed),
        insert_before_line(src, stmt.lineno - 1, check),
        *(replace_node(src, n, name) for n in same),
    ]
    return [
        Suggestion(
            "BKD306",
            "error-handling",
            src.path,
            src.span(node),
            f"Answer 404 when {label or name} is None",
            f"{what}, and `{short(used)}` then raises: a 500 {tail}. Naming it first and "
            f"`if {name} is None: {answer}` answers 404 instead.",
            tuple(edits),
        )
    ]


def _same_in_statement(stmt: ast.stmt, node: ast.expr) -> list[ast.expr]:
    """The expressions of ``stmt`` written as ``node`` is, in the order they are read (a
    nested body's statements are others: only ``stmt``'s own header counts for a block)."""
    shape = ast.dump(node)
    found: list[ast.expr] = []
    queue: list[ast.AST] = [stmt]
    while queue:
        current = queue.pop()
        if isinstance(current, ast.expr) and ast.dump(current) == shape:
            found.append(current)
        queue.extend(c for c in ast.iter_child_nodes(current) if not isinstance(c, ast.stmt))
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return found or [node]


def _tested_in_place(func: ast.AST, node: ast.expr) -> bool:
    """The same expression is tested somewhere in the function (``if user.employment():``,
    ``user.employment() and user.employment().x``): its author handles the None there."""
    shape = ast.dump(node)
    tests: list[ast.expr] = []
    for n in ast.walk(func):
        if isinstance(n, ast.If | ast.IfExp | ast.While | ast.Assert):
            tests.append(n.test)
        elif isinstance(n, ast.BoolOp):
            tests.extend(n.values[:-1])
    return any(_tests_value(test, shape) for test in tests)


def _tests_value(test: ast.expr, shape: str) -> bool:
    """``test`` is the value's truth or a comparison of it with None, alone or in an
    ``and``/``or``/``not``; ``if user.application.is_invalid()`` reads it, tests nothing."""
    if ast.dump(test) == shape:
        return True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _tests_value(test.operand, shape)
    if isinstance(test, ast.BoolOp):
        return any(_tests_value(v, shape) for v in test.values)
    if isinstance(test, ast.Compare) and len(test.comparators) == 1:
        sides = (test.left, test.comparators[0])
        nothing = any(isinstance(x, ast.Constant) and x.value is None for x in sides)
        return nothing and any(ast.dump(x) == shape for x in sides)
    return False


def _hoistable(up: dict[ast.AST, ast.AST], node: ast.AST, stmt: ast.stmt) -> bool:
    """``node`` is evaluated exactly once, first thing, whenever ``stmt`` runs: on no branch
    of a conditional, in no comprehension or lambda, not after a short-circuit."""
    child: ast.AST = node
    current = up.get(node)
    while current is not None and current is not stmt:
        if isinstance(current, _CONDITIONAL):
            return False
        if isinstance(current, ast.BoolOp) and child is not current.values[0]:
            return False
        child, current = current, up.get(current)
    return current is stmt


def _client_names(route: Route) -> set[str]:
    """The route's parameters the client sends (``*args`` and ``**kwargs`` too): not those
    FastAPI fills from a dependency (``admin: SudoAdminDep``, ``db: Session =
    Depends(get_db)``, ``Security(get_jwt, scopes=[...])``, which is ``Depends`` with
    scopes) -- the signed-in user, a token's payload, a session -- nor a helper method's its
    callers fill with their own values."""
    args = route.func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    defaults = dict(
        zip(
            [a.arg for a in [*args.posonlyargs, *args.args]][::-1],
            args.defaults[::-1],
            strict=False,
        )
    )
    defaults.update(
        {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False) if d}
    )
    out = set()
    for param in params:
        spelled = ast.unparse(param.annotation) if param.annotation is not None else ""
        default = defaults.get(param.arg)
        written = f"{spelled} {ast.unparse(default) if default is not None else ''}"
        injected = any(k in written for k in ("Depends", "Security(")) or spelled.endswith("Dep")
        if not injected and param.arg not in ("self", "cls", "request"):
            out.add(param.arg)
    # the URL's values a wrapper (decorator_bodies) or a Django view takes as ``**kwargs``
    out |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    return out if route.sent is None else out & route.sent


def keyed_by_client(call: ast.AST, route: Route) -> bool:
    """The lookup reads something the client sent: a parameter of the route that is no
    dependency, Flask's ``request``, or a local the route bound from either before the call
    (``data = request.json``; ``bookid = int(data.get("bookid"))``). Django's
    ``request.user`` is the session's user, not the client's choice."""
    sent, derived = _client_locals(call, route)
    return _reads_client(call, sent, derived, route.framework == "django")


def children_of_client_row(call: ast.Call, route: Route) -> bool:
    """``where(Calibration.instrument_id == instrument.id)`` of the row the client named:
    the rows that point at it, of which there may be none (a never-calibrated instrument).
    Unlike ``book.language_id`` (a foreign key, whose row exists), its ``.id`` names nothing
    that must exist on the other side. Flask-SQLAlchemy's keyword form too:
    ``filter_by(user_id=user.id, book_id=book.id)``, a link row the user may not have."""
    _, derived = _client_locals(call, route)
    for node in ast.walk(call):
        if isinstance(node, ast.keyword) and node.arg not in (None, "id", "pk"):
            key = node.value
            if (
                isinstance(key, ast.Attribute)
                and key.attr == "id"
                and isinstance(key.value, ast.Name)
                and key.value.id in derived
            ):
                return True
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
            continue
        if not isinstance(node.ops[0], ast.Eq):
            continue
        sides = [node.left, node.comparators[0]]
        for column, key in (sides, sides[::-1]):
            if (
                isinstance(column, ast.Attribute)
                and column.attr != "id"
                and isinstance(key, ast.Attribute)
                and key.attr == "id"
                and isinstance(key.value, ast.Name)
                and key.value.id in derived
            ):
                return True
    return False


def _client_locals(call: ast.AST, route: Route) -> tuple[set[str], set[str]]:
    """What the client sent to the route, and the locals bound from it before ``call``."""
    sent, steps = _client_steps(route)
    line = getattr(call, "lineno", 0)
    derived: frozenset[str] = frozenset()
    for lineno, after in steps:
        if lineno >= line:
            break
        derived = after
    return set(sent), set(derived)


# Built once: tested of every node.
_ASSIGNS = ast.Assign | ast.AnnAssign


def _client_steps(route: Route) -> tuple[frozenset[str], list[tuple[int, frozenset[str]]]]:
    """The route's client names, and after each of its assignments (in source order, so that
    a local made from another tainted local counts) the locals bound from them so far. Asked
    for every candidate call of the route: walking the route again each time was a quarter of
    ``suggest`` on a real app, so the answer is kept on the function's node."""
    # a view class's helper method is asked with the parameters its callers fill (view_helpers)
    key = f"_client_steps_{route.framework}_{sorted(route.sent) if route.sent is not None else ''}"
    key += f"_{sorted(route.readers)}" if route.readers else ""
    cached = route.func.__dict__.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    sent = _client_names(route) | {"request"} | _flask_forms(route) | route.readers
    derived: set[str] = set()
    steps: list[tuple[int, frozenset[str]]] = []
    for node in sorted(
        (n for n in every_node(route.func) if isinstance(n, _ASSIGNS)),
        key=lambda n: n.lineno,
    ):
        if node.value is None:
            continue
        if _reads_client(node.value, sent, derived, route.framework == "django"):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            derived |= {n.id for t in targets for n in every_node(t) if isinstance(n, ast.Name)}
        steps.append((node.lineno, frozenset(derived)))
    cached = (frozenset(sent), steps)
    route.func.__dict__[key] = cached
    return cached


def _flask_forms(route: Route) -> set[str]:
    """Locals bound to a Flask-WTF form (``form = ProjectNew()``, which reads the request
    itself): each of its fields' ``.data`` is what the client posted, a hidden field too."""
    if route.framework != "flask":
        return set()
    made = {
        n.targets[0].id: dotted(n.value.func).rsplit(".", 1)[-1]
        for n in every_node(route.func)
        if isinstance(n, ast.Assign)
        and len(n.targets) == 1
        and isinstance(n.targets[0], ast.Name)
        and isinstance(n.value, ast.Call)
    }
    # A form class need not say so in its name (``ProjectNew``): validating it does.
    validated = {
        n.func.value.id
        for n in every_node(route.func)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in ("validate_on_submit", "validate", "is_submitted")
        and isinstance(n.func.value, ast.Name)
    }
    return {name for name, cls in made.items() if cls.endswith("Form") or name in validated}


def _reads_client(expr: ast.AST, sent: set[str], derived: set[str], django: bool = False) -> bool:
    """``expr`` reads a name the client sent, or a local made from one. A column read off a
    local (``book.language_id`` of the client's book) is the row's data, not the client's: a
    derived local counts bare or as the receiver of a call (``data.get("id")``). In a Django
    view ``self.kwargs`` is the client's too, and ``request.user`` is not."""
    nodes = every_node(expr)
    # each node's parent, read only where a Django view's reads or a derived local ask for it
    # (every value of every assignment of a route is asked here)
    up = _parents(nodes) if django else None
    for node in nodes:
        if django and up is not None and view_input(node, up):
            return True
        if not isinstance(node, ast.Name):
            continue
        if django and up is not None and signed_in_user(node, up):
            continue
        if node.id in sent:
            return True
        if node.id not in derived:
            continue
        if up is None:
            up = _parents(nodes)
        parent = up.get(node)
        called = up.get(parent) if parent is not None else None
        column = isinstance(parent, ast.Attribute) and not (
            isinstance(called, ast.Call) and called.func is parent
        )
        if not column:
            return True
    return False


def _parents(nodes: list[ast.AST]) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in nodes for child in child_nodes(parent)}


def maybe_row(call: ast.Call) -> str | None:
    """The model's name (or "" when it is not written there) when ``call`` gives a row or
    None: ``session.get(Doctor, id)``, ``db.query(M).filter(...).first()``,
    ``session.scalars(select(M)...).first()``, ``....one_or_none()``."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr == "get" and len(call.args) == 2 and not call.keywords:
        model = dotted(call.args[0])
        last = model.rsplit(".", 1)[-1]
        # ``cache.get(KEY, None)`` is no row: a model's name is capitalised, not a constant.
        if last[:1].isupper() and not last.isupper() and session_like(func.value):
            return last
        return None
    if func.attr == "scalar" and len(call.args) == 1 and not call.keywords:
        # ``await session.scalar(select(Project).where(...))``: the first row's entity, or
        # None (planted set 8). Only a whole model selected: a column or a count is a value.
        model = _model_in(call) if session_like(func.value) else ""
        return model or None
    # ``db.session.execute(select(Land).where(...)).scalar()``: the first row's entity or None,
    # of a whole model only (a column's ``.scalar()`` is a value, None or not)
    whole = func.attr == "scalar"
    if (func.attr not in _MAYBE_ONE and not whole) or call.args or call.keywords:
        return None
    node: ast.expr = func.value
    if isinstance(node, ast.Await):
        node = node.value  # ``(await session.scalars(select(M)...)).first()``
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in _READS and session_like(node.func.value):
            return (_model_in(node) or None) if whole else _model_in(node)
        node = node.func.value
    return None


def _query_first_owner(call: ast.Call) -> str | None:
    """``X.query.filter_by(...).first()`` (Flask-SQLAlchemy's query of a class): the name
    written before ``.query``, whose row may be None."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "first") or call.args:
        return None
    node: ast.expr = func.value
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if not (isinstance(node, ast.Attribute) and node.attr == "query"):
        return None
    return node.value.id if isinstance(node.value, ast.Name) else None


def _class_query_first(call: ast.Call) -> bool:
    """``cls.query.filter_by(**kw).first()`` in a model's classmethod."""
    return _query_first_owner(call) == "cls"


def _model_query_first(call: ast.Call) -> str | None:
    """``Project.query.filter_by(name=name).first()`` in a helper: the model."""
    model = _query_first_owner(call) or ""
    return model if model[:1].isupper() and not model.isupper() else None


def _model_in(read: ast.Call) -> str:
    """``query(Template)`` / ``scalars(select(Template).where(...))`` -> Template."""
    arg = read.args[0] if read.args else None
    while isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute):
        arg = arg.func.value  # ``select(M).where(...)`` down to ``select(M)``
    if isinstance(arg, ast.Call) and dotted(arg.func).rsplit(".", 1)[-1] == "select":
        arg = arg.args[0] if arg.args else None
    last = dotted(arg).rsplit(".", 1)[-1] if arg is not None else ""
    return last if last[:1].isupper() else ""


def _assigned(up: dict[ast.AST, ast.AST], call: ast.expr) -> tuple[ast.Assign, str] | None:
    """``row = call`` / ``row = await call``: the statement and the name."""
    parent = up.get(call)
    if isinstance(parent, ast.Await):
        parent = up.get(parent)
    if not isinstance(parent, ast.Assign) or len(parent.targets) != 1:
        return None
    target = parent.targets[0]
    return (parent, target.id) if isinstance(target, ast.Name) else None


def _in_route(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    """``doctor = session.get(Doctor, body.doctor_id)`` then ``doctor.accepts_new``."""
    bound = _assigned(facts.up, call)
    if bound is None:
        return []
    assign, name = bound
    used = read_unchecked(facts, route.func, name, assign.end_lineno or 0, helpers=True)
    if used is None:
        return []
    model = maybe_row(call) or name.capitalize()
    src = facts.source
    what = f"`{short(src.text_of(call))}` gives None when nothing matches"
    return [_suggestion(facts, route, call, src, assign, name, model, what, used)]


def _returned_row(
    source: Source, func: Function, upstream: UpstreamCalls | None = None, depth: int = 0
) -> str | None:
    """The model when ``func`` returns a lookup's row as it is, None or not:
    ``return db.query(M).filter(...).first()``, a name bound to it and never tested, or what
    another project function or method it returns gives (``return br.find(bookid)`` of a
    repository whose ``find`` returns the ``.first()``)."""
    rows: dict[str, str] = {}
    for node in source.nodes_of(func):
        if source.function_of(node) is not func:
            continue
        assigned = (
            node.value.value
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Await)
            else getattr(node, "value", None)
        )
        if isinstance(node, ast.Assign) and isinstance(assigned, ast.Call):
            model = maybe_row(assigned)
            if model is None:
                model = django_row(source, func, assigned)
            if model is None:
                # ``doc = await self.collection.find_one(...)``, returned untested
                found = mongo_find(upstream, source, assigned)
                model = mongo_label(found) if found is not None else None
            target = node.targets[0]
            if model is not None and isinstance(target, ast.Name):
                rows[target.id] = model
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            if isinstance(value, ast.Call):
                value = spelled_out(func, value)  # ``q = M.query.filter_by(...)``, ``q.first()``
            if isinstance(value, ast.Call) and maybe_row(value) is not None:
                return maybe_row(value)
            collection = (
                mongo_find(upstream, source, value) if isinstance(value, ast.Call) else None
            )
            if collection is not None:
                return mongo_label(collection)  # ``return await coll.find_one({...})``
            django = django_row(source, func, value)
            if django is not None:
                return django  # ``return Application.objects.filter(user=u).first()``
            model = _model_query_first(value) if isinstance(value, ast.Call) else None
            if model is not None:
                return model  # ``return Project.query.filter_by(name=name).first()``
            if isinstance(value, ast.Call) and _class_query_first(value):
                # ``cls.query.filter_by(**kwargs).first()`` of a model's classmethod
                owner = source.up().get(func)
                return owner.name if isinstance(owner, ast.ClassDef) else ""
            if isinstance(value, ast.Call) and upstream is not None and depth < _MAX_HOPS:
                callee = resolve_call(upstream, source, value)
                if callee is not None and callee[1] is not func:
                    deeper = _returned_row(callee[0], callee[1], upstream, depth + 1)
                    if deeper is not None:
                        return deeper
            if (
                isinstance(value, ast.Name)
                and value.id in rows
                and not _tested(source, func, value.id)
            ):
                return rows[value.id]
    return None


def _tested(source: Source, func: Function, name: str) -> bool:
    return any(
        isinstance(n, ast.If | ast.IfExp | ast.Assert) and tests_name(n.test, name)
        for n in source.nodes_of(func)
    )


def _returned(
    facts: ModuleFacts,
    call: ast.Call,
    route: Route,
    helper: Function,
    model: str,
    what: str | None = None,
) -> list[Suggestion]:
    """``template = crud.get_template_by_id(db, id)`` then ``template.url`` in the route."""
    bound = _assigned(facts.up, call)
    src = facts.source
    what = what or f"`{helper.name}()` gives None when no row matches"
    if not model and isinstance(call.func, ast.Attribute):
        # ``Application.objects.for_type(...)``: a manager's row is its model's, and so is
        # ``Person.query.get(id, project)``'s of a query class
        managed = django_model(call.func.value)
        model = model_label(managed) if managed else model_of(call.func.value, "query") or ""
    if bound is None:
        made = _used_where_made(facts, call, route, model, what)
        tail = "where the client asked for a row that is not there"
        return made or _used_in_place(facts, call, route, helper.name, model, what, tail)
    assign, name = bound
    used = read_unchecked(facts, route.func, name, assign.end_lineno or 0, helpers=True)
    if used is None or first_use_answered(route.func, name, assign.end_lineno or 0):
        return []
    # ``if not bill: return "Not Found", 404`` after another lookup of the model: the same here
    guard = app_guard(facts, call, route) if route.framework == "flask" else None
    label = model or name
    return [_suggestion(facts, route, call, src, assign, name, label, what, used, guard=guard)]


def _used_where_made(
    facts: ModuleFacts, call: ast.Call, route: Route, model: str, what: str
) -> list[Suggestion]:
    """``Supporter.get(id=sid).set_state(...)`` as a statement of its own: the row is named
    first, so that it can be tested (the name is the model's, when the function has none)."""
    if route.framework != "flask":
        return []
    parent = facts.up.get(call)
    stmt = facts.up.get(parent) if parent is not None else None
    while stmt is not None and not isinstance(stmt, ast.stmt):
        stmt = facts.up.get(stmt)
    if not (
        isinstance(parent, ast.Attribute)
        and parent.value is call
        and isinstance(stmt, ast.Expr)
        and stmt.lineno == stmt.end_lineno
        and model
    ):
        return []
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", model).lower()
    if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(route.func)):
        return []
    src = facts.source
    indent = src.indent_of(stmt.lineno - 1)
    line = src.lines[stmt.lineno - 1]
    # ast's columns are UTF-8 byte offsets; the line is text
    span = src.span(call)
    start, end = span.start.column, span.end.column
    text = "\n".join(
        [
            f"{indent}{name} = {line[start:end]}",
            f"{indent}if {name} is None:",
            f"{indent}    abort(404)",
            f"{line[:start]}{name}{line[end:]}",
        ]
    )
    edits = [*ensure_imports(src, [("flask", "abort")]), replace_statement(src, stmt, text)]
    label = model
    return missing_row(
        src,
        call,
        f"Answer 404 when {label} is not found",
        f"{what}, and `.{parent.attr}` on it then raises: a 500 where the client asked for "
        f"a row that is not there. Naming the row and answering `abort(404)` when it is "
        "None fixes it.",
        tuple(edits),
    )


def _used_in_helper(
    facts: ModuleFacts, call: ast.Call, route: Route, source: Source, helper: Function
) -> list[Suggestion] | None:
    """``crud.delete_template(db, id)`` whose ``_template = ....first()`` goes to
    ``db.delete(_template)`` unchecked: the check goes in the helper, once. So for a MongoDB
    ``find_one`` keyed by what the route handed it, for the None of a project function it
    calls (``job = await self.repository.get(job_id)`` then ``job.position``), and for either
    in a function it hands the client's values on to (a service's repository), a few calls
    deep."""
    params = {a.arg for a in [*helper.args.posonlyargs, *helper.args.args, *helper.args.kwonlyargs]}
    # the helper's parameters that hold what the client sent, as the route passes them
    sent, derived = _client_locals(call, route)
    django = route.framework == "django"
    tainted = _passes(call, helper, lambda e: _reads_client(e, sent, derived, django))
    found = _own_lookups(facts, call, route, source, helper, params - {"self", "cls"}, tainted)
    if found is not None:
        return found
    return _through_calls(facts, call, route, source, helper, tainted, 0, {id(helper)})


def _own_lookups(
    facts: ModuleFacts,
    call: ast.Call,
    route: Route,
    source: Source,
    helper: Function,
    keys: set[str],
    tainted: set[str],
) -> list[Suggestion] | None:
    """A lookup of ``helper`` keyed by one of ``keys`` (a MongoDB one: by the client's
    ``tainted``), its row used there unchecked."""
    up = source.up()
    for node in source.nodes_of(helper):
        if not isinstance(node, ast.Call) or source.function_of(node) is not helper:
            continue
        # ``home_q = Home.query.filter_by(id=home_id)`` before ``home_q.first()``
        lookup = spelled_out(helper, node)
        model = _helper_lookup(source, helper, node)
        if model is None and lookup is not node:
            model = _helper_lookup(source, helper, lookup)
        collection = mongo_find(facts.upstream, source, node) if model is None else None
        if collection is not None:
            model = mongo_label(collection)
        if model is None or caught(node, up, _CAUGHT):
            continue
        if keyed_by_helper_row(facts.upstream, source, helper, node):
            continue  # ``filter_by(staff_id=user.staff_id)`` of a row a project function gave
        if not _reads_client(lookup, set(), tainted if collection is not None else keys):
            # ``db.session.get(Dish, line.dish_id)`` over rows the helper loaded itself: its
            # key is the database's, not what the route was handed (planted set 8)
            continue
        bound = _assigned(up, node)
        if bound is None:
            continue
        assign, name = bound
        used = read_unchecked(facts, helper, name, assign.end_lineno or 0, helpers=False)
        if used is None:
            continue
        if _seen_before(facts, source, node):
            return []  # another route of this module calls it too: one fix
        shown = source.text_of(node) if lookup is node else ast.unparse(lookup)
        shown = re.sub(r"([(\[{])\s+|\s+(?=[)\]}])", r"\1", shown)  # a call over lines
        nothing = "no document matches" if collection is not None else "nothing matches"
        what = f"`{helper.name}()` looks up `{short(shown)}`, None when {nothing}"
        label = (model or name).rsplit(".", 1)[-1]
        # a service raises the app's own not-found error, which its handler answers 404 with
        key = next(
            (a.id for a in _arguments(lookup) if isinstance(a, ast.Name) and a.id in keys), None
        )
        own = own_not_found(facts, source, label, key) if source is not facts.source else None
        return [
            _suggestion(
                facts, route, call, source, assign, name, model or name, what, used, own_error=own
            )
        ]
    return None


def _seen_before(facts: ModuleFacts, source: Source, node: ast.AST) -> bool:
    """Whether a fix at ``node`` was made already in this analysis of the module. Kept for
    the analysis, not on its parse: a parse outlives the analysis in the server, and a second
    one found the fix "already made" and lost it."""
    seen: set[tuple[str, int]] = facts.__dict__.setdefault("_helper_rows_seen", set())
    key = (source.path, getattr(node, "lineno", 0))
    if key in seen:
        return True
    seen.add(key)
    return False


def _through_calls(
    facts: ModuleFacts,
    call: ast.Call,
    route: Route,
    source: Source,
    func: Function,
    tainted: set[str],
    depth: int,
    visited: set[int],
) -> list[Suggestion] | None:
    """In ``func`` (the route's helper, or one it hands the client's values on to): the None
    of a project function it calls with them, used unchecked; else the same, or a lookup used
    unchecked, in such a function, a few calls deeper."""
    if facts.upstream is None or not tainted:
        return None
    up = source.up()
    deeper: list[tuple[Source, Function, set[str]]] = []
    calls = [
        n
        for n in source.nodes_of(func)
        if isinstance(n, ast.Call) and source.function_of(n) is func
    ]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    checked: set[str] = set()  # the client's values a called project function found a row of
    for node in calls:
        if caught(node, up, _CAUGHT):
            continue
        target = resolve_call(facts.upstream, source, node)
        if target is None or id(target[1]) in visited or facts.is_route(target[1]):
            continue
        given = {a.id for a in _arguments(node) if isinstance(a, ast.Name) and a.id in tainted}
        # ``user = await UserRepository.get_user(user_id)`` raised on a miss before
        # ``patch_user_password(user_id, ...)`` looks the same id up again (a real app's
        # gateway): that lookup's row is there, so the id is no longer the client's to miss.
        unchecked = tainted - checked
        if _raises_on_missing(target[1]):
            checked |= given
        passed = _passes(node, target[1], _client_reader(unchecked))
        if not passed:
            continue
        found = _callee_none(facts, call, route, source, func, node, *target)
        if found is not None:
            return found
        deeper.append((target[0], target[1], passed))
    if depth + 1 >= _MAX_HOPS:
        return None
    for callee_source, callee, passed in deeper:
        if id(callee) in visited:
            continue
        visited.add(id(callee))
        found = _own_lookups(facts, call, route, callee_source, callee, passed, passed)
        if found is None:
            found = _through_calls(
                facts, call, route, callee_source, callee, passed, depth + 1, visited
            )
        if found is not None:
            return found
    return None


def _client_reader(derived: set[str]) -> Callable[[ast.expr], bool]:
    return lambda e: _reads_client(e, set(), derived)


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(k.value for k in call.keywords)]


def _raises_on_missing(func: Function) -> bool:
    """``if not user: raise UserNotFoundException(user_id)`` in ``func``: it answers a missing
    row itself."""
    return any(
        isinstance(node, ast.If)
        and isinstance(node.test, ast.UnaryOp | ast.Compare)
        and isinstance(node.body[0], ast.Raise)
        and any(
            _tests_none(node.test, n.id) for n in ast.walk(node.test) if isinstance(n, ast.Name)
        )
        for node in ast.walk(func)
    )


def _callee_none(
    facts: ModuleFacts,
    call: ast.Call,
    route: Route,
    source: Source,
    func: Function,
    node: ast.Call,
    callee_source: Source,
    callee: Function,
) -> list[Suggestion] | None:
    """``job = await self.repository.get_job(job_id)`` in ``func``, whose callee may give
    None (a lookup's row returned as it is, ``return None``), then ``job.position``."""
    bound = _assigned(source.up(), node)
    if bound is None:
        return None
    awaited = _awaited(source.up(), node)
    if isinstance(callee, ast.AsyncFunctionDef) and not awaited:
        return None  # a coroutine, not its value
    model = _returned_row(callee_source, callee, facts.upstream)
    why = None if model is not None else none_path(callee_source, callee, awaited)
    if model is None and why is None:
        return None
    assign, name = bound
    after = assign.end_lineno or 0
    used = read_unchecked(facts, func, name, after, helpers=False)
    if used is None or first_use_answered(func, name, after):
        return None
    if _seen_before(facts, source, node):
        return []
    label = model or model_noun(optional_model(callee)) or model_noun(name.title().replace("_", ""))
    gives = f"may give None ({why})" if why else "gives None when no row matches"
    what = f"`{func.name}()` takes `{callee.name}()`'s value, which {gives}"
    # the module's own answer after another call of it, or the app's own not-found error
    own = _same_answer(source, callee.name)
    if own is None and source is not facts.source:
        own = own_not_found(facts, source, label.replace(" ", ""))
    return [_suggestion(facts, route, call, source, assign, name, label, what, used, own_error=own)]


def _passes(call: ast.Call, callee: Function, reads: Callable[[ast.expr], bool]) -> set[str]:
    """The parameters of ``callee`` that ``call`` hands a value ``reads`` accepts."""
    params = [*callee.args.posonlyargs, *callee.args.args]
    if params and params[0].arg in ("self", "cls") and isinstance(call.func, ast.Attribute):
        params = params[1:]
    names = {a.arg for a in [*params, *callee.args.kwonlyargs]}
    out: set[str] = set()
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break  # what follows lands on parameters not known here
        if index < len(params) and reads(arg):
            out.add(params[index].arg)
    for keyword in call.keywords:
        if keyword.arg in names and reads(keyword.value):
            out.add(keyword.arg)
    return out


# What a pydantic or ORM class's name ends with besides the thing it is.
_SUFFIXES = ("Response", "Schema", "Model", "Out", "Detail", "Read", "InDB", "DB", "Dto", "DTO")


def model_noun(name: str) -> str:
    """``JobApplicationResponse`` -> "Job application"; "" for ""."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name)
    if not words:
        return ""
    text = " ".join([words[0], *(w.lower() if not w.isupper() else w for w in words[1:])])
    return text[:1].upper() + text[1:]


def _same_answer(source: Source, callee: str) -> tuple[str, list[tuple[str, str]]] | None:
    """``previous = await self.repository.get_job(...)`` then ``if not previous: raise
    HTTPException(status_code=404, detail="Job not found")`` elsewhere in the module: that
    raise, as written (on one line), answers this call's None too."""
    up = source.up()
    for assign in source.of(ast.Assign):
        value = assign.value.value if isinstance(assign.value, ast.Await) else assign.value
        if not (isinstance(value, ast.Call) and len(assign.targets) == 1):
            continue
        target = assign.targets[0]
        if not isinstance(target, ast.Name) or dotted(value.func).rsplit(".", 1)[-1] != callee:
            continue
        body = block_of(assign, up)
        if body is None or body.index(assign) + 1 >= len(body):
            continue
        check = body[body.index(assign) + 1]
        if not (
            isinstance(check, ast.If)
            and not check.orelse
            and len(check.body) == 1
            and isinstance(check.body[0], ast.Raise)
            and _tests_none(check.test, target.id)
        ):
            continue
        raised = check.body[0]
        if raised.lineno != raised.end_lineno or any(
            isinstance(n, ast.Name) and n.id == target.id for n in ast.walk(raised)
        ):
            continue
        codes = {status_code(n) for n in ast.walk(raised) if isinstance(n, ast.expr)}
        if 404 in codes:
            return source.text_of(raised), []
    return None


def _tests_none(test: ast.expr, name: str) -> bool:
    """``not name`` / ``name is None``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Name) and test.operand.id == name
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is)
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and is_none(test.comparators[0])
    )


def _helper_lookup(source: Source, helper: Function, node: ast.Call) -> str | None:
    """The model when ``node`` gives a row or None: SQLAlchemy's ``session.get`` /
    ``.first()`` / ``.scalar(select(M))``, Flask-SQLAlchemy's ``Book.query.get(id)`` and
    ``Book.query.filter_by(...).first()``, a Django queryset's ``.first()``."""
    model = maybe_row(node)
    if model is None and get_through(node, "query", 1):
        owner = dotted(node.func.value.value)  # type: ignore[attr-defined]
        model = owner if owner[:1].isupper() and not owner.isupper() else None
    if model is None:
        model = _model_query_first(node)
    if model is None:
        model = django_row(source, helper, node)
    return model


def _answer(route: Route, label: str) -> tuple[str, list[tuple[str, str]]]:
    """The route's 404 for a missing ``label``, and what it imports."""
    if route.framework == "fastapi":
        answer = f'raise HTTPException(status_code=404, detail="{label} not found")'
        return answer, [("fastapi", "HTTPException")]
    if route.framework == "django":
        answer, imported = django_answer(label[:1].upper() + label[1:])
        return answer, [imported]
    return "abort(404)", [("flask", "abort")]


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    call: ast.expr,
    where: Source,
    assign: ast.Assign,
    name: str,
    model: str,
    what: str,
    used: str,
    tail: str = "where the client asked for a row that is not there",
    guard: tuple[str, str] | None = None,
    own_error: tuple[str, list[tuple[str, str]]] | None = None,
) -> Suggestion:
    """The None check after ``assign`` in ``where`` (the route's module or the helper's),
    answering 404 the route's way, or as ``guard`` (test, statement) does: the module's own
    answer to a missing row of the model."""
    label = model.rsplit(".", 1)[-1]
    answer, needed = _answer(route, label)
    folded = _folded_check(where, assign, name)
    if folded is not None:
        # ``if cal.expires_at < now: raise HTTPException(409, ...)`` right after: the route's
        # own answer covers the missing row too (``if cal is None or ...``).
        edit, raised = folded
        edits: list[Edit] = [edit]
        fix = f"`if {name} is None or ...` in the test right after it answers `{raised}` instead."
        title = f"Answer the route's error when {label} is not found"
    elif own_error is not None:
        answer, needed = own_error
        edits = [*ensure_imports(where, needed), _check_after(where, assign, name, answer)]
        error = answer.split()[1].split("(")[0]
        fix = (
            f"`if {name} is None: {answer}` after it lets the app's handler of {error} answer 404."
            if error != "HTTPException"
            # the module's own answer after another call of the same function
            else f"`if {name} is None: {short(answer, 90)}` after it, as the module answers "
            "it elsewhere, answers 404 instead."
        )
        title = f"Answer 404 when {label} is not found"
    elif guard is not None:
        test, answer = guard
        edits = [_check_after(where, assign, name, answer, test.format(name=name))]
        fix = f"The module's own answer to a missing {label}, `{answer}`, is added after it."
        title = f"Answer 404 when {label} is not found"
    else:
        edits = [*ensure_imports(where, needed), _check_after(where, assign, name, answer)]
        fix = f"`if {name} is None: {answer}` after it answers 404 instead."
        title = f"Answer 404 when {label} is not found"
    src = facts.source
    return Suggestion(
        "BKD306",
        "error-handling",
        src.path,
        src.span(call),
        title,
        f"{what}, and `{used}` then raises: a 500 {tail}. {fix}",
        tuple(edits),
    )


def _folded_check(source: Source, assign: ast.Assign, name: str) -> tuple[Edit, str] | None:
    """The statement after ``assign`` is ``if <reads name>: raise HTTPException(...)``: the
    None test joins its condition. Gives the edit and the raise as written."""
    parent = source.up().get(assign)
    body = next(
        (b for f in ("body", "orelse", "finalbody") if assign in (b := getattr(parent, f, []))),
        None,
    )
    if body is None or body.index(assign) + 1 >= len(body):
        return None
    nxt = body[body.index(assign) + 1]
    if not (isinstance(nxt, ast.If) and not nxt.orelse and len(nxt.body) == 1):
        return None
    raised = nxt.body[0]
    if not (
        isinstance(raised, ast.Raise)
        and isinstance(raised.exc, ast.Call)
        and dotted(raised.exc.func).rsplit(".", 1)[-1] == "HTTPException"
    ):
        return None
    reads = [n for n in ast.walk(nxt.test) if isinstance(n, ast.Name) and n.id == name]
    if not reads or isinstance(nxt.test, ast.BoolOp):
        return None
    edit = replace_node(source, nxt.test, f"{name} is None or {source.text_of(nxt.test)}")
    return edit, short(source.text_of(raised))


def _check_after(
    source: Source, assign: ast.Assign, name: str, answer: str, test: str = ""
) -> Edit:
    line = assign.end_lineno or assign.lineno
    indent = source.indent_of(assign.lineno - 1)
    test = test or f"{name} is None"
    return insert_before_line(source, line, f"{indent}if {test}:\n{indent}    {answer}")
