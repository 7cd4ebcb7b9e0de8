"""The methods of a Flask view class that its request methods call: on the request path too.

A Flask-RESTful resource's ``get`` often only picks what to do (``return self.item(id) if id
else self.list()``, ``getattr(self, action)()``) and the request is read in the method it
calls (walle-web: ``page = int(request.args.get("page", 0))`` in ``list``): a bad value there
fails the request as it would in ``get``. Such a method is a handler that does not answer (its
value goes back to the request method, which may transform it), so a fix raises
(``abort(400)``, ``first_or_404()``), as from a Django view's ``get_queryset``.

Precision first: a method is one only when
- the class's request methods reach it through ``self.name(...)`` (themselves or through
  methods so reached), or through a ``getattr(self, name)`` dispatch, which reaches every
  public method of the class that reads Flask's ``request``;
- nothing else in the module calls it: no method of the class no request runs (as far as the
  module tells), no code outside the class on the class or an instance of it (a CLI command's
  ``ReportAPI().recount()``), and ``self.name`` is not handed on uncalled (a callback);
- no call of it sits in a ``try`` with a broad handler (the caller answers what it raises).
Its parameters hold the client's values only where every call passes one (a URL part, a
request read of the caller's): ``self.item(user_id)``, not ``self.notify(task.owner_id)``.
A caller that catches an error around the call handles it for the method too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

from .django_views import module_lineage
from .frameworks import VIEW_METHODS, ModuleFacts, Route, flask_abort
from .helper_rows import keyed_by_client
from .pysource import Source, dotted, is_self, top_level_class
from .try_blocks import handlers_around

Function = ast.FunctionDef | ast.AsyncFunctionDef

_NOT_ON_SELF = ("staticmethod", "classmethod", "property", "cached_property")
_BROAD = {"Exception", "BaseException"}
# Passes over the helpers' parameters until what their callers pass settles (a chain of
# helpers handing a URL part on settles in as many passes as it is long).
_MAX_PASSES = 6


class _Methods(NamedTuple):
    """What ``self.name`` may stand for in a class (its own methods, then its module's bases'),
    and the public ones that read ``request``: what ``getattr(self, name)(...)`` may run."""

    named: dict[str, Function]
    dispatched: list[Function]


class _Call(NamedTuple):
    """One call of a helper: the method it is in, the call, the parameters it gives values."""

    caller: Function
    node: ast.Call
    args: dict[str, ast.expr]


Calls = dict[int, tuple[Function, list[_Call]]]


class _Classes:
    """The module's classes' methods, read once per class."""

    def __init__(self, facts: ModuleFacts) -> None:
        self.facts = facts
        self.reads_request = facts.imports.get("request") == "flask.request"
        self._methods: dict[int, _Methods] = {}

    def methods(self, cls: ast.ClassDef) -> _Methods:
        found = self._methods.get(id(cls))
        if found is None:
            found = self._methods[id(cls)] = self._read(cls)
        return found

    def _read(self, cls: ast.ClassDef) -> _Methods:
        source = self.facts.source
        named: dict[str, Function] = {}
        for current in module_lineage(source, cls):
            for stmt in current.body:
                if (
                    isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
                    and stmt.name not in named
                    and not any(_not_on_self(d) for d in stmt.decorator_list)
                ):
                    named[stmt.name] = stmt
        dispatched = [
            method
            for name, method in named.items()
            if self.reads_request
            and not name.startswith("_")
            and name not in VIEW_METHODS
            and any(isinstance(n, ast.Name) and n.id == "request" for n in source.nodes_of(method))
        ]
        return _Methods(named, dispatched)


def mark_view_helpers(facts: ModuleFacts) -> None:
    """Adds the module's view classes' helper methods to its routes (not answering)."""
    if "flask" not in facts.frameworks or flask_abort(facts) is None:
        return
    requests: dict[int, tuple[Function, ast.ClassDef]] = {}
    for route in facts.routes:
        owner = facts.up.get(route.func)
        flask = route.framework == "flask" and route.func.name in VIEW_METHODS
        if flask and isinstance(owner, ast.ClassDef):
            requests[id(route.func)] = (route.func, owner)
    if not requests:
        return
    classes = _Classes(facts)
    bound = _BoundCalls(facts.source)
    excluded: set[int] = set()
    while True:
        calls = _reached(facts, classes, requests, excluded)
        bad = _called_elsewhere(facts, classes, bound, set(requests) | set(calls), calls)
        if bad <= excluded:
            break
        excluded |= bad
    helpers = {key: method for key, (method, _) in calls.items() if not facts.is_route(method)}
    facts.routes.extend(_helper_routes(facts, helpers, calls))


def _not_on_self(deco: ast.expr) -> bool:
    name = dotted(deco)
    return name.rsplit(".", 1)[-1] in _NOT_ON_SELF or name.endswith((".setter", ".deleter"))


def _reached(
    facts: ModuleFacts,
    classes: _Classes,
    requests: dict[int, tuple[Function, ast.ClassDef]],
    excluded: set[int],
) -> Calls:
    """Every method the request methods reach (not through an excluded one), with its calls
    from the request methods and the methods reached."""
    out: Calls = {}
    todo = list(requests.values())
    seen: set[tuple[int, int]] = set()
    while todo:
        func, cls = todo.pop()
        if (id(func), id(cls)) in seen:
            continue
        seen.add((id(func), id(cls)))
        for target, call in _self_calls(facts, func, classes.methods(cls)):
            if id(target) in excluded or id(target) in requests or target is func:
                continue
            out.setdefault(id(target), (target, []))[1].append(call)
            todo.append((target, cls))  # ``self`` is still the request's view
    return out


def _self_calls(
    facts: ModuleFacts, func: Function, methods: _Methods
) -> Iterator[tuple[Function, _Call]]:
    """The methods ``func`` calls on ``self``, with each call: ``self.name(...)``, and
    ``getattr(self, name)`` once what it gives is called."""
    for node in facts.source.nodes_of(func):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and is_self(node.func.value):
            target = methods.named.get(node.func.attr)
            if target is not None:
                yield target, _Call(func, node, _passed(target, node))
            continue
        if not (dotted(node.func) == "getattr" and len(node.args) >= 2 and is_self(node.args[0])):
            continue
        name = node.args[1]
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            found = methods.named.get(name.value)
            targets = [found] if found is not None else []
        else:  # ``getattr(self, action)``: any public method that reads the request
            targets = methods.dispatched
        for call in _invocations(facts, func, node) if targets else []:
            for target in targets:
                yield target, _Call(func, call, _passed(target, call))


def _invocations(facts: ModuleFacts, func: Function, found: ast.Call) -> list[ast.Call]:
    """The calls of what ``getattr(self, ...)`` gave: ``getattr(self, a)(...)``, or those of
    the one local it is bound to (``handler = getattr(self, a, None)``, ``handler(...)``),
    when it is not used any other way (a value read off ``self`` is no dispatch)."""
    parent = facts.up.get(found)
    if isinstance(parent, ast.Call) and parent.func is found:
        return [parent]
    if not (
        isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        return []
    local = parent.targets[0].id
    calls = []
    for node in facts.source.nodes_of(func):
        if isinstance(node, ast.Name) and node.id == local and isinstance(node.ctx, ast.Load):
            up = facts.up.get(node)
            if isinstance(up, ast.Call) and up.func is node:
                calls.append(up)
            elif not _tested(up, node):
                return []
    return calls


def _tested(parent: ast.AST | None, node: ast.Name) -> bool:
    """``if handler:`` / ``handler is None``: a look at it, not a use."""
    if isinstance(parent, ast.If | ast.IfExp | ast.While) and parent.test is node:
        return True
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return True
    return isinstance(parent, ast.Compare) and isinstance(parent.ops[0], ast.Is | ast.IsNot)


def _passed(method: Function, call: ast.Call) -> dict[str, ast.expr]:
    """The method's parameters the call gives a value, by name (``self`` not counted)."""
    positional = [a.arg for a in [*method.args.posonlyargs, *method.args.args][1:]]
    out: dict[str, ast.expr] = {}
    for param, arg in zip(positional, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            break  # the rest are not known one by one
        out[param] = arg
    named = {a.arg for a in [*method.args.args[1:], *method.args.kwonlyargs]}
    for keyword in call.keywords:
        if keyword.arg in named:
            out[keyword.arg] = keyword.value
    return out


def _called_elsewhere(
    facts: ModuleFacts, classes: _Classes, bound: _BoundCalls, on_path: set[int], calls: Calls
) -> set[int]:
    """The reached methods something off the request path also runs (see the module's
    docstring), or that a caller calls inside a broad ``try``."""
    bad = {
        key
        for key, (_, sites) in calls.items()
        if any(handlers_around(s.node, facts.up) & _BROAD for s in sites)
    }
    names = {method.name for method, _ in calls.values()}
    source = facts.source
    for node in source.of(ast.Attribute):
        if node.attr not in names:
            continue
        parent = facts.up.get(node)
        called = isinstance(parent, ast.Call) and parent.func is node
        where = source.function_of(node)
        if is_self(node.value):
            owner = facts.up.get(where) if where is not None else None
            if not isinstance(owner, ast.ClassDef):
                continue
            assert isinstance(where, ast.FunctionDef | ast.AsyncFunctionDef)
            target = classes.methods(owner).named.get(node.attr)
            if target is None or id(target) not in calls:
                continue  # another class's method of that name
            if not called:
                bad.add(id(target))  # handed on (a callback, a thread's target)
            elif id(where) not in on_path and where.name != "__init__":
                # (the view makes an instance per request: ``__init__`` runs on its path)
                bad.add(id(target))
            continue
        cls = _view_instance(facts, bound, node.value)
        target = classes.methods(cls).named.get(node.attr) if cls is not None else None
        if target is not None and id(target) in calls:
            bad.add(id(target))  # ``ReportAPI().recount()`` in a command
    return bad


def _view_instance(facts: ModuleFacts, bound: _BoundCalls, node: ast.expr) -> ast.ClassDef | None:
    """The module's class ``node`` is or makes: ``Cls``, ``Cls()``, or a local bound to
    ``Cls(...)`` (``api = ReportAPI()``)."""
    if isinstance(node, ast.Name):
        made = bound.call_of(node)
        if made is not None:
            node = made
    if isinstance(node, ast.Call):
        node = node.func
    return top_level_class(facts.source, node.id) if isinstance(node, ast.Name) else None


class _BoundCalls:
    """The call each local is first bound to in its function (or a name anywhere in the
    module, for the top level), read once per function: asked for every attribute read on a
    name, on every pass of ``mark_view_helpers``."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._per_scope: dict[ast.AST | None, dict[str, ast.Call]] = {}

    def call_of(self, name: ast.Name) -> ast.Call | None:
        func = self.source.function_of(name)
        found = self._per_scope.get(func)
        if found is None:
            found = self._per_scope[func] = self._read(func)
        return found.get(name.id)

    def _read(self, func: ast.AST | None) -> dict[str, ast.Call]:
        if func is None:
            assigns = self.source.of(ast.Assign)
        else:
            assigns = [n for n in self.source.nodes_of(func) if isinstance(n, ast.Assign)]
        found: dict[str, ast.Call] = {}
        for node in assigns:
            if isinstance(node.value, ast.Call):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, node.value)
        return found


def _helper_routes(facts: ModuleFacts, helpers: dict[int, Function], calls: Calls) -> list[Route]:
    """A route per helper: what its callers catch around its calls, and the parameters every
    call passes a client value, settled over the chain of helpers (from none)."""
    routes = {id(r.func): r for r in facts.routes}
    made = {
        key: Route(func, "flask", answers=False, sent=frozenset()) for key, func in helpers.items()
    }
    routes.update(made)
    for _ in range(_MAX_PASSES):
        changed = False
        for key, route in made.items():
            sent: set[str] | None = None
            handled = set(route.handled)
            for site in calls[key][1]:
                caller = routes.get(id(site.caller))
                if caller is None:
                    continue
                passed = {p for p, a in site.args.items() if keyed_by_client(a, caller)}
                sent = passed if sent is None else sent & passed
                handled |= caller.handled | handlers_around(site.node, facts.up)
            new_sent, new_handled = frozenset(sent or ()), frozenset(handled)
            if new_sent != route.sent or new_handled != route.handled:
                route.sent, route.handled, changed = new_sent, new_handled, True
        if not changed:
            break
    return list(made.values())
