"""BKD306 reads a key off what a project function returns as the server's data: a real login
looked its staff row up by ``AuthService.get_login(username).staff_id``, the login row's NOT
NULL key, and a 404 there was judged noise (blind round r39). The helper's own None (an
unknown username) and the twin keyed by the client's value still fire."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Staff(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    role = db.Column(db.String(20))


class Login(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(40), unique=True)
    staff_id = db.Column(db.Integer, db.ForeignKey("staff.id"), nullable=False)
"""

VIEWS = """\
from flask import Flask, request

from .models import Staff
from .services import AuthService

app = Flask(__name__)


@app.post("/login")
def login():
    username = request.form["username"]
    staff = Staff.query.filter_by(id=AuthService.get_login(username).staff_id).first()
    return {"role": staff.role}


@app.get("/role")
def role():
    return {"role": AuthService().role_of(request.args["username"])}


@app.get("/staff")
def staff():
    staff = Staff.query.filter_by(id=request.args["id"]).first()
    return {"role": staff.role}
"""


SERVICES = """\
from .models import Login, Staff


class AuthService:
    @staticmethod
    def get_login(username):
        return Login.query.filter_by(username=username).first()

    def role_of(self, username):
        user = AuthService.get_login(username)
        if user is None:
            return None
        staff = Staff.query.filter_by(id=user.staff_id).first()
        return staff.role
"""


def test_a_key_read_off_a_project_functions_row(tmp_path: Path) -> None:
    pkg = tmp_path / "shop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "models.py").write_text(MODELS)
    (pkg / "views.py").write_text(VIEWS)
    (pkg / "services.py").write_text(SERVICES)
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    lines = VIEWS.splitlines()
    fired = sorted((s.title, lines[s.span.start.line].strip()) for s in found)
    # the staff row behind the login row's key is there: only the client's own lookups fire,
    # the login helper's (an unknown username) and the staff list's
    assert fired == [
        (
            "Answer 404 when Login is None",
            "staff = Staff.query.filter_by(id=AuthService.get_login(username).staff_id).first()",
        ),
        (
            "Answer 404 when first() finds no row",
            'staff = Staff.query.filter_by(id=request.args["id"]).first()',
        ),
    ]
