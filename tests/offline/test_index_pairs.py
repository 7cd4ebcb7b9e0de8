"""Two index proposals on one model (a blind review of a real Django app, shapes of our own):
two lookups of one organizer's e-mail, each sorted its own way, gave two indexes whose edits
had one name (``ix_eventapplication_main_organ``, cut at Django's 30 characters), each adding
its own ``indexes = [...]`` to the same Meta. Once either index exists the other lookup needs
none, so they are one proposal; a name cut short ends in a hash of the whole one, so two
different indexes never share it, applied together or one after the other."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.compose import compose
from subagent_lsp.review.offline.indexes import index_name
from subagent_lsp.review.offline.schema import Table
from subagent_lsp.review.project import Projects
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from django.db import models


class EventApplication(models.Model):
    city = models.CharField(max_length=200)
    date = models.DateField()
    main_organizer_email = models.EmailField()
    main_organizer_last_name = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = (("can_accept", "Can accept"),)
"""
# The same organizer's latest application, and their latest event: one index on the e-mail
# finds both (a person's few applications, sorted in a moment).
SAME_LEAD = """\
from django.http import JsonResponse

from .models import EventApplication


def latest(request, email):
    row = EventApplication.objects.filter(main_organizer_email=email).order_by("-created_at").first()
    return JsonResponse({"id": row.id})


def last_event(request, email):
    row = EventApplication.objects.filter(main_organizer_email=email).order_by("-date").first()
    return JsonResponse({"id": row.id})
"""
# Two lookups by two different columns whose names share their first 30 characters.
TWO_LEADS = """\
from django.http import JsonResponse

from .models import EventApplication


def by_email(request, email):
    row = EventApplication.objects.filter(main_organizer_email=email).order_by("-created_at").first()
    return JsonResponse({"id": row.id})


def by_name(request, name):
    row = EventApplication.objects.filter(main_organizer_last_name=name).order_by("-created_at").first()
    return JsonResponse({"id": row.id})
"""
# One organizer's applications a page at a time, newest first, and how many there are: the
# page needs the sort in the index, which serves the count as well.
PAGED = """\
from django.core.paginator import Paginator
from django.http import JsonResponse

from .models import EventApplication


def count(request, email):
    return JsonResponse({"n": EventApplication.objects.filter(main_organizer_email=email).count()})


def history(request, email):
    rows = EventApplication.objects.filter(main_organizer_email=email).order_by("-created_at")
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return JsonResponse({"ids": [r.id for r in page]})
"""
SA_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Reading(db.Model):
    __tablename__ = "reading"
    id = db.Column(db.Integer, primary_key=True)
    sensor = db.Column(db.String(40))
    station = db.Column(db.String(40))
    taken_at = db.Column(db.DateTime)
"""
SA_VIEWS = """\
from flask import Blueprint, jsonify

from .models import Reading

bp = Blueprint("readings", __name__)


@bp.get("/sensor/<name>")
def by_sensor(name):
    rows = Reading.query.filter_by(sensor=name).order_by(Reading.taken_at.desc()).limit(20).all()
    return jsonify([r.id for r in rows])


@bp.get("/station/<name>")
def by_station(name):
    rows = Reading.query.filter_by(station=name).order_by(Reading.taken_at.desc()).limit(20).all()
    return jsonify([r.id for r in rows])
"""


def _app(root: Path, views: str, models: str = MODELS, deps: str = "django") -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(models)
    (root / "app" / "views.py").write_text(views)
    (root / "requirements.txt").write_text(f"{deps}\n")
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def _composed(root: Path) -> str:
    projects = Projects()
    projects.scan([str(root)])
    files = sorted(str(p) for p in root.rglob("*.py"))
    result = compose(projects, files, ["index"])
    assert not result.skipped
    return result.changed()[str(root / "app" / "models.py")]


def _index_names(models: str) -> list[str]:
    return [
        kw.value.value
        for node in ast.walk(ast.parse(models))
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "name" and isinstance(kw.value, ast.Constant)
    ]


def test_two_sorts_of_one_lookup_are_one_index(tmp_path: Path) -> None:
    found = _indexes(_app(tmp_path, SAME_LEAD))
    assert [(s.title, s.span.start.line + 1) for s in found] == [
        ("Add an index on eventapplication (main_organizer_email, created_at)", 7)
    ]
    # the other lookup is a site of the same edit
    assert "views.py:12 `EventApplication.objects.filter(main_organizer_email=email)" in (
        found[0].rationale
    )
    (edit,) = found[0].edits
    assert edit.new_text == (
        "        indexes = [\n"
        '            models.Index(fields=["main_organizer_email", "created_at"], '
        'name="ix_eventapplication_mai_b59a00"),\n'
        "        ]\n"
    )


def test_a_paged_sort_is_not_folded_into_its_lookup_alone(tmp_path: Path) -> None:
    found = _indexes(_app(tmp_path, PAGED))
    assert [(s.title, s.span.start.line + 1) for s in found] == [
        ("Add an index on eventapplication (main_organizer_email, created_at)", 12)
    ]
    assert "views.py:8 `EventApplication.objects.filter(main_organizer_email=email).count()`" in (
        found[0].rationale
    )
    # unpaged, the lookup alone still serves both (a person's few rows, sorted in a moment)
    unpaged = PAGED.replace('Paginator(rows, 20).get_page(request.GET.get("page"))', "rows")
    (tmp_path / "app" / "views.py").write_text(unpaged)
    assert [s.title for s in _indexes(tmp_path)] == [
        "Add an index on eventapplication (main_organizer_email)"
    ]


def test_names_cut_short_differ_and_both_land_in_one_meta(tmp_path: Path) -> None:
    found = _indexes(_app(tmp_path, TWO_LEADS))
    names = sorted(n for s in found for e in s.edits for n in _index_names_in(e.new_text))
    assert len(found) == 2 and len(set(names)) == 2
    assert all(len(n) <= 30 and n.startswith("ix_eventapplication_mai_") for n in names)
    # applied together: one list in the Meta, both indexes in it, under their own names
    models = _composed(tmp_path)
    assert models.count("indexes = [") == 1
    assert sorted(_index_names(models)) == names


def test_two_table_args_indexes_land_in_one_tuple(tmp_path: Path) -> None:
    root = _app(tmp_path, SA_VIEWS, SA_MODELS, "flask-sqlalchemy")
    assert sorted(s.title for s in _indexes(root)) == [
        "Add an index on reading (sensor, taken_at)",
        "Add an index on reading (station, taken_at)",
    ]
    models = _composed(root)
    ast.parse(models)
    assert models.count("__table_args__") == 1
    assert 'db.Index("ix_reading_sensor_taken_at", "sensor", "taken_at")' in models
    assert 'db.Index("ix_reading_station_taken_at", "station", "taken_at")' in models


def test_a_name_the_table_has_is_not_taken_again() -> None:
    table = Table("post", "django", "app/models.py", indexes=[("ix_post_slug", ("title",))])
    assert index_name(table, ["slug"]) == "ix_post_slug_195468"
    assert index_name(table, ["title"]) == "ix_post_title"
    # a PostgreSQL (SQLAlchemy) name keeps 63 characters whole
    long = Table("eventapplication", "sqlalchemy", "app/models.py")
    assert index_name(long, ["main_organizer_email", "created_at"]) == (
        "ix_eventapplication_main_organizer_email_created_at"
    )


def _index_names_in(text: str) -> list[str]:
    return [part.split('"')[1] for part in text.split("name=")[1:]]
