"""Sixteenth held-out round, index shapes of our own: an existing ``func.lower(..).label(..)``
index, a many-to-one eager load, a range against another column, sorts of unpaged lists,
background tasks, numbered SQL migrations, and queries built step by step under one name."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion


def _app(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def _titles(root: Path) -> list[str]:
    return [s.title for s in _indexes(root)]


FLASK_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Account(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.Unicode(63), nullable=False)
    __table_args__ = (
        db.Index(
            "ix_account_name_lower",
            db.func.lower(name).label("name_lower"),
            unique=True,
            postgresql_ops={"name_lower": "varchar_pattern_ops"},
        ),
    )

    @classmethod
    def get(cls, name):
        return cls.query.filter(db.func.lower(Account.name) == db.func.lower(name)).first()


class Club(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    # the club's owners are a team of its own: team.club_id and club.owners_id point both ways
    owners_id = db.Column(db.Integer, db.ForeignKey("team.id", use_alter=True))
    owners = db.relationship("Team", primaryjoin="Club.owners_id == Team.id")


class Team(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    buid = db.Column(db.String(22), unique=True)
    club_id = db.Column(db.Integer, db.ForeignKey("club.id"), nullable=False)
    club = db.relationship(Club, primaryjoin=club_id == Club.id)

    @classmethod
    def get(cls, buid):
        return cls.query.options(db.joinedload(cls.club)).filter_by(buid=buid).one_or_none()
"""
FLASK_VIEWS = """\
from flask import Flask

from club.models import Account, Team

app = Flask(__name__)


@app.get("/a/<name>")
def account(name):
    return {"id": Account.get(name).id}


@app.get("/t/<buid>")
def team(buid):
    return {"id": Team.get(buid).id}
"""


def test_label_of_an_existing_lower_index_and_a_many_to_one_eager_load(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "flask\nflask-sqlalchemy\npsycopg2==2.9.9\n",
            "club/__init__.py": "",
            "club/models.py": FLASK_MODELS,
            "club/views.py": FLASK_VIEWS,
        },
    )
    # lower(name) has its index (the label only names it for postgresql_ops), and
    # joinedload(Team.club) reads club by its primary key, not by club.owners_id
    assert _titles(root) == []


DJANGO_MODELS = """\
from django.db import models


class Period(models.Model):
    end_date = models.DateField()


class Sheet(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE)
    submitted_date = models.DateField(null=True)
    created_on = models.DateTimeField(auto_now_add=True)
    component = models.CharField(max_length=200)
    status = models.CharField(max_length=30)
    creator = models.CharField(max_length=100)

    class Meta:
        ordering = ["-created_on"]
"""
DJANGO_VIEWS = """\
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import JsonResponse

from sheets.models import Sheet


def late(request):
    rows = Sheet.objects.filter(submitted_date__lte=F("period__end_date")).count()
    return JsonResponse({"late": rows})


def listing(request):
    sheets = Sheet.objects.all()
    recent = sheets.filter(status=request.GET["status"])
    page = Paginator(recent, 20).page(1)
    return JsonResponse({"n": len(page), "all": len(sheets)})


def mine(request):
    qs = Sheet.objects.filter(component=request.GET["c"]).exclude(status="closed")
    qs = qs.filter(Q(creator=request.user.username) | Q(status="new"))
    return JsonResponse({"n": qs.count()})
"""
DJANGO_TASKS = """\
from celery import shared_task

from sheets.models import Sheet


@shared_task
def close_old(day):
    for sheet in Sheet.objects.filter(submitted_date__gte=day):
        sheet.delete()
"""


def test_django_column_ranges_unpaged_sorts_tasks_and_a_queryset_variable(
    tmp_path: Path,
) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "Django==4.2\ncelery\n",
            "manage.py": "import django\n",
            "sheets/__init__.py": "",
            "sheets/models.py": DJANGO_MODELS,
            "sheets/views.py": DJANGO_VIEWS,
            "sheets/tasks.py": DJANGO_TASKS,
        },
    )
    found = _indexes(root)
    # Not: submitted_date (compared with a joined column, and ranged only in a task);
    # created_on (the unfiltered list is not the one paged). The queryset refined under its
    # own name keeps its equality on component.
    assert [s.title for s in found] == [
        "Add an index on sheet (component, created_on)",
    ]
    assert "Sheet.objects.filter(component=" in found[0].data["query"]


