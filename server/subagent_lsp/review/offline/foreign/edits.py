"""Small text edits on brace languages (JS/TS, Go): re-indented blocks and imports."""

from __future__ import annotations

from ....definitions.findings import Span
from ...suggestion import Edit
from ..treesitter import Tree


def insert_line(tree: Tree, line: int, text: str) -> Edit:
    """``text`` (one or more lines, without the final newline) as new lines before ``line``."""
    return Edit(tree.path, Span.point(line, 0), text.replace("\n", tree.eol) + tree.eol)


def insert_after_line(tree: Tree, line: int, text: str) -> Edit:
    return insert_line(tree, line + 1, text)


def indented(text: str, indent: str) -> str:
    return "\n".join(indent + line if line.strip() else line for line in text.split("\n"))


def unit_of(indent: str) -> str:
    return "\t" if indent.startswith("\t") else "  "


def replace(tree: Tree, start: int, end: int, text: str) -> Edit:
    """Bytes ``start``..``end`` of the file, replaced."""
    return Edit(
        tree.path,
        Span(tree.position(start), tree.position(end)),
        text.replace("\n", tree.eol),
    )


def at(tree: Tree, offset: int, text: str) -> Edit:
    return replace(tree, offset, offset, text)
