"""A response whose JSON is read with no look at its status (BKD302).

``resp = requests.get(url, timeout=5)`` then ``resp.json()["items"]``: requests and httpx raise
nothing on a 4xx or 5xx, so an upstream's error page reaches ``.json()`` (a JSONDecodeError) and
its error JSON reaches ``["items"]`` (a KeyError), both 500s of this server. A ``try`` that
already answers the library's errors (``except requests.RequestException: return ..., 502``)
answers the bad status too once ``resp.raise_for_status()`` sits in it, which is the fix; with
no ``try`` at all errors.py wraps the call and puts the check in the same ``try``.

Only a response that is read and nothing else: one passed on, returned, or whose status the
code looks at (``resp.ok``, ``resp.status_code``) is the code's own business, and so is a
``.json()`` inside a handler of ValueError (the app's answer to a body that is not JSON).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route
from .pyedits import insert_before_line
from .pysource import Source, dotted
from .try_blocks import caught, exception_name, innermost_try
from .upstream_calls import STATUS_HANDLED, UpstreamCalls, upstream_library

# What reading the body is: anything else done with the response (its status, passing it on)
# leaves the check to the code that does it.
_BODY = frozenset({"json", "text", "content", "headers", "url", "encoding", "cookies"})
# A decode failure answered where the body is read: ``except ValueError`` (JSONDecodeError is
# one), requests' ``JSONDecodeError``, or a broad handler.
_DECODE_HANDLED = {"ValueError", "JSONDecodeError"}


def unchecked_response(
    source: Source, call: ast.Call, up: dict[ast.AST, ast.AST]
) -> tuple[ast.Assign, str] | None:
    """``resp = requests.get(...)`` (``await client.get(...)``) whose ``resp.json()`` its
    function reads with no look at the status: the assignment and the response's name."""
    stmt = up.get(call)
    if isinstance(stmt, ast.Await):
        stmt = up.get(stmt)
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        return None
    target = stmt.targets[0]
    func = source.function_of(call)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    reads = False
    for node in source.nodes_of(func):
        if not isinstance(node, ast.Name) or node.id != target.id:
            continue
        if not isinstance(node.ctx, ast.Load):
            if node is not target:
                return None  # bound twice (a retry loop): which response is read is unclear
            continue
        parent = up.get(node)
        if not isinstance(parent, ast.Attribute) or parent.attr not in _BODY:
            return None
        read = up.get(parent)
        if parent.attr == "json" and isinstance(read, ast.Call) and read.func is parent:
            if caught(read, up, _DECODE_HANDLED):
                return None
            reads = True
    return (stmt, target.id) if reads else None


def answering_try(
    call: ast.Call, up: dict[ast.AST, ast.AST], library: str, stmt: ast.stmt
) -> str | None:
    """How the handler of the ``try`` whose body holds ``stmt`` names the library's error a bad
    status raises (``requests.RequestException``): the handler a ``raise_for_status()`` there
    reaches. A broad ``except Exception`` is not one: what it answers (a 500, a log line) is
    not known to be an upstream's answer."""
    block = innermost_try(call, up)
    status = STATUS_HANDLED.get(library)
    if block is None or status is None or stmt not in block.body:
        return None
    for handler in block.handlers:
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for t in types:
            if t is not None and exception_name(t) in status:
                return dotted(t)
    return None


Function = ast.FunctionDef | ast.AsyncFunctionDef


class StatusRead:
    """One unchecked read in a ``try`` that answers the library's errors: where the request
    is, the response's name, and the handler's name for the error."""

    __slots__ = ("call", "error", "library", "name", "source", "stmt")

    def __init__(
        self, source: Source, call: ast.Call, stmt: ast.Assign, name: str, error: str, library: str
    ) -> None:
        self.library = library
        self.source = source
        self.call = call
        self.stmt = stmt
        self.name = name
        self.error = error


