"""Tenth held-out round, after its measurement (verdicts on real apps, reproduced with fixtures
of our own): a key the view has tested, or that a form validated, needs no check; the signed-in
user's own row is no 404; the unguarded twins keep their suggestions."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

DJANGO = '[project]\nname = "media"\ndependencies = ["django"]\n'
MODELS = """\
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField("auth.User", on_delete=models.CASCADE)
    bio = models.TextField()
"""
VIEWS = """\
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic.edit import FormView

from media.models import Profile


def back(request):
    if url_has_allowed_host_and_scheme(request.GET.get("next"), None):
        return redirect(request.GET["next"])
    return redirect("home")


def watched(request):
    if "release" in request.POST:
        when = request.POST["release"]
        return HttpResponse(when)
    return HttpResponse("")


def rename(request):
    title = request.POST["title"]
    return HttpResponse(title)


class Login(FormView):
    def form_valid(self, form):
        name = self.request.POST["username"]
        profile = Profile.objects.get(user=self.request.user.pk)
        return HttpResponse(name + profile.bio)
"""


def test_tested_and_validated_keys_and_the_users_own_row(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": DJANGO,
        "media/__init__.py": "",
        "media/models.py": MODELS,
        "media/views.py": VIEWS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = [(s.code, s.span.start.line + 1) for s in collect([str(tmp_path)])]
    # Only the title nobody checks; ``next`` and ``release`` are tested, ``username`` is the
    # validated form's, the profile is the signed-in user's own.
    assert found == [("BKD205", 23)]


FLASK = '[project]\nname = "reader"\ndependencies = ["flask", "flask-sqlalchemy"]\n'
BOOKS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Book(db.Model):
    __tablename__ = "books"
    id = db.Column("BkID", db.Integer, primary_key=True)
    title = db.Column("BkTitle", db.String(200))
    language_id = db.Column("BkLgID", db.Integer)
"""
BASELINE = """\
CREATE TABLE IF NOT EXISTS "books" (
  "BkID" INTEGER NOT NULL,
  "BkTitle" VARCHAR(200),
  "BkLgID" INTEGER NOT NULL,
  PRIMARY KEY ("BkID")
);
CREATE INDEX "BkLgID" ON "books" ("BkLgID");
"""
READS = """\
from flask import Flask

from reader.models import Book

app = Flask(__name__)


@app.get("/books/<title>")
def by_title(title):
    return [b.id for b in Book.query.filter_by(title=title).all()]


@app.get("/languages/<int:language>")
def by_language(language):
    return [b.id for b in Book.query.filter(Book.language_id == language).all()]
"""


def test_a_models_column_names_and_the_schema_file_it_loads(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": FLASK,
        "reader/__init__.py": "",
        "reader/models.py": BOOKS,
        "reader/db/schema/baseline.sql": BASELINE,
        "reader/views.py": READS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = collect([str(tmp_path)], ["index"])
    # The column is BkTitle in the database; BkLgID is indexed by the schema file the app
    # loads, so only the title lookup needs one. The app builds its tables from that file, so
    # the index goes there (``index=True`` on the model would change no database).
    assert [s.title for s in found] == ["Add an index on books (BkTitle)"]
    [edit] = found[0].edits
    assert edit.path.endswith("baseline.sql")
    assert edit.new_text == 'CREATE INDEX ix_books_BkTitle ON "books" (BkTitle);\n'


OPTIONAL_KEYS = """\
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/peers")
def add_peer():
    data = request.get_json()
    name = data.get("name")
    if not name:
        return jsonify(error="name"), 400
    return jsonify(name=name)


@app.post("/keys")
def add_key():
    data = request.get_json()
    return jsonify(expires=data["expires_at"])
"""


def test_a_body_read_only_with_get_and_checked_needs_no_model(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "wg"\ndependencies = ["flask", "pydantic"]\n'
    )
    (tmp_path / "app.py").write_text(OPTIONAL_KEYS)
    found = [(s.code, s.span.start.line + 1) for s in collect([str(tmp_path)], ["validation"])]
    # add_peer's checks are its own; add_key's missing key is a 500
    assert found == [("BKD201", 17)]


def test_a_service_worker_is_browser_code(tmp_path: Path) -> None:
    from subagent_lsp.review.offline.foreign.project import is_browser_code

    worker = 'self.addEventListener("fetch", (event) => {\n  event.respondWith(fetch(event.request));\n});\n'
    # The browser runs it between a page and the network: no server timeout belongs there.
    assert is_browser_code(str(tmp_path / "app" / "sw.js"), set(), None, worker)
    assert is_browser_code(str(tmp_path / "statics" / "pwa" / "worker.js"), set(), None, "")
    server = 'const express = require("express");\n'
    assert not is_browser_code(str(tmp_path / "server" / "index.js"), {"express"}, None, server)
    # an older worker's spelling, in a folder whose own package.json lists no UI framework
    # (round 27: a timeout on its fetch would have cut off the media the app embeds)
    older = "this.addEventListener('fetch', function (event) {\n  event.respondWith(caches.match(event.request));\n});\n"
    assert is_browser_code(str(tmp_path / "sw.js"), set(), {"eslint": "8"}, older)
