"""Held-out verdict (fourth round) on PostgreSQL's planner: where an existing index already
narrows a lookup to a handful of rows (a grant found by its indexed code), a second index that
also names the client halves a tiny cost and was judged noise; the client's own lookup, which
no index serves, is still proven."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.schema import SchemaCache

SCHEMA = """\
CREATE TABLE oauth_grant (
    id          SERIAL      PRIMARY KEY,
    client_id   VARCHAR     NOT NULL,
    code        VARCHAR     NOT NULL,
    expires     TIMESTAMP   NOT NULL
);
CREATE INDEX ix_oauth_grant_code ON oauth_grant USING btree (code);
"""

GRANTS = """\
def delete(conn, client_id, code):
    conn.execute(
        "DELETE FROM oauth_grant WHERE client_id = %s AND code = %s", (client_id, code)
    )


def of_client(conn, client_id):
    return conn.execute(
        "SELECT id, expires FROM oauth_grant WHERE client_id = %s", (client_id,)
    ).fetchall()
"""


def test_an_existing_index_that_narrows_is_enough(tmp_path: Path, postgres: None) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "requirements.txt").write_text("psycopg[binary]>=3.1\n")
    (root / "schema.sql").write_text(SCHEMA)
    (root / "grants.py").write_text(GRANTS)
    cache = SchemaCache()
    cache.scan([str(root)])
    found = analyze(str(root / "grants.py"), GRANTS, cache.schema(), kinds=["index"])
    assert [(s.span.start.line + 1, s.title, s.proved_on[:10]) for s in found] == [
        (9, "Add an index on oauth_grant (client_id)", "PostgreSQL")
    ]
