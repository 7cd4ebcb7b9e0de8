"""BKD310: an HTTP error returned from a handler instead of raised.

``return HTTPException(status_code=404, detail="not found")`` in a FastAPI route is an object
the framework serialises as the body of a 200 (or fails to, a 500 when the route declares a
response model); ``return Http404()`` from a Django view and ``return NotFound()`` from a DRF
view are no response either, and Django answers 500 for them. Judged on a real app (openaq, 14
such returns in its auth router): every one meant ``raise``. The fix is that one word.

Flask is left alone: a werkzeug ``HTTPException`` is a WSGI response Flask sends as it is. A
helper that returns an exception for its caller to raise (``raise not_found()``) is no
handler, so only the functions the framework calls are read.
"""

from __future__ import annotations

import ast

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, Route
from .pysource import dotted

# Where each framework's HTTP errors come from: a name imported from one of these, or spelt
# through it (``fastapi.HTTPException``), is one.
_ERROR_MODULES = {
    "fastapi": ("fastapi", "starlette"),
    "django": ("django.http", "django.core.exceptions", "rest_framework.exceptions"),
}
_DJANGO_ERRORS = frozenset(
    {"Http404", "PermissionDenied", "BadRequest", "SuspiciousOperation", "ValidationError"}
    | {"NotFound", "APIException", "ParseError", "NotAuthenticated", "AuthenticationFailed"}
    | {"MethodNotAllowed", "NotAcceptable", "Throttled", "UnsupportedMediaType"}
)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def returned_error_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = []
    for route in facts.routes:
        modules = _ERROR_MODULES.get(route.framework)
        if modules is None:
            continue
        for node in _own_returns(route.func):
            name = _error_class(facts, node.value, modules, route)
            if name is not None:
                out.append(_suggestion(facts, route, node, name))
    return out


def _own_returns(func: ast.AST) -> list[ast.Return]:
    """The function's own ``return`` statements (not those of a function defined in it)."""
    found: list[ast.Return] = []
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, ast.Return):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _error_class(
    facts: ModuleFacts, value: ast.expr | None, modules: tuple[str, ...], route: Route
) -> str | None:
    if not isinstance(value, ast.Call):
        return None
    spelt = dotted(value.func)
    if not spelt:
        return None
    origin = facts.imports.get(spelt.split(".")[0], "")
    full = f"{origin}{spelt[len(spelt.split('.')[0]) :]}" if origin else spelt
    if not full.startswith(modules):
        return None
    name = full.rsplit(".", 1)[-1]
    if route.framework == "fastapi":
        return name if name.endswith("HTTPException") else None
    return name if name in _DJANGO_ERRORS else None


def _suggestion(facts: ModuleFacts, route: Route, node: ast.Return, name: str) -> Suggestion:
    src = facts.source
    start = src.start(node)
    word = Span(start, Position(start.line, start.column + len("return")))
    answer = (
        "serialises the exception object as the body of a 200 (a 500 when the route declares a "
        "response model)"
        if route.framework == "fastapi"
        else "is no response, so Django answers 500"
    )
    return Suggestion(
        "BKD310",
        "error-handling",
        src.path,
        src.span(node),
        f"Raise the {name}, do not return it",
        f"`{route.func.name}` returns `{name}(...)`: the framework {answer} instead of the "
        f"error it names. `raise` sends it.",
        (Edit(src.path, word, "raise"),),
    )
