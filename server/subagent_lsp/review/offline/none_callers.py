"""Whether every caller of a project function already takes its ``None`` in stride, and nothing
on the way up to the code a request runs catches the function's failure.

A helper that answers None for "nothing found" (``fetch_coordinates`` when the geocoder finds
no place) is where an upstream failure belongs too: caught there and answered as None, it
takes the path its callers already have for a None. That is only so when each caller goes on
without the value, rather than answering None as an error of its own (``abort(404)``, a
``raise``, a page of its own): a geocoder that is down must not become "no such address".

A caller takes the None in stride when the value it got (bound to a name, or passed on):
- is tested before anything else reads it (``if coords is None``, ``if coords:``,
  ``a is None or b is None``), and the branch the None takes raises nothing, aborts nothing
  and returns nothing but a constant (``return 0``): a constant is the caller's default, but
  ``False`` is a verdict (``address_ok``), followed as a None is;
- or is returned, or that branch returns None, by a function that is no handler: then each of
  its own callers must take it in stride, a few functions up;
- or is handed to a project function whose parameter takes it in stride
  (``_distance(order_coords=order_coords)``, which starts with ``if order_coords is None``).
A result the caller does not read is no such caller: it counts on the exception to stop
(a payment), and a notification whose failure may be passed over is best_effort's.

The failure is caught already when a ``try`` around a call on any way up from the function
to a handler (a route, a method a framework calls by its name) takes it, or an app-level
handler does: the helper's own except would take the failure from that code.

Read on a real app (Django + DRF): ``Location.fetch_coordinates`` made the geocoder request
and returned None for an address it did not find; ``get_location_coords`` returned None on
that, whose callers passed it to a distance function starting with ``if order_coords is None
or restaurant_coords is None: return 0``, and the admin's ``save_model`` saved the order
either way (``if coords: ...``). One geocoder failure was a 500 on the manager's orders page.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from dataclasses import dataclass

from .admin_reach import framework_method
from .drf_handlers import handler_may_answer
from .frameworks import ModuleFacts, Route
from .none_fallback_facts import NoneCallers
from .pysource import Source, dotted, is_none, own_nodes
from .try_blocks import caught
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef

# How many functions a None is followed through (returned, or handed to a parameter).
MAX_FORWARDS = 3
# How many callers up from the function a catch is looked for, to the handlers.
MAX_DEPTH = 8
# Calls that answer a None as an error of the caller's own.
_ERROR_ANSWERS = frozenset({"abort", "Http404", "HTTPException", "get_object_or_404"})


@dataclass(frozen=True)
class Site:
    """A call of the function in the project: its module's facts, the call."""

    facts: ModuleFacts
    call: ast.Call


# Every call of a function in the project (None: its name is read where it is not called, or
# a call of that name does not resolve: the callers are not known).
SitesOf = Callable[[Source, Function], list[Site] | None]


def none_callers(
    sites_of: SitesOf,
    upstream: UpstreamCalls,
    source: Source,
    func: Function,
    names: set[str],
) -> NoneCallers | None:
    """How ``func``'s callers take its None, when all of them do and nothing on the way up
    catches one of ``names`` (the failure); None otherwise."""
    walk = _Walk(sites_of, upstream, names)
    sites = sites_of(source, func)
    if not sites:
        return None
    handlers: dict[tuple[str, str], None] = {}
    if not walk.uncaught(source, func, 0, set(), handlers) or not handlers:
        return None
    callers: dict[tuple[str, str], None] = {}
    for site in sites:
        caller = site.facts.source.function_of(site.call)
        if not isinstance(caller, ast.FunctionDef | ast.AsyncFunctionDef):
            return None  # a module-level call: runs as the module is imported
        if not walk.value_ok(site.facts, caller, site.call, 0):
            return None
        callers[(site.facts.source.path, label(site.facts.up, caller))] = None
    return NoneCallers(tuple(callers), tuple(handlers))


def label(up: dict[ast.AST, ast.AST], func: Function) -> str:
    """``get_location_coords``, or ``OrderAdmin.save_model`` for a method."""
    owner = up.get(func)
    return f"{owner.name}.{func.name}" if isinstance(owner, ast.ClassDef) else func.name


