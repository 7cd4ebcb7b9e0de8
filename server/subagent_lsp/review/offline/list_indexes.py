"""BKD213 for a list: a FastAPI ``int`` parameter picks an entry of a list the code builds
(``ITEMS = [...]`` in the module, ``rows = [...]`` / ``list(...)`` / ``sorted(...)`` /
``.split()`` in the route) with nothing checking it is in range. ``/items/7`` of a list of
three raises IndexError, a 500 where the client named something that does not exist; a
negative number quietly answers an entry from the end.

Only lists the code visibly makes are read: a row's column or a helper's result may be a
dict, whose keys a range check would refuse. Silent when anything compares the parameter
(``if item_id < len(ITEMS)``), the parameter declares bounds (``Path(lt=...)``), a ``try``
or an app-wide handler takes IndexError, and outside the route's own statements.

The fix checks the range right before the statement and answers 404 for a part of the path,
400 for a query value, with FastAPI's ``HTTPException``.
"""

from __future__ import annotations

import ast
import re

from ..suggestion import Edit, Suggestion
from .api_routes import path_names
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .pyedits import ensure_imports, insert_before_line, statement_lines
from .pysource import binds_anywhere, dotted

Function = ast.FunctionDef | ast.AsyncFunctionDef
_LIST_CALLS = frozenset({"list", "sorted"})
_LIST_METHODS = frozenset({"split", "rsplit", "splitlines", "fetchall", "all"})
_BOUNDS = frozenset({"lt", "le", "gt", "ge"})
_ERRORS = {"IndexError", "LookupError"}


def list_index_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi" or facts.handled_by_app(_ERRORS):
        return []
    params = _int_params(route.func)
    if not params:
        return []
    out: list[Suggestion] = []
    done: set[str] = set()
    for node in facts.source.nodes_of(route.func):
        if not (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.slice, ast.Name)
            and node.slice.id in params
            and isinstance(node.value, ast.Name)
            and node.slice.id not in done
        ):
            continue
        param = node.slice.id
        if binds_anywhere(route.func, param) or _compared(route.func, param):
            continue
        if caught(node, facts.up, _ERRORS) or not _is_list(facts, route.func, node.value.id):
            continue
        found = _suggestion(facts, route, node, param, node.value.id)
        if found is not None:
            done.add(param)
            out.append(found)
    return out


def _int_params(func: Function) -> set[str]:
    """Parameters annotated plain ``int`` the client fills, with no bounds declared."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = [
        *zip(positional, [*defaults, *args.defaults], strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]
    out = set()
    for arg, default in pairs:
        if not (isinstance(arg.annotation, ast.Name) and arg.annotation.id == "int"):
            continue
        if isinstance(default, ast.Call):
            name = dotted(default.func).split(".")[-1]
            if name in ("Depends", "Security") or any(k.arg in _BOUNDS for k in default.keywords):
                continue
        out.add(arg.arg)
    return out


def _compared(func: Function, param: str) -> bool:
    """Any comparison of the parameter, ``in range(...)`` too: a check the code made."""
    for node in ast.walk(func):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(n, ast.Name) and n.id == param for s in sides for n in ast.walk(s)):
                return True
    return False


def _is_list(facts: ModuleFacts, func: Function, name: str) -> bool:
    """``name`` is bound once, to a list the code makes: in the route, or in the module when
    the route does not bind it."""
    local = _assigned(func, name)
    if local is not None:
        return _makes_list(local)
    if binds_anywhere(func, name):
        return False
    found: list[ast.expr] = []
    for module in facts.source.modules:
        for stmt in module.body:
            value = _assigned_here(stmt, name)
            if value is not None:
                found.append(value)
    return len(found) == 1 and _makes_list(found[0])


def _assigned(func: Function, name: str) -> ast.expr | None:
    values = []
    for node in ast.walk(func):
        if isinstance(node, ast.stmt) and not isinstance(node, Function):
            value = _assigned_here(node, name)
            if value is not None:
                values.append(value)
    stores = sum(
        1
        for n in ast.walk(func)
        if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)
    )
    return values[0] if len(values) == 1 and stores == 1 else None


def _assigned_here(stmt: ast.stmt, name: str) -> ast.expr | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Name) and target.id == name:
            return stmt.value
    if (
        isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and stmt.target.id == name
    ):
        return stmt.value
    return None


def _makes_list(value: ast.expr) -> bool:
    if isinstance(value, ast.List | ast.ListComp):
        return True
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Call):
        if isinstance(value.func, ast.Name):
            return value.func.id in _LIST_CALLS
        if isinstance(value.func, ast.Attribute):
            return value.func.attr in _LIST_METHODS
    return False


def _suggestion(
    facts: ModuleFacts, route: Route, node: ast.Subscript, param: str, container: str
) -> Suggestion | None:
    src = facts.source
    stmt = enclosing_statement(node, facts.up)
    if stmt is None or isinstance(stmt, Function | ast.ClassDef):
        return None
    first, _ = statement_lines(stmt)
    if src.lines[first].lstrip().startswith("elif"):
        return None  # nowhere to put a statement before an ``elif`` test
    in_path = _in_path(route, param)
    status = 404 if in_path else 400
    detail = f"no such {param}" if in_path else f"{param} out of range"
    if facts.imports.get("fastapi") == "fastapi":
        raiser, imports = "fastapi.HTTPException", []
    elif facts.imports.get("HTTPException", "fastapi.HTTPException") == "fastapi.HTTPException":
        raiser, imports = "HTTPException", ensure_imports(src, [("fastapi", "HTTPException")])
    else:
        return None
    indent = src.indent_of(first)
    guard = (
        f"{indent}if not 0 <= {param} < len({container}):\n"
        f'{indent}    raise {raiser}(status_code={status}, detail="{detail}")'
    )
    edits: list[Edit] = [*imports, insert_before_line(src, first, guard)]
    where = "a part of the path" if in_path else "a query value"
    return Suggestion(
        "BKD213",
        "validation",
        src.path,
        src.span(node),
        f"Check `{param}` is an index of `{container}`",
        f"`{param}` is {where} the client picks, and nothing checks it against "
        f"`len({container})`: a number past the end raises IndexError (a 500) and a negative "
        f"one answers an entry from the end. Checking the range first answers {status}.",
        tuple(edits),
    )


def _in_path(route: Route, param: str) -> bool:
    if re.search(r"\{" + re.escape(param) + r"(:\w+)?\}", path_names(route.path)):
        return True
    for deco in route.func.decorator_list:
        if isinstance(deco, ast.Call) and deco.args:
            path = deco.args[0]
            text = path.value if isinstance(path, ast.Constant) else None
            if isinstance(text, str) and re.search(r"\{" + re.escape(param) + r"(:\w+)?\}", text):
                return True
    return False
