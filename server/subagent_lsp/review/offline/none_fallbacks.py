"""BKD302 in a project function that makes a ``requests`` call and already returns None for "no
result", when its callers go on without a result (none_callers): the upstream's failure is
caught there, logged, and answered with that None.

A geocoder helper (``fetch_coordinates``: ``requests.get``, ``raise_for_status()``, then
``response.json()["response"]["GeoObjectCollection"]...``) that a page calls for every row
fails the whole page when the geocoder does, although the page has a path for "no
coordinates" already. A 502 at each handler would fail the page all the same; the helper's
None is the fix a reviewer writes, once, where the request is.

The ``try`` takes the request's statement and the statements after it that read its answer
and may raise on it: a ``raise_for_status()``, a ``.json()``, an index into what it decoded.
The except names ``requests.RequestException`` (a connection error, a timeout, the bad
status, and from requests 2.27 a body that is no JSON), a ``KeyError`` when the answer is read
by key, an ``IndexError`` when a list of it is indexed with no check that it has items, and a
``ValueError`` when the app allows a requests older than 2.27 (its ``.json()`` raised
``json``'s error). Silent when the request is in a ``try`` of the function already, when the
function makes more than one request, and whenever a caller would not take the None in stride
or something on the way up catches the failure (none_callers).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable

from ..suggestion import Suggestion
from .best_effort import log_and_go_on
from .frameworks import ModuleFacts, enclosing_statement
from .none_callers import SitesOf, label, none_callers
from .none_fallback_facts import NoneFallback, Run
from .pyedits import ensure_imports, wrap_in_try
from .pysource import Source, block_of, dotted, is_none, own_nodes, string_quote
from .upstream_calls import STATUS_HANDLED, UpstreamCalls, handled_names, upstream_library
from .upstream_clients import written_request

Function = ast.FunctionDef | ast.AsyncFunctionDef
# How the except names the library's base error, with the imports it needs (errors.py).
Binding = Callable[[str], tuple[str, list[str], list[tuple[str, str]]] | None]
Version = Callable[[str], tuple[int, int] | None]

# The first requests whose ``.json()`` raises a RequestException for a body that is no JSON.
_JSON_AS_REQUEST_ERROR = (2, 27)
# What a caller's ``try`` may take that the fix would: it answers the failure already.
_CALLER_CATCHES = frozenset(
    {"HTTPError", "Timeout", "KeyError", "LookupError", "IndexError", "ValueError"}
)


def none_fallback(
    sites_of: SitesOf, upstream: UpstreamCalls, version: Version, source: Source, func: Function
) -> NoneFallback | None:
    """The fix ``func`` takes for all its callers, or None (each keeps what BKD302 says)."""
    run = fallback_run(source, func, version)
    if run is None:
        return None
    names = handled_names("requests") | set(STATUS_HANDLED["requests"]) | _CALLER_CATCHES
    callers = none_callers(sites_of, upstream, source, func, names)
    return NoneFallback(source, run, callers) if callers is not None else None


def fallback_run(source: Source, func: Function, version: Version) -> Run | None:
    """The one ``requests`` call ``func`` makes outside any ``try``, in a function that returns
    None of its own, with the statements that read its answer."""
    up = source.up()
    mine = [n for n in source.nodes_of(func) if source.function_of(n) is func]
    requests = [
        n for n in mine if isinstance(n, ast.Call) and upstream_library(source, n) == "requests"
    ]
    if len(requests) != 1 or _in_try(requests[0], up, func):
        return None
    if any(isinstance(n, ast.Yield | ast.YieldFrom) for n in mine):
        return None
    if not any(isinstance(n, ast.Return) and (n.value is None or is_none(n.value)) for n in mine):
        return None  # its callers have never had a None from it
    request = requests[0]
    first = enclosing_statement(request, up)
    block = block_of(first, up) if first is not None else None
    if first is None or block is None:
        return None
    answer = _stored(first)
    last = first
    start = block.index(first)
    for stmt in block[start + 1 :]:
        if not _reads(stmt, answer):
            continue
        answer |= _stored(stmt)
        if _raises_on(stmt, answer, request):
            last = stmt
    taken = block[start : block.index(last) + 1]
    nodes = [n for stmt in taken for n in own_nodes(stmt)]
    keys = indexes = decodes = checks = False
    for node in nodes:
        if isinstance(node, ast.Subscript) and _on_answer(node.value, answer, request):
            index = node.slice
            if isinstance(index, ast.Slice):
                continue
            if isinstance(index, ast.Constant) and isinstance(index.value, int):
                indexes = indexes or not _has_items_checked(node, taken, index.value)
            else:
                keys = True
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "raise_for_status" and _on_answer(node.func, answer, request):
                checks = True
            elif node.func.attr == "json" and _on_answer(node.func, answer, request):
                lowest = version("requests")
                decodes = decodes or (lowest is not None and lowest < _JSON_AS_REQUEST_ERROR)
    return Run(request, first, last, checks, keys, indexes, decodes)


def none_fallback_suggestions(facts: ModuleFacts, binding: Binding) -> list[Suggestion]:
    if facts.none_fallback is None or "requests" not in facts.source.text:
        return []
    out: list[Suggestion] = []
    for func in facts.source.functions():
        if facts.is_route(func):
            continue
        found = facts.none_fallback(facts.source, func)
        if found is not None and found.source is facts.source:
            made = _suggestion(facts, func, found, binding)
            if made is not None:
                out.append(made)
    return out


def _suggestion(
    facts: ModuleFacts, func: Function, found: NoneFallback, binding: Binding
) -> Suggestion | None:
    bound = binding("requests")
    if bound is None:
        return None
    error, modules, names = bound
    run, src = found.run, facts.source
    extra = [
        name
        for name, wanted in (
            ("KeyError", run.keys),
            ("IndexError", run.indexes),
            ("ValueError", run.decodes),
        )
        if wanted
    ]
    if extra:
        error = f"({', '.join([error, *extra])})"
    name = label(facts.up, func)
    quote = string_quote(src, func)
    handler, logging = log_and_go_on(facts, error, name, "none", quote)
    handler.append("    return None")
    edits = [
        *ensure_imports(src, names, [*modules, *logging]),
        wrap_in_try(src, run.first, handler, run.last if run.last is not run.first else None),
    ]
    failures = ["a connection error", "a timeout"]
    if run.checks_status:
        failures.append("a bad status (its `raise_for_status()`)")
    if run.keys:
        failures.append("an answer without a key it reads (a KeyError)")
    if run.indexes:
        failures.append("an empty list it indexes (an IndexError)")
    if run.decodes:
        failures.append("a body that is no JSON (a ValueError in requests before 2.27)")
    where = os.path.dirname(src.path)
    callers = _listed(
        [f"`{caller}` in {os.path.relpath(path, where)}" for path, caller in found.callers.callers]
    )
    handlers = _listed(
        [f"`{h}` in {os.path.relpath(path, where)}" for path, h in found.callers.handlers]
    )
    request = written_request(src, run.request)
    rationale = (
        f"`{name}` makes an upstream request (`{request}`) that nothing catches, so "
        f"{_listed(failures, 'or')} raises through its callers as a 500 in {handlers}. It "
        f"returns None already when there is no result, and each of its callers ({callers}) "
        "goes on without one: "
        f"catching `{error}` here, logging it and returning None lets them go on when the "
        "upstream fails too, instead of failing the whole request for it."
    )
    return Suggestion(
        "BKD302",
        "error-handling",
        src.path,
        src.span(run.request),
        f"Return None from {name} when its request fails",
        rationale,
        tuple(edits),
    )


def _listed(items: list[str], last: str = "and") -> str:
    """``a, b and c``."""
    return f"{', '.join(items[:-1])} {last} {items[-1]}" if len(items) > 1 else items[0]


def _in_try(node: ast.AST, up: dict[ast.AST, ast.AST], func: Function) -> bool:
    current = up.get(node)
    while current is not None and current is not func:
        if isinstance(current, ast.Try):
            return True
        current = up.get(current)
    return False


def _stored(stmt: ast.stmt) -> set[str]:
    return {
        n.id for n in own_nodes(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _reads(stmt: ast.stmt, names: set[str]) -> bool:
    return any(
        isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in names
        for n in own_nodes(stmt)
    )


def _raises_on(stmt: ast.stmt, answer: set[str], request: ast.Call) -> bool:
    """The statement reads the answer in a way that raises on a bad one: an index into it, its
    ``.json()``, its ``raise_for_status()``."""
    for node in own_nodes(stmt):
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            if _on_answer(node.value, answer, request):
                return True
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("json", "raise_for_status")
            and _on_answer(node.func, answer, request)
        ):
            return True
    return False


def _on_answer(node: ast.expr, answer: set[str], request: ast.Call) -> bool:
    """``node`` is read off the request's answer: its chain of attributes, calls and indexes
    starts at a name bound to it, or at the request itself."""
    current: ast.expr = node
    while True:
        if current is request:
            return True
        if isinstance(current, ast.Attribute | ast.Subscript):
            current = current.value
        elif isinstance(current, ast.Call):
            current = current.func
        else:
            return isinstance(current, ast.Name) and current.id in answer


def _has_items_checked(node: ast.Subscript, taken: list[ast.stmt], index: int) -> bool:
    """``places[0]`` after ``if not places: return None``: the list has an item there."""
    if index not in (0, -1) or not isinstance(node.value, ast.Name):
        return False
    name = node.value.id
    for stmt in taken:
        if stmt.lineno >= node.lineno:
            return False
        if (
            isinstance(stmt, ast.If)
            and isinstance(stmt.test, ast.UnaryOp)
            and isinstance(stmt.test.op, ast.Not)
            and dotted(stmt.test.operand) == name
            and stmt.body
            and isinstance(stmt.body[-1], ast.Return | ast.Raise)
        ):
            return True
    return False
