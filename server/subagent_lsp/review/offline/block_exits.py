"""Whether a block leaves the function on every path through it (``return``, ``raise``, an
``abort(404)``): a helper's body (none_returns), a handler's (decorator_rows, broad_excepts).
A module of its own: decorator_rows, which frameworks.py imports, cannot import none_returns,
which imports frameworks.py."""

from __future__ import annotations

import ast

from .pysource import dotted

# Calls that end a path by raising, as a ``raise`` would (Flask's ``abort(404)``).
_RAISING = frozenset({"abort", "exit", "sys.exit", "os._exit", "pytest.fail"})


def always_leaves(body: list[ast.stmt]) -> bool:
    """Every path through ``body`` returns or raises."""
    return any(_stops(stmt) for stmt in body)


def _stops(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Return | ast.Raise):
        return True
    if isinstance(stmt, ast.If):
        return always_leaves(stmt.body) and always_leaves(stmt.orelse)
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return always_leaves(stmt.body)
    if isinstance(stmt, ast.Try):
        if always_leaves(stmt.finalbody):
            return True
        tried = always_leaves(stmt.body) or always_leaves(stmt.orelse)
        return tried and all(always_leaves(h.body) for h in stmt.handlers)
    if isinstance(stmt, ast.While):
        forever = isinstance(stmt.test, ast.Constant) and bool(stmt.test.value)
        return forever and not any(isinstance(n, ast.Break) for n in ast.walk(stmt))
    if isinstance(stmt, ast.Match):
        last = stmt.cases[-1].pattern if stmt.cases else None
        wildcard = isinstance(last, ast.MatchAs) and last.pattern is None
        return wildcard and all(always_leaves(c.body) for c in stmt.cases)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return dotted(stmt.value.func) in _RAISING
    return False
