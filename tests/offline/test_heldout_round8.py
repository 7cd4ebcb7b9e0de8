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


VIEWS = """\
from django.http import HttpResponse


def changes(request):
    data = request.GET
    rev = int(data["rev"])
    return HttpResponse(str(rev))


def table(request):
    try:
        trend = int(request.GET.get("trend"))
    except TypeError:
        trend = 10
    return HttpResponse(str(trend))


def guarded(request):
    try:
        trend = int(request.GET.get("trend"))
    except (TypeError, ValueError):
        trend = 10
    return HttpResponse(str(trend))
"""


def test_request_data_through_an_alias_and_a_handler_that_misses_valueerror(
    tmp_path: Path,
) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "speed"\ndependencies = ["django"]\n',
        "speed/__init__.py": "",
        "speed/views.py": VIEWS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD202"]
    # ``data = request.GET`` is the request's data; ``except TypeError`` catches a missing
    # value, not ``?trend=abc``; ``(TypeError, ValueError)`` catches both.
    assert [s.span.start.line + 1 for s in found] == [6, 12]
