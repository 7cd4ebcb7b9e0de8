"""Sixth held-out round, its misses: class-based views read as handlers (Flask ``MethodView``
classes registered through a bound ``as_view``, Django views over ``models.X.objects``,
syndication feeds, a webhook), request values that reach a conversion through a local or a
walrus, a ``request.POST[...]`` handed straight to a call, and ``db.session.get`` rows used
unchecked. Small fixtures of our own that reproduce each shape: the missed opportunity is
suggested at its line, its clean twin stays silent, and every edit applies and parses."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion


def _project(root: Path, files: dict[str, str], deps: str) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(f'[project]\nname = "app"\ndependencies = [{deps}]\n')
    return root


def _sites(found: list[Suggestion], root: Path) -> set[tuple[str, int, str]]:
    return {
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.code) for s in found
    }


def _applies(s: Suggestion) -> dict[str, str]:
    out = apply_suggestion(s)
    for text in out.values():
        ast.parse(text)
    return out


def _each_applies(tmp_path: Path, files: dict[str, str], deps: str) -> list[Suggestion]:
    """Every suggestion, each applied on its own to a fresh copy."""
    found = collect([str(_project(tmp_path / "check", files, deps))])
    for n, s in enumerate(found):
        root = _project(tmp_path / f"copy{n}", files, deps)
        again = [
            t
            for t in collect([str(root)])
            if (t.code, t.span.start.line) == (s.code, s.span.start.line)
            and Path(t.path).name == Path(s.path).name
        ]
        assert again, s
        _applies(again[0])
    return found


FLASK = '"flask", "flask-sqlalchemy>=3.1"'

FLASK_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Shelf(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    label = db.Column(db.String(40))
"""

# A generic list view of the project's own, in a module of its own: only its subclasses are
# registered, and they inherit or call its ``get``.
FLASK_BASE_VIEW = """\
from flask import render_template, request
from flask.views import MethodView


class ListView(MethodView):
    model = None

    def get(self, obj_id):
        page = int(request.args.get("page", 1))
        return render_template("list.html", page=page)


class CheckedListView(MethodView):
    def get(self, obj_id):
        page = request.args.get("page", 1, type=int)
        return render_template("list.html", page=page)
"""

FLASK_VIEWS = """\
from flask import Blueprint, render_template, request

from .base_view import ListView
from .models import Shelf, db

bp = Blueprint("shelves", __name__)


class ShelfApi(ListView):
    model = Shelf

    def get(self, obj_id):
        if obj_id:
            return super().get(obj_id)
        size = int(request.args.get("size", 10))
        return render_template("shelves.html", size=size)


shelf_view = ShelfApi.as_view("shelf_api")
bp.add_url_rule("/shelves/", endpoint="shelf_api", view_func=shelf_view)


@bp.route("/browse")
def browse():
    page = 1
    if page_arg := request.args.get("page"):
        page = int(page_arg)
    return render_template("browse.html", page=page)


@bp.route("/browse-plain")
def browse_plain():
    size_arg = request.args.get("size")
    size = int(size_arg)
    return render_template("browse.html", size=size)


@bp.route("/browse-checked")
def browse_checked():
    page = 1
    if (page_arg := request.args.get("page")) and page_arg.isdigit():
        page = int(page_arg)
    return render_template("browse.html", page=page)


@bp.route("/shelves/<int:shelf_id>/edit")
def edit_shelf(shelf_id):
    shelf = db.session.get(Shelf, shelf_id)
    return render_template("edit.html", label=shelf.label)


@bp.route("/shelves/<int:shelf_id>/show")
def show_shelf(shelf_id):
    shelf = db.session.get(Shelf, shelf_id)
    if shelf is None:
        return render_template("missing.html"), 404
    return render_template("edit.html", label=shelf.label)
"""


def test_flask_method_views_locals_and_session_get(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/models.py": FLASK_MODELS,
        "app/base_view.py": FLASK_BASE_VIEW,
        "app/views.py": FLASK_VIEWS,
    }
    found = _each_applies(tmp_path, files, FLASK)
    root = tmp_path / "check"
    assert _sites(found, root) == {
        ("app/base_view.py", 9, "BKD202"),  # a MethodView's get, registered via subclasses
        ("app/views.py", 15, "BKD202"),  # a bound ``as_view`` handed to add_url_rule
        ("app/views.py", 27, "BKD202"),  # a walrus-bound request value
        ("app/views.py", 34, "BKD202"),  # a local bound to a request value
        ("app/views.py", 48, "BKD306"),  # db.session.get used unchecked
    }
    by_line = {(Path(s.path).name, s.span.start.line + 1): s for s in found}
    fix = by_line[("views.py", 48)]
    assert fix.edits[0].new_text == "db.get_or_404(Shelf, shelf_id)"
    walrus = by_line[("views.py", 27)]
    assert 'request.args.get("page", type=int)' in walrus.edits[-1].new_text


