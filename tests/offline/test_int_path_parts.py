"""BKD202 for a Flask URL part with no converter used only as an integer key: a real app's
Flask-RESTful ``api.add_resource(BookApi, "/books/<book_id>")`` (in another module) with
``filter_by(id=book_id)`` on an Integer primary key, on PostgreSQL: ``/books/abc`` was a 500
(judged a must). Silent twins: ``<int:...>`` already, a slug looked up in a text column, the
part read as text too, a Resource method that uses it otherwise, and an app on SQLite."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Book(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(64))


class Shelf(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(64), unique=True)


class Author(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(64))
"""

VIEWS = """\
from flask import Flask
from flask_restful import Api, Resource

from .models import Author, Book, Shelf, db

app = Flask(__name__)
api = Api(app)


class BookApi(Resource):
    def get(self, book_id=None):
        book = db.session.query(Book).filter_by(id=book_id).first()
        if not book:
            return {"message": "Not found"}, 404
        return {"id": book.id, "cached": f"book:{book_id}"}

    def delete(self, book_id):
        book = Book.query.get_or_404(book_id)
        db.session.delete(book)
        db.session.commit()
        return "", 204


class ShelfApi(Resource):
    def get(self, shelf_id):
        shelf = Shelf.query.filter_by(id=shelf_id).first_or_404()
        return {"id": shelf.id}

    def put(self, shelf_id):
        return {"id": shelf_id.strip()}


@app.route("/authors/<author_id>")
def author(author_id):
    row = Author.query.get_or_404(author_id)
    return {"name": row.name}


@app.route("/authors/<int:author_id>/books")
def author_books(author_id):
    row = Author.query.get_or_404(author_id)
    return {"name": row.name}


@app.route("/shelves/<slug>")
def shelf(slug):
    row = Shelf.query.filter_by(slug=slug).first_or_404()
    return {"id": row.id}


@app.route("/books/<book_id>/title")
def title(book_id):
    row = Book.query.get_or_404(book_id)
    return {"title": row.title, "asked": book_id.upper()}
"""

ROUTES = """\
from .views import BookApi, ShelfApi, api

api.add_resource(BookApi, "/books/<book_id>", strict_slashes=False)
api.add_resource(ShelfApi, "/shelves/by-id/<shelf_id>")
"""


def _project(tmp_path: Path, requirements: str = "flask\nflask-restful\npsycopg2-binary\n") -> Path:
    app = tmp_path / "shop"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("views.py", VIEWS),
        ("routes.py", ROUTES),
    ]:
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text(requirements)
    return app


def _ours(tmp_path: Path) -> list:
    found = collect([str(tmp_path)], ["validation"])
    return [s for s in found if s.code == "BKD202" and "<int:" in s.title]


def test_a_text_part_used_as_an_integer_key_gets_the_int_converter(tmp_path: Path) -> None:
    app = _project(tmp_path)
    ours = _ours(tmp_path)
    got = sorted((Path(s.path).name, s.span.start.line + 1, s.title) for s in ours)
    assert got == [
        (
            "views.py",
            12,
            "Take `book_id` as `<int:book_id>`: `/books/abc` is a 500 on PostgreSQL",
        ),
        (
            "views.py",
            35,
            "Take `author_id` as `<int:author_id>`: `/authors/abc` is a 500 on PostgreSQL",
        ),
    ]
    book = next(s for s in ours if "book_id" in s.title)
    assert "the integer key `Book.id`: PostgreSQL (it declares psycopg2" in book.rationale
    text = apply_suggestion(book)[str(app / "routes.py")]
    assert 'api.add_resource(BookApi, "/books/<int:book_id>", strict_slashes=False)\n' in text
    author = next(s for s in ours if "author_id" in s.title)
    text = apply_suggestion(author)[str(app / "views.py")]
    assert '@app.route("/authors/<int:author_id>")\n' in text
    assert not _ours(tmp_path)


def test_an_app_on_sqlite_is_left_alone(tmp_path: Path) -> None:
    app = _project(tmp_path, "flask\nflask-restful\n")
    (app / "config.py").write_text('SQLALCHEMY_DATABASE_URI = "sqlite:///shop.db"\n')
    assert not _ours(tmp_path)
