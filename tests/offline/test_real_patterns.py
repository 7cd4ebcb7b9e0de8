"""Verdicts from judging the offline engine on real open-source apps (Flask, Flask-SQLAlchemy,
FastAPI + SQLModel), kept as small fixtures of our own that reproduce each shape: what a reviewer
rejected must stay silent, what a reviewer accepted must still be suggested, at its line."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.review.suggestion import Suggestion

FLASK_DB = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(64), unique=True)
    nickname = db.Column(db.String(64))
"""


def _project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _found(root: Path, kinds: tuple[str, ...] | None = None) -> set[tuple[str, int, str]]:
    return {
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.code)
        for s in collect([str(root)], kinds)
    }


def _applied(s: Suggestion) -> str:
    text = Path(s.path).read_text()
    edits = [TextEdit(e.span, e.new_text) for e in s.edits]
    return apply_edits(text, edits)


# --- BKD303: who already rolls a failed commit back -------------------------------------------


def test_flask_sqlalchemy_request_commit_is_rolled_back_by_teardown(tmp_path: Path) -> None:
    # flasky/microblog shape: db.session in a view; Flask-SQLAlchemy removes the session when
    # the app context ends, so the failed transaction never outlives the request.
    views = """\
from flask import Blueprint, redirect

from .models import User, db

bp = Blueprint("main", __name__)


@bp.route("/users/<name>", methods=["POST"])
def create(name):
    db.session.add(User(name=name))
    db.session.commit()
    return redirect("/")
"""
    root = _project(tmp_path / "app", {"models.py": FLASK_DB, "views.py": views})
    assert _found(root, ("error-handling",)) == set()


def test_generic_crud_mixin_save_is_not_flagged(tmp_path: Path) -> None:
    # flask-realworld shape: a CRUDMixin.save() helper used by every model.
    ext = FLASK_DB + (
        "\n\nclass CRUDMixin:\n"
        "    def save(self, commit=True):\n"
        "        db.session.add(self)\n"
        "        if commit:\n"
        "            db.session.commit()\n"
        "        return self\n"
    )
    root = _project(tmp_path / "app", {"extensions.py": ext})
    assert _found(root, ("error-handling",)) == set()


def test_worker_that_pushes_its_own_app_context_is_flagged(tmp_path: Path) -> None:
    # microblog's rq task: the context is pushed once and never popped, so a failed commit
    # poisons the session for every later job. The one BKD303 a reviewer accepted.
    tasks = """\
from .app import create_app
from .models import User, db

app = create_app()
app.app_context().push()


def rename(user_id, name):
    user = db.session.get(User, user_id)
    user.name = name
    db.session.commit()
"""
    root = _project(tmp_path / "app", {"models.py": FLASK_DB, "tasks.py": tasks})
    assert _found(root, ("error-handling",)) == {("tasks.py", 11, "BKD303")}


def test_app_wide_500_handler_that_rolls_back(tmp_path: Path) -> None:
    handlers = """\
from flask import Blueprint

from .database import db_session

bp = Blueprint("errors", __name__)


@bp.app_errorhandler(500)
def internal_error(error):
    db_session.rollback()
    return "error", 500
"""
    views = """\
from flask import Flask
from sqlalchemy import select

from .database import db_session

app = Flask(__name__)


@app.post("/ping")
def ping():
    db_session.execute(select(1))
    db_session.commit()
    return "ok"
"""
    root = _project(tmp_path / "app", {"views.py": views})
    assert _found(root, ("error-handling",)) == {("views.py", 12, "BKD303")}
    (root / "handlers.py").write_text(handlers)
    assert _found(root, ("error-handling",)) == set()


def test_teardown_that_removes_a_scoped_session(tmp_path: Path) -> None:
    # Flask's documented plain-SQLAlchemy pattern.
    app = """\
from flask import Flask
from sqlalchemy.orm import scoped_session, sessionmaker

app = Flask(__name__)
db_session = scoped_session(sessionmaker())


@app.teardown_appcontext
def shutdown_session(exception=None):
    db_session.remove()


@app.post("/ping")
def ping():
    db_session.commit()
    return "ok"
"""
    root = _project(tmp_path / "app", {"app.py": app})
    assert _found(root, ("error-handling",)) == set()


def test_fastapi_session_dependency_and_crud_helpers(tmp_path: Path) -> None:
    # full-stack-fastapi-template shape: `with Session(engine) as session: yield session`, the
    # session a parameter of every route and CRUD helper.
    deps = """\
from collections.abc import Generator
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session, create_engine

engine = create_engine("sqlite://")


def get_db() -> Generator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]
"""
    crud = """\
from sqlmodel import Session


def create_item(*, session: Session, item):
    session.add(item)
    session.commit()
    session.refresh(item)
    return item
"""
    routes = """\
from fastapi import APIRouter

from .deps import SessionDep

router = APIRouter()


@router.delete("/items/{item_id}")
def delete_item(session: SessionDep, item_id: int):
    session.delete(session.get(object, item_id))
    session.commit()
    return {"ok": True}
"""
    root = _project(tmp_path / "app", {"deps.py": deps, "crud.py": crud, "routes.py": routes})
    assert _found(root, ("error-handling",)) == set()


