"""BKD306 in Flask-RESTful resources written with annotated lookups (``loan: Loan = ...``),
the shape of a real app (bookstore-flask, round 36): its DELETE of a user's book looked the
link row up by ``filter_by(user_id=user.id, book_id=book.id).first()`` and handed it to
``session.delete`` unchecked (a 500 for a book the user does not own), after decrementing a
counter; its ``admin_required`` decorator read ``user.id`` of the token's user unchecked. The
fix is the module's own ``abort(404, message=...)`` right after the lookup (a 401 for the
token's user). Silent twins: the lookup a project decorator has already checked by the same
URL value (``filter_by(id=...)`` or ``.get(...)`` in the decorator), a checked link row,
``first_or_404()``, a ``try`` that answers the error, and a decorator that tests the user."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Reader(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(80), unique=True)
    loans = db.Column(db.Integer, default=0)
    is_staff = db.Column(db.Boolean, default=False)


class Title(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), unique=True)


class LoanModel(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    reader_id = db.Column(db.Integer, db.ForeignKey("reader.id"))
    title_id = db.Column(db.Integer, db.ForeignKey("title.id"))
"""

DECORATORS = """\
from flask_jwt_extended import get_jwt_identity
from flask_restful import abort

from .models import Reader


def reader_required(func):
    def wrapper(*args, **kwargs):
        reader_id = kwargs.get("reader_id")
        reader : Reader = Reader.query.filter_by(id=reader_id).first()
        if not reader:
            abort(404, message="Reader does not exist")
        return func(*args, **kwargs)
    return wrapper


def reader_exists(func):
    def wrapper(*args, **kwargs):
        reader = Reader.query.get(kwargs["reader_id"])
        if reader is None:
            abort(404, message="Reader does not exist")
        return func(*args, **kwargs)
    return wrapper


def staff_only(func):
    def wrapper(*args, **kwargs):
        email = get_jwt_identity()
        staff : Reader = Reader.query.filter_by(email=email).first()
        if staff.is_staff:
            return func(*args, **kwargs)
        abort(403, message="Staff only")
    return wrapper


def staff_checked(func):
    def wrapper(*args, **kwargs):
        staff : Reader = Reader.query.filter_by(email=get_jwt_identity()).first()
        if not staff or not staff.is_staff:
            abort(403, message="Staff only")
        return func(*args, **kwargs)
    return wrapper
"""

API = """\
from flask_restful import Resource, abort, reqparse

from .decorators import reader_exists, reader_required, staff_checked, staff_only
from .models import LoanModel, Reader, Title, db


class LoanResource(Resource):
    def __init__(self):
        self.parser = reqparse.RequestParser()
        self.parser.add_argument("title", type=str, required=True)

    @reader_required
    def delete(self, reader_id: int):
        name = self.parser.parse_args()["title"]
        reader : Reader = Reader.query.filter_by(id=reader_id).first()
        title : Title = Title.query.filter_by(name=name).first()
        if not title:
            abort(404, message="Title does not exist")

        reader.loans = int(reader.loans) - 1
        loan : LoanModel = LoanModel.query.filter_by(
            reader_id=reader.id, title_id=title.id
        ).first()

        db.session.delete(loan)
        db.session.commit()
        return {"message": "Returned"}, 200

    @reader_exists
    def put(self, reader_id: int):
        name = self.parser.parse_args()["title"]
        reader = Reader.query.filter_by(id=reader_id).first()
        title = Title.query.filter_by(name=name).first_or_404()
        loan = LoanModel.query.filter_by(reader_id=reader.id, title_id=title.id).first()
        return {"reader": reader.email, "title": loan.title_id}, 200

    @reader_required
    def post(self, reader_id: int):
        name = self.parser.parse_args()["title"]
        reader : Reader = Reader.query.filter_by(id=reader_id).first()
        title : Title = Title.query.filter_by(name=name).first_or_404()
        loan : LoanModel = LoanModel.query.filter_by(
            reader_id=reader.id, title_id=title.id
        ).first()
        if loan is None:
            abort(404, message="Loan does not exist")
        db.session.delete(loan)
        db.session.commit()
        return {"message": "Returned"}, 200

    @reader_required
    def patch(self, reader_id: int):
        reader : Reader = Reader.query.filter_by(id=reader_id).first()
        loan : LoanModel = LoanModel.query.filter_by(reader_id=reader.id).first_or_404()
        return {"loan": loan.id}, 200


class ReaderResource(Resource):
    def get(self, reader_id: int):
        reader : Reader = Reader.query.filter_by(id=reader_id).first()
        return {"email": reader.email}, 200

    def delete(self, reader_id: int):
        try:
            reader : Reader = Reader.query.filter_by(id=reader_id).first()
            db.session.delete(reader)
            db.session.commit()
        except Exception:
            abort(404, message="Reader does not exist")
        return {"message": "Deleted"}, 200


class StaffResource(Resource):
    @staff_only
    def get(self):
        return {"readers": Reader.query.count()}, 200


class CheckedStaffResource(Resource):
    @staff_checked
    def get(self):
        return {"readers": Reader.query.count()}, 200
"""

