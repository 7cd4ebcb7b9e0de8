"""SQL text -> statements, query shapes and schema facts, with sqlglot (imported on first use).

Every SQL text is read here and only here: statements are split by sqlglot's tokenizer (so quotes,
comments and dollar-quoted bodies hold no false ``;``), then each is parsed on its own.
Placeholders of every common driver (``?``, ``%s``, ``%(name)s``, ``:name``, ``$1``) are
normalised to ``?`` before parsing; dialects are tried in turn, per statement. SQL that no
dialect reads gives nothing, never an exception.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp

DIALECTS = ("postgres", "mysql", "sqlite")
MAX_SQL_CHARS = 100_000
# A regex, not sqlglot: the placeholders are what stops sqlglot from reading the text at all
# (``%(name)s`` is no SQL), so they are rewritten before it sees the text; string literals are
# matched first so that a ``?`` inside quotes stays as written.
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
    joined: list[QueryShape] = field(default_factory=list)  # the JOINed tables' lookups
    multi: list[str] = field(default_factory=list)  # eq columns matched against several values
    # (JSON column, key, operator) compared for equality: ``col['key'].astext == x`` is
    # ``col ->> 'key'``, Django's ``col__key=x`` is ``col -> 'key'`` (a jsonb comparison). Only
    # PostgreSQL proves these (an expression index); SQLite's proof ignores them.
    json_eq: list[tuple[str, str, str]] = field(default_factory=list)
    # (lower | upper, column) compared for equality: ``lower(name) = ?``, SQLAlchemy's
    # ``func.lower(Model.name) == x``, Django's ``name__iexact`` (``UPPER(name::text) =
    # UPPER(?)`` on PostgreSQL). A plain index on the column serves none of them.
    folded_eq: list[tuple[str, str]] = field(default_factory=list)
    # LIMIT, a slice, ``first()``, a paginator: only the first rows are read, so an index in
    # the ORDER BY's order saves reading (and sorting) the rest; without one it saves a sort
    limited: bool = False
    # A page of a list (a slice, a paginator, ``.paginate()``, ``.offset()``), not one row: a
    # parent's rows read a page at a time are many (a project's events, an inbox's mail).
    paged: bool = False
    # An aggregate annotation groups the rows (Django's ``annotate(n=Count(...))``: ``GROUP BY
    # id``): the ORDER BY then sorts the groups, which an index on the table does not spare.
    grouped: bool = False
    # A JOINed table narrowed by a value that the other side, narrowed too, reaches by these
    # columns: the planner may start there and look this one up by them instead.
    join_keys: list[str] = field(default_factory=list)
    # Equality columns compared with a value the code passes (a name, a call: ``key=
    # hash_this(key)``), not a literal written in the query (``key="theme"``); read for the ORM.
    passed: list[str] = field(default_factory=list)
    # ``a = ? OR b = ?`` over different columns, the query's one narrowing OR: no single index
    # serves it, one on each column does (SQLite's MULTI-INDEX OR, PostgreSQL's BitmapOr).
    any_of: list[str] = field(default_factory=list)

    def sort_only(self) -> bool:
        """Nothing narrows the rows: the query only sorts them."""
        narrowing = self.eq or self.ranges or self.json_eq or self.folded_eq or self.joined
        return bool(self.order_by) and not narrowing


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
    indexes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    end_line: int = 0  # 0-based line of the ``;`` that closes its CREATE TABLE
    ddl: list[str] = field(default_factory=list)  # its CREATE TABLE and CREATE INDEX, as written


@dataclass(frozen=True)
class IndexDef:
    name: str
    table: str
    columns: tuple[str, ...]
    method: str | None = None  # USING btree | gin | ... (lowercase), None when not given
    include: bool = False  # PostgreSQL's INCLUDE (...) columns


@dataclass(frozen=True)
class Statement:
    """One ``;``-separated statement of a SQL text, by offsets into that text."""

    start: int  # its first token (leading blanks and comments skipped)
    end: int  # just past its last token
    stop: int  # the ``;`` that ends it, or the text's length when none does
    keyword: str  # its first token's type: SELECT, WITH, CREATE, INSERT...


def split_statements(sql: str) -> list[Statement]:
    """The statements of ``sql``. Text the tokenizer cannot read (an unclosed quote) ends the
    list: what comes before it is still split."""
    out: list[Statement] = []
    first: Any = None  # sqlglot Tokens: the statement's first and (so far) last
    last: Any = None
    for token in _tokens(sql):
        if token.token_type.name == "SEMICOLON":
            if first is not None and last is not None:
                out.append(Statement(first.start, last.end + 1, token.start, first.token_type.name))
            first = last = None
            continue
        if first is None:
            first = token
        last = token
    if first is not None and last is not None:
        out.append(Statement(first.start, last.end + 1, len(sql), first.token_type.name))
    return out


def _tokens(sql: str) -> list[Any]:
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import TokenError

    partial: list[Any] = []
    for dialect in DIALECTS:
        tokenizer = Dialect.get_or_raise(dialect).tokenizer()
        try:
            return list(tokenizer.tokenize(sql))
        except TokenError:
            if len(tokenizer.tokens) > len(partial):
                partial = list(tokenizer.tokens)
    return partial


def _written(sql: str, statement: Statement) -> str:
    """The statement as written, with its ``;`` when it has one."""
    end = statement.stop + 1 if statement.stop < len(sql) else statement.end
    return sql[statement.start : end]


def _parse(sql: str) -> list[Any]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    text = normalise_placeholders(sql)
    # A statement sqlglot reads only as opaque text (a trigger's body) is no error of ours.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    for dialect in DIALECTS:
        try:
            parsed = sqlglot.parse(text, read=dialect)
        except (SqlglotError, ValueError, KeyError, RecursionError):
            continue
        statements = [p for p in parsed if p is not None]
        # A Command is sqlglot's "read as opaque text": this dialect did not understand it.
        if statements and not all(isinstance(p, exp.Command) for p in statements):
            return statements
    return []


def looks_like_sql(text: str) -> bool:
    """A cheap pre-filter, before sqlglot is imported or run: most strings in a program are no
    SQL, and their first keyword says so."""
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
                shapes.append(shape)
                shapes.extend(shape.joined)
    return shapes


def _conditions(node: exp.Expression) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    for join in node.args.get("joins") or []:
        if join.args.get("on") is not None:
            out.extend(_conjuncts(join.args["on"]))
    where = node.args.get("where")
    if where is not None:
        out.extend(_conjuncts(where.this))
    return out


def _filtered(node: exp.Expression, main: str) -> set[str]:
    """The tables (by alias) a value narrows (``a.slug = ?``): the ones a join starts from.
    An unqualified column in the WHERE is the main table's."""
    from sqlglot import exp

    out: set[str] = set()
    for cond in _conditions(node):
        if isinstance(cond, exp.EQ | exp.In) and isinstance(cond.this, exp.Column):
            other = cond.args.get("expression")
            if isinstance(cond, exp.In) or other is None or _is_value(other):
                out.add(str(cond.this.table) or main)
    return out


