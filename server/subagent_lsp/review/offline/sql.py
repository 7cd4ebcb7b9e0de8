"""SQL text -> query shapes and schema facts, with sqlglot (imported on first use).

Placeholders of every common driver (``?``, ``%s``, ``%(name)s``, ``:name``, ``$1``) are
normalised to ``?`` before parsing; dialects are tried in turn. SQL that no dialect reads gives
nothing, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp

DIALECTS = ("postgres", "mysql", "sqlite")
MAX_SQL_CHARS = 100_000
_PLACEHOLDER = re.compile(
    r"""('(?:[^']|'')*')|("(?:[^"]|"")*")|(%\(\w+\)s|%s|(?<![:\w]):\w+|\$\d+|\?|\{[^{}]*\})"""
)


def normalise_placeholders(sql: str) -> str:
    def sub(m: re.Match[str]) -> str:
        return m.group(0) if m.group(1) or m.group(2) else "?"

    return _PLACEHOLDER.sub(sub, sql)


@dataclass
class QueryShape:
    table: str
    eq: list[str] = field(default_factory=list)  # equality (and IN) columns, in written order
    ranges: list[str] = field(default_factory=list)  # <, >, BETWEEN, LIKE 'x%'
    order_by: list[str] = field(default_factory=list)
    order_desc: list[bool] = field(default_factory=list)
    sql: str = ""  # the normalised statement, for the rationale
    joins: list[tuple[str, str]] = field(default_factory=list)  # (table, column) join keys


@dataclass
class ColumnDef:
    name: str
    type: str = ""
    primary_key: bool = False
    unique: bool = False


@dataclass
class TableDef:
    name: str
    columns: list[ColumnDef] = field(default_factory=list)
    indexes: list[tuple[str, tuple[str, ...], bool]] = field(default_factory=list)
    foreign_keys: list[tuple[str, ...]] = field(default_factory=list)


def _parse(sql: str) -> list[Any]:
    import sqlglot
    from sqlglot.errors import SqlglotError

    text = normalise_placeholders(sql)
    for dialect in DIALECTS:
        try:
            parsed = sqlglot.parse(text, read=dialect)
        except (SqlglotError, ValueError, KeyError, RecursionError):
            continue
        statements = [p for p in parsed if p is not None]
        if statements:
            return statements
    return []


def looks_like_sql(text: str) -> bool:
    head = text.lstrip()[:40].upper()
    return head.startswith(("SELECT", "UPDATE", "DELETE", "WITH", "CREATE", "INSERT", "ALTER"))


def query_shapes(sql: str) -> list[QueryShape]:
    if len(sql) > MAX_SQL_CHARS or not looks_like_sql(sql):
        return []
    from sqlglot import exp

    shapes: list[QueryShape] = []
    for statement in _parse(sql):
        for select in statement.find_all(exp.Select, exp.Update, exp.Delete):
            shape = _shape(select)
            if shape is not None:
                shape.sql = normalise_placeholders(" ".join(sql.split()))
                shapes.append(shape)
    return shapes


def _shape(node: exp.Expression) -> QueryShape | None:
    from sqlglot import exp

    tables = [
        t
        for t in node.find_all(exp.Table)
        if t.find_ancestor(exp.Select, exp.Update, exp.Delete) is node
    ]
    if not tables:
        return None
    main = tables[0]
    alias = main.alias_or_name
    shape = QueryShape(main.name)
    where = node.args.get("where")
    if where is not None:
        for cond in _conjuncts(where.this):
            _classify(cond, alias, main.name, shape)
    order = node.args.get("order")
    if order is not None:
        for ordered in order.expressions:
            column = ordered.this
            if isinstance(column, exp.Column) and column.table in ("", alias, main.name):
                shape.order_by.append(column.name)
                shape.order_desc.append(bool(ordered.args.get("desc")))
    for join in node.args.get("joins") or []:
        table = join.this
        if not isinstance(table, exp.Table):
            continue
        on = join.args.get("on")
        if on is None:
            continue
        for cond in _conjuncts(on):
            if isinstance(cond, exp.EQ):
                for side in (cond.this, cond.expression):
                    if isinstance(side, exp.Column) and side.table in (
                        table.alias_or_name,
                        table.name,
                    ):
                        shape.joins.append((table.name, side.name))
    return shape


def _conjuncts(node: exp.Expression) -> list[exp.Expression]:
    from sqlglot import exp

    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    if isinstance(node, exp.Paren):
        return _conjuncts(node.this)
    return [node]


