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

from .client_text import checked, client_text, holders, tested_inline, text_reader
from .frameworks import ModuleFacts, Route, drf_view_of, flask_abort, raises_drf
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
            calls = _route_calls(facts, func)
            if not calls:
                continue
            frameworks = {route.framework for route, _ in calls}
            if len(frameworks) != 1:
                continue
            framework = frameworks.pop()
            params = [a.arg for a in func.args.args]
            first = func.args.args[0].annotation if func.args.args else None
            handed = all(
                call.args and dotted(call.args[0]) in ("request", "self.request")
                for _, call in calls
            )
            sent = _sent(facts, func, calls)
            if framework == "fastapi" and fastapi:
                typed = first is not None and dotted(first).split(".")[-1] == "Request"
                if (typed and handed) or sent:
                    out.append(Route(func, "fastapi", answers=False, sent=sent))
            elif framework == "django" and django:
                # DRF's error only where DRF answers it: every caller is a DRF view
                ours = drf and all(
                    drf_view_of(route.func, facts.up, facts.imports) for route, _ in calls
                )
                if (params[:1] == ["request"] and handed) or sent:
                    out.append(Route(func, "django", answers=False, sent=sent, drf=ours))
            elif (
                framework == "flask"
                and flask
                and not django
                and (_reads_flask_request(facts, func) or sent)
            ):
                out.append(Route(func, "flask", answers=False, sent=sent))
    return out


def _reads_flask_request(facts: ModuleFacts, func: Function) -> bool:
    return any(
        isinstance(n, ast.Attribute) and dotted(n) in _FLASK_READS
        for n in facts.source.nodes_of(func)
    )


def _route_calls(facts: ModuleFacts, func: Function) -> list[tuple[Route, ast.Call]]:
    """Every call of ``func`` with the route it is in, when every mention of its name in the
    module is a route's call of it, none caught for ValueError, TypeError or KeyError (empty
    otherwise)."""
    src = facts.source
    routes = {id(r.func): r for r in facts.routes}
    out = []
    for node in _names(facts).get(func.name, []):
        call = facts.up.get(node)
        if not (isinstance(call, ast.Call) and call.func is node):
            return []
        caller = src.function_of(call)
        route = routes.get(id(caller)) if caller is not None else None
        if route is None or caught(call, facts.up, {"ValueError", "TypeError", "KeyError"}):
            return []
        out.append((route, call))
    return out


def _sent(
    facts: ModuleFacts, func: Function, calls: list[tuple[Route, ast.Call]]
) -> frozenset[str]:
    """The parameters every call hands a client's text its caller did not check: what
    ``_dispatch(request.data.get("action"))`` gives ``action``."""
    args = func.args
    if args.vararg or args.kwarg or args.posonlyargs:
        return frozenset()
    names = [a.arg for a in args.args]
    out = set()
    labels: dict[str, str] = {}
    for index, name in enumerate(names):
        client = True
        said: set[str] = set()
        for route, call in calls:
            given = call.args[index] if index < len(call.args) else None
            if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
                given = None
            for keyword in call.keywords:
                if keyword.arg == name:
                    given = keyword.value
            reader = text_reader(facts, route)
            text = client_text(reader, given) if given is not None else None
            if given is None or text is None or tested_inline(route.func, given):
                client = False
                break
            held = holders(reader, text)
            if held and checked(route.func, held, lookups=True):
                client = False
                break
            said.add(text.label)
        if client:
            out.add(name)
            if len(said) == 1:  # every caller reads the same key: the client's name for it
                labels[name] = said.pop()
    facts.source.__dict__.setdefault("_sent_labels", {})[id(func)] = labels
    return frozenset(out)


def sent_labels(facts: ModuleFacts, func: Function) -> dict[str, str]:
    """What the client calls each parameter ``request_helpers`` found it sends (its key)."""
    found: dict[int, dict[str, str]] = facts.source.__dict__.get("_sent_labels", {})
    return found.get(id(func), {})


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
