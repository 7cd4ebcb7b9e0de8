"""Misses of a blind planted-defect test: a date parsed from raw request input in Flask (and
``date.fromisoformat`` in Django), a commit whose database error is swallowed while the session
is used again, and a Django ``.first()`` row used unchecked. Small fixtures of our own that
reproduce each shape: the defect is suggested at its line, its clean twin stays silent, and
every edit applies and parses."""

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


def _each_applies(tmp_path: Path, files: dict[str, str], deps: str) -> list[Suggestion]:
    """Every suggestion, each applied on its own to a fresh copy; the new text of each."""
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
        for text in apply_suggestion(again[0]).values():
            ast.parse(text)
    return found


FLASK = '"flask", "flask-sqlalchemy>=3.1"'

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Bin(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(20), unique=True)
"""

# A JSON API: the fix answers with jsonify.
API = """\
from datetime import date, datetime

from flask import Blueprint, jsonify, request

bp = Blueprint("api", __name__)


@bp.get("/on")
def on_day():
    day = date.fromisoformat(request.args.get("day", "2024-01-01"))
    return jsonify(day=day.isoformat())


@bp.get("/at")
def at_time():
    when = datetime.strptime(request.args["at"], "%H:%M")
    return jsonify(at=when.isoformat())


@bp.get("/checked")
def checked_day():
    try:
        day = date.fromisoformat(request.args.get("day", "2024-01-01"))
    except ValueError:
        return jsonify(error="bad day"), 400
    return jsonify(day=day.isoformat())
"""

# An HTML app that answers errors with abort(code): the fix aborts too.
PAGES = """\
import datetime

from flask import Blueprint, abort, render_template, request

bp = Blueprint("pages", __name__)


@bp.route("/since")
def since():
    start = datetime.datetime.fromisoformat(request.args.get("from"))
    if start.year < 2000:
        abort(404)
    return render_template("since.html", start=start)
"""


def test_flask_dates_from_request_input(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/api.py": API}
    files["app/pages.py"] = PAGES
    found = _each_applies(tmp_path, files, FLASK)
    root = tmp_path / "check"
    dates = {site for site in _sites(found, root) if site[2] == "BKD202"}
    assert dates == {("app/api.py", 10, "BKD202"), ("app/api.py", 16, "BKD202")} | {
        ("app/pages.py", 10, "BKD202")
    }
    by_site = {(Path(s.path).name, s.span.start.line + 1): s for s in found}
    api = by_site[("api.py", 10)].edits[-1].new_text
    assert "except (TypeError, ValueError):" in api
    assert 'return jsonify(error="day must be a date"), 400' in api
    pages = by_site[("pages.py", 10)].edits[-1].new_text
    assert "abort(400)" in pages and "jsonify" not in pages


DJANGO_VIEWS = """\
from datetime import date

from django.http import JsonResponse

from desk.models import Case


def on_day(request):
    day = date.fromisoformat(request.GET.get("day", "2024-01-01"))
    return JsonResponse({"day": day.isoformat()})


def case_detail(request, pk):
    case = Case.objects.filter(pk=pk).first()
    return JsonResponse({"title": case.title})


def case_by_ref(request, ref):
    case = Case.objects.select_related("owner").filter(ref=ref).first()
    data = {"ref": ref}
    data["title"] = case.title
    return JsonResponse(data)


def case_checked(request, pk):
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        return JsonResponse({"error": "no such case"}, status=404)
    return JsonResponse({"title": case.title})


def case_or_none(request, pk):
    case = Case.objects.filter(pk=pk).first()
    return JsonResponse({"found": case is not None})
"""

DJANGO_MODELS = """\
from django.db import models


class Case(models.Model):
    ref = models.CharField(max_length=20, db_index=True)
    title = models.CharField(max_length=200)
"""

DJANGO_URLS = """\
from django.urls import path

from desk import views

