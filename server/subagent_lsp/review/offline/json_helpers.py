"""A Flask route's JSON body handed back by a project helper (``data = _json_body()`` in the
module, ``notify_data = get_json_from_request()`` imported from ``app.utils``): the helper
checks it is JSON, not which keys it has. ``notify_data["status"]`` on a body without one is a
KeyError, a 500 for the client's mistake (round 19, dm-api's Notify callback). The check goes
after the binding and answers 400 in the module's idiom (BKD201). Keys converted where they
are read (``int(data["quantity"])``) are BKD202's: that fix catches the KeyError too.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..suggestion import Edit, Suggestion
from .django_json import decoded_body
from .frameworks import ModuleFacts, Route, caught
from .helper_mappings import date_parse
from .pyedits import insert_before_line, statement_lines
from .pysource import Source, dotted

Answer = Callable[[str], tuple[str, list[Edit]]]


def json_locals(facts: ModuleFacts, func: ast.AST) -> set[str]:
    """Locals bound once to the request's JSON body by a project helper that returns it, and
    not handed to a call. A body read in the route itself is BKD201's own: its check types
    the keys."""
    return set(_json_bindings(facts, func))


def _json_bindings(facts: ModuleFacts, func: ast.AST) -> dict[str, ast.Assign]:
    bound: dict[str, list[ast.Assign | None]] = {}
    for node in facts.source.nodes_of(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                value = node.value
                json = (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and not value.args
                    and _json_helper(facts, value.func)
                )
                bound.setdefault(target.id, []).append(node if json else None)
    found = {
        name: reads[0] for name, reads in bound.items() if len(reads) == 1 and reads[0] is not None
    }
    if found:
        # ``json_only_has_required_keys(data, (...))``: the callee may check the keys itself
        nodes = facts.source.nodes_of(func)
        handed = {
            id(arg)
            for n in nodes
            if isinstance(n, ast.Call)
            for arg in [*n.args, *(k.value for k in n.keywords)]
        }
        for n in nodes:
            if isinstance(n, ast.Name) and n.id in found and id(n) in handed:
                del found[n.id]
    return found


def _json_helper(facts: ModuleFacts, name: ast.Name) -> bool:
    """``name`` is the module's own helper or one imported from the project, whose every
    return hands back the request's JSON (verdicts cached on the module's parse)."""
    source = facts.source
    cache: dict[str, bool] = source.__dict__.setdefault("_json_helpers", {})
    if name.id not in cache:
        own = [
            node
            for module in source.modules
            for node in module.body
            if isinstance(node, ast.FunctionDef) and node.name == name.id
        ]
        if own:
            cache[name.id] = _returns_json(source, own[-1])
        elif facts.upstream is not None:
            found = facts.upstream.resolve(source, name)
            cache[name.id] = (
                found is not None
                and isinstance(found[1], ast.FunctionDef)
                and _returns_json(found[0], found[1])
            )
        else:
            cache[name.id] = False
    return cache[name.id]


def _json_read(node: ast.AST) -> bool:
    """``request.get_json(...)`` / ``request.json``."""
    if isinstance(node, ast.Call):
        node = node.func
        return dotted(node) == "request.get_json"
    return dotted(node) == "request.json"


def _returns_json(source: Source, func: ast.FunctionDef) -> bool:
    """Every return of ``func`` hands back the request's JSON (or a local holding it)."""
    nodes = source.nodes_of(func)
    if not any(_json_read(n) for n in nodes if isinstance(n, ast.Call | ast.Attribute)):
        return False
    held = {
        t.id
        for n in nodes
        if isinstance(n, ast.Assign) and _json_read(n.value)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    returns = [n for n in nodes if isinstance(n, ast.Return) and n.value is not None]
    return bool(returns) and all(
        _json_read(r.value) or (isinstance(r.value, ast.Name) and r.value.id in held)
        for r in returns
        if r.value is not None
    )


def _key_check(
    src: Source,
    route: Route,
    var: str,
    stmt: ast.Assign,
    keys: list[str],
    answer: Answer,
    reading: str,
) -> Suggestion:
    """BKD201's check of ``var``'s keys after its binding ``stmt``, answering 400 in the
    module's idiom; ``reading`` says what the binding already checks."""
    names = ", ".join(repr(k) for k in keys)
    wanted = f"({names},)" if len(keys) == 1 else f"({names})"
    text_answer, imports = answer(f"the body needs {', '.join(keys)}")
    indent = src.indent_of(stmt.lineno - 1)
    _, last = statement_lines(stmt)
    text = (
        f"{indent}if not isinstance({var}, dict) or any(key not in {var} for key in "
        f"{wanted}):\n{indent}    {text_answer}"
    )
    return Suggestion(
        "BKD201",
        "validation",
        src.path,
        src.span(stmt.value),
        f"Check the body keys of {route.func.name} before reading them",
        f"`{src.text_of(stmt.value)}` {reading} {names}: without one the read raises "
        "KeyError, a 500 for the client's mistake. The check answers 400.",
        (*imports, insert_before_line(src, last + 1, text)),
    )


def helper_json_key_suggestions(
    facts: ModuleFacts, route: Route, answer: Answer
) -> list[Suggestion]:
    if route.framework != "flask" or {"KeyError", "LookupError", "Exception"} & route.handled:
        return []
    out: list[Suggestion] = []
    src = facts.source
    for var, stmt in _json_bindings(facts, route.func).items():
        keys = _plain_keys(facts, route.func, var)
        if not keys:
            continue
        out.append(
            _key_check(
                src, route, var, stmt, keys, answer, "checks the body is JSON, not that it has"
            )
        )
    return out


def _plain_keys(facts: ModuleFacts, func: ast.AST, var: str, *, pops: bool = False) -> list[str]:
    """Keys read as ``var["k"]`` with nothing taking a missing one: no ``"k" in var`` test,
    no KeyError handler, no conversion around the read (BKD202 wraps those)."""
    keys: list[str] = []
    tested: set[str] = set()
    nodes = facts.source.nodes_of(func)
    for node in nodes:
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Constant)
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
        ):
            tested.add(str(node.left.value))
        # ``body.pop("name")``: no default, a KeyError. Only in a Django view's own decoded
        # body: dm-api's Flask helpers pop a key another helper has checked
        popped = _popped_key(node, var) if pops else None
        if popped is not None:
            if popped not in keys and not caught(node, facts.up, {"KeyError"}):
                keys.append(popped)
            continue
        if not (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == var
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            continue
        parent = facts.up.get(node)
        if isinstance(parent, ast.Call) and (
            dotted(parent.func) in ("int", "float", "Decimal") or date_parse(dotted(parent.func))
        ):
            continue
        if caught(node, facts.up, {"KeyError"}):
            continue
        if node.slice.value not in keys:
            keys.append(node.slice.value)
    return [k for k in keys if k not in tested]


def _popped_key(node: ast.AST, var: str) -> str | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "pop"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == var
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def django_json_key_suggestions(
    facts: ModuleFacts, route: Route, answer: Answer
) -> list[Suggestion]:
    """BKD201 for a Django view's decoded body bound to a local (``retirement =
    json.load(request)``) whose keys are read with ``[...]`` or ``.pop(key)`` unchecked
    (round 24: openstates' admin views, a widget's ``body.pop("name")``). The check goes after
    the binding; BKD305 answers the malformed body at the binding itself."""
    if route.framework != "django" or {"KeyError", "LookupError", "Exception"} & route.handled:
        return []
    src = facts.source
    nodes = src.nodes_of(route.func)
    bound: dict[str, list[ast.Assign | None]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                body = decoded_body(node.value)
                bound.setdefault(target.id, []).append(node if body else None)
    out: list[Suggestion] = []
    for var, stmts in bound.items():
        stmt = stmts[0]
        if len(stmts) != 1 or stmt is None:
            continue
        keys = _plain_keys(facts, route.func, var, pops=True)
        if not keys or _checked_by_call(nodes, var, stmt):
            continue
        out.append(
            _key_check(
                src, route, var, stmt, keys, answer, "decodes the body but does not check it has"
            )
        )
    return out


def _checked_by_call(nodes: list[ast.AST], var: str, stmt: ast.Assign) -> bool:
    """``validate(data)`` before the first key read: the callee may check the keys itself.
    Handing the body on after reading it (``WidgetConfig(settings=body)``) checks nothing."""
    reads = [
        n.lineno
        for n in nodes
        if isinstance(n, ast.Subscript | ast.Call)
        and n.lineno > stmt.lineno
        and (
            (isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == var)
            or (isinstance(n, ast.Call) and _popped_key(n, var) is not None)
        )
    ]
    first = min(reads, default=0)
    return any(
        isinstance(n, ast.Call)
        and n.lineno < first
        and any(
            isinstance(a, ast.Name) and a.id == var
            for a in [*n.args, *(k.value for k in n.keywords)]
        )
        for n in nodes
    )
