"""A route hands the client's id to a service in another module, and the service uses the
row it looked up with no None check: Flask-SQLAlchemy's ``Book.query.get(id)`` and
``Member.query.filter_by(...).first()``, a Django queryset's ``.first()``. The check goes in
the service, raising the app's own not-found error when an app-wide handler takes one.
Fixtures of our own; each fix applies and parses, and each clean twin stays silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FLASK_INIT = """\
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


def create_app():
    app = Flask(__name__)
    db.init_app(app)
    return app
"""

FLASK_INIT_HANDLED = """\
from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy

from app.errors import NotFoundError

db = SQLAlchemy()


def create_app():
    app = Flask(__name__)
    db.init_app(app)

    @app.errorhandler(NotFoundError)
    def not_found(error):
        return jsonify(error=str(error)), 404

    return app
"""

ERRORS = """\
class NotFoundError(Exception):
    pass
"""

FLASK_MODELS = """\
from . import db


class Book(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
    available = db.Column(db.Boolean, default=True)


class Member(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100))
"""

FLASK_SERVICES = """\
from . import db
from .models import Book, Member


def give_back(book_id):
    book = Book.query.get(book_id)
    book.available = True
    db.session.commit()
    return book


def member_name(member_id):
    member = Member.query.filter_by(id=member_id).first()
    return member.name
"""

FLASK_SERVICES_CLEAN = """\
from . import db
from .models import Book, Member


def give_back(book_id):
    book = Book.query.get(book_id)
    if book is None:
        return None
    book.available = True
    db.session.commit()
    return book


def member_name(member_id):
    member = Member.query.filter_by(id=member_id).first()
    return member.name if member else ""


def first_title():
    book = Book.query.get(1)
    return book.title
"""

FLASK_ROUTES = """\
from flask import Blueprint, abort, jsonify

from . import services
from .errors import NotFoundError

bp = Blueprint("books", __name__)


@bp.route("/books/<int:book_id>/return", methods=["POST"])
def give_back(book_id):
    book = services.give_back(book_id)
    return jsonify(id=book.id)


@bp.route("/members/<int:member_id>/name")
def member_name(member_id):
    return jsonify(name=services.member_name(member_id))
"""

FLASK_ROUTES_CLEAN = """\
from flask import Blueprint, abort, jsonify

from . import services

bp = Blueprint("books", __name__)


@bp.route("/books/<int:book_id>/return", methods=["POST"])
def give_back(book_id):
    book = services.give_back(book_id)
    if book is None:
        abort(404)
    return jsonify(id=book.id)


@bp.route("/members/<int:member_id>/name")
def member_name(member_id):
    return jsonify(name=services.member_name(member_id))


@bp.route("/first")
def first():
    return jsonify(title=services.first_title())
"""

DJANGO_MODELS = """\
from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)
    available = models.BooleanField(default=True)
"""

DJANGO_SERVICES = """\
from .models import Book


def checkout(book_id):
    book = Book.objects.filter(pk=book_id).first()
    if not book.available:
        raise ValueError("taken")
    book.available = False
    book.save()
    return book


def checked(book_id):
    book = Book.objects.filter(pk=book_id).first()
    if book is None:
        return ""
    return book.title


def newest_title():
    book = Book.objects.order_by("-id").first()
    return book.title
"""

DJANGO_VIEWS = """\
from django.http import JsonResponse

from . import services


def checkout(request, book_id):
    book = services.checkout(book_id)
    return JsonResponse({"id": book.id})


def checked(request, book_id):
    return JsonResponse({"title": services.checked(book_id)})


def newest(request):
    return JsonResponse({"title": services.newest_title()})
"""

DJANGO_URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("books/<int:book_id>/checkout", views.checkout),
    path("books/<int:book_id>/checked", views.checked),
    path("newest", views.newest),
]
"""


def _project(root: Path, files: dict[str, str], deps: str) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(f'[project]\nname = "app"\ndependencies = [{deps}]\n')
    return root


def _found(root: Path, code: str = "BKD306") -> list[Suggestion]:
    return [s for s in collect([str(root)]) if s.code == code]


def _lines(found: list[Suggestion], root: Path) -> set[tuple[str, int]]:
    return {(Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1) for s in found}


def _applied(s: Suggestion, root: Path) -> dict[str, str]:
    texts = {Path(p).relative_to(root).as_posix(): t for p, t in apply_suggestion(s).items()}
    for text in texts.values():
        ast.parse(text)
    return texts


def _flask(services: str, routes: str, init: str = FLASK_INIT) -> dict[str, str]:
    return {
        "app/__init__.py": init,
        "app/errors.py": ERRORS,
        "app/models.py": FLASK_MODELS,
        "app/services.py": services,
        "app/routes.py": routes,
    }


FLASK_DEPS = '"flask", "flask-sqlalchemy"'


def test_flask_service_rows_answer_404_in_the_service(tmp_path: Path) -> None:
    root = _project(tmp_path / "a", _flask(FLASK_SERVICES, FLASK_ROUTES), FLASK_DEPS)
    found = _found(root)
    assert _lines(found, root) == {("app/routes.py", 11), ("app/routes.py", 17)}
    for s in found:
        texts = _applied(s, root)
        assert list(texts) == ["app/services.py"]
        assert "abort(404)" in texts["app/services.py"]


def test_flask_service_rows_raise_the_apps_own_not_found_error(tmp_path: Path) -> None:
    files = _flask(FLASK_SERVICES, FLASK_ROUTES, FLASK_INIT_HANDLED)
    root = _project(tmp_path / "a", files, FLASK_DEPS)
    found = _found(root)
    assert len(found) == 2
    texts = _applied(found[0], root)["app/services.py"]
    assert "from .errors import NotFoundError" in texts
    assert 'raise NotFoundError("Book not found")' in texts
    assert "abort" not in texts


def test_flask_not_found_error_needing_more_than_a_message_is_not_raised(tmp_path: Path) -> None:
    files = _flask(FLASK_SERVICES, FLASK_ROUTES, FLASK_INIT_HANDLED)
    files["app/errors.py"] = (
        "class NotFoundError(Exception):\n"
        "    def __init__(self, resource, key):\n"
        "        super().__init__(f'{resource} {key}')\n"
    )
    root = _project(tmp_path / "a", files, FLASK_DEPS)
    found = _found(root)
    assert len(found) == 2
    assert "abort(404)" in _applied(found[0], root)["app/services.py"]


def test_flask_service_rows_checked_or_not_the_clients_stay_silent(tmp_path: Path) -> None:
    root = _project(tmp_path / "a", _flask(FLASK_SERVICES_CLEAN, FLASK_ROUTES_CLEAN), FLASK_DEPS)
    assert _found(root) == []


def test_django_service_first_used_unchecked(tmp_path: Path) -> None:
    files = {
        "library/__init__.py": "",
        "library/models.py": DJANGO_MODELS,
        "library/services.py": DJANGO_SERVICES,
        "library/views.py": DJANGO_VIEWS,
        "library/urls.py": DJANGO_URLS,
    }
    root = _project(tmp_path / "a", files, '"django"')
    found = _found(root)
    # ``checked`` tests its row, ``newest_title`` is keyed by nothing the client sent
    assert _lines(found, root) == {("library/views.py", 7)}
    texts = _applied(found[0], root)
    assert list(texts) == ["library/services.py"]
    assert 'raise Http404("Book not found")' in texts["library/services.py"]
