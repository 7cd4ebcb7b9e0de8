"""What a ``try`` around a node catches: shared by the analyses and by the call following of
upstream_calls.py (which frameworks.py itself uses, so this cannot live there)."""

from __future__ import annotations

import ast

from .pysource import dotted


def exception_name(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return dotted(node).split(".")[-1]


def caught(node: ast.AST, up: dict[ast.AST, ast.AST], names: set[str]) -> bool:
    """Inside a ``try`` body whose handlers catch one of ``names`` (or anything broader)."""
    broad = {"Exception", "BaseException"}
    current: ast.AST | None = node
    child: ast.AST | None = None
    while current is not None:
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                if handler.type is None:
                    return True
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                for t in types:
                    if exception_name(t) in names | broad:
                        return True
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            return False
        child, current = current, up.get(current)
    return False
