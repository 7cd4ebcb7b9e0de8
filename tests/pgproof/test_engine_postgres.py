"""The offline engine on a PostgreSQL app: its missing indexes proven on PostgreSQL's planner,
nothing where an index already serves the query, SQLite when PostgreSQL is switched off."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.definitions.fixes import TextEdit, apply_edits
from subagent_lsp.review.describe import message
from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.pgproof.prover import SWITCH
from subagent_lsp.review.suggestion import Suggestion


def _suggest(root: Path, rel: str) -> list[Suggestion]:
    cache = SchemaCache()
    cache.scan([str(root)])
    path = root / rel
    return analyze(str(path), path.read_text(encoding="utf-8"), cache.schema(), kinds=["index"])


def test_missing_indexes_are_proven_on_postgres(activity_app: Path) -> None:
    found = _suggest(activity_app, "repository.py")
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (12, "Add an index on activity (tenant_id, created_at)"),
        (17, "Add an expression index on activity ((payload ->> 'source'))"),
        (22, "Add a GIN index on documents (tags)"),
        (27, "Add a partial index on documents (title) WHERE archived_at IS NULL"),
    ]
    for s in found:
        assert s.proven and s.proved_on.startswith("PostgreSQL ")
        assert message(s).endswith(f"(index proven on {s.proved_on})")
        assert "Proven on PostgreSQL" in s.rationale and "100,000 synthetic rows" in s.rationale
        assert "Plan before:" in s.rationale and "Plan after:" in s.rationale
        assert "CREATE INDEX CONCURRENTLY" in s.rationale
        [edit] = s.edits
        assert edit.path.endswith("schema.sql")
    expression = found[1]
    assert (
        "Seq Scan cost" in expression.rationale
        and "→ Bitmap Heap Scan cost" in expression.rationale
    )
    assert expression.edits[0].new_text == (
        "CREATE INDEX ix_activity_payload_source ON activity ((payload ->> 'source'));\n"
    )
    assert "USING gin (tags)" in found[2].edits[0].new_text
    assert found[3].edits[0].new_text == (
        "CREATE INDEX ix_documents_title_partial ON documents (title) WHERE archived_at IS NULL;\n"
    )


def test_nothing_where_an_index_already_serves(activity_app: Path) -> None:
    # created_at, the unique email, tenant_id and the expression index on payload->>'kind'
    assert _suggest(activity_app, "repository_clean.py") == []


def test_applied_edits_remove_their_suggestions(activity_app: Path) -> None:
    """The schema changes, so the changed table is reloaded and proven again: nothing is left."""
    schema = activity_app / "schema.sql"
    for s in _suggest(activity_app, "repository.py"):
        [edit] = s.edits
        text = schema.read_text(encoding="utf-8")
        schema.write_text(apply_edits(text, [TextEdit(edit.span, edit.new_text)]), "utf-8")
    assert _suggest(activity_app, "repository.py") == []


BY_TITLE = (
    "def by_title(conn, title):\n"
    '    return conn.execute("SELECT id FROM documents WHERE title = %s", (title,)).fetchall()\n'
)


def test_switched_off_the_proofs_stay_on_sqlite(
    activity_app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (activity_app / "titles.py").write_text(BY_TITLE, encoding="utf-8")
    [on_postgres] = _suggest(activity_app, "titles.py")
    assert on_postgres.proved_on.startswith("PostgreSQL ")
    monkeypatch.setenv(SWITCH, "off")
    # SQLite reads no JSONB or @>, and it has no partial index to offer: the soft-delete
    # mark's IS NULL is no equality, so a plain index on the title; the range on created_at
    # that its index served becomes an equality SEARCH on (tenant_id, created_at), as on
    # PostgreSQL
    assert [(s.title, s.proved_on) for s in _suggest(activity_app, "repository.py")] == [
        ("Add an index on activity (tenant_id, created_at)", "SQLite"),
        ("Add an index on documents (title)", "SQLite"),
    ]
    [on_sqlite] = _suggest(activity_app, "titles.py")
    assert on_sqlite.title == on_postgres.title == "Add an index on documents (title)"
    assert on_sqlite.proved_on == "SQLite" and "Proven on SQLite" in on_sqlite.rationale
