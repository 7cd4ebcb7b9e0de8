"""Sequelize model calls as query shapes: ``Order.findAll({ where: { state }, order:
[["createdAt", "DESC"]] })``, ``findOne`` / ``count`` / ``destroy`` and ``update(values, {
where })``, on the model as defined (``const Order = sequelize.define(...)``, ``class Order
extends Model``) or reached through a registry (``models.order``, ``sequelize.models.order``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..foreign.strings import literal_value
from ..queries import FoundQuery
from ..sql import QueryShape
from ..treesitter import Tree, text_of
from .sequelize_schema import pairs

if TYPE_CHECKING:
    from tree_sitter import Node

_READS = frozenset({"findAll", "findOne", "findAndCountAll", "count", "destroy", "max", "min"})
_RANGES = frozenset({"gt", "gte", "lt", "lte", "between", "startsWith"})
_EQUALS = frozenset({"eq", "in"})


def sequelize_queries(tree: Tree, models: dict[str, str]) -> list[FoundQuery]:
    """``models``: the name a model goes by -> its table."""
    out = []
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if callee is None or args is None or callee.type != "member_expression":
            continue
        method = text_of(callee.child_by_field_name("property"))
        items = args.named_children
        if method in _READS and items:
            options = items[0]
        elif method == "update" and len(items) >= 2:
            options = items[1]
        else:
            continue
        target = callee.child_by_field_name("object")
        if target is None or options.type != "object":
            continue
        name = (
            text_of(target.child_by_field_name("property"))
            if target.type == "member_expression"
            else text_of(target)
        )
        table = models.get(name)
        if table is not None:
            query = _shape(tree, call, options, table)
            if query is not None:
                out.append(query)
    return out


def _operator(key: Node | None) -> str:
    """``[Op.gt]`` -> gt; ``$gt`` (Sequelize 4 aliases) -> gt."""
    text = text_of(key).strip("[]'\"")
    return text.rsplit(".", 1)[-1].lstrip("$")


def _shape(tree: Tree, call: Node, options: Node, table: str) -> FoundQuery | None:
    shape = QueryShape(table)
    settings = pairs(options)
    where = settings.get("where")
    if where is not None and where.type == "object":
        for item in where.named_children:
            if item.type == "shorthand_property_identifier":
                shape.eq.append(text_of(item))
                continue
            if item.type != "pair":
                continue
            key = item.child_by_field_name("key")
            if key is None or key.type == "computed_property_name":
                continue  # [Op.or]: alternatives, no single index
            column = text_of(key).strip("'\"")
            value = item.child_by_field_name("value")
            if value is not None and value.type == "object":
                ops = {_operator(i.child_by_field_name("key")) for i in value.named_children}
                if ops & _EQUALS:
                    shape.eq.append(column)
                elif ops & _RANGES:
                    shape.ranges.append(column)
                continue
            shape.eq.append(column)
    order = settings.get("order")
    for item in order.named_children if order is not None and order.type == "array" else []:
        parts = item.named_children if item.type == "array" else [item]
        ordered = literal_value(parts[0]) if parts else None
        if ordered is None:
            break  # [Model, "col", "DESC"]: an included model's column
        direction = (literal_value(parts[1]) or "") if len(parts) > 1 else ""
        shape.order_by.append(ordered)
        shape.order_desc.append(direction.upper() == "DESC")
    if not (shape.eq or shape.ranges or shape.order_by):
        return None
    code = " ".join(text_of(call).split())
    return FoundQuery(shape, tree.span(call), code if len(code) <= 120 else code[:119] + "…")
