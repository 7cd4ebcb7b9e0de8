"""SQL is read by sqlglot only: statements split by its tokenizer, DDL and CREATE INDEX parsed per
statement, and the schema those give (anchors, statements as written, merges that do not grow)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.review.context import build_context, table_source
from subagent_lsp.review.offline.pysource import parse_source, strings_and_comments
from subagent_lsp.review.offline.queries import sql_file_queries
from subagent_lsp.review.offline.schema import SchemaCache, schema_from_python, schema_from_sql
from subagent_lsp.review.offline.sql import IndexDef, index_defs, split_statements, table_defs


def _texts(sql: str) -> list[tuple[str, str]]:
    return [(s.keyword, sql[s.start : s.end]) for s in split_statements(sql)]


def test_split_ignores_semicolons_in_comments_quotes_and_dollar_bodies() -> None:
    sql = (
        "/* a; b */ SELECT 1 -- c;\n;\n"
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
        "SELECT 'x;y' FROM t"
    )
    assert _texts(sql) == [
        ("SELECT", "SELECT 1"),
        ("CREATE", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql"),
        ("SELECT", "SELECT 'x;y' FROM t"),
    ]
    [_, _, last] = split_statements(sql)
    assert last.stop == len(sql)  # no ``;`` ends it


def test_split_keeps_what_comes_before_an_unclosed_quote() -> None:
    assert _texts("SELECT 1; UPDATE t SET a = 'oops")[0] == ("SELECT", "SELECT 1")


def test_sql_file_queries_span_the_statement_without_its_comments() -> None:
    text = "/* report; monthly */\nSELECT id FROM events WHERE kind = ? ;\n"
    [query] = sql_file_queries(text)
    assert query.shape.table == "events" and query.shape.eq == ["kind"]
    assert query.span == Span(Position(1, 0), Position(1, 36))
    assert query.description == "SELECT id FROM events WHERE kind = ?"


def test_ddl_statements_as_written_and_the_anchor_after_a_qualified_table() -> None:
    sql = (
        "CREATE TABLE public.users (\n  id integer PRIMARY KEY,\n  email text\n);\n"
        "CREATE INDEX ix_users_email ON public.users (email);\n"
    )
    table = schema_from_sql("schema.sql", sql).tables["users"]
    assert table.anchor_line == 4  # the line after the ``;`` (a regex once read "public")
    assert table.indexes == [("ix_users_email", ("email",))]
    assert table.ddl == [
        "CREATE TABLE public.users (\n  id integer PRIMARY KEY,\n  email text\n);",
        "CREATE INDEX ix_users_email ON public.users (email);",
    ]


def test_a_statement_one_dialect_cannot_read_is_read_by_the_next() -> None:
    sql = (
        "CREATE TABLE `users` (`id` int NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB;"
    )
    [table] = table_defs(sql)
    assert table.name == "users" and [c.name for c in table.columns] == ["id"]


def test_index_defs_read_methods_and_include() -> None:
    sql = (
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON public.accounts USING GIN (plan);\n"
        "create unique index ix_b on events (account_id, occurred_at desc) include (kind);\n"
        "CREATE TABLE t (id int);"
    )
    assert index_defs(sql) == [
        IndexDef("ix_a", "accounts", ("plan",), method="gin"),
        IndexDef("ix_b", "events", ("account_id", "occurred_at"), include=True),
    ]
    assert index_defs("SELECT 1") == []


def test_strings_and_comments_of_a_fragment_that_does_not_parse() -> None:
    code = (
        '    conn.execute("CREATE INDEX ix ON events (kind)")\n'
        "    # CREATE INDEX iy ON events (account_id)\n"
        '    x = f"{name}"\n'
        "    call(\n"
    )
    assert strings_and_comments(code) == [
        "CREATE INDEX ix ON events (kind)",
        " CREATE INDEX iy ON events (account_id)",
    ]


def test_merging_the_workspace_schema_does_not_grow_the_cached_tables(tmp_path: Path) -> None:
    (tmp_path / "a_schema.sql").write_text("CREATE TABLE events (id int PRIMARY KEY, kind text);\n")
    (tmp_path / "b_index.sql").write_text("CREATE INDEX ix_kind ON events (kind);\n")
    cache = SchemaCache()
    cache.scan([str(tmp_path)])
    first = cache.schema().tables["events"]
    again = cache.schema().tables["events"]
    assert first.indexes == again.indexes == [("ix_kind", ("kind",))]
    assert table_source(again) == (
        "CREATE TABLE events (id int PRIMARY KEY, kind text);\n"
        "CREATE INDEX ix_kind ON events (kind);"
    )


def test_a_ddl_string_in_python_is_the_definition_the_agent_is_shown() -> None:
    text = (
        "import sqlite3\n\n"
        "def setup(conn):\n"
        '    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT)")\n\n'
        "def by_kind(conn, kind):\n"
        '    return conn.execute("SELECT id FROM events WHERE kind = ?", (kind,)).fetchall()\n'
    )
    schema = schema_from_python(parse_source("repo.py", text))
    table = schema.tables["events"]
    assert table.origin == "python-sql"
    assert table_source(table) == "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT)"
    context = build_context("repo.py", text, Span(Position(5, 0), Position(6, 0)), "index", schema)
    assert "CREATE TABLE events" in context.schema
    assert context.tables == 1 and "1 table definitions" in context.describe()
