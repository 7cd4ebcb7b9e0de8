"""Body keys a DRF view's permission classes require before the view runs.

``HasMFAJoinToken.has_permission`` grants only inside ``if "mfa_join_token" in
request.data:`` and raises ParseError otherwise: a view it guards reads
``request.data["mfa_join_token"]`` safely on the path it grants, so a key check there is
noise (a judged app). Under ``A | B`` the key is only there when B granted; a check of it on
A's path would reject requests A admits, so any class of the list counts.
"""

from __future__ import annotations

import ast

from .frameworks import ModuleFacts, Route
from .pysource import Source, dotted


def permission_keys(facts: ModuleFacts, route: Route) -> frozenset[str]:
    keys: set[str] = set()
    for name in _permission_names(facts, route):
        found = _resolve(facts, name)
        if found is not None:
            keys |= _required(*found)
    return frozenset(keys)


def _permission_names(facts: ModuleFacts, route: Route) -> list[str]:
    """The classes named in ``@permission_classes([...])`` or a view class's
    ``permission_classes = [...]``, through ``|`` and ``&``."""
    written: list[ast.expr] = [
        d.args[0]
        for d in route.func.decorator_list
        if isinstance(d, ast.Call) and dotted(d.func).endswith("permission_classes") and d.args
    ]
    owner = facts.up.get(route.func)
    if isinstance(owner, ast.ClassDef):
        written += [
            s.value
            for s in owner.body
            if isinstance(s, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "permission_classes" for t in s.targets)
        ]
    names: list[str] = []
    stack = list(written)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.List | ast.Tuple):
            stack.extend(node.elts)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr | ast.BitAnd):
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.Name):
            names.append(node.id)
    return names


def _resolve(facts: ModuleFacts, name: str) -> tuple[Source, ast.ClassDef] | None:
    for stmt in (s for m in facts.source.modules for s in m.body):
        if isinstance(stmt, ast.ClassDef) and stmt.name == name:
            return facts.source, stmt
    if facts.upstream is None:
        return None
    return facts.upstream.resolve_class(facts.source, ast.Name(id=name, ctx=ast.Load()))


def _required(source: Source, cls: ast.ClassDef) -> set[str]:
    del source
    method = next(
        (
            s
            for s in cls.body
            if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
            and s.name == "has_permission"
            and len(s.args.args) >= 2
        ),
        None,
    )
    if method is None:
        return set()
    request = method.args.args[1].arg
    keys: set[str] = set()
    # ``if "k" not in request.data: raise ...`` at the top of the method
    for stmt in method.body:
        if isinstance(stmt, ast.If) and stmt.body and _refuses(stmt.body[-1]):
            key = _tested(stmt.test, request, ast.NotIn)
            if key is not None:
                keys.add(key)
    # every grant inside ``if "k" in request.data:``
    grants = [
        n
        for n in ast.walk(method)
        if isinstance(n, ast.Return) and n.value is not None and not _refuses(n)
    ]
    if grants:
        up = {c: p for p in ast.walk(method) for c in ast.iter_child_nodes(p)}
        shared: set[str] | None = None
        for grant in grants:
            inside = set()
            child: ast.AST = grant
            parent = up.get(child)
            while parent is not None:
                if isinstance(parent, ast.If) and child in parent.body:
                    key = _tested(parent.test, request, ast.In)
                    if key is not None:
                        inside.add(key)
                child, parent = parent, up.get(parent)
            shared = inside if shared is None else shared & inside
        keys |= shared or set()
    return keys


def _refuses(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Raise):
        return True
    return (
        isinstance(stmt, ast.Return)
        and isinstance(stmt.value, ast.Constant)
        and stmt.value.value in (False, None)
    )


def _tested(test: ast.expr, request: str, op: type[ast.cmpop]) -> str | None:
    """ "k" of ``"k" in request.data`` (``op`` In) or ``"k" not in request.data`` (NotIn)."""
    # a grant under ``"k" in data and ...``; a refusal on ``"k" not in data or ...``
    joins = ast.And if op is ast.In else ast.Or
    tests = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, joins) else [test]
    for one in tests:
        if (
            isinstance(one, ast.Compare)
            and len(one.ops) == 1
            and isinstance(one.ops[0], op)
            and isinstance(one.left, ast.Constant)
            and isinstance(one.left.value, str)
            and dotted(one.comparators[0]) == f"{request}.data"
        ):
            return one.left.value
    return None
