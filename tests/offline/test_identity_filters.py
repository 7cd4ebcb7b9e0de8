"""BKD317: ``.filter(Model.col is None)`` is Python's ``is``, folded to a constant before the
query is built (asked for by blind judges: a silent ``WHERE false``)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import and_, or_, select

app = Flask(__name__)
db = SQLAlchemy(app)


class Task(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, nullable=True)
    done = db.Column(db.Boolean, default=False)
    due = db.Column(db.DateTime)


def unassigned():
    return Task.query.filter(Task.owner_id is None).all()


def assigned_open():
    return db.session.scalars(
        select(Task).where(and_(Task.owner_id is not None, Task.done == False))  # noqa: E712
    ).all()


def finished():
    return Task.query.filter(or_(Task.done is True, Task.due == None)).all()  # noqa: E711


tags = db.Table("tags", db.Column("task_id", db.Integer), db.Column("label", db.String(20)))


def unlabelled():
    return db.session.execute(select(tags).where(tags.c.label is None)).all()


def right(owner):
    # the SQL tests, a keyword filter, and ``is`` outside any query: none is Python's fold
    rows = Task.query.filter(Task.owner_id.is_(None), Task.done.is_not(True)).all()
    mine = Task.query.filter_by(owner_id=None).all()
    return rows if owner is None else mine
"""


def _found(tmp_path: Path, requirements: str) -> list:
    (tmp_path / "requirements.txt").write_text(requirements)
    (tmp_path / "app.py").write_text(MODELS)
    return [s for s in collect([str(tmp_path)], None) if s.code == "BKD317"]


def test_an_identity_test_in_a_filter_becomes_the_column_test(tmp_path: Path) -> None:
    found = _found(tmp_path, "flask\nflask-sqlalchemy\nsqlalchemy>=2.0\n")
    assert sorted(s.span.start.line + 1 for s in found) == [17, 22, 27, 34]
    by_line = {s.span.start.line + 1: s for s in found}
    assert "WHERE false" in by_line[17].rationale
    assert "every row comes back" in by_line[22].rationale
    text = apply_suggestion(by_line[22])[str(tmp_path / "app.py")]
    assert "and_(Task.owner_id.is_not(None), Task.done" in text
    compile(text, "app.py", "exec")
    # the folded query is no index's evidence (it reads no column); the right ones are
    index = [s for s in collect([str(tmp_path)], ["index"]) if s.code == "BKD101"]
    assert index and all("owner_id is None" not in s.rationale for s in index)
    text = apply_suggestion(by_line[17])[str(tmp_path / "app.py")]
    assert "Task.query.filter(Task.owner_id.is_(None)).all()" in text
    compile(text, "app.py", "exec")


def test_an_older_sqlalchemy_gets_isnot(tmp_path: Path) -> None:
    found = _found(tmp_path, "flask\nflask-sqlalchemy==2.5.1\nSQLAlchemy==1.3.24\n")
    edits = {e.new_text for s in found for e in s.edits}
    assert "Task.owner_id.isnot(None)" in edits and "Task.done.is_(True)" in edits


def test_no_identity_test_on_a_model_column_stays_silent(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    head, _, _ = MODELS.partition("def unassigned")
    tail = MODELS[MODELS.index("def right") :]
    plain = "def plain(task):\n    return task.owner_id is None or Task is not None\n\n\n"
    (tmp_path / "app.py").write_text(head + plain + tail)
    assert not [s for s in collect([str(tmp_path)], None) if s.code == "BKD317"]
