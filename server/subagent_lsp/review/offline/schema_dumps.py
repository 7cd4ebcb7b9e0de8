"""Relationships a marshmallow schema dumps.

``class SongOut(ma.SQLAlchemySchema): class Meta: model = Song`` with ``artists =
fields.Nested(ArtistOut, many=True)``: dumping a song reads ``song.artists``, a lazy load by the
foreign key pointing back (through ``secondary=artist_song``: ``WHERE artist_song.song_id = ?``),
once per dumped song: the same read as ``for artist in song.artists`` written in a view (a real
app's song list, whose association table's key ``(artist_id, song_id)`` serves no lookup by
``song_id``). Kept narrow, as response_walks is for FastAPI's response models:

- the class names its model in its own ``Meta`` (``model = Song``: marshmallow-sqlalchemy's
  ``SQLAlchemySchema``, ``SQLAlchemyAutoSchema``, ``ModelSchema``); a plain marshmallow schema
  says nothing of what it dumps;
- the field is a list of nested rows: ``Nested(..., many=True)`` (or a nested schema made with
  ``many=True``), ``Pluck(..., many=True)``, ``List(Nested(...))``. A single nested object is a
  many-to-one, a key lookup; ``auto_field()`` on a relationship is left out, as it is what a
  schema that only loads writes (it turns ids into rows by their key);
- not load-only (``load_only=True``, or named in the Meta's ``load_only``): such a field is never
  read from the row;
- its attribute (``attribute="..."``, else its name) is a relationship of the model that walks one
  foreign key back (queries.walk_target).
"""

from __future__ import annotations

import ast

from .pysource import Source, dotted, keyword_value
from .queries import FoundQuery, walk_target
from .schema import Schema, Table
from .sql import QueryShape

_NESTED = ("Nested", "Pluck")
_LISTS = ("List",)


def dumped_walks(source: Source, schema: Schema) -> list[FoundQuery]:
    """The relationship reads of every marshmallow model schema the module defines."""
    if not schema.models:
        return []
    out = []
    for cls in source.of(ast.ClassDef):
        owner, load_only = _meta(cls, schema)
        if owner is None:
            continue
        for stmt in cls.body:
            walk = _field_walk(source, schema, owner, cls.name, stmt, load_only)
            if walk is not None:
                out.append(walk)
    return out


def _meta(cls: ast.ClassDef, schema: Schema) -> tuple[Table | None, set[str]]:
    """The SQLAlchemy model the class's own ``Meta`` names, and the Meta's load-only fields."""
    meta = next((s for s in cls.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None)
    if meta is None:
        return None, set()
    owner: Table | None = None
    load_only: set[str] = set()
    for stmt in meta.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target = stmt.targets[0]
        if not isinstance(target, ast.Name):
            continue
        if target.id == "model" and isinstance(stmt.value, ast.Name | ast.Attribute):
            table = schema.table_for_model(dotted(stmt.value).split(".")[-1])
            owner = table if table is not None and table.origin == "sqlalchemy" else None
        elif target.id == "load_only" and isinstance(stmt.value, ast.Tuple | ast.List):
            load_only = {
                e.value
                for e in stmt.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
    return owner, load_only


def _field_walk(
    source: Source,
    schema: Schema,
    owner: Table,
    schema_name: str,
    stmt: ast.stmt,
    load_only: set[str],
) -> FoundQuery | None:
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Call)
    ):
        return None
    name, call = stmt.targets[0].id, stmt.value
    if name in load_only or _true(keyword_value(call, "load_only")) or not _many_nested(call):
        return None
    attribute = keyword_value(call, "attribute")
    if attribute is not None:
        if not (isinstance(attribute, ast.Constant) and isinstance(attribute.value, str)):
            return None
        name = attribute.value
    relationship = owner.relationships.get(name)
    if relationship is None:
        return None
    child, keys = walk_target(schema, owner, relationship)
    if child is None or len(keys) != 1:
        return None  # a many-to-one, or several keys back and none named
    model = owner.model or owner.name
    return FoundQuery(
        QueryShape(child.name, eq=[keys[0]]),
        source.span(stmt),
        f"{schema_name}.{stmt.targets[0].id} dumps {model}.{name} (lazy load per dumped {model})",
    )


def _kind(call: ast.Call) -> str:
    return dotted(call.func).split(".")[-1]


def _many_nested(call: ast.Call) -> bool:
    """A field of nested rows, many of them (see the module's notes)."""
    kind = _kind(call)
    if kind in _LISTS:
        inner = call.args[0] if call.args else None
        return isinstance(inner, ast.Call) and _kind(inner) in _NESTED
    if kind not in _NESTED:
        return False
    if _true(keyword_value(call, "many")):
        return True
    nested = call.args[0] if call.args else None
    return isinstance(nested, ast.Call) and _true(keyword_value(nested, "many"))


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True
