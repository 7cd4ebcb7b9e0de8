"""Where JS/TS code reads the database, as query shapes: SQL strings and tagged templates
passed to pg, mysql2, Knex's ``raw`` or postgres.js, and Prisma client calls
(``prisma.order.findMany({ where, orderBy })``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..foreign.sql_strings import sql_string_queries
from ..queries import FoundQuery
from ..schema import Schema
from ..sql import QueryShape
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

PRISMA_READS = frozenset(
    {
        "findMany",
        "findFirst",
        "findFirstOrThrow",
        "findUnique",
        "findUniqueOrThrow",
        "count",
        "updateMany",
        "deleteMany",
        "aggregate",
        "groupBy",
        "update",
        "delete",
    }
)
_RANGES = {"gt", "gte", "lt", "lte", "startsWith"}
_EQUALS = {"equals", "in"}


def js_queries(tree: Tree, schema: Schema) -> list[FoundQuery]:
    found = sql_string_queries(tree)  # pg, mysql2, knex.raw, sql`...`: SQL in any string
    # Prisma's client names a model's delegate in lower camel case (Order -> prisma.order);
    # only Prisma's own tables count (a Python model elsewhere may share the class name).
    accessors = {
        t.model[:1].lower() + t.model[1:]: t.name
        for t in schema.tables.values()
        if t.origin == "prisma" and t.model
    }
    mongo = {t.model: t.name for t in schema.tables.values() if t.origin == "mongoose" and t.model}
    if mongo:
        from .mongoose import mongoose_queries

        found.extend(mongoose_queries(tree, mongo))
    entities = {
        t.model: t.name for t in schema.tables.values() if t.origin == "typeorm" and t.model
    }
    if entities and "Repository" in tree.text:
        from .typeorm import typeorm_queries

        found.extend(typeorm_queries(tree, entities))
    knex = {t.name for t in schema.tables.values() if t.origin == "knex"}
    if knex:
        from .knex import knex_queries

        found.extend(knex_queries(tree, knex))
    models = {
        t.model: t.name for t in schema.tables.values() if t.origin == "sequelize" and t.model
    }
    if models:
        from .sequelize import sequelize_queries

        found.extend(sequelize_queries(tree, models))
    if not accessors:
        return found
    for node in tree.nodes("call_expression"):
        callee = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if callee is None or args is None or callee.type != "member_expression":
            continue
        if text_of(callee.child_by_field_name("property")) not in PRISMA_READS:
            continue
        model_node = callee.child_by_field_name("object")
        if model_node is None or model_node.type != "member_expression":
            continue
        table = accessors.get(text_of(model_node.child_by_field_name("property")))
        first = args.named_children[0] if args.named_children else None
        if table is not None:
            query = _prisma(tree, node, first, table)
            if query is not None:
                found.append(query)
    return found


def _pairs(obj: Node) -> list[tuple[str, Node | None]]:
    out: list[tuple[str, Node | None]] = []
    for item in obj.named_children:
        if item.type == "pair":
            key = text_of(item.child_by_field_name("key")).strip("'\"")
            out.append((key, item.child_by_field_name("value")))
        elif item.type == "shorthand_property_identifier":
            out.append((text_of(item), None))
    return out


def _prisma(tree: Tree, call: Node, arg: Node | None, table: str) -> FoundQuery | None:
    if arg is None or arg.type != "object":
        return None
    shape = QueryShape(table)
    for key, value in _pairs(arg):
        if key == "where" and value is not None and value.type == "object":
            for column, condition in _pairs(value):
                if column in ("AND", "OR", "NOT"):
                    continue
                if condition is not None and condition.type == "object":
                    ops = {k for k, _ in _pairs(condition)}
                    if ops & _EQUALS:
                        shape.eq.append(column)
                    elif ops & _RANGES:
                        shape.ranges.append(column)
                    continue  # a relation filter or contains: no index serves it
                shape.eq.append(column)
        elif key == "orderBy" and value is not None:
            items = value.named_children if value.type == "array" else [value]
            for item in items:
                if item.type != "object":
                    continue
                for column, direction in _pairs(item):
                    if direction is not None and direction.type == "string":
                        shape.order_by.append(column)
                        shape.order_desc.append("desc" in text_of(direction))
    if not (shape.eq or shape.ranges or shape.order_by):
        return None
    code = " ".join(text_of(call).split())
    return FoundQuery(shape, tree.span(call), code if len(code) <= 120 else code[:119] + "…")
