"""The app's schema in the throwaway cluster, filled with synthetic rows, ANALYZEd.

Each table is created from its DDL as written (PostgreSQL DDL runs as is: JSONB, expression and
partial indexes, GIN), retried after the others when it references one not yet created, and
otherwise built from the columns we read (ORM models: their types mapped to PostgreSQL's). The
rows are then made from what the catalog says each column is, so the values fit the real types:
keys unique, foreign keys pointing at rows their parent has (the parent's key of row i is the
same function of i), low-cardinality names (status, kind...) given a few values, the rest spread.
Triggers and foreign-key checks are off while loading (``session_replication_role = replica``)
and CHECK constraints are dropped: the rows are synthetic, the access paths are what counts.

A table is reloaded only when what we know of it changes (its fingerprint), so the cluster
serves a whole session while the schema stays the same.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..offline.schema import Schema, Table

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
ROWS = 100_000
SPREAD = 7919  # a prime: (g * SPREAD) % n visits every row index once, out of physical order
LOW_CARDINALITY = re.compile(
    r"(^|_)(status|state|type|kind|role|category|level|priority|country|currency|lang|locale|"
    r"plan|tier|gender|source|channel)$"
)


@dataclass
class LoadedTable:
    fingerprint: str
    ok: bool
    rows: int = 0
    why: str = ""
    json_keys: set[tuple[str, str]] = field(default_factory=set)  # (column, key) filled in


@dataclass
class ColumnInfo:
    name: str
    type: str  # format_type(): "character varying(80)", "jsonb", "bigint"...
    kind: str  # pg_type.typtype: b base, e enum, d domain...
    not_null: bool
    identity: bool
    generated: bool
    element: str = ""  # for arrays, the element's format_type


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fingerprint(table: Table) -> str:
    parts = [table.name, *table.ddl, repr(sorted(table.indexes))]
    for c in table.columns.values():
        parts.append(f"{c.name}:{c.type}:{c.primary_key}:{c.unique}:{c.indexed}:{c.references}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


# ORM type names -> PostgreSQL types (SQLAlchemy's and Django's common ones).
_ORM_TYPES = (
    (
        re.compile(
            r"^(Big(Integer|AutoField)|BigInteger|ForeignKey|OneToOneField|PositiveBig)", re.I
        ),
        "bigint",
    ),
    (re.compile(r"^(Small)", re.I), "smallint"),
    (re.compile(r"(Integer|AutoField|Serial|^int)", re.I), "integer"),
    (re.compile(r"Bool", re.I), "boolean"),
    (re.compile(r"DateTime|TIMESTAMP", re.I), "timestamptz"),
    (re.compile(r"^Date", re.I), "date"),
    (re.compile(r"^Time", re.I), "time"),
    (re.compile(r"Interval|Duration", re.I), "interval"),
    (re.compile(r"JSON", re.I), "jsonb"),
    (re.compile(r"UUID", re.I), "uuid"),
    (re.compile(r"Float|Double|REAL", re.I), "double precision"),
    (re.compile(r"Numeric|Decimal", re.I), "numeric"),
    (re.compile(r"Binary|LargeBinary|BLOB|bytea", re.I), "bytea"),
    (re.compile(r"INET|GenericIPAddress", re.I), "inet"),
)


def pg_type(declared: str) -> str:
    name = declared.split(".")[-1]
    for pattern, mapped in _ORM_TYPES:
        if pattern.search(name):
            return mapped
    return "text"


_CREATE_TABLE = re.compile(r"\s*CREATE\s+(TEMP\w*\s+)?TABLE", re.I)


def _unqualified(ddl: str, table: str) -> str:
    """``ON partysvc.respondent`` -> ``ON respondent``: the cluster has the table in public."""
    return re.sub(
        rf'(\bON\s+(?:ONLY\s+)?)"?\w+"?\s*\.\s*("?{re.escape(table)}"?)(?=[\s(])',
        r"\1\2",
        ddl,
        flags=re.I,
    )


def generated_ddl(table: Table) -> list[str]:
    """CREATE statements from the columns we read (an ORM model, or DDL PostgreSQL refused)."""
    keys = [c for c in table.columns.values() if c.primary_key]
    cols = []
    for c in table.columns.values():
        unique = " UNIQUE" if c.unique and not c.primary_key else ""
        pk = " PRIMARY KEY" if c.primary_key and len(keys) == 1 else ""
        cols.append(f"{q(c.name)} {pg_type(c.type)}{pk}{unique}")
    if len(keys) > 1:
        cols.append(f"PRIMARY KEY ({', '.join(q(c.name) for c in keys)})")
    out = [f"CREATE TABLE {q(table.name)} ({', '.join(cols)})"]
    for i, (kind, columns) in enumerate(table.indexes):
        # an expression part (``(meta ->> 'source')``, from text() or F()) is SQL as written
        if columns and all(c in table.columns or c.startswith("(") for c in columns):
            unique = "UNIQUE " if "Unique" in kind or kind == "unique_together" else ""
            parts = [c if c.startswith("(") else q(c) for c in columns]
            out.append(
                f"CREATE {unique}INDEX {q(f'{table.name}_existing_{i}')} ON {q(table.name)} "
                f"({', '.join(parts)})"
            )
    for c in table.columns.values():
        if c.indexed and not c.primary_key and not c.unique:
            out.append(f"CREATE INDEX ON {q(table.name)} ({q(c.name)})")
    return out


class Loader:
    """Keeps one database of the cluster in step with the app's schema, table by table."""

    def __init__(self, conn: psycopg.Connection[Any], rows: int = ROWS) -> None:
        self.conn = conn
        self.rows = rows
        self.tables: dict[str, LoadedTable] = {}

    def sync(self, schema: Schema, only: Iterable[str] | None = None) -> None:
        """Load what changed: every table, or those in ``only`` and the tables they reference
        (a first proof waits for the tables it reads, not for the whole schema)."""
        wanted = {name: t for name, t in schema.tables.items() if t.columns}
        for name in list(self.tables):
            if name not in wanted or self.tables[name].fingerprint != fingerprint(wanted[name]):
                self._drop(name)
        names = set(wanted) if only is None else _with_parents(set(only), schema)
        stale = [t for n, t in sorted(wanted.items()) if n in names and n not in self.tables]
        if not stale:
            return
        created = self._create_all(stale)
        for table in stale:
            loaded = self.tables[table.name]
            if table.name in created and loaded.ok:
                self._fill(table, schema, loaded)

    def ensure_json_key(self, table: str, column: str, key: str) -> None:
        """Give every row's JSON ``column`` the field ``key`` (a thousand values spread over the
        rows): a query reads ``payload->>'source'``, so the rows must have a source."""
        loaded = self.tables.get(table)
        if loaded is None or not loaded.ok or (column, key) in loaded.json_keys:
            return
        loaded.json_keys.add((column, key))
        kind = next((c.type for c in self.columns(table) if c.name == column), "")
        if kind not in ("json", "jsonb"):
            return
        self.conn.execute(
            f"UPDATE {q(table)} SET {q(column)} = (coalesce({q(column)}::jsonb, '{{}}'::jsonb)"
            f" || jsonb_build_object(%s::text, 's' || abs(hashtext(ctid::text)) %% 1000))::{kind}",
            (key,),
        )
        self.conn.execute(f"ANALYZE {q(table)}")

    def _drop(self, name: str) -> None:
        self.conn.execute(f"DROP TABLE IF EXISTS {q(name)} CASCADE")
        self.tables.pop(name, None)

    def _create_all(self, tables: list[Table]) -> set[str]:
        """Creates ``tables`` as written, in as many passes as references need; the rest from
        their columns. Returns the names created."""
        created: set[str] = set()
        pending = [t for t in tables if any(_CREATE_TABLE.match(d) for d in t.ddl)]
        for _ in range(len(pending) + 1):
            progress = False
            for table in list(pending):
                if self._run(table.ddl, table.name):
                    created.add(table.name)
                    pending.remove(table)
                    progress = True
            if not progress:
                break
        for table in tables:
            fp = fingerprint(table)
            if table.name in created:
                self.tables[table.name] = LoadedTable(fp, True)
                continue
            # an ORM model's DDL is only what its migrations run by hand (``op.execute("CREATE
            # INDEX ... ON partysvc.t ...")``): its indexes, on the table built from the columns
            written = [_unqualified(d, table.name) for d in table.ddl if not _CREATE_TABLE.match(d)]
            if self._run(generated_ddl(table) + written, table.name):
                created.add(table.name)
                self.tables[table.name] = LoadedTable(fp, True)
            else:
                self.tables[table.name] = LoadedTable(fp, False, why="its DDL does not run")
        return created

    def _run(self, statements: list[str], name: str) -> bool:
        """All of ``statements`` or none; index statements that fail are left out (an index
        on an expression we cannot rebuild must not keep the table from being proven)."""
        import psycopg

        creates = [s for s in statements if _CREATE_TABLE.match(s)]
        others = [s for s in statements if s not in creates]
        try:
            with self.conn.transaction():
                for statement in creates:
                    self.conn.execute(statement.rstrip().rstrip(";"))
        except psycopg.Error as err:
            log.debug("CREATE TABLE %s failed: %s", name, err)
            return False
        for statement in others:
            try:
                with self.conn.transaction():
                    self.conn.execute(statement.rstrip().rstrip(";"))
            except psycopg.Error as err:
                log.debug("an index of %s failed: %s", name, err)
        return True

    # -- synthetic rows ------------------------------------------------------------------------

    def columns(self, name: str) -> list[ColumnInfo]:
        rows = self.conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typtype, a.attnotnull,"
            " a.attidentity <> '', a.attgenerated <> '',"
            " coalesce(format_type(NULLIF(t.typelem, 0), NULL), '')"
            " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped"
            " ORDER BY a.attnum",
            (q(name),),
        ).fetchall()
        return [
            ColumnInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6] if r[1].endswith("[]") else "")
            for r in rows
        ]

    def _unique_columns(self, name: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
            " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = %s::regclass AND i.indisunique",
            (q(name),),
        ).fetchall()
        return {r[0] for r in rows}

    def _foreign_keys(self, name: str) -> dict[str, tuple[str, str]]:
        """Single-column foreign keys: column -> (parent table, parent column)."""
        rows = self.conn.execute(
            "SELECT a.attname, c.confrelid::regclass::text, pa.attname FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]"
            " WHERE c.conrelid = %s::regclass AND c.contype = 'f'",
            (q(name),),
        ).fetchall()
        return {r[0]: (r[1].strip('"'), r[2]) for r in rows}

    def _later_keys(self, name: str, fks: dict[str, tuple[str, str]]) -> dict[str, str]:
        """Foreign keys that follow another foreign key in a composite unique key: column ->
        that earlier column. An association table's ``PRIMARY KEY (artist_id, song_id)`` gets
        the same function of the row index in both columns otherwise, so its pairs repeat and
        no row loads (a real app's artist_song could not be proven on PostgreSQL)."""
        rows = self.conn.execute(
            "SELECT array_agg(a.attname ORDER BY k.i) FROM pg_index x"
            " CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, i)"
            " JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum"
            " WHERE x.indrelid = %s::regclass AND x.indisunique AND x.indnatts > 1"
            " GROUP BY x.indexrelid",
            (q(name),),
        ).fetchall()
        out: dict[str, str] = {}
        for (columns,) in rows:
            keys = [c for c in columns if c in fks]
            for later in keys[1:]:
                out.setdefault(later, keys[0])
        return out

    def _fill(self, table: Table, schema: Schema, loaded: LoadedTable) -> None:
        import psycopg

        name = table.name
        try:
            columns = self.columns(name)
            unique = self._unique_columns(name)
            fks = self._foreign_keys(name)
            for c in table.columns.values():  # ORM foreign keys (no constraint was written)
                parent = schema.tables.get(c.references) or schema.table_for_model(c.references)
                if parent is not None and c.name not in fks:
                    keys = [k for k in parent.columns.values() if k.primary_key]
                    if keys:
                        fks[c.name] = (parent.name, keys[0].name)
            later = self._later_keys(name, fks)
            with self.conn.transaction():
                self.conn.execute("SET LOCAL session_replication_role = replica")
                for (check,) in self.conn.execute(
                    "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass"
                    " AND contype = 'c'",
                    (q(name),),
                ).fetchall():
                    self.conn.execute(f"ALTER TABLE {q(name)} DROP CONSTRAINT {q(check)}")
                names, values = [], []
                for col in columns:
                    if col.generated:
                        continue
                    expr = self._value(col, name, unique, fks, later)
                    if expr is None:
                        if col.not_null:
                            self.conn.execute(
                                f"ALTER TABLE {q(name)} ALTER COLUMN {q(col.name)} DROP NOT NULL"
                            )
                        continue
                    names.append(q(col.name))
                    values.append(expr)
                self.conn.execute(
                    f"INSERT INTO {q(name)} ({', '.join(names)}) OVERRIDING SYSTEM VALUE"
                    f" SELECT {', '.join(values)} FROM generate_series(1, {self.rows}) AS g"
                )
            self.conn.execute(f"ANALYZE {q(name)}")
            loaded.rows = self.rows
        except psycopg.Error as err:
            loaded.ok = False
            loaded.why = f"synthetic rows could not be loaded: {str(err).splitlines()[0]}"
            log.info("%s: %s", name, loaded.why)

    def _value(
        self,
        col: ColumnInfo,
        table: str,
        unique: set[str],
        fks: dict[str, tuple[str, str]],
        later: dict[str, str] | None = None,
    ) -> str | None:
        n = self.rows
        spread = f"((g * {SPREAD}) % {n} + 1)"
        if col.name in fks:
            # about ten children per parent, among the first tenth of the parents
            parents = self._parents(fks[col.name][0])
            key = f"((g * {SPREAD}) % {parents} + 1)"
            earlier = (later or {}).get(col.name)
            if earlier is not None:
                # The rows sharing the earlier key's value are ``g`` a period of it apart:
                # ``g / period`` tells them apart, so each pair is a row of its own while each
                # value still has about ten rows.
                period = self._parents(fks[earlier][0])
                key = f"(((g * {SPREAD}) % {parents} + g / {period}) % {parents} + 1)"
            return key_value(col, key)
        if col.name in unique:
            return key_value(col, "g")
        base = col.type.split("(")[0]
        if base == "boolean":
            return "(g % 2 = 0)"
        if LOW_CARDINALITY.search(col.name.lower()) or col.kind == "e":
            return typed_value(col, "(g % 5 + 1)")
        if re.search(r"(^|_)(deleted|archived|removed)(_at|_on)?$", col.name.lower()):
            return f"CASE WHEN g % 10 = 0 THEN {typed_value(col, spread)} END"
        if base.startswith("timestamp") or base == "date":
            return typed_value(col, "g")  # inserted in time order, as real rows are
        return typed_value(col, f"({spread} % {max(1, n // 10)} + 1)")

    def _parents(self, parent: str) -> int:
        """How many of ``parent``'s rows the children's foreign keys point at: the first
        tenth of them."""
        loaded = self.tables.get(parent)
        count = loaded.rows if loaded and loaded.rows else self.rows
        return max(1, count // 10)


_REFERENCES = re.compile(r'\bREFERENCES\s+(?:\w+\.)?"?(\w+)"?', re.IGNORECASE)


def _with_parents(names: set[str], schema: Schema) -> set[str]:
    out: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        table = schema.tables.get(name)
        if name in out or table is None:
            continue
        out.add(name)
        todo += [m.group(1) for ddl in table.ddl for m in _REFERENCES.finditer(ddl)]
        for column in table.columns.values():
            parent = schema.tables.get(column.references) or schema.table_for_model(
                column.references
            )
            if parent is not None:
                todo.append(parent.name)
    return out


def key_value(col: ColumnInfo, k: str) -> str | None:
    """The value of a key whose row index is ``k``: the same function for a parent's primary
    key and for a child's foreign key, so the two always meet."""
    return typed_value(col, k)


def typed_value(col: ColumnInfo, k: str) -> str | None:
    """A value of ``col``'s type, a function of the integer SQL expression ``k``."""
    t = col.type
    base = t.split("(")[0].strip()
    if col.kind == "e":
        enum = f"enum_range(NULL::{t})"
        return f"({enum})[1 + ({k}) % cardinality({enum})]"
    if t.endswith("[]"):
        inner = ColumnInfo(col.name, col.element, "b", False, False, False)
        value = typed_value(inner, k)
        return f"ARRAY[{value}]::{t}" if value else None
    if base in ("smallint",):
        return f"(({k}) % 32000)::smallint"
    if base in ("integer", "bigint", "oid"):
        return f"({k})::{base}"
    if base in ("numeric", "real", "double precision", "money"):
        precision = re.search(r"\((\d+),\s*(\d+)\)", t)
        if precision:
            limit = 10 ** (int(precision.group(1)) - int(precision.group(2))) - 1
            return f"(({k}) % {max(1, limit)})::{t}"
        return f"({k})::{t}"
    if base in ("text", "character varying", "character", "citext", "name"):
        length = re.search(r"\((\d+)\)", t)
        value = f"('v' || ({k}))"
        if length:
            value = f"right({value}, {length.group(1)})"
        return f"{value}::{t}"
    if base == "uuid":
        return f"md5(({k})::text)::uuid"
    if base.startswith("timestamp"):
        return f"(timestamp '2024-01-01' + ({k}) * interval '37 seconds')::{t}"
    if base == "date":
        return f"(date '2000-01-01' + (({k}) % 20000)::int)"
    if base.startswith("time"):
        return f"(time '00:00' + (({k}) % 86400) * interval '1 second')::{t}"
    if base == "interval":
        return f"(({k}) * interval '1 second')"
    if base == "boolean":
        return f"(({k}) % 2 = 0)"
    if base in ("jsonb", "json"):
        return f"jsonb_build_object('id', {k})::{base}"
    if base == "bytea":
        return f"decode(md5(({k})::text), 'hex')"
    if base in ("inet", "cidr"):
        return f"('10.0.0.0'::inet + ({k}))::{base}"
    if base == "tsvector":
        return f"to_tsvector('simple', 'w' || ({k}))"
    return None
