"""BKD323: ``response_model=List[X]`` on a FastAPI route that returns one ORM object.

``payout = db.query(Payout)...first()`` then ``return payout`` under ``response_model=
List[PayoutOut]``: FastAPI validates the answer against a list, and a model object is none, so
every request that finds a row is a 500 (a real app's payout lookup). Only where the returned
value is provably one row of a schema model: a query of that model (``db.query(Payout)``,
``Payout.query``, ``scalars(select(Payout))``) ended by ``.first()``, ``.one()``,
``.one_or_none()``, ``.scalar_one()``, ``.scalar_one_or_none()`` or ``.get(id)``, or
``session.get(Payout, id)``, returned as it is or through a local bound once to it.

The fix: a ``.first()`` whose result the route only returns becomes ``.all()`` (the list the
response model promises); otherwise (``.one()``, ``.get()``, a row the route reads) the
response model narrows to the item's model.
"""

from __future__ import annotations

import ast

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .client_text import bindings
from .frameworks import ModuleFacts
from .pysource import dotted

Function = ast.FunctionDef | ast.AsyncFunctionDef

_LISTS = {"List", "list", "Sequence"}
_ONE = {"first", "one", "one_or_none", "scalar_one", "scalar_one_or_none"}
_SELECT_ONE = {"scalar_one", "scalar_one_or_none"}  # of ``execute(select(X))`` itself


def list_response_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if facts.schema is None or "response_model" not in facts.source.text:
        return []
    out = []
    for route in facts.routes:
        if route.framework != "fastapi":
            continue
        found = _list_model(route.func)
        if found is None:
            continue
        model, item = found
        for ret in _returns(route.func):
            single = _single(facts, route.func, ret)
            if single is not None:
                out.append(_suggestion(facts, route.func, model, item, ret, *single))
                break
    return out


def _list_model(func: Function) -> tuple[ast.Subscript, ast.expr] | None:
    """``response_model=List[X]`` of the route's decorator: the annotation and ``X``."""
    for decorator in func.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        value = next((k.value for k in decorator.keywords if k.arg == "response_model"), None)
        if (
            isinstance(value, ast.Subscript)
            and dotted(value.value).split(".")[-1] in _LISTS
            and not isinstance(value.slice, ast.Tuple)
        ):
            return value, value.slice
    return None


def _returns(func: Function) -> list[ast.Return]:
    """The route's own returns (not a nested function's)."""
    out: list[ast.Return] = []
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return sorted(out, key=lambda r: r.lineno)


def _single(
    facts: ModuleFacts, func: Function, ret: ast.Return
) -> tuple[ast.Call, str, str | None] | None:
    """The call that makes the returned value one row, the model, and the local holding it."""
    value = ret.value
    assert value is not None
    name = None
    if isinstance(value, ast.Name):
        values = bindings(func, value.id)
        if not values or len(values) != 1:
            return None
        name, value = value.id, values[0]
    value = value.value if isinstance(value, ast.Await) else value
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
        return None
    model = _one_row(facts, func, value)
    return (value, model, name) if model is not None else None


def _one_row(facts: ModuleFacts, func: Function, call: ast.Call) -> str | None:
    assert isinstance(call.func, ast.Attribute)
    method, receiver = call.func.attr, call.func.value
    if method == "get":
        if len(call.args) == 2 and not call.keywords and "query" not in _steps(receiver):
            return _model(facts, call.args[0])  # ``session.get(Payout, id)``
        if len(call.args) == 1 and not call.keywords:
            return _queried(facts, func, receiver)  # ``db.query(Payout).get(id)``
        return None
    if method not in _ONE or call.args or call.keywords:
        return None
    return _queried(facts, func, receiver, selects=method in _SELECT_ONE)


def _steps(node: ast.expr) -> list[str]:
    out = []
    while True:
        node = node.value if isinstance(node, ast.Await) else node
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            out.append(node.attr)
            node = node.value
        else:
            return out


