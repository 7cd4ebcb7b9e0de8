"""Raw SQL run through a cursor or a project helper (``db_exec(query, params)``), against
tables yoyo-style ``NNN-name.sql`` migrations define: the shapes of a FastAPI app over aiopg
(round 29), each with a clean twin."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.sql import query_shapes, table_defs
from subagent_lsp.review.suggestion import Suggestion


def _app(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


INIT = """\
-- the first schema
-- depends:
CREATE TABLE sessions (token varchar, member varchar, seen timestamptz, tags text[]);
CREATE INDEX ON sessions (token);
"""
ROLES = """\
-- roles of a member
-- depends: 000-init-db

ALTER TABLE sessions ADD COLUMN admin BOOLEAN DEFAULT FALSE;
"""
DB = '''\
import aiopg

cur = None


def cursor():
    return cur


async def db_exec(query, params=()):
    """Run a query, timed."""
    c = cursor()
    await c.execute(query, params)
    return c, "0ms"


def log_query(query, params=()):
    print(query, params)
'''
API = """\
from fastapi import FastAPI

from . import db

app = FastAPI()


@app.post("/login")
async def login(member: str, token: str):
    c, timing = await db.db_exec(
        \"\"\"
        DELETE FROM sessions WHERE member = %s;
        INSERT INTO sessions (member, token) VALUES (%s, %s);
        \"\"\",
        (member, member, token),
    )
    return {"token": token}


@app.get("/me")
async def me(member: str):
    c, timing = await db.db_exec("SELECT admin FROM sessions WHERE member = %s", (member,))
    return {"admin": (await c.fetchone())[0]}
"""


def _yoyo(root: Path, api: str, init: str = INIT) -> Path:
    return _app(
        root,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi", "aiopg"]\n',
            "yoyo.ini": "[DEFAULT]\nsources = %(here)s/db/migrations\n",
            "db/migrations/000-init-db.sql": init,
            "db/migrations/001-add-roles.sql": ROLES,
            "app/__init__.py": "",
            "app/db.py": DB,
            "app/api.py": api,
        },
    )


def test_a_helper_running_its_argument_is_a_query_and_the_fix_a_new_yoyo_migration(
    tmp_path: Path,
) -> None:
    root = _yoyo(tmp_path, API)
    (found,) = _indexes(root)
    assert found.title == "Add an index on sessions (member)"
    assert found.path == str(root / "app" / "api.py")
    assert "api.py:22" in found.rationale  # the /me query is served by the same index
    (edit,) = found.edits
    # named as the others are, after the last, which it names as the one it follows
    assert edit.path == str(root / "db" / "migrations" / "002-add-ix-sessions-member.sql")
    assert edit.new_text == (
        "-- depends: 001-add-roles\n\n"
        "CREATE INDEX IF NOT EXISTS ix_sessions_member ON sessions (member);\n"
    )


def test_the_column_indexed_in_a_migration_needs_nothing(tmp_path: Path) -> None:
    root = _yoyo(tmp_path, API, INIT + "CREATE INDEX ON sessions (member);\n")
    assert _indexes(root) == []


def test_a_helper_that_only_logs_its_argument_runs_no_query(tmp_path: Path) -> None:
    api = API.replace("await db.db_exec(", "db.log_query(").replace("c, timing = ", "")
    api = api.replace("(await c.fetchone())[0]", "None")
    assert _indexes(_yoyo(tmp_path, api)) == []


BUILT = """\
from fastapi import FastAPI

from . import db

app = FastAPI()


@app.get("/values")
async def values(member: str, q: str = "", limit: int = 50):
    sql = \"\"\"
        SELECT token FROM sessions
        WHERE member = %s
    \"\"\"
    params = [member]
    if q:
        sql += " AND token ILIKE %s"
        params.append(q)
    sql += " ORDER BY token LIMIT %s"
    params.append(limit)
    c, timing = await db.db_exec(sql, params)
    return await c.fetchall()
"""


def test_a_query_built_in_a_variable_then_run_is_read(tmp_path: Path) -> None:
    found = _indexes(_yoyo(tmp_path, BUILT))
    # the equality first, then the ORDER BY the LIMIT pages
    assert [s.title for s in found] == ["Add an index on sessions (member, token)"]


def test_a_condition_appended_under_an_if_is_not_always_there_to_index(tmp_path: Path) -> None:
    built = BUILT.replace(
        '        WHERE member = %s\n    """\n    params = [member]\n    if q:\n'
        '        sql += " AND token ILIKE %s"',
        '    """\n    params = []\n    if member:\n        sql += " WHERE member = %s"',
    )
    assert "if member:" in built
    assert _indexes(_yoyo(tmp_path, built)) == []


