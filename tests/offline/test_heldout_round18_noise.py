"""Eighteenth held-out round, noise shapes of our own: helpers and modules only management
commands reach (and a CLI module's helper a route reaches, which stays), descending indexes,
a task library's worker classes and heartbeat table, and first() on a row that must exist."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion


def _app(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text('[project]\nname = "app"\n', encoding="utf-8")
    return root


def _found(root: Path, kinds: list[str], code: str) -> list[tuple[str, int]]:
    found: list[Suggestion] = [s for s in collect([str(root)], kinds) if s.code == code]
    return sorted((Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1) for s in found)


DJANGO_MODELS = """\
from django.db import models


class Stock(models.Model):
    sku = models.CharField(max_length=40)
    counted = models.DateTimeField()


class Paper(models.Model):
    title = models.CharField(max_length=200)
    sort_date = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-sort_date"])]
"""
# Only the command imports ``pull_stock``; the view imports ``price_of`` from the same module.
DJANGO_FEEDS = """\
import requests

from shop.models import Stock


def price_of(sku):
    return requests.get("https://prices.example/" + sku).json()


def pull_stock(area):
    rows = requests.post("https://overpass.example/api", data={"area": area}).json()
    for row in rows:
        Stock.objects.filter(counted__lte=row["at"]).update(counted=row["at"])
"""
# A module the command alone imports: everything in it is the command's.
DJANGO_BULK = """\
import requests

from shop.models import Stock


def refresh(url):
    for row in requests.get(url).json():
        Stock.objects.filter(sku=row["sku"]).delete()
"""
DJANGO_COMMAND = """\
from django.core.management.base import BaseCommand

from shop.bulk import refresh
from shop.feeds import pull_stock


class Command(BaseCommand):
    def handle(self, *args, **options):
        pull_stock(options["area"])
        refresh(options["url"])
"""
DJANGO_VIEWS = """\
from django.http import JsonResponse

from shop.feeds import price_of
from shop.models import Paper


def price(request, sku):
    return JsonResponse(price_of(sku))


def papers(request):
    rows = Paper.objects.filter(sort_date__gte=request.GET.get("since", "2020-01-01"))
    return JsonResponse({"titles": [p.title for p in rows.order_by("-sort_date")[:20]]})
"""
DJANGO_URLS = """\
from django.urls import path

from shop import views

urlpatterns = [path("price/<sku>", views.price), path("papers", views.papers)]
"""


def test_helpers_only_a_command_reaches_are_off_the_request_path(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/models.py": DJANGO_MODELS,
            "shop/feeds.py": DJANGO_FEEDS,
            "shop/bulk.py": DJANGO_BULK,
            "shop/views.py": DJANGO_VIEWS,
            "shop/urls.py": DJANGO_URLS,
            "shop/management/__init__.py": "",
            "shop/management/commands/__init__.py": "",
            "shop/management/commands/sync_stock.py": DJANGO_COMMAND,
        },
    )
    # The view's helper keeps its timeout; the command's download and its module's do not.
    assert _found(root, ["error-handling"], "BKD301") == [("shop/feeds.py", 7)]
    # No index for the command's bulk updates, nor for a column a descending index serves.
    assert _found(root, ["index"], "BKD101") == []


FLASK_CLI = """\
import click
import requests


def send_hook(url, text):
    requests.post(url, json={"content": text})


def fetch_dump(url):
    return requests.get(url).content


@click.group()
def cli():
    pass


@cli.command()
@click.argument("url")
def notify(url):
    send_hook(url, "hello")
    fetch_dump(url)
"""
FLASK_VIEWS = """\
from flask import Blueprint, request

from app.cli import send_hook

api = Blueprint("api", __name__)


@api.route("/api/test-hook", methods=["POST"])
def test_hook():
    send_hook(request.json["url"], "test")
    return "", 204
