"""Eighth held-out round, after its measurement (a verdict on a real app, reproduced with a
fixture of our own): ``import flask_sqlalchemy`` is Flask-SQLAlchemy as much as ``from
flask_sqlalchemy import SQLAlchemy`` is, and its teardown rolls the session back."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.pysource import parse_source
from subagent_lsp.review.offline.sessions import session_facts

MODELS = """\
import flask_sqlalchemy

db = flask_sqlalchemy.SQLAlchemy()


class Token(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    secret = db.Column(db.String(80))

    def rehash(self, secret):
        self.secret = secret
        db.session.commit()
"""


def test_a_module_import_of_flask_sqlalchemy_owns_the_session(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "mail"\ndependencies = ["flask-sqlalchemy"]\n',
        "mail/__init__.py": "",
        "mail/models.py": MODELS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    assert [s.code for s in collect([str(tmp_path)], ["error-handling"])] == []
    # Read the same way as ``from flask_sqlalchemy import SQLAlchemy``; another ORM is not.
    for head, flask in (
        ("import flask_sqlalchemy\n", True),
        ("from flask_sqlalchemy import SQLAlchemy\n", True),
        ("import sqlalchemy\n", False),
    ):
        source = parse_source("m.py", head)
        assert session_facts(source).flask_db is flask, head
