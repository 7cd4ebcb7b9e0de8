"""Flask-SQLAlchemy names a model without ``__tablename__`` after its class, also when the model
derives from the project's own abstract ``db.Model`` base in another module
(cookiecutter-flask's ``PkModel``). A judged app declared its association model with a
misspelt ``___tablename___``, so its table is ``group_users``, and a membership lookup ran on
every page without an index. A class whose imported base is no abstract ``db.Model`` (a plain
mixin) or is a concrete model (single-table inheritance) gets no table. Fixtures of our own."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.project import Project

DATABASE = """\
from .extensions import db

Column = db.Column


class Model(db.Model):
    __abstract__ = True


class PkModel(Model):
    __abstract__ = True
    id = Column(db.Integer, primary_key=True)


class Audited:
    created_by = None


def reference_col(tablename, nullable=False, pk_name="id"):
    return Column(db.ForeignKey(f"{tablename}.{pk_name}"), nullable=nullable)
"""

MODELS = """\
from .database import Audited, Column, PkModel, db, reference_col


class User(PkModel):
    __tablename__ = "users"
    name = Column(db.String(80))


class Group(PkModel):
    __tablename__ = "groups"
    name = Column(db.String(80))


class GroupUsers(PkModel):
    ___tablename___ = "group_users"
    user_id = reference_col("users")
    group_id = reference_col("groups")


class Note(Audited):
    author_id = Column(db.Integer)


class Admin(User):
    level = Column(db.Integer)
"""

VIEWS = """\
from flask import Blueprint

from .models import Admin, GroupUsers, Note

bp = Blueprint("groups", __name__)


@bp.route("/groups/<int:gid>/<int:uid>")
def member(gid, uid):
    row = GroupUsers.query.filter_by(user_id=uid).first()
    return {"member": row is not None}


@bp.route("/notes/<int:author>")
def notes(author):
    return {"n": len(Note.query.filter_by(author_id=author).all())}


@bp.route("/admins/<int:level>")
def admins(level):
    return {"n": len(Admin.query.filter_by(level=level).all())}
"""


def _project(root: Path) -> Path:
    files = {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["flask", "flask-sqlalchemy"]\n',
        "app/__init__.py": "",
        "app/extensions.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
        "app/database.py": DATABASE,
        "app/models.py": MODELS,
        "app/views.py": VIEWS,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_model_through_an_imported_abstract_base_is_named_after_its_class(tmp_path: Path) -> None:
    root = _project(tmp_path / "app")
    schema = Project.containing(str(root / "app" / "views.py")).schema()
    table = schema.table_for_model("GroupUsers")
    assert table is not None and table.name == "group_users"
    assert {"id", "user_id", "group_id"} <= set(table.columns)
    # a plain mixin makes no table; a subclass of a concrete model shares its table
    assert schema.table_for_model("Note") is None
    assert (
        schema.table_for_model("Admin") is None or schema.table_for_model("Admin").name == "users"
    )


def test_the_membership_lookup_gets_its_index(tmp_path: Path) -> None:
    root = _project(tmp_path / "app")
    titles = {(Path(s.path).name, s.title) for s in collect([str(root)], ["index"])}
    assert ("views.py", "Add an index on group_users (user_id)") in titles
    assert not any("note" in t or "admin" in t for _, t in titles), titles
