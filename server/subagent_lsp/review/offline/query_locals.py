"""A lookup written in two steps: ``home_q = HomeModel.query.filter_by(id=home_id)`` and then
``home = home_q.first()``, or ``stmt = select(Land).where(Land.id == land_id)`` and then
``db.session.execute(stmt).scalar()``. Read alone, ``home_q.first()`` names neither the model
nor the key; with the local's own value put back in its place it is the one-step lookup the
row rules already know.

Only a local bound once in the function, to a call, before the lookup, is put back: a name
bound twice may hold either value, and one bound to a plain value is no query.
"""

from __future__ import annotations

import ast
import copy

# ``stmt`` -> ``q`` -> the lookup: two steps of locals are as far as real helpers go.
_MAX_DEPTH = 2


def spelled_out(func: ast.AST, call: ast.Call) -> ast.Call:
    """``call`` with each local it reads that ``func`` bound once, to a call, before it,
    replaced by that call (a copy: the module's own tree is left as it is)."""
    bound = _bound_once(func, call.lineno)
    if not any(isinstance(n, ast.Name) and n.id in bound for n in ast.walk(call)):
        return call
    out = _inlined(call, bound, 0)
    return out if isinstance(out, ast.Call) else call


def _bound_once(func: ast.AST, before: int) -> dict[str, ast.Call]:
    counts, assigned = _assignments(func)
    return {name: value for end, name, value in assigned if end < before and counts.get(name) == 1}


def _assignments(func: ast.AST) -> tuple[dict[str, int], list[tuple[int, str, ast.Call]]]:
    """How often each name is bound in ``func``, and its ``name = call(...)`` statements (with
    the line each ends on). Asked for every call of a helper, walking the helper each time was
    a third of ``suggest`` on a real 5,000-line app; kept on the function's node, a fact of the
    parse alone."""
    cached = func.__dict__.get("_query_locals")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    counts: dict[str, int] = {}
    assigned: list[tuple[int, str, ast.Call]] = []
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
        ):
            assigned.append((node.end_lineno or node.lineno, node.targets[0].id, node.value))
    func.__dict__["_query_locals"] = (counts, assigned)
    return counts, assigned


def _inlined(node: ast.AST, bound: dict[str, ast.Call], depth: int) -> ast.AST:
    """``node`` with the locals put back, sharing what has none: a deep copy of the whole call
    for each lookup cost more than the lookups' own analysis on a real app. What changes is a
    shallow copy, so the module's own tree is left as it is."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and depth < _MAX_DEPTH:
        value = bound.get(node.id)
        if value is not None:
            return ast.copy_location(copy.copy(_inlined(value, bound, depth + 1)), node)
    changed: dict[str, object] = {}
    for name, old in ast.iter_fields(node):
        if isinstance(old, list):
            new = [_inlined(v, bound, depth) if isinstance(v, ast.AST) else v for v in old]
            if any(a is not b for a, b in zip(new, old, strict=True)):
                changed[name] = new
        elif isinstance(old, ast.AST):
            replaced = _inlined(old, bound, depth)
            if replaced is not old:
                changed[name] = replaced
    if not changed:
        return node
    out = copy.copy(node)
    for name, replacement in changed.items():
        setattr(out, name, replacement)
    return out
