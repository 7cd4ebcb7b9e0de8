"""BKD103: every row of a table loaded to keep the few a comparison picks, in Python:
``[u for u in User.query.all() if u.email == email]``.

The database reads and sends the whole table on each request, and no index can serve a
filter it never sees. A real library API checked a new user's email and username this way
over ``User.all_users()`` (a helper returning ``User.query.all()``) and listed a user's loans
from every loan (judged worth fixing: the tables grow with the app). The fix hands the
comparison to the query, ``User.query.filter_by(email=email).all()``: the list the code
meant (compared by the column's collation, case-insensitive on MySQL's default), one index
lookup once the column has one (BKD101 then proposes it where the planner proves it).

Read: a list comprehension with one ``for`` over ``Model.query.all()`` (Flask-SQLAlchemy),
directly, through a local bound to it once, or through a project function whose one
statement returns it; its conditions ``x.column == value`` (``and``-ed, each a column of the
model in the schema, the value not reading ``x``); its element ``x`` itself.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .pyedits import replace_node, statement_lines
from .pysource import Source, single_binding
from .schema import Schema

CODE = "BKD103"

Function = ast.FunctionDef | ast.AsyncFunctionDef
# A project function a call runs: (its module, the function), or None.
Callee = Callable[[Source, ast.Call], tuple[Source, ast.AST] | None]


def python_filter_suggestions(src: Source, schema: Schema, callee: Callee) -> list[Suggestion]:
    if ".all()" not in src.text and "all_" not in src.text:
        return []
    out: list[Suggestion] = []
    for comp in src.of(ast.ListComp):
        if not isinstance(comp, ast.ListComp) or len(comp.generators) != 1:
            continue
        gen = comp.generators[0]
        if gen.is_async or not gen.ifs or not isinstance(gen.target, ast.Name):
            continue
        if not (isinstance(comp.elt, ast.Name) and comp.elt.id == gen.target.id):
            continue
        model = _every_row(src, comp, gen.iter, callee)
        if model is None:
            continue
        drop = _only_use(src, comp, gen.iter)
        table = schema.table_for_model(model)
        if table is None:
            continue
        pairs = _comparisons(gen.ifs, gen.target.id)
        if not pairs or any(column not in table.columns for column, _ in pairs):
            continue
        out.append(_suggestion(src, comp, model, table.name, pairs, drop))
    return out


def _every_row(src: Source, comp: ast.ListComp, node: ast.expr, callee: Callee) -> str | None:
    """The model of ``Model.query.all()`` the comprehension walks: written there, bound to a
    local once, or returned by a project function of one statement."""
    found = _all_rows(node)
    if found is not None:
        return found
    if isinstance(node, ast.Name):
        func = src.function_of(comp)
        if func is None:
            return None
        bound = [n for n in src.nodes_of(func) if single_binding(n) == node.id]
        writes = [
            n
            for n in src.nodes_of(func)
            if isinstance(n, ast.Name) and n.id == node.id and isinstance(n.ctx, ast.Store)
        ]
        if len(bound) != 1 or len(writes) != 1:
            return None
        value = getattr(bound[0], "value", None)
        return _every_row(src, comp, value, callee) if isinstance(value, ast.expr) else None
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        target = callee(src, node)
        func = target[1] if target is not None else None
        body = _without_docstring(func.body) if isinstance(func, ast.FunctionDef) else []
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            return _all_rows(body[0].value)
    return None


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:]
    return body


def _only_use(src: Source, comp: ast.ListComp, node: ast.expr) -> ast.stmt | None:
    """The statement binding the rows' local when the comprehension is the one place that
    reads it: it loads the whole table for nothing once the filter is in the query."""
    func = src.function_of(comp)
    if not isinstance(node, ast.Name) or func is None:
        return None
    reads = [
        n
        for n in src.nodes_of(func)
        if isinstance(n, ast.Name) and n.id == node.id and isinstance(n.ctx, ast.Load)
    ]
    if reads != [node]:
        return None
    bound = [n for n in src.nodes_of(func) if single_binding(n) == node.id]
    stmt = bound[0] if len(bound) == 1 and isinstance(bound[0], ast.stmt) else None
    if stmt is None or _alone_in_block(src, stmt):
        return None  # deleting it would empty its block (``try: rows = ...``)
    first, last = statement_lines(stmt)
    alone = src.lines[first].strip().startswith(node.id) and ";" not in "".join(
        src.lines[first : last + 1]
    )
    return stmt if alone else None


def _alone_in_block(src: Source, stmt: ast.stmt) -> bool:
    parent = src.up().get(stmt)
    return not any(
        stmt in block and len(block) > 1
        for block in (getattr(parent, f, None) for f in ("body", "orelse", "finalbody"))
        if isinstance(block, list)
    )


def _all_rows(node: ast.expr) -> str | None:
    """``Model.query.all()`` -> Model."""
    if (
        isinstance(node, ast.Call)
        and not node.args
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "all"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "query"
        and isinstance(node.func.value.value, ast.Name)
        and node.func.value.value.id[:1].isupper()
    ):
        return node.func.value.value.id
    return None


def _comparisons(tests: list[ast.expr], row: str) -> list[tuple[str, ast.expr]]:
    """``row.column == value`` of every condition (``and``-ed ones too), else []."""
    parts: list[ast.expr] = []
    for test in tests:
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            parts.extend(test.values)
        else:
            parts.append(test)
    out: list[tuple[str, ast.expr]] = []
    for part in parts:
        if not (
            isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], ast.Eq)
        ):
            return []
        left, right = part.left, part.comparators[0]
        if _column_of(right, row) and not _column_of(left, row):
            left, right = right, left
        column = _column_of(left, row)
        if column is None or any(isinstance(n, ast.Name) and n.id == row for n in ast.walk(right)):
            return []
        out.append((column, right))
    return out


def _column_of(node: ast.expr, row: str) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.value.id == row else None
    return None


def _suggestion(
    src: Source,
    comp: ast.ListComp,
    model: str,
    table: str,
    pairs: list[tuple[str, ast.expr]],
    drop: ast.stmt | None,
) -> Suggestion:
    given = ", ".join(f"{column}={src.text_of(value)}" for column, value in pairs)
    new = f"{model}.query.filter_by({given}).all()"
    columns = ", ".join(column for column, _ in pairs)
    why = (
        f"Every row of `{table}` is loaded and sent by the database on each call, to keep in "
        f"Python the few whose {columns} match: the cost grows with the table, and no index "
        f"can serve a filter the database never sees. `{new}` makes the comparison in SQL "
        "(by the column's collation: on MySQL's default one, case-insensitive)."
    )
    title = f"Filter {table} by {columns} in the query"
    edits = [replace_node(src, comp, new)]
    if drop is not None:
        first, last = statement_lines(drop)
        span = Span(Position(first, 0), Position(last + 1, 0))
        edits.insert(0, Edit(src.path, span, ""))
        why += f" The rows' local, read nowhere else, goes with it: `{src.text_of(drop)}`."
    return Suggestion(CODE, "index", src.path, src.span(comp), title, why, tuple(edits))
