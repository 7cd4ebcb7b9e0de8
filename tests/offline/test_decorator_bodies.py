"""A project decorator's wrapper runs on the request path of every route that wears it: a
row it fetches and reads unchecked (``.first().is_public``) or a ``Model.objects.get`` by the
URL's keyword is a 500 before the view's own 404 can answer (a Flask app's
``@authorized_access_only`` on real routes). The wrapper is a handler of its routes'
framework; a wrapper that checks the row, and a decorator no route wears, give nothing."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

FLASK_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Team(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(40), unique=True)
    is_public = db.Column(db.Boolean, default=False)
"""

FLASK_DECORATORS = """\
from functools import wraps

from flask import abort

from .models import Team


def public_team_only(view):
    @wraps(view)
    def decorated_function(*args, **kwargs):
        team = Team.query.filter_by(slug=kwargs["slug"]).first()
        if not team.is_public:
            abort(403)
        return view(*args, **kwargs)

    return decorated_function


def team_checked(view):
    @wraps(view)
    def decorated_function(*args, **kwargs):
        team = Team.query.filter_by(slug=kwargs["slug"]).first()
        if team is None:
            abort(404)
        if not team.is_public:
            abort(403)
        return view(*args, **kwargs)

    return decorated_function


def never_worn(view):
    @wraps(view)
    def decorated_function(*args, **kwargs):
        team = Team.query.filter_by(slug=kwargs["slug"]).first()
        if not team.is_public:
            abort(403)
        return view(*args, **kwargs)

    return decorated_function
"""

FLASK_VIEWS = """\
from flask import Blueprint, jsonify

from .decorators import public_team_only, team_checked

bp = Blueprint("teams", __name__)


@bp.route("/teams/<slug>")
@public_team_only
def team(slug):
    return jsonify(slug=slug)


@bp.route("/teams/<slug>/checked")
@team_checked
def checked(slug):
    return jsonify(slug=slug)
"""

DJANGO_MODELS = """\
from django.db import models


class Order(models.Model):
    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)
"""

# (no ``request`` first: a wrapper a route's decorator returns is a handler all the same)
DJANGO_DECORATORS = """\
from django.http import HttpResponseForbidden

from .models import Order


def order_owner(view):
    def wrap(*args, **kwargs):
        order = Order.objects.get(pk=kwargs["pk"])
        if order.owner_id != args[0].user.id:
            return HttpResponseForbidden()
        return view(*args, **kwargs)

    return wrap
"""

DJANGO_VIEWS = """\
from django.http import JsonResponse

from .decorators import order_owner


@order_owner
def order(request, pk):
    return JsonResponse({"pk": pk})
"""

DJANGO_URLS = """\
from django.urls import path

from . import views

urlpatterns = [path("orders/<int:pk>/", views.order)]
"""


def _app(root: Path, requirements: str, files: dict[str, str]) -> Path:
    app = root / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    for name, text in files.items():
        (app / name).write_text(text)
    (root / "requirements.txt").write_text(requirements)
    return app


def _found(root: Path, code: str) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == code]


def test_a_flask_decorator_reading_a_missing_row_is_reported(tmp_path: Path) -> None:
    files = {"models.py": FLASK_MODELS, "decorators.py": FLASK_DECORATORS, "views.py": FLASK_VIEWS}
    app = _app(tmp_path, "flask\nflask-sqlalchemy\n", files)
    found = _found(tmp_path, "BKD306")
    # only ``public_team_only``'s wrapper: ``team_checked`` tests the row, ``never_worn`` is
    # worn by no route
    assert [(s.path, s.span.start.line + 1) for s in found] == [(str(app / "decorators.py"), 11)]
    assert [(e.span.start.line + 1, e.new_text) for e in found[0].edits] == [
        (12, "        if team is None:\n            abort(404)\n")
    ]


def test_a_django_decorator_get_by_the_url_keyword_is_reported(tmp_path: Path) -> None:
    files = {
        "models.py": DJANGO_MODELS,
        "decorators.py": DJANGO_DECORATORS,
        "views.py": DJANGO_VIEWS,
        "urls.py": DJANGO_URLS,
    }
    app = _app(tmp_path, "django\n", files)
    found = _found(tmp_path, "BKD304")
    assert [(s.path, s.span.start.line + 1) for s in found] == [(str(app / "decorators.py"), 8)]
    assert [(e.span.start.line + 1, e.new_text) for e in found[0].edits] == [
        (2, "from django.shortcuts import get_object_or_404\n"),
        (8, 'get_object_or_404(Order, pk=kwargs["pk"])'),
    ]


def test_a_decorator_no_route_wears_is_not_a_handler(tmp_path: Path) -> None:
    views = FLASK_VIEWS.replace("@public_team_only\n", "").replace("@team_checked\n", "")
    files = {"models.py": FLASK_MODELS, "decorators.py": FLASK_DECORATORS, "views.py": views}
    _app(tmp_path, "flask\nflask-sqlalchemy\n", files)
    assert _found(tmp_path, "BKD306") == []
