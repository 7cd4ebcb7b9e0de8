"""Index suggestions, each proven on SQLite's real planner before it is shown.

The proposal follows SQLite's ``.expert`` and Dexter: equality columns first, then one range
column or the ORDER BY columns, at most three, nothing an existing index already covers. The proof
builds the table and its existing indexes in an in-memory SQLite (our own small DDL translation:
sqlglot's SQLite output often does not run), runs ``EXPLAIN QUERY PLAN`` before and after adding
the index, and keeps the suggestion only when a SCAN becomes a SEARCH, a temporary B-tree for
ORDER BY disappears, or a covering index appears.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import itertools
import os
import re
import sqlite3
from dataclasses import dataclass, replace
from typing import Protocol

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from . import folded
from .admin_reads import admin_read
from .migrations import (
    migration_step,
    new_migration,
    new_sql_migration,
    orm_migration_tool,
    script_index_edits,
)
from .project_files import declared_version, on_mysql, project_root
from .pyedits import LINE_LENGTH
from .pysource import Source, dotted
from .queries import FoundQuery
from .schema import Column, ListSlot, Schema, Table, is_private_copy
from .small_tables import (
    few_valued,
    link_rows,
    narrows,
    rare_read,
    small_table,
    too_long_key,
)
from .sql import QueryShape

MAX_INDEX_COLUMNS = 3
PROBE = "proposed_index"  # its name in the plans the rationale shows
SAME_INDEX = "The same index serves:"
MAX_SITES = 6  # sites listed under SAME_INDEX
ADMIN = "admin_only"  # data: every query site of the proposal is an administrator's page
FEW = "few_valued"  # data: the proposal's columns that take a handful of values (a status)
PAGED = "paged"  # data: its query reads a page at a time in its sort order
BACKING = "backing"  # data: its site backs another's case (FoundQuery.backing), not the anchor


@dataclass(frozen=True)
class Proof:
    proven: bool
    before: tuple[str, ...]
    after: tuple[str, ...]
    why: str


class IndexProver(Protocol):
    """Another engine's proofs (review/pgproof: PostgreSQL's planner). ``suggestions`` gives
    its verdict for one query: [] when that engine says no index helps, None when it cannot
    judge (the query is then proven on SQLite, as without a prover)."""

    def suggestions(
        self,
        query: FoundQuery,
        table: Table,
        cols: list[str] | None,
        path: str,
        source_for: dict[str, Source],
    ) -> list[Suggestion] | None: ...


def propose(found: FoundQuery, table: Table) -> list[str] | None:
    shape = found.shape
    known = table.columns
    referenced = [*shape.eq, *shape.ranges, *shape.order_by]
    if not referenced or any(c not in known for c in referenced):
        return None  # a column we cannot see: no proof possible, so no suggestion
    single_key = sum(c.primary_key for c in known.values()) == 1
    if any((known[c].primary_key and single_key) or known[c].unique for c in shape.eq):
        return None  # an equality on a unique column already finds one row by its index
    eq = list(dict.fromkeys(shape.eq))
    selective = [c for c in eq if not few_valued(known[c])]
    if selective:
        # A status next to an id narrows little more than the id does, and the index on the
        # id alone serves the app's other queries by it too (reviewers rejected the pair).
        eq = selective
    # The equalities' order is the query's choice to make, and a foreign key first makes the
    # index serve the walks from its parent too (``(project_id, key)``, not ``(key,
    # project_id)``: a blind review's ask on a real app). A pointer at the table's own rows (a
    # reply's parent, ``comment_id IS NULL`` for a post's root comments) comes after the other
    # foreign keys: the parent's rows are what the query narrows by (a real app's comment page).
    own = {table.name, table.model or table.name, "self"}
    eq.sort(key=lambda c: (not known[c].references, known[c].references in own))
    written = eq  # the equalities as the query has them, for what an index serves already
    longest = [c for c in eq if too_long_key(known[c])]
    if longest and len(longest) < len(eq):
        # ``get(key=k, ip=ip, ua=ua)`` with ``ua`` a TextField: no b-tree takes a whole
        # user agent, and the other equalities find the rows without it (a real app's
        # session lookup on every request was dropped whole for its user-agent column).
        eq = [c for c in eq if c not in longest]
    # (beside a parent's key, a key is the parent's own: ``(project_id, key)`` serves both)
    parented = any(known[c].references for c in eq)
    token = None if parented else next((c for c in eq if _identifies_row(known[c], shape)), None)
    cols = [token] if token else eq[:MAX_INDEX_COLUMNS]
    if len(cols) < MAX_INDEX_COLUMNS and not token:
        if shape.ranges:
            cols.append(shape.ranges[0])
        # (grouped, the sort orders the groups: no sort column behind the equalities spares it)
        elif shape.order_by and len(set(shape.order_desc)) <= 1 and not shape.grouped:
            for column in shape.order_by:
                if len(cols) >= MAX_INDEX_COLUMNS:
                    break
                if column not in cols:
                    cols.append(column)
    if _joined_by_an_index(shape, table):
        return None
    cols = _without_key_tiebreak(cols, shape, table, len(eq))
    if not cols or table.covered(cols) or _served_in_any_order(table, cols, len(eq)):
        return None
    if _equalities_served(table, written) and not _paged_sort(shape, cols, eq):
        # The rows are found by an existing index; what is left is ordering or narrowing one
        # parent's rows (a user's tokens by date), which reviewers judged not worth an index.
        return None
    if all(known[c].boolean for c in cols):
        return None  # a flag has two values: an index on it alone rarely narrows anything
    if not narrows(shape, table):
        return None
    return cols


# A column holding a secret that names one row: a session's key, an app token, a hash of one.
_TOKEN_NAME = re.compile(
    r"^(token|key|hash|digest|secret|nonce)$|_(token|hash|digest|secret)$", re.I
)


def _identifies_row(column: Column, shape: QueryShape) -> bool:
    """``get(key=hash_this(key), ip=ip, ua=ua, is_valid=True)``: a token (or its hash) the
    request hands in finds its one row alone; the other equalities only check it. The index is
    on the token (``(key, ip)`` made a reviewer ask why the address). Only for a value the
    code passes (``key="theme"`` is one of a handful of settings), and not beside a parent's
    foreign key (the caller checks: a project's hook key is the project's own, and
    ``(project_id, key)`` serves the project's walks too)."""
    return (
        _TOKEN_NAME.search(column.name) is not None
        and column.name in shape.passed
        and not column.references
        and not column.boolean
        and not few_valued(column)
        and _affinity(column.type) in ("TEXT", "")
    )


def _joined_by_an_index(shape: QueryShape, table: Table) -> bool:
    """``markers_counts JOIN class ON class.item = markers_counts.item AND class.class =
    markers_counts.class WHERE markers_counts.source_id = $1 AND class.class = $2``: both
    sides are narrowed, and the key ``(item, class)`` finds each joined row from the other
    side's. An index for starting at ``class.class`` alone was judged noise on a real app."""
    if not shape.join_keys:
        return False
    reachable = set(shape.join_keys) | set(shape.eq)
    for _, cols in table.all_indexes():
        lead = set(itertools.takewhile(reachable.__contains__, cols))
        if set(shape.join_keys) <= lead:
            return True
    return False


def _without_key_tiebreak(
    cols: list[str], shape: QueryShape, table: Table, equalities: int
) -> list[str]:
    """``ORDER BY checked_out_at, id``: the primary key after another sort column only makes
    the order total. InnoDB keeps it in every secondary index and PostgreSQL sorts the few
    ties after the index's order, so ``(member_id, checked_out_at)`` serves the query and a
    reviewer rejects the trailing id (a planted app's ``books (author, title, id)``)."""
    keys = [c for c in table.columns.values() if c.primary_key]
    if len(keys) != 1 or len(cols) < equalities + 2:
        return cols
    key = keys[0].name
    sorted_by = shape.order_by
    tiebreak = len(sorted_by) >= 2 and sorted_by[-1] == key and key not in sorted_by[:-1]
    if cols[-1] == key and tiebreak and key not in shape.eq and key not in shape.ranges:
        return cols[:-1]
    return cols


def _paged_sort(shape: QueryShape, cols: list[str], eq: list[str]) -> bool:
    """A parent's rows listed a page at a time in a sort order (a project's events by date,
    an inbox's mail): paged, they are many, and the parent's index finds all of them to sort
    for every page, where one led by the parent and then the sort reads the page alone
    (missed twice on real apps, where a user's few tokens were judged not worth it)."""
    return (
        shape.paged
        and bool(shape.order_by)
        and not shape.ranges
        and not shape.grouped
        and len(cols) > len(eq)
    )


def _flags_only(query: FoundQuery, table: Table) -> bool:
    """A sorted list narrowed only by flags (``is_hidden=False, locked=False``, most rows
    match) and nothing else: unpaged, it reads nearly every row whatever the index, which
    would spare the sort alone (round 17: a public list of every event, judged noise).
    Unpaged as written: SQLAlchemy's ``.all()`` ends the chain, a list of every row (a
    Django queryset may still be sliced where it is used)."""
    if table.origin not in ("sqlalchemy", "table") or not query.description.endswith(".all()"):
        return False
    shape = query.shape
    if not shape.order_by or not shape.eq or shape.ranges or shape.json_eq or shape.folded_eq:
        return False
    if shape.joined:
        return False
    return all(c in table.columns and few_valued(table.columns[c]) for c in shape.eq)


def not_owned(table: Table) -> bool:
    """A model bound to another database (``__bind_key__``: another app's schema, read here)
    that no script or migration of this project creates: its indexes are not the app's to
    add."""
    return bool(table.bind_key) and table.sql_home is None and not table.migrated


def _leads_with_foreign_key(table: Table, cols: list[str]) -> bool:
    first = table.columns.get(cols[0])
    return first is not None and bool(first.references) and table.origin != "django"


def _by_foreign_key(query: FoundQuery, table: Table, schema: Schema) -> FoundQuery:
    """The query's columns as the database names them: ``Match.job == job`` compares the
    relationship with a row, so SQL compares the foreign key (``match.job_id = ?``);
    ``Book.title`` of ``title = db.Column("BkTitle", ...)`` is the column ``BkTitle``."""
    shape = query.shape
    named = table.attributes
    if all(c in table.columns for c in [*shape.eq, *shape.ranges, *shape.order_by]):
        return query
    eq = [
        named.get(c) or _foreign_key_of(table, schema, c) or _django_key(table, c) or c
        for c in shape.eq
    ]
    ranges = [named.get(c, c) for c in shape.ranges]
    order_by = [named.get(c, c) for c in shape.order_by]
    if (eq, ranges, order_by) == (shape.eq, shape.ranges, shape.order_by):
        return query
    renamed = replace(shape, eq=list(dict.fromkeys(eq)), ranges=ranges, order_by=order_by)
    return replace(query, shape=renamed)


def _django_key(table: Table, name: str) -> str | None:
    """``filter(tag_id=...)`` on Django's ``tag = ForeignKey(...)``: the field ``tag``, whose
    column the database names ``tag_id``."""
    field = table.columns.get(name.removesuffix("_id")) if name.endswith("_id") else None
    if table.origin != "django" or field is None or not field.references:
        return None
    return field.name


def _foreign_key_of(table: Table, schema: Schema, attribute: str) -> str | None:
    relationship = table.relationships.get(attribute)
    if relationship is None or attribute in table.columns:
        return None
    if len(relationship.foreign_keys) == 1:
        return relationship.foreign_keys[0]
    target = schema.tables.get(schema.models.get(relationship.target, ""))
    targets = {relationship.target, target.name if target else ""}
    keys = [c.name for c in table.columns.values() if c.references and c.references in targets]
    return keys[0] if len(keys) == 1 else None


def _equalities_served(table: Table, eq: list[str]) -> bool:
    """An existing index is led by every equality column (in any order), or by one that is a
    foreign key: the rows of one parent (a form's questions, a proposal's comments) are few
    once that index has found them."""
    if not eq:
        return False
    wanted = set(eq)
    for _, cols in table.all_indexes():
        if set(cols[: len(eq)]) == wanted:
            return True
        lead = table.columns.get(cols[0]) if cols else None
        if lead is not None and lead.name in wanted and lead.references:
            return True
    return False


def _served_in_any_order(table: Table, cols: list[str], equalities: int) -> bool:
    """Equality columns may lead an index in any order: ``a = ? AND b = ?`` is served by an
    index on (b, a) as well as by one on (a, b)."""
    eq, rest = set(cols[:equalities]), tuple(cols[equalities:])
    return any(
        len(c) >= len(cols) and set(c[:equalities]) == eq and c[equalities : len(cols)] == rest
        for _, c in table.all_indexes()
    )


_TYPES = (
    (re.compile(r"int|serial|bool", re.I), "INTEGER"),
    (re.compile(r"char|text|string|uuid|json|enum|email|slug|url", re.I), "TEXT"),
    (re.compile(r"float|double|real|numeric|decimal", re.I), "REAL"),
    (re.compile(r"date|time", re.I), "TEXT"),
    (re.compile(r"blob|binary|bytea", re.I), "BLOB"),
)


def _affinity(declared: str) -> str:
    for pattern, affinity in _TYPES:
        if pattern.search(declared):
            return affinity
    return ""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_ddl(table: Table) -> list[str]:
    """CREATE statements that reproduce the table's access paths in SQLite."""
    columns = []
    pks = [c for c in table.columns.values() if c.primary_key]
    for column in table.columns.values():
        affinity = _affinity(column.type)
        if column.primary_key and len(pks) == 1:
            affinity = "INTEGER" if affinity in ("INTEGER", "") else affinity
            columns.append(f"{_q(column.name)} {affinity} PRIMARY KEY")
        else:
            unique = " UNIQUE" if column.unique else ""
            columns.append(f"{_q(column.name)} {affinity}{unique}".rstrip())
    if len(pks) > 1:
        columns.append(f"PRIMARY KEY ({', '.join(_q(c.name) for c in pks)})")
    statements = [f"CREATE TABLE {_q(table.name)} ({', '.join(columns)})"]
    # What migrations add is built too (an expression index, ``lower(name)``, as well):
    # a unique (platform, full_name) created only by an Alembic step serves its lookup, and
    # a proof without it proposed (full_name) beside it (judged on a real app).
    for i, (_, cols) in enumerate([*table.indexes, *table.migrated]):
        if cols and all(folded.known_term(table, c) for c in cols):
            statements.append(
                f"CREATE INDEX {_q(f'existing_{i}')} ON {_q(table.name)} "
                f"({', '.join(folded.term_sql(c) for c in cols)})"
            )
    for column in table.columns.values():
        if column.indexed and not column.primary_key and not column.unique:
            statements.append(
                f"CREATE INDEX {_q('existing_' + column.name)} ON {_q(table.name)} "
                f"({_q(column.name)})"
            )
    return statements


def probe_query(found: FoundQuery, table: Table) -> str:
    shape = found.shape
    # IN (several values): an index on (col, sort) still leaves a sort to merge the lists.
    where = [f"{_q(c)} IN (?, ?)" if c in shape.multi else f"{_q(c)} = ?" for c in shape.eq]
    where += [f"{f}({_q(c)}) = ?" for f, c in shape.folded_eq if c in table.columns]
    where += [f"{_q(c)} > ?" for c in shape.ranges]
    sql = f"SELECT * FROM {_q(table.name)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if shape.grouped:
        # Grouped by the key (Django's GROUP BY for an aggregate annotation), the planner
        # sorts the groups whatever index the table has: the proof then shows the sort stays.
        keys = [c for c in table.columns.values() if c.primary_key] or list(table.columns.values())
        sql += " GROUP BY " + ", ".join(_q(c.name) for c in keys)
    if shape.order_by:
        parts = [
            f"{_q(c)}{' DESC' if d else ''}"
            for c, d in zip(shape.order_by, shape.order_desc, strict=False)
        ]
        sql += " ORDER BY " + ", ".join(parts)
    return sql


# The plans depend on these texts alone, and the same question comes again: the same query
# on the same table in file after file (a view's filter by its user: 90 proofs, 20 questions on
# bench_suggest_app.py's app), and in the server on every change of a file. Each answer was a
# database built anew.
@functools.lru_cache(maxsize=2048)
def _plans(
    ddl: tuple[str, ...], query: str, table: str, key: str
) -> tuple[tuple[str, ...], tuple[str, ...]] | str:
    """The query's plans on a throwaway SQLite database of ``ddl``, before and after an index
    on ``key`` (the index's terms) of ``table`` (quoted); SQLite's error when it cannot say."""
    conn = sqlite3.connect(":memory:")
    try:
        for statement in ddl:
            conn.execute(statement)
        before = _plan(conn, query)
        conn.execute(f"CREATE INDEX {PROBE} ON {table} ({key})")
        return before, _plan(conn, query)
    except sqlite3.Error as err:
        return str(err)
    finally:
        conn.close()


def _plan(conn: sqlite3.Connection, sql: str) -> tuple[str, ...]:
    params = [None] * sql.count("?")
    return tuple(str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def prove(found: FoundQuery, table: Table, cols: list[str]) -> Proof:
    key = ", ".join(folded.term_sql(c) for c in cols)
    plans = _plans(tuple(sqlite_ddl(table)), probe_query(found, table), _q(table.name), key)
    if isinstance(plans, str):
        return Proof(False, (), (), f"SQLite could not run the probe: {plans}")
    before, after = plans
    # A SCAN through an existing index (to skip a sort) still visits every row.
    scanned = any(row.startswith("SCAN") and "USING INTEGER" not in row for row in before)
    searched = any(row.startswith("SEARCH") and PROBE in row for row in after)
    sorted_before = any("TEMP B-TREE FOR ORDER BY" in row for row in before)
    sorted_after = any("TEMP B-TREE FOR ORDER BY" in row for row in after)
    covering = any(f"COVERING INDEX {PROBE}" in row for row in after) and not any(
        "COVERING INDEX" in row for row in before
    )
    uses_probe = any(PROBE in row for row in after)
    if scanned and searched:
        return Proof(True, before, after, "a full table SCAN becomes an index SEARCH")
    # An existing index already narrows the rows by equality (a page's images): an index that
    # only adds the other columns to cover the read was judged noise on a real app. (Sparing a
    # sort is kept: a user's posts by time were judged worth it, however narrowed.)
    narrowed = any(row.startswith("SEARCH") and " USING " in row for row in before)
    if sorted_before and not sorted_after and uses_probe:
        return Proof(True, before, after, "the temporary B-tree for ORDER BY disappears")
    if covering and not narrowed:
        return Proof(True, before, after, "a covering index answers the query alone")
    if (
        _range_only(before)
        and _keeps_range(found.shape, cols)
        and any(PROBE in r and _EQUALITY.search(r) for r in after)
    ):
        # ``created_at < now()`` over a created_at index: SQLite guesses a range narrows, but
        # a page cursor's range holds most of the table; the equality is what narrows. Only
        # with the range behind the equalities: without it, a narrow window the existing index
        # reads (``created_date > now() - 5 min``) would become every matching row ever made.
        return Proof(True, before, after, "a range-only SEARCH becomes an equality SEARCH")
    return Proof(False, before, after, "the planner gains nothing from the index")


_EQUALITY = re.compile(r"[\w\"]=\?")


def _keeps_range(shape: QueryShape, cols: list[str]) -> bool:
    """The index ends with the query's range column, after its equality columns."""
    eq = [c for c in cols if c in shape.eq]
    return len(cols) > len(eq) and cols[: len(eq)] == eq and cols[len(eq)] in shape.ranges


def _range_only(plan: tuple[str, ...]) -> bool:
    """Every step searches an index by a range alone (``created_at>?``), none by equality."""
    searches = [r for r in plan if r.startswith("SEARCH")]
    return (
        bool(searches)
        and len(searches) == len(plan)
        and not any(_EQUALITY.search(r) or "INTEGER PRIMARY KEY" in r for r in searches)
    )


# Django checks index names against 30 characters; PostgreSQL keeps 63 (MySQL 64).
DJANGO_NAME_LIMIT = 30
NAME_LIMIT = 63


def index_name(table: Table, cols: list[str], limit: int | None = None) -> str:
    """``ix_<table>_<columns>``, within the name limit of the table's ORM. Cut short, it ends
    in a hash of the whole name, as Django's own names do: two indexes sharing a long prefix
    (``ix_eventapplication_main_organ``) got one name on a real app, and the second edit then
    broke the first. Never an index name the table already has."""
    if limit is None:
        limit = DJANGO_NAME_LIMIT if table.origin == "django" else NAME_LIMIT
    return fitted_name(
        f"ix_{table.name}_{'_'.join(folded.name_part(c) for c in cols)}", limit, table
    )


def fitted_name(name: str, limit: int, table: Table | None = None) -> str:
    """``name`` within ``limit`` characters: as it is when it fits, else its head and a short
    hash of it; another hash while it is one of ``table``'s index names."""
    taken = {n.lower() for n, _ in table.all_indexes()} if table is not None else set()
    if len(name) <= limit and name.lower() not in taken:
        return name
    for salt in range(100):
        digest = hashlib.sha256(f"{name}#{salt}".encode() if salt else name.encode())
        short = f"{name[: limit - 7].rstrip('_')}_{digest.hexdigest()[:6]}"
        if short.lower() not in taken:
            return short
    return name[:limit]


def _built_by_script(table: Table) -> bool:
    """A model mirroring a CREATE TABLE of the app's SQL scripts, with no Alembic or
    Flask-Migrate to carry a model edit to the database: the script is what makes it."""
    return (
        table.sql_home is not None
        and table.origin in ("sqlalchemy", "table")
        and not orm_migration_tool(table)
    )


def index_edits(
    table: Table,
    cols: list[str],
    source_for: dict[str, Source],
    *,
    expressions: list[str] | None = None,
    name: str | None = None,
) -> list[Edit] | None:
    """The edit that adds the index where the table is defined (None: no clean edit).

    ``expressions`` (PostgreSQL's expression index on an ORM model, one per key part, as SQL:
    a column or ``(payload ->> 'source')``) are written as ``Index("ix", "col",
    text("(payload ->> 'source')"))`` for SQLAlchemy and ``models.Index(F("col"),
    F("payload__source"), name=...)`` for Django (whose ``->`` is the key transform)."""
    if is_private_copy(table):
        # The table as a test or an old migration writes it (a private copy of the model, a
        # fixture's DDL): an index there changes nothing the app runs.
        return None
    name = name or index_name(table, cols)
    if _built_by_script(table) and table.sql_home is not None:
        return script_index_edits(table.sql_home, name, ", ".join(expressions or cols))
    if expressions is not None:
        return _expression_edits(table, expressions, name, source_for)
    columns = ", ".join(cols)
    if table.origin == "sql":
        numbered = new_sql_migration(table, name, columns)
        if numbered is not None:
            return numbered
        text = f"CREATE INDEX {name} ON {table.name} ({columns});\n"
        return [Edit(table.path, Span.point(table.anchor_line, 0), text)]
    if table.origin == "python-sql":
        if not table.anchor_receiver:
            return None
        ddl = f"CREATE INDEX IF NOT EXISTS {name} ON {table.name} ({columns})"
        call = f'{table.anchor_receiver}.execute("{ddl}")'
        return [
            Edit(table.path, Span.point(table.anchor_line, 0), f"{table.anchor_indent}{call}\n")
        ]
    if table.origin == "alembic":
        return None if folded.folded_only(cols) else new_migration(table, cols, name)
    source = source_for.get(table.path)
    if source is None:
        return None
    if folded.folded_only(cols):
        return _folded_edits(table, cols, name, source)
    # A Django model that lists its indexes in ``Meta.indexes`` keeps the new one there too.
    listed = table.origin == "django" and table.meta_indexes_slot is not None
    if len(cols) == 1 and not listed:
        column = table.columns[cols[0]]
        if column.no_index_at is not None and column.call_end is not None:
            # ``db_index=False`` written out: turned True (a second keyword would not parse)
            return [Edit(table.path, column.no_index_at, "True")]
        if column.call_end is not None and (column.flag or not column.helper):
            flag = column.flag or ("db_index=True" if table.origin == "django" else "index=True")
            sep = ", " if column.call_has_args else ""
            return [Edit(table.path, Span(column.call_end, column.call_end), f"{sep}{flag}")]
    quoted = ", ".join(f'"{c}"' for c in cols)
    if table.origin == "table":
        if table.call_end is None:
            return None
        index = f'{table.call_prefix}Index("{name}", {quoted})'
        edit = _table_call_edit(table, source, index)
        if table.call_prefix:
            return [edit]
        from .pyedits import ensure_imports

        # ``from sqlalchemy import Table`` and no Index among the names (a real app's every
        # table): the edit gate rightly drops an Index nobody imported.
        return [*ensure_imports(source, [("sqlalchemy", "Index")]), edit]
    if table.origin == "sqlalchemy":
        from .pyedits import ensure_imports

        # ``sa.Index`` where the module imports sqlalchemy as a module, Flask-SQLAlchemy's
        # ``db.Index`` where it has ``db``: the app's own idiom, and no new import.
        bound = _bound_names(source)
        module = bound.get("sqlalchemy") or ("db" if "db" in bound else "")
        index = f'{module + "." if module else ""}Index("{name}", {quoted})'
        edits = _table_args_edits(table, source, index)
        if edits is None or module:
            return edits
        return [*ensure_imports(source, [(table.index_import, "Index")]), *edits]
    fields = ", ".join(f'"{c}"' for c in cols)
    if not _django_at_least(table, (1, 11)):
        # Meta.indexes is 1.11's; before it, a composite index is Meta.index_together's
        return _meta_list_edits(table, source, "index_together", f"[{fields}]")
    return _meta_indexes_edits(table, source, f'models.Index(fields=[{fields}], name="{name}")')


def _table_call_edit(table: Table, source: Source, index: str) -> Edit:
    """``index`` after the last argument of ``Table(...)``: on a line of its own when the
    call writes its arguments one per line (a second index then gets its own line too)."""
    at = table.call_end
    assert at is not None
    line = source.lines[at.line] if at.line < len(source.lines) else ""
    if "Table(" in line[: at.column]:
        return Edit(table.path, Span(at, at), f", {index}")
    indent = line[: len(line) - len(line.lstrip())]
    return Edit(table.path, Span(at, at), f",{source.eol}{indent}{index}")


def _meta_list_edits(table: Table, source: Source, attr: str, element: str) -> list[Edit] | None:
    """``attr = [element]`` in the model's Meta (a new Meta when it has none), unless the Meta
    already sets ``attr`` (extending it is no clean edit)."""
    indent, eol = table.class_indent, source.eol
    if table.meta_line is None:
        return _new_meta(table, source, attr, element)
    if attr == "index_together" and table.meta_together_slot is not None:
        # a second group joins the list the first began (applied together, or one by one)
        return [_joined(table.path, table.meta_together_slot, element, eol)]
    meta_text = "\n".join(source.lines[table.meta_line : table.class_body_end + 1])
    if attr in meta_text:
        return None
    after_meta = Position(_meta_body_start(source, table.meta_line), 0)
    return [
        Edit(table.path, Span(after_meta, after_meta), _listed(f"{indent}    {attr}", element, eol))
    ]


def _meta_body_start(source: Source, meta_line: int) -> int:
    """The 0-based line a new ``Meta`` attribute goes on: after ``class Meta:``, and after the
    Meta's docstring when it has one (before it, the docstring would be a stray string)."""
    for node in source.of(ast.ClassDef):
        if (
            isinstance(node, ast.ClassDef)
            and node.lineno - 1 == meta_line
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)
        ):
            return node.body[0].end_lineno or node.body[0].lineno
    return meta_line + 1


def _new_meta(table: Table, source: Source, attr: str, element: str) -> list[Edit]:
    """A ``class Meta`` with ``attr = [element]`` after the model's body."""
    indent, eol = table.class_indent, source.eol
    # Without deriving from the abstract base's Meta, a new Meta would drop its ordering.
    meta = f"Meta({table.meta_base}.Meta)" if table.meta_base else "Meta"
    at, head = _after_body(table, source)
    text = f"{eol}{indent}class {meta}:{eol}" + _listed(f"{indent}    {attr}", element, eol)
    return [Edit(table.path, Span(at, at), head + text)]


def _after_body(table: Table, source: Source) -> tuple[Position, str]:
    """Where lines after the model's body go, and what goes before them: the next line, or,
    when the body ends the file without a final newline, the end of its last line and a
    newline (at the line after it the text ran on from ``...foreign_keys=[receiver_id])``,
    which no longer parsed: a real app's proven index on its chat messages was lost so)."""
    last = table.class_body_end
    if last + 1 >= len(source.lines) and not source.text.endswith(("\n", "\r")):
        line = source.lines[last] if 0 <= last < len(source.lines) else ""
        return Position(last, len(line)), source.eol
    return Position(last + 1, 0), ""


def _table_args_edits(table: Table, source: Source, index: str) -> list[Edit] | None:
    """``index`` (an SQLAlchemy ``Index(...)``) into the model's ``__table_args__``."""
    if table.has_table_args:
        if table.table_args_slot is None and table.table_args_dict is not None:
            # ``{"schema": "public"}`` becomes the options of ``(Index(...), {...})``
            span, eol = table.table_args_dict, source.eol
            options = source.slice(span)
            text = f"({index}, {options})"
            if "\n" in options or len(text) + len(table.class_indent) + 17 > LINE_LENGTH:
                inner = f"{table.class_indent}    "
                text = f"({eol}{inner}{index},{eol}{inner}{options},{eol}{table.class_indent})"
            return [Edit(table.path, span, text)]
        if table.table_args_slot is None:
            return None
        return [_joined(table.path, table.table_args_slot, index, source.eol)]
    base, kind = table.inherited_args
    assignment, eol = f"{table.class_indent}__table_args__", source.eol
    if kind == "dict":
        # A tuple of its own replaces the base's options (``mysql_charset``,
        # ``extend_existing``): they go on as its trailing dict.
        options = f"{{**{base}.__table_args__}}"
        text = f"{assignment} = ({index}, {options}){eol}"
        if len(text) - len(eol) > LINE_LENGTH:
            inner = f"{table.class_indent}    "
            text = f"{assignment} = ({eol}{inner}{index},{eol}{inner}{options},{eol}"
            text += f"{table.class_indent}){eol}"
    elif kind:
        return None  # the base's tuple would be dropped, and spliced in it is no clean edit
    else:
        text = _listed(assignment, index, eol, tuple_=True)
    at, head = _after_body(table, source)
    return [Edit(table.path, Span(at, at), head + text)]


def _django_at_least(table: Table, version: tuple[int, int]) -> bool:
    """The app's declared Django is ``version`` or later (or not pinned: a current one)."""
    root = project_root(table.path)
    declared = declared_version(root, "django") if root else None
    return declared is None or declared >= version


def _meta_indexes_edits(table: Table, source: Source, index: str) -> list[Edit] | None:
    """``index`` (a Django ``models.Index(...)``) into the model's ``Meta.indexes``, which
    Django has from 1.11 (an app pinned to 1.10 would no longer start; expressions in an
    index need 3.2)."""
    if not _django_at_least(table, (1, 11)):
        return None
    expression = "models.F(" in index or "Upper(" in index or "Lower(" in index
    if expression and not _django_at_least(table, (3, 2)):
        return None
    indent, eol = table.class_indent, source.eol
    if table.meta_line is None:
        return _new_meta(table, source, "indexes", index)
    if table.meta_indexes_slot is not None:  # a second index joins the list the first began
        return [_joined(table.path, table.meta_indexes_slot, index, eol)]
    meta_text = "\n".join(source.lines[table.meta_line : table.class_body_end + 1])
    if "indexes" in meta_text:
        return None
    after_meta = Position(_meta_body_start(source, table.meta_line), 0)
    text = _listed(f"{indent}    indexes", index, eol)
    return [Edit(table.path, Span(after_meta, after_meta), text)]


def _joined(path: str, slot: ListSlot, index: str, eol: str) -> Edit:
    """``index`` into the app's list at ``slot``; a list on one line that it would make too
    long is written one element per line instead, as ruff and black would."""
    if slot.span is None or slot.width + len(index) + 2 <= LINE_LENGTH:
        return Edit(path, Span(slot.at, slot.at), slot.text.format(index=index))
    inner = f"{slot.indent}    "
    elements = "".join(f"{inner}{e},{eol}" for e in (*slot.before, index, *slot.after))
    text = f"{slot.brackets[0]}{eol}{elements}{slot.indent}{slot.brackets[1]}"
    return Edit(path, slot.span, text)


def _listed(assignment: str, element: str, eol: str, tuple_: bool = False) -> str:
    """``indexes = [...]`` / ``__table_args__ = (...,)`` holding ``element``: on one line when
    it fits ruff's and black's default line length, else one element per line with a trailing
    comma, so a second index (this file's next suggestion) gets a line of its own."""
    opening, closing = ("(", ",)") if tuple_ else ("[", "]")
    one_line = f"{assignment} = {opening}{element}{closing}"
    if len(one_line) <= LINE_LENGTH:
        return one_line + eol
    indent = assignment[: len(assignment) - len(assignment.lstrip())]
    return f"{assignment} = {opening}{eol}{indent}    {element},{eol}{indent}{closing[-1]}{eol}"


_JSON_TERM = re.compile(r"^\(\"?(\w+)\"? (->>?) '([^']*)'\)$")


def _expression_edits(
    table: Table, expressions: list[str], name: str, source_for: dict[str, Source]
) -> list[Edit] | None:
    source = source_for.get(table.path)
    if source is None or table.origin not in ("sqlalchemy", "django"):
        return None
    if table.origin == "django":
        parts = []
        for expr in expressions:
            json = _JSON_TERM.match(expr)
            if json is None:
                parts.append(f'models.F("{expr.strip(chr(34))}")')
            elif json.group(2) == "->":
                parts.append(f'models.F("{json.group(1)}__{json.group(3)}")')
            else:
                return None  # ``->>`` is KeyTextTransform, which Django's lookups do not write
        short = fitted_name(name, DJANGO_NAME_LIMIT, table)
        index = f'models.Index({", ".join(parts)}, name="{short}")'
        return _meta_indexes_edits(table, source, index)
    from .pyedits import ensure_imports

    bound = _bound_names(source)
    module = bound.get("sqlalchemy") or ("db" if "db" in bound else "")
    prefix = module + "." if module else ""
    parts = [
        f'{prefix}text("{e}")' if e.startswith("(") else f'"{e.strip(chr(34))}"'
        for e in expressions
    ]
    index = f'{prefix}Index("{name}", {", ".join(parts)})'
    edits = _table_args_edits(table, source, index)
    if edits is None or module:
        return edits
    return [
        *ensure_imports(source, [(table.index_import, "Index"), ("sqlalchemy", "text")]),
        *edits,
    ]


def _folded_edits(table: Table, cols: list[str], name: str, source: Source) -> list[Edit] | None:
    """An index with ``lower(name)`` in its key, in the model's idiom: Django's
    ``models.Index(Upper("name"), "other", name=...)``, SQLAlchemy's ``Index("ix",
    func.lower(name), "other")`` in ``__table_args__``."""
    from .pyedits import ensure_imports

    terms = [folded.parsed(c) for c in cols]
    if table.origin == "django":
        functions = sorted({t[0].capitalize() for t in terms if t})
        parts = [
            f'{t[0].capitalize()}("{t[1]}")' if t else f'"{c}"'
            for c, t in zip(cols, terms, strict=True)
        ]
        short = fitted_name(name, DJANGO_NAME_LIMIT, table)
        index = f'models.Index({", ".join(parts)}, name="{short}")'
        edits = _meta_indexes_edits(table, source, index)
        needed = [("django.db.models.functions", f) for f in functions]
        return [*ensure_imports(source, needed), *edits] if edits else None
    if table.origin not in ("sqlalchemy", "table"):
        return None
    bound = _bound_names(source)
    module = bound.get("sqlalchemy") or ("db" if "db" in bound else "")
    prefix = module + "." if module else ""
    func = f"{prefix}func" if module else "func"
    # ``__table_args__`` names the class's own column attributes when it comes after them
    # (a new one does: it goes at the end of the body); text() names the column otherwise.
    at = table.class_body_end + 1 if not table.has_table_args else None
    if table.table_args_slot is not None:
        at = table.table_args_slot.at.line
    # SQLModel's ``Field(...)`` binds a pydantic FieldInfo, not a column: func.upper() over it
    # is a bound literal that create_all cannot compile, so there text() names the column.
    sqlmodel = table.index_import == "sqlmodel" or "SQLModel" in table.bases
    late = (
        at is not None
        and not sqlmodel
        and all(_bound_until(source, table, t[1], at) for t in terms if t)
    )
    parts = []
    for c, t in zip(cols, terms, strict=True):
        if t is None:
            parts.append(f'"{c}"')
        elif late and table.origin == "sqlalchemy":
            parts.append(f"{func}.{t[0]}({t[1]})")
        else:
            parts.append(f'{prefix}text("{c}")')
    if table.origin == "table":
        if table.call_end is None:
            return None
        index = f'{table.call_prefix}Index("{name}", {", ".join(parts)})'
        edit = _table_call_edit(table, source, index)
        wanted = [] if table.call_prefix else [("sqlalchemy", "Index")]
        if not module and "text(" in index:
            wanted.append(("sqlalchemy", "text"))
        return [*ensure_imports(source, wanted), edit] if wanted else [edit]
    index = f'{prefix}Index("{name}", {", ".join(parts)})'
    edits = _table_args_edits(table, source, index)
    if edits is None or module:
        return edits
    needed = [(table.index_import, "Index")]
    needed.append(("sqlalchemy", "func") if "func." in index else ("sqlalchemy", "text"))
    return [*ensure_imports(source, needed), *edits]


def _bound_until(source: Source, table: Table, attribute: str, line: int) -> bool:
    """The class body binds ``attribute`` to its column, and nothing else rebinds it, before
    ``line`` (0-based): there, ``func.lower(attribute)`` names the column. The last binding
    must be a ``Column(...)`` / ``mapped_column(...)`` call: ``name: Mapped[str]`` alone binds
    no name, and ``Field(...)`` (SQLModel) or ``column_property(...)`` bind no Column."""
    column = table.columns.get(attribute)
    if column is None or column.call_end is None or column.call_end.line >= line:
        return False
    for cls in source.of(ast.ClassDef):
        first = min([cls.lineno, *(d.lineno for d in cls.decorator_list)])
        if first - 1 == table.class_line:
            binders = [s for s in cls.body if s.lineno - 1 < line and attribute in _binds(s)]
            last = binders[-1] if binders else None
            value = last.value if isinstance(last, ast.Assign | ast.AnnAssign) else None
            return isinstance(value, ast.Call) and dotted(value.func).split(".")[-1] in (
                "Column",
                "mapped_column",
            )
    return False


def _binds(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    targets = stmt.targets if isinstance(stmt, ast.Assign) else []
    if isinstance(stmt, ast.AnnAssign):
        targets = [stmt.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _bound_names(source: Source) -> dict[str, str]:
    """Names the module binds at its top (imports, assignments): the name, or for
    ``import sqlalchemy as sa`` the module -> its alias."""
    out: dict[str, str] = {}
    for module in source.modules:
        for stmt in module.body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    out[alias.name] = alias.asname or alias.name
            elif isinstance(stmt, ast.ImportFrom):
                out.update({(a.asname or a.name): a.name for a in stmt.names})
            elif isinstance(stmt, ast.Assign):
                out.update({t.id: t.id for t in stmt.targets if isinstance(t, ast.Name)})
    return out


class ProjectFacts(Protocol):
    """What the project as a whole says of a query site or a table (review/project.py)."""

    def admin_only(self, path: str, line: int) -> bool: ...

    def admin_adds_only(self, table: Table) -> bool: ...


def index_suggestions(
    found: list[FoundQuery],
    schema: Schema,
    path: str,
    source_for: dict[str, Source],
    prover: IndexProver | None = None,
    project: ProjectFacts | None = None,
) -> list[Suggestion]:
    """``project``: what only the whole project tells (code only the admin's code calls, a
    table only the admin adds rows to); without it, this file and the schema."""
    out: list[Suggestion] = []
    proven: dict[tuple[str, tuple[str, ...]], Suggestion] = {}
    for query in found:
        table = schema.tables.get(query.shape.table)
        if table is None or rare_read(path) or not_owned(table):
            continue
        query = _by_foreign_key(query, table, schema)
        if query.shape.any_of and not _narrowed_besides(query.shape):
            # ``WHERE initiator_id = ? OR receiver_id = ? ORDER BY started_at DESC LIMIT 50``:
            # an index on each side of the OR, not one for the sort (which walks every call
            # until a user's fifty turn up: judged low on a real app, the OR's columns missed)
            either = _either_suggestion(query, table, path, source_for, proven, project)
            if either is not None:
                out.append(either)
            continue
        if (query.shape.sort_only() or _flags_only(query, table)) and not query.shape.limited:
            # Every row is read whatever the index: it would spare only the sort, which on
            # an unpaged list (an admin's user list) was judged noise on real apps
            continue
        if query.shape.sort_only() and link_rows(table):
            continue  # every like on the site by date: a list nobody pages through
        if query.shape.folded_eq:
            # Proven on SQLite even beside PostgreSQL: its probe rebuilds no ``lower()``.
            expression = _folded_suggestion(query, table, path, source_for, proven, project)
            if expression is not None:
                out.append(expression)
                continue
        cols = propose(query, table)
        if cols is not None and _small(table, cols, project):
            continue
        if cols is not None and _leads_with_foreign_key(table, cols) and on_mysql(table.path):
            continue  # InnoDB made this index with the foreign key
        verdict = prover.suggestions(query, table, cols, path, source_for) if prover else None
        if verdict is not None:  # the app's own engine judged this query
            for s in verdict:
                key = (table.name, tuple(s.data.get("columns", "").split(",")))
                if key in proven:  # the same index for another query: one more site
                    data = {**proven[key].data, "query": query.description}
                    out.append(replace(proven[key], span=query.span, data=data))
                else:
                    data = {**_shape_data(query, table, list(key[1])), **s.data}
                    proven[key] = replace(s, data={**data, "query": query.description})
                    out.append(proven[key])
            continue
        if cols is None:
            continue
        key = (table.name, tuple(cols))
        if key in proven:  # the same index for another query: one proof, one more site
            data = {**proven[key].data, "query": query.description}
            out.append(replace(proven[key], span=query.span, data=data))
            continue
        proof = prove(query, table, cols)
        if not proof.proven:
            continue
        edits = index_edits(table, cols, source_for)
        if not edits:
            continue
        suggestion = Suggestion(
            "BKD101",
            "index",
            path,
            query.span,
            f"Add an index on {table.name} ({', '.join(cols)})",
            _rationale(query, table, cols, proof),
            tuple(edits),
            proven=True,
            data={
                "table": table.name,
                "columns": ",".join(cols),
                "query": query.description,
                **_shape_data(query, table, cols),
            },
        )
        proven[key] = suggestion
        out.append(suggestion)
    # A .sql file's text has no Python views to look in: it was parsed as Python, block by
    # block, to find none.
    source = source_for.get(path) if path.endswith(".py") and out else None
    out = [
        replace(s, data={**s.data, ADMIN: "1"})
        if s.code == "BKD101" and _admin_site(source, path, s.span.start.line, project)
        else s
        for s in out
    ]
    backing = {(q.span, q.description) for q in found if q.backing}
    out = [_marked_backing(s, backing) for s in out] if backing else out
    return one_per_index(out)


def _marked_backing(s: Suggestion, backing: set[tuple[Span, str]]) -> Suggestion:
    """``s`` marked BACKING when its own site is a backing query's (a site reusing another's
    proof copies that one's data: the mark is each site's own)."""
    if s.code != "BKD101":
        return s
    data = {k: v for k, v in s.data.items() if k != BACKING}
    if (s.span, s.data.get("query", "")) in backing:
        data[BACKING] = "1"
    return replace(s, data=data)


def _narrowed_besides(shape: QueryShape) -> bool:
    """The query narrows by more than its OR (an equality, a range beside it)."""
    return bool(shape.eq or shape.ranges or shape.json_eq or shape.folded_eq or shape.joined)


def _led_by_an_index(table: Table, column: str) -> bool:
    """An existing index (the key, a unique column, one it is the first column of) finds the
    rows by ``column`` alone."""
    known = table.columns.get(column)
    if known is not None and (known.unique or known.indexed):
        return True
    if (
        known is not None
        and known.primary_key
        and sum(c.primary_key for c in table.columns.values()) == 1
    ):
        return True
    return any(cols[:1] == (column,) for _, cols in table.all_indexes())


def _either_suggestion(
    query: FoundQuery,
    table: Table,
    path: str,
    source_for: dict[str, Source],
    proven: dict[tuple[str, tuple[str, ...]], Suggestion],
    project: ProjectFacts | None,
) -> Suggestion | None:
    """One index on each column of an OR of equalities that no index leads with yet, proven on
    SQLite: a SCAN becomes a MULTI-INDEX OR of searches (PostgreSQL's BitmapOr). None when
    every side is served already, or the OR is of flags."""
    sides = query.shape.any_of
    known = table.columns
    if any(c not in known for c in sides) or any(few_valued(known[c]) for c in sides):
        return None
    wanted = [c for c in sides if not _led_by_an_index(table, c)]
    if not wanted or _small(table, wanted, project):
        return None
    if any(_leads_with_foreign_key(table, [c]) for c in wanted) and on_mysql(table.path):
        return None  # InnoDB made these with their foreign keys
    key = (table.name, ("|".join(wanted),))
    if key in proven:
        data = {**proven[key].data, "query": query.description}
        return replace(proven[key], span=query.span, data=data)
    proof = _prove_either(query, table, sides, wanted)
    if not proof.proven:
        return None
    edits: list[Edit] = []
    for column in wanted:
        made = index_edits(table, [column], source_for)
        if not made:
            return None
        edits.extend(made)
    served = [c for c in sides if c not in wanted]
    if len(wanted) == 1:
        title = f"Add an index on {table.name} ({wanted[0]})"
    else:
        title = f"Add indexes on {table.name} " + " and ".join(f"({c})" for c in wanted)
    existing = ", ".join(_describe(n, c) for n, c in table.all_indexes()) or "none"
    either = " OR ".join(f"{c} = ?" for c in sides)
    already = f" ({', '.join(served)} has one already)" if served else ""
    rationale = (
        f"`{query.description}` reads {table.name} by `{either}`: no single index serves an OR "
        f"of different columns, an index on each of them does{already} (existing: {existing}). "
        f"Proven on SQLite: {_proven_plans(proof, table)}"
    )
    suggestion = Suggestion(
        "BKD101",
        "index",
        path,
        query.span,
        title,
        rationale,
        tuple(edits),
        proven=True,
        data={"table": table.name, "columns": "|".join(wanted), "query": query.description},
    )
    proven[key] = suggestion
    return suggestion


def _prove_either(query: FoundQuery, table: Table, sides: list[str], wanted: list[str]) -> Proof:
    """The OR's plans before and after an index on each ``wanted`` column."""
    where = " OR ".join(f"{_q(c)} = ?" for c in sides)
    sql = f"SELECT * FROM {_q(table.name)} WHERE {where}"
    shape = query.shape
    if shape.order_by:
        parts = [
            f"{_q(c)}{' DESC' if d else ''}"
            for c, d in zip(shape.order_by, shape.order_desc, strict=False)
            if c in table.columns
        ]
        if parts:
            sql += " ORDER BY " + ", ".join(parts)
    conn = sqlite3.connect(":memory:")
    try:
        for statement in sqlite_ddl(table):
            conn.execute(statement)
        before = _plan(conn, sql)
        for i, column in enumerate(wanted):
            conn.execute(f"CREATE INDEX {PROBE}_{i} ON {_q(table.name)} ({_q(column)})")
        after = _plan(conn, sql)
    except sqlite3.Error as err:
        return Proof(False, (), (), f"SQLite could not run the probe: {err}")
    finally:
        conn.close()
    scanned = any(row.startswith("SCAN") for row in before)
    searches = [row for row in after if row.startswith("SEARCH")]
    united = any("MULTI-INDEX OR" in row for row in after) and len(searches) >= len(sides)
    if scanned and united:
        return Proof(True, before, after, "a full table SCAN becomes one index SEARCH per side")
    return Proof(False, before, after, "the planner gains nothing from the indexes")


def _small(table: Table, cols: list[str], project: ProjectFacts | None) -> bool:
    """The table stays small (small_tables.py), or only the admin adds its rows: staff
    typing them in, a few dozen (admin_rows.py)."""
    if small_table(table, cols) is not None:
        return True
    return project is not None and project.admin_adds_only(table)


def _admin_site(source: Source | None, path: str, line: int, project: ProjectFacts | None) -> bool:
    """The query runs only on an administrator's pages (admin_reads.py), or in a function
    only their code calls (admin_reach.py)."""
    if admin_read(source, path, line):
        return True
    return project is not None and project.admin_only(path, line)


def _shape_data(query: FoundQuery, table: Table, cols: list[str]) -> dict[str, str]:
    """What one_per_index weighs of the query an index on ``cols`` is for: how many of its
    leading columns are equalities, which take a handful of values, whether it reads a page
    at a time in its sort order. Nothing for a key that is not the table's own columns (an
    expression, a partial index's condition)."""
    if not cols or any(c not in table.columns for c in cols):
        return {}
    shape = query.shape
    data = {
        "equalities": str(len(set(shape.eq) & set(cols))),
        FEW: ",".join(c for c in cols if few_valued(table.columns[c])),
    }
    if _paged_sort(shape, cols, [c for c in cols if c in shape.eq]):
        data[PAGED] = "1"
    return data


def admin_only_dropped(suggestions: list[Suggestion]) -> list[Suggestion]:
    """Without the index proposals whose every query site is an administrator's page (see
    admin_reads), once one_per_index has gathered each index's sites from every file."""
    return [s for s in suggestions if not (s.code == "BKD101" and s.data.get(ADMIN))]


def _folded_suggestion(
    query: FoundQuery,
    table: Table,
    path: str,
    source_for: dict[str, Source],
    proven: dict[tuple[str, tuple[str, ...]], Suggestion],
    project: ProjectFacts | None = None,
) -> Suggestion | None:
    """The expression index a case-folded equality (``lower(name) = ?``) wants, proven on
    SQLite; None when none is worth it (the plain columns are then judged as usual)."""
    cols = folded.propose(query.shape, table)
    if cols is None or _small(table, cols, project):
        return None
    key = (table.name, tuple(cols))
    if key in proven:  # the same index for another query: one proof, one more site
        data = {**proven[key].data, "query": query.description}
        return replace(proven[key], span=query.span, data=data)
    proof = prove(query, table, cols)
    if not proof.proven:
        return None
    edits = index_edits(table, cols, source_for)
    if not edits:
        return None
    existing = ", ".join(_describe(n, c) for n, c in table.all_indexes()) or "none"
    compared = ", ".join(f"{f}({c})" for f, c in query.shape.folded_eq)
    rationale = (
        f"`{query.description}` compares {compared} for equality: an index on the column "
        f"itself (or a unique constraint on it) cannot serve a comparison of lower()/upper() "
        f"of it, only an index on the same expression can (existing: {existing}). "
        f"Proven on SQLite: {_proven_plans(proof, table)}"
    )
    suggestion = Suggestion(
        "BKD101",
        "index",
        path,
        query.span,
        f"Add an expression index on {table.name} ({', '.join(cols)})",
        rationale,
        tuple(edits),
        proven=True,
        data={
            "table": table.name,
            "columns": ",".join(cols),
            "query": query.description,
            "equalities": str(len(cols) - len(query.shape.ranges[:1])),
        },
    )
    proven[key] = suggestion
    return suggestion


def one_per_index(suggestions: list[Suggestion]) -> list[Suggestion]:
    """One suggestion per table and columns, at its first site, naming the other query sites
    that want the same index (several diagnostics for one edit were judged noise)."""
    sites: dict[int, list[str]] = {}
    out: list[Suggestion] = []
    same = _same_index(suggestions)
    # Each group is kept at the first suggestion of its own key (a composite folded into a
    # single-column proposal found later waits for it).
    kept_at: dict[tuple[str, str], int] = {}
    pending: list[tuple[tuple[str, str], Suggestion]] = []
    for s in suggestions:
        if s.code != "BKD101" or "table" not in s.data:
            out.append(s)
            continue
        own = (s.data["table"], s.data.get("columns", ""))
        key = same.get(own, own)
        if key == own and key not in kept_at:
            kept_at[key] = len(out)
            out.append(s)
        else:
            pending.append((key, s))
    for i, (key, s) in enumerate(pending):
        at = kept_at.get(key)
        own = (s.data["table"], s.data.get("columns", ""))
        if at is not None and own == key and _site_rank(s) < _site_rank(out[at]):
            # The same edit, at a site the public reaches: that one is the anchor, the
            # administrator's page is cited after it (an anchor nobody's request runs made a
            # correct index look unjustified). So for a site of its own before a backing one.
            pending[i], out[at] = (key, out[at]), s
    # Sites the public reaches are cited first, an administrator's pages after them.
    pending.sort(key=lambda p: _site_rank(p[1]))
    for key, s in pending:
        if key not in kept_at:  # cannot happen: every group has its own key's suggestion
            kept_at[key] = len(out)
            out.append(s)
            continue
        where = f"{os.path.basename(s.path)}:{s.span.start.line + 1}"
        wanted = f" `{s.data['query']}`" if s.data.get("query") else ""
        sites.setdefault(kept_at[key], []).append(f"{where}{wanted}")
        # the sites it had gathered already (in its own file) go with it
        sites[kept_at[key]].extend(_listed_sites(s.rationale))
    for key, s in pending:
        at = kept_at[key]
        if not s.data.get(ADMIN) and out[at].data.get(ADMIN):
            # a site the public reaches wants it too: not an admin-only index
            out[at] = replace(out[at], data={k: v for k, v in out[at].data.items() if k != ADMIN})
    for at, more in sites.items():
        kept = out[at]
        here = f"{os.path.basename(kept.path)}:{kept.span.start.line + 1}"
        known = set(_listed_sites(kept.rationale))
        fresh = [m for m in dict.fromkeys(more) if m not in known and m.split(" ")[0] != here]
        if not fresh:
            continue
        # a handful of sites makes the case; a long list buries the anchor's own plan
        room = max(MAX_SITES - len(known), 1)
        extra = f"\n  - (and {len(fresh) - room} more)" if len(fresh) > room else ""
        listed = "\n".join(f"  - {site}" for site in fresh[:room]) + extra
        head = "" if SAME_INDEX in kept.rationale else f"\n{SAME_INDEX}"
        out[at] = replace(kept, rationale=f"{kept.rationale}{head}\n{listed}")
    return out


def _site_rank(s: Suggestion) -> tuple[bool, bool]:
    """The order sites of one index stand for it in: a public site before an administrator's
    page, then a site of its own before a backing one (BACKING)."""
    return (bool(s.data.get(ADMIN)), bool(s.data.get(BACKING)))


def _listed_sites(rationale: str) -> list[str]:
    if SAME_INDEX not in rationale:
        return []
    listed = rationale.split(SAME_INDEX, 1)[1].split("\n")
    return [line[4:] for line in listed if line.startswith("  - ")]


def _same_index(suggestions: list[Suggestion]) -> dict[tuple[str, str], tuple[str, str]]:
    """(table, columns) -> the proposal that stands for it: a composite served by a shorter
    proposal for the same table (a prefix of it, or one of its columns alone) is folded into
    that one (two indexes where one does were judged noise); the same columns in another
    order are the first order's; and a proposal that another one, once made, leaves with
    nothing to add is folded into that one (see _served_once_made)."""
    keys = [
        (s.data["table"], s.data.get("columns", ""))
        for s in suggestions
        if s.code == "BKD101" and "table" in s.data
    ]
    # How many leading columns are equalities (a single proposal on one of them serves the
    # composite; one on its sort or range column does not).
    equalities = {
        (s.data["table"], s.data.get("columns", "")): int(s.data.get("equalities", "1"))
        for s in suggestions
        if s.code == "BKD101" and "table" in s.data
    }
    few = {
        (s.data["table"], s.data.get("columns", "")): set(
            filter(None, s.data.get(FEW, "").split(","))
        )
        for s in suggestions
        if s.code == "BKD101" and "table" in s.data
    }
    paged = {
        (s.data["table"], s.data.get("columns", ""))
        for s in suggestions
        if s.code == "BKD101" and s.data.get(PAGED)
    }
    proposed: dict[str, list[list[str]]] = {}
    for table, columns in keys:
        proposed.setdefault(table, []).append(columns.split(","))
    out: dict[tuple[str, str], tuple[str, str]] = {}
    by_set: dict[tuple[str, frozenset[str]], tuple[str, str]] = {}
    needs_all: dict[str, list[list[str]]] = {}
    for table, columns in keys:
        cols = columns.split(",")
        key = (table, columns)
        served_by = _served_by_another(
            cols, proposed[table], equalities[key], few[key], key in paged
        )
        if served_by is not None:
            out[key] = (table, ",".join(served_by))
            continue
        out[key] = by_set.setdefault((table, frozenset(cols)), key)
        if out[key] == key:
            needs_all.setdefault(table, []).append(cols)
    for (table, columns), stands in list(out.items()):
        # A status alone that a composite led by it serves exactly (its leftmost columns):
        # the composite is the one index, the status queries are its other sites.
        cols = columns.split(",")
        longer = [
            c for c in needs_all.get(table, []) if len(c) > len(cols) and c[: len(cols)] == cols
        ]
        if stands == (table, columns) and longer and set(cols) <= few[(table, columns)]:
            out[(table, columns)] = (table, ",".join(longer[0]))
    _fold_served(out, list(dict.fromkeys(keys)), equalities, few, paged)
    return out


IndexKey = tuple[str, str]  # (table, its columns joined by commas)


def _fold_served(
    out: dict[IndexKey, IndexKey],
    keys: list[IndexKey],
    equalities: dict[IndexKey, int],
    few: dict[IndexKey, set[str]],
    paged: set[IndexKey],
) -> None:
    """Folds each standing proposal into another standing one of its table that, once made,
    leaves its query nothing to add; of two that serve each other, into the shorter, then the
    first (as a prefix is preferred above). Two proposals on one model, each adding its own
    index at the same place in the model (a real app's two lookups of one organizer's
    e-mail, each sorted its own way), were one index too many: once either exists, the engine
    proposes nothing for the other."""
    standing = [k for k in keys if out.get(k) == k]
    order = {k: i for i, k in enumerate(standing)}

    def served(key: IndexKey, by: IndexKey) -> bool:
        return _served_once_made(key, by, equalities[key], few[key], key in paged)

    folded: dict[IndexKey, IndexKey] = {}
    for key in standing:
        best: IndexKey | None = None
        for other in standing:
            if other == key or other[0] != key[0] or not served(key, other):
                continue
            rank = (len(other[1].split(",")), order[other])
            if served(other, key) and rank > (len(key[1].split(",")), order[key]):
                continue  # each serves the other: the shorter one stays, then the first
            if best is None or rank < (len(best[1].split(",")), order[best]):
                best = other
        if best is not None:
            folded[key] = best
    for key, stands in list(out.items()):
        seen = {stands}
        while stands in folded and folded[stands] not in seen:
            stands = folded[stands]
            seen.add(stands)
        out[key] = stands


def _served_once_made(
    key: IndexKey, by: IndexKey, equalities: int, few: set[str], paged: bool
) -> bool:
    """Whether the index ``by``, once made, serves the query of the proposal ``key`` as
    propose() judges: its leftmost columns are ``key``'s (it covers them), or it leads with
    all of ``key``'s equality columns, which find the query's rows (a few, then sorted) --
    unless those are few-valued (a status finds most rows) or the query reads a page at a
    time in its sort order (then the sort is what the index is for)."""
    cols, other = key[1].split(","), by[1].split(",")
    if len(other) > len(cols) and other[: len(cols)] == cols:
        return True
    if equalities < 1 or paged or set(cols[:equalities]) <= few:
        return False
    return len(other) >= equalities and set(other[:equalities]) == set(cols[:equalities])


def _served_by_another(
    cols: list[str],
    others: list[list[str]],
    equalities: int = 1,
    few: set[str] | None = None,
    paged: bool = False,
) -> list[str] | None:
    """A shorter proposal for the same table that serves ``cols`` well enough: a proper
    prefix of it, or one of its equality columns alone (the longest such). Not one of
    few-valued columns only (``status``): ``status = finished`` matches most rows, so the
    range or sort behind it is what narrows (a judge found ``task (status)`` claimed to serve
    a 7-day range over the finished tasks). Nor a prefix of its equalities alone when the
    query reads a page at a time in its sort order (``paged``): the sort is what it needs,
    and the shorter one is folded into it instead (_fold_served)."""
    if len(cols) < 2:
        return None
    best: list[str] | None = None
    for other in others:
        if len(other) >= len(cols) or other == cols:
            continue
        if few is not None and set(other) <= few:
            continue
        if other == cols[: len(other)]:
            # The rows its equalities find are a parent's few, sorted in a moment; a page
            # of them read in the sort's order is not (see _paged_sort).
            serves = len(other) < equalities or not paged
        else:
            serves = len(other) == 1 and other[0] in cols[: max(equalities, 1)]
        if serves and (best is None or len(other) > len(best)):
            best = other
    if best is not None and len(best) > 1:
        deeper = _served_by_another(best, others, few=few)  # (a, b, c) -> (a, b) -> (a)
        return deeper if deeper is not None else best
    return best


def _describe(name: str, cols: tuple[str, ...]) -> str:
    if name.endswith("(column)"):
        return f"{cols[0]} (key, unique or indexed)" if cols else name
    return f"{name} ({', '.join(cols)})"


def _rationale(query: FoundQuery, table: Table, cols: list[str], proof: Proof) -> str:
    shape = query.shape
    order = []
    if shape.eq:
        order.append(f"equality on {', '.join(shape.eq[:MAX_INDEX_COLUMNS])} first")
    if shape.ranges and len(cols) > len(shape.eq[:MAX_INDEX_COLUMNS]):
        order.append(f"then the range on {shape.ranges[0]}")
    elif shape.order_by and len(cols) > len(shape.eq[:MAX_INDEX_COLUMNS]):
        then = "then " if order else ""
        order.append(f"{then}the ORDER BY on {', '.join(shape.order_by)}")
    existing = ", ".join(_describe(n, c) for n, c in table.all_indexes()) or "none"
    return (
        f"`{query.description}` reads {table.name} by {'; '.join(order) or 'its sort order'}, "
        f"and no index serves it (existing: {existing}).{trailing_key_note(table, cols)} "
        f"Proven on SQLite: {_proven_plans(proof, table)}"
    )


def trailing_key_note(table: Table, cols: list[str]) -> str:
    """Why a composite primary key does not serve an index led by one of its later columns
    (an association table's ``(artist_id, song_id)`` walked from the song's side): said in
    the rationale, where the key is listed as existing and seems to cover the column."""
    keys = [c.name for c in table.columns.values() if c.primary_key]
    if len(keys) < 2 or not cols or cols[0] not in keys[1:]:
        return ""
    return (
        f" The primary key ({', '.join(keys)}) is one index, led by {keys[0]}: it finds rows "
        f"by {keys[0]}, never by {cols[0]} alone."
    )


def _proven_plans(proof: Proof, table: Table) -> str:
    """What the SQLite planner showed, both plans, and the migration step the app uses: the
    tail of every index rationale proven on SQLite."""
    step = migration_step(table)
    return (
        f"{proof.why}.\n"
        f"Plan before: {' | '.join(proof.before)}\n"
        f"Plan after:  {' | '.join(proof.after)}" + (f"\n{step}" if step else "")
    )