urlpatterns = [
    path("day/", views.on_day),
    path("c/<int:pk>/", views.case_detail),
    path("r/<str:ref>/", views.case_by_ref),
    path("k/<int:pk>/", views.case_checked),
    path("n/<int:pk>/", views.case_or_none),
]
"""


def test_django_first_rows_and_isoformat_dates(tmp_path: Path) -> None:
    files = {
        "desk/__init__.py": "",
        "desk/models.py": DJANGO_MODELS,
        "desk/views.py": DJANGO_VIEWS,
        "desk/urls.py": DJANGO_URLS,
    }
    found = _each_applies(tmp_path, files, '"django"')
    assert _sites(found, tmp_path / "check") == {
        ("desk/views.py", 9, "BKD202"),  # date.fromisoformat of ?day=
        ("desk/views.py", 14, "BKD306"),  # filter(pk=...).first(), then case.title
        ("desk/views.py", 19, "BKD306"),  # a longer chain: an Http404 guard after it
    }
    by_line = {s.span.start.line + 1: s for s in found}
    texts = [e.new_text for e in by_line[14].edits]
    assert "get_object_or_404(Case, pk=pk)" in texts
    assert any("import get_object_or_404" in t for t in texts)
    guard = by_line[19].edits[-1].new_text
    assert "if case is None:" in guard and 'raise Http404("Case not found")' in guard
    assert any("import Http404" in e.new_text for e in by_line[19].edits)


IMPORTER = """\
import csv

from sqlalchemy.exc import IntegrityError

from app.models import Bin, db


def load_bins(stream):
    created = 0
    for row in csv.DictReader(stream):
        db.session.add(Bin(code=row["code"]))
        try:
            db.session.commit()
        except IntegrityError:
            continue
        created += 1
    return created


def rename_then_count(bin_id, code):
    db.session.get(Bin, bin_id).code = code
    try:
        db.session.commit()
    except IntegrityError:
        pass
    return Bin.query.count()


def load_bins_checked(stream):
    for row in csv.DictReader(stream):
        db.session.add(Bin(code=row["code"]))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue


def rename_or_fail(bin_id, code):
    db.session.get(Bin, bin_id).code = code
    try:
        db.session.commit()
    except IntegrityError:
        raise ValueError("code taken") from None
    return Bin.query.count()


def rename_last(bin_id, code):
    db.session.get(Bin, bin_id).code = code
    try:
        db.session.commit()
    except IntegrityError:
        return False
    return True
"""


def test_swallowed_commit_errors_roll_back(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/importer.py": IMPORTER}
    found = _each_applies(tmp_path, files, FLASK)
    assert _sites(found, tmp_path / "check") == {
        ("app/importer.py", 13, "BKD303"),  # commit in a loop, IntegrityError: continue
        ("app/importer.py", 23, "BKD303"),  # swallowed, then Bin.query after it
    }
    by_line = {s.span.start.line + 1: s for s in found}
    (edit,) = by_line[13].edits
    assert edit.new_text.strip() == "db.session.rollback()"
    assert edit.span.start.line + 1 == 15  # first thing in the handler, before ``continue``


SERIALIZERS = """\
def bin_dict(b):
    return {"id": b.id, "code": b.code}


def maybe_dict(b):
    if b is None:
        return None
    return {"id": b.id}
"""

ROWS = """\
from flask import Blueprint, jsonify

from app.models import Bin
from app.serializers import bin_dict, maybe_dict

bp = Blueprint("rows", __name__)


@bp.get("/bins/<code>")
def bin_detail(code):
    found = Bin.query.filter_by(code=code).first()
    return jsonify(bin_dict(found))


@bp.get("/maybe/<code>")
def maybe_detail(code):
    found = Bin.query.filter_by(code=code).first()
    return jsonify(maybe_dict(found))
"""


def test_first_row_handed_to_a_helper(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/serializers.py": SERIALIZERS}
    files["app/rows.py"] = ROWS
    found = _each_applies(tmp_path, files, FLASK)
    assert _sites(found, tmp_path / "check") == {("app/rows.py", 11, "BKD306")}
    (s,) = found
    assert "bin_dict(found)" in s.rationale
    assert s.edits[-1].new_text == "Bin.query.filter_by(code=code).first_or_404()"
