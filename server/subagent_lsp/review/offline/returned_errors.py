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
from .frameworks import ModuleFacts
from .pysource import FUNCTIONS, dotted, imported_names, own_nodes

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
_Function = ast.FunctionDef | ast.AsyncFunctionDef


def returned_error_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = []
    routes = {id(r.func) for r in facts.routes}
    src = facts.source
    # every function's own returns, from the module's one index (a walk per function was a
    # third of the error analyses' time on a real app)
    returns_of: dict[int, list[ast.Return]] = {}
    for node in src.walk():
        if isinstance(node, ast.Return):
            func = src.function_of(node)
            if func is not None:
                returns_of.setdefault(id(func), []).append(node)
    for route in facts.routes:
        modules = _ERROR_MODULES.get(route.framework)
        if modules is None:
            continue
        for node in returns_of.get(id(route.func), []):
            name = _error_class(facts, node.value, modules, route.framework)
            if name is not None:
                out.append(_suggestion(facts, route.func, route.framework, node, name))
    # A repository's ``get()`` that answers ``return http_409(...)`` where it otherwise returns
    # a row: its caller takes the exception for the row (judged on a real app, docflow). A
    # function whose every return is an error is a builder, raised by its callers: left alone.
    for func in src.walk():
        if not isinstance(func, FUNCTIONS) or id(func) in routes:
            continue
        returns = returns_of.get(id(func), [])
        if not returns:
            continue
        errors = [
            (node, name, framework)
            for node in returns
            for framework, modules in _ERROR_MODULES.items()
            if (name := _error_class(facts, node.value, modules, framework)) is not None
        ]
        values = [r for r in returns if r not in {e[0] for e in errors} and not _none(r.value)]
        if errors and values:
            out.extend(_suggestion(facts, func, fw, node, name) for node, name, fw in errors)
    return out


def _none(value: ast.expr | None) -> bool:
    return value is None or (isinstance(value, ast.Constant) and value.value is None)


def _own_returns(func: ast.AST) -> list[ast.Return]:
    """The function's own ``return`` statements (not those of a function defined in it)."""
    return [n for n in own_nodes(func) if isinstance(n, ast.Return) and n is not func]


def _error_class(
    facts: ModuleFacts, value: ast.expr | None, modules: tuple[str, ...], framework: str
) -> str | None:
    """The HTTP error ``value`` builds: the framework's class, or a project helper whose every
    return builds one (``http_409(msg)``)."""
    if framework == "django" and isinstance(value, ast.Name | ast.Attribute):
        # ``return Http404``: the class itself, no more a response than an instance is (and
        # ``raise Http404`` raises one); judged on a real app beside a ``return Http404(...)``
        return _framework_error(imported_names(facts.source), value, modules, framework)
    if not isinstance(value, ast.Call):
        return None
    direct = _framework_error(imported_names(facts.source), value, modules, framework)
    if direct is not None or facts.upstream is None:
        return direct
    found = facts.upstream.resolve(facts.source, value.func)
    if found is None:
        return None
    source, helper = found
    returns = _own_returns(helper)
    built = {
        _framework_error(imported_names(source), r.value, modules, framework)
        if isinstance(r.value, ast.Call)
        else None
        for r in returns
    }
    if not returns or None in built or len(built) != 1:
        return None
    return f"{built.pop()} of {helper.name}()"


def _framework_error(
    imports: dict[str, str],
    value: ast.Call | ast.Name | ast.Attribute,
    modules: tuple[str, ...],
    framework: str,
) -> str | None:
    spelt = dotted(value.func if isinstance(value, ast.Call) else value)
    if not spelt:
        return None
    origin = imports.get(spelt.split(".")[0], "")
    full = f"{origin}{spelt[len(spelt.split('.')[0]) :]}" if origin else spelt
    if not full.startswith(modules):
        return None
    name = full.rsplit(".", 1)[-1]
    if framework == "fastapi":
        return name if name.endswith("HTTPException") else None
    return name if name in _DJANGO_ERRORS else None


def _suggestion(
    facts: ModuleFacts, func: _Function, framework: str, node: ast.Return, name: str
) -> Suggestion:
    src = facts.source
    start = src.start(node)
    word = Span(start, Position(start.line, start.column + len("return")))
    if any(r.func is func for r in facts.routes):
        answer = (
            "the framework serialises the exception object as the body of a 200 (a 500 when "
            "the route declares a response model)"
            if framework == "fastapi"
            else "it is no response, so Django answers 500"
        )
    else:
        answer = (
            "its callers take the exception for the value it otherwise returns and carry on "
            "(a 500 further down, or a 200 with the wrong body)"
        )
    return Suggestion(
        "BKD310",
        "error-handling",
        src.path,
        src.span(node),
        f"Raise the {name.split(' of ')[0]}, do not return it",
        f"`{func.name}` returns `{name}`: {answer} instead of the error it names. `raise` "
        "sends it.",
        (Edit(src.path, word, "raise"),),
    )
