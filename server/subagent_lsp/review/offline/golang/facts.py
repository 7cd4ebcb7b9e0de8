"""What a Go file is made of for the review: its handlers (net/http's ``(w, r)``, gin's
``*gin.Context``, echo's ``echo.Context``; chi uses net/http's), its imports and whether the
package bounds request bodies somewhere (a ``MaxBytesReader`` middleware)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ....textfile import read_utf8
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

FUNCTIONS = frozenset({"function_declaration", "method_declaration", "func_literal"})


@dataclass
class GoHandler:
    func: Node
    body: Node
    framework: str  # net/http | gin | echo
    w: str = ""  # net/http: the ResponseWriter's and the Request's names
    r: str = ""
    c: str = ""  # gin/echo: the context's


@dataclass
class GoFacts:
    tree: Tree
    imports: dict[str, str]  # local name -> import path
    functions: list[Node] = field(default_factory=list)
    handlers: list[GoHandler] = field(default_factory=list)
    bounded_bodies: bool = False  # MaxBytesReader/MaxBytesHandler in the package


def go_facts(tree: Tree) -> GoFacts:
    facts = GoFacts(tree, _imports(tree))
    facts.bounded_bodies = _package_bounds_bodies(tree)
    for node in tree.nodes(*FUNCTIONS):
        if node.type not in FUNCTIONS:
            continue
        body = node.child_by_field_name("body")
        if body is None:
            continue
        facts.functions.append(node)
        handler = _handler(node, body)
        if handler is not None:
            facts.handlers.append(handler)
    return facts


def _imports(tree: Tree) -> dict[str, str]:
    out = {}
    for node in tree.nodes("import_spec"):
        path = text_of(node.child_by_field_name("path")).strip('"`')
        alias = node.child_by_field_name("name")
        out[text_of(alias) if alias is not None else path.rsplit("/", 1)[-1]] = path
    return out


def _handler(func: Node, body: Node) -> GoHandler | None:
    params = func.child_by_field_name("parameters")
    if params is None:
        return None
    decls = [p for p in params.named_children if p.type == "parameter_declaration"]
    typed = [
        (text_of(p.child_by_field_name("name")), text_of(p.child_by_field_name("type")))
        for p in decls
    ]
    kinds = [t for _, t in typed]
    if "http.ResponseWriter" in kinds and "*http.Request" in kinds:
        w = typed[kinds.index("http.ResponseWriter")][0]
        r = typed[kinds.index("*http.Request")][0]
        return GoHandler(func, body, "net/http", w=w, r=r)
    for name, kind in typed:
        if kind == "*gin.Context":
            return GoHandler(func, body, "gin", c=name)
        if kind == "echo.Context":
            return GoHandler(func, body, "echo", c=name)
    return None


_bounds_cache: dict[str, tuple[tuple[float, ...], bool]] = {}


def _package_bounds_bodies(tree: Tree) -> bool:
    if "MaxBytes" in tree.text:
        return True
    folder = os.path.dirname(os.path.abspath(tree.path))
    try:
        names = sorted(
            n for n in os.listdir(folder) if n.endswith(".go") and not n.endswith("_test.go")
        )
    except OSError:
        return False
    paths = [
        os.path.join(folder, n)
        for n in names
        if os.path.join(folder, n) != os.path.abspath(tree.path)
    ]
    stamps = tuple(os.stat(p).st_mtime if os.path.exists(p) else 0.0 for p in paths)
    cached = _bounds_cache.get(folder)
    if cached is not None and cached[0] == stamps:
        return cached[1]
    found = any("MaxBytes" in (read_utf8(p) or "") for p in paths)
    _bounds_cache[folder] = (stamps, found)
    return found


def statements(block: Node) -> list[Node]:
    """A block's statements (the grammar nests them in a statement_list)."""
    for child in block.named_children:
        if child.type == "statement_list":
            return list(child.named_children)
    return list(block.named_children)


def enclosing_function(node: Node) -> Node | None:
    current = node.parent
    while current is not None and current.type not in FUNCTIONS:
        current = current.parent
    return current
