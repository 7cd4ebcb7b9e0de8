"""Two index proposals on one table applied together (``suggest --fix``, the editor's fix-all):
each is computed on the text the other left (compose.py), so each must find the first one's
edit and join it. Django before 1.11 writes composites in ``Meta.index_together``, where the
second was dropped as "no clean edit" and so silently lost from the patch; an SQLAlchemy
``Table(...)`` written one argument per line had both indexes crammed onto its last line."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.review.offline.compose import compose
from subagent_lsp.review.project import Projects

DJANGO = """\
from django.db import models


class Reading(models.Model):
    sensor = models.CharField(max_length=40)
    station = models.CharField(max_length=40)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["-taken_at"]
"""
DJANGO_VIEWS = """\
from django.http import JsonResponse

from .models import Reading


def by_sensor(request, n):
    rows = Reading.objects.filter(sensor=n).order_by("-taken_at")[:20]
    return JsonResponse({"ids": [r.id for r in rows]})


def by_station(request, n):
    rows = Reading.objects.filter(station=n).order_by("-taken_at")[:20]
    return JsonResponse({"ids": [r.id for r in rows]})
"""
TABLE = """\
import sqlalchemy as sa

metadata = sa.MetaData()

reading = sa.Table(
    "reading",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sensor", sa.String(40)),
    sa.Column("station", sa.String(40)),
    sa.Column("taken_at", sa.DateTime),
)
"""
TABLE_VIEWS = """\
import sqlalchemy as sa
from flask import Blueprint, jsonify

from .models import reading

bp = Blueprint("r", __name__)


@bp.get("/sensor/<n>")
def by_sensor(n):
    query = sa.select(reading).where(reading.c.sensor == n).order_by(reading.c.taken_at.desc())
    return jsonify(list(query.limit(20)))


@bp.get("/station/<n>")
def by_station(n):
    query = sa.select(reading).where(reading.c.station == n).order_by(reading.c.taken_at.desc())
    return jsonify(list(query.limit(20)))
"""


def _composed(root: Path, models: str, views: str, deps: str) -> str:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(models)
    (root / "app" / "views.py").write_text(views)
    (root / "requirements.txt").write_text(f"{deps}\n")
    projects = Projects()
    projects.scan([str(root)])
    result = compose(projects, sorted(str(p) for p in root.rglob("*.py")), ["index"])
    assert not result.skipped and not result.resolved
    assert len(result.applied) == 2
    models = result.changed()[str(root / "app" / "models.py")]
    ast.parse(models)
    return models


def test_two_index_together_groups_share_one_list(tmp_path: Path) -> None:
    models = _composed(tmp_path, DJANGO, DJANGO_VIEWS, "django==1.10")
    assert '        index_together = [["sensor", "taken_at"], ["station", "taken_at"]]\n' in models
    assert models.count("index_together") == 1


def test_two_indexes_of_a_table_call_get_a_line_each(tmp_path: Path) -> None:
    models = _composed(tmp_path, TABLE, TABLE_VIEWS, "flask\nsqlalchemy")
    assert models.endswith(
        '    sa.Column("taken_at", sa.DateTime),\n'
        '    sa.Index("ix_reading_sensor_taken_at", "sensor", "taken_at"),\n'
        '    sa.Index("ix_reading_station_taken_at", "station", "taken_at"),\n'
        ")\n"
    )
