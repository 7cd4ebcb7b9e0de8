"""Twenty-first held-out round, after its measurement (a shape of our own): a row looked up
by the signed-in user's own key needs no 404, while one keyed by the client still does."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

APP = """\
from flask import Flask, render_template
from flask_login import current_user, login_required
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    login = db.Column(db.String(30), unique=True)


@app.get("/profile")
@login_required
def profile():
    user = User.query.filter(User.id == current_user.id).first()
    return render_template("profile.html", login=user.login)


@app.get("/users/<login>")
def public(login):
    user = User.query.filter(User.login == login).first()
    return render_template("user.html", login=user.login)
"""


def test_the_signed_in_users_row_needs_no_404(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("flask\nflask-login\nflask-sqlalchemy>=3\n")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    assert [s.span.start.line + 1 for s in found] == [23]


KITCHEN_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Dish(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    station = db.Column(db.String(20))


class Line(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, index=True)
    dish_id = db.Column(db.Integer, db.ForeignKey("dish.id"), nullable=False)
"""

KITCHEN_SERVICES = """\
from kitchen.models import Dish, Line, db


def stations(order_id):
    out = []
    for line in Line.query.filter_by(order_id=order_id).all():
        dish = db.session.get(Dish, line.dish_id)
        out.append(dish.station)
    return out


def dish_station(dish_id):
    dish = db.session.get(Dish, dish_id)
    return dish.station
"""

KITCHEN_API = """\
from flask import Blueprint

from kitchen import services

bp = Blueprint("api", __name__)


@bp.post("/orders/<int:order_id>/fire")
def fire(order_id):
    return {"stations": services.stations(order_id)}


@bp.get("/dishes/<int:dish_id>/station")
def station(dish_id):
    return {"station": services.dish_station(dish_id)}
"""


def test_a_helper_reading_rows_by_their_own_keys_needs_no_404(tmp_path: Path) -> None:
    for rel, text in {
        "kitchen/__init__.py": "",
        "kitchen/models.py": KITCHEN_MODELS,
        "kitchen/services.py": KITCHEN_SERVICES,
        "kitchen/api.py": KITCHEN_API,
        "requirements.txt": "flask\nflask-sqlalchemy>=3\n",
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    # only the lookup keyed by what the route was handed (``dish_station(dish_id)``)
    assert [s.span.start.line + 1 for s in found] == [15], [s.rationale for s in found]


TRACKER = """\
from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tracker.db import get_session
from tracker.models import Project

router = APIRouter()


@router.post("/issues/{issue_id}/move")
async def move(issue_id: int, key: str, session: AsyncSession = Depends(get_session)):
    target = await session.scalar(select(Project).where(Project.key == key))
    count = await session.scalar(select(func.count()).select_from(Project))
    return {"project": target.id, "projects": count}
"""


def test_an_awaited_scalar_of_a_model_may_be_none(tmp_path: Path) -> None:
    for rel, text in {
        "tracker/__init__.py": "",
        "tracker/db.py": "async def get_session():\n    yield None\n",
        "tracker/models.py": "class Project:\n    id: int\n    key: str\n",
        "tracker/routes.py": TRACKER,
        "requirements.txt": "fastapi\nsqlalchemy>=2\n",
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    # the model's row (13), not the count, which is a value and never None (14)
    assert [s.span.start.line + 1 for s in found] == [13]


PATHS = """\
from flask import Flask, jsonify, request

app = Flask(__name__)
PATHS: list[str] = []


@app.route("/paths", methods=["POST", "DELETE"])
def paths():
    if request.method == "POST":
        data = request.json
        PATHS.append(data["path"])
    else:
        data = request.json
        PATHS.remove(data["path"])
    return jsonify(paths=PATHS)
"""


def test_two_branches_binding_one_body_name_are_two_fixes_and_compose_keeps_both(
    tmp_path: Path,
) -> None:
    from subagent_lsp.review.offline.compose import compose
    from subagent_lsp.review.project import Projects

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "app.py").write_text(PATHS, encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("flask\n")
    found = [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD201"]
    assert [s.span.start.line + 1 for s in found] == [10, 13]
    projects = Projects()
    projects.scan([str(tmp_path)])
    result = compose(projects, [str(tmp_path / "site" / "app.py")], ["validation"])
    # the POST branch's check does not stand for the DELETE branch's (ownfoil, round 21)
    assert len(result.applied) == 2 and not result.resolved and not result.skipped


DJANGO_VIEWS = """\
from django.shortcuts import redirect

from .models import LeafletImage


def legacy_image(request, key):
    image = LeafletImage.objects.filter(legacy_image_key=key)[0]
    return redirect(image.url)


def first_of_all(request):
    image = LeafletImage.objects.order_by("-id")[0]
    return redirect(image.url)


def guarded(request, key):
    try:
        image = LeafletImage.objects.filter(legacy_image_key=key)[0]
    except IndexError:
        return redirect("/")
    return redirect(image.url)
"""


def test_a_client_keyed_queryset_row_by_index_answers_404(tmp_path: Path) -> None:
    """``filter(key=...)[0]`` raises IndexError on an unknown key (electionleaflets, R21); the
    newest row of a table the view does not key, or a caught IndexError, is left alone."""
    app = tmp_path / "leaflets"
    app.mkdir()
    (app / "models.py").write_text(
        "from django.db import models\n\n\nclass LeafletImage(models.Model):\n"
        "    legacy_image_key = models.CharField(max_length=100, db_index=True)\n"
        "    url = models.URLField()\n"
    )
    (app / "views.py").write_text(DJANGO_VIEWS)
    (app / "urls.py").write_text(
        "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [\n"
        '    path("legacy/<str:key>", views.legacy_image),\n'
        '    path("first", views.first_of_all),\n'
        '    path("guarded/<str:key>", views.guarded),\n]\n'
    )
    (tmp_path / "requirements.txt").write_text("django\n")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    assert [s.span.start.line + 1 for s in found] == [7]
    edited = apply_suggestion(found[0])[str(app / "views.py")]
    assert "filter(legacy_image_key=key).first()\n    if image is None:\n" in edited
    assert 'raise Http404("LeafletImage not found")' in edited
    assert "from django.http import Http404\n" in edited
    compile(edited, "views.py", "exec")
