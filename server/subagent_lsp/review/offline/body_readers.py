"""A project function whose one statement returns the request's JSON (``def json_body():
return request.get_json(silent=True) or {}``): what a view's call of it gives is the body, read
as the view would read it. BKD201 checks that body after the call. And whatever a function
returns from the request (``data = request.get_json(silent=True)``, checked, then returned),
the row rules count as the client's, and what comes of it (``require_str(data, "code")``).
"""

from __future__ import annotations

import ast

from .frameworks import ModuleFacts
from .pysource import dotted, top_level_function


def reads_json(value: ast.expr) -> bool:
    """``request.get_json(...)``, ``request.json``."""
    return (isinstance(value, ast.Call) and dotted(value.func) == "request.get_json") or (
        isinstance(value, ast.Attribute) and dotted(value) == "request.json"
    )


def _reader(facts: ModuleFacts, value: ast.expr) -> ast.FunctionDef | None:
    """The project function a call without arguments runs, when it takes none."""
    if not (isinstance(value, ast.Call) and not value.args and not value.keywords):
        return None
    found = facts.upstream.resolve(facts.source, value.func) if facts.upstream else None
    helper: ast.AST | None = found[1] if found is not None else None
    if helper is None and isinstance(value.func, ast.Name):
        helper = top_level_function(facts.source, value.func.id)
    if not isinstance(helper, ast.FunctionDef) or helper.args.args:
        return None
    return helper


def returns_request_data(facts: ModuleFacts, value: ast.expr) -> bool:
    """``json_body()`` whose every ``return`` gives what the request holds (its JSON, form or
    arguments), as read or through a local bound to it, checked or not on the way: what it
    returns is the client's."""
    helper = _reader(facts, value)
    if helper is None:
        return False
    bound: dict[str, ast.expr] = {}
    returns: list[ast.expr] = []
    for node in ast.walk(helper):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                bound[target.id] = node.value
        elif isinstance(node, ast.Return) and node.value is not None:
            returns.append(node.value)
    if not returns:
        return False
    for returned in returns:
        if isinstance(returned, ast.Name) and returned.id in bound:
            returned = bound[returned.id]
        if isinstance(returned, ast.BoolOp) and isinstance(returned.op, ast.Or):
            returned = returned.values[0]
        if not (reads_json(returned) or dotted(returned) in _REQUEST_DATA):
            return False
    return True


_REQUEST_DATA = frozenset({"request.args", "request.form", "request.values"})


def body_reader(facts: ModuleFacts, value: ast.expr) -> str | None:
    """``json_body()``: a call without arguments of a project function whose one statement
    returns the body; the call as written (None: no such call)."""
    helper = _reader(facts, value)
    if helper is None or len(helper.body) != 1:
        return None
    returned = helper.body[0]
    if not isinstance(returned, ast.Return) or returned.value is None:
        return None
    body = returned.value
    if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.Or) and len(body.values) == 2:
        body = body.values[0]
    return facts.source.text_of(value) if reads_json(body) else None


def mark_body_readers(facts: ModuleFacts) -> None:
    """Each Flask route's ``readers``: the names of the project functions it calls by name
    that return the request's data."""
    known: dict[str, bool] = {}  # a name's verdict, once per module
    for route in facts.routes:
        if route.framework != "flask":
            continue
        names = set()
        for node in facts.source.nodes_of(route.func):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and not node.args
                and not node.keywords
            ):
                name = node.func.id
                if name not in known:
                    known[name] = returns_request_data(facts, node)
                if known[name]:
                    names.add(name)
        if names:
            route.readers = frozenset(names)
