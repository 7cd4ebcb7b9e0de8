"""BKD214 on raw SQL: a page size or offset the client sends reaches ``LIMIT %s`` /
``LIMIT $1`` / an f-string's ``LIMIT {limit}`` as the statement's value (a blind review of a
FastAPI app on aiopg found none of these). Each positive asserts the edits, that the edited
file parses and that the rule is then silent; each negative twin is bounded, clamped, or
binds a constant."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion
from tests.offline.trees import write_tree

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "tags"\nrequires-python = ">=3.10"\n'
    'dependencies = ["fastapi", "aiopg", "psycopg2-binary"]\n'
)
FLASK_PYPROJECT = (
    '[project]\nname = "notes"\nrequires-python = ">=3.10"\n'
    'dependencies = ["flask", "psycopg2-binary"]\n'
)
DB = """\
import time


def cursor():
    raise NotImplementedError


async def db_exec(query, params=()):
    started = time.monotonic()
    cur = cursor()
    await cur.execute(query, params)
    return cur, time.monotonic() - started
"""
HEAD = """\
from fastapi import FastAPI

from . import db

app = FastAPI()
"""


def _project(root: Path, main: str, pyproject: str = PYPROJECT) -> Path:
    files = {"pyproject.toml": pyproject, "app/__init__.py": "", "app/db.py": DB}
    files["app/main.py"] = main
    return write_tree(root, files)


def _found(root: Path) -> list[Suggestion]:
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD214"]
    return sorted(found, key=lambda s: (s.path, s.span.start.line))


def _applied(root: Path, found: Suggestion) -> str:
    new = apply_suggestion(found)
    for text in new.values():
        ast.parse(text)
    assert _found(root) == []
    return new[str(root / "app" / "main.py")]


HELPER = """
@app.get("/values")
async def values(k: str, limit: int = 50, offset: int = 0):
    params = [k]
    sql = "SELECT v, count(*) FROM folk WHERE k = %s GROUP BY v ORDER BY v"
    sql += " LIMIT %s OFFSET %s"
    params.append(limit)
    params.append(offset)
    cur, _ = await db.db_exec(sql, params)
    return await cur.fetchall()
"""


def test_limit_placeholder_through_a_project_helper_is_bounded(tmp_path: Path) -> None:
    root = _project(tmp_path, HEAD + HELPER)
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1..100 and `offset` to 0 or more"
    assert found.rationale.startswith(
        "`limit` and `offset` reach the SQL's `LIMIT` and the SQL's `OFFSET` with no bound: "
        "a negative LIMIT or OFFSET is an error on PostgreSQL (a 500)"
    )
    new = _applied(root, found)
    assert (
        "async def values(k: str, limit: int = Query(50, ge=1, le=100), "
        "offset: int = Query(0, ge=0)):" in new
    )


CLAMPED = HELPER.replace("    params = [k]\n", "    limit = min(limit, 100)\n    params = [k]\n")


def test_a_limit_clamped_from_above_only_gets_its_floor(tmp_path: Path) -> None:
    # ``min(limit, 100)`` leaves ``limit=-1`` through to PostgreSQL's LIMIT (a 500): the
    # floor is added, the clamp's own cap kept as the parameter's
    root = _project(tmp_path, HEAD + CLAMPED)
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1..100 and `offset` to 0 or more"
    assert "with no lower bound (`limit = min(limit, 100)` caps it from above only)" in (
        found.rationale
    )
    assert "huge" not in found.rationale
    new = _applied(root, found)
    assert (
        "async def values(k: str, limit: int = Query(50, ge=1, le=100), "
        "offset: int = Query(0, ge=0)):" in new
    )


DOLLAR = """
import asyncpg

POOL: asyncpg.Pool


@app.get("/tags")
async def tags(limit: int = 20):
    async with POOL.acquire() as conn:
        return await conn.fetch("SELECT name FROM tags ORDER BY name LIMIT $1", limit)
"""


def test_asyncpg_numbered_placeholder_is_bounded(tmp_path: Path) -> None:
    root = _project(tmp_path, HEAD + DOLLAR)
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1..100"
    new = _applied(root, found)
    assert "async def tags(limit: int = Query(20, ge=1, le=100)):" in new


def test_a_bounded_query_parameter_stays_silent(tmp_path: Path) -> None:
    bounded = HEAD.replace("import FastAPI", "import FastAPI, Query") + DOLLAR.replace(
        "limit: int = 20", "limit: int = Query(20, ge=1, le=100)"
    )
    assert _found(_project(tmp_path, bounded)) == []


def test_a_constant_bound_to_the_limit_stays_silent(tmp_path: Path) -> None:
    constant = HEAD + DOLLAR.replace('LIMIT $1", limit)', 'LIMIT $1", 20)')
    assert _found(_project(tmp_path, constant)) == []


FSTRING = """
from flask import Flask, jsonify, request
import psycopg2

app = Flask(__name__)