def test_session_bound_by_with_is_closed_there(tmp_path: Path) -> None:
    job = """\
from sqlalchemy.orm import Session


def purge(engine, model):
    with Session(engine) as session:
        session.query(model).delete()
        session.commit()
"""
    root = _project(tmp_path / "app", {"job.py": job})
    assert _found(root) == set()


def test_sqlite3_connection_gets_no_sqlalchemy_advice(tmp_path: Path) -> None:
    # A raw-SQL Flask app whose `db` is a sqlite3.Connection: the old fix imported sqlalchemy.
    app = """\
import sqlite3

from flask import Flask, g

app = Flask(__name__)


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect("app.db")
    return g.db


@app.post("/posts/<title>")
def create(title):
    db = get_db()
    db.execute("INSERT INTO post (title) VALUES (?)", (title,))
    db.commit()
    return "ok"
"""
    root = _project(tmp_path / "app", {"app.py": app})
    assert _found(root, ("error-handling",)) == set()


def test_tests_fixtures_and_migrations_are_not_sources(tmp_path: Path) -> None:
    query = """\
from sqlalchemy.orm import Session


def test_lookup(engine):
    session = Session(engine)
    session.execute("SELECT * FROM users WHERE nickname = 'x'")
    session.commit()
    return session.execute("SELECT count(*) FROM users").scalar()
"""
    files = {
        "models.py": FLASK_DB,
        "tests/test_users.py": query,
        "tests.py": query,
        "conftest.py": query,
        "migrations/versions/0001_init.py": query,
    }
    root = _project(tmp_path / "app", files)
    assert _found(root) == set()
    (root / "service.py").write_text(query.replace("def test_lookup", "def lookup"))
    assert {c for _, _, c in _found(root)} == {"BKD101", "BKD303"}


# --- BKD201: validation in what the app has ------------------------------------------------------

TRANSLATE = """\
from flask import Flask, request

app = Flask(__name__)


@app.post("/translate")
def translate_text():
    data = request.get_json()
    return {"text": data["text"], "to": data["dest_language"]}
"""


def test_flask_body_check_without_pydantic_is_plain_python(tmp_path: Path) -> None:
    # microblog shape: no pydantic in requirements.txt, so none may be imported.
    root = _project(tmp_path / "app", {"requirements.txt": "flask==3.0\n", "app.py": TRANSLATE})
    [s] = collect([str(root)], ["validation"])
    assert (s.code, s.span.start.line) == ("BKD201", 7)
    fixed = _applied(s)
    assert "pydantic" not in fixed and "from flask import Flask, jsonify, request\n" in fixed
    ast.parse(fixed)
    (root / "app.py").write_text(fixed)
    assert collect([str(root)], ["validation"]) == []


def test_flask_body_check_with_pydantic_declared(tmp_path: Path) -> None:
    root = _project(
        tmp_path / "app",
        {
            "pyproject.toml": '[project]\ndependencies = ["flask", "pydantic>=2"]\n',
            "app.py": TRANSLATE,
        },
    )
    [s] = collect([str(root)], ["validation"])
    assert "from pydantic import BaseModel, ValidationError" in _applied(s)


def test_alchemical_flask_session_is_closed_at_teardown(tmp_path: Path) -> None:
    # microblog-api shape: `db = Alchemical()` from alchemical.flask, models import sqlalchemy.
    app = "from alchemical.flask import Alchemical\n\ndb = Alchemical()\n"
    models = """\
import sqlalchemy as sa

from .app import db


class Token:
    @staticmethod
    def revoke(token):
        db.session.execute(sa.delete(Token).where(Token.id == token))
        db.session.commit()
"""
    root = _project(tmp_path / "app", {"app.py": app, "models.py": models})
    assert _found(root, ("error-handling",)) == set()


def test_upstream_502_uses_flask_abort_when_the_module_does(tmp_path: Path) -> None:
    # microblog-api's OAuth callback: requests without a timeout, errors answered with abort().
    views = """\
import requests
from flask import Flask, abort

app = Flask(__name__)


@app.get("/callback")
def callback():
    response = requests.post("https://provider.example/token", timeout=5)
    if response.status_code != 200:
        abort(401)
    return response.json()
"""
    root = _project(tmp_path / "app", {"views.py": views})
    [s] = collect([str(root)], ["error-handling"])
    assert (s.code, s.span.start.line) == ("BKD302", 8)
    fixed = _applied(s)
    assert "    except requests.RequestException:\n        abort(502)\n" in fixed
    assert "jsonify" not in fixed
    ast.parse(fixed)


