"""Which apps are PostgreSQL apps: what they declare and write."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.review.pgproof.detect import ddl_evidence, postgres_evidence, sqlite_evidence


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("requirements.txt", "flask\npsycopg2-binary==2.9\n", "it declares psycopg2-binary"),
        ("pyproject.toml", '[project]\ndependencies = ["asyncpg>=0.29"]\n', "it declares asyncpg"),
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
