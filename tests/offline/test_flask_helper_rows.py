"""A Flask route hands the client's key to a project helper that returns a Flask-SQLAlchemy
``Model.query....first()``: the row may be None, and the route's use of it is a 500 where the
client asked for something that is not there (the helper shape of issue #15)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

APP = """\
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class Project(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), unique=True)


def find_project(name):
    return Project.query.filter_by(name=name).first()


def default_project():
    return Project.query.order_by(Project.id).first()


@app.get("/p/<name>")
def by_name(name):
    project = find_project(name)
    return {"id": project.id}


@app.get("/p/<name>/checked")
def checked(name):
    project = find_project(name)
    if project is None:
        return {"error": "no such project"}, 404
    return {"id": project.id}


@app.get("/default")
def default():
    return {"id": default_project().id}
"""


def test_a_helpers_first_row_keyed_by_the_client_is_checked(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    # the checked route and the server's own default row are left alone
    assert [s.span.start.line + 1 for s in found] == [23]
    after = apply_suggestion(found[0])[str(tmp_path / "app.py")]
    assert (
        "    project = find_project(name)\n    if project is None:\n        abort(404)\n" in after
    )
    assert "from flask import Flask, abort\n" in after
    compile(after, "app.py", "exec")
