"""The third blind planted set, after its measurement (shapes of our own): a key read with
``[...]`` from ``request.get_json(silent=True) or {}`` still fails; one read only with
``.get`` does not; an aggregate's ``.one()`` always finds its row."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

FLASK = '[project]\nname = "pods"\ndependencies = ["flask", "flask-sqlalchemy>=3.1"]\n'
MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Episode(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    podcast_id = db.Column(db.Integer, index=True)
    title = db.Column(db.String(200), nullable=False)
    seconds = db.Column(db.Integer, default=0)
"""
ROUTES = """\
from flask import Blueprint, jsonify, request
from sqlalchemy import func

from pods.models import Episode, db

bp = Blueprint("episodes", __name__)


@bp.post("/episodes")
def create():
    payload = request.get_json(silent=True) or {}
    episode = Episode(title=payload["title"], seconds=payload.get("seconds", 0))
    db.session.add(episode)
    db.session.commit()
    return jsonify(id=episode.id), 201


@bp.post("/drafts")
def draft():
    payload = request.get_json(silent=True) or {}
    title = payload.get("title")
    if not isinstance(title, str):
        return jsonify(error="title"), 400
    return jsonify(title=title)


@bp.get("/podcasts/<int:podcast_id>/stats")
def stats(podcast_id):
    count, total = (
        db.session.query(func.count(Episode.id), func.coalesce(func.sum(Episode.seconds), 0))
        .filter(Episode.podcast_id == podcast_id)
        .one()
    )
    return jsonify(count=count, total=total)
"""


def test_fallback_bodies_and_aggregates(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": FLASK,
        "pods/__init__.py": "",
        "pods/models.py": MODELS,
        "pods/routes.py": ROUTES,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = collect([str(tmp_path)])
    assert [(s.code, s.span.start.line + 1) for s in found] == [("BKD201", 11)]
    text = apply_suggestion(found[0])[str(tmp_path / "pods/routes.py")]
    ast.parse(text)
    assert "request.get_json(silent=True)" in text and "400" in text