def _column_of(node: exp.Expression, alias: str, table: str) -> str | None:
    from sqlglot import exp

    if isinstance(node, exp.Column) and node.table in ("", alias, table):
        return str(node.name)
    return None


def _is_value(node: exp.Expression) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.Placeholder | exp.Literal | exp.Parameter | exp.Null | exp.Boolean)


def _classify(cond: exp.Expression, alias: str, table: str, shape: QueryShape) -> None:
    from sqlglot import exp

    if isinstance(cond, exp.EQ | exp.In | exp.Is):
        column = _column_of(cond.this, alias, table)
        other = cond.args.get("expression") if not isinstance(cond, exp.In) else None
        value_like = isinstance(cond, exp.In) or other is None or _is_value(other)
        if column and value_like and column not in shape.eq:
            shape.eq.append(column)
        return
    if isinstance(cond, exp.GT | exp.GTE | exp.LT | exp.LTE | exp.Between):
        column = _column_of(cond.this, alias, table)
        if column and column not in shape.ranges:
            shape.ranges.append(column)
        return
    if isinstance(cond, exp.Like):
        column = _column_of(cond.this, alias, table)
        pattern = cond.expression
        prefix = isinstance(pattern, exp.Literal) and not str(pattern.this).startswith("%")
        if column and prefix and column not in shape.ranges:
            shape.ranges.append(column)


def table_defs(sql: str) -> list[TableDef]:
    """CREATE TABLE / CREATE INDEX statements in ``sql``."""
    if len(sql) > MAX_SQL_CHARS * 10 or "create" not in sql.lower():
        return []
    from sqlglot import exp

    tables: dict[str, TableDef] = {}
    for statement in _parse(sql):
        if not isinstance(statement, exp.Create):
            continue
        kind = (statement.args.get("kind") or "").upper()
        if kind == "TABLE":
            schema = statement.this
            if not isinstance(schema, exp.Schema) or not isinstance(schema.this, exp.Table):
                continue
            table = TableDef(schema.this.name)
            for item in schema.expressions:
                _table_item(item, table)
            tables[table.name] = table
        elif kind == "INDEX":
            index = statement.this
            target = index.args.get("table") if isinstance(index, exp.Index) else None
            if target is None:
                continue
            params = index.args.get("params")
            cols = tuple(_col_name(c) for c in (params.args.get("columns") or [])) if params else ()
            unique = bool(statement.args.get("unique"))
            owner = tables.setdefault(target.name, TableDef(target.name))
            owner.indexes.append((index.name, tuple(c for c in cols if c), unique))
    return list(tables.values())


def _col_name(node: exp.Expression) -> str:
    from sqlglot import exp

    inner = node.this if isinstance(node, exp.Ordered) else node
    return str(inner.name) if isinstance(inner, exp.Column | exp.Identifier) else str(inner.sql())


def _table_item(item: exp.Expression, table: TableDef) -> None:
    from sqlglot import exp

    if isinstance(item, exp.ColumnDef):
        column = ColumnDef(item.name, item.args["kind"].sql() if item.args.get("kind") else "")
        for constraint in item.args.get("constraints") or []:
            kind = constraint.args.get("kind")
            if isinstance(kind, exp.PrimaryKeyColumnConstraint):
                column.primary_key = True
            elif isinstance(kind, exp.UniqueColumnConstraint):
                column.unique = True
            elif isinstance(kind, exp.Reference) and (item.name,) not in table.foreign_keys:
                table.foreign_keys.append((item.name,))
        table.columns.append(column)
        return
    if isinstance(item, exp.PrimaryKey):
        cols = tuple(_col_name(c) for c in item.expressions)
        table.indexes.append(("PRIMARY KEY", cols, True))
        if len(cols) == 1:
            for column in table.columns:
                if column.name == cols[0]:
                    column.primary_key = True
        return
    if isinstance(item, exp.UniqueColumnConstraint | exp.Constraint):
        found = item.find(exp.UniqueColumnConstraint)
        schema = found.this if found is not None else None
        if isinstance(schema, exp.Schema):
            table.indexes.append(("UNIQUE", tuple(_col_name(c) for c in schema.expressions), True))
        primary = item.find(exp.PrimaryKey)
        if primary is not None:
            table.indexes.append(
                ("PRIMARY KEY", tuple(_col_name(c) for c in primary.expressions), True)
            )
        return
    if isinstance(item, exp.ForeignKey):
        cols = tuple(_col_name(c) for c in item.expressions)
        if cols not in table.foreign_keys:
            table.foreign_keys.append(cols)
