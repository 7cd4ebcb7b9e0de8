"""BKD304 through a service function: a Django view hands the client's key to a project
function (``services.close_rental(code)``) whose ``Rental.objects.get(code=code)`` raises
DoesNotExist when nothing matches, and nothing on the way catches it: a 500 for what is the
client's wrong key.

The fix is at the view's call, not in the service: a service layer that raises ``Http404``
ties itself to the web, while the view is where a missing row becomes an answer. The view
catches Django's ``ObjectDoesNotExist`` (every model's DoesNotExist is one), so it needs no
import of the service's model. Only the function the view calls is read (one step), and
only a lookup keyed by a parameter the view fills from what the client sent (the URL's
values, ``request.GET``/``request.POST``/``request.data``).
"""

from __future__ import annotations

import ast
import os

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route, enclosing_statement
from .pyedits import ensure_imports, wrap_in_try
from .pysource import Source, dotted
from .try_blocks import catches_miss_of

_MISSES = {"DoesNotExist", "ObjectDoesNotExist", "Http404"}


def service_get_suggestions(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    if facts.upstream is None or not route.answers:
        return []
    target = facts.upstream.callee(facts.source, call)
    if target is None:
        return []
    src, func = target
    if facts.is_route(func):
        return []  # a view (or a view class's helper): its own lookups are read there
    filled = _client_filled(route, call, func)
    if not filled:
        return []
    found = _uncaught_get(src, func, filled)
    if found is None:
        return []
    lookup, model = found
    if catches_miss_of(call, facts.up, model) or facts.handled_by_app(_MISSES | {model}):
        return []
    if _MISSES & route.handled:
        return []
    stmt = enclosing_statement(call, facts.up)
    if stmt is None or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return []
    here = facts.source
    label = model.rsplit(".", 1)[-1]
    handler = [
        "except ObjectDoesNotExist:",
        f'    raise Http404("No {label} matches the request.")',
    ]
    edits = [
        *ensure_imports(
            here, [("django.core.exceptions", "ObjectDoesNotExist"), ("django.http", "Http404")]
        ),
        wrap_in_try(here, stmt, handler),
    ]
    where = os.path.relpath(src.path, os.path.dirname(here.path))
    return [
        Suggestion(
            "BKD304",
            "error-handling",
            here.path,
            here.span(call),
            f"Answer 404 when {dotted(call.func)}() finds no {label}",
            f"`{dotted(call.func)}` looks the row up with `{src.text_of(lookup)}` (in {where}), "
            f"which raises {label}.DoesNotExist when the client's key matches nothing, and "
            f"nothing on the way catches it: a 500. Catching ObjectDoesNotExist at the view "
            "answers 404 and leaves the service free of HTTP.",
            tuple(edits),
        )
    ]


def _client_filled(route: Route, call: ast.Call, func: ast.AST) -> set[str]:
    """The callee's parameters the view fills with what the client sent."""
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return set()
    params = [a.arg for a in func.args.args]
    if params and params[0] in ("self", "cls"):
        params = params[1:]
    client = {a.arg for a in [*route.func.args.args, *route.func.args.kwonlyargs]}
    client -= {"self", "request", "cls"}
    filled: set[str] = set()
    for param, arg in zip(params, call.args, strict=False):
        if _from_client(arg, client):
            filled.add(param)
    for keyword in call.keywords:
        if keyword.arg is not None and _from_client(keyword.value, client):
            filled.add(keyword.arg)
    return filled


def _from_client(value: ast.expr, client: set[str]) -> bool:
    for node in ast.walk(value):
        if isinstance(node, ast.Name) and node.id in client:
            return True
        if isinstance(node, ast.Attribute) and dotted(node).startswith(
            ("request.GET", "request.POST", "request.data", "self.kwargs", "request.query_params")
        ):
            return True
    return False


def _uncaught_get(src: Source, func: ast.AST, filled: set[str]) -> tuple[ast.Call, str] | None:
    """The callee's first ``Model.objects....get(...)`` keyed by a filled parameter that no
    ``try`` of its own catches, with the model's name."""
    up = src.up()
    for node in ast.walk(func):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
        ):
            continue
        model = _model_of(node.func.value)
        if model is None:
            continue
        keys = [k.value for k in node.keywords] + list(node.args)
        if not any(isinstance(v, ast.Name) and v.id in filled for v in keys):
            continue
        if catches_miss_of(node, up, model):
            continue
        return node, model
    return None


def _model_of(node: ast.expr) -> str | None:
    """``Rental.objects`` (with any ``select_related(...)``/``filter(...)`` between): the
    model's name as written."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr not in ("select_related", "prefetch_related", "filter", "all", "only"):
            return None
        node = node.func.value
    if not (isinstance(node, ast.Attribute) and node.attr == "objects"):
        return None
    model = dotted(node.value)
    return model if model and model.rsplit(".", 1)[-1][:1].isupper() else None
