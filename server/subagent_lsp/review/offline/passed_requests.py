"""Project functions that Flask's ``request`` is handed to as an argument: a webhook service's
``handle_request(cls, user, request, hook)``, which the route reaches through a registry of
service classes (``HookService.services.get(h.service_id)._request(owner, request, h)``, and
``_request`` on to ``cls.handle_request(user, request, hook)``). No callee resolution follows
that dispatch, but the request's way there is plain: every call of the function's name passes,
at the parameter's place, either the ``request`` its module imports from Flask or a parameter
of its own function that is handed Flask's request in turn (a few calls up).

Read by name, conservatively: every call of that name anywhere in the project must pass it
(a call passing ``*args`` before it, or something else, and the parameter is not known to
hold the request), the name is read nowhere but in calls (a callback: callers unknown), and
no call sits in a ``try`` that takes ``caught`` (that caller answers the error itself).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .pysource import Source, imported_from
from .try_blocks import caught as caught_around

Function = ast.FunctionDef | ast.AsyncFunctionDef
FilesWith = Callable[[str], list[str]]
SourceOf = Callable[[str], Source | None]

# How many calls up the request may be handed on (route -> ``_request`` -> ``handle_request``).
MAX_HOPS = 3


def takes_flask_request(
    files_with: FilesWith,
    source_of: SourceOf,
    func: Function,
    owner: ast.AST | None,
    param: str,
    caught: set[str],
    hops: int = 0,
) -> bool:
    """Every project call of ``func`` (a method when ``owner`` is its class) hands Flask's
    request to its parameter ``param``, none inside a handler of ``caught``."""
    index = _position(func, owner, param)
    if index is None or hops >= MAX_HOPS:
        return False
    calls = 0
    for path in files_with(func.name):
        source = source_of(path)
        if source is None:
            return False
        up = source.up()
        for node in source.walk():
            if not _names(node, func.name):
                continue
            call = up.get(node)
            if not (isinstance(call, ast.Call) and call.func is node):
                return False  # handed on uncalled: its callers are not known
            if caught_around(call, up, caught):
                return False
            passed = _argument(call, index, param)
            if not isinstance(passed, ast.Name) or not _holds_request(
                source, call, passed.id, files_with, source_of, caught, hops
            ):
                return False
            calls += 1
    return calls > 0


def _holds_request(
    source: Source,
    call: ast.Call,
    name: str,
    files_with: FilesWith,
    source_of: SourceOf,
    caught: set[str],
    hops: int,
) -> bool:
    caller = source.function_of(call)
    if isinstance(caller, ast.FunctionDef | ast.AsyncFunctionDef) and name in _params(caller):
        if _rebinds(caller, name):
            return False
        return takes_flask_request(
            files_with, source_of, caller, source.up().get(caller), name, caught, hops + 1
        )
    if caller is not None and _rebinds(caller, name):
        return False
    return ("flask", "request") in imported_from(source, name)


def _names(node: ast.AST, name: str) -> bool:
    """A read of ``name``: ``handle_request`` or ``x.handle_request``."""
    if isinstance(node, ast.Attribute):
        return node.attr == name and isinstance(node.ctx, ast.Load)
    return isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)


def _position(func: Function, owner: ast.AST | None, param: str) -> int | None:
    """Where a call writes ``param`` among its positional arguments (a method's receiver is
    no argument of ``obj.method(...)``)."""
    names = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    if isinstance(owner, ast.ClassDef) and not any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in func.decorator_list
    ):
        names = names[1:]
    return names.index(param) if param in names else None


def _argument(call: ast.Call, index: int, param: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return None
    return call.args[index] if index < len(call.args) else None


def _params(func: Function) -> set[str]:
    return {a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]}


def _rebinds(func: ast.AST, name: str) -> bool:
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
        for n in ast.walk(func)
    )