def test_a_name_unpacked_from_a_call_says_nothing_of_its_text(tmp_path: Path) -> None:
    api = BUILT.replace(
        "    c, timing = await db.db_exec(sql, params)",
        "    sql, params = build(sql, params)\n    c, timing = await db.db_exec(sql, params)",
    )
    api += "\n\ndef build(sql, params):\n    return 'SELECT 1', params\n"
    assert _indexes(_yoyo(tmp_path, api)) == []


SYNC = """\
import psycopg2
from flask import Flask

app = Flask(__name__)


@app.get("/mine")
def mine():
    conn = psycopg2.connect("")
    cur = conn.cursor()
    query = "SELECT token FROM sessions"
    query += " WHERE member = %(member)s"
    cur.execute(query, {"member": "x"})
    return {"rows": cur.fetchall()}
"""


def test_a_sync_cursor_runs_a_query_built_in_a_variable(tmp_path: Path) -> None:
    root = _yoyo(tmp_path, SYNC)
    assert [s.title for s in _indexes(root)] == ["Add an index on sessions (member)"]


PARTITIONED = """\
-- depends:
CREATE TABLE tags (product varchar(24) NOT NULL, k varchar NOT NULL, v varchar NOT NULL,
    owner varchar NOT NULL) PARTITION BY LIST (owner);
CREATE TABLE tags_public PARTITION OF tags FOR VALUES IN ('');
CREATE TABLE tags_private PARTITION OF tags DEFAULT;
CREATE UNIQUE INDEX ON tags (product, owner, k);
CREATE INDEX ON tags_public (k, v);
CREATE INDEX ON tags_private (owner, k, v);
CREATE TABLE sessions (token varchar, member varchar);
CREATE INDEX ON sessions (token);
CREATE INDEX ON sessions (member);
"""
TAGS = """\
from fastapi import FastAPI

from . import db

app = FastAPI()


@app.get("/keys/{k}")
async def key_values(k: str, owner: str = ""):
    c, timing = await db.db_exec(
        "SELECT v, count(*) FROM tags WHERE owner = %s AND k = %s GROUP BY v", (owner, k)
    )
    return await c.fetchall()


@app.delete("/values/{k}/{v}")
async def drop_value(k: str, v: str):
    await db.db_exec("DELETE FROM tags WHERE k = %s AND v = %s AND owner = ''", (k, v))
"""


def test_the_partitions_indexes_serve_the_partitioned_tables_queries(tmp_path: Path) -> None:
    assert _indexes(_yoyo(tmp_path, TAGS, PARTITIONED)) == []


def test_a_partitioned_table_whose_partitions_have_no_index_gets_one(tmp_path: Path) -> None:
    bare = PARTITIONED.replace("CREATE INDEX ON tags_public (k, v);\n", "")
    bare = bare.replace("CREATE INDEX ON tags_private (owner, k, v);\n", "")
    titles = [s.title for s in _indexes(_yoyo(tmp_path, TAGS, bare))]
    assert titles == ["Add an index on tags (owner, k)", "Add an index on tags (k, v, owner)"]


def _joined(sql: str) -> dict[str, list[str]]:
    (shape, *_) = query_shapes(sql)
    return {j.table: j.eq for j in shape.joined}


def test_a_joined_table_the_where_narrows_is_read_by_that_value() -> None:
    # a user's clubs: the join starts at users_x_clubs, by user_id, not by its club_id
    sql = (
        "SELECT clubs.* FROM clubs JOIN users_x_clubs uxc ON clubs.id = uxc.club_id "
        "WHERE uxc.user_id = :user_id"
    )
    assert _joined(sql) == {"users_x_clubs": ["user_id"]}


def test_a_joined_table_the_where_leaves_alone_is_looked_up_by_its_join_column() -> None:
    sql = (
        "SELECT rankings.* FROM rankings JOIN stage_items s ON s.ranking_id = rankings.id "
        "WHERE rankings.tournament_id = :tournament_id"
    )
    assert _joined(sql) == {"stage_items": ["ranking_id"]}


def test_a_partitions_indexes_count_for_its_table_with_the_list_key_first() -> None:
    tables = {t.name: t.indexes for t in table_defs(PARTITIONED)}
    assert ("", ("k", "v")) in tables["tags"]
    assert ("", ("owner", "k", "v")) in tables["tags"]  # (k, v) on the partition of one owner
    ranged = "CREATE TABLE ev (at date, uid int) PARTITION BY RANGE (at);\n"
    ranged += (
        "CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    )
    ranged += "CREATE INDEX ON ev_2024 (uid);\n"
    # a range's partition holds many keys: its index is the table's as it is
    assert {t.name: t.indexes for t in table_defs(ranged)}["ev"] == [("", ("uid",))]
