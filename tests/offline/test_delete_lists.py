"""BKD326: ``session.delete(rows)`` given a list (a real app's account deletion did
``DB.session.delete(userBooks)`` on a query's ``.all()``: UnmappedInstanceError, a 500 for
every user who owned a book). Found through a local (plain or annotated), written inline, as a
list comprehension, and in FastAPI with a ``Session`` parameter and an ``AsyncSession``.
Silent twins: a loop over the rows, one row, a name also bound to a row, a loop variable, a
parameter, and a ``delete`` of something that is no session (a cache's ``delete(keys)``)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FLASK = """\
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from redis import Redis

app = Flask(__name__)
db = SQLAlchemy(app)
cache = Redis()


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer)
    done = db.Column(db.Boolean, default=False)


@app.route("/users/<int:user_id>", methods=["DELETE"])
def delete_user(user_id):
    notes : list = Note.query.filter_by(owner_id=user_id).all()
    if notes:
        db.session.delete(notes)
    db.session.commit()
    return {"deleted": True}


@app.route("/users/<int:user_id>/notes", methods=["DELETE"])
def delete_notes(user_id):
    db.session.delete(Note.query.filter_by(owner_id=user_id).all())
    db.session.commit()
    return {"deleted": True}


@app.route("/users/<int:user_id>/done", methods=["DELETE"])
def delete_done(user_id):
    entries = Note.query.filter_by(owner_id=user_id).all()
    finished = [entry for entry in entries if entry.done]
    try:
        db.session.delete(finished)
        db.session.commit()
    except Exception:
        db.session.rollback()
    return {"deleted": True}


@app.route("/users/<int:user_id>/fine", methods=["DELETE"])
def delete_fine(user_id):
    notes = Note.query.filter_by(owner_id=user_id).all()
    for note in notes:
        db.session.delete(note)
    first = Note.query.filter_by(owner_id=user_id).first()
    if first is not None:
        db.session.delete(first)
    rows = Note.query.filter_by(owner_id=user_id).all()
    rows = rows[0]
    db.session.delete(rows)
    for group in [notes]:
        db.session.delete(group)
    keys = [f"note:{note.id}" for note in notes]
    cache.delete(keys)
    db.session.commit()
    return {"deleted": True}


def purge(session, notes):
    session.delete(notes)
"""

FASTAPI = """\
from fastapi import Depends, FastAPI
from sqlalchemy import Boolean, Column, Integer, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()
app = FastAPI()


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    done = Column(Boolean)


def get_db():
    yield None


@app.delete("/items/done")
def purge_done(db: Session = Depends(get_db)):
    items = db.query(Item).filter(Item.done).all()
    db.delete(items)
    db.commit()
    return {"ok": True}


@app.delete("/items")
async def purge_all(session: AsyncSession = Depends(get_db)):
    items = (await session.scalars(select(Item))).all()
    await session.delete(items)
    await session.commit()
    return {"ok": True}
"""


def _project(tmp_path: Path) -> None:
    (tmp_path / "notes.py").write_text(FLASK)
    (tmp_path / "items.py").write_text(FASTAPI)
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\nfastapi\nsqlalchemy\n")


def _ours(tmp_path: Path) -> list[Suggestion]:
    found = collect([str(tmp_path)], ["error-handling"])
    return sorted(
        (s for s in found if s.code == "BKD326"), key=lambda s: (s.path, s.span.start.line)
    )


def test_a_list_handed_to_session_delete_is_deleted_row_by_row(tmp_path: Path) -> None:
    _project(tmp_path)
    ours = _ours(tmp_path)
    got = [(Path(s.path).name, s.span.start.line + 1, s.title) for s in ours]
    assert got == [
        ("items.py", 23, "Delete the rows of `items` one by one"),
        ("items.py", 31, "Delete the rows of `items` one by one"),
        ("notes.py", 20, "Delete the rows of `notes` one by one"),
        ("notes.py", 27, "Delete the list's rows one by one"),
        ("notes.py", 37, "Delete the rows of `finished` one by one"),
    ]
    query, scalars, annotated, inline, comprehension = ours
    assert annotated.rationale == (
        "`notes` is a list (`Note.query.filter_by(owner_id=user_id).all()`), and "
        "`db.session.delete()` takes one mapped instance: a list raises SQLAlchemy's "
        "UnmappedInstanceError (\"Class 'builtins.list' is not mapped\"): a 500, and nothing "
        "is deleted. Deleting each row in a loop keeps the ORM's cascades."
    )
    assert "the `except` around it takes the error, and the rows are never deleted" in (
        comprehension.rationale
    )

    # each file from its end up: the spans above an edit stay where they were
    for suggestion in (comprehension, inline, annotated):
        text = apply_suggestion(suggestion)[str(tmp_path / "notes.py")]
    assert (
        "    if notes:\n        for note in notes:\n            db.session.delete(note)\n" in text
    )
    assert (
        "    for row in Note.query.filter_by(owner_id=user_id).all():\n"
        "        db.session.delete(row)\n"
    ) in text
    # ``entry`` is the comprehension's own name already
    assert "        for row in finished:\n            db.session.delete(row)\n" in text
    ast.parse(text)
    for suggestion in (scalars, query):
        text = apply_suggestion(suggestion)[str(tmp_path / "items.py")]
    assert "    for item in items:\n        db.delete(item)\n" in text
    assert "    for item in items:\n        await session.delete(item)\n" in text
    ast.parse(text)
    assert _ours(tmp_path) == []


def test_silent_without_sqlalchemy(tmp_path: Path) -> None:
    """A project that declares no SQLAlchemy: its ``session`` is something else."""
    (tmp_path / "jobs.py").write_text(
        "def clear(session, name):\n"
        "    keys = [k for k in session.keys() if k.startswith(name)]\n"
        "    session.delete(keys)\n"
    )
    (tmp_path / "requirements.txt").write_text("requests\n")
    assert _ours(tmp_path) == []
