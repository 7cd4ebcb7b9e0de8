"""The fields a project converter copies from the client's body into what it returns: BKD315's
``user_db = createSchemaToDbSchema(user)`` (the body's e-mail kept, the password hashed) handed
on to the CRUD function that makes the row, where the route's own value no longer shows.

Only a function of the project (no class), called with the client's value: the fields are the
keywords of the object it returns (``return UserInDb(email=user.email, ...)``, or a local it
built so and returns) that read that value off the parameter it came in, at most trimmed or
recased, and the fields of a ``**user.model_dump()`` of a typed parameter. A hashed or made-up
value is no copy of the client's.
"""

from __future__ import annotations

import ast

from .create_reads import bindings, dumped_name, model_fields, read_root, sent_as_is
from .frameworks import Route
from .pysource import Source
from .upstream_calls import UpstreamCalls


def converted_fields(
    upstream: UpstreamCalls,
    source: Source,
    made: ast.expr | None,
    route: Route,
    bound: dict[str, ast.expr],
) -> list[str]:
    """The fields the converter call ``made`` copies from what the route's client sent."""
    if not isinstance(made, ast.Call):
        return []
    target = upstream.callee(source, made)
    if target is None:
        return []
    src, func = target
    if func.name == "__init__":
        return []
    params = [*func.args.posonlyargs, *func.args.args]
    by_name = {a.arg: a for a in [*params, *func.args.kwonlyargs]}
    filled = [*zip(params, made.args, strict=False)]
    filled += [(by_name[k.arg], k.value) for k in made.keywords if k.arg in by_name]
    client = {p.arg: p for p, arg in filled if sent_as_is(arg, route, bound, 0)}
    if not client:
        return []
    local = bindings(func)
    out: list[str] = []
    for built in _returned(func, local):
        for keyword in built.keywords:
            if keyword.arg is not None:
                if _copied(keyword.value, client, local):
                    out.append(keyword.arg)
                continue
            name = dumped_name(keyword.value)
            param = client.get(name) if name is not None else None
            if param is not None and param.annotation is not None:
                out.extend(model_fields(upstream, src, param.annotation))
    return out


def _returned(
    func: ast.FunctionDef | ast.AsyncFunctionDef, local: dict[str, ast.expr]
) -> list[ast.Call]:
    """The constructor calls the function returns: directly, or a local bound once to one."""
    out: list[ast.Call] = []
    for node in ast.walk(func):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        value = node.value
        if isinstance(value, ast.Name):
            value = local.get(value.id, value)
        if isinstance(value, ast.Call):
            out.append(value)
    return out


def _copied(value: ast.expr, client: dict[str, ast.arg], local: dict[str, ast.expr]) -> bool:
    """Read off a client parameter (``user.email``, ``user.email.lower()``), or a local bound
    once to such a read. A call's result (``get_password_hash(user.password)``) is not."""
    for _ in range(3):
        value = read_root(value)
        if not isinstance(value, ast.Name):
            return False
        if value.id in client:
            return True
        if value.id not in local:
            return False
        value = local[value.id]
    return False