def status_reads(
    source: Source, func: Function, library_of: Callable[[Source, ast.Call], str | None]
) -> list[StatusRead]:
    """The requests of ``func`` whose JSON is read unchecked inside a ``try`` answering them."""
    up = source.up()
    out: list[StatusRead] = []
    for node in source.nodes_of(func):
        if not isinstance(node, ast.Call) or source.function_of(node) is not func:
            continue
        library = library_of(source, node)
        if library not in STATUS_HANDLED:
            continue
        found = unchecked_response(source, node, up)
        if found is None:
            continue
        stmt, name = found
        error = answering_try(node, up, library, stmt)
        if error is not None:
            out.append(StatusRead(source, node, stmt, name, error, library))
    return out


MAX_DEPTH = 3  # as upstream_calls follows a route's calls


def status_read_suggestions(
    facts: ModuleFacts, call: ast.Call, route: Route, library: str | None
) -> list[Suggestion]:
    """The route's own request read unchecked in its answering ``try``, or one of a project
    function it calls (``fetch_items(url)``, whose ``except`` returns None): the fix goes
    where the request is, anchored at the route's call."""
    if facts.handled_by_app({"KeyError", "ValueError", "JSONDecodeError"}):
        return []
    if facts.middleware_catches:
        return []
    if library is not None:
        func = facts.source.function_of(call)
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            return []
        found = [r for r in status_reads(facts.source, func, upstream_library) if r.call is call]
        return [_suggestion(facts, call, route, r, ()) for r in found]
    if facts.upstream is None or caught(call, facts.up, {"KeyError", "ValueError"}):
        return []
    reads = _helper_reads(facts.upstream, facts.source, call, 1, set())
    return [_suggestion(facts, call, route, r, chain) for r, chain in reads[:1]]


def _helper_reads(
    upstream: UpstreamCalls, source: Source, call: ast.Call, depth: int, seen: set[int]
) -> list[tuple[StatusRead, tuple[str, ...]]]:
    target = upstream.callee(source, call)
    if target is None or depth > MAX_DEPTH or id(target[1]) in seen:
        return []
    inner, func = target
    # every route's every call asks: a function's answer at a depth is kept on its node
    key = f"_status_reads_{depth}_{id(upstream)}"  # a new project state, a new answer
    kept = func.__dict__.get(key)
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    seen.add(id(func))
    found: list[tuple[StatusRead, tuple[str, ...]]] = [
        (r, (func.name,)) for r in status_reads(inner, func, upstream_library)
    ]
    if not found:
        for node in inner.nodes_of(func):
            if isinstance(node, ast.Call) and inner.function_of(node) is func:
                deeper = _helper_reads(upstream, inner, node, depth + 1, seen)
                if deeper:
                    found = [(r, (func.name, *chain)) for r, chain in deeper]
                    break
    func.__dict__[key] = found
    return found


def _suggestion(
    facts: ModuleFacts, call: ast.Call, route: Route, read: StatusRead, chain: tuple[str, ...]
) -> Suggestion:
    src = read.source
    request = dotted(read.call.func)
    where = f"`{route.func.name}` "
    inside = f" in {chain[-1]}" if chain else ""
    if chain:
        path = os.path.relpath(src.path, os.path.dirname(facts.source.path))
        where = " -> ".join(f"`{n}`" for n in chain) + f" (in {path}) "
    indent = src.indent_of(read.stmt.lineno - 1)
    end = read.stmt.end_lineno or read.stmt.lineno
    edit = insert_before_line(src, end, f"{indent}{read.name}.raise_for_status()")
    rationale = (
        f"{where}reads `{read.name}.json()` of `{request}` with no look at the status, and "
        f"{read.library} raises nothing on a 4xx or 5xx: an upstream's error page reaches "
        "`.json()` as a JSONDecodeError, its error answer the keys read as a KeyError, and "
        f"either raises out of `{route.func.name}` as a 500 that blames this service. "
        f"`{read.name}.raise_for_status()` in the `try` makes a bad status the `{read.error}` "
        "its `except` already answers."
    )
    return Suggestion(
        "BKD302",
        "error-handling",
        facts.source.path,
        facts.source.span(call),
        f"Check the status of the {request} response{inside} before reading its JSON",
        rationale,
        (edit,),
    )
