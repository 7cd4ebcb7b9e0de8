"""Relationships a FastAPI route's response model walks.

``@router.get("/{id}", response_model=TemplateOut)`` over ``class TemplateOut(BaseModel):
items: list[ItemOut]``: FastAPI serialises the returned ``Template`` by reading ``template.items``,
which loads the template's items by the foreign key pointing back (``WHERE template_id = ?``),
once per returned template: the same read as ``for item in template.items`` written in the
route. Kept narrow, so a field that only shares a relationship's name reads nothing:

- the field is a list of a class (``list[ItemOut]``, ``List[...]``, ``Sequence[...]``,
  optional or not), on the response model or one of its project bases; a single object
  (``owner: UserOut``) is a many-to-one, a key lookup needing no index;
- its name is a relationship of the model the route returns: the only model with that
  relationship that the route's own body names (``db.get(Template, id)``), else the only one
  whose name begins the response model's (``TemplateOut``, ``TemplateReadWithItems``);
- the relationship walks one foreign key back (queries.walk_target). Nested models are not
  followed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .pysource import FUNCTIONS, Source, dotted, every_node
from .queries import FoundQuery, walk_target
from .schema import Schema, Table
from .sql import QueryShape

ClassResolver = Callable[[Source, ast.expr], "tuple[Source, ast.ClassDef] | None"]

_ROUTE_VERBS = ("get", "post", "put", "patch", "delete", "api_route")
_LISTS = ("list", "List", "Sequence", "set", "Set", "tuple", "Tuple")
_OPTIONAL = ("Optional", "Union")
MAX_BASES = 3


def response_walks(source: Source, schema: Schema, resolve: ClassResolver) -> list[FoundQuery]:
    out: list[FoundQuery] = []
    for node in source.walk():
        if not isinstance(node, FUNCTIONS):
            continue
        for decorator in node.decorator_list:
            response = _response_model(decorator)
            if response is not None:
                out.extend(_walks(source, schema, resolve, node, response))
    return out


def _response_model(decorator: ast.expr) -> ast.expr | None:
    """``response_model=X`` of a route decorator (``@app.get(...)``), unwrapped of a list."""
    if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
        return None
    if decorator.func.attr not in _ROUTE_VERBS:
        return None
    value = next((k.value for k in decorator.keywords if k.arg == "response_model"), None)
    if value is None:
        return None
    return _element(value) or value


def _element(annotation: ast.expr) -> ast.expr | None:
    """The element class of ``list[X]`` / ``Optional[List[X]]`` / ``list[X] | None``."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [s for s in (annotation.left, annotation.right) if not _is_none(s)]
        return _element(sides[0]) if len(sides) == 1 else None
    if not isinstance(annotation, ast.Subscript):
        return None
    outer = dotted(annotation.value).rsplit(".", 1)[-1]
    inner = annotation.slice
    if outer in _OPTIONAL:
        parts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        rest = [p for p in parts if not _is_none(p)]
        return _element(rest[0]) if len(rest) == 1 else None
    if outer not in _LISTS:
        return None
    if isinstance(inner, ast.Tuple):  # ``tuple[X, ...]``
        inner = inner.elts[0] if inner.elts else inner
    if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
        return ast.Name(inner.value)  # ``list["ItemOut"]``
    return inner if isinstance(inner, ast.Name | ast.Attribute) else None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _walks(
    source: Source,
    schema: Schema,
    resolve: ClassResolver,
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    response: ast.expr,
) -> list[FoundQuery]:
    found = resolve(source, response)
    if found is None:
        return []
    named = {n.id for n in every_node(func) if isinstance(n, ast.Name)}
    out = []
    for field in _list_fields(resolve, *found, 0):
        owner = _owner(schema, field, named, found[1].name)
        if owner is None:
            continue
        child, keys = walk_target(schema, owner, owner.relationships[field])
        if child is None or len(keys) != 1:
            continue
        shape = QueryShape(child.name, eq=[keys[0]])
        what = f"response_model={found[1].name} serialises {owner.model}.{field} (lazy load)"
        out.append(FoundQuery(shape, source.span(response), what))
    return out


def _list_fields(
    resolve: ClassResolver, source: Source, cls: ast.ClassDef, depth: int
) -> list[str]:
    """The names of the class's fields typed a list of a class, its project bases' too."""
    out: list[str] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            element = _element(stmt.annotation)
            if element is not None and dotted(element).rsplit(".", 1)[-1] not in _SCALARS:
                out.append(stmt.target.id)
    if depth < MAX_BASES:
        for base in cls.bases:
            parent = resolve(source, base)
            if parent is not None and parent[1] is not cls:
                out.extend(f for f in _list_fields(resolve, *parent, depth + 1) if f not in out)
    return out


_SCALARS = frozenset(
    {"str", "int", "float", "bool", "bytes", "dict", "Dict", "Any", "UUID", "datetime", "date"}
)


def _owner(schema: Schema, field: str, named: set[str], response: str) -> Table | None:
    """The returned model whose relationship ``field`` is (see the module's notes)."""
    owners = [t for t in schema.tables.values() if t.model and field in t.relationships]
    in_body = [t for t in owners if t.model in named]
    if len(in_body) == 1:
        return in_body[0]
    if in_body:
        return None
    leading = [t for t in owners if t.model and response.startswith(t.model)]
    longest = max((len(t.model or "") for t in leading), default=0)
    leading = [t for t in leading if len(t.model or "") == longest]
    return leading[0] if len(leading) == 1 else None
