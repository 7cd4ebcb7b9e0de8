"""A list of rows the client's key may leave empty, indexed as if it had one.

``records = Model.query.filter_by(package=package).all()`` then ``records[0].date`` in a
Flask route (``list(Model.objects.filter(...))`` / ``qs = Model.objects.filter(...)`` in a
Django view alike): when nothing matches, the index raises IndexError, a 500 where the
client asked for rows that are not there (a 404). Only the literal ``[0]`` / ``[-1]``, with
nothing testing the list before (``if not records``, ``len(records)``, a ``for`` over it
that returns), and only when the query reads what the client sent: an empty table is the
server's state, not the client's doing.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .django_rows import django_model, model_label
from .fetched_rows import route_answer
from .frameworks import ModuleFacts, Route, caught
from .helper_rows import keyed_by_client
from .missing_rows import QUERYSET_ROWS, flask_sqlalchemy_query
from .pyedits import ensure_imports, insert_before_line
from .pysource import every_node
from .row_uses import app_catches, missing_row, short, tests_name

_CAUGHT = {"IndexError", "LookupError", "HTTPException", "NotFound", "Http404"}


def empty_rows_suggestions(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    if not route.answers or route.framework not in ("flask", "django"):
        return []
    assign = facts.up.get(call)
    if not (
        isinstance(assign, ast.Assign)
        and assign.value is call
        and len(assign.targets) == 1
        and isinstance(assign.targets[0], ast.Name)
    ):
        return []
    model = _rows_model(facts, call, route)
    if model is None or not keyed_by_client(call, route):
        return []
    name = assign.targets[0].id
    index = _indexed_unchecked(route.func, name, assign.end_lineno or assign.lineno)
    if index is None:
        return []
    if caught(index, facts.up, _CAUGHT, client_error=True) or app_catches(facts, _CAUGHT):
        return []
    src = facts.source
    if route.framework == "django":
        answer = f'raise Http404("{model_label(model)} not found")'
        needed = [("django.http", "Http404")]
    else:
        answer, needed = route_answer(facts, route)
    line = assign.end_lineno or assign.lineno
    indent = src.indent_of(assign.lineno - 1)
    check = f"{indent}if not {name}:\n{indent}    {answer}"
    return missing_row(
        src,
        call,
        "Answer 404 when the query finds no rows",
        f"`{short(src.text_of(call))}` gives no rows when nothing matches the key the client "
        f"sent, and `{src.text_of(index)}` then raises IndexError: a 500. "
        f"`if not {name}: {answer}` after it answers 404 instead.",
        (*ensure_imports(src, needed), insert_before_line(src, line, check)),
    )


def _rows_model(facts: ModuleFacts, call: ast.Call, route: Route) -> str | None:
    """The model whose rows ``call`` lists: a Flask-SQLAlchemy query's ``.all()``, or a Django
    queryset (``Model.objects.filter(...)``, bare or in ``list(...)``)."""
    func = call.func
    if route.framework == "flask":
        if not (isinstance(func, ast.Attribute) and func.attr == "all"):
            return None
        if call.args or call.keywords or not flask_sqlalchemy_query(func.value):
            return None
        return "rows" if facts.can_import("flask_sqlalchemy") else None
    if (
        isinstance(func, ast.Name)
        and func.id == "list"
        and len(call.args) == 1
        and not call.keywords
        and isinstance(call.args[0], ast.Call)
    ):
        call = call.args[0]
        func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in QUERYSET_ROWS):
        return None
    return django_model(call)


def _indexed_unchecked(func: ast.AST, name: str, after: int) -> ast.Subscript | None:
    """The first ``name[0]`` / ``name[-1]`` in ``func`` after line ``after``, with nothing
    testing ``name`` before it and no rebinding between."""
    for node in sorted(
        (n for n in every_node(func) if getattr(n, "lineno", 0) > after),
        key=lambda n: (n.lineno, n.col_offset),  # type: ignore[attr-defined]
    ):
        if isinstance(node, ast.If | ast.IfExp | ast.While | ast.Assert | ast.BoolOp):
            tests = node.values if isinstance(node, ast.BoolOp) else [node.test]
            if any(tests_name(t, name) for t in tests):
                return None
        if (
            isinstance(node, ast.For)
            and _over(node.iter, name)
            and any(isinstance(n, ast.Return | ast.Raise) for n in ast.walk(node))
        ):
            return None  # the loop answers for the rows it finds; the index is after
        if _rebinds(node, name):
            return None  # what follows is another list
        if (
            isinstance(node, ast.Subscript)
            and _over(node.value, name)
            and _first_or_last(node.slice)
        ):
            return node
    return None


def _rebinds(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.Assign):
        return any(_over(t, name) for t in node.targets)
    if isinstance(node, ast.AugAssign | ast.AnnAssign | ast.For):
        return _over(node.target, name)
    return False


def _over(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _first_or_last(index: ast.expr) -> bool:
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
        return isinstance(index.operand, ast.Constant) and index.operand.value == 1
    return isinstance(index, ast.Constant) and index.value == 0 and index.value is not False
