"""Selects a model's own classmethods build under ``cls`` (fixtures of our own, the shapes a
blind review found on a real Flask-SQLAlchemy 3 app): ``db.select(cls).where(cls.board_id ==
b.id)`` in a ``get_query()`` nested in the classmethod and wrapped by a decorator, returned and
paged by ``db.paginate(query, ...)``; a join table's classmethod listing the users by the second
column of its composite key (``.join(cls, User.id == cls.user_id).where(cls.topic_id == t)``);
a thread's root replies (``cls.parent_id == None, cls.topic_id == t``), whose index leads with
the topic, not the pointer at the table's own rows. Each twin (the column indexed, the key in
the other order, a configuration table) gets nothing."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect


def _titles(tmp_path: Path, text: str) -> set[tuple[int, str]]:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy>=3\n")
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "models.py").write_text(text)
    return {(s.span.start.line + 1, s.title) for s in collect([str(tmp_path)], ["index"])}


MODELS = """\
from functools import wraps

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


def visible(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))


class Board(db.Model):
    __tablename__ = "boards"
    id = db.Column(db.Integer, primary_key=True)


class Topic(db.Model):
    __tablename__ = "topics"
    id = db.Column(db.Integer, primary_key=True)
    board_id = db.Column(db.Integer, db.ForeignKey("boards.id"){board_index})
    title = db.Column(db.String(200))

    @classmethod
    def on_board(cls, board, page):
        @visible
        def get_query(board):
            query = db.select(cls).where(cls.board_id == board.id)
            return query

        query = get_query(board=board)
        return db.paginate(query, page=page, per_page=20, error_out=False)


class Reply(db.Model):
    __tablename__ = "replies"
    id = db.Column(db.Integer, primary_key=True)
    topic_id = db.Column(db.Integer, db.ForeignKey("topics.id"){topic_index})
    parent_id = db.Column(db.Integer, db.ForeignKey("replies.id"))

    @classmethod
    def roots(cls, topic, page):
        query = db.select(cls).where(cls.parent_id == None, cls.topic_id == topic.id)  # noqa: E711
        return db.paginate(query, page=page, per_page=20, error_out=False)


class Watch(db.Model):
    __tablename__ = "watches"
    {first} = db.Column(db.Integer, db.ForeignKey("{first_table}.id"), primary_key=True)
    {second} = db.Column(db.Integer, db.ForeignKey("{second_table}.id"), primary_key=True)

    @classmethod
    def watchers(cls, topic, page):
        query = db.select(User).join(cls, User.id == cls.user_id).where(cls.topic_id == topic.id)
        return db.paginate(query, page=page, per_page=20, error_out=False)


@app.get("/boards/<int:board_id>/topics")
def board_topics(board_id):
    board = db.get_or_404(Board, board_id)
    return {{"ids": [t.id for t in Topic.on_board(board, 1).items]}}


@app.get("/topics/<int:topic_id>")
def topic_page(topic_id):
    topic = db.get_or_404(Topic, topic_id)
    replies = Reply.roots(topic, 1).items
    watchers = Watch.watchers(topic, 1).items
    return {{"replies": [r.id for r in replies], "watchers": [u.id for u in watchers]}}
"""


def _models(indexed: bool = False, topic_first: bool = False) -> str:
    keys = ["user_id", "topic_id"]
    if topic_first:
        keys.reverse()
    tables = {"user_id": "users", "topic_id": "topics"}
    return MODELS.format(
        board_index=", index=True" if indexed else "",
        topic_index=", index=True" if indexed else "",
        first=keys[0],
        second=keys[1],
        first_table=tables[keys[0]],
        second_table=tables[keys[1]],
    )


def test_selects_named_by_cls_are_read_as_the_model(tmp_path: Path) -> None:
    assert _titles(tmp_path, _models()) == {
        # the board's topics: built in a decorated get_query(), paged by db.paginate(query)
        (39, "Add an index on topics (board_id)"),
        # a topic's root replies: the topic leads, the parent pointer follows it
        (54, "Add an index on replies (topic_id, parent_id)"),
        # a topic's watchers: topic_id is second in the key (user_id, topic_id)
        (65, "Add an index on watches (topic_id)"),
    }


def test_indexed_columns_and_a_key_led_by_the_value_get_nothing(tmp_path: Path) -> None:
    assert _titles(tmp_path, _models(indexed=True, topic_first=True)) == set()


def test_a_configuration_table_read_by_cls_gets_no_index(tmp_path: Path) -> None:
    text = (
        _models()
        .replace('"topics"', '"menu_entries"')
        .replace('"topics.id"', '"menu_entries.id"')
        .replace("class Topic(", "class MenuEntry(")
        .replace("Topic.on_board", "MenuEntry.on_board")
        .replace("(Topic, topic_id)", "(MenuEntry, topic_id)")
    )
    found = _titles(tmp_path, text)
    # the same unindexed board_id, on a table an admin keeps (a few rows): no index
    assert (39, "Add an index on menu_entries (board_id)") not in found
    assert (54, "Add an index on replies (topic_id, parent_id)") in found
