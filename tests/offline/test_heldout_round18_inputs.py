"""The fifth blind planted set and round 18's real apps, their misses and one false positive
(shapes of our own): a ``(await session.scalars(...)).first()`` used unchecked, also of the
rows pointing at a row the client named; ``db.select(M)`` seen as a query; a validated
SelectField's value is no client key; a decorator that checks POST keys fetches no row;
dateutil's parser; an int lookup after an ``in request.POST`` check; ``getattr(Model,
sort)`` of a query string (a sort key: BKD212)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _codes(root: Path, kind: str, code: str) -> list[Suggestion]:
    found = [s for s in collect([str(root)], [kind]) if s.code == code]
    return sorted(found, key=lambda s: s.span.start.line)


def _lines(found: list[Suggestion], name: str) -> list[int]:
    return [s.span.start.line + 1 for s in found if s.path.endswith(name)]


LAB_MODELS = """\
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Gauge(Base):
    __tablename__ = "gauges"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(unique=True)
    limit: Mapped[float] = mapped_column()


class Reading(Base):
    __tablename__ = "readings"
    id: Mapped[int] = mapped_column(primary_key=True)
    gauge_id: Mapped[int] = mapped_column(ForeignKey("gauges.id"), index=True)
    taken_at: Mapped[int] = mapped_column(index=True)
    value: Mapped[float] = mapped_column()
"""

LAB_ROUTES = """\
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Gauge, Reading

router = APIRouter()


async def get_session():
    yield None


async def gauge_or_404(session: AsyncSession, code: str) -> Gauge:
    gauge = (await session.scalars(select(Gauge).where(Gauge.code == code))).first()
    if gauge is None:
        raise HTTPException(404, "no such gauge")
    return gauge


@router.get("/gauges/{code}/latest")
async def latest(code: str, session: AsyncSession = Depends(get_session)):
    gauge = await gauge_or_404(session, code)
    reading = (
        await session.scalars(
            select(Reading)
            .where(Reading.gauge_id == gauge.id)
            .order_by(Reading.taken_at.desc())
            .limit(1)
        )
    ).first()
    if reading.value > gauge.limit:
        raise HTTPException(409, "over the limit")
    return {"value": reading.value}


@router.get("/gauges/{code}/checked")
async def checked(code: str, session: AsyncSession = Depends(get_session)):
    gauge = await gauge_or_404(session, code)
    reading = (
        await session.scalars(select(Reading).where(Reading.gauge_id == gauge.id).limit(1))
    ).first()
    if reading is None:
        raise HTTPException(409, "no reading yet")
    return {"value": reading.value}


@router.get("/readings/{rid}")
async def one(rid: int, session: AsyncSession = Depends(get_session)):
    reading = (await session.scalars(select(Reading).where(Reading.id == rid))).first()
    return {"value": reading.value}


@router.get("/readings")
async def listed(sort: str = "taken_at", session: AsyncSession = Depends(get_session)):
    rows = await session.scalars(select(Reading).order_by(getattr(Reading, sort)))
    return [r.value for r in rows]


@router.get("/readings/typed")
async def typed(
    sort: Literal["taken_at", "value"] = "taken_at",
    session: AsyncSession = Depends(get_session),
):
    rows = await session.scalars(select(Reading).order_by(getattr(Reading, sort)))
    return [r.value for r in rows]


@router.get("/readings/listed")
async def allowed(sort: str = "taken_at", session: AsyncSession = Depends(get_session)):
    if sort not in ("taken_at", "value"):
        raise HTTPException(400, "bad sort")
    rows = await session.scalars(select(Reading).order_by(getattr(Reading, sort)))
    return [r.value for r in rows]
"""


def _lab(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nsqlalchemy\n",
            "lab/__init__.py": "",
            "lab/models.py": LAB_MODELS,
            "lab/routes.py": LAB_ROUTES,
        },
    )


def test_an_awaited_first_is_checked_and_joins_the_routes_own_test(tmp_path: Path) -> None:
    found = _codes(_lab(tmp_path), "error-handling", "BKD306")
    # latest (26): the readings of the client's gauge, maybe none; one (52): by the client's id.
    # checked tests its row; gauge_or_404 is no route.
    assert _lines(found, "routes.py") == [26, 52]
    folded = found[0]
    assert [e.new_text for e in folded.edits] == ["reading is None or reading.value > gauge.limit"]
    assert 'HTTPException(409, "over the limit")' in folded.rationale
    plain = found[1]
    assert any("raise HTTPException(status_code=404" in e.new_text for e in plain.edits)


def test_a_client_named_sort_column_wants_an_allow_list(tmp_path: Path) -> None:
    # The getattr picks the order_by's column: a sort key, BKD212's (not BKD209's as well).
    root = _lab(tmp_path)
    assert _codes(root, "validation", "BKD209") == []
    found = _codes(root, "validation", "BKD212")
    assert _lines(found, "routes.py") == [58]  # typed (Literal) and allowed (checked) are fine
    texts = [e.new_text for e in found[0].edits]
    assert 'Literal["gauge_id", "id", "taken_at", "value"]' in texts


SHOP = """\
from flask import Flask, abort, render_template, request
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

