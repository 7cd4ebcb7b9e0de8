"""A module-level registry (``CONFIGS: dict[str, Config] = {}``) looked up with ``.get(key)``
by what the client sent and used as if the key were there: ``CONFIGS.get(name).peers()``
raises AttributeError on None, a 500 where the client named something that does not exist
(a 404). Such dicts are an app's in-memory table of rows, filled at start-up.

The fix answers 404 the route's way before the use: ``if name not in CONFIGS: abort(404)``
ahead of a chained use, ``if config is None: ...`` after an assignment. A membership test of
the key anywhere before the lookup (``if name in CONFIGS.keys():``) counts as the check.

A class's registry is one too: ``HookService.services.get(sid)``, where the class body binds
``services = {}``, or its metaclass does (``cls.services = {}`` in the metaclass's
``__init__``, which then files every subclass under its id: notifico's hook services, named
by the id in the URL). The class is the project's own, found through the imports.
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
    if len(call.args) != 1 or call.keywords:
        return []  # ``.get(key, default)`` has its answer for a missing key
    registry = dotted(func.value)
    if isinstance(func.value, ast.Name):
        if not _module_dict(facts.source, registry):
            return []
    elif not (
        isinstance(func.value, ast.Attribute)
        and isinstance(func.value.value, ast.Name)
        and _class_dict(facts, func.value.value, func.value.attr)
    ):
        return []
    if _bound_in(route.func, registry.split(".")[0]):
        return []
    if caught(call, facts.up, _CAUGHT, client_error=True) or app_catches(facts, _CAUGHT):
        return []
    key = call.args[0]
    if not keyed_by_client(key, route) or _membership_tested(route.func, call, key, registry):
        return []
    src = facts.source
    text = short(src.text_of(call))
    holder = "module-level" if isinstance(func.value, ast.Name) else "registry"
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
        f"`{text}` gives None for a key the {holder} `{registry}` does not hold, and "
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


def _class_dict(facts: ModuleFacts, owner: ast.Name, attr: str) -> bool:
    """``owner`` names a project class whose body binds ``attr = {}``, or whose metaclass
    (``metaclass=M``, Python 2's ``__metaclass__ = M``) binds ``cls.attr = {}``."""
    found = _project_class(facts, owner)
    if found is None:
        return False
    source, cls = found
    if _dict_bound(cls.body, attr):
        return True
    meta = next((k.value for k in cls.keywords if k.arg == "metaclass"), None)
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__metaclass__" for t in stmt.targets
        ):
            meta = stmt.value
    if not isinstance(meta, ast.Name) or facts.upstream is None:
        return False
    metaclass = facts.upstream.resolve_class(source, meta)
    if metaclass is None:
        return False
    for method in metaclass[1].body:
        if not isinstance(method, ast.FunctionDef) or not method.args.args:
            continue
        first = method.args.args[0].arg  # the class being made
        for node in ast.walk(method):
            if (
                isinstance(node, ast.Assign)
                and _is_dict(node.value)
                and any(
                    isinstance(t, ast.Attribute)
                    and t.attr == attr
                    and isinstance(t.value, ast.Name)
                    and t.value.id == first
                    for t in node.targets
                )
            ):
                return True
    return False


def _project_class(facts: ModuleFacts, name: ast.Name) -> tuple[Source, ast.ClassDef] | None:
    for module in facts.source.modules:
        for stmt in module.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == name.id:
                return facts.source, stmt
    return facts.upstream.resolve_class(facts.source, name) if facts.upstream else None


def _dict_bound(body: list[ast.stmt], name: str) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return _is_dict(value)
    return False


def _is_dict(value: ast.expr) -> bool:
    return isinstance(value, ast.Dict | ast.DictComp) or (
        isinstance(value, ast.Call) and dotted(value.func) == "dict" and not value.args
    )


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