def test_flask_session_get_before_flask_sqlalchemy_3_uses_abort(tmp_path: Path) -> None:
    views = """\
from flask import Blueprint, abort, render_template

from .models import Shelf, db

bp = Blueprint("shelves", __name__)


@bp.route("/shelves/<int:shelf_id>/edit")
def edit_shelf(shelf_id):
    shelf = db.session.get(Shelf, shelf_id)
    return render_template("edit.html", label=shelf.label)
"""
    files = {"app/__init__.py": "", "app/models.py": FLASK_MODELS, "app/views.py": views}
    found = _each_applies(tmp_path, files, '"flask", "flask-sqlalchemy<3"')
    assert [(s.code, s.span.start.line + 1) for s in found] == [("BKD306", 10)]
    assert "abort(404)" in found[0].edits[-1].new_text


DJANGO = '"django"'

DJANGO_VIEWS = """\
import json
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic.base import RedirectView, TemplateView

from shelf import models


class ShelfQuick(RedirectView):
    def post(self, request, *args, **kwargs):
        shelf = models.Shelf.objects.get(pk=kwargs["pk"])
        shelf.touch()
        return super().get(request, *args, **kwargs)


class HookView(View):
    def post(self, request, *args, **kwargs):
        data = json.loads(request.POST["payload"])
        return HttpResponse(data.get("id", ""))


class CheckedHookView(View):
    def post(self, request, *args, **kwargs):
        try:
            data = json.loads(request.POST["payload"])
        except (KeyError, ValueError):
            return HttpResponse(status=400)
        return HttpResponse(data.get("id", ""))


class ShelfFeed(Feed):
    def get_object(self, request, key):
        return models.Shelf.objects.get(key=key)

    def items(self, context):
        limit = context.request.GET.get("limit", 100)
        return list(context.books[: int(limit)] if limit else context.books)


def acknowledge(request):
    note = models.Note.objects.filter(pk=request.POST["note"]).first()
    return redirect("/", note=note)


def acknowledge_checked(request):
    if "note" not in request.POST:
        return HttpResponse(status=400)
    note = models.Note.objects.filter(pk=request.POST["note"]).first()
    return redirect("/", note=note)


def _day_context(context, day):
    day = datetime.strptime(day, "%Y-%m-%d")
    context["day"] = day


def _checked_day_context(context, day):
    try:
        day = datetime.strptime(day, "%Y-%m-%d")
    except ValueError:
        day = None
    context["day"] = day


class DayView(TemplateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = self.request.GET.get("day", "2020-01-01")
        _day_context(context, day)
        return context


class CheckedDayView(TemplateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _checked_day_context(context, self.request.GET.get("day", "2020-01-01"))
        return context
"""

DJANGO_URLS = """\
from django.urls import path

from shelf import views

urlpatterns = [
    path("ack/", views.acknowledge),
    path("ack2/", views.acknowledge_checked),
]
"""


def test_django_views_feeds_and_call_arguments(tmp_path: Path) -> None:
    files = {
        "shelf/__init__.py": "",
        "shelf/views.py": DJANGO_VIEWS,
        "shelf/urls.py": DJANGO_URLS,
    }
    found = _each_applies(tmp_path, files, DJANGO)
    assert _sites(found, tmp_path / "check") == {
        ("shelf/views.py", 15, "BKD304"),  # models.Shelf.objects.get in a CBV's post
        ("shelf/views.py", 22, "BKD305"),  # the webhook's body: missing or not JSON
        ("shelf/views.py", 41, "BKD202"),  # a feed's items(): int() of ?limit=
        ("shelf/views.py", 45, "BKD205"),  # request.POST["note"] as a call argument
        ("shelf/views.py", 57, "BKD202"),  # a helper's strptime of the view's ?day=
    }
    by_line = {s.span.start.line + 1: s for s in found}
    assert "get_object_or_404(models.Shelf" in by_line[15].edits[-1].new_text
    assert "KeyError" in by_line[22].edits[-1].new_text
    assert "raise BadRequest" in by_line[41].edits[-1].new_text  # items() returns no response
    assert "raise BadRequest" in by_line[57].edits[-1].new_text  # in the helper, not a view
