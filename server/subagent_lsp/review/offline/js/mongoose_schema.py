"""Mongoose schemas -> collections with their indexes (``index: true``, ``unique: true``,
``schema.index({...})``, ``_id``). MongoDB's planner is not SQLite's: an index proposed for
a collection is labelled unproven."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..foreign.model import ForeignColumn, ForeignTable
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node


def mentions_mongoose(text: str) -> bool:
    return "Schema(" in text and "mongoose" in text


def _pairs(obj: Node) -> list[tuple[str, Node | None]]:
    out: list[tuple[str, Node | None]] = []
    for item in obj.named_children:
        if item.type == "pair":
            key = text_of(item.child_by_field_name("key")).strip("'\"")
            out.append((key, item.child_by_field_name("value")))
        elif item.type == "shorthand_property_identifier":
            out.append((text_of(item), None))
    return out


def schema_declarations(tree: Tree) -> dict[str, Node]:
    """schema variable -> its ``const x = new Schema({...})`` statement."""
    out = {}
    for node in tree.nodes("variable_declarator"):
        value = node.child_by_field_name("value")
        if value is None or value.type != "new_expression":
            continue
        if not text_of(value.child_by_field_name("constructor")).endswith("Schema"):
            continue
        statement = node.parent if node.parent is not None else node
        out[text_of(node.child_by_field_name("name"))] = statement
    return out


def mongoose_tables(tree: Tree) -> list[ForeignTable]:
    declared = schema_declarations(tree)
    if not declared:
        return []
    models: dict[str, str] = {}  # schema variable -> model name
    indexes: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        items = args.named_children if args is not None else []
        name = text_of(callee)
        if name.endswith("model") and len(items) >= 2 and items[1].type == "identifier":
            models[text_of(items[1])] = text_of(items[0]).strip("'\"`")
        elif name.endswith(".index") and items and items[0].type == "object":
            variable = name.rsplit(".", 1)[0]
            keys = tuple(k for k, _ in _pairs(items[0]))
            indexes.setdefault(variable, []).append(("schema.index", keys))
    out = []
    for variable, statement in declared.items():
        model = models.get(variable)
        if model is None:
            continue
        table = ForeignTable(
            model,
            "mongoose",
            tree.path,
            model=model,
            columns=[ForeignColumn("_id", "objectid", primary_key=True)],
            indexes=indexes.get(variable, []),
            written=text_of(statement),
            first_line=statement.start_point[0],
            last_line=statement.end_point[0],
            receiver=variable,
        )
        value = (
            statement.named_children[0].child_by_field_name("value")
            if statement.named_children
            else None
        )
        args = value.child_by_field_name("arguments") if value is not None else None
        items = args.named_children if args is not None else []
        if items and items[0].type == "object":
            for key, field in _pairs(items[0]):
                options = (
                    {k: text_of(v) for k, v in _pairs(field)}
                    if field is not None and field.type == "object"
                    else {}
                )
                table.columns.append(
                    ForeignColumn(
                        key,
                        "mixed",
                        unique=options.get("unique") == "true",
                        indexed=options.get("index") == "true",
                        field_name=key,
                    )
                )
        if len(items) > 1 and "timestamps" in text_of(items[1]):
            table.columns += [
                ForeignColumn("createdAt", "date"),
                ForeignColumn("updatedAt", "date"),
            ]
        out.append(table)
    return out
