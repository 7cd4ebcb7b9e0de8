"""Code no call of the project runs: a branch on a parameter every caller leaves at its default.

``def _request(self, endpoint, params, requestType="GET"): if requestType == "POST":
requests.post(...)`` where each of the project's calls passes two arguments: the POST branch
never runs, and a timeout for its call was judged noise on a real app.

The callers are the project's calls by name (call_sites) and are all known only when the
name is written nowhere but in them (no reference handed on, no ``getattr`` string, no
template; an import of it counts too, so a function another module imports stays unknown):
of a module's function or a method of a class with no base (which no framework calls by
name), undecorated. A caller passing ``None`` is not told apart from one passing
nothing (call_sites drops it), so the branch must stay shut for ``None`` too.
"""

from __future__ import annotations

import ast
from typing import Protocol

from .call_sites import Passed
from .pysource import Source, binds_anywhere

Function = ast.FunctionDef | ast.AsyncFunctionDef
_COMPARES = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)


class Callers(Protocol):
    """The project's view of who calls what (the Project is one)."""

    def call_passes(self, name: str) -> list[Passed] | None: ...

    def mentions(self, name: str) -> int: ...


def never_runs(source: Source, node: ast.AST, callers: Callers | None) -> bool:
    """``node`` sits in a branch of its function that no call of the project takes."""
    func = source.function_of(node)
    if callers is None or not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    shut = _shut_params(source, node, func)
    if not shut or not _called_by_name_only(source, func):
        return False
    calls = callers.call_passes(func.name)
    if calls is None or callers.mentions(func.name) != len(calls):
        return False
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]]
    if params[:1] in (["self"], ["cls"]):
        params = params[1:]  # called as ``obj.method(...)``: the receiver is no argument
    return any(
        all(p not in params[:positional] and p not in keywords for positional, keywords in calls)
        for p in shut
    )


def _shut_params(source: Source, node: ast.AST, func: Function) -> set[str]:
    """The parameters at whose default (and at None) a branch around ``node`` is not taken."""
    defaults = _constant_defaults(func)
    up = source.up()
    out: set[str] = set()
    child, current = node, up.get(node)
    while current is not None and current is not func:
        if isinstance(current, ast.If) and (child in current.body or child in current.orelse):
            tested = _tested(current.test, defaults)
            if tested is not None:
                param, default = tested
                taken = {_holds(current.test, param, v) for v in (default, None)}
                if taken == {child not in current.body}:
                    out.add(param)
        child, current = current, up.get(current)
    return {p for p in out if not binds_anywhere(func, p)}


def _constant_defaults(func: Function) -> dict[str, object]:
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    pairs += [
        (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
    ]
    return {a.arg: d.value for a, d in pairs if isinstance(d, ast.Constant)}


def _tested(test: ast.expr, defaults: dict[str, object]) -> tuple[str, object] | None:
    """``param == "POST"`` / ``param`` / ``not param`` of a parameter with a constant default."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], _COMPARES):
        sides = [test.left, test.comparators[0]]
        names = [s for s in sides if isinstance(s, ast.Name)]
        constants = [s.value for s in sides if isinstance(s, ast.Constant)]
        if len(names) != 1 or len(constants) != 1:
            return None
        if isinstance(test.ops[0], ast.Is | ast.IsNot) and constants[0] not in (None, True, False):
            return None  # ``is "POST"``: identity of a string is no test of its value
        test = names[0]
    if isinstance(test, ast.Name) and test.id in defaults:
        return test.id, defaults[test.id]
    return None


def _holds(test: ast.expr, param: str, value: object) -> bool:
    """The test's truth with ``param`` bound to ``value``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return not _holds(test.operand, param, value)
    if isinstance(test, ast.Name):
        return bool(value)
    assert isinstance(test, ast.Compare)
    left, right = (
        value if isinstance(s, ast.Name) else s.value  # type: ignore[attr-defined]
        for s in (test.left, test.comparators[0])
    )
    op = test.ops[0]
    if isinstance(op, ast.Eq):
        return bool(left == right)
    if isinstance(op, ast.NotEq):
        return bool(left != right)
    if isinstance(op, ast.Is):
        return left is right
    return left is not right


def _called_by_name_only(source: Source, func: Function) -> bool:
    """A module's function or a method of a class with no base, undecorated and no dunder:
    nothing but the project's own calls runs it."""
    if func.decorator_list or func.name.startswith("__"):
        return False
    owner = source.up().get(func)
    if isinstance(owner, ast.Module):
        return True
    return (
        isinstance(owner, ast.ClassDef)
        and isinstance(source.up().get(owner), ast.Module)
        and all(isinstance(b, ast.Name) and b.id == "object" for b in owner.bases)
        and not owner.keywords
    )