def _join_columns(
    node: exp.Expression, alias: str, table: str, only_from: set[str] | None = None
) -> list[str]:
    """The columns of ``alias`` that a JOIN's ON (or the WHERE) equates to another table's
    column: how the joined side is looked up, row by row, from the other one (``only_from``:
    only from these tables)."""
    from sqlglot import exp

    out: list[str] = []
    for cond in _conditions(node):
        if not isinstance(cond, exp.EQ):
            continue
        left, right = cond.this, cond.expression
        if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)):
            continue
        if not (left.table and right.table) or left.table == right.table:
            continue  # unqualified: which side is which is unknown
        for mine, other in ((left, right), (right, left)):
            mine_here = mine.table in (alias, table) and other.table not in (alias, table)
            if only_from is not None and other.table not in only_from:
                continue
            if mine_here and mine.name not in out:
                out.append(str(mine.name))
    return out


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
    if node.args.get("joins"):
        _joined(node, alias, main.name, shape)
    order = node.args.get("order")
    if order is not None:
        for ordered in order.expressions:
            column = ordered.this
            if isinstance(column, exp.Column) and column.table in ("", alias, main.name):
                shape.order_by.append(column.name)
                shape.order_desc.append(bool(ordered.args.get("desc")))
    shape.limited = node.args.get("limit") is not None or node.args.get("offset") is not None
    return shape


