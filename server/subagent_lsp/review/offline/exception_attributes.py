"""BKD336: an ``except`` reads an attribute its exception class never has:
``except UserValidationError as exc: return resp(errors=exc.errors)`` where the project's
``class UserValidationError(Exception): pass`` sets no ``errors``.

The handler meant to answer the failure raises AttributeError itself, a 500 in place of the
4xx it was written for (a real users API's address update reached it; judged a must). The
fix reads what every exception has, its text (``str(exc)``).

Read only for the project's own classes whose every base is a project class or one of
Python's own exceptions (a library's may carry the attribute), when no class of that lineage
assigns the attribute (a class attribute, ``self.errors = ...`` in a method) and Python's
``BaseException`` has no such attribute either; and only for the classes an ``except`` names
itself (one name, not a tuple).
"""

from __future__ import annotations

import ast
import builtins

from ..suggestion import Suggestion
from .frameworks import ModuleFacts
from .pyedits import replace_node
from .pysource import Source, dotted

CODE = "BKD336"

_MAX_BASES = 4


def exception_attribute_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    if facts.upstream is None or "except" not in src.text:
        return []
    out: list[Suggestion] = []
    up = src.up()
    for handler in src.of(ast.ExceptHandler):
        if not isinstance(handler, ast.ExceptHandler) or handler.name is None:
            continue
        if not isinstance(handler.type, ast.Name | ast.Attribute):
            continue
        lineage = _project_lineage(facts, src, handler.type)
        if lineage is None:
            continue
        has = _attributes(lineage)
        seen: set[str] = set()
        for node in (n for stmt in handler.body for n in ast.walk(stmt)):
            if not (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == handler.name
                and isinstance(node.ctx, ast.Load)
            ):
                continue
            attr = node.attr
            if attr in has or "*" in has or hasattr(BaseException, attr) or attr in seen:
                continue
            if _rebinds(handler, handler.name):
                break
            seen.add(attr)
            read = _plain_read(node, up)
            if read is not None:
                out.append(_suggestion(src, handler, read, node.attr, lineage[0][1].name))
    return out


def _project_lineage(
    facts: ModuleFacts, src: Source, node: ast.expr
) -> list[tuple[Source, ast.ClassDef]] | None:
    """The class and its bases, every one a project class or a Python exception; None for a
    class not the project's, or one over a library's."""
    assert facts.upstream is not None
    found = facts.upstream.resolve_class(src, node)
    if found is None:
        return None
    out = [found]
    todo = [found]
    while todo:
        source, cls = todo.pop()
        for base in cls.bases:
            name = dotted(base)
            if name in dir(builtins) and isinstance(getattr(builtins, name), type):
                if not issubclass(getattr(builtins, name), BaseException):
                    return None
                continue
            parent = facts.upstream.resolve_class(source, base)
            if parent is None or len(out) >= _MAX_BASES:
                return None
            out.append(parent)
            todo.append(parent)
        if cls.keywords:
            return None  # a metaclass may give it anything
    return out


def _attributes(lineage: list[tuple[Source, ast.ClassDef]]) -> set[str]:
    """What a class of the lineage gives its instances: class attributes, methods and
    properties, and ``self.x = ...`` in any method."""
    out: set[str] = set()
    for _, cls in lineage:
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign):
                out.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                out.add(stmt.target.id)
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                out.add(stmt.name)
                for node in ast.walk(stmt):
                    if (
                        isinstance(node, ast.Attribute)
                        and isinstance(node.value, ast.Name)
                        and node.value.id == "self"
                        and isinstance(node.ctx, ast.Store)
                    ):
                        out.add(node.attr)
                    if isinstance(node, ast.Call) and dotted(node.func) in ("setattr", "vars"):
                        out.add("*")  # attributes set by name: not read here
        if "*" in out or any(isinstance(s, ast.ClassDef) for s in cls.body):
            return {"*", *out}
    return out


def _plain_read(node: ast.Attribute, up: dict[ast.AST, ast.AST]) -> ast.expr | None:
    """What the fix replaces: the read itself, or the call of it (``exc.errors()``); None when
    the code goes on into it (``exc.errors["name"]``, ``exc.errors.get(...)``), where its
    text would not do."""
    parent = up.get(node)
    if isinstance(parent, ast.Call) and parent.func is node:
        if isinstance(up.get(parent), ast.Attribute | ast.Subscript):
            return None
        return parent
    if isinstance(parent, ast.Attribute | ast.Subscript) and parent.value is node:
        return None
    return node


def _rebinds(handler: ast.ExceptHandler, name: str) -> bool:
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
        for stmt in handler.body
        for n in ast.walk(stmt)
    )


def _suggestion(
    src: Source, handler: ast.ExceptHandler, node: ast.expr, attr: str, cls: str
) -> Suggestion:
    shown = src.text_of(node)
    name = handler.name or "exc"
    why = (
        f"`{cls}` (and its bases) never sets `{attr}`: `{shown}` raises AttributeError "
        f"inside the handler meant to answer the failure, a 500 in place of the answer it "
        f"was written for. `str({name})` is the exception's text, which every exception has."
    )
    title = f"Read `{cls}`'s text, not its missing `{attr}`"
    edit = replace_node(src, node, f"str({name})")
    return Suggestion(CODE, "error-handling", src.path, src.span(node), title, why, (edit,))
