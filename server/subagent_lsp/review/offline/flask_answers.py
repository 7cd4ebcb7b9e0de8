"""How a Flask handler answers an error as JSON: ``return jsonify(error=...), 400`` from a view
function or a MethodView, ``return {"message": ...}, 400`` from a Flask-RESTful (RESTX,
RESTPlus) ``Resource``. A Resource's dispatch json-dumps the first item of what its method
returns, and a ``Response`` in it is a TypeError: the 400 became a 500 (round 34,
real-estate's ``ChatResource.post``). ``message`` is the key those extensions' own ``abort``
answers with."""

from __future__ import annotations

import ast

from .frameworks import FLASK_EXTENSIONS, ModuleFacts, routes_class
from .upstream_calls import UpstreamCalls

RESOURCE_BASES = frozenset(
    {"flask_restful.Resource", "flask_restx.Resource", "flask_restplus.Resource"}
)


def in_resource(facts: ModuleFacts, func: ast.AST) -> bool:
    """``func`` is a method of a class over a Flask REST extension's ``Resource`` (directly or
    through the project's own bases), or of one a RESTX namespace or a RESTful ``Api`` routes
    to by decorator in a module of that extension (``@ns.route("/users")``: only Resources
    are routed so, whatever a star import hides of the bases)."""
    owner = facts.up.get(func)
    if not isinstance(owner, ast.ClassDef):
        return False
    extension = any(v.split(".")[0] in FLASK_EXTENSIONS for v in facts.imports.values())
    if extension and any(routes_class(d) for d in owner.decorator_list):
        return True
    lineage = facts.upstream if facts.upstream is not None else UpstreamCalls((), _no_source)
    return bool(lineage.outside_bases(facts.source, owner) & RESOURCE_BASES)


def json_error(
    facts: ModuleFacts,
    func: ast.AST,
    status: int,
    fields: list[tuple[str, str]],
    indent: str | None = None,
) -> tuple[str, list[tuple[str, str]]]:
    """The ``return`` statement answering ``status`` with ``fields`` (key, expression text;
    the first is the message), and the imports it needs. ``indent``: the statement's own,
    to lay the fields out one a line (a long ``details=...``)."""
    if in_resource(facts, func):
        items = [("message" if i == 0 else key, value) for i, (key, value) in enumerate(fields)]
        parts = [f'"{key}": {value}' for key, value in items]
        if indent is None:
            return f"return {{{', '.join(parts)}}}, {status}", []
        inner = "".join(f"{indent}        {p},\n" for p in parts)
        return f"return {{\n{inner}{indent}    }}, {status}", []
    bound = next((k for k, v in facts.imports.items() if v == "flask.jsonify"), None)
    needed = [] if bound else [("flask", "jsonify")]
    parts = [f"{key}={value}" for key, value in fields]
    name = bound or "jsonify"
    if indent is None:
        return f"return {name}({', '.join(parts)}), {status}", needed
    inner = "".join(f"{indent}        {p},\n" for p in parts)
    return f"return {name}(\n{inner}{indent}    ), {status}", needed


def _no_source(path: str) -> None:
    """No project module is known: the lineage is this module's own."""
    return None
