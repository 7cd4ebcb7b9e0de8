"""What a handler's own code raises as the client's error: its 4xx status.

``raise HTTPException(status_code=403)``, ``abort(409)``, ``get_or_404(...)``,
``raise HTTPException(status.HTTP_400_BAD_REQUEST, ...)``, a project helper that raises one,
and a module-level instance raised by name (``raise HTTP_400_BAD_REQUEST_EXCEPTION``, defined
once as ``HTTPException(status_code=status.HTTP_400_BAD_REQUEST, ...)`` in a project module
and imported: how a real FastAPI app keeps its errors). BKD312 reads these: a broad ``except``
around them turns each into its own answer.
"""

from __future__ import annotations

import ast

from .frameworks import ModuleFacts, Route, fetched_by_decorator
from .pysource import Source, dotted, own_nodes, top_level_call
from .try_blocks import status_code

_NOT_FOUND = ("Http404", "NotFound")


def client_error(facts: ModuleFacts, node: ast.AST, route: Route) -> int | None:
    """The 4xx that ``node`` (a statement's own node) raises, or None."""
    if isinstance(node, ast.Raise) and node.exc is not None:
        return raised_status(facts, node.exc, client=True)
    if not isinstance(node, ast.Call):
        return None
    name = dotted(node.func).rsplit(".", 1)[-1]
    if name.endswith("_or_404"):
        # first_or_404, get_or_404, one_or_404, get_object_or_404; not one of a row the
        # view's decorator has found (``@author_required`` by the same ``review-id``)
        if route.framework != "django" or not fetched_by_decorator(facts, route, node):
            return 404
        return None
    if name == "abort" and node.args:
        return _client(status_code(node.args[0]))
    if facts.upstream is not None and route.framework == "fastapi":
        # a project helper that raises the error itself (``get_shipment_or_404(db, id)``)
        found = facts.upstream.resolve(facts.source, node.func)
        if found is not None:
            for inner in own_nodes(found[1]):
                if isinstance(inner, ast.Raise) and inner.exc is not None:
                    status = _http_error(inner.exc, client=True)
                    if status is not None:
                        return status
    return None


def raised_status(facts: ModuleFacts, exc: ast.expr, *, client: bool = False) -> int | None:
    """The status of an HTTP error raised as ``exc``: made there, or a module-level instance
    of this module or of the project module it is imported from. ``client``: only a 4xx."""
    status = _http_error(exc, client=client)
    if status is not None or not isinstance(exc, ast.Name | ast.Attribute):
        return status
    made = _instance(facts.source, exc)
    if made is None and facts.upstream is not None:
        found = facts.upstream.named(facts.source, exc, top_level_call)
        made = found[1] if found is not None else None
    return _http_error(made, client=client) if made is not None else None


def _http_error(exc: ast.expr, *, client: bool) -> int | None:
    if isinstance(exc, ast.Call):
        name = dotted(exc.func).rsplit(".", 1)[-1]
        if name in _NOT_FOUND:
            return 404
        if not name.endswith("HTTPException"):
            return None
        written = next((k.value for k in exc.keywords if k.arg == "status_code"), None)
        if written is None and exc.args:
            written = exc.args[0]
        status = status_code(written) if written is not None else None
        return _client(status) if client else status
    if dotted(exc).rsplit(".", 1)[-1] in _NOT_FOUND:
        return 404
    return None


def _client(status: int | None) -> int | None:
    return status if status is not None and 400 <= status < 500 else None


def _instance(source: Source, exc: ast.expr) -> ast.Call | None:
    return top_level_call(source, exc.id) if isinstance(exc, ast.Name) else None
