"""Where code queries the database, as query shapes: raw SQL, SQLAlchemy and Django ORM."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ...definitions.findings import Span
from ..suggestion import position_at
from .pysource import Source, dotted
from .schema import Schema, Table
from .sql import QueryShape, looks_like_sql, query_shapes, split_statements

_SQL_CALLS = (
    "execute",
    "executemany",
    "executescript",
    "text",
    "read_sql",
    "read_sql_query",
    "fetch",
    "fetchrow",
    "fetchval",
    "raw",
)
_RANGE_OPS = (ast.Gt, ast.GtE, ast.Lt, ast.LtE)
_DJANGO_RANGE = {"gt", "gte", "lt", "lte", "range", "startswith", "year", "date"}
_DJANGO_EQ = {"exact", "in", "isnull"}
_READS = {"SELECT", "UPDATE", "DELETE", "WITH"}  # statements whose WHERE an index can serve


@dataclass
class FoundQuery:
    shape: QueryShape
    span: Span  # where the query is written
    description: str  # the query as the user wrote it (short)
    sql: str = ""  # raw SQL: the whole text (PostgreSQL proofs EXPLAIN it as written)


def python_queries(source: Source, schema: Schema) -> list[FoundQuery]:
    found: list[FoundQuery] = []
    strings = _string_constants(source)
    up = source.up()
    models = set(schema.models)
    for node in source.walk():
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func).split(".")[-1].replace("()", "")
        if name in _SQL_CALLS and node.args:
            found.extend(_raw(source, node.args[0], strings))
        if models and isinstance(node.func, ast.Attribute) and not _inner_of_chain(node, up):
            query = (
                _sqlalchemy_chain(source, node, schema)
                or _relationship_walk(source, node, schema, up)
                or _django_chain(source, node, schema)
            )
            if query is not None:
                found.append(query)
    return found


def _string_constants(source: Source) -> dict[str, ast.expr]:
    """Names bound once to a string (``QUERY = "SELECT ..."``), for queries passed by name."""
    out: dict[str, ast.expr] = {}
    seen: set[str] = set()
    for node in source.walk():
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and isinstance(
                node.value, ast.Constant | ast.JoinedStr
            ):
                if target.id in seen:
                    out.pop(target.id, None)
                else:
                    out[target.id] = node.value
                seen.add(target.id)
    return out


def _sql_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append("?")
        return "".join(parts)
    return None


def _raw(source: Source, arg: ast.expr, strings: dict[str, ast.expr]) -> list[FoundQuery]:
    if isinstance(arg, ast.Call) and dotted(arg.func).endswith("text") and arg.args:
        return []  # text("...") is itself a call: it is visited on its own
    node = strings.get(arg.id, arg) if isinstance(arg, ast.Name) else arg
    text = _sql_text(node)
    if text is None or not looks_like_sql(text):
        return []
    return [
        FoundQuery(shape, source.span(arg), " ".join(text.split())[:120], text)
        for shape in query_shapes(text)
    ]


def _inner_of_chain(node: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    """True when ``node`` is the receiver of another method call (``x.filter(..)`` in
    ``x.filter(..).order_by(..)``): only the outermost call of a chain is analysed."""
    parent = up.get(node)
    if isinstance(parent, ast.Attribute):
        grand = up.get(parent)
        return isinstance(grand, ast.Call) and grand.func is parent
    return False


def _chain(node: ast.Call) -> tuple[list[ast.Call], ast.expr]:
    calls: list[ast.Call] = []
    current: ast.expr = node
    while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
        calls.append(current)
        current = current.func.value
    calls.reverse()
    return calls, current


def _sqlalchemy_chain(source: Source, node: ast.Call, schema: Schema) -> FoundQuery | None:
    calls, base = _chain(node)
    model = None
    if (
        isinstance(base, ast.Call)
        and dotted(base.func).split(".")[-1] in ("query", "select")
        and base.args
    ):
        model = dotted(base.args[0])
    elif isinstance(base, ast.Attribute) and base.attr == "query":
        model = dotted(base.value)
    elif calls and dotted(calls[0].func).split(".")[-1] in ("query",) and calls[0].args:
        model = dotted(calls[0].args[0])
        calls = calls[1:]
    if not model or "." in model:
        return None
    table = schema.table_for_model(model)
    if table is None or table.origin != "sqlalchemy":
        return None
    shape = QueryShape(table.name)
    ops = {
        "filter",
        "filter_by",
        "where",
        "order_by",
        "join",
        "first",
        "all",
        "one",
        "scalar",
        "one_or_none",
        "limit",
        "offset",
        "count",
        "delete",
        "update",
        "with_entities",
    }
    for call in calls:
        op = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if op not in ops:
            return None
        if op in ("filter", "where"):
            for arg in call.args:
                _sa_condition(arg, model, shape)
        elif op == "filter_by":
            for kw in call.keywords:
                if kw.arg and kw.arg not in shape.eq:
                    shape.eq.append(kw.arg)
        elif op == "order_by":
            for arg in call.args:
                _sa_order(arg, model, shape)
    if not (shape.eq or shape.ranges or shape.order_by):
        return None
    return FoundQuery(shape, source.span(node), _short(source.text_of(node)))


_WALK_OPS = {
    "filter",
    "filter_by",
    "where",
    "order_by",
    "select",
    "first",
    "all",
    "one",
    "count",
    "paginate",
    "limit",
    "offset",
    "delete",
}


def _relationship_walk(
    source: Source, node: ast.Call, schema: Schema, up: dict[ast.AST, ast.AST]
) -> FoundQuery | None:
    """``user.posts.order_by(Post.timestamp.desc())`` (a dynamic or write-only relationship):
    a read of the target table by the foreign key that points back at ``user``'s row, the
    query real apps run most and index least."""
    calls, base = _chain(node)
    if not calls or not isinstance(base, ast.Attribute):
        return None
    if any(not isinstance(c.func, ast.Attribute) or c.func.attr not in _WALK_OPS for c in calls):
        return None
    parent = _walked_from(source, base, schema, up)
    if parent is None:
        return None
    relationship = parent.relationships[base.attr]
    child = schema.table_for_model(relationship.target)
    if child is None or child.origin != "sqlalchemy":
        return None
    keys = [k for k in relationship.foreign_keys if k in child.columns] or [
        c.name for c in child.columns.values() if c.references in (parent.name, parent.model)
    ]
    if len(keys) != 1:
        return None  # several foreign keys back and none named: which one is walked is unknown
    shape = QueryShape(child.name, eq=[keys[0]])
    model = relationship.target
    for call in calls:
        op = call.func.attr  # type: ignore[attr-defined]
        if op in ("filter", "where"):
            for arg in call.args:
                _sa_condition(arg, model, shape)
        elif op == "filter_by":
            shape.eq.extend(kw.arg for kw in call.keywords if kw.arg and kw.arg not in shape.eq)
        elif op == "order_by":
            for arg in call.args:
                _sa_order(arg, model, shape)
    return FoundQuery(shape, source.span(node), _short(source.text_of(node)))


def _walked_from(
    source: Source, base: ast.Attribute, schema: Schema, up: dict[ast.AST, ast.AST]
) -> Table | None:
    """The model whose relationship ``base`` walks: ``self`` in a model's method, a variable
    named after a model (``user``, ``current_user``), else the only model with that attribute."""
    owners = [t for t in schema.tables.values() if base.attr in t.relationships]
    if not owners:
        return None
    receiver = dotted(base.value)
    name = receiver.split(".")[-1].removeprefix("current_").replace("_", "")
    if receiver == "self":
        current: ast.AST | None = base
        while current is not None and not isinstance(current, ast.ClassDef):
            current = up.get(current)
        name = current.name.lower() if isinstance(current, ast.ClassDef) else ""
    named = [t for t in owners if t.model and t.model.lower() == name.lower()]
    if named:
        return named[0]
    return owners[0] if len(owners) == 1 else None


def _sa_column(node: ast.expr, model: str) -> str | None:
    if isinstance(node, ast.Attribute) and dotted(node.value) == model:
        return node.attr
    return None


def _sa_condition(node: ast.expr, model: str, shape: QueryShape) -> None:
    if isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] in ("and_",):
        for arg in node.args:
            _sa_condition(arg, model, shape)
        return
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        for value in node.values:
            _sa_condition(value, model, shape)
        return
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        column = _sa_column(node.left, model)
        if column is None:
            return
        if isinstance(node.ops[0], ast.Eq | ast.Is) and column not in shape.eq:
            shape.eq.append(column)
        elif isinstance(node.ops[0], _RANGE_OPS) and column not in shape.ranges:
            shape.ranges.append(column)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        column = _sa_column(node.func.value, model)
        method = node.func.attr
        if column is None:
            return
        if method in ("in_", "is_") and column not in shape.eq:
            shape.eq.append(column)
        elif method in ("between", "startswith") and column not in shape.ranges:
            shape.ranges.append(column)


def _sa_order(node: ast.expr, model: str, shape: QueryShape) -> None:
    desc = False
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("desc", "asc")
    ):
        desc = node.func.attr == "desc"
        node = node.func.value
    elif (
        isinstance(node, ast.Call)
        and dotted(node.func).split(".")[-1] in ("desc", "asc")
        and node.args
    ):
        desc = dotted(node.func).endswith("desc")
        node = node.args[0]
    column = _sa_column(node, model)
    if column is not None:
        shape.order_by.append(column)
        shape.order_desc.append(desc)


def _django_chain(source: Source, node: ast.Call, schema: Schema) -> FoundQuery | None:
    calls, base = _chain(node)
    if not (isinstance(base, ast.Attribute) and base.attr == "objects"):
        return None
    model = dotted(base.value)
    table = schema.table_for_model(model)
    if table is None or table.origin != "django":
        return None
    shape = QueryShape(table.name)
    for call in calls:
        op = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if op in ("filter", "get", "exclude", "get_or_create", "update_or_create"):
            for kw in call.keywords:
                if kw.arg is None or kw.arg == "defaults":
                    continue
                field, _, lookup = kw.arg.partition("__")
                if "__" in lookup:
                    continue  # a lookup across a relation: another table
                if field == "pk":
                    field = next((c.name for c in table.columns.values() if c.primary_key), "id")
                if not lookup or lookup in _DJANGO_EQ:
                    if field not in shape.eq:
                        shape.eq.append(field)
                elif lookup in _DJANGO_RANGE and field not in shape.ranges:
                    shape.ranges.append(field)
                elif field in table.columns:
                    return None  # icontains, regex...: no b-tree index helps
        elif op == "order_by":
            for arg in call.args:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and "__" not in arg.value
                ):
                    shape.order_by.append(arg.value.lstrip("-"))
                    shape.order_desc.append(arg.value.startswith("-"))
    if not (shape.eq or shape.ranges or shape.order_by):
        return None
    return FoundQuery(shape, source.span(node), _short(source.text_of(node)))


def sql_file_queries(text: str) -> list[FoundQuery]:
    """SELECT/UPDATE/DELETE statements of a .sql file, each with its span."""
    found: list[FoundQuery] = []
    for statement in split_statements(text):
        if statement.keyword not in _READS:
            continue
        code = text[statement.start : statement.end]
        span = Span(position_at(text, statement.start), position_at(text, statement.end))
        for shape in query_shapes(code):
            found.append(FoundQuery(shape, span, " ".join(code.split())[:120], code))
    return found


def _short(code: str, limit: int = 120) -> str:
    flat = " ".join(code.split()).replace("( ", "(").replace(" .", ".")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