@app.route("/notes")
def notes():
    per_page = request.args.get("per_page", 20, type=int)
    with psycopg2.connect("dbname=notes") as conn, conn.cursor() as cur:
        cur.execute(f"SELECT id, body FROM notes ORDER BY id LIMIT {per_page}")
        return jsonify(cur.fetchall())
"""


def test_flask_f_string_limit_is_clamped_where_it_is_read(tmp_path: Path) -> None:
    root = _project(tmp_path, FSTRING, FLASK_PYPROJECT)
    (found,) = _found(root)
    assert found.title == "Bound `per_page` to 1..100"
    new = _applied(root, found)
    assert 'per_page = min(max(request.args.get("per_page", 20, type=int), 1), 100)' in new


def test_flask_limit_in_a_where_value_only_stays_silent(tmp_path: Path) -> None:
    # the client's number is compared, not paged by: nothing to bound
    where = FSTRING.replace(
        'cur.execute(f"SELECT id, body FROM notes ORDER BY id LIMIT {per_page}")',
        'cur.execute("SELECT id, body FROM notes WHERE id > %s LIMIT 20", (per_page,))',
    )
    assert _found(_project(tmp_path, where, FLASK_PYPROJECT)) == []


FILTERED = """
@app.get("/values/{k}")
async def values(k: str, q: str = "", limit: int = 50):
    sql = "SELECT v, count(*) FROM folk WHERE k = %s"
    params = [k]
    if q:
        sql += " AND v ILIKE %s"
        params.append(f"%{q}%")
    sql += " GROUP BY v ORDER BY count(*) DESC LIMIT %s"
    params.append(limit)
    cur, _ = await db.db_exec(sql, params)
    return await cur.fetchall()
"""


def test_a_limit_after_an_optional_filter_lines_up_from_the_end(tmp_path: Path) -> None:
    root = _project(tmp_path, HEAD + FILTERED)
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1..100"
    new = _applied(root, found)
    assert 'async def values(k: str, q: str = "", limit: int = Query(50, ge=1, le=100)):' in new


def test_a_limit_capped_after_an_optional_filter_gets_its_floor(tmp_path: Path) -> None:
    capped = FILTERED.replace(
        '    sql = "SELECT', '    if limit > 1000:\n        limit = 1000\n    sql = "SELECT'
    )
    root = _project(tmp_path, HEAD + capped)
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1..1000"
    new = _applied(root, found)
    assert 'async def values(k: str, q: str = "", limit: int = Query(50, ge=1, le=1000)):' in new


def test_a_limit_bounded_on_both_sides_by_the_code_stays_silent(tmp_path: Path) -> None:
    both = FILTERED.replace(
        '    sql = "SELECT',
        "    if limit < 1:\n        limit = 1\n    if limit > 1000:\n        limit = 1000\n"
        '    sql = "SELECT',
    )
    assert _found(_project(tmp_path, HEAD + both)) == []


TRAILING = """
@app.get("/values/{k}")
async def values(k: str, limit: int = Query(50, ge=1, le=100), offset: int = 0):
    sql = "SELECT v FROM folk WHERE k = %s ORDER BY v LIMIT %s"
    params = [k, limit]
    if offset:
        sql += " OFFSET %s"
        params.append(offset)
    cur, _ = await db.db_exec(sql, params)
    return await cur.fetchall()
"""


def test_an_optional_piece_after_the_limit_is_not_lined_up(tmp_path: Path) -> None:
    # nothing follows the optional OFFSET: lining the values up from the end would take
    # ``offset`` for the LIMIT's value
    head = HEAD.replace("import FastAPI", "import FastAPI, Query")
    assert _found(_project(tmp_path, head + TRAILING)) == []


def test_a_logged_statement_is_not_a_query(tmp_path: Path) -> None:
    logged = HEAD + DOLLAR.replace(
        '        return await conn.fetch("SELECT name FROM tags ORDER BY name LIMIT $1", limit)',
        '        log.info("SELECT name FROM tags ORDER BY name LIMIT $1", limit)\n'
        '        return await conn.fetch("SELECT name FROM tags ORDER BY name LIMIT 20")',
    ).replace("import asyncpg\n", "import logging\n\nimport asyncpg\n\nlog = logging.getLogger()\n")
    assert "log.info(" in logged
    assert _found(_project(tmp_path, logged)) == []


TEXT = """
from sqlalchemy import text
from sqlalchemy.orm import Session


@app.get("/tags")
def tags(limit: int = 20):
    with Session() as session:
        rows = session.execute(
            text("SELECT name FROM tags ORDER BY name LIMIT :limit"), {"limit": limit}
        )
        return [r.name for r in rows]
"""


def test_sqlalchemy_text_with_a_named_limit_is_bounded(tmp_path: Path) -> None:
    root = _project(tmp_path, HEAD + TEXT)
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1..100"
    assert "def tags(limit: int = Query(20, ge=1, le=100)):" in _applied(root, found)


def test_sqlalchemy_text_with_a_constant_limit_stays_silent(tmp_path: Path) -> None:
    constant = TEXT.replace('{"limit": limit}', '{"limit": 20}')
    assert _found(_project(tmp_path, HEAD + constant)) == []
