"""Which apps are PostgreSQL apps: what they declare and write."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.review.pgproof.detect import (
    app_root,
    ddl_evidence,
    postgres_evidence,
    sqlite_evidence,
)


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("requirements.txt", "flask\npsycopg2-binary==2.9\n", "it declares psycopg2-binary"),
        ("pyproject.toml", '[project]\ndependencies = ["asyncpg>=0.29"]\n', "it declares asyncpg"),
        # aiopg alone (psycopg2 comes with it): a FastAPI app over raw SQL, round 29
        ("requirements.txt", "fastapi\naiopg>=1.4\n", "it declares aiopg"),
        ("package.json", '{"dependencies": {"express": "^4", "pg": "^8.11"}}', "depends on pg"),
        (
            "go.mod",
            "module x\nrequire github.com/jackc/pgx/v5 v5.5.0\n",
            "requires github.com/jackc/pgx",
        ),
        (
            "prisma/schema.prisma",
            'datasource db {\n  provider = "postgresql"\n}\n',
            "postgresql datasource",
        ),
        (
            ".env.example",
            "DATABASE_URL=postgresql+psycopg://app@db/app\n",
            "names a PostgreSQL database",
        ),
        (
            "settings.py",
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'}}\n",
            "names a PostgreSQL",
        ),
        ("src/data-source.ts", "new DataSource({ type: 'postgres', host })\n", "TypeORM"),
        ("db/001_init.sql", "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, doc JSONB);\n", "BIGSERIAL"),
    ],
)
def test_evidence(tmp_path: Path, name: str, text: str, why: str) -> None:
    root = tmp_path / name.replace("/", "_").replace(".", "_")
    path = root / name
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    found = postgres_evidence(str(root))
    assert found is not None and why in found


def test_a_sqlite_or_mysql_app_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nPyMySQL\n", encoding="utf-8")
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    (tmp_path / "package.json").write_text('{"dependencies": {"mysql2": "^3"}}')
    assert postgres_evidence(str(tmp_path)) is None


def test_sqlite_beside_the_file_wins(tmp_path: Path) -> None:
    (tmp_path / "repo.py").write_text("import sqlite3\n", encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "repo.py").write_text("import psycopg\n", encoding="utf-8")
    assert sqlite_evidence(str(tmp_path / "reports.sql"))
    assert not sqlite_evidence(str(tmp_path / "other" / "repo.py"))


def test_ddl_evidence_names_the_feature() -> None:
    assert ddl_evidence(["CREATE INDEX i ON t USING gin (tags)"]) == "its DDL uses USING"
    assert ddl_evidence(["CREATE TABLE t (at TIMESTAMPTZ)"]) == "its DDL uses TIMESTAMPTZ"
    assert ddl_evidence(["CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)"]) is None


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_app_with_its_own_manifest_is_read_not_its_parent_repository(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[project]\ndependencies = ["psycopg[binary]>=3.2"]\n')
    app = _write(tmp_path / "examples" / "shop" / "app.py", "from flask import Flask\n")
    _write(tmp_path / "examples" / "shop" / "requirements.txt", "flask\nflask-sqlalchemy\n")
    assert app_root(str(app)) == str(app.parent)
    assert postgres_evidence(str(app)) is None
    # the parent's own code is still a PostgreSQL app
    assert postgres_evidence(str(_write(tmp_path / "lib.py", ""))) == "it declares psycopg"


def test_a_file_outside_the_packages_its_pyproject_ships_is_an_app_of_its_own(
    tmp_path: Path,
) -> None:
    # this repository's shape: psycopg for the tool under server/, examples beside it
    _write(
        tmp_path / "pyproject.toml",
        '[project]\ndependencies = ["psycopg>=3"]\n'
        '[tool.setuptools.packages.find]\nwhere = ["server"]\n',
    )
    _write(tmp_path / ".git", "gitdir: elsewhere\n")
    blog = _write(tmp_path / "examples" / "blog" / "views.py", "from .models import Post\n")
    _write(tmp_path / "examples" / "pg_app" / "schema.sql", "CREATE TABLE t (doc JSONB);\n")
    _write(tmp_path / "examples" / "pg_app" / "requirements.txt", "asyncpg\n")
    tool = _write(tmp_path / "server" / "tool" / "db.py", "")
    assert app_root(str(blog)) == str(blog.parent)
    assert postgres_evidence(str(blog)) is None
    assert app_root(str(tool)) == str(tmp_path)
    assert postgres_evidence(str(tool)) == "it declares psycopg"
    # the sibling app is one, from its own declaration
    assert (
        postgres_evidence(str(tmp_path / "examples" / "pg_app" / "q.py")) == "it declares asyncpg"
    )


def test_a_nested_project_below_the_root_is_not_read(tmp_path: Path) -> None:
    _write(tmp_path / "requirements.txt", "django\n")
    _write(tmp_path / "blog" / "views.py", "")
    _write(tmp_path / "tools" / "exporter" / "go.mod", "module x\nrequire github.com/lib/pq v1\n")
    _write(tmp_path / "tools" / "exporter" / "schema.sql", "CREATE TABLE t (id BIGSERIAL);\n")
    assert postgres_evidence(str(tmp_path / "blog" / "views.py")) is None
    # ... while the app's own settings, below its root, still count
    _write(
        tmp_path / "site" / "settings.py",
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'}}\n",
    )
    _write(tmp_path / "manage.py", "")
    from subagent_lsp.review.pgproof import detect

    detect._cache.clear()
    found = postgres_evidence(str(tmp_path / "blog" / "views.py"))
    assert found == "site/settings.py names a PostgreSQL database"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("requirements-dev.txt", "pytest\npsycopg2-binary\n"),
        ("pyproject.toml", '[project]\noptional-dependencies = {dev = ["asyncpg"]}\n'),
        ("pyproject.toml", '[tool.poetry.group.test.dependencies]\npsycopg = "^3"\n'),
    ],
)
def test_a_driver_only_developers_install_is_not_evidence(
    tmp_path: Path, name: str, text: str
) -> None:
    _write(tmp_path / name, text)
    assert postgres_evidence(str(_write(tmp_path / "app.py", ""))) is None


def test_poetry_dependencies_and_a_broken_pyproject(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "pyproject.toml", '[tool.poetry.dependencies]\nasyncpg = "^0.29"\n')
    assert postgres_evidence(str(tmp_path / "a" / "x.py")) == "it declares asyncpg"
    _write(tmp_path / "b" / "pyproject.toml", "[project\ndependencies = [\n")
    assert postgres_evidence(str(tmp_path / "b" / "x.py")) is None
