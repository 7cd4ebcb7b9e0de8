"""Seventeenth held-out round (shapes of our own): request handlers and lookups the tool did
not see.

A Flask-Admin view's ``@expose`` methods are request handlers (a conversion of form input, a
model classmethod's ``.first()`` used unchecked, directly or through a local); a query-string
value with an ``or`` default converted; ``Model.query.get()`` keyed by a Flask-WTF form's
hidden field; a Django ``.get(pk=...)`` after a custom manager method.
"""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


ADMIN_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Member(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    state = db.Column(db.String(20))

    @classmethod
    def get(cls, **kwargs):
        return cls.query.filter_by(**kwargs).first()

    def set_state(self, state):
        self.state = state
        db.session.commit()
"""

ADMIN_VIEWS = """\
from flask import redirect, request, url_for
from flask_admin import BaseView, expose

from shop.models import Member


class MembersView(BaseView):
    @expose("/approve")
    def approve(self):
        member_id = request.args.get("member_id")
        Member.get(id=member_id).set_state("active")
        return redirect(url_for(".index"))

    @expose("/", methods=["POST"])
    def submit(self):
        latest = int(request.form.get("latest"))
        return self.render("members.html", latest=latest)

    @expose("/revoke")
    def revoke(self):
        member_id = request.args.get("member_id")
        member = Member.get(id=member_id)
        member.set_state("revoked")
        return redirect(url_for(".index"))
"""

PAGES = """\
from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/posts")
def posts():
    page = int(request.args.get("page") or 1)
    per_page = int(request.args.get("limit") or 10)
    return render_template("posts.html", page=page, per_page=per_page)
"""

RECIPE_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Recipe(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.Text)
"""

RECIPE_FORMS = """\
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class RecipeNew(FlaskForm):
    name = StringField("Name")
    template = HiddenField("Template")
"""

RECIPE_VIEWS = """\
from flask import Blueprint, redirect, render_template

from app.forms import RecipeNew
from app.models import Recipe, db

bp = Blueprint("recipes", __name__)


@bp.route("/recipes/new", methods=["GET", "POST"])
def new_recipe():
    form = RecipeNew()
    if not form.validate_on_submit():
        return render_template("new.html", form=form)
    recipe = Recipe()
    tpl_id = None
    if form.template.data:
        tpl_id = form.template.data
    if tpl_id:
        template = Recipe.query.get(tpl_id)
        recipe.body = template.body
    db.session.add(recipe)
    db.session.commit()
    return redirect("/recipes")
"""

NOTE_MODELS = """\
from django.db import models


class NoteManager(models.Manager):
    def everything(self):
        return super().get_queryset()


class Note(models.Model):
    text = models.TextField()
    objects = NoteManager()
"""

NOTE_VIEWS = """\
from rest_framework import viewsets

from app.models import Note


class NoteViewSet(viewsets.ModelViewSet):
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["text"] = Note.objects.everything().get(pk=self.kwargs["pk"]).text
        return context
"""


def _rows(found: list, root: Path, code: str) -> list[tuple[str, int, str]]:
    return sorted(
        (str(Path(s.path).relative_to(root)), s.span.start.line + 1, s.title)
        for s in found
        if s.code == code
    )


def test_flask_admin_expose_methods_are_request_handlers(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "admin",
        {
            "requirements.txt": "flask\nflask-admin\nflask-sqlalchemy\n",
            "shop/__init__.py": "",
            "shop/admin/__init__.py": "",
            "shop/models.py": ADMIN_MODELS,
            "shop/admin/views.py": ADMIN_VIEWS,
        },
    )
    found = collect([str(root)])
    assert _rows(found, root, "BKD202") == [
        ("shop/admin/views.py", 16, "Guard the conversion of `latest`")
    ]
    rows = [s for s in found if s.code == "BKD306"]
    assert _rows(found, root, "BKD306") == [
        ("shop/admin/views.py", 11, "Answer 404 when Member is not found"),
        ("shop/admin/views.py", 22, "Answer 404 when Member is not found"),
    ]
    direct = next(s for s in rows if s.span.start.line == 10)
    new = apply_suggestion(direct)[str(root / "shop/admin/views.py")]
    ast.parse(new)
    assert (
        "        member = Member.get(id=member_id)\n"
        "        if member is None:\n"
        "            abort(404)\n"
        '        member.set_state("active")\n'
    ) in new
    assert "from flask import abort, redirect, request, url_for\n" in new


def test_a_raw_value_with_an_or_default_converted(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "pages",
        {"requirements.txt": "flask\n", "app/__init__.py": "", "app/views.py": PAGES},
    )
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"]
    assert [s.title for s in found] == [
        "Guard the conversion of `page`",
        "Guard the conversion of `limit`",
    ]
    new = apply_suggestion(found[0])[str(root / "app/views.py")]
    assert '    page = request.args.get("page", 1, type=int)\n' in new
    new = apply_suggestion(found[1])[str(root / "app/views.py")]
    assert '    per_page = request.args.get("limit", 10, type=int)\n' in new


def test_query_get_keyed_by_a_forms_hidden_field(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "recipes",
        {
            "requirements.txt": "flask\nflask-sqlalchemy\nflask-wtf\n",
            "app/__init__.py": "",
            "app/models.py": RECIPE_MODELS,
            "app/forms.py": RECIPE_FORMS,
            "app/views.py": RECIPE_VIEWS,
        },
    )
    found = [s for s in collect([str(root)]) if s.code == "BKD306"]
    assert [s.title for s in found] == ["Answer 404 when query.get() finds no row"]
    new = apply_suggestion(found[0])[str(root / "app/views.py")]
    assert "        template = Recipe.query.get_or_404(tpl_id)\n" in new


def test_query_get_keyed_by_the_rows_own_reference_is_left(tmp_path: Path) -> None:
    views = RECIPE_VIEWS.replace("Recipe.query.get(tpl_id)", "Recipe.query.get(recipe.id)")
    root = _write(
        tmp_path / "own",
        {
            "requirements.txt": "flask\nflask-sqlalchemy\nflask-wtf\n",
            "app/__init__.py": "",
            "app/models.py": RECIPE_MODELS,
            "app/forms.py": RECIPE_FORMS,
            "app/views.py": views,
        },
    )
    assert [s for s in collect([str(root)]) if s.code == "BKD306"] == []


def test_django_get_after_a_custom_manager_method(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "notes",
        {
            "requirements.txt": "django\ndjangorestframework\n",
            "app/__init__.py": "",
            "app/models.py": NOTE_MODELS,
            "app/views.py": NOTE_VIEWS,
        },
    )
    found = [s for s in collect([str(root)]) if s.code == "BKD304"]
    assert [s.title for s in found] == ["Use get_object_or_404 for Note"]
    new = apply_suggestion(found[0])[str(root / "app/views.py")]
    ast.parse(new)
    assert 'get_object_or_404(Note.objects.everything(), pk=self.kwargs["pk"]).text' in new


def test_a_dicts_get_after_a_manager_method_is_no_lookup(tmp_path: Path) -> None:
    views = NOTE_VIEWS.replace(
        'Note.objects.everything().get(pk=self.kwargs["pk"]).text',
        'Note.objects.settings().get(self.kwargs["pk"])',
    )
    root = _write(
        tmp_path / "dict",
        {
            "requirements.txt": "django\ndjangorestframework\n",
            "app/__init__.py": "",
            "app/models.py": NOTE_MODELS,
            "app/views.py": views,
        },
    )
    assert [s for s in collect([str(root)]) if s.code == "BKD304"] == []
