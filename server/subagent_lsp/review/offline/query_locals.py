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
    return _Inline(bound).inline(call)


def _bound_once(func: ast.AST, before: int) -> dict[str, ast.Call]:
    counts: dict[str, int] = {}
    values: dict[str, ast.Call] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and (node.end_lineno or node.lineno) < before
        ):
            values[node.targets[0].id] = node.value
    return {name: value for name, value in values.items() if counts.get(name) == 1}


class _Inline(ast.NodeTransformer):
    def __init__(self, bound: dict[str, ast.Call]) -> None:
        self.bound = bound
        self.depth = 0

    def inline(self, call: ast.Call) -> ast.Call:
        out = self.visit(copy.deepcopy(call))
        return out if isinstance(out, ast.Call) else call

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = self.bound.get(node.id)
        if value is None or not isinstance(node.ctx, ast.Load) or self.depth >= _MAX_DEPTH:
            return node
        self.depth += 1
        try:
            inlined: ast.AST = self.visit(copy.deepcopy(value))
            return ast.copy_location(inlined, node)
        finally:
            self.depth -= 1
