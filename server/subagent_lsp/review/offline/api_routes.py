"""FastAPI handlers registered by a call rather than a decorator.

``router.add_api_route("/items/", read_items, methods=["GET"])`` serves ``read_items`` as
``@router.get`` would. A generic CRUD module goes one step further: a factory defines the
handler for the model it is given and returns it, and a loop registers
``make_read_endpoint(model)`` for every model; the nested ``def`` is then the handler, and
its ``model`` is whatever the loop passes (a parameter, not a class this module knows).

Only registrations of this module, to this module's own top-level functions or factories,
count: a handler imported from elsewhere is that module's to read.
"""

from __future__ import annotations

import ast

from .pysource import Source, dotted

Function = ast.FunctionDef | ast.AsyncFunctionDef


def registered_handlers(source: Source) -> list[tuple[Function, ast.expr | None]]:
    """The handlers ``X.add_api_route(path, endpoint)`` registers, each with its path as
    written (None: not given where it can be read)."""
    out: list[tuple[Function, ast.expr | None]] = []
    for node in source.of(ast.Call):
        if dotted(node.func).rsplit(".", 1)[-1] != "add_api_route" or "." not in dotted(node.func):
            continue
        args = list(node.args)
        path = args[0] if args else _keyword(node, "path")
        endpoint = args[1] if len(args) > 1 else _keyword(node, "endpoint")
        handler = _handler(source, endpoint) if endpoint is not None else None
        if handler is not None and all(h is not handler for h, _ in out):
            out.append((handler, path))
    return out


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _handler(source: Source, endpoint: ast.expr) -> Function | None:
    """``read_items`` (a top-level function) or ``make_read(model)`` (a top-level factory
    whose one nested ``def`` it returns by name)."""
    if isinstance(endpoint, ast.Name):
        return _top_level(source, endpoint.id)
    if not (isinstance(endpoint, ast.Call) and isinstance(endpoint.func, ast.Name)):
        return None
    factory = _top_level(source, endpoint.func.id)
    if factory is None:
        return None
    nested = {
        s.name: s for s in factory.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    # the factory's own ``return``, not the handler's
    returned = [s.value for s in factory.body if isinstance(s, ast.Return) and s.value]
    if len(nested) != 1 or len(returned) != 1 or not isinstance(returned[0], ast.Name):
        return None
    return nested.get(returned[0].id)


def _top_level(source: Source, name: str) -> Function | None:
    for module in source.modules:
        for node in module.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                return node
    return None


def path_names(path: ast.expr | None) -> str:
    """The text of a registered path's string parts (``model.path + "{id}"``: ``{id}``)."""
    if path is None:
        return ""
    return " ".join(
        n.value for n in ast.walk(path) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )
