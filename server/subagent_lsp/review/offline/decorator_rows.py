"""Rows a view's project decorator has already fetched before the view's body runs.

``@organiser_only`` reads ``kwargs.get("page_url")``, calls ``get_event(page_url, ...)`` and
calls the view only under ``if event and ...:`` (a 404 otherwise); ``@author_required`` runs
``Review.objects.get(pk=review_id)`` on the POST's ``review-id`` before it calls the view. The
view's own ``get_event(page_url, ...)`` or ``get_object_or_404(Review, pk=...)`` by the same
values then finds the row: a 404 for it was judged noise on two real apps.

A fetch is the lookup (a model's ``.objects.get`` / ``get_object_or_404``, or a project
function the call resolves to) and, per argument, where its value comes from: the URL's
keyword (``url:page_url``), a request key (``POST:review-id``), the request itself
(``request.user.is_authenticated``) or a constant. The view's call matches when it is the
same lookup and each of its values comes from where the decorator's did.

Flask's too: a Flask-RESTful app's ``@auth_required`` runs ``user : UserModel =
UserModel.query.filter_by(id=user_id).first()`` on ``kwargs.get("user_id")`` and aborts 404
without it, and each Resource method that wears it looks the same user up again by its
``user_id``: four 404s there would be noise. Flask-SQLAlchemy's ``filter_by(...).first()`` (a
row tested true on the way), ``.get(key)`` and their ``_or_404`` forms are lookups as Django's.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .block_exits import always_leaves
from .django_views import Fetch, lookup_field, lookup_of, lookup_positional
from .earlier_guards import inside_if, negated, refused_before
from .pysource import Source, dotted, own_nodes, single_binding

if TYPE_CHECKING:
    from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef
Origins = frozenset[str]

_MAPPINGS = ("GET", "POST", "data", "query_params")


def decorator_rows(
    view: Function,
    decorators: list[tuple[Source, Function]],
    upstream: UpstreamCalls | None,
) -> frozenset[Fetch]:
    """The fetches every decorator's call of ``view`` (that can run for it) is made after,
    with the row found: a lookup that raises when it finds none, or a value tested true."""
    if upstream is None:
        return frozenset()
    sent = _params(view)
    out: set[Fetch] = set()
    for source, deco in decorators:
        for wrapper, wrapped in wrappers(deco):
            calls = [
                node
                for node in own_nodes(wrapper)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == wrapped
                and _may_run(source, node, wrapper, sent)
            ]
            made = [_fetched_before(source, upstream, wrapper, call) for call in calls]
            if made:
                out |= set.intersection(*made)
    return frozenset(out)


def same_fetch(
    source: Source,
    upstream: UpstreamCalls | None,
    view: Function,
    call: ast.Call,
    rows: frozenset[Fetch],
) -> bool:
    """``call`` in ``view`` looks up a row its decorator fetched (``rows``) by the same
    values."""
    if not rows or upstream is None:
        return False
    mine = _fetch(source, upstream, view, call)
    if mine is None:
        return False
    what, slots = mine
    for theirs, their_slots in rows:
        if theirs != what or [s for s, _ in their_slots] != [s for s, _ in slots]:
            continue
        if all(o <= t for (_, o), (_, t) in zip(slots, their_slots, strict=True)):
            return True
    return False


def wrappers(deco: Function) -> Iterator[tuple[Function, str]]:
    """``def wrap(request, *args, **kwargs)`` inside the decorator, with the name of the view
    it calls (a parameter of a function around it: ``def author_required(f)``)."""
    todo: list[tuple[Function, frozenset[str]]] = [(deco, frozenset())]
    while todo:
        func, around = todo.pop()
        names = around | _params(func, first=True)
        todo.extend((inner, names) for inner in _nested(func))
        for name in sorted(around):
            if any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
                for n in own_nodes(func)
            ):
                yield func, name


def _nested(func: Function) -> Iterator[Function]:
    """The functions defined in ``func``'s own body (not deeper)."""
    for node in own_nodes(func):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield child


def _params(func: Function, first: bool = False) -> frozenset[str]:
    """The function's named parameters, its first (the request) only when ``first``."""
    args = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
    return frozenset(a.arg for a in (args if first else args[1:]))


def _may_run(source: Source, call: ast.Call, wrapper: Function, sent: frozenset[str]) -> bool:
    """Not under ``if "review_name" in kwargs ...:`` for a view that takes no such keyword."""
    kwargs = wrapper.args.kwarg.arg if wrapper.args.kwarg is not None else None
    # (``call`` is one of the wrapper's own nodes: the first function around it is the wrapper)
    return not inside_if(call, source.up(), lambda test: _absent_keyword(test, kwargs, sent))


