"""Sequelize models -> tables: ``sequelize.define("order", {...}, {...})`` and
``Order.init({...}, { sequelize, ... })``.

Sequelize's defaults: the table is the model name pluralized (``tableName`` or
``freezeTableName`` say otherwise), an ``id`` primary key unless an attribute is one, and
``createdAt`` / ``updatedAt`` unless ``timestamps: false``. Indexes: ``primaryKey``,
``unique: true`` and the options' ``indexes: [{ fields: [...] }]``. Columns are named by their
attributes, as queries name them. Where the index edit goes (the options object, or where one
would start) is kept for the edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..foreign.model import ForeignColumn, ForeignTable
from ..foreign.strings import literal_value
from ..golang.gorm import plural
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node


def mentions_sequelize(text: str) -> bool:
    return "sequelize" in text.lower() and (".define(" in text or ".init(" in text)


def pairs(obj: Node) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for item in obj.named_children:
        if item.type == "pair":
            value = item.child_by_field_name("value")
            if value is not None:
                out[text_of(item.child_by_field_name("key")).strip("'\"")] = value
    return out


def sequelize_tables(tree: Tree) -> list[ForeignTable]:
    out = []
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if callee is None or args is None or callee.type != "member_expression":
            continue
        method = text_of(callee.child_by_field_name("property"))
        items = args.named_children
        if method == "define" and len(items) >= 2 and items[1].type == "object":
            name = literal_value(items[0])
            if name is None:
                continue
            accessor = _assigned_to(call) or name
            table = _table(tree, name, accessor, items[1], items[2] if len(items) > 2 else None)
        elif method == "init" and len(items) >= 2 and items[0].type == "object":
            options = items[1] if items[1].type == "object" else None
            if options is None or "sequelize" not in {
                text_of(c) for c in options.named_children
            } | set(pairs(options)):
                continue
            model = text_of(callee.child_by_field_name("object"))
            if model == "super":  # static init(sequelize) { super.init(...) }: the class's
                model = _enclosing_class(call) or model
            named = pairs(options).get("modelName")
            name = (literal_value(named) if named is not None else None) or model
            table = _table(tree, name, model, items[0], options)
        else:
            continue
        if table is not None:
            out.append(table)
    return out


def _enclosing_class(node: Node) -> str | None:
    current = node.parent
    while current is not None:
        if current.type in ("class_declaration", "class"):
            name = current.child_by_field_name("name")
            return text_of(name) if name is not None else None
        current = current.parent
    return None


def _assigned_to(call: Node) -> str | None:
    parent = call.parent
    if parent is not None and parent.type == "variable_declarator":
        return text_of(parent.child_by_field_name("name"))
    return None


def _table(
    tree: Tree, name: str, accessor: str, attributes: Node, options: Node | None
) -> ForeignTable | None:
    settings = pairs(options) if options is not None else {}
    table_name = literal_value(settings["tableName"]) if "tableName" in settings else None
    frozen = "freezeTableName" in settings and text_of(settings["freezeTableName"]) == "true"
    table = ForeignTable(
        table_name or (name if frozen else plural(name)),
        "sequelize",
        tree.path,
        model=accessor,
        written=text_of(attributes.parent) if attributes.parent is not None else "",
        first_line=attributes.start_point[0],
        last_line=(options or attributes).end_point[0],
    )
    for attribute, spec in pairs(attributes).items():
        options_of = pairs(spec) if spec.type == "object" else {}
        table.columns.append(
            ForeignColumn(
                attribute,
                text_of(options_of.get("type") or spec).rsplit(".", 1)[-1].lower(),
                primary_key=text_of(options_of.get("primaryKey")) == "true",
                unique=text_of(options_of.get("unique")) == "true",
            )
        )
    if not any(c.primary_key for c in table.columns):
        table.columns.insert(0, ForeignColumn("id", "integer", primary_key=True))
    if text_of(settings.get("timestamps")) != "false":
        table.columns += [ForeignColumn("createdAt", "date"), ForeignColumn("updatedAt", "date")]
    indexes = settings.get("indexes")
    for item in indexes.named_children if indexes is not None and indexes.type == "array" else []:
        fields = pairs(item).get("fields") if item.type == "object" else None
        cols = tuple(
            v
            for v in (literal_value(f) for f in (fields.named_children if fields else []))
            if v is not None
        )
        if cols:
            table.indexes.append((f"{table.name}_{'_'.join(cols)}", cols))
    # Where the edit goes: into ``indexes: [`` / the options object / a new options argument,
    # right after what is last in it (so a multi-line object keeps its closing line).
    if indexes is not None and indexes.type == "array":
        table.receiver, close = "array", indexes
    elif options is not None:
        table.receiver, close = "options", options
    else:
        table.receiver, close = "none", attributes
    at = close.end_byte if table.receiver == "none" else close.end_byte - 1
    if table.receiver != "none":
        before = tree.data[close.start_byte : at].rstrip()
        at = close.start_byte + len(before)
        last = before[-1:]
        if last in (b"[", b"{"):
            table.receiver += "-empty"
        elif last == b",":
            table.receiver += "-comma"
    table.edit_at = tree.position(at)
    return table