def _joined(node: exp.Expression, alias: str, table: str, shape: QueryShape) -> None:
    """The main table of a join is looked up by its join columns when the other side is where
    the join starts (a value narrows it); each joined table is a shape of its own
    (``joined``), by its ON conditions, values first, then join columns."""
    from sqlglot import exp

    filtered = _filtered(node, alias)
    for column in _join_columns(node, alias, table, filtered - {alias}):
        if column not in shape.eq:
            shape.eq.append(column)
    where = node.args.get("where")
    for join in node.args.get("joins") or []:
        target = join.this
        if not isinstance(target, exp.Table) or join.args.get("on") is None:
            continue
        inner = QueryShape(target.name)
        for cond in _conjuncts(join.args["on"]):
            _classify(cond, target.alias_or_name, target.name, inner)
        inner.ranges = []  # a range in ON filters rows after the lookup
        if target.alias_or_name in filtered and where is not None:
            # The WHERE narrows it by a value (``WHERE uxc.user_id = ?``): the join starts
            # there, so it is read by that value, not looked up by its join columns (judged
            # on a real app: ``users_x_clubs (club_id)`` was proposed for a user's clubs).
            for cond in _conjuncts(where.this):
                if isinstance(cond.this, exp.Column) and cond.this.table == target.alias_or_name:
                    _classify(cond, target.alias_or_name, target.name, inner)
            if alias in filtered:
                inner.join_keys = _join_columns(node, target.alias_or_name, target.name)
        else:
            for column in _join_columns(node, target.alias_or_name, target.name):
                if column not in inner.eq:
                    inner.eq.append(column)
        if inner.eq:
            shape.joined.append(inner)


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


# A soft-delete mark (``deleted_at``, ``removed_on``, ``is_archived``): ``IS NULL`` on it keeps
# the live rows, nearly all of them, so it narrows nothing an index could seek to (a reviewer
# rejected an index led by ``namespace.deleted_on`` read as an equality).
_SOFT_DELETE = re.compile(r"(^|_)(deleted|removed|archived|trashed)(_at|_on|_date|_time)?$", re.I)


def soft_delete_mark(column: str) -> bool:
    return bool(_SOFT_DELETE.search(column))


def _is_value(node: exp.Expression) -> bool:
    from sqlglot import exp

    # A scalar subquery is one value for the outer query: ``WHERE user_id = (SELECT id ...)``.
    return isinstance(
        node, exp.Placeholder | exp.Literal | exp.Parameter | exp.Null | exp.Boolean | exp.Subquery
    )