app = Flask(__name__)
db = SQLAlchemy(app)


class Venue(db.Model):
    __tablename__ = "venues"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))


class Order(db.Model):
    __tablename__ = "orders"
    id = db.Column(db.Integer, primary_key=True)
    payment_ref = db.Column(db.String(64))
    status = db.Column(db.String(16))


class PickForm(FlaskForm):
    venue_id = SelectField("Venue", coerce=int)
    other_id = HiddenField()


@app.route("/pick", methods=["GET", "POST"])
def pick():
    form = PickForm()
    form.venue_id.choices = [(v.id, v.name) for v in db.session.scalars(db.select(Venue))]
    if form.validate_on_submit():
        venue = db.session.get(Venue, form.venue_id.data)
        other = db.session.get(Venue, form.other_id.data)
        return {"venue": venue.name, "other": other.name}
    return render_template("pick.html", form=form)


@app.post("/webhook")
def webhook():
    ref = request.get_json()["ref"]
    order = db.session.scalars(db.select(Order).where(Order.payment_ref == ref)).first()
    if order is None:
        abort(404)
    return {"status": order.status}
"""


def _shop(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        {"requirements.txt": "flask\nflask-sqlalchemy>=3\nflask-wtf\n", "shop/app.py": SHOP},
    )


def test_a_validated_select_fields_value_is_no_client_key(tmp_path: Path) -> None:
    found = _codes(_shop(tmp_path), "error-handling", "BKD306")
    assert _lines(found, "app.py") == [34]  # the hidden field's, not the SelectField's (33)


def test_flask_sqlalchemy_3_select_is_a_query(tmp_path: Path) -> None:
    found = _codes(_shop(tmp_path), "index", "BKD101")
    assert [s.data["columns"] for s in found if s.path.endswith("app.py")] == ["payment_ref"]


DJANGO_MODELS = """\
from django.db import models


class Thread(models.Model):
    title = models.CharField(max_length=200)


class Alert(models.Model):
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    query = models.CharField(max_length=200)
"""

DECORATORS = """\
from functools import wraps

from django.http import HttpResponseBadRequest


def require_post_params(params):
    def decorator(func):
        @wraps(func)
        def inner(request, *args, **kwargs):
            if not all(p in request.POST for p in params):
                return HttpResponseBadRequest("missing")
            return func(request, *args, **kwargs)

        return inner

    return decorator
"""

DJANGO_VIEWS = """\
import dateutil.parser
from django.http import JsonResponse

from .decorators import require_post_params
from .models import Alert, Thread


@require_post_params(params=["thread_id", "title"])
def reply(request):
    data = {
        "title": request.POST.get("title", ""),
        "thread": Thread.objects.get(id=request.POST.get("thread_id")),
    }
    return JsonResponse({"title": data["title"]})


def calendar(request):
    start = dateutil.parser.parse(request.GET["start"])
    return JsonResponse({"start": start.isoformat()})


def profile(request):
    if "remove" in request.POST:
        Alert.objects.filter(user_id=request.user.id, id=request.POST["remove"]).delete()
    return JsonResponse({})
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("reply", views.reply),
    path("calendar", views.calendar),
    path("profile", views.profile),
]
"""


def _site(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        {
            "requirements.txt": "django\npython-dateutil\n",
            "site/models.py": DJANGO_MODELS,
            "site/decorators.py": DECORATORS,
            "site/views.py": DJANGO_VIEWS,
            "site/urls.py": URLS,
        },
    )


def test_a_decorator_checking_post_keys_fetched_no_row(tmp_path: Path) -> None:
    found = _codes(_site(tmp_path), "error-handling", "BKD304")
    assert _lines(found, "views.py") == [12]


def test_dateutil_and_an_int_lookup_after_a_presence_check(tmp_path: Path) -> None:
    found = _codes(_site(tmp_path), "validation", "BKD202")
    assert _lines(found, "views.py") == [18, 24]
    assert "ValueError" in "".join(e.new_text for e in found[0].edits)
    assert "isdigit()" in "".join(e.new_text for e in found[1].edits)
