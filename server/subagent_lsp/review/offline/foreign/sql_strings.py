"""Queries written as SQL strings in JS/TS or Go code."""

from __future__ import annotations

from ..queries import FoundQuery
from ..sql import query_shapes
from ..treesitter import Tree
from .strings import string_literals

_READS = ("SELECT", "UPDATE", "DELETE", "WITH")


def sql_string_queries(tree: Tree) -> list[FoundQuery]:
    """The query shapes of every string in ``tree`` that is a SQL read (or write with a
    WHERE): each spans its literal."""
    found: list[FoundQuery] = []
    for node, value in string_literals(tree):
        head = value.lstrip()[:10].upper()
        if not head.startswith(_READS):
            continue
        flat = " ".join(value.split())
        found.extend(FoundQuery(s, tree.span(node), flat[:120]) for s in query_shapes(value))
    return found
