"""What the offline engine and the agent path ask: prove these indexes on PostgreSQL.

``postgres_prover`` gives a prover when the app is a PostgreSQL app and a cluster can be had
(None otherwise: the caller proves on SQLite). The first call starts the cluster and loads the
schema, in the calling thread, which is never the event loop (the engine runs in a worker, the
agent's answer is parsed in one); later calls reuse both while the schema is unchanged, and a
proof already made is answered from memory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...definitions.findings import Span
from ..offline.indexes import index_edits, index_name, trailing_key_note
from ..offline.migrations import orm_migration_tool, sql_script_step
from ..offline.queries import FoundQuery
from ..offline.schema import Schema, Table
from ..offline.sql import index_defs, split_statements
from ..suggestion import Edit, Suggestion
from . import SWITCH as SWITCH
from . import proofs_off
from .cluster import CLUSTERS, NoPostgres
from .detect import app_root, postgres_evidence, sqlite_evidence
from .load import Loader, fingerprint, q
from .probes import Probe, index_terms, probe_for
from .proof import PROBE, PgProof, compare, has_hypopg
from .session import PgSession
from .userdb import DATABASE_URL, user_session

if TYPE_CHECKING:
    from ..offline.pysource import Source

log = logging.getLogger(__name__)
MEMORY = 5000  # proofs remembered per database before the memory starts afresh
CONCURRENTLY = (
    "On a live table, build it with CREATE INDEX CONCURRENTLY in its own migration (outside a "
    "transaction: Alembic's autocommit_block(), Django's AddIndexConcurrently with "
    "atomic = False), so writes are not blocked while it builds."
)


def _concurrently(table: Table) -> str:
    """How to build it on a live database: in the app's schema-change script when the app's
    schema comes from SQL scripts (the models only mirror it), else in a migration its own
    tool writes (a Django edit with no word of its migration was judged unmergeable: the
    app's CI runs ``makemigrations --check``)."""
    if table.sql_home is not None and not orm_migration_tool(table):
        return sql_script_step(table.sql_home)
    if table.origin == "django":
        return DJANGO_CONCURRENTLY
    tool = orm_migration_tool(table) if table.origin in ("sqlalchemy", "table") else ""
    return f"{tool} {CONCURRENTLY}" if tool else CONCURRENTLY


DJANGO_CONCURRENTLY = (
    "Then `python manage.py makemigrations` writes the migration; on a live table, make its "
    "operation `AddIndexConcurrently` (from django.contrib.postgres.operations) in a migration "
    "with `atomic = False`, so writes are not blocked while it builds."
)


# Sessions kept open at once: the throwaway cluster takes max_connections=20, and a process
# that proves many apps (a test run, a server over many workspaces) closes the least recent.
MAX_SESSIONS = 8


class Sessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_root: OrderedDict[str, PgSession] = OrderedDict()

    def get(self, root: str) -> PgSession:
        with self._lock:
            session = self._by_root.get(root)
            if session is not None and not session.conn.closed:
                self._by_root.move_to_end(root)
                return session
            while len(self._by_root) >= MAX_SESSIONS:
                _, oldest = self._by_root.popitem(last=False)
                try:
                    oldest.conn.close()
                except Exception:  # a connection the server already dropped
                    log.debug("closing an old proof session failed", exc_info=True)
            cluster = CLUSTERS.get()
            dbname = "app_" + hashlib.sha256(root.encode()).hexdigest()[:10]
            with cluster.connect() as admin:
                exists = admin.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)
                ).fetchone()
                if exists is None:
                    admin.execute(f"CREATE DATABASE {q(dbname)}")
            conn = cluster.connect(dbname)
            session = PgSession(conn, Loader(conn), cluster.version, has_hypopg(conn))
            self._by_root[root] = session
            return session


SESSIONS = Sessions()