class _Walk:
    def __init__(self, sites_of: SitesOf, upstream: UpstreamCalls, names: set[str]) -> None:
        self.sites_of = sites_of
        self.upstream = upstream
        self.names = names

    def uncaught(
        self,
        source: Source,
        func: Function,
        depth: int,
        seen: set[tuple[str, str, int]],
        handlers: dict[tuple[str, str], None],
    ) -> bool:
        """No call on any way up from ``func`` to a handler is in a ``try`` for the failure,
        nor does an app-level handler take it; the handlers reached are added."""
        key = (os.path.abspath(source.path), func.name, func.lineno)
        if key in seen:
            return True
        seen.add(key)
        sites = self.sites_of(source, func)
        if sites is None:
            return False  # handed on as a value: who calls it is not known
        for site in sites:
            facts = site.facts
            if caught(site.call, facts.up, self.names):
                return False
            caller = facts.source.function_of(site.call)
            if not isinstance(caller, ast.FunctionDef | ast.AsyncFunctionDef):
                continue  # module-level code: no request's
            route = _route_of(facts, caller)
            if route is not None or framework_method(facts.source, caller):
                # what the framework runs: a view, the admin's ``save_model``
                if self._app_handles(facts, route):
                    return False
                handlers[(facts.source.path, label(facts.up, caller))] = None
                continue
            if depth >= MAX_DEPTH:
                return False
            if not self.uncaught(facts.source, caller, depth + 1, seen, handlers):
                return False
        return True

    def _app_handles(self, facts: ModuleFacts, route: Route | None) -> bool:
        if facts.handled_by_app(self.names) or facts.middleware_catches:
            return True
        if route is not None and self.names & route.handled:
            return True
        framework = route.framework if route is not None else ""
        return framework == "django" and handler_may_answer(facts.source.path, self.names)

    def value_ok(self, facts: ModuleFacts, func: Function, node: ast.expr, depth: int) -> bool:
        """``node`` (in ``func``), None, is taken in stride: tested first, returned to
        callers that do, or handed to a parameter that is."""
        return self._value_ok(facts.source, facts, func, node, depth)

    def _value_ok(
        self,
        source: Source,
        facts: ModuleFacts | None,
        func: Function,
        node: ast.expr,
        depth: int,
    ) -> bool:
        up = source.up()
        parent = up.get(node)
        tested = _tested(node, up)
        if tested is not None:
            owner, truth = tested
            if not self._branch_ok(source, facts, func, owner, truth, depth):
                return False
            if not isinstance(node, ast.Name) or _leaves(owner, truth):
                return True
            # the None goes on past the test: what reads the name next takes it too
            return self._name_ok(source, facts, func, node.id, _end(owner), depth, read=True)
        if isinstance(parent, ast.Expr):
            # the result is not read: the caller counts on the exception to stop (a payment
            # whose failure must not be passed over); a notification is best_effort's
            return False
        if isinstance(parent, ast.Assign) and parent.value is node:
            if len(parent.targets) != 1 or not isinstance(parent.targets[0], ast.Name):
                return False
            return self._name_ok(source, facts, func, parent.targets[0].id, _end(parent), depth)
        if isinstance(parent, ast.Return):
            return self._returned_ok(source, facts, func, depth)
        if isinstance(parent, ast.Call) and node in parent.args:
            return self._param_ok(source, parent, node, depth)
        if isinstance(parent, ast.keyword) and parent.arg is not None:
            call = up.get(parent)
            return isinstance(call, ast.Call) and self._param_ok(source, call, node, depth)
        return False

    def _name_ok(
        self,
        source: Source,
        facts: ModuleFacts | None,
        func: Function,
        name: str,
        start: tuple[int, int],
        depth: int,
        read: bool = False,
    ) -> bool:
        """The first read of ``name`` in ``func`` from ``start`` (line, column) on takes the
        None in stride; ``read``: the value was read (tested) before, so no further read is
        as good."""
        reads = [
            n
            for n in source.nodes_of(func)
            if isinstance(n, ast.Name)
            and n.id == name
            and isinstance(n.ctx, ast.Load)
            and source.function_of(n) is func
            and (n.lineno, n.col_offset) >= start
        ]
        if not reads:
            return read  # bound and never read: as good as a result not read (above)
        first = min(reads, key=lambda n: (n.lineno, n.col_offset))
        return self._value_ok(source, facts, func, first, depth)

    def _branch_ok(
        self,
        source: Source,
        facts: ModuleFacts | None,
        func: Function,
        owner: ast.If | ast.IfExp,
        truth: bool,
        depth: int,
    ) -> bool:
        """The branch a None takes in the ``if`` (or conditional expression) testing it goes
        on: no raise, no abort, nothing returned but a constant (or a None handed on)."""
        if isinstance(owner, ast.IfExp):
            taken = owner.body if truth else owner.orelse
            return _constant(taken) and not is_none(taken)
        route = _route_of(facts, func) if facts is not None else None
        returned_none = False
        for stmt in owner.body if truth else owner.orelse:
            for node in own_nodes(stmt):
                if isinstance(node, ast.Raise):
                    return False
                if isinstance(node, ast.Call) and _answers_error(node):
                    return False
                if isinstance(node, ast.Return):
                    if route is not None:
                        return False  # a handler's answer of its own for the None
                    if node.value is None or is_none(node.value) or _false(node.value):
                        # None handed on, or ``False``: a verdict (``address_ok``) its callers
                        # act on as they would on the None
                        returned_none = True
                    elif not _constant(node.value) or _true(node.value):
                        return False
        return not returned_none or self._returned_ok(source, facts, func, depth)

    def _returned_ok(
        self, source: Source, facts: ModuleFacts | None, func: Function, depth: int
    ) -> bool:
        """``func`` hands the None on: each of its callers takes it in stride."""
        if depth >= MAX_FORWARDS or (facts is not None and _route_of(facts, func) is not None):
            return False
        sites = self.sites_of(source, func)
        if not sites:
            return False  # run by the framework (a serializer's method): not known
        for site in sites:
            caller = site.facts.source.function_of(site.call)
            if not isinstance(caller, ast.FunctionDef | ast.AsyncFunctionDef):
                return False
            if not self._value_ok(site.facts.source, site.facts, caller, site.call, depth + 1):
                return False
        return True

    def _param_ok(self, source: Source, call: ast.Call, node: ast.expr, depth: int) -> bool:
        """``node`` handed to a project function whose parameter takes the None in stride."""
        if depth >= MAX_FORWARDS:
            return False
        target = self.upstream.callee(source, call)
        if target is None:
            return False
        callee_source, callee = target
        param = _parameter(call, node, callee)
        if param is None:
            return False
        # The callee's facts are not read: a function handed an argument by the project's own
        # code answers no request itself.
        start = (callee.body[0].lineno, callee.body[0].col_offset)
        return self._name_ok(callee_source, None, callee, param, start, depth + 1)


