"""App-level exception handlers that answer only a server error: ``add_exception_handler(
Exception, generic_exception_handler)`` whose handler returns ``JSONResponse(status_code=500,
...)``, or Flask's ``@app.errorhandler(Exception)`` rendering the 500 page. Such a handler
takes every exception, yet the client still gets a 500: a missing row's AttributeError is not
answered by it (BKD306 reads it so; helper_rows)."""

from __future__ import annotations

import ast

from .pysource import Source, dotted
from .try_blocks import answers_server_error, exception_name
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef

_DECORATORS = ("errorhandler", "app_errorhandler", "exception_handler")
_REGISTERS = ("register_error_handler", "add_exception_handler")


def handler_answers(source: Source, upstream: UpstreamCalls | None) -> dict[str, bool]:
    """Each exception name an app-level handler of ``source`` takes, and whether every such
    handler of it here answers only a 5xx (False when one is not found or answers another)."""
    out: dict[str, bool] = {}
    for func in source.functions():
        for deco in func.decorator_list:
            if not (isinstance(deco, ast.Call) and deco.args):
                continue
            if dotted(deco.func).rsplit(".", 1)[-1] in _DECORATORS:
                name = exception_name(deco.args[0])
                out[name] = out.get(name, True) and _only_server_error(func)
    for call in source.of(ast.Call):
        if dotted(call.func).rsplit(".", 1)[-1] not in _REGISTERS or not call.args:
            continue
        name = exception_name(call.args[0])
        handler = call.args[1] if len(call.args) > 1 else None
        found = (
            upstream.resolve(source, handler)
            if upstream is not None and isinstance(handler, ast.Name | ast.Attribute)
            else None
        )
        out[name] = out.get(name, True) and found is not None and _only_server_error(found[1])
    return out


def _only_server_error(func: Function) -> bool:
    """The handler's answers name a 5xx status and no 4xx (and it is no pass-through)."""
    return answers_server_error(func)  # type: ignore[arg-type]