def _absent_keyword(test: ast.expr, kwargs: str | None, sent: frozenset[str]) -> bool:
    return (
        kwargs is not None
        and isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In)
        and isinstance(test.left, ast.Constant)
        and isinstance(test.left.value, str)
        and test.left.value not in sent
        and isinstance(test.comparators[0], ast.Name)
        and test.comparators[0].id == kwargs
    )


def _fetched_before(
    source: Source, upstream: UpstreamCalls, wrapper: Function, call: ast.Call
) -> set[Fetch]:
    """The fetches made on the way to ``call`` in ``wrapper`` whose row must be there when it
    runs: a raising lookup in a statement before it (of its block or a block around it), or
    any call bound to a name that a test on the way requires to be true."""
    up = source.up()
    out: set[Fetch] = set()
    child: ast.AST = call
    current = up.get(call)
    while current is not None and child is not wrapper:
        for field in ("body", "orelse", "finalbody"):
            block = getattr(current, field, None)
            if not isinstance(block, list) or child not in block:
                continue
            for stmt in block[: block.index(child)]:
                for name, value in _bound_calls(stmt):
                    fetch = _fetch(source, upstream, wrapper, value)
                    if fetch is None:
                        continue
                    if _raises_when_missing(value) or (
                        name is not None and _required(call, up, name)
                    ):
                        out.add(fetch)
        child, current = current, up.get(current)
    return out


def _bound_calls(stmt: ast.stmt) -> Iterator[tuple[str | None, ast.Call]]:
    """``row = call(...)`` / ``row: Model = call(...)`` / ``call(...)``, and those of a ``try``
    whose every handler leaves."""
    if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(stmt.value, ast.Call):
        yield single_binding(stmt), stmt.value
    elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        yield None, stmt.value
    elif isinstance(stmt, ast.Try) and all(always_leaves(h.body) for h in stmt.handlers):
        for inner in stmt.body:
            yield from _bound_calls(inner)


def _raises_when_missing(call: ast.Call) -> bool:
    if lookup_of(call) is not None:
        return True
    found = _flask_lookup(call)
    return found is not None and found[2]


# Flask-SQLAlchemy's lookups of one row by the query's end: whether a miss raises (a 404 or
# NoResultFound) rather than giving None.
_FLASK_ENDS = {"first": False, "one_or_none": False, "first_or_404": True, "one": True}
_FLASK_ENDS |= {"one_or_404": True}
_FLASK_GETS = {"get": False, "get_or_404": True}


def _flask_lookup(call: ast.Call) -> tuple[str, list[tuple[str, ast.expr]], bool] | None:
    """``User.query.filter_by(id=user_id).first()`` / ``User.query.get(user_id)`` /
    ``db.session.get(User, user_id)``: (model, its (field, value) pairs, whether a miss
    raises). Only keyword filters (``filter_by``) and the primary key: ``filter(...)``'s
    expressions are not read."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr in _FLASK_GETS and not call.keywords:
        owner = func.value
        if isinstance(owner, ast.Attribute) and owner.attr == "query" and len(call.args) == 1:
            model, key = dotted(owner.value), call.args[0]
        elif isinstance(owner, ast.Attribute) and owner.attr == "session" and len(call.args) == 2:
            model, key = dotted(call.args[0]), call.args[1]
        else:
            return None
        if not model.rsplit(".", 1)[-1][:1].isupper():
            return None
        return model.rsplit(".", 1)[-1], [("pk", key)], _FLASK_GETS[func.attr]
    chain = func.value
    if func.attr not in _FLASK_ENDS or call.args or call.keywords:
        return None
    if not (
        isinstance(chain, ast.Call)
        and isinstance(chain.func, ast.Attribute)
        and chain.func.attr == "filter_by"
        and not chain.args
        and chain.keywords
        and all(k.arg for k in chain.keywords)
    ):
        return None
    query = chain.func.value
    if not (isinstance(query, ast.Attribute) and query.attr == "query"):
        return None
    model = dotted(query.value).rsplit(".", 1)[-1]
    if not model[:1].isupper():
        return None
    pairs = [(lookup_field(k.arg), k.value) for k in chain.keywords]
    return model, pairs, _FLASK_ENDS[func.attr]


def _required(call: ast.Call, up: dict[ast.AST, ast.AST], name: str) -> bool:
    """``call`` runs only when ``name`` is true: under ``if name and ...:`` or after ``if not
    name: return ...``."""

    def holds(test: ast.expr) -> bool:
        if isinstance(test, ast.Name):
            return test.id == name
        return _is_none_test(test, name, ast.IsNot)

    def refuses(test: ast.expr) -> bool:
        inner = negated(test)
        return (isinstance(inner, ast.Name) and inner.id == name) or _is_none_test(
            test, name, ast.Is
        )

    return inside_if(call, up, holds) or refused_before(call, up, refuses)


def _is_none_test(test: ast.expr, name: str, op: type[ast.cmpop]) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and len(test.ops) == 1
        and isinstance(test.ops[0], op)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    )


def _fetch(source: Source, upstream: UpstreamCalls, func: Function, call: ast.Call) -> Fetch | None:
    """The lookup ``call`` in ``func`` makes and where each of its values comes from; None
    when a value's origin is not known."""
    lookup = lookup_of(call)
    flask = _flask_lookup(call) if lookup is None else None
    if lookup is not None:
        if lookup_positional(call) or any(k.arg is None for k in call.keywords):
            return None
        what = f"model:{lookup[0]}"
        pairs = [(lookup_field(k.arg), k.value) for k in call.keywords]
    elif flask is not None:
        what = f"model:{flask[0]}"
        pairs = flask[1]
    else:
        found = upstream.resolve(source, call.func)
        if found is None:
            return None
        if any(isinstance(a, ast.Starred) for a in call.args):
            return None
        if any(k.arg is None for k in call.keywords):
            return None
        what = f"fn:{found[0].path}:{found[1].lineno}"
        pairs = [(str(i), a) for i, a in enumerate(call.args)]
        pairs += [(k.arg or "", k.value) for k in call.keywords]
    slots = []
    for slot, value in sorted(pairs, key=lambda p: p[0]):
        origins = _origins(func, value)
        if not origins:
            return None
        slots.append((slot, origins))
    return what, tuple(slots)


def _origins(func: Function, value: ast.expr) -> Origins:
    """Where ``value`` in ``func`` (a view or a decorator's wrapper) comes from; empty when
    not known. A name is followed through every assignment of it in the function."""
    if isinstance(value, ast.Name):
        out: set[str] = set()
        if value.id in _params(func) and value.id != _kwargs(func):
            out.add(f"url:{value.id}")
        for node in ast.walk(func):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == value.id for t in node.targets)
            ) or (isinstance(node, ast.AnnAssign) and single_binding(node) == value.id):
                assert node.value is not None
                found = _origin(func, node.value)
                if found is None:
                    return frozenset()
                out.add(found)
            elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.For | ast.NamedExpr):
                target = node.target
                if isinstance(target, ast.Name) and target.id == value.id:
                    return frozenset()
        return frozenset(out)
    found = _origin(func, value)
    return frozenset({found}) if found is not None else frozenset()


def _origin(func: Function, value: ast.expr) -> str | None:
    """``kwargs.get("page_url")`` -> url:page_url, ``request.POST["review-id"]`` ->
    POST:review-id, ``request.user.is_authenticated`` as written, a constant as its repr."""
    if isinstance(value, ast.Constant):
        return f"={value.value!r}"
    key = _key_of(value)
    if key is not None:
        mapping, name = key
        if dotted(mapping) == _kwargs(func):
            return f"url:{name}"
        request = _request(func)
        for kind in _MAPPINGS:
            if request is not None and dotted(mapping) == f"{request}.{kind}":
                return f"{kind}:{name}"
        return None
    request = _request(func)
    text = dotted(value)
    if request is not None and text.startswith(f"{request}.") and "(" not in text:
        return "request" + text[len(request) :]
    return None


def _key_of(value: ast.expr) -> tuple[ast.expr, str] | None:
    """``m["k"]`` / ``m.get("k")`` -> (m, k)."""
    if isinstance(value, ast.Subscript):
        key = value.slice
        mapping = value.value
    elif (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and len(value.args) == 1
        and not value.keywords
    ):
        key = value.args[0]
        mapping = value.func.value
    else:
        return None
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return mapping, key.value
    return None


def _kwargs(func: Function) -> str | None:
    return func.args.kwarg.arg if func.args.kwarg is not None else None


def _request(func: Function) -> str | None:
    args = [*func.args.posonlyargs, *func.args.args]
    return args[0].arg if args else None