APP = """\
from flask import Flask
from flask_restful import Api

from .api import CheckedStaffResource, LoanResource, ReaderResource, StaffResource

app = Flask(__name__)
api = Api(app)
api.add_resource(LoanResource, "/readers/<int:reader_id>/loans")
api.add_resource(ReaderResource, "/readers/<int:reader_id>")
api.add_resource(StaffResource, "/staff")
api.add_resource(CheckedStaffResource, "/staff/checked")
"""


def _project(tmp_path: Path, api: str = API) -> Path:
    app = tmp_path / "library"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("decorators.py", DECORATORS),
        ("api.py", api),
        ("app.py", APP),
    ]:
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text(
        "flask\nflask-restful\nflask-sqlalchemy\nflask-jwt-extended\n"
    )
    return app


def _ours(tmp_path: Path) -> list[Suggestion]:
    found = collect([str(tmp_path)], ["error-handling"])
    return sorted(
        (s for s in found if s.code == "BKD306"), key=lambda s: (s.path, s.span.start.line)
    )


def test_the_link_row_and_the_tokens_user_are_answered(tmp_path: Path) -> None:
    app = _project(tmp_path)
    ours = _ours(tmp_path)
    got = [(Path(s.path).name, s.span.start.line + 1, s.title) for s in ours]
    assert got == [
        ("api.py", 21, "Answer 404 when first() finds no row"),
        ("api.py", 34, "Answer 404 when first() finds no row"),
        ("api.py", 60, "Answer 404 when first() finds no row"),
        ("decorators.py", 29, "Answer 401 when first() finds no row"),
    ]
    link, plain, unguarded, staff = ours
    # (edits applied from the end of api.py up: each leaves the lines above it as they were)
    # No decorator checked this reader: the module's idiom, for the Reader
    assert "`reader.email` then raises" in unguarded.rationale
    text = apply_suggestion(unguarded)[str(app / "api.py")]
    assert (
        "        reader : Reader = Reader.query.filter_by(id=reader_id).first()\n"
        "        if not reader:\n"
        '            abort(404, message="Reader not found")\n'
        '        return {"email": reader.email}, 200\n'
    ) in text
    ast.parse(text)

    assert "and `db.session.delete(loan)` then raises: a 500" in link.rationale
    # post's own check of a link row is the module's idiom for it
    assert 'own answer to a missing row, `abort(404, message="Loan does not exist")`' in (
        link.rationale
    )
    assert "The change of `reader.loans` above it stays where it is" in link.rationale
    assert "before `db.session.commit()`, so it is never written" in link.rationale
    text = apply_suggestion(link)[str(app / "api.py")]
    assert (
        "        ).first()\n"
        "        if loan is None:\n"
        '            abort(404, message="Loan does not exist")\n'
        "\n"
        "        db.session.delete(loan)\n"
    ) in text
    ast.parse(text)

    # A plain assignment of the link row counts the same (no counter changed before it)
    assert "`loan.title_id` then raises" in plain.rationale
    assert "The change of" not in plain.rationale

    assert "the token's identity outlives its user" in staff.rationale
    text = apply_suggestion(staff)[str(app / "decorators.py")]
    assert (
        "        staff : Reader = Reader.query.filter_by(email=email).first()\n"
        "        if not staff:\n"
        '            abort(401, message="Reader does not exist")\n'
        "        if staff.is_staff:\n"
    ) in text
    ast.parse(text)


def test_no_decorator_checked_lookup_is_reported(tmp_path: Path) -> None:
    """Without the decorators, each resource's own reader lookup is the client's miss."""
    _project(
        tmp_path, API.replace("    @reader_required\n", "").replace("    @reader_exists\n", "")
    )
    lines = sorted(s.span.start.line + 1 for s in _ours(tmp_path) if s.path.endswith("api.py"))
    # delete's, put's, post's and patch's readers now, beside the three of the first test
    assert lines == [14, 20, 30, 32, 37, 49, 56]


def test_fixed_lookups_are_silent(tmp_path: Path) -> None:
    _project(tmp_path)
    for suggestion in reversed(_ours(tmp_path)):  # from each file's end up
        apply_suggestion(suggestion)
    assert _ours(tmp_path) == []
