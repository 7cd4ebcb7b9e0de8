"""BKD334: a function reads a global name its module never binds, and another module of the
project imports that name: the line raises NameError, a 500, each time it runs.

Two real apps had one on an error path, where tests seldom go: a library API's borrow route
answered a bad book id with ``validate_book(data)``, imported in the admin views but not in
the user views, and a shipping API's password reset called ``logger.error(...)`` with no
``logger`` in the module (both judged musts). The fix imports the name the way the project's
other modules do (``from app.core.logging import logger``).

Scopes are Python's own (``symtable``): a name a function reads as global that the module
neither assigns, imports nor defines, and that is no builtin. Silent for a module that binds
names in ways not read (``from x import *``, ``globals()``, ``exec``, a module
``__getattr__``), for ``_`` (gettext installs it), for names read only in annotations, when no
project module imports the name from one place, and when the same statement reads another
unbound name no import gives (the import alone would not make it run).
"""

from __future__ import annotations

import ast
import builtins
import os
import symtable
from collections.abc import Iterable

from ...textfile import read_utf8
from ..suggestion import Suggestion
from .frameworks import ModuleFacts
from .pyedits import ensure_imports
from .pysource import Source, parse_source

CODE = "BKD334"

_DYNAMIC = ("import *", "globals()", "exec(", "__getattr__", "__builtins__", "locals()[")
_MODULE_NAMES = frozenset(
    {"__file__", "__name__", "__doc__", "__spec__", "__path__", "__loader__", "__package__"}
    | {"__builtins__", "__annotations__", "__dict__", "__cached__", "_"}
)
_ANNOTATIONS = ("annotation", "returns")


def undefined_name_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    if any(marker in src.text for marker in _DYNAMIC):
        return []
    missing = _unbound_globals(src)
    if not missing:
        return []
    out: list[Suggestion] = []
    modules = {name: _imported_as(_writers(facts, name), name, src) for name in missing}
    up = src.up()
    for name, node, func in _first_reads(src, missing):
        module = modules[name]
        if module is None or _other_unfixed(node, up, modules):
            continue
        edits = ensure_imports(src, [(module, name)])
        if not edits:
            continue
        why = (
            f"`{name}` is read in `{func}` but {_short(src.path)} neither imports, assigns nor "
            f"defines it: the line raises NameError, a 500, each time it runs (often an "
            f"error path, where tests seldom go). The project's other modules import it from "
            f"`{module}`."
        )
        title = f"Import `{name}` where `{func}` uses it"
        out.append(
            Suggestion(CODE, "error-handling", src.path, src.span(node), title, why, tuple(edits))
        )
    return out


def _other_unfixed(
    node: ast.AST, up: dict[ast.AST, ast.AST], modules: dict[str, str | None]
) -> bool:
    """The statement reads another unbound name no import gives (a real route's
    ``validate_book(data)`` with no ``data`` either): importing this one would not make it
    run, so the fix would be no fix."""
    stmt: ast.AST | None = node
    while stmt is not None and not isinstance(stmt, ast.stmt):
        stmt = up.get(stmt)
    if stmt is None:
        return False
    return any(
        isinstance(n, ast.Name) and n.id in modules and modules[n.id] is None
        for n in ast.walk(stmt)
    )


def _writers(facts: ModuleFacts, name: str) -> Iterable[Source]:
    """The project's modules that write ``name``; without a project, the module's folder."""
    if facts.writers is not None:
        return facts.writers(name)
    folder = os.path.dirname(os.path.abspath(facts.source.path))
    out = []
    for entry in sorted(os.listdir(folder)):
        text = read_utf8(os.path.join(folder, entry)) if entry.endswith(".py") else None
        if text is not None and name in text:
            out.append(parse_source(os.path.join(folder, entry), text))
    return out


def _unbound_globals(src: Source) -> set[str]:
    """The names some function of the module reads as globals the module never binds."""
    try:
        table = symtable.symtable(src.text, src.path, "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()  # a text Python's compiler refuses or cannot hold: nothing is read
    bound = {
        s.get_name()
        for s in table.get_symbols()
        if s.is_assigned() or s.is_imported() or s.is_namespace() or s.is_declared_global()
    }
    known = bound | _MODULE_NAMES | set(dir(builtins))
    out: set[str] = set()
    for child in _scopes(table):
        for symbol in child.get_symbols():
            name = symbol.get_name()
            if (
                symbol.is_referenced()
                and symbol.is_global()
                and not symbol.is_declared_global()
                and name not in known
            ):
                out.add(name)
    declared = {
        n for node in src.of(ast.Global) if isinstance(node, ast.Global) for n in node.names
    }
    return out - declared


def _scopes(table: symtable.SymbolTable) -> Iterable[symtable.SymbolTable]:
    for child in table.get_children():
        if child.get_type() != "module":
            yield child
            yield from _scopes(child)


def _first_reads(src: Source, names: set[str]) -> list[tuple[str, ast.Name, str]]:
    """Each unbound name's first read in a function, not in an annotation, with the function's
    name; one per (function, name)."""
    up = src.up()
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, ast.Name, str]] = []
    for node in src.of(ast.Name):
        if not (isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, ast.Load)):
            continue
        func = src.function_of(node)
        if func is None or _in_annotation(node, up):
            continue
        label = getattr(func, "name", "lambda")
        key = (label, node.id)
        if key not in seen:
            seen.add(key)
            out.append((node.id, node, label))
    return out


def _in_annotation(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    child, parent = node, up.get(node)
    while parent is not None and not isinstance(parent, ast.stmt | ast.arg):
        child, parent = parent, up.get(parent)
    if isinstance(parent, ast.arg):
        return parent.annotation is child or _contains(parent.annotation, node)
    if isinstance(parent, ast.AnnAssign):
        return _contains(parent.annotation, node)
    if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef):
        return _contains(parent.returns, node)
    return False


def _contains(tree: ast.AST | None, node: ast.AST) -> bool:
    return tree is not None and any(n is node for n in ast.walk(tree))


def _imported_as(sources: Iterable[Source], name: str, own: Source) -> str | None:
    """The one module the project's other modules import ``name`` from (absolute imports)."""
    modules = {
        node.module
        for source in sources
        if os.path.abspath(source.path) != os.path.abspath(own.path)
        for node in source.of(ast.ImportFrom)
        if isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module
        and any(alias.name == name and alias.asname is None for alias in node.names)
    }
    return modules.pop() if len(modules) == 1 else None


def _short(path: str) -> str:
    parts = path.replace("\\", "/").split("/")
    return "/".join(parts[-2:])
