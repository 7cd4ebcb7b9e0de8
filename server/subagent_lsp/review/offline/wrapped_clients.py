"""Requests made through a project's own subclass of the library's client whose ``request``
(``send``, or the verb called) already catches the library's failure and answers or raises
something else: a handler for ``httpx.HTTPError`` around such a call is dead code.

canonical-cla's services get ``HTTPClient(httpx.AsyncClient)`` from ``Depends(http_client)``;
its ``request`` turns every ``httpx.HTTPError`` into ``HTTPException(500, ...)``, and ``get``
and ``post`` go through it. The receiver's class is read the way receiver_classes reads it (a
parameter typed with the wrapper, ``Depends`` of a provider that yields one, ``self.client``
set to one, a module-level instance), and, for ``self.client`` set from an ``__init__``
parameter typed as the library's base class, from what this module's constructions of the
owning class pass there (the service's own ``Depends`` factory).
"""

from __future__ import annotations

import ast
from typing import Protocol

from .pysource import Source, dotted, is_self, method_of
from .try_blocks import exception_name
from .upstream_clients import CLIENT_CLASSES

Function = ast.FunctionDef | ast.AsyncFunctionDef
Located = tuple[Source, ast.ClassDef]


class UpstreamCalls(Protocol):
    """What the project's classes are (upstream_calls.UpstreamCalls)."""

    def receiver_class(self, source: Source, at: ast.AST, receiver: ast.expr) -> Located | None: ...

    def resolve_class(self, source: Source, func: ast.expr) -> Located | None: ...

    def outside_bases(self, source: Source, cls: ast.ClassDef) -> frozenset[str]: ...


# Every verb of httpx's and requests' clients goes through ``request``, and that through ``send``.
_THROUGH = ("request", "send", "_request")
_BROAD = {"Exception", "BaseException"}
_MAX_BASES = 5


def wrapper_catches(
    upstream: UpstreamCalls, source: Source, call: ast.Call, handled: set[str], library: str
) -> bool:
    """``call`` goes through a project client class whose own override catches ``handled``."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    classes = _receiver_classes(upstream, source, call, func.value)
    return bool(classes) and all(
        _catches(upstream, located, func.attr, handled, library) for located in classes
    )


def _receiver_classes(
    upstream: UpstreamCalls, source: Source, call: ast.Call, receiver: ast.expr
) -> list[Located]:
    found = upstream.receiver_class(source, call, receiver)
    if found is not None:
        return [found]
    if not (isinstance(receiver, ast.Attribute) and is_self(receiver.value)):
        return []
    scope = source.function_of(call)
    owner = source.up().get(scope) if scope is not None else None
    if not isinstance(owner, ast.ClassDef):
        return []
    init = method_of(owner, "__init__")
    if init is None:
        return []
    parameter = _assigned_parameter(init, receiver.attr)
    if parameter is None:
        return []
    return _passed_classes(upstream, source, owner, init, parameter)


def _assigned_parameter(init: Function, attr: str) -> str | None:
    """The ``__init__`` parameter ``self.<attr> = parameter`` stores, if that is all it is set
    to there."""
    names = {a.arg for a in (*init.args.posonlyargs, *init.args.args, *init.args.kwonlyargs)}
    values = [
        node.value
        for node in ast.walk(init)
        if isinstance(node, ast.Assign) and any(dotted(t) == f"self.{attr}" for t in node.targets)
    ]
    if len(values) != 1 or not isinstance(values[0], ast.Name) or values[0].id not in names:
        return None
    return values[0].id


def _passed_classes(
    upstream: UpstreamCalls, source: Source, owner: ast.ClassDef, init: Function, parameter: str
) -> list[Located]:
    """The project classes of what each construction of ``owner`` in its own module passes as
    ``parameter``; none when one of them passes something else (the library's own client)."""
    positional = [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:]  # past self
    found: list[Located] = []
    for node in source.walk():
        if not (isinstance(node, ast.Call) and dotted(node.func) == owner.name):
            continue
        value: ast.expr | None = next((k.value for k in node.keywords if k.arg == parameter), None)
        if value is None and parameter in positional:
            index = positional.index(parameter)
            if index < len(node.args) and not any(
                isinstance(a, ast.Starred) for a in node.args[: index + 1]
            ):
                value = node.args[index]
        located = upstream.receiver_class(source, node, value) if value is not None else None
        if located is None:
            return []
        found.append(located)
    return found


def _catches(
    upstream: UpstreamCalls, located: Located, verb: str, handled: set[str], library: str
) -> bool:
    """The class derives from the library's client, and the first override on the way from
    ``verb`` down (``verb``, ``request``, ``send``) wraps its ``super()`` call in a handler
    of ``handled`` (or broader) that does not raise the same error on."""
    bases = upstream.outside_bases(*located)
    if not any(CLIENT_CLASSES.get(b) == library for b in bases):
        return False
    for name in (verb, *_THROUGH):
        method = _override(upstream, located, name)
        if method is not None:
            return _wraps_super(method, handled)
    return False


def _override(upstream: UpstreamCalls, located: Located, name: str) -> Function | None:
    """``name`` as the class or one of its project bases defines it, nearest first."""
    source, cls = located
    for _ in range(_MAX_BASES):
        found = method_of(cls, name)
        if found is not None:
            return found
        parent = next(
            (p for p in (upstream.resolve_class(source, b) for b in cls.bases) if p is not None),
            None,
        )
        if parent is None or parent[1] is cls:
            return None
        source, cls = parent
    return None


def _wraps_super(method: Function, handled: set[str]) -> bool:
    for node in ast.walk(method):
        if not isinstance(node, ast.Try) or not any(_calls_super(s) for s in node.body):
            continue
        for handler in node.handlers:
            if _takes(handler, handled) and not _raises_on(handler):
                return True
    return False


def _calls_super(stmt: ast.stmt) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Call)
        and dotted(n.func.value.func) == "super"
        for n in ast.walk(stmt)
    )


def _takes(handler: ast.ExceptHandler, handled: set[str]) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(exception_name(t) in handled | _BROAD for t in types)


def _raises_on(handler: ast.ExceptHandler) -> bool:
    """The handler hands the same error on (``raise``, ``raise exc``): the caller still sees
    the library's failure."""
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if not isinstance(node, ast.Raise):
            continue
        if node.exc is None:
            return True
        if handler.name and isinstance(node.exc, ast.Name) and node.exc.id == handler.name:
            return True
    return False
