"""Twenty-fourth held-out round, its Flask verdicts: an agent-driven job server on
Flask-SQLAlchemy with a setup flow that seeds its rows, WTForms uniqueness validators, a
status helper that commits before it notifies upstream, and a long text column. Small
fixtures of our own that reproduce each shape: what a reviewer rejected stays silent, what a
reviewer accepted (or missed) is suggested at its line, and every edit applies and parses."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion


def _project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "jobs"\ndependencies = ["flask", "flask-sqlalchemy>=3", '
        '"flask-wtf", "requests"]\n'
    )
    return root


def _sites(found: list[Suggestion], root: Path) -> set[tuple[str, int, str]]:
    return {
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.code) for s in found
    }


def _applies(s: Suggestion) -> None:
    for text in apply_suggestion(s).values():
        ast.parse(text)


MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Config(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    retention_days = db.Column(db.Integer)


class Member(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    handle = db.Column(db.String(40))
    first_name = db.Column(db.String(40))
"""

# The one config row and the seeded admin (id 1) are the server's: their absence is a 500 to
# fix, not a 404 to answer. The member the URL names is the client's.
SINGLETONS = """\
from flask import Blueprint, render_template, request

from .models import Config, Member, db

bp = Blueprint("setup", __name__)


@bp.route("/settings")
def settings_page():
    config = Config.query.first()
    return render_template("settings.html", days=config.retention_days)


@bp.route("/setup/admin")
def admin_setup():
    admin = db.session.query(Member).filter_by(id=1).first()
    return render_template("setup.html", name=admin.first_name)


@bp.route("/setup/admin-get")
def admin_setup_get():
    admin = Member.query.get(1)
    return render_template("setup.html", name=admin.first_name)


@bp.route("/members/<handle>")
def member_page(handle):
    member = Member.query.filter_by(handle=handle).first()
    return render_template("member.html", name=member.first_name)


@bp.route("/members/by-id")
def member_by_id():
    member = Member.query.get(request.args.get("id", type=int))
    return render_template("member.html", name=member.first_name)
"""


def test_singleton_rows_are_not_answered_404_but_client_keyed_rows_are(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/models.py": MODELS, "app/views.py": SINGLETONS})
    found = [s for s in collect([str(root)]) if s.code == "BKD306"]
    assert _sites(found, root) == {("app/views.py", 28, "BKD306"), ("app/views.py", 34, "BKD306")}
    for s in found:
        _applies(s)
