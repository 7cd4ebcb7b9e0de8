"""BKD332: a SQLAlchemy query tested as if it were its row: ``car = Car.query.filter(...)``
then ``if not car: raise NotFound(...)``.

A ``Query`` defines no truth of its own, so it is always true: the test never finds the row
missing, and the code goes on as if it were there. A real trip-log API's ``_query_car``
filtered by the user and the car and raised its 404 on ``if not car:``; the delete that
followed removed the trips of a car the user does not own (judged a must). ``is None`` is
never true either. The fix asks the query for its first row (``car.first() is None``), which
is what the test meant.

Read: a local bound (each time) to a query chain that ends in a builder (``filter``,
``filter_by``, ``join``, ``order_by``...), rooted at ``Model.query`` or ``session.query(...)``,
then tested in an ``if``/``while``/conditional expression (``not q``, ``q is None``, ``q``),
before anything binds it again. A chain ending in ``first()``/``all()``/``one_or_none()`` is a
row or a list, and is left alone.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts
from .missing_rows import flask_sqlalchemy_query
from .pyedits import replace_node
from .pysource import Source

CODE = "BKD332"

Function = ast.FunctionDef | ast.AsyncFunctionDef
_BUILDERS = frozenset(
    {"filter", "filter_by", "join", "outerjoin", "order_by", "options", "group_by", "having"}
    | {"where", "select_from", "with_entities", "distinct", "limit", "offset", "add_columns"}
)


def query_truth_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    if ".query" not in src.text or not (
        facts.can_import("sqlalchemy") or facts.can_import("flask_sqlalchemy")
    ):
        return []
    out: list[Suggestion] = []
    for func in src.functions():
        queries = _query_locals(src, func)
        if not queries:
            continue
        for node in src.nodes_of(func):
            if src.function_of(node) is not func:
                continue
            test = _test_of(node)
            if test is None:
                continue
            found = _tested(test, queries)
            if found is not None:
                out.append(_suggestion(src, func, test, *found))
    return out


# Built once: tested of every node.
_OTHER_ASSIGNS = ast.AnnAssign | ast.AugAssign | ast.NamedExpr
_LOOPS_AND_WITHS = ast.For | ast.AsyncFor | ast.With | ast.AsyncWith


def _query_locals(src: Source, func: Function) -> set[str]:
    """The names every binding of which in ``func`` is a query still being built."""
    queries: set[str] = set()
    others: set[str] = set()
    for node in src.nodes_of(func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    (queries if _is_query(node.value) else others).add(target.id)
                elif isinstance(target, ast.Tuple | ast.List):
                    others.update(e.id for e in ast.walk(target) if isinstance(e, ast.Name))
        elif isinstance(node, _OTHER_ASSIGNS) and isinstance(node.target, ast.Name):
            others.add(node.target.id)
        elif isinstance(node, _LOOPS_AND_WITHS):
            targets = (
                [node.target]
                if isinstance(node, ast.For | ast.AsyncFor)
                else [i.optional_vars for i in node.items if i.optional_vars is not None]
            )
            for target in targets:
                others.update(e.id for e in ast.walk(target) if isinstance(e, ast.Name))
    params = {a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]}
    return queries - others - params


def _is_query(value: ast.expr) -> bool:
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in _BUILDERS
        and flask_sqlalchemy_query(value)
    )


def _test_of(node: ast.AST) -> ast.expr | None:
    if isinstance(node, ast.If | ast.While | ast.IfExp):
        return node.test
    return None


def _tested(test: ast.expr, queries: set[str]) -> tuple[str, bool] | None:
    """(name, whether the test means "missing") when ``test`` asks a query local whether it
    is there: ``not q`` / ``q is None`` (missing), ``q`` / ``q is not None`` (present)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = test.operand
        if isinstance(inner, ast.Name) and inner.id in queries:
            return inner.id, True
    if isinstance(test, ast.Name) and test.id in queries:
        return test.id, False
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is | ast.IsNot)
        and isinstance(test.left, ast.Name)
        and test.left.id in queries
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return test.left.id, isinstance(test.ops[0], ast.Is)
    return None


def _suggestion(
    src: Source, func: Function, test: ast.expr, name: str, missing: bool
) -> Suggestion:
    new = f"{name}.first() is None" if missing else f"{name}.first() is not None"
    written = src.text_of(test)
    why = (
        f"`{name}` is a query, not its row: a SQLAlchemy Query has no truth of its own and is "
        f"always true, so `{written}` is {'never' if missing else 'always'} true whether a row "
        f"matches or not, and `{func.name}` goes on as if the row were there. "
        f"`{new}` asks the database for the first row (LIMIT 1), which is what the test means."
    )
    title = f"Test the row of `{name}`, not the query"
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(test),
        title,
        why,
        (replace_node(src, test, new),),
    )