def _classify(cond: exp.Expression, alias: str, table: str, shape: QueryShape) -> None:
    from sqlglot import exp

    if isinstance(cond, exp.EQ) and isinstance(cond.this, exp.Lower | exp.Upper):
        column = _column_of(cond.this.this, alias, table)
        other = cond.expression
        if isinstance(other, exp.Lower | exp.Upper):
            other = other.this  # ``lower(name) = lower(?)``
        folded = ("lower" if isinstance(cond.this, exp.Lower) else "upper", column or "")
        if column and _is_value(other) and folded not in shape.folded_eq:
            shape.folded_eq.append(folded)
        return
    if isinstance(cond, exp.EQ | exp.In | exp.Is):
        column = _column_of(cond.this, alias, table)
        other = cond.args.get("expression") if not isinstance(cond, exp.In) else None
        if column and isinstance(other, exp.Null) and soft_delete_mark(column):
            return  # ``deleted_at IS NULL``: the live rows, nearly all
        value_like = isinstance(cond, exp.In) or other is None or _is_value(other)
        if column and value_like and column not in shape.eq:
            shape.eq.append(column)
            if isinstance(cond, exp.In) and len(cond.expressions) != 1:
                shape.multi.append(column)
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
    """CREATE TABLE / CREATE INDEX statements in ``sql``, and the keys that ALTER TABLE adds
    (a schema dump writes its primary keys and unique constraints that way, often in a file of
    their own)."""
    lowered = sql.lower()
    if len(sql) > MAX_SQL_CHARS * 10 or ("create" not in lowered and "alter" not in lowered):
        return []
    from sqlglot import exp

    tables: dict[str, TableDef] = {}
    partitions: list[tuple[str, str]] = []  # (partition, the table it is a partition of)
    keys: dict[str, tuple[str, ...]] = {}  # a LIST-partitioned table's partition key
    for statement in split_statements(sql):
        if statement.keyword == "ALTER":
            for alter in _parse(sql[statement.start : statement.end]):
                _alter_keys(alter, tables, _written(sql, statement))
            continue
        if statement.keyword != "CREATE":
            continue
        for create in _parse(sql[statement.start : statement.end]):
            if not isinstance(create, exp.Create):
                continue
            kind = (create.args.get("kind") or "").upper()
            if kind == "TABLE":
                schema = create.this
                of = create.find(exp.PartitionedOfProperty)
                if of is not None and isinstance(schema, exp.Table | exp.Schema):
                    child = schema if isinstance(schema, exp.Table) else schema.this
                    if isinstance(of.this, exp.Table) and isinstance(child, exp.Table):
                        partitions.append((child.name, of.this.name))
                if not isinstance(schema, exp.Schema) or not isinstance(schema.this, exp.Table):
                    continue
                table = TableDef(schema.this.name, end_line=sql.count("\n", 0, statement.stop))
                table.ddl.append(_written(sql, statement))
                for item in schema.expressions:
                    _table_item(item, table)
                _innodb_foreign_keys(create, schema, table)
                by = create.find(exp.PartitionedByProperty)
                if isinstance(by, exp.PartitionedByProperty) and isinstance(by.this, exp.List):
                    keys[table.name] = tuple(
                        c.name for c in by.this.expressions if isinstance(c, exp.Column)
                    )
                earlier = tables.get(table.name)
                if earlier is not None:  # keys an ALTER TABLE above added to it
                    table.indexes[:0] = earlier.indexes
                    table.ddl[:0] = earlier.ddl
                tables[table.name] = table
            elif kind == "INDEX":
                index = _index_def(create)
                if index is None:
                    continue
                owner = tables.setdefault(index.table, TableDef(index.table))
                owner.indexes.append((index.name, index.columns))
                owner.ddl.append(_written(sql, statement))
    _partition_indexes(tables, partitions, keys)
    return list(tables.values())


def _partition_indexes(
    tables: dict[str, TableDef],
    partitions: list[tuple[str, str]],
    keys: dict[str, tuple[str, ...]],
) -> None:
    """A query on a partitioned table reads its partitions, each through its own indexes: an
    index on a partition is one on the parent as far as its queries go (judged on a real app:
    ``folksonomy`` partitioned by ``LIST (owner)``, its partitions indexed on ``(k, v)`` and
    ``(owner, k, v)``, had ``(owner, k)`` proposed on the parent). Under LIST partitioning
    the key's equality picks the partition, so the index serves it with the key first too."""
    for child, parent in partitions:
        home, part = tables.get(parent), tables.get(child)
        if home is None or part is None:
            continue
        key = keys.get(parent, ())
        for name, columns in part.indexes:
            home.indexes.append((name, columns))
            widened = (*key, *(c for c in columns if c not in key))
            if key and widened != columns:
                home.indexes.append((name, widened))


def _alter_keys(alter: exp.Expression, tables: dict[str, TableDef], written: str) -> None:
    """``ALTER TABLE t ADD [CONSTRAINT c] PRIMARY KEY (...) | UNIQUE (...)``: an index on t."""
    from sqlglot import exp

    if not isinstance(alter, exp.Alter) or not isinstance(alter.this, exp.Table):
        return
    for action in alter.args.get("actions") or []:
        if not isinstance(action, exp.AddConstraint):
            continue
        keys: list[tuple[str, tuple[str, ...]]] = []
        for primary in action.find_all(exp.PrimaryKey):
            keys.append(("PRIMARY KEY", tuple(_col_name(c) for c in primary.expressions)))
        for unique in action.find_all(exp.UniqueColumnConstraint):
            if isinstance(unique.this, exp.Schema):
                keys.append(("UNIQUE", tuple(_col_name(c) for c in unique.this.expressions)))
        if keys:
            owner = tables.setdefault(alter.this.name, TableDef(alter.this.name))
            owner.indexes.extend(keys)
            owner.ddl.append(written)


