"""BKD215 on raw SQL: a body field written by ``INSERT INTO t (a) VALUES (%s)`` or
``UPDATE t SET a = %s`` into a column the app's DDL declares ``VARCHAR(n)`` (a blind review
of a FastAPI app on aiopg: its ``comment varchar(200)`` took any length). Each positive
asserts the edit, that the edited file parses and that the rule is then silent; the negative
twins are bounded, validated, caught, altered by a later migration, or on SQLite."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion
from tests.offline.trees import write_tree

from .applied import apply_suggestion

POSTGRES = (
    '[project]\nname = "tags"\nrequires-python = ">=3.10"\n'
    'dependencies = ["fastapi", "aiopg", "psycopg2-binary"]\n'
)
SQLITE = '[project]\nname = "tags"\nrequires-python = ">=3.10"\ndependencies = ["fastapi"]\n'
DDL = """\
CREATE TABLE tags (
    product  varchar(24) NOT NULL,
    k        varchar     NOT NULL,
    comment  varchar(200),
    code     char(3)
);
"""
MODELS = """\
from typing import Optional

from pydantic import BaseModel, field_validator


class Tag(BaseModel):
    product: str
    k: str
    comment: Optional[str] = ""
    code: str = "en"

    @field_validator("product")
    def product_check(cls, v):
        if not v.isdigit():
            raise ValueError("digits only")
        return v
"""
DB = '''\
from . import models


def cursor():
    raise NotImplementedError


async def db_exec(query, params=()):
    cur = cursor()
    await cur.execute(query, params)
    return cur


def create_tag_req(tag: models.Tag):
    """The statement and its values, run by the caller."""
    return (
        "INSERT INTO tags (product, k, comment) VALUES (%s, %s, %s)",
        (tag.product, tag.k.lower(), tag.comment),
    )
'''
ROUTES = """\
from fastapi import FastAPI

from . import db
from .models import Tag

app = FastAPI()


@app.post("/tag")
async def add_tag(tag: Tag):
    query, params = db.create_tag_req(tag)
    await db.db_exec(query, params)
    return "ok"


@app.put("/tag/code")
async def set_code(tag: Tag):
    await db.db_exec(
        "UPDATE tags SET code = %(code)s WHERE product = %(product)s",
        {"code": tag.code.strip(), "product": tag.product},
    )
    return "ok"
