"""Whether a repository's session is a request's own: every project construction of the class
hands it a session that a generator dependency opened for the request and closes after it.

A clean-architecture app keeps the session on a repository (``self._session``, often set by
a base class's ``__init__``) and builds the repository in a FastAPI dependency::

    def get_user_service():
        with SessionLocal() as db:
            yield UserService(UserRepository(db))

The ``with`` closes the session once the response is sent, and closing rolls a failed
transaction back, so nothing meets the failed session after the repository's commit raised
(a rollback advised there was judged noise on a real app). Read by name, conservatively: one
construction handed anything else (a module-level ``SessionLocal()``, a session a background
loop keeps, a parameter whose owner is unknown) and the session may outlive the request; the
class named uncalled (``Depends(UserRepository)``) and its constructions are not known.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .pysource import Source, dotted

FilesWith = Callable[[str], list[str]]
SourceOf = Callable[[str], Source | None]
Function = ast.FunctionDef | ast.AsyncFunctionDef


def built_per_request(files_with: FilesWith, source_of: SourceOf, cls: str) -> bool:
    """Every project construction of the class ``cls`` passes a request's session."""
    built = 0
    for path in files_with(cls):
        source = source_of(path)
        if source is None:
            return False
        up = source.up()
        for node in source.walk():
            if not _reads(node, cls):
                continue
            call = up.get(node)
            if isinstance(call, ast.Call) and call.func is node:
                if not _request_session_passed(source, call):
                    return False
                built += 1
            elif isinstance(call, ast.Call):
                return False  # handed on uncalled (``Depends(Repo)``): built by someone else
    return built > 0


def _reads(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == name and isinstance(node.ctx, ast.Load)
    return isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)


def _request_session_passed(source: Source, call: ast.Call) -> bool:
    func = source.function_of(call)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) or not _yields(source, func):
        return False  # module level, or a plain function: a loop or a script may keep it
    passed = [*call.args, *(k.value for k in call.keywords)]
    return any(
        isinstance(arg, ast.Name) and _opened_and_closed(source, func, arg.id, call)
        for arg in passed
    )


def _yields(source: Source, func: Function) -> bool:
    """A generator dependency: FastAPI runs its code after the ``yield`` once the request ends."""
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in source.nodes_of(func))


def _opened_and_closed(source: Source, func: Function, name: str, call: ast.Call) -> bool:
    """``name`` is bound by an enclosing ``with X() as name``, or by ``name = X()`` in a
    function whose ``finally`` closes it, and nowhere else in the function."""
    up = source.up()
    node: ast.AST | None = up.get(call)
    while node is not None and node is not func:
        if isinstance(node, ast.With | ast.AsyncWith) and any(
            isinstance(i.optional_vars, ast.Name)
            and i.optional_vars.id == name
            and isinstance(i.context_expr, ast.Call)
            for i in node.items
        ):
            return True
        node = up.get(node)
    stores = [
        n
        for n in source.nodes_of(func)
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
    ]
    if len(stores) != 1 or not isinstance(up.get(stores[0]), ast.Assign):
        return False
    assign = up[stores[0]]
    if not (isinstance(assign, ast.Assign) and isinstance(assign.value, ast.Call)):
        return False
    return any(
        isinstance(n, ast.Try)
        and any(
            isinstance(c, ast.Call) and dotted(c.func) == f"{name}.close"
            for stmt in n.finalbody
            for c in ast.walk(stmt)
        )
        for n in source.nodes_of(func)
    )
