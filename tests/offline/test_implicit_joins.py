"""An implicit join: ``query(Group.id, Group.name, Member).filter(Member.user_id == uid)
.filter(Member.group_id == Group.id)`` reads the members a value narrows, then their groups.
The planner starts at members, so ``members.user_id`` wants an index (a judged app's student
dashboard read a user's memberships so on every page, and it was missed). Silent when the
column is indexed, or when nothing links the other model to the one the query reads.
Fixtures of our own."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Group(db.Model):
    __tablename__ = "groups"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))


class Member(db.Model):
    __tablename__ = "members"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, nullable=False{user_index})
    group_id = db.Column(db.ForeignKey("groups.id"), nullable=False, index=True)
"""

VIEWS = """\
from flask import Blueprint, render_template, session

from .models import Group, Member, db

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def student():
    uid = session.get("_user_id")
    groups = (
        db.session.query(Group.id, Group.name, Member)
        .filter(Member.user_id == uid)
        .filter({link})
    )
    return render_template("dashboard.html", groups=groups)
"""


def _titles(root: Path, user_index: str = "", link: str = "Member.group_id == Group.id") -> set:
    files = {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["flask", "flask-sqlalchemy"]\n',
        "app/__init__.py": "",
        "app/models.py": MODELS.format(user_index=user_index),
        "app/views.py": VIEWS.format(link=link),
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {
        (Path(s.path).name, s.span.start.line + 1, s.title) for s in collect([str(root)], ["index"])
    }


def test_the_narrowed_side_of_an_implicit_join_gets_its_index(tmp_path: Path) -> None:
    assert _titles(tmp_path) == {("views.py", 12, "Add an index on members (user_id)")}


def test_silent_when_the_narrowed_column_is_indexed(tmp_path: Path) -> None:
    assert _titles(tmp_path, user_index=", index=True") == set()


def test_silent_when_nothing_links_the_other_model(tmp_path: Path) -> None:
    assert _titles(tmp_path, link="Group.name != ''") == set()
