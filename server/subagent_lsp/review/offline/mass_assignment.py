"""Mass assignment: every key of a raw request body set on a model row, then saved.

``data = await request.json()`` then ``for field, value in data.items(): setattr(patient,
field, value)`` and a commit: the client chooses the attributes, so it can set a primary key,
a foreign key (``owner_id``) or a flag (``is_admin``) the form never offered (planted set 2).
A body validated by a schema (``body.model_dump()``) names its fields already and is not
read here. The fix keeps the loop and skips keys outside an explicit allow-list, written from
the model's columns minus its primary and foreign keys (the columns a client should least
choose): the reviewer trims it to what the endpoint edits.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .django_views import request_attr
from .frameworks import ModuleFacts, Route
from .pyedits import insert_before_line, statement_lines
from .pysource import dotted

_SAVES = ("commit", "save", "flush", "add", "update")
_FETCHES = ("get", "get_or_404", "first", "one", "one_or_none", "first_or_404", "get_object_or_404")


def mass_assignment_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    src = facts.source
    func = route.func
    nodes = src.nodes_of(func)
    raw = {name for name, value in _bindings(nodes) if _raw_body(value)}
    if not any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _SAVES
        for n in nodes
    ):
        return []
    out: list[Suggestion] = []
    for loop in nodes:
        if not isinstance(loop, ast.For) or not _items_of_raw(loop.iter, raw):
            continue
        if not (isinstance(loop.target, ast.Tuple) and len(loop.target.elts) == 2):
            continue
        key, _ = loop.target.elts
        if not isinstance(key, ast.Name):
            continue
        setter = setattr_of(loop, key.id)
        if setter is None or filters_key(loop, key.id):
            continue
        obj = setter.args[0]
        fields = _model_fields(facts, nodes, obj)
        if not fields:
            continue  # no model to take an allow-list from: the fix would be a guess
        found = _suggestion(facts, route, loop, key.id, fields, obj)
        if found is not None:
            out.append(found)
    return out


def _bindings(nodes: list[ast.AST]) -> list[tuple[str, ast.expr]]:
    out = []
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                out.append((target.id, node.value))
    return out


def _raw_body(value: ast.expr) -> bool:
    """``await request.json()`` / ``request.get_json()`` / ``request.json`` / ``request.data``
    / ``json.loads(request.body)``."""
    if isinstance(value, ast.Await):
        value = value.value
        return isinstance(value, ast.Call) and dotted(value.func).endswith("request.json")
    if isinstance(value, ast.Call):
        name = request_attr(value.func)
        if name == "request.get_json":
            return True
        return (
            dotted(value.func) == "json.loads"
            and bool(value.args)
            and request_attr(value.args[0]) == "request.body"
        )
    return request_attr(value) in ("request.json", "request.data", "request.POST")


def _items_of_raw(node: ast.expr, raw: set[str]) -> bool:
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "items"
        and not node.args
    ):
        return False
    owner = node.func.value
    return (isinstance(owner, ast.Name) and owner.id in raw) or _raw_body(owner)


def setattr_of(loop: ast.For, key: str) -> ast.Call | None:
    for node in ast.walk(loop):
        if (
            isinstance(node, ast.Call)
            and dotted(node.func) == "setattr"
            and len(node.args) == 3
            and isinstance(node.args[1], ast.Name)
            and node.args[1].id == key
            and isinstance(node.args[0], ast.Name)
        ):
            return node
    return None


def filters_key(loop: ast.For, key: str) -> bool:
    """The loop tests the key (``if field in ALLOWED``, ``hasattr``, a startswith): it
    chooses which keys are set already."""
    for node in ast.walk(loop):
        if isinstance(node, ast.Compare) and any(
            isinstance(n, ast.Name) and n.id == key for n in ast.walk(node)
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and dotted(node.func) != "setattr"
            and any(isinstance(a, ast.Name) and a.id == key for a in node.args)
        ):
            return True
    return False


def _model_fields(facts: ModuleFacts, nodes: list[ast.AST], obj: ast.expr) -> list[str]:
    """The columns of the row's model, minus primary and foreign keys: the row is fetched as
    ``session.get(Patient, id)``, ``Patient.query.get(id)``, ``Patient.objects.get(...)`` or
    ``get_object_or_404(Patient, ...)``."""
    if facts.schema is None or not isinstance(obj, ast.Name):
        return []
    model = ""
    for name, value in _bindings(nodes):
        if name != obj.id:
            continue
        for call in ast.walk(value):
            if not isinstance(call, ast.Call):
                continue
            called = dotted(call.func)
            if called.split(".")[-1] not in _FETCHES:
                continue
            if call.args and isinstance(call.args[0], ast.Name) and call.args[0].id[:1].isupper():
                model = call.args[0].id
            elif called.split(".")[0][:1].isupper():
                model = called.split(".")[0]
    table = facts.schema.table_for_model(model) if model else None
    if table is None:
        return []
    return [
        c.name
        for c in table.columns.values()
        if not c.primary_key and not c.references and c.name.isidentifier()
    ]


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    loop: ast.For,
    key: str,
    fields: list[str],
    obj: ast.expr,
) -> Suggestion | None:
    src = facts.source
    first, _ = statement_lines(loop)
    indent = src.indent_of(loop.lineno - 1)
    if not loop.body:
        return None
    inner = src.indent_of(loop.body[0].lineno - 1)
    allowed = _free_name(route.func, "editable")
    listed = ", ".join(f'"{f}"' for f in fields)
    text = (
        f"{indent}# The fields a client may set here: trim to what this endpoint edits.\n"
        f"{indent}{allowed} = {{{listed}}}"
    )
    check = f"{inner}if {key} not in {allowed}:\n{inner}    continue"
    body_first, _ = statement_lines(loop.body[0])
    if loop.body[0].lineno == loop.lineno:
        return None  # ``for k, v in d.items(): setattr(...)`` on one line
    edits = [insert_before_line(src, first, text), insert_before_line(src, body_first, check)]
    return Suggestion(
        "BKD207",
        "validation",
        src.path,
        src.span(loop.iter),
        f"Set only allowed fields on `{src.text_of(obj)}`",
        f"`{route.func.name}` sets every key of the raw request body on "
        f"`{src.text_of(obj)}` and saves it: a client can set attributes the endpoint never "
        "meant to expose (a primary or foreign key, an owner, an admin flag). An explicit "
        "allow-list (here the model's columns minus its primary and foreign keys) keeps "
        "the rest out; trim it to what the endpoint edits.",
        tuple(edits),
    )


def _free_name(func: ast.AST, wanted: str) -> str:
    names = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)}
    for candidate in (wanted, f"{wanted}_fields", "allowed_fields"):
        if candidate not in names:
            return candidate
    return "client_fields"
