"""TypeORM repository calls as query shapes: ``repo.findOne({ where: { slug } })``,
``repo.find({ where, order })``, TypeORM 0.2's ``findOne({ slug })`` and the ``...By``
methods, on repositories typed ``Repository<Entity>`` or made by ``getRepository(Entity)``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..queries import FoundQuery
from ..sql import QueryShape
from ..treesitter import Tree, text_of
from .typeorm_schema import options_of

if TYPE_CHECKING:
    from tree_sitter import Node


# The repository methods whose first argument filters rows: the options object
# (``{ where, order }``) or, in TypeORM 0.2 and for the ``...By`` methods, the filter itself.
_READS = frozenset(
    {
        "find",
        "findOne",
        "findOneOrFail",
        "findAndCount",
        "findBy",
        "findOneBy",
        "findOneByOrFail",
        "findAndCountBy",
        "count",
        "countBy",
        "exist",
        "exists",
        "existsBy",
        "delete",
        "softDelete",
    }
)
_OPTIONS = frozenset(
    {"where", "order", "select", "relations", "skip", "take", "cache", "join", "withDeleted"}
)
_REPOSITORY_TYPE = re.compile(r"(\w+)\s*[?!]?\s*:\s*(?:\w+\.)?Repository\s*<\s*(\w+)\s*>")
_REPOSITORY_CALL = re.compile(r"(\w+)\s*=\s*(?:[\w.]+\.)?getRepository\s*\(\s*(\w+)\s*\)")


def repositories(text: str) -> dict[str, str]:
    """repository variable -> entity class: ``repo: Repository<Order>`` (Nest's
    ``@InjectRepository``) and ``repo = getRepository(Order)``."""
    found = {m.group(1): m.group(2) for m in _REPOSITORY_TYPE.finditer(text)}
    found.update({m.group(1): m.group(2) for m in _REPOSITORY_CALL.finditer(text)})
    return found


def typeorm_queries(tree: Tree, entities: dict[str, str]) -> list[FoundQuery]:
    """``entities``: entity class -> table. Reads the repository calls of ``tree``."""
    repos = {v: entities[e] for v, e in repositories(tree.text).items() if e in entities}
    out = []
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if callee is None or args is None or callee.type != "member_expression":
            continue
        method = text_of(callee.child_by_field_name("property"))
        if method not in _READS or not args.named_children:
            continue
        target = callee.child_by_field_name("object")
        table = _table_of(target, repos, entities)
        if table is None:
            continue
        query = _shape(tree, call, method, args.named_children[0], table)
        if query is not None:
            out.append(query)
    return out


def _table_of(target: Node | None, repos: dict[str, str], entities: dict[str, str]) -> str | None:
    if target is None:
        return None
    if target.type == "member_expression":  # this.orders
        return repos.get(text_of(target.child_by_field_name("property")))
    if target.type == "identifier":
        return repos.get(text_of(target))
    if target.type == "call_expression" and text_of(
        target.child_by_field_name("function")
    ).endswith("getRepository"):
        args = target.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        return entities.get(text_of(first)) if first is not None else None
    return None


def _shape(tree: Tree, call: Node, method: str, arg: Node, table: str) -> FoundQuery | None:
    if arg.type != "object":
        return None  # findOne(id): the primary key
    options = options_of(arg)
    keys = {text_of(i.child_by_field_name("key")) for i in arg.named_children if i.type == "pair"}
    keys |= {text_of(i) for i in arg.named_children if i.type == "shorthand_property_identifier"}
    filters: Node | None = arg
    order: Node | None = None
    if not method.endswith("By") and keys and keys <= _OPTIONS:
        filters, order = options.get("where"), options.get("order")
    shape = QueryShape(table)
    if filters is not None and filters.type == "object":
        for item in filters.named_children:
            if item.type == "shorthand_property_identifier":
                shape.eq.append(text_of(item))
            elif item.type == "pair":
                value = item.child_by_field_name("value")
                if value is not None and value.type == "object":
                    continue  # a relation filter: its own table's key
                if value is not None and value.type == "call_expression":
                    op = text_of(value.child_by_field_name("function"))
                    if op in ("MoreThan", "LessThan", "MoreThanOrEqual", "LessThanOrEqual"):
                        shape.ranges.append(text_of(item.child_by_field_name("key")).strip("'\""))
                    elif op in ("In", "Equal"):
                        shape.eq.append(text_of(item.child_by_field_name("key")).strip("'\""))
                    continue
                shape.eq.append(text_of(item.child_by_field_name("key")).strip("'\""))
    if order is not None and order.type == "object":
        for item in order.named_children:
            if item.type == "pair":
                direction = text_of(item.child_by_field_name("value")).upper()
                shape.order_by.append(text_of(item.child_by_field_name("key")).strip("'\""))
                shape.order_desc.append("DESC" in direction)
    if not (shape.eq or shape.ranges or shape.order_by):
        return None
    code = " ".join(text_of(call).split())
    return FoundQuery(shape, tree.span(call), code if len(code) <= 120 else code[:119] + "…")