def postgres_prover(path: str, root: str | None, schema: Schema) -> PostgresProver | None:
    if proofs_off():
        return None
    url = os.environ.get(DATABASE_URL, "")
    if url:
        try:
            return PostgresProver(user_session(url), "your database", schema)
        except (ImportError, NoPostgres) as err:
            log.warning("index proofs: %s", err)
    if root is None:
        return None
    if sqlite_evidence(path):
        return None
    evidence = postgres_evidence(path)  # the app's own declarations, not a parent repository's
    if evidence is None:
        return None
    try:
        import psycopg  # noqa: F401  (the driver: without it there is no proof on PostgreSQL)

        session = SESSIONS.get(app_root(path))
    except (ImportError, NoPostgres) as err:
        log.info("index proofs stay on SQLite: %s", err)
        return None
    except Exception:
        log.exception("the PostgreSQL cluster could not be prepared")
        return None
    return PostgresProver(session, evidence, schema)


@dataclass
class Candidate:
    title: str
    create: str  # the CREATE INDEX statement, the index named PROBE
    edits: list[Edit] | None
    columns: str  # for dedup and for data["columns"]
    name: str  # the index the edit creates (shown in the plans)


class PostgresProver:
    def __init__(self, session: PgSession, evidence: str, schema: Schema) -> None:
        self.session = session
        self.evidence = evidence
        self.schema = schema

    @property
    def engine(self) -> str:
        return self.session.engine

    def loaded(self, table: Table, also: Iterable[str] = ()) -> bool:
        """``table`` (and the others a query reads) in the cluster as the schema has them now,
        loaded first when they are not."""
        import psycopg

        if self.session.readonly:  # the user's database: its tables are what they are
            return self._exists(table.name)
        try:
            with self.session.lock:
                self.session.loader.sync(self.schema, only={table.name, *also})
        except psycopg.Error:
            log.exception("loading %s into PostgreSQL failed", table.name)
            return False
        loaded = self.session.loader.tables.get(table.name)
        return loaded is not None and loaded.ok and loaded.fingerprint == fingerprint(table)

    # -- the offline engine ----------------------------------------------------------------

    def suggestions(
        self,
        query: FoundQuery,
        table: Table,
        cols: list[str] | None,
        path: str,
        source_for: dict[str, Source],
    ) -> list[Suggestion] | None:
        """The index this query needs, proven here; [] when PostgreSQL says none helps; None
        when PostgreSQL cannot judge (the caller falls back to SQLite)."""
        probe = probe_for(query, table)
        if probe is None or not self.loaded(table, probe.tables()):
            return None
        candidates = self._candidates(query, table, cols, probe, source_for)
        best: tuple[Candidate, PgProof] | None = None
        ran = False
        for candidate in candidates:
            proof = self._prove(probe, table, candidate.create)
            ran = ran or proof.before is not None
            better = best is None or (
                best[1].after is not None
                and proof.after is not None
                and proof.after.cost < best[1].after.cost
            )
            if proof.proven and candidate.edits and better:
                best = (candidate, proof)
        if best is None:
            return [] if ran or not candidates else None  # None: PostgreSQL could not run it
        candidate, proof = best
        return [
            Suggestion(
                "BKD101",
                "index",
                path,
                query.span,
                candidate.title,
                self._rationale(query, table, candidate, proof),
                tuple(candidate.edits or ()),
                proven=True,
                proved_on=self.engine,
                data={"table": table.name, "columns": candidate.columns},
            )
        ]

    def _candidates(
        self,
        query: FoundQuery,
        table: Table,
        cols: list[str] | None,
        probe: Probe,
        source_for: dict[str, Source],
    ) -> list[Candidate]:
        out = []
        on = q(table.name)
        if cols:
            out.append(
                Candidate(
                    f"Add an index on {table.name} ({', '.join(cols)})",
                    f"CREATE INDEX {PROBE} ON {on} ({', '.join(q(c) for c in cols)})",
                    index_edits(table, cols, source_for),
                    ",".join(cols),
                    index_name(table, cols),
                )
            )
        keys = [c for c in cols or () if c not in probe.partial]
        if keys and probe.partial:
            where = " AND ".join(probe.partial.values())
            name = index_name(table, [*keys, "partial"])
            out.append(
                Candidate(
                    f"Add a partial index on {table.name} ({', '.join(keys)}) WHERE {where}",
                    f"CREATE INDEX {PROBE} ON {on} ({', '.join(q(c) for c in keys)}) WHERE {where}",
                    ddl_edits(
                        table,
                        f"CREATE INDEX {name} ON {table.name} ({', '.join(keys)}) WHERE {where}",
                    ),
                    ",".join(keys) + f" WHERE {where}",
                    name,
                )
            )
        terms = index_terms(query, table, probe, cols)
        if terms:
            name = _expression_name(table, terms)
            edits = ddl_edits(table, f"CREATE INDEX {name} ON {table.name} ({', '.join(terms)})")
            if edits is None:  # an ORM model: the index in the model's own idiom
                edits = index_edits(table, [], source_for, expressions=terms, name=name)
            out.append(
                Candidate(
                    f"Add an expression index on {table.name} ({', '.join(terms)})",
                    f"CREATE INDEX {PROBE} ON {on} ({', '.join(terms)})",
                    edits,
                    ",".join(terms),
                    name,
                )
            )
        for column in dict.fromkeys(probe.contains):
            name = index_name(table, [column, "gin"])
            out.append(
                Candidate(
                    f"Add a GIN index on {table.name} ({column})",
                    f"CREATE INDEX {PROBE} ON {on} USING gin ({q(column)})",
                    ddl_edits(table, f"CREATE INDEX {name} ON {table.name} USING gin ({column})"),
                    f"gin:{column}",
                    name,
                )
            )
        return out

    def _prove(self, probe: Probe, table: Table, create: str) -> PgProof:
        s = self.session
        with s.lock:
            for column, field_name in probe.json_keys if not s.readonly else ():
                s.loader.ensure_json_key(table.name, column, field_name)
            fp = fingerprint(table)
            sql = probe.render(lambda expr, op: self._value(table, probe, expr, op))
            key = (fp, sql, create)
            proof = s.proofs.get(key)
            if proof is None:
                if len(s.proofs) >= MEMORY:  # every edit of a query is a new key
                    s.proofs.clear()
                    s.values.clear()
                proof = compare(s.conn, sql, create, s.hypopg, s.version, real=not s.readonly)
                s.proofs[key] = proof
            return proof

    def _value(self, table: Table, probe: Probe, expr: str, op: str) -> str | None:
        """A literal for ``expr op ?`` that the synthetic rows really hold."""
        import psycopg

        s = self.session
        key = (fingerprint(table), expr, op)
        if key in s.values:
            return s.values[key]
        value: str | None = None
        alias = probe.alias or table.name
        column = re.fullmatch(r'(?:"?\w+"?\.)?"?(\w+)"?', expr)
        # a lower bound near the top: "since" is recent in most queries (a tenth of the rows)
        at = {"gt": 0.9, "lt": 0.1}.get(op, 0.5)
        try:
            if column and op != "contains" and column.group(1) in table.columns:
                row = s.conn.execute(
                    "SELECT h[greatest(1, round(array_length(h, 1) * %s)::int)] FROM ("
                    " SELECT coalesce(histogram_bounds, most_common_vals)::text::text[] AS h"
                    " FROM pg_stats WHERE schemaname = 'public' AND tablename = %s"
                    " AND attname = %s) s",
                    (at, table.name, column.group(1)),
                ).fetchone()
                value = row[0] if row else None
            if value is None:
                row = s.conn.execute(
                    f"SELECT ({expr})::text FROM {q(table.name)} AS {q(alias)}"
                    f" WHERE ({expr}) IS NOT NULL OFFSET 500 LIMIT 1"
                ).fetchone()
                value = row[0] if row else None
        except psycopg.Error:
            value = None
        s.values[key] = value
        return value

    def _rationale(
        self, query: FoundQuery, table: Table, candidate: Candidate, proof: PgProof
    ) -> str:
        existing = ", ".join(_existing(n, c) for n, c in table.all_indexes()) or "none"
        if self.session.readonly:
            where = (
                "your database, read-only: a HypoPG hypothetical index, its statistics as they are"
            )
        else:
            rows = self.session.loader.tables[table.name].rows
            where = f"{self.evidence}; {rows:,} synthetic rows, ANALYZEd"
        return (
            f"`{query.description}` reads {table.name} in a way no index serves "
            f"(existing: {existing}).{trailing_key_note(table, candidate.columns.split(','))} "
            f"Proven on PostgreSQL {proof.version} ({where}): "
            f"{_named(proof.summary(), candidate.name)}.\n"
            f"{_plans(proof, candidate.name)}\n{_concurrently(table)}"
        )

    # -- the agent's CREATE INDEX ------------------------------------------------------------

    def prove_statements(
        self, sql_texts: list[str], queries: list[FoundQuery]
    ) -> tuple[bool, str] | None:
        """Each CREATE INDEX the agent wrote, run as written (a hypothetical or rolled-back
        index) against the queries in scope. None: PostgreSQL cannot judge one of them."""
        statements = [
            text[st.start : st.end]
            for text in sql_texts
            for st in split_statements(text)
            if st.keyword == "CREATE" and re.search(r"\bINDEX\b", text[st.start : st.end], re.I)
        ]
        if not statements:
            return None
        notes, proven_all = [], True
        for statement in statements:
            defs = index_defs(statement)
            table = self.schema.tables.get(defs[0].table) if defs else None
            read = {f.shape.table for f in queries}
            if table is None or not self.loaded(table, read):
                return None
            if defs[0].name and self._exists(defs[0].name):
                continue  # the schema has it already: the edit only keeps it in its place
            label = "`" + " ".join(statement.split())[:160] + "`"
            create = _as_probe(statement)
            proofs = []
            for found in queries:
                if found.shape.table != table.name:
                    continue
                probe = probe_for(found, table)
                if probe is not None:
                    proofs.append(self._prove(probe, table, create))
            good = [p for p in proofs if p.proven]
            if good:
                best = min(good, key=lambda p: p.after.cost if p.after else 0.0)
                notes.append(
                    f"Proven on PostgreSQL {best.version} for {label}: {best.summary()}.\n"
                    f"{_plans(best, defs[0].name or 'the proposed index')}\n{CONCURRENTLY}"
                )
            else:
                proven_all = False
                why = proofs[0].why if proofs else "no query on that table in scope"
                notes.append(f"Not proven on PostgreSQL {self.session.version} for {label}: {why}.")
        return (proven_all, "\n".join(notes)) if notes else None

    def _exists(self, index: str) -> bool:
        with self.session.lock:
            row = self.session.conn.execute("SELECT to_regclass(%s)", (q(index),)).fetchone()
        return row is not None and row[0] is not None


