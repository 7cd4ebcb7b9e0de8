"""Seventh held-out round, an edit-target cause (verdicts on real apps, reproduced with fixtures
of our own): an index goes into the app's own model, never into a migration's private copy of
the class, nor into DDL a test writes."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

PYPROJECT = '[project]\nname = "app"\ndependencies = ["flask", "flask-sqlalchemy", "alembic"]\n'
MODEL = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Item(db.Model):
    __tablename__ = "item"
    id = db.Column(db.Integer, primary_key=True)
    list_id = db.Column(db.Integer)
"""
# A migration that declares its own copy of the table to move data (a common Alembic idiom).
MIGRATION = """\
import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "item"
    id = sa.Column(sa.Integer, primary_key=True)
    list_id = sa.Column(sa.Integer)


def upgrade():
    op.execute("UPDATE item SET list_id = 0 WHERE list_id IS NULL")
"""
VIEW = """\
from flask import Blueprint, jsonify

from app.models import Item

bp = Blueprint("items", __name__)


@bp.get("/lists/<int:list_id>/items")
def items(list_id):
    return jsonify([i.id for i in Item.query.filter_by(list_id=list_id).all()])
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in {"pyproject.toml": PYPROJECT, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_index_goes_into_the_apps_model(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODEL,
            "app/views.py": VIEW,
            "migrations/versions/0002_fill_lists.py": MIGRATION,
        },
    )
    (found,) = [s for s in collect([str(tmp_path)], ["index"])]
    assert found.title == "Add an index on item (list_id)"
    assert {Path(e.path).relative_to(tmp_path).as_posix() for e in found.edits} == {"app/models.py"}


def test_no_index_into_ddl_a_test_writes(tmp_path: Path) -> None:
    ddl_in_test = (
        "import sqlite3\n\n\ndef test_schema():\n    db = sqlite3.connect(':memory:')\n"
        '    db.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, list_id INTEGER)")\n'
    )
    view = VIEW.replace("from app.models import Item\n", "").replace(
        "    return jsonify([i.id for i in Item.query.filter_by(list_id=list_id).all()])\n",
        "    rows = DB.execute('SELECT id FROM item WHERE list_id = ?', (list_id,)).fetchall()\n"
        "    return jsonify([r[0] for r in rows])\n",
    )
    view = "import sqlite3\n\nDB = sqlite3.connect('app.db')\n" + view
    _write(tmp_path, {"app/__init__.py": "", "app/views.py": view, "tests/test_db.py": ddl_in_test})
    assert [s.title for s in collect([str(tmp_path)], ["index"])] == []
    # The same DDL in the app's own setup module: the index goes there.
    _write(tmp_path, {"app/setup_db.py": ddl_in_test.replace("def test_schema", "def create")})
    assert [s.title for s in collect([str(tmp_path)], ["index"])] == [
        "Add an index on item (list_id)"
    ]