def _queried(
    facts: ModuleFacts, func: Function, node: ast.expr, selects: bool = False
) -> str | None:
    """The one model a query chain reads whole rows of: ``db.query(Payout)...``,
    ``Payout.query...``, ``scalars(select(Payout)...)`` (a ``select`` through a local bound
    once to it too); None for anything else (columns, a join's other entity, a Row)."""
    scalar = selects
    while True:
        node = node.value if isinstance(node, ast.Await) else node
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr == "query":
                return _model(facts, node.args[0]) if len(node.args) == 1 else None
            if attr in ("scalars", "execute", "scalar"):
                if attr == "execute" and not scalar:
                    return None  # ``execute(...).first()``: a Row, not the model
                return _selected(facts, func, node.args[0]) if len(node.args) == 1 else None
            if attr in ("add_columns", "with_entities", "values", "add_entity", "from_statement"):
                return None
            node = node.func.value
        elif isinstance(node, ast.Attribute):
            if node.attr == "query":
                return _model(facts, node.value)
            if node.attr == "scalars":
                scalar = True
            node = node.value
        else:
            return None


def _selected(facts: ModuleFacts, func: Function, node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        values = bindings(func, node.id)
        if not values or len(values) != 1:
            return None
        node = values[0]
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("add_columns", "with_only_columns", "join", "outerjoin"):
            return None
        node = node.func.value
    if isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] == "select":
        return _model(facts, node.args[0]) if len(node.args) == 1 else None
    return None


def _model(facts: ModuleFacts, node: ast.expr) -> str | None:
    assert facts.schema is not None
    name = dotted(node)
    if name.count(".") == 1 and name.split(".")[1] in facts.schema.models:
        name = name.split(".")[1]
    table = facts.schema.table_for_model(name) if name else None
    return name if table is not None and table.origin == "sqlalchemy" else None


def _only_returned(func: Function, name: str | None, ret: ast.Return) -> bool:
    """The row is read nowhere but the return (and a test of it): a list serves as well."""
    if name is None:
        return True
    tests = {
        id(n)
        for node in ast.walk(func)
        if isinstance(node, ast.If | ast.IfExp)
        for n in ast.walk(node.test)
    }
    returned = {id(n) for n in ast.walk(ret)}
    return not any(
        isinstance(n, ast.Name)
        and n.id == name
        and isinstance(n.ctx, ast.Load)
        and id(n) not in returned
        and id(n) not in tests
        for n in ast.walk(func)
    )


def _suggestion(
    facts: ModuleFacts,
    func: Function,
    model: ast.Subscript,
    item: ast.expr,
    ret: ast.Return,
    call: ast.Call,
    row_model: str,
    name: str | None,
) -> Suggestion:
    src = facts.source
    assert isinstance(call.func, ast.Attribute)
    method = call.func.attr
    listed = src.text_of(model)
    shown = f"`.{method}()`" if method != "get" else "`.get(...)`"
    problem = (
        f"The route answers `response_model={listed}`, but {shown} returns one {row_model} "
        f"(`return {src.text_of(ret.value) if ret.value else ''}`): FastAPI validates the "
        "answer as a list, and one object is none, so every request that finds a row is a "
        "500 (a ResponseValidationError)."
    )
    if method == "first" and _only_returned(func, name, ret):
        end = src.end(call.func)
        start = Position(end.line, end.column - len("first"))
        edit = Edit(src.path, Span(start, src.end(call)), "all()")
        title = f"Return `.all()` for `response_model={listed}`, not `.first()`"
        fix = (
            "`.all()` returns the list the response model promises (or, if at most one row "
            f"can match, `response_model={src.text_of(item)}` and a 404 when there is none)."
        )
    else:
        edit = Edit(src.path, src.span(model), src.text_of(item))
        title = f"Answer `response_model={src.text_of(item)}`: the route returns one row"
        fix = f"`response_model={src.text_of(item)}` describes the one object the route returns."
    return Suggestion(
        "BKD323", "error-handling", src.path, src.span(call), title, f"{problem} {fix}", (edit,)
    )
