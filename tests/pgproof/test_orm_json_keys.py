"""JSON fields read through an ORM: SQLAlchemy's ``col["key"].astext == x`` and Django's
``filter(payload__source=x)`` on a JSONField. PostgreSQL proves an expression index for them,
written in the model's own idiom; SQLite cannot, so without PostgreSQL nothing is suggested."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.definitions.fixes import TextEdit, apply_edits
from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.pgproof.prover import SWITCH
from subagent_lsp.review.suggestion import Suggestion

SA_MODELS = """from sqlalchemy import Column, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Event(Base):
    __tablename__ = "event"

    id = Column(Integer, primary_key=True)
    name = Column(String(40))
    meta = Column(JSONB)
"""
SA_QUERIES = """from models import Event


def by_source(session, source):
    return session.query(Event).filter(Event.meta["source"].astext == source).all()


def by_name(session, name):
    return session.query(Event).filter(Event.id == name).first()
"""
DJ_MODELS = """from django.db import models


class Hook(models.Model):
    name = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
"""
DJ_VIEWS = """from .models import Hook


def from_source(source):
    return list(Hook.objects.filter(payload__source=source))


def with_key(key):
    return list(Hook.objects.filter(payload__has_key=key))
"""


def _app(root: Path, files: dict[str, str], requirements: str) -> Path:
    root.mkdir()
    (root / "requirements.txt").write_text(requirements, encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _suggest(root: Path, rel: str) -> list[Suggestion]:
    cache = SchemaCache()
    cache.scan([str(root)])
    path = root / rel
    return analyze(str(path), path.read_text(encoding="utf-8"), cache.schema(), kinds=["index"])


def _applied(root: Path, s: Suggestion) -> None:
    for edit in s.edits:
        path = Path(edit.path)
        text = path.read_text(encoding="utf-8")
        path.write_text(apply_edits(text, [TextEdit(edit.span, edit.new_text)]), encoding="utf-8")


def test_sqlalchemy_astext_is_an_expression_index(tmp_path: Path, postgres: None) -> None:
    app = _app(
        tmp_path / "sa",
        {"models.py": SA_MODELS, "queries.py": SA_QUERIES},
        "sqlalchemy\npsycopg2\n",
    )
    [found] = _suggest(app, "queries.py")
    assert found.title == "Add an expression index on event ((meta ->> 'source'))"
    assert found.proved_on.startswith("PostgreSQL ") and "Seq Scan cost" in found.rationale
    assert "ix_event_meta_source" in found.rationale  # the plan after names the index
    new = "".join(e.new_text for e in found.edits)
    assert 'Index("ix_event_meta_source", text("(meta ->> \'source\')"))' in new
    _applied(app, found)
    assert "from sqlalchemy import Column, Index, Integer, String, text" in (
        app / "models.py"
    ).read_text(encoding="utf-8")
    assert _suggest(app, "queries.py") == []  # the index now serves the query


def test_django_jsonfield_key_lookup(tmp_path: Path, postgres: None) -> None:
    app = _app(
        tmp_path / "dj",
        {"__init__.py": "", "models.py": DJ_MODELS, "views.py": DJ_VIEWS},
        "django\npsycopg[binary]\n",
    )
    [found] = _suggest(app, "views.py")
    # Django compares the jsonb value (``payload -> 'source' = '"x"'``), so the index is on ->
    assert found.title == "Add an expression index on hook ((payload -> 'source'))"
    assert found.span.start.line + 1 == 5
    [edit] = found.edits
    # too long for one line: one element per line, as ruff and black write it
    assert (
        "        indexes = [\n"
        '            models.Index(models.F("payload__source"), name="ix_hook_payload_source"),\n'
        "        ]\n"
    ) in edit.new_text
    _applied(app, found)
    assert _suggest(app, "views.py") == []


def test_without_postgres_a_json_key_gets_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SWITCH, "off")
    app = _app(
        tmp_path / "sa",
        {"models.py": SA_MODELS, "queries.py": SA_QUERIES},
        "sqlalchemy\npsycopg2\n",
    )
    assert _suggest(app, "queries.py") == []  # SQLite's planner cannot prove ``->>``
