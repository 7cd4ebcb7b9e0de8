"""Index suggestions, each proven on SQLite's real planner before it is shown.

The proposal follows SQLite's ``.expert`` and Dexter: equality columns first, then one range
column or the ORDER BY columns, at most three, nothing an existing index already covers. The proof
builds the table and its existing indexes in an in-memory SQLite (our own small DDL translation:
sqlglot's SQLite output often does not run), runs ``EXPLAIN QUERY PLAN`` before and after adding
the index, and keeps the suggestion only when a SCAN becomes a SEARCH, a temporary B-tree for
ORDER BY disappears, or a covering index appears.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Protocol

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .pysource import Source
from .queries import FoundQuery
from .schema import Schema, Table

MAX_INDEX_COLUMNS = 3
PROBE = "proposed_index"  # its name in the plans the rationale shows


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
    cols = list(dict.fromkeys(shape.eq))[:MAX_INDEX_COLUMNS]
    if len(cols) < MAX_INDEX_COLUMNS:
        if shape.ranges:
            cols.append(shape.ranges[0])
        elif shape.order_by and len(set(shape.order_desc)) <= 1:
            for column in shape.order_by:
                if len(cols) >= MAX_INDEX_COLUMNS:
                    break
                if column not in cols:
                    cols.append(column)
    if not cols or table.covered(cols):
        return None
    return cols


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
    for i, (_, cols) in enumerate(table.indexes):
        if cols and all(c in table.columns for c in cols):
            statements.append(
                f"CREATE INDEX {_q(f'existing_{i}')} ON {_q(table.name)} "
                f"({', '.join(_q(c) for c in cols)})"
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
    where = [f"{_q(c)} = ?" for c in shape.eq] + [f"{_q(c)} > ?" for c in shape.ranges]
    sql = f"SELECT * FROM {_q(table.name)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if shape.order_by:
        parts = [
            f"{_q(c)}{' DESC' if d else ''}"
            for c, d in zip(shape.order_by, shape.order_desc, strict=False)
        ]
        sql += " ORDER BY " + ", ".join(parts)
    return sql


def _plan(conn: sqlite3.Connection, sql: str) -> tuple[str, ...]:
    params = [None] * sql.count("?")
    return tuple(str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def prove(found: FoundQuery, table: Table, cols: list[str]) -> Proof:
    conn = sqlite3.connect(":memory:")
    try:
        for statement in sqlite_ddl(table):
            conn.execute(statement)
        query = probe_query(found, table)
        before = _plan(conn, query)
        conn.execute(f"CREATE INDEX {PROBE} ON {_q(table.name)} ({', '.join(_q(c) for c in cols)})")
        after = _plan(conn, query)
    except sqlite3.Error as err:
        return Proof(False, (), (), f"SQLite could not run the probe: {err}")
    finally:
        conn.close()
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
    if sorted_before and not sorted_after and uses_probe:
        return Proof(True, before, after, "the temporary B-tree for ORDER BY disappears")
    if covering:
        return Proof(True, before, after, "a covering index answers the query alone")
    return Proof(False, before, after, "the planner gains nothing from the index")


def index_name(table: Table, cols: list[str], limit: int = 63) -> str:
    name = f"ix_{table.name}_{'_'.join(cols)}"
    return name[:limit]


def index_edits(table: Table, cols: list[str], source_for: dict[str, Source]) -> list[Edit] | None:
    """The edit that adds the index where the table is defined (None: no clean edit)."""
    name = index_name(table, cols, 30 if table.origin == "django" else 63)
    columns = ", ".join(cols)
    if table.origin == "sql":
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
    source = source_for.get(table.path)
    if source is None:
        return None
    if len(cols) == 1:
        column = table.columns[cols[0]]
        if column.call_end is None:
            return None
        flag = "index=True" if table.origin == "sqlalchemy" else "db_index=True"
        sep = ", " if column.call_has_args else ""
        return [Edit(table.path, Span(column.call_end, column.call_end), f"{sep}{flag}")]
    indent = table.class_indent
    eol = source.eol
    at = Position(table.class_body_end + 1, 0)
    if table.origin == "sqlalchemy":
        if table.has_table_args:
            return None
        quoted = ", ".join(f'"{c}"' for c in cols)
        edits = [
            Edit(
                table.path,
                Span(at, at),
                f'{indent}__table_args__ = (Index("{name}", {quoted}),){eol}',
            )
        ]
        from .pyedits import ensure_imports

        return [*ensure_imports(source, [("sqlalchemy", "Index")]), *edits]
    fields = ", ".join(f'"{c}"' for c in cols)
    index = f'models.Index(fields=[{fields}], name="{name}")'
    if table.meta_line is None:
        text = f"{eol}{indent}class Meta:{eol}{indent}    indexes = [{index}]{eol}"
        return [Edit(table.path, Span(at, at), text)]
    meta_text = "\n".join(source.lines[table.meta_line : table.class_body_end + 1])
    if "indexes" in meta_text:
        return None
    after_meta = Position(table.meta_line + 1, 0)
    return [Edit(table.path, Span(after_meta, after_meta), f"{indent}    indexes = [{index}]{eol}")]


def index_suggestions(
    found: list[FoundQuery],
    schema: Schema,
    path: str,
    source_for: dict[str, Source],
    prover: IndexProver | None = None,
) -> list[Suggestion]:
    out: list[Suggestion] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for query in found:
        table = schema.tables.get(query.shape.table)
        if table is None:
            continue
        cols = propose(query, table)
        verdict = prover.suggestions(query, table, cols, path, source_for) if prover else None
        if verdict is not None:
            for s in verdict:
                key = (table.name, tuple(s.data.get("columns", "").split(",")))
                if key not in seen:
                    seen.add(key)
                    out.append(s)
            continue
        if cols is None or (table.name, tuple(cols)) in seen:
            continue
        proof = prove(query, table, cols)
        if not proof.proven:
            continue
        edits = index_edits(table, cols, source_for)
        if not edits:
            continue
        seen.add((table.name, tuple(cols)))
        out.append(
            Suggestion(
                "BKD101",
                "index",
                path,
                query.span,
                f"Add an index on {table.name} ({', '.join(cols)})",
                _rationale(query, table, cols, proof),
                tuple(edits),
                proven=True,
                data={"table": table.name, "columns": ",".join(cols)},
            )
        )
    return out


def _describe(name: str, cols: tuple[str, ...]) -> str:
    if name.endswith("(column)"):
        return f"{cols[0]} (primary key or unique)" if cols else name
    return f"{name} ({', '.join(cols)})"


def _rationale(query: FoundQuery, table: Table, cols: list[str], proof: Proof) -> str:
    shape = query.shape
    order = []
    if shape.eq:
        order.append(f"equality on {', '.join(shape.eq[:MAX_INDEX_COLUMNS])} first")
    if shape.ranges and len(cols) > len(shape.eq[:MAX_INDEX_COLUMNS]):
        order.append(f"then the range on {shape.ranges[0]}")
    elif shape.order_by and len(cols) > len(shape.eq[:MAX_INDEX_COLUMNS]):
        order.append(f"then the ORDER BY on {', '.join(shape.order_by)}")
    existing = ", ".join(_describe(n, c) for n, c in table.all_indexes()) or "none"
    return (
        f"`{query.description}` reads {table.name} by {'; '.join(order) or 'its sort order'}, "
        f"and no index serves it (existing: {existing}). Proven on SQLite: {proof.why}.\n"
        f"Plan before: {' | '.join(proof.before)}\n"
        f"Plan after:  {' | '.join(proof.after)}"
    )