# --- BKD101: foreign keys a relationship walks ---------------------------------------------------

SOCIAL = """\
from datetime import datetime

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Follow(db.Model):
    __tablename__ = "follows"
    follower_id = db.Column(db.Integer, db.ForeignKey("users.id"), primary_key=True)
    followed_id = db.Column(db.Integer, db.ForeignKey("users.id"), primary_key=True)


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    posts = db.relationship("Post", backref="author", lazy="dynamic")
    comments = db.relationship("Comment", backref="author", lazy="dynamic")
    followed = db.relationship("Follow", foreign_keys=[Follow.follower_id], lazy="dynamic")
    followers = db.relationship("Follow", foreign_keys=[Follow.followed_id], lazy="dynamic")

    def is_following(self, user):
        return self.followed.filter_by(followed_id=user.id).first() is not None


class Post(db.Model):
    __tablename__ = "posts"
    id = db.Column(db.Integer, primary_key=True)
    timestamp = db.Column(db.DateTime, index=True, default=datetime.utcnow)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    comments = db.relationship("Comment", backref="post", lazy="dynamic")

    def to_json(self):
        return {"comment_count": self.comments.count()}


class Comment(db.Model):
    __tablename__ = "comments"
    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    post_id = db.Column(db.Integer, db.ForeignKey("posts.id"))
"""

SOCIAL_VIEWS = """\
from flask import Blueprint

from .models import Post

bp = Blueprint("main", __name__)


@bp.route("/user/<int:uid>")
def user_page(user):
    return [p.id for p in user.posts.order_by(Post.timestamp.desc()).limit(20)]


@bp.route("/followers")
def followers(user):
    return [f.follower_id for f in user.followers.paginate(page=1, per_page=20).items]


@bp.route("/posts/<int:pid>")
def post_page(post):
    return post.to_json()
"""


def test_relationship_walks_find_unindexed_foreign_keys(tmp_path: Path) -> None:
    # flasky shape: dynamic relationships walked from views and model methods. The indexed
    # timestamp alone only spares a sort: SQLite still scans every post of every author.
    root = _project(tmp_path / "app", {"models.py": SOCIAL, "views.py": SOCIAL_VIEWS})
    found = collect([str(root)], ["index"])
    titles = {(Path(s.path).name, s.span.start.line + 1, s.title) for s in found}
    assert titles == {
        # Post.to_json walks Post.comments (by post_id), not User.comments (indexed author_id)
        ("models.py", 34, "Add an index on comments (post_id)"),
        ("views.py", 10, "Add an index on posts (author_id, timestamp)"),
        # the second column of the composite primary key is not served by it
        ("views.py", 15, "Add an index on follows (followed_id)"),
    }
    assert all("Plan before:" in s.rationale and "Plan after:" in s.rationale for s in found)


def test_relationship_walk_with_several_foreign_keys_and_no_hint_is_left_alone(
    tmp_path: Path,
) -> None:
    models = SOCIAL.replace("foreign_keys=[Follow.followed_id], ", "")
    root = _project(tmp_path / "app", {"models.py": models, "views.py": SOCIAL_VIEWS})
    titles = {s.title for s in collect([str(root)], ["index"])}
    assert "Add an index on follows (followed_id)" not in titles


TYPED = """\
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    tasks: so.WriteOnlyMapped["BackgroundTask"] = so.relationship(back_populates="user")
    messages_received: so.WriteOnlyMapped["Message"] = so.relationship(
        foreign_keys="Message.recipient_id", back_populates="recipient"
    )

    def get_tasks_in_progress(self):
        return db.session.scalars(
            self.tasks.select().where(BackgroundTask.complete == False)  # noqa: E712
        )


class BackgroundTask(db.Model):
    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id))
    complete: so.Mapped[bool] = so.mapped_column(default=False)


class Message(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    sender_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id), index=True)
    recipient_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey(User.id))
    timestamp: so.Mapped[int] = so.mapped_column(index=True)


def inbox(current_user):
    return current_user.messages_received.select().order_by(Message.timestamp.desc())
"""


def test_typed_models_without_tablename_and_write_only_relationships(tmp_path: Path) -> None:
    # microblog shape: Flask-SQLAlchemy's default table names (BackgroundTask ->
    # background_task), WriteOnlyMapped["X"] relationships, foreign_keys given as a string.
    # (the base template shows the tasks in progress, as the real app's does: a method
    # nothing mentions is dead code, and its query no index's business)
    page = "{% for task in current_user.get_tasks_in_progress() %}{{ task.id }}{% endfor %}"
    root = _project(tmp_path / "app", {"models.py": TYPED, "templates/base.html": page})
    titles = {(s.span.start.line + 1, s.title) for s in collect([str(root)], ["index"])}
    assert titles == {
        (17, "Add an index on background_task (user_id)"),
        (35, "Add an index on message (recipient_id, timestamp)"),
    }
