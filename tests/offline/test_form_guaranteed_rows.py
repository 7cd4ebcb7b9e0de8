"""A Flask view looks a row up by a WTForms field after the form validated, and the form's
own ``validate_<field>`` refuses a value with no such row: the lookup cannot miss, and a 404
for it was judged noise on a real app. A validator that refuses an *existing* row (a new
project's free id), or none at all, guarantees nothing: the BKD306 stays."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

FORMS = """\
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from .models import Project


class ReminderForm(FlaskForm):
    id = StringField("Project")

    def validate_id(self, field):
        if not Project.query.get(field.data):
            raise ValidationError("No such project")


class NewProjectForm(FlaskForm):
    id = StringField("Project")

    def validate_id(self, field):
        if Project.query.get(field.data):
            raise ValidationError("Taken")


class PlainForm(FlaskForm):
    id = StringField("Project")
"""

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Project(db.Model):
    id = db.Column(db.String(64), primary_key=True)
    email = db.Column(db.String(128))
"""

VIEWS = """\
from flask import Flask

from .forms import NewProjectForm, PlainForm, ReminderForm
from .models import Project

app = Flask(__name__)


@app.route("/remind", methods=["POST"])
def remind():
    form = ReminderForm()
    if form.validate():
        project = Project.query.get(form.id.data)
        return {"email": project.email}
    return {}, 400


@app.route("/new", methods=["POST"])
def new():
    form = NewProjectForm()
    if form.validate_on_submit():
        project = Project.query.get(form.id.data)
        return {"email": project.email}
    return {}, 400


@app.route("/plain", methods=["POST"])
def plain():
    form = PlainForm()
    if form.validate_on_submit():
        project = Project.query.get(form.id.data)
        return {"email": project.email}
    return {}, 400


@app.route("/unvalidated", methods=["POST"])
def unvalidated():
    form = ReminderForm()
    project = Project.query.get(form.id.data)
    return {"email": project.email}
"""


def test_only_a_validator_that_refuses_a_missing_row_guarantees_it(tmp_path: Path) -> None:
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "forms.py").write_text(FORMS)
    (pkg / "models.py").write_text(MODELS)
    (pkg / "views.py").write_text(VIEWS)
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\nflask-wtf\n")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (22, "Answer 404 when query.get() finds no row"),
        (31, "Answer 404 when query.get() finds no row"),
        (39, "Answer 404 when query.get() finds no row"),
    ]
