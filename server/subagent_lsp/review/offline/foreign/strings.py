"""The string literals of a JS/TS or Go tree, as the SQL they hold: template substitutions
(``${id}``) read as a placeholder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

STRING_TYPES = frozenset(
    {"string", "template_string", "interpreted_string_literal", "raw_string_literal"}
)
_ESCAPE = re.compile(r"\\(.)")


def literal_value(node: Node) -> str | None:
    """The text a string literal stands for (None for any other node)."""
    if node.type not in STRING_TYPES:
        return None
    if node.type == "template_string":
        parts = []
        for child in node.children:
            if child.type == "template_substitution":
                parts.append("?")
            elif child.type not in ("`",):
                parts.append(text_of(child))
        return "".join(parts)
    raw = text_of(node)
    body = raw[1:-1] if len(raw) >= 2 else ""
    if node.type == "raw_string_literal":
        return body
    return _ESCAPE.sub(lambda m: " " if m.group(1) in "nrt" else m.group(1), body)


def string_literals(tree: Tree) -> Iterator[tuple[Node, str]]:
    for node in tree.nodes(*STRING_TYPES):
        value = literal_value(node)
        if value is not None:
            yield node, value