_CREATE = re.compile(
    r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?:(?!ON\b)\S+\s+)?ON\s+(?:ONLY\s+)?",
    re.IGNORECASE,
)


def _as_probe(statement: str) -> str:
    """The statement with its index named PROBE; CONCURRENTLY cannot run in a transaction."""
    return _CREATE.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX {PROBE} ON ", statement, 1)


def _named(text: str, shown: str) -> str:
    """HypoPG's <oid>btree_... and the probe's name, as the index the edit creates."""
    text = re.sub(r"<\d+>\w+", shown, text)
    return text.replace(PROBE, shown)


def _plans(proof: PgProof, shown: str) -> str:
    before = "\n".join(f"    {line}" for line in proof.before.lines) if proof.before else ""
    after = "\n".join(f"    {line}" for line in proof.after.lines) if proof.after else ""
    return _named(f"Plan before:\n{before}\nPlan after:\n{after}", shown)


def _existing(name: str, cols: tuple[str, ...]) -> str:
    if name.endswith("(column)"):
        return f"{cols[0]} (primary key or unique)" if cols else name
    return f"{name} ({', '.join(cols)})"


def _expression_name(table: Table, terms: list[str]) -> str:
    words = [re.sub(r"\W+", "_", t).strip("_") for t in terms]
    return index_name(table, words)


def ddl_edits(table: Table, ddl: str) -> list[Edit] | None:
    """A PostgreSQL-only index, written where the table's DDL is (None for an ORM model:
    its expression-index syntax is left to the developer)."""
    if table.origin == "sql":
        return [Edit(table.path, Span.point(table.anchor_line, 0), f"{ddl};\n")]
    if table.origin == "python-sql" and table.anchor_receiver:
        ddl = ddl.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
        call = f'{table.anchor_receiver}.execute("{ddl}")'
        return [
            Edit(table.path, Span.point(table.anchor_line, 0), f"{table.anchor_indent}{call}\n")
        ]
    return None