def index_defs(sql: str) -> list[IndexDef]:
    """The CREATE INDEX statements in ``sql``."""
    lowered = sql.lower()
    if len(sql) > MAX_SQL_CHARS or "create" not in lowered or "index" not in lowered:
        return []
    out: list[IndexDef] = []
    for statement in split_statements(sql):
        if statement.keyword == "CREATE":
            for create in _parse(sql[statement.start : statement.end]):
                index = _index_def(create)
                if index is not None:
                    out.append(index)
    return out


def _index_def(create: exp.Expression) -> IndexDef | None:
    from sqlglot import exp

    if not isinstance(create, exp.Create) or (create.args.get("kind") or "").upper() != "INDEX":
        return None
    index = create.this
    target = index.args.get("table") if isinstance(index, exp.Index) else None
    if target is None:
        return None
    params = index.args.get("params")
    columns = [_col_name(c) for c in (params.args.get("columns") or [])] if params else []
    using = params.args.get("using") if params else None
    return IndexDef(
        index.name,
        target.name,
        tuple(c for c in columns if c),
        method=str(using.name).lower() if using is not None else None,
        include=bool(params and params.args.get("include")),
    )


def _col_name(node: exp.Expression) -> str:
    from sqlglot import exp

    inner = node.this if isinstance(node, exp.Ordered) else node
    return str(inner.name) if isinstance(inner, exp.Column | exp.Identifier) else str(inner.sql())


def _innodb_foreign_keys(create: exp.Create, schema: exp.Schema, table: TableDef) -> None:
    """InnoDB indexes every FOREIGN KEY's columns itself when no index leads with them: on a
    table declared ``ENGINE=InnoDB`` they are indexed (SQLite, the planner the proofs run on,
    does not: three proposals on a real app's InnoDB tables were indexes it already had)."""
    from sqlglot import exp

    engine = create.find(exp.EngineProperty)
    if engine is None or engine.name.lower() not in ("innodb", "ndb", "ndbcluster"):
        return
    for key in schema.expressions:
        if not isinstance(key, exp.ForeignKey):
            continue
        cols = tuple(_col_name(c) for c in key.expressions)
        if cols and not any(have[: len(cols)] == cols for _, have in table.indexes):
            table.indexes.append(("InnoDB's index of the foreign key", cols))


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
        table.columns.append(column)
        return
    if isinstance(item, exp.PrimaryKey):
        cols = tuple(_col_name(c) for c in item.expressions)
        table.indexes.append(("PRIMARY KEY", cols))
        if len(cols) == 1:
            for column in table.columns:
                if column.name == cols[0]:
                    column.primary_key = True
        return
    if isinstance(item, exp.UniqueColumnConstraint | exp.Constraint):
        found = item.find(exp.UniqueColumnConstraint)
        schema = found.this if found is not None else None
        if isinstance(schema, exp.Schema):
            table.indexes.append(("UNIQUE", tuple(_col_name(c) for c in schema.expressions)))
        primary = item.find(exp.PrimaryKey)
        if primary is not None:
            table.indexes.append(("PRIMARY KEY", tuple(_col_name(c) for c in primary.expressions)))


@functools.lru_cache(maxsize=256)
def may_match_nothing(sql: str) -> bool:
    """A single SELECT that gives no row when nothing matches: it reads FROM a table and is
    not only aggregates with no GROUP BY (``SELECT COUNT(*) FROM t WHERE ...`` always gives
    one row, and so does a SELECT with no FROM, ``SELECT EXISTS(...)``). Unreadable text and
    any other statement are no (an ``INSERT ... RETURNING`` gives its row)."""
    if len(sql) > MAX_SQL_CHARS or sql.lstrip()[:6].upper() != "SELECT":
        return False
    from sqlglot import exp

    parsed = _parse(sql)
    if len(parsed) != 1 or not isinstance(parsed[0], exp.Select):
        return False
    select = parsed[0]
    if select.args.get("from_") is None and select.args.get("from") is None:
        return False  # sqlglot 26+ spells it ``from_``
    if select.args.get("group"):
        return True
    return not all(_aggregate(e, exp) for e in select.expressions)


def _aggregate(node: Any, exp: Any) -> bool:
    """An aggregate, or an expression over aggregates and constants only (``COALESCE(SUM(x),
    0)``): every column it reads sits inside an aggregate."""
    if node.find(exp.AggFunc) is None:
        return False
    return all(col.find_ancestor(exp.AggFunc) is not None for col in node.find_all(exp.Column))
