"""Relationships walked inside a query's condition: ``Song.artists.any(...)``.

SQLAlchemy writes ``Model.relationship.any(cond)`` as a correlated ``EXISTS (SELECT 1 FROM
target WHERE target.fk = model.id AND cond)``; through an association table
(``secondary=artist_song``) it reads that table by its column pointing back at ``Model``
(``artist_song.song_id = song.id``). In an OR beside other conditions (a search over a song's
name, its album's and its artists'), or negated in a sweep of orphans (``~Song.artists.any()``),
that read runs once per row of the outer query, and the association table's composite key
``(artist_id, song_id)`` does not serve it: a blind review's ask on a real app.

Only what names the relationship's owner for sure:

- ``Song.artists.any()``: the model's class itself;
- ``cls.artists.any()`` in a model's own method (a hybrid property's expression);
- ``model.artists.any()`` with ``model = self.model_filter`` (or ``self.model_filter.artists``)
  and the enclosing class binding ``model_filter = Song`` in its body: a generic filter or view
  class naming its model as a class attribute.

``.has()`` is left out: it walks a many-to-one, a lookup by the parent's key. The condition
inside ``any(...)`` narrows the target (or, through an association table, the far model): the
walk itself is by the foreign key alone.
"""

from __future__ import annotations

import ast

from .pysource import Source, dotted
from .queries import FoundQuery, walk_target
from .queries import _short as short
from .schema import Schema, Table
from .sql import QueryShape

EXISTS_CALLS = frozenset({"any"})


def exists_walks(source: Source, schema: Schema) -> list[FoundQuery]:
    """Every relationship ``.any()`` of the module that reads a table per outer row."""
    if not schema.models:
        return []
    up = source.up()
    out = []
    for node in source.of(ast.Call):
        walked = exists_walk(source, node, schema, up)
        if walked is not None:
            out.append(walked)
    return out


def exists_walk(
    source: Source, node: ast.Call, schema: Schema, up: dict[ast.AST, ast.AST]
) -> FoundQuery | None:
    """The read ``node`` (``X.relationship.any(...)``) makes per outer row, if any."""
    if not isinstance(node.func, ast.Attribute) or node.func.attr not in EXISTS_CALLS:
        return None
    walked = node.func.value
    if not isinstance(walked, ast.Attribute):
        return None
    owner = _owner(source, walked.value, schema, up)
    if owner is None or walked.attr not in owner.relationships:
        return None
    child, keys = walk_target(schema, owner, owner.relationships[walked.attr])
    if child is None or len(keys) != 1:
        return None  # a many-to-one, or several keys back and none named
    model = owner.model or owner.name
    return FoundQuery(
        QueryShape(child.name, eq=[keys[0]]),
        source.span(node),
        f"{short(source.text_of(node))} (EXISTS per {model} row)",
        backing=True,
    )


def _owner(
    source: Source, receiver: ast.expr, schema: Schema, up: dict[ast.AST, ast.AST]
) -> Table | None:
    name = dotted(receiver)
    if name == "cls":
        return _model(schema, _enclosing_class(receiver, up))
    if name.startswith(("self.", "cls.")) and name.count(".") == 1:
        return _class_attribute_model(schema, receiver, name.split(".", 1)[1], up)
    if not isinstance(receiver, ast.Name):
        return None
    table = _model(schema, receiver.id)
    if table is not None:
        return table
    bound = _bound_once(receiver, up)
    if bound is None:
        return None
    attribute = dotted(bound)
    if attribute.startswith(("self.", "cls.")) and attribute.count(".") == 1:
        return _class_attribute_model(schema, receiver, attribute.split(".", 1)[1], up)
    return None


def _model(schema: Schema, name: str) -> Table | None:
    table = schema.table_for_model(name) if name[:1].isupper() else None
    return table if table is not None and table.origin == "sqlalchemy" else None


def _enclosing(node: ast.AST, up: dict[ast.AST, ast.AST], kinds: tuple[type, ...]) -> ast.AST:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, kinds):
        current = up.get(current)
    return current if current is not None else node


def _enclosing_class(node: ast.AST, up: dict[ast.AST, ast.AST]) -> str:
    cls = _enclosing(node, up, (ast.ClassDef,))
    return cls.name if isinstance(cls, ast.ClassDef) else ""


def _bound_once(name: ast.Name, up: dict[ast.AST, ast.AST]) -> ast.expr | None:
    """The value the enclosing function binds ``name`` to, when it binds it once only."""
    func = _enclosing(name, up, (ast.FunctionDef, ast.AsyncFunctionDef))
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    if any(a.arg == name.id for a in [*func.args.posonlyargs, *func.args.args]):
        return None
    values = [
        node.value
        for node in ast.walk(func)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name.id for t in node.targets)
    ]
    stores = [
        n
        for n in ast.walk(func)
        if isinstance(n, ast.Name) and n.id == name.id and isinstance(n.ctx, ast.Store)
    ]
    return values[0] if len(values) == 1 and len(stores) == 1 else None


def _class_attribute_model(
    schema: Schema, node: ast.AST, attribute: str, up: dict[ast.AST, ast.AST]
) -> Table | None:
    """The model the enclosing class binds ``attribute`` to in its body (``model_filter =
    Song``), when that binding is a model's class."""
    cls = _enclosing(node, up, (ast.ClassDef,))
    if not isinstance(cls, ast.ClassDef):
        return None
    values = [
        stmt.value
        for stmt in cls.body
        if isinstance(stmt, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == attribute for t in stmt.targets)
    ]
    if len(values) != 1 or not isinstance(values[0], ast.Name | ast.Attribute):
        return None
    return _model(schema, dotted(values[0]).split(".")[-1])
