"""Locals a Django view binds to the client's decoded JSON body.

``data = json.loads(request.body)`` holds whatever the client sent: ``Decimal(data["cost"])``
or ``int(data.get("n"))`` converts raw client input exactly as ``int(request.GET["n"])`` does,
and raises (a 500) on ``"abc"``, a list or a null alike.
"""

from __future__ import annotations

import ast

from .django_views import request_attr
from .pysource import Source, dotted

# Calls that look at the body without checking or changing its keys' values.
_INSPECTING = {"isinstance", "len", "bool", "type", "print", "repr"}


def decoded_body(value: ast.expr) -> bool:
    """``json.loads(request.body)`` / ``json.loads(request.body.decode())`` / ``json.load(
    request)`` (a view's request is a file-like object), ``self.request`` alike, or a key of
    it (``json.load(request)["match_data"]``)."""
    while isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant):
        value = value.value
    if not (isinstance(value, ast.Call) and len(value.args) == 1):
        return False
    name = dotted(value.func)
    arg = value.args[0]
    if name == "json.load":
        return dotted(arg) in ("request", "self.request")
    if name != "json.loads":
        return False
    if (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr == "decode"
    ):
        arg = arg.func.value
    return request_attr(arg) == "request.body"


def json_body_locals(source: Source, func: ast.AST) -> set[str]:
    """Names bound once in ``func`` to the decoded body and handed to no call but an
    inspecting one: a project validator given ``data`` may check its keys itself."""
    bound: dict[str, list[bool]] = {}
    nodes = source.nodes_of(func)
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(decoded_body(node.value))
    found = {name for name, flags in bound.items() if flags == [True]}
    if not found:
        return found
    for node in nodes:
        if not isinstance(node, ast.Call) or dotted(node.func) in _INSPECTING:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.Name):
                found.discard(arg.id)
    return found
