"""Functions on a request's path that are no route: a DRF filter backend's ``filter_queryset``,
a Django module function its views hand their ``request`` to (``_filters(request)``), and a
FastAPI one taking a ``Request`` likewise, a Flask module function that reads Flask's
``request`` for the views that call it (``_lat()``).

``float(request.query_params.get("lat"))`` there raises as it would in the view: a 500 for the
client's typo (blind judges of real apps listed these as missed: only routes were read). Each
is returned as a route that does not answer (``answers`` False), so a fix raises from it, as
from a view's ``get_queryset``: DRF's ``ValidationError`` in a DRF module, Django's
``BadRequest`` otherwise, Flask's ``abort(400)``, FastAPI's ``HTTPException``.

Precision first: a module function is one only when every mention of its name in the module
is a call from a route, handing it that route's request (Django), none inside a ``try`` that
takes ValueError or anything broader (that caller answers the error itself); a name handed on
uncalled (a callback, a registry) may run anywhere.
"""

from __future__ import annotations

import ast

from .frameworks import ModuleFacts, Route, flask_abort, raises_drf
from .pysource import dotted
from .try_blocks import caught

Function = ast.FunctionDef | ast.AsyncFunctionDef

_FLASK_READS = ("request.args", "request.form", "request.values")


def request_helpers(facts: ModuleFacts) -> list[Route]:
    """The module's helpers as routes that raise (kept on the parse: two rules read them)."""
    found: list[Route] | None = facts.source.__dict__.get("_request_helpers")
    if found is None:
        found = [*_filter_backends(facts), *_module_helpers(facts)]
        facts.source.__dict__["_request_helpers"] = found
    return found


def _filter_backends(facts: ModuleFacts) -> list[Route]:
    """``filter_queryset(self, request, queryset, view)`` of a class over a ``*FilterBackend``:
    DRF runs it on every list request with the client's query string."""
    if "django" not in facts.frameworks:
        return []
    out = []
    drf = raises_drf(facts.imports)
    for module in facts.source.modules:
        for cls in module.body:
            if not isinstance(cls, ast.ClassDef) or not any(
                dotted(b).split(".")[-1].endswith("FilterBackend") for b in cls.bases
            ):
                continue
            for func in cls.body:
                if (
                    isinstance(func, ast.FunctionDef)
                    and func.name == "filter_queryset"
                    and [a.arg for a in func.args.args][:2] == ["self", "request"]
                    and not facts.is_route(func)
                ):
                    out.append(Route(func, "django", answers=False, sent=frozenset(), drf=drf))
    return out


def _module_helpers(facts: ModuleFacts) -> list[Route]:
    django = "django" in facts.frameworks
    flask = "flask" in facts.frameworks and facts.imports.get("request") == "flask.request"
    fastapi = "fastapi" in facts.frameworks
    if not (django or flask or fastapi) or not facts.routes:
        return []
    if flask and not django and flask_abort(facts) is None:
        return []  # ``abort`` is something else here: the fix has no way to answer 400
    drf = raises_drf(facts.imports)
    out = []
    for module in facts.source.modules:
        for func in module.body:
            if not isinstance(func, Function) or facts.is_route(func):
                continue
            params = [a.arg for a in func.args.args]
            first = func.args.args[0].annotation if func.args.args else None
            if fastapi and first is not None and dotted(first).split(".")[-1] == "Request":
                if _called_by_routes(facts, func, hands_request=True):
                    out.append(Route(func, "fastapi", answers=False, sent=frozenset()))
            elif django and params[:1] == ["request"]:
                if _called_by_routes(facts, func, hands_request=True):
                    out.append(Route(func, "django", answers=False, sent=frozenset(), drf=drf))
            elif (
                flask
                and not django
                and _reads_flask_request(facts, func)
                and _called_by_routes(facts, func, hands_request=False)
            ):
                out.append(Route(func, "flask", answers=False, sent=frozenset()))
    return out


def _reads_flask_request(facts: ModuleFacts, func: Function) -> bool:
    return any(
        isinstance(n, ast.Attribute) and dotted(n) in _FLASK_READS
        for n in facts.source.nodes_of(func)
    )


def _called_by_routes(facts: ModuleFacts, func: Function, *, hands_request: bool) -> bool:
    """Every mention of ``func``'s name in the module is a route's call of it, none caught
    for ValueError; ``hands_request``: each passes the route's request first."""
    src = facts.source
    routes = {id(r.func) for r in facts.routes}
    calls = 0
    for node in _names(facts).get(func.name, []):
        call = facts.up.get(node)
        if not (isinstance(call, ast.Call) and call.func is node):
            return False
        caller = src.function_of(call)
        if caller is None or id(caller) not in routes:
            return False
        if caught(call, facts.up, {"ValueError", "TypeError", "KeyError"}):
            return False
        if hands_request:
            first = call.args[0] if call.args else None
            if first is None or dotted(first) not in ("request", "self.request"):
                return False
        calls += 1
    return calls > 0


def _names(facts: ModuleFacts) -> dict[str, list[ast.Name]]:
    """The module's names by what they read, in one walk of it (every candidate asks)."""
    found: dict[str, list[ast.Name]] | None = facts.source.__dict__.get("_names_by_id")
    if found is None:
        found = {}
        for node in facts.source.walk():
            if isinstance(node, ast.Name):
                found.setdefault(node.id, []).append(node)
        facts.source.__dict__["_names_by_id"] = found
    return found
