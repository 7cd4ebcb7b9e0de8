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
    schemas: dict[str, tuple[str, Node, Node]] = {}  # model -> (schema variable, new Schema, stmt)
    indexes: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        items = args.named_children if args is not None else []
        name = text_of(callee)
        if name.endswith("model") and len(items) >= 2:
            model = text_of(items[0]).strip("'\"`")
            schema = items[1]
            if schema.type == "identifier" and text_of(schema) in declared:
                statement = declared[text_of(schema)]
                value = statement.named_children[0].child_by_field_name("value")
                if value is not None:
                    schemas[model] = (text_of(schema), value, statement)
            elif schema.type == "new_expression":  # model("Review", new Schema({...}))
                schemas[model] = ("", schema, _statement_of(call))
        elif name.endswith(".index") and items and items[0].type == "object":
            variable = name.rsplit(".", 1)[0]
            keys = tuple(k for k, _ in _pairs(items[0]))
            indexes.setdefault(variable, []).append(("schema.index", keys))
    out = []
    for model, (variable, schema, statement) in schemas.items():
        table = ForeignTable(
            model,
            "mongoose",
            tree.path,
            model=model,
            columns=[ForeignColumn("_id", "objectid", primary_key=True)],
            indexes=indexes.get(variable, []) if variable else [],
            written=text_of(statement),
            first_line=statement.start_point[0],
            last_line=statement.end_point[0],
            receiver=variable,
        )
        args = schema.child_by_field_name("arguments")
        items = args.named_children if args is not None else []
        if items and items[0].type == "object":
            for key, field in _pairs(items[0]):
                options = (
                    {k: text_of(v) for k, v in _pairs(field)}
                    if field is not None and field.type == "object"
                    else {}
                )
                column = ForeignColumn(
                    key,
                    "mixed",
                    unique=options.get("unique") == "true",
                    indexed=options.get("index") == "true",
                    field_name=key,
                )
                if field is not None and field.type == "object":
                    # `{ type: String }`: `, index: true` goes after its last option
                    last = field.named_children[-1] if field.named_children else None
                    column.tag_at = tree.position(last.end_byte if last else field.start_byte + 1)
                    column.tag_state = "object" if last else "empty"
                elif field is not None:
                    column.tag_at, column.tag_state = tree.position(field.start_byte), "plain"
                    column.type = text_of(field)
                table.columns.append(column)
        if len(items) > 1 and "timestamps" in text_of(items[1]):
            table.columns += [
                ForeignColumn("createdAt", "date"),
                ForeignColumn("updatedAt", "date"),
            ]
        out.append(table)
    return out


def _statement_of(node: Node) -> Node:
    current = node
    while current.parent is not None and current.parent.type != "program":
        current = current.parent
    return current
