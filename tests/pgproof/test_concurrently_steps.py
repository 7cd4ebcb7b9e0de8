"""What a PostgreSQL-proven index suggestion says about building it: a Django model's edit
names its migration (``makemigrations``, then AddIndexConcurrently) — an edit that said nothing
of it was judged unmergeable where CI runs ``makemigrations --check`` — and a model with no
migration tool keeps the plain CONCURRENTLY advice."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.review.offline.schema import Table
from subagent_lsp.review.pgproof.prover import CONCURRENTLY, _concurrently


def test_a_django_model_names_makemigrations_and_the_concurrent_operation(
    tmp_path: Path,
) -> None:
    table = Table("event", "django", str(tmp_path / "events" / "models.py"))
    text = _concurrently(table)
    assert text.startswith("Then `python manage.py makemigrations` writes the migration")
    assert "AddIndexConcurrently" in text and "atomic = False" in text


def test_a_model_without_a_migration_tool_keeps_the_plain_advice(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "a"\ndependencies = []\n')
    table = Table("event", "sqlalchemy", str(tmp_path / "models.py"))
    assert _concurrently(table) == CONCURRENTLY
