"""BKD314 (fixtures of our own, the shape a blind review found on a real app): the create route
answers a duplicate of a unique column (catches IntegrityError around its commit, or looks the
value up first), the update route writes the same column from the client and commits bare, a
500. The fix mirrors the create's own answer; each clean twin gets nothing."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion


def _unique(tmp_path: Path, text: str) -> list[Suggestion]:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "app.py").write_text(text)
    return [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD314"]


CAUGHT = """\
from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.exc import IntegrityError

app = Flask(__name__)
db = SQLAlchemy(app)
{handler}

class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120){unique}, nullable=False)
    name = db.Column(db.String(80))


def error_response(status, message):
    return jsonify({{"error": message}}), status


@app.post("/users")
def create_user():
    data = request.get_json()
    user = User(email=data["email"], name=data.get("name"))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return error_response(409, "email already registered")
    return jsonify({{"id": user.id}}), 201


@app.patch("/users/<int:user_id>")
def update_user(user_id):
    user = User.query.get_or_404(user_id)
    data = request.get_json()
    if "email" in data:
        user.email = {value}
    if "name" in data:
        user.name = data["name"]
{commit}
    return jsonify({{"id": user.id}})
"""

BARE = "    db.session.commit()"
ARGS = {"handler": "", "unique": ", unique=True", "value": 'data["email"]', "commit": BARE}


def test_an_update_gets_the_create_routes_except(tmp_path: Path) -> None:
    found = _unique(tmp_path, CAUGHT.format(**ARGS))
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (40, "Answer a duplicate User.email here as the create route does")
    ]
    new = apply_suggestion(found[0])[str(tmp_path / "app.py")]
    ast.parse(new)
    assert (
        "    try:\n        db.session.commit()\n    except IntegrityError:\n"
        "        db.session.rollback()\n"
        '        return error_response(409, "email already registered")\n'
    ) in new
    assert _unique(tmp_path, new) == []


def test_the_clean_twins_get_nothing(tmp_path: Path) -> None:
    caught = (
        "    try:\n        db.session.commit()\n    except IntegrityError:\n"
        "        db.session.rollback()\n        return error_response(409, 'taken')"
    )
    checked = (
        "    if User.query.filter(User.email == data['email'], User.id != user.id).first():\n"
        "        return error_response(409, 'taken')\n" + BARE
    )
    app_wide = (
        "\n\n@app.errorhandler(IntegrityError)\n"
        "def duplicate(error):\n    return jsonify({'error': 'conflict'}), 409\n"
    )
    twins = {
        "the update catches it": {**ARGS, "commit": caught},
        "the update looks the value up first": {**ARGS, "commit": checked},
        "the column is not unique": {**ARGS, "unique": ""},
        "the value is not the client's": {**ARGS, "value": "user.email.lower()"},
        "an app-wide handler answers it": {**ARGS, "handler": app_wide},
    }
    for why, args in twins.items():
        assert _unique(tmp_path, CAUGHT.format(**args)) == [], why


LOOKED_UP = """\
from flask import Flask, abort, jsonify, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class Team(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(80), unique=True, nullable=False)
    title = db.Column(db.String(200))


@app.post("/teams")
def create_team():
    payload = request.get_json()
    if Team.query.filter_by(slug=payload["slug"]).first():
        abort(409, description="slug taken")
    team = Team(slug=payload["slug"], title=payload.get("title"))
    db.session.add(team)
    db.session.commit()
    return jsonify({"id": team.id}), 201


@app.put("/teams/<int:team_id>")
def update_team(team_id):
    team = db.get_or_404(Team, team_id)
    payload = request.get_json()
    team.{column} = payload["{column}"]
    db.session.commit()
    return jsonify({"id": team.id})
"""


def test_an_update_gets_the_create_routes_look_up(tmp_path: Path) -> None:
    found = _unique(tmp_path, LOOKED_UP.replace("{column}", "slug"))
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (29, "Answer a duplicate Team.slug here as the create route does")
    ]
    new = apply_suggestion(found[0])[str(tmp_path / "app.py")]
    assert (
        '    if Team.query.filter(Team.slug == payload["slug"], Team.id != team.id).first():\n'
        '        abort(409, description="slug taken")\n'
        '    team.slug = payload["slug"]\n'
    ) in new
    assert _unique(tmp_path, new) == []


def test_an_update_of_another_column_gets_nothing(tmp_path: Path) -> None:
    # title is not unique: a duplicate title is no IntegrityError
    assert _unique(tmp_path, LOOKED_UP.replace("{column}", "title")) == []


def test_a_unique_constraint_of_the_column_alone_makes_it_unique(tmp_path: Path) -> None:
    text = LOOKED_UP.replace("{column}", "slug").replace(
        "db.String(80), unique=True, nullable=False)",
        'db.String(80), nullable=False)\n    __table_args__ = (db.UniqueConstraint("slug"),)',
    )
    found = _unique(tmp_path, text)
    assert [s.title for s in found] == [
        "Answer a duplicate Team.slug here as the create route does"
    ]