def _route_of(facts: ModuleFacts | None, func: Function) -> Route | None:
    if facts is None:
        return None
    return next((r for r in facts.routes if r.func is func), None)


def _tested(node: ast.expr, up: dict[ast.AST, ast.AST]) -> tuple[ast.If | ast.IfExp, bool] | None:
    """The ``if`` (or conditional expression) whose test reads ``node`` first, and the test's
    truth when ``node`` is None: ``coords`` False, ``coords is None`` True, ``not coords``
    True, ``a is None or b is None`` True; None when it is no such test or its truth with a
    None is not known."""
    truth = False  # None is falsy
    current: ast.AST = node
    while True:
        parent = up.get(current)
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            truth = not truth
        elif isinstance(parent, ast.Compare) and current is node and len(parent.ops) == 1:
            other = parent.comparators[0] if parent.left is node else parent.left
            if not is_none(other):
                return None
            if isinstance(parent.ops[0], ast.Is | ast.Eq):
                truth = True
            elif isinstance(parent.ops[0], ast.IsNot | ast.NotEq):
                truth = False
            else:
                return None
        elif isinstance(parent, ast.BoolOp):
            # ``a is None or ...`` is true whatever follows; ``a and ...`` false
            if isinstance(parent.op, ast.Or) != truth:
                return None
        elif isinstance(parent, ast.If | ast.IfExp) and parent.test is current:
            return parent, truth
        else:
            return None
        current = parent


def _end(node: ast.stmt | ast.expr) -> tuple[int, int]:
    return (node.end_lineno or node.lineno, node.end_col_offset or 0)


def _leaves(owner: ast.If | ast.IfExp, truth: bool) -> bool:
    """The branch a None takes ends its way through the function (a return, a raise, a
    ``continue``): what follows the test never sees the None."""
    if not isinstance(owner, ast.If):
        return False
    taken = owner.body if truth else owner.orelse
    return bool(taken) and isinstance(taken[-1], ast.Return | ast.Raise | ast.Continue | ast.Break)


def _false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _constant(node: ast.expr) -> bool:
    """A literal (``0``, ``""``, ``False``) or an empty list, dict, tuple or set."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return not node.elts
    return isinstance(node, ast.Dict) and not node.keys


def _answers_error(call: ast.Call) -> bool:
    return dotted(call.func).rsplit(".", 1)[-1] in _ERROR_ANSWERS


def _parameter(call: ast.Call, node: ast.expr, callee: Function) -> str | None:
    """The parameter of ``callee`` that ``node`` (an argument of ``call``) binds."""
    args = callee.args
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    for keyword in call.keywords:
        if keyword.value is node:
            named = keyword.arg
            kwonly = {a.arg for a in args.kwonlyargs}
            return named if named in positional or named in kwonly else None
    if node not in call.args:
        return None
    index = call.args.index(node)
    if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return None
    static = any(dotted(d) == "staticmethod" for d in callee.decorator_list)
    if positional[:1] in (["self"], ["cls"]) and not static:
        index += 1  # ``obj.method(x)``: the receiver is the first
    return positional[index] if index < len(positional) else None