"""


def test_a_cli_modules_helper_a_route_calls_keeps_its_timeout(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {"app/__init__.py": "", "app/cli.py": FLASK_CLI, "app/views.py": FLASK_VIEWS},
    )
    assert _found(root, ["error-handling"], "BKD301") == [("app/cli.py", 6)]


SA_MODELS = """\
from sqlalchemy import DateTime, Index, Integer, String, desc
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Entry(Base):
    __tablename__ = "entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    posted: Mapped[DateTime] = mapped_column(DateTime)
    author: Mapped[str] = mapped_column(String)
    Index("ix_entries_posted", posted.desc())
    __table_args__ = (Index("ix_entries_author", desc("author")),)


class QueueMessage(Base):
    __tablename__ = "queue_messages"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    actor: Mapped[str] = mapped_column(String)
    queue: Mapped[str] = mapped_column(String)


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeats"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    last_seen: Mapped[DateTime] = mapped_column(DateTime)
"""
SA_ROUTES = """\
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from app.db import get_db
from app.models import Entry, WorkerHeartbeat

router = APIRouter()


@router.get("/entries")
def entries(since: str, author: str, db: Session = Depends(get_db)):
    rows = db.query(Entry).filter(Entry.posted >= since).all()
    mine = db.query(Entry).filter(Entry.author == author).all()
    return {"n": len(rows), "mine": len(mine)}


@router.get("/healthcheck-worker")
def workers(since: str, db: Session = Depends(get_db)):
    return {"alive": db.query(WorkerHeartbeat).filter(WorkerHeartbeat.last_seen >= since).count()}
"""
SA_WORKER = """\
import dramatiq
from dramatiq import Middleware

from app.models import QueueMessage


class Consumer(dramatiq.Consumer):
    def __init__(self, db, queue):
        self.db, self.queue = db, queue

    def clean(self, actor):
        self.db.query(QueueMessage).filter(
            QueueMessage.actor == actor, QueueMessage.queue == self.queue
        ).delete()


class Scheduler(Middleware):
    def after_process_boot(self, broker, db):
        db.query(QueueMessage).filter(QueueMessage.actor == "cleanup").delete()
"""


def test_descending_indexes_worker_classes_and_heartbeats_want_no_index(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db.py": "def get_db():\n    yield None\n",
            "app/models.py": SA_MODELS,
            "app/routes.py": SA_ROUTES,
            "app/worker.py": SA_WORKER,
        },
    )
    assert _found(root, ["index"], "BKD101") == []


FLASK_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80))
    admin = db.Column(db.Boolean)


class Clip(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    clip_id = db.Column(db.String(32), index=True)
    title = db.Column(db.String(80))


class ClipInfo(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    clip_id = db.Column(db.String(32), db.ForeignKey("clip.clip_id"), nullable=False)
    note = db.Column(db.String(80))
"""
FLASK_ROUTES = """\
from flask import Blueprint, request

from app.models import Clip, ClipInfo, User, db

bp = Blueprint("bp", __name__)


@bp.route("/login", methods=["POST"])
def login():
    name = request.form.get("name", "")
    user = User.query.filter_by(username=name).first()
    if not user:
        user = User(username=name, admin=False)
        db.session.add(user)
        db.session.commit()
    row = db.session.query(User).filter_by(id=user.id).first()
    row.admin = True
    db.session.commit()
    return "ok"


@bp.route("/clips/<id>", methods=["PUT"])
def edit(id):
    info = ClipInfo.query.filter_by(clip_id=id).first()
    if info:
        info.note = request.form.get("note", "")
        clip = Clip.query.filter_by(clip_id=id).first()
        clip.title = info.note
        db.session.commit()
    return "ok"


@bp.route("/clips/<id>/title")
def title(id):
    clip = Clip.query.filter_by(clip_id=id).first()
    return clip.title
"""


def test_first_on_a_row_that_must_exist_wants_no_404(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {"app/__init__.py": "", "app/models.py": FLASK_MODELS, "app/routes.py": FLASK_ROUTES},
    )
    (root / "requirements.txt").write_text("flask\nflask-sqlalchemy\n", encoding="utf-8")
    # Only the lookup by the client's id alone keeps its 404.
    assert _found(root, ["error-handling"], "BKD306") == [("app/routes.py", 35)]