def test_a_composite_index_before_django_1_11_goes_in_index_together(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "Django==1.8.19\n",
            "manage.py": "import django\n",
            "sheets/__init__.py": "",
            "sheets/models.py": DJANGO_MODELS,
            "sheets/views.py": DJANGO_VIEWS,
        },
    )
    (found,) = _indexes(root)
    (edit,) = found.edits
    assert edit.new_text == '        index_together = [["component", "created_on"]]\n'


SQL_SCHEMA = """\
CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    created_at TIMESTAMP DEFAULT NOW()
);
"""
SQL_APP = """\
from flask import Flask, request

from db import get_db

app = Flask(__name__)


@app.get("/admin/users")
def users():
    with get_db().cursor() as cur:
        cur.execute("SELECT id, email FROM users ORDER BY created_at DESC")
        return {"users": cur.fetchall()}


@app.get("/users/by-email")
def by_email():
    with get_db().cursor() as cur:
        cur.execute("SELECT id FROM users WHERE email = %s", (request.args["e"],))
        return {"user": cur.fetchone()}
"""


def test_numbered_sql_migrations_get_a_new_one_and_unpaged_sorts_none(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "flask\npsycopg2-binary\n",
            "db.py": "import psycopg2\n\n\ndef get_db():\n    return psycopg2.connect('')\n",
            "app.py": SQL_APP,
            "migrations/000_create_things.sql": "CREATE TABLE things (id SERIAL PRIMARY KEY);\n",
            "migrations/001_add_users_table.sql": SQL_SCHEMA,
            "migrations/002_add_flag.py": "FLAG = 1\n",
        },
    )
    found = _indexes(root)
    # The admin's whole user list sorted: every row is read whatever the index.
    assert [s.title for s in found] == ["Add an index on users (email)"]
    (edit,) = found[0].edits
    assert edit.path == str(root / "migrations" / "003_add_ix_users_email.sql")
    assert edit.new_text == "CREATE INDEX IF NOT EXISTS ix_users_email ON users (email);\n"


SA_MODELS = """\
from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Shot(Base):
    __tablename__ = "shot"
    __table_args__ = {"schema": "public"}
    taken_at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    lens_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    caption: Mapped[str] = mapped_column(String(200))
"""
SA_REPO = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from gallery.models import Shot


def shots(db: Session, lens_id: str | None, page: int):
    stmt = select(Shot)
    if lens_id:
        stmt = stmt.where(Shot.lens_id == lens_id)
    stmt = stmt.order_by(Shot.taken_at.desc()).offset(page * 20).limit(20)
    return list(db.scalars(stmt).all())
"""
SA_ROUTES = """\
from fastapi import FastAPI

from gallery.repo import shots

app = FastAPI()


@app.get("/shots")
def list_shots(lens_id: str | None = None, page: int = 0):
    return shots(None, lens_id, page)
"""


def test_a_select_built_step_by_step_under_one_name(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "fastapi\nsqlalchemy\npsycopg2-binary\n",
            "gallery/__init__.py": "",
            "gallery/models.py": SA_MODELS,
            "gallery/repo.py": SA_REPO,
            "gallery/routes.py": SA_ROUTES,
        },
    )
    found = _indexes(root)
    assert [s.title for s in found] == ["Add an index on shot (lens_id, taken_at)"]
    assert found[0].span.start.line == 10  # the step that completes the query
    assert "Plan before:" in found[0].rationale  # proven (SQLite, or PostgreSQL when running)
    # the options dict becomes the trailing options of a tuple holding the index
    imports, edit = found[0].edits
    assert imports.new_text == "from sqlalchemy import DateTime, Index, String"
    assert edit.new_text == (
        '(\n        Index("ix_shot_lens_id_taken_at", "lens_id", "taken_at"),\n'
        '        {"schema": "public"},\n    )'
    )
