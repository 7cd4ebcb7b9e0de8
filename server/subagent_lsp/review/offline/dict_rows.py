"""A module-level registry (``CONFIGS: dict[str, Config] = {}``) looked up with ``.get(key)``
by what the client sent and used as if the key were there: ``CONFIGS.get(name).peers()``
raises AttributeError on None, a 500 where the client named something that does not exist
(a 404). Such dicts are an app's in-memory table of rows, filled at start-up.

The fix answers 404 the route's way before the use: ``if name not in CONFIGS: abort(404)``
ahead of a chained use, ``if config is None: ...`` after an assignment. A membership test of
the key anywhere before the lookup (``if name in CONFIGS.keys():``) counts as the check.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .helper_rows import keyed_by_client
from .pyedits import ensure_imports, insert_before_line
from .pysource import Source, dotted
from .row_uses import app_catches, missing_row, read_unchecked, short

_CAUGHT = {"AttributeError", "TypeError", "HTTPException", "NotFound"}


def dict_row_suggestions(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    func = call.func
    if route.framework not in ("flask", "fastapi") or not route.answers:
        return []
    if not (isinstance(func, ast.Attribute) and func.attr == "get"):
        return []
    if len(call.args) != 1 or call.keywords or not isinstance(func.value, ast.Name):
        return []  # ``.get(key, default)`` has its answer for a missing key
    registry = func.value.id
    if not _module_dict(facts.source, registry) or _bound_in(route.func, registry):
        return []
    if caught(call, facts.up, _CAUGHT, client_error=True) or app_catches(facts, _CAUGHT):
        return []
    key = call.args[0]
    if not keyed_by_client(key, route) or _membership_tested(route.func, call, key, registry):
        return []
    src = facts.source
    text = short(src.text_of(call))
    answer, needed = _answer(route)
    parent = facts.up.get(call)
    if isinstance(parent, ast.Attribute | ast.Subscript) and parent.value is call:
        if not isinstance(key, ast.Name | ast.Attribute | ast.Constant):
            return []  # the key is computed: no expression to test again before the use
        stmt = enclosing_statement(call, facts.up)
        if stmt is None:
            return []
        used = f"{text}.{parent.attr}" if isinstance(parent, ast.Attribute) else f"{text}[...]"
        indent = src.indent_of(stmt.lineno - 1)
        test = f"{src.text_of(key)} not in {registry}"
        edit = insert_before_line(src, stmt.lineno - 1, f"{indent}if {test}:\n{indent}    {answer}")
    elif (
        isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        name = parent.targets[0].id
        found = read_unchecked(facts, route.func, name, parent.end_lineno or 0, helpers=True)
        if found is None:
            return []
        used = found
        test = f"{name} is None"
        line = parent.end_lineno or parent.lineno
        indent = src.indent_of(parent.lineno - 1)
        edit = insert_before_line(src, line, f"{indent}if {test}:\n{indent}    {answer}")
    else:
        return []
    return missing_row(
        src,
        call,
        f"Answer 404 when {registry} has no such key",
        f"`{text}` gives None for a key the module-level `{registry}` does not hold, and "
        f"`{used}` then raises: a 500 where the client named something that is not there. "
        f"`if {test}: {answer}` answers 404 instead.",
        (*ensure_imports(src, [needed]), edit),
    )


def _answer(route: Route) -> tuple[str, tuple[str, str]]:
    if route.framework == "fastapi":
        return 'raise HTTPException(status_code=404, detail="not found")', (
            "fastapi",
            "HTTPException",
        )
    return "abort(404)", ("flask", "abort")


def _module_dict(source: Source, name: str) -> bool:
    """``name = {}`` / ``name: dict[...] = {}`` / ``name = dict()`` at the module's top level."""
    for module in source.modules:
        for stmt in module.body:
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            else:
                continue
            if not any(isinstance(t, ast.Name) and t.id == name for t in targets):
                continue
            return isinstance(value, ast.Dict | ast.DictComp) or (
                isinstance(value, ast.Call) and dotted(value.func) == "dict"
            )
    return False


def _bound_in(func: ast.AST, name: str) -> bool:
    """A local of the same name shadows the module's dict."""
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
        for n in ast.walk(func)
    )


def _membership_tested(func: ast.AST, call: ast.Call, key: ast.expr, registry: str) -> bool:
    """``key in registry`` / ``key not in registry.keys()`` before the lookup."""
    spelled = ast.dump(key)
    for node in ast.walk(func):
        if not isinstance(node, ast.Compare) or node.lineno > call.lineno:
            continue
        if ast.dump(node.left) != spelled or len(node.ops) != 1:
            continue
        if not isinstance(node.ops[0], ast.In | ast.NotIn):
            continue
        right = node.comparators[0]
        if isinstance(right, ast.Call) and isinstance(right.func, ast.Attribute):
            right = right.func.value  # ``registry.keys()``
        if dotted(right) == registry:
            return True
    return False
