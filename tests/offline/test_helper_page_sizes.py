"""BKD214 through a project pagination helper: ``paginate(query, page=1, per_page=20)``
whose ``per_page`` reaches ``.limit(...)``, handed a Flask route's
``request.args.get("per_page", type=int)``. With no default of its own the read gives None
when left out, which overrides the helper's 20: the clamp at the read takes that default back.
A cap on the way (in the route or the helper) keeps it silent. Fixtures of our own."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

INIT = """\
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
app = Flask(__name__)
"""

MODELS = """\
from . import db


class Book(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
"""

HELPERS = """\
def paginate(query, page=1, per_page=20):
    return query.limit(per_page).offset((page - 1) * per_page)


def capped(query, page=1, per_page=20):
    per_page = min(per_page, 100)
    return query.limit(per_page).offset((page - 1) * per_page)


def clamped(query, page=1, per_page=20):
    per_page = min(max(per_page, 1), 100)
    return query.limit(per_page).offset((page - 1) * per_page)
"""

ROUTES = """\
from flask import Blueprint, jsonify, request

from .helpers import capped, clamped, paginate
from .models import Book

bp = Blueprint("books", __name__)


@bp.route("/books")
def books():
    per_page = request.args.get("per_page", type=int)
    rows = paginate(Book.query, per_page=per_page).all()
    return jsonify([b.title for b in rows])


@bp.route("/capped-here")
def capped_here():
    per_page = min(request.args.get("per_page", 20, type=int), 100)
    rows = paginate(Book.query, per_page=per_page).all()
    return jsonify([b.title for b in rows])


@bp.route("/capped-there")
def capped_there():
    per_page = request.args.get("per_page", type=int)
    rows = capped(Book.query, per_page=per_page).all()
    return jsonify([b.title for b in rows])


@bp.route("/clamped-there")
def clamped_there():
    per_page = request.args.get("per_page", type=int)
    rows = clamped(Book.query, per_page=per_page).all()
    return jsonify([b.title for b in rows])
"""


def _project(root: Path) -> Path:
    files = {
        "app/__init__.py": INIT,
        "app/models.py": MODELS,
        "app/helpers.py": HELPERS,
        "app/routes.py": ROUTES,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    deps = '"flask", "flask-sqlalchemy"'
    (root / "pyproject.toml").write_text(f'[project]\nname = "app"\ndependencies = [{deps}]\n')
    return root


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)]) if s.code == "BKD214"]


def test_a_read_with_no_default_handed_to_a_helper_takes_the_helpers(tmp_path: Path) -> None:
    root = _project(tmp_path / "a")
    found = _found(root)
    # the capped route and the clamping helper stay silent; the helper that caps from above
    # only (``min(per_page, 100)``) leaves a negative size through: it gets its floor alone
    assert [(Path(s.path).name, s.span.start.line + 1) for s in found] == [
        ("routes.py", 11),
        ("routes.py", 25),
    ]
    texts = apply_suggestion(found[0])
    after = texts[str(root / "app" / "routes.py")]
    ast.parse(after)
    assert 'per_page = min(max(request.args.get("per_page", 20, type=int), 1), 100)' in after
    floor = found[1]
    assert floor.title == "Bound `per_page` to 1 or more"
    assert "(`per_page = min(per_page, 100)` in `capped` caps it from above only)" in (
        floor.rationale
    )
    assert [e.new_text for e in floor.edits] == [
        'max(request.args.get("per_page", 20, type=int), 1)'
    ]


def test_a_read_with_no_default_kept_in_the_route_is_left_alone(tmp_path: Path) -> None:
    root = _project(tmp_path / "a")
    (root / "app" / "routes.py").write_text(
        ROUTES.replace(
            "rows = paginate(Book.query, per_page=per_page).all()",
            "rows = Book.query.limit(per_page).all()",
            1,
        )
    )
    # no default to clamp against: ``min(max(None, 1), ...)`` would raise
    assert [s.span.start.line + 1 for s in _found(root)] == [25]  # (capped_there's floor)
