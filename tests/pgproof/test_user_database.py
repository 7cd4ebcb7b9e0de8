"""`--database-url`: proofs on the user's own PostgreSQL, read-only, HypoPG only, statistics as
they are; nothing is created there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subagent_lsp.cli import main
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.pgproof.cluster import CLUSTERS
from subagent_lsp.review.pgproof.load import Loader
from subagent_lsp.review.pgproof.userdb import DATABASE_URL, user_session


@pytest.fixture()
def user_db(activity_app: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database standing for the user's: the app's schema with rows, HypoPG installed."""
    monkeypatch.setenv(DATABASE_URL, "")  # restored after the test: main() sets it
    cluster = CLUSTERS.get()
    with cluster.connect() as admin:
        admin.execute("DROP DATABASE IF EXISTS users_db WITH (FORCE)")
        admin.execute("CREATE DATABASE users_db")
    cache = SchemaCache()
    cache.scan([str(activity_app)])
    with cluster.connect("users_db") as conn:
        loader = Loader(conn, rows=20_000)
        loader.sync(cache.schema())
        loader.ensure_json_key("activity", "payload", "source")  # real rows would have one
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'"
        ).fetchone()
        if available is None:
            pytest.skip("needs HypoPG (Debian's postgresql-N-hypopg): run `make postgres`")
        conn.execute("CREATE EXTENSION hypopg")
    return cluster.conninfo("users_db")


def _indexes(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'").fetchone()
    return int(row[0]) if row else -1


def test_proofs_on_the_users_database(
    user_db: str, activity_app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _indexes(user_db)
    path = str(activity_app / "repository.py")
    assert main(["suggest", "--format", "json", "--database-url", user_db, path]) == 0
    found = json.loads(capsys.readouterr().out)
    titles = [d["title"] for d in found]
    # GIN is beyond HypoPG: that one is not proven here (and SQLite cannot read @>)
    assert titles == [
        "Add an index on activity (tenant_id, created_at)",
        "Add an expression index on activity ((payload ->> 'source'))",
        "Add a partial index on documents (title) WHERE archived_at IS NULL",
    ]
    for d in found:
        assert d["provedOn"].startswith("PostgreSQL ")
        assert "your database, read-only: a HypoPG hypothetical index" in d["rationale"]
    assert _indexes(user_db) == before  # nothing was created


def test_a_database_without_hypopg_is_refused(user_db: str) -> None:
    import psycopg

    from subagent_lsp.review.pgproof.cluster import NoPostgres

    with psycopg.connect(user_db, autocommit=True) as conn:
        conn.execute("DROP EXTENSION hypopg")
    with pytest.raises(NoPostgres, match="no HypoPG"):
        user_session(user_db)
    with pytest.raises(NoPostgres, match="cannot be reached"):
        user_session(user_db.replace("dbname=users_db", "dbname=nowhere"))
