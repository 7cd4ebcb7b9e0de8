"""The routes that reach a project function through its callers, with nothing on the way
catching what it raises.

A layered app's write sits two calls below its route (``api/cart.py``'s ``delete_cart`` ->
``CartGateway.delete_cart`` -> ``CartRepository.delete_cart``, a real app): what the
repository raises is the route's 500 unless a caller's ``try`` takes it. So the function's
calls are found where its name is written (the project's word index), each resolved to it by
the upstream resolver; a call inside a handler of the names asked for ends that path, a call
in a route is a path found, and a call in another function goes on to that function's own
callers, a few levels up. A name handed on as a value (a callback) or a call that resolves
elsewhere is no path.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable

from .frameworks import CallSite, ModuleFacts
from .pysource import Source
from .try_blocks import caught
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef
MAX_LEVELS = 3  # route -> gateway -> repository, and one more


def routes_reaching(
    source: Source,
    func: Function,
    names: frozenset[str],
    files_with: Callable[[str], Iterable[str]],
    facts_for: Callable[[str], ModuleFacts | None],
    upstream: UpstreamCalls,
) -> list[CallSite]:
    """The route calls from which ``func`` runs with no handler of ``names`` (or a broader
    one) around any call on the way: each the route's own call of the first function."""
    out: list[CallSite] = []
    seen: set[tuple[str, str, int]] = set()
    level: list[tuple[Source, Function]] = [(source, func)]
    for _ in range(MAX_LEVELS):
        callers: list[tuple[Source, Function]] = []
        for src, target in level:
            where = (os.path.abspath(src.path), target.name, target.lineno)
            if where in seen:
                continue
            seen.add(where)
            for facts, call in _calls_of(where, files_with, facts_for, upstream):
                if caught(call, facts.up, set(names)):
                    continue
                caller = facts.source.function_of(call)
                if not isinstance(caller, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                route = next((r for r in facts.routes if r.func is caller), None)
                if route is not None:
                    out.append(CallSite(facts, route, call))
                else:
                    callers.append((facts.source, caller))
        if not callers:
            break
        level = callers
    return out


def _calls_of(
    where: tuple[str, str, int],
    files_with: Callable[[str], Iterable[str]],
    facts_for: Callable[[str], ModuleFacts | None],
    upstream: UpstreamCalls,
) -> Iterable[tuple[ModuleFacts, ast.Call]]:
    name = where[1]
    for path in files_with(name):
        if not path.endswith(".py"):
            continue
        facts = facts_for(path)
        if facts is None:
            continue
        src = facts.source
        for node in src.walk():
            if not (
                (isinstance(node, ast.Name) and node.id == name)
                or (isinstance(node, ast.Attribute) and node.attr == name)
            ) or not isinstance(node.ctx, ast.Load):
                continue
            call = facts.up.get(node)
            if not isinstance(call, ast.Call) or call.func is not node:
                continue
            target = upstream.callee(src, call)
            if target is None:
                continue
            found, callee = target
            if (os.path.abspath(found.path), callee.name, callee.lineno) == where:
                yield facts, call
