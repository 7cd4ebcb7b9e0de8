"""Flask before 1.0 imported its extensions through ``flask.ext`` (``from flask.ext.sqlalchemy
import SQLAlchemy``): the same Flask-SQLAlchemy, whose session the extension removes at the end
of every request. Round 27: thirteen rollback suggestions on such an app were all noise."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

EXTENSIONS = """\
from flask.ext.sqlalchemy import SQLAlchemy

db = SQLAlchemy()
"""

VIEWS = """\
import flask
import sqlalchemy

from .extensions import db
from .models import Feed

views = flask.Blueprint("views", __name__)


@views.route("/feeds", methods=["POST"])
def add_feed():
    feed = Feed(url=flask.request.form.get("url", ""))
    db.session.add(feed)
    db.session.commit()
    return flask.redirect(flask.url_for(".add_feed", order=sqlalchemy.desc("id")))
"""

MODELS = """\
from .extensions import db


class Feed(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    url = db.Column(db.String(400))
"""


def _app(root: Path, extensions: str) -> Path:
    root.mkdir(exist_ok=True)
    (root / "requirements.txt").write_text("Flask==0.10.1\nFlask-SQLAlchemy==2.1\n")
    (root / "feeds").mkdir()
    for name, text in (
        ("__init__.py", ""),
        ("extensions.py", extensions),
        ("views.py", VIEWS),
        ("models.py", MODELS),
    ):
        (root / "feeds" / name).write_text(text)
    return root


def test_an_old_style_import_is_flask_sqlalchemy_and_needs_no_rollback(tmp_path: Path) -> None:
    found = collect([str(_app(tmp_path, EXTENSIONS))], ["error-handling"])
    assert [s.code for s in found if s.code == "BKD303"] == []
    # the control: under a name nothing knows, the commit is still reported
    unknown = EXTENSIONS.replace("flask.ext.sqlalchemy", "flask.ext.orm")
    found = collect([str(_app(tmp_path / "other", unknown))], ["error-handling"])
    assert [s.code for s in found if s.code == "BKD303"] == ["BKD303"]
