"""Mongoose queries -> shapes: ``Order.find({ user, status }).sort({ createdAt: -1 })``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..queries import FoundQuery
from ..sql import QueryShape
from ..treesitter import Tree, text_of
from .mongoose_schema import _pairs

if TYPE_CHECKING:
    from tree_sitter import Node

MONGO_READS = frozenset(
    {
        "find",
        "findOne",
        "countDocuments",
        "updateMany",
        "updateOne",
        "deleteMany",
        "deleteOne",
        "findOneAndUpdate",
        "findOneAndDelete",
        "exists",
    }
)
_RANGES = {"$gt", "$gte", "$lt", "$lte"}
_EQUALS = {"$eq", "$in"}


def mongoose_queries(tree: Tree, models: dict[str, str]) -> list[FoundQuery]:
    """``Order.find({ user, status }).sort({ createdAt: -1 })`` for the Mongoose ``models``
    (model name -> collection) the schema knows."""
    found = []
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        if callee is None or callee.type != "member_expression":
            continue
        model = text_of(callee.child_by_field_name("object"))
        if (
            model not in models
            or text_of(callee.child_by_field_name("property")) not in MONGO_READS
        ):
            continue
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        shape = QueryShape(models[model])
        if first is not None and first.type == "object":
            for key, value in _pairs(first):
                if key.startswith("$"):
                    continue
                ops = (
                    {k for k, _ in _pairs(value)}
                    if value is not None and value.type == "object"
                    else set()
                )
                if ops & _RANGES:
                    shape.ranges.append(key)
                elif not ops or ops & _EQUALS:
                    shape.eq.append(key)
        _sort(call, shape)
        if shape.eq or shape.ranges or shape.order_by:
            code = " ".join(text_of(call).split())
            found.append(FoundQuery(shape, tree.span(call), code[:120]))
    return found


def _sort(call: Node, shape: QueryShape) -> None:
    parent = call.parent
    while parent is not None and parent.type == "member_expression":
        outer = parent.parent
        if outer is None or outer.type != "call_expression":
            return
        if text_of(parent.child_by_field_name("property")) == "sort":
            args = outer.child_by_field_name("arguments")
            spec = args.named_children[0] if args is not None and args.named_children else None
            if spec is not None and spec.type == "object":
                for key, value in _pairs(spec):
                    shape.order_by.append(key)
                    shape.order_desc.append(
                        text_of(value).replace(" ", "") in ("-1", "'desc'", '"desc"')
                    )
            elif spec is not None and spec.type == "string":
                for part in text_of(spec).strip("'\"`").split():
                    shape.order_by.append(part.lstrip("-"))
                    shape.order_desc.append(part.startswith("-"))
            return
        parent = outer.parent