"""


def _project(root: Path, files: dict[str, str] | None = None, manifest: str = POSTGRES) -> Path:
    base = {
        "pyproject.toml": manifest,
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/db.py": DB,
        "app/main.py": ROUTES,
        "db/migrations/000-init.sql": DDL,
    }
    return write_tree(root, {**base, **(files or {})})


def _found(root: Path) -> list[Suggestion]:
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD215"]
    return sorted(found, key=lambda s: s.title)


def test_raw_insert_and_update_fields_get_their_columns_lengths(tmp_path: Path) -> None:
    root = _project(tmp_path)
    code, comment = _found(root)
    # ``product`` has its own validator; ``k`` is a varchar with no length
    assert comment.title == "Limit Tag.comment to 200 characters, as its column"
    assert (
        "`add_tag` writes it (through `create_tag_req`) to `tags.comment`, a `VARCHAR(200)` "
        "column. On PostgreSQL (it declares psycopg2-binary)" in comment.rationale
    )
    assert code.title == "Limit Tag.code to 3 characters, as its column"
    assert "`set_code` writes it to `tags.code`, a `CHAR(3)` column" in (code.rationale)
    models = str(root / "app" / "models.py")
    new = apply_suggestion(comment)[models]
    ast.parse(new)
    assert 'comment: Optional[str] = Field("", max_length=200)' in new
    assert "from pydantic import BaseModel, Field, field_validator" in new
    Path(models).write_text(new, encoding="utf-8")
    (left,) = _found(root)
    new = apply_suggestion(left)[models]
    ast.parse(new)
    assert 'code: str = Field("en", max_length=3)' in new
    Path(models).write_text(new, encoding="utf-8")
    assert _found(root) == []


def test_a_model_validator_a_catch_or_sqlite_stays_silent(tmp_path: Path) -> None:
    validated = MODELS.replace(
        '    @field_validator("product")', '    @field_validator("product", "comment", "code")'
    )
    assert _found(_project(tmp_path / "a", {"app/models.py": validated})) == []
    caught = ROUTES.replace(
        "    query, params = db.create_tag_req(tag)\n    await db.db_exec(query, params)\n",
        "    try:\n        query, params = db.create_tag_req(tag)\n"
        "        await db.db_exec(query, params)\n    except psycopg2.Error:\n"
        '        return "invalid"\n',
    ).replace("from fastapi import FastAPI\n", "import psycopg2\nfrom fastapi import FastAPI\n")
    found = _found(_project(tmp_path / "b", {"app/main.py": caught}))
    assert [s.title for s in found] == ["Limit Tag.code to 3 characters, as its column"]
    sqlite = DB.replace("def cursor():", "import sqlite3\n\n\ndef cursor():")
    assert _found(_project(tmp_path / "c", {"app/db.py": sqlite}, SQLITE)) == []


def test_a_sliced_value_or_a_widened_column_stays_silent(tmp_path: Path) -> None:
    sliced = DB.replace("tag.comment),", "tag.comment[:200]),")
    widened = "ALTER TABLE tags ALTER COLUMN comment TYPE varchar(2000);\n"
    code = ROUTES.replace("tag.code.strip()", "tag.code[:3]")
    root = _project(
        tmp_path,
        {"app/db.py": sliced, "db/migrations/001-wider.sql": widened, "app/main.py": code},
    )
    assert _found(root) == []
    root = _project(tmp_path / "w", {"db/migrations/001-wider.sql": widened, "app/main.py": code})
    assert _found(root) == []  # the slice is not there, but the column is no longer 200


ASYNCPG = (
    '[project]\nname = "users"\nrequires-python = ">=3.10"\ndependencies = ["fastapi", "asyncpg"]\n'
)
USERS_DDL = "CREATE TABLE users (id SERIAL PRIMARY KEY, username VARCHAR(64) UNIQUE NOT NULL);\n"
USERS = """\
import asyncpg
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
POOL: asyncpg.Pool


class SignUp(BaseModel):
    username: str
    password: str


async def create_user(username: str) -> None:
    await POOL.execute("INSERT INTO users (username) VALUES ($1)", username)


async def register_user(username: str) -> None:
    await create_user(username)


@app.post("/register")
async def register(user: SignUp):
    try:
        await register_user(user.username)
    except asyncpg.UniqueViolationError:
        return {"message": "taken"}
    return {"ok": True}
"""


def _users(root: Path, users: str) -> Path:
    files = {
        "pyproject.toml": ASYNCPG,
        "app/__init__.py": "",
        "app/main.py": users,
        "migrations/001_users.sql": USERS_DDL,
    }
    return write_tree(root, files)


def test_a_field_handed_on_alone_reaches_its_column(tmp_path: Path) -> None:
    root = _users(tmp_path, USERS)
    (found,) = _found(root)
    assert found.title == "Limit SignUp.username to 64 characters, as its column"
    assert "On PostgreSQL (it declares asyncpg)" in found.rationale
    main = str(root / "app" / "main.py")
    new = apply_suggestion(found)[main]
    ast.parse(new)
    assert "    username: str = Field(max_length=64)\n" in new
    Path(main).write_text(new, encoding="utf-8")
    assert _found(root) == []


def test_a_field_value_measured_on_the_way_stays_silent(tmp_path: Path) -> None:
    measured = USERS.replace(
        "async def register_user(username: str) -> None:\n",
        "async def register_user(username: str) -> None:\n"
        "    if len(username) > 64:\n        raise ValueError(username)\n",
    )
    assert _found(_users(tmp_path, measured)) == []
