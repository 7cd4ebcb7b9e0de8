"""Index proofs on PostgreSQL: cluster start, schema + synthetic rows for a 20-table app, the
first proof and the later ones (new queries, then the same again).

Run: ``.venv/bin/python bench/bench_pgproof.py [TABLES] [ROWS]`` (default 20 tables, 100,000
rows each). Needs the system's PostgreSQL (``make postgres``). The app is generated in a
temporary folder: tables chained by foreign keys, each with a JSONB column and a timestamp, and
one query per table that no index serves. The first proof loads only the table it
reads; the rest of the schema is then loaded in one go, as a session that reads every table would.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from subagent_lsp.review.offline.pysource import parse_source
from subagent_lsp.review.offline.queries import python_queries
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.pgproof import load
from subagent_lsp.review.pgproof.cluster import CLUSTERS
from subagent_lsp.review.pgproof.prover import postgres_prover


def make_app(root: Path, tables: int) -> Path:
    (root / "requirements.txt").write_text("psycopg[binary]>=3.2\n", encoding="utf-8")
    ddl, code = [], ["import psycopg\n"]
    for i in range(tables):
        parent = f"    parent_id BIGINT REFERENCES t{i - 1} (id),\n" if i else ""
        ddl.append(
            f"CREATE TABLE t{i} (\n    id BIGSERIAL PRIMARY KEY,\n{parent}"
            "    owner_id BIGINT NOT NULL,\n    status TEXT NOT NULL,\n"
            "    payload JSONB NOT NULL,\n    created_at TIMESTAMPTZ NOT NULL\n);\n"
            f"CREATE INDEX ix_t{i}_created_at ON t{i} (created_at);\n"
        )
        code.append(
            f"\n\ndef recent_{i}(conn, owner, since):\n"
            f'    sql_{i} = "SELECT id FROM t{i} WHERE owner_id = %s AND created_at > %s'
            ' ORDER BY created_at DESC LIMIT 50"\n'
            f"    return conn.execute(sql_{i}, (owner, since)).fetchall()\n"
        )
    (root / "schema.sql").write_text("\n".join(ddl), encoding="utf-8")
    app = root / "app.py"
    app.write_text("".join(code), encoding="utf-8")
    return app


def main() -> None:
    tables = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    load.ROWS = int(sys.argv[2]) if len(sys.argv) > 2 else load.ROWS
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        app = make_app(root, tables)
        cache = SchemaCache()
        cache.scan([str(root)])
        schema = cache.schema()
        queries = python_queries(parse_source(str(app), app.read_text()), schema)

        t0 = time.perf_counter()
        cluster = CLUSTERS.get()
        start_s = time.perf_counter() - t0
        prover = postgres_prover(str(app), str(root), schema)
        assert prover is not None, "no PostgreSQL here"

        def prove(i: int) -> float:
            query = queries[i]
            table = schema.tables[query.shape.table]
            t = time.perf_counter()
            found = prover.suggestions(query, table, ["owner_id", "created_at"], str(app), {})
            assert found, f"query {i} not proven"
            return (time.perf_counter() - t) * 1000

        # the first proof loads only the table it reads (and those it references)
        first_ms = prove(0)
        t0 = time.perf_counter()
        with prover.session.lock:
            prover.session.loader.sync(schema)
        load_s = time.perf_counter() - t0
        new_ms = [prove(i) for i in range(1, len(queries))]
        again_ms = [prove(i) for i in range(len(queries))]
        hypo = "HypoPG" if prover.session.hypopg else "real rolled-back indexes"
        print(f"PostgreSQL {cluster.version}, {tables} tables x {load.ROWS:,} rows, {hypo}")
        print(f"cluster start            {start_s:6.2f} s")
        print(f"first proof (loads t0)   {first_ms:6.0f} ms")
        print(f"the other {tables - 1} tables: schema + rows + ANALYZE {load_s:6.2f} s")
        print(
            f"later proofs, new query  median {statistics.median(new_ms):5.1f} ms"
            f"  max {max(new_ms):5.1f} ms  ({len(new_ms)} queries)"
        )
        print(f"the same proof again     median {statistics.median(again_ms):5.2f} ms")
        CLUSTERS.stop()


if __name__ == "__main__":
    main()
