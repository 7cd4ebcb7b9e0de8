"""The fifth blind planted set and round 18, after their measurement (shapes of our own): a
local converted and then handed on (``render_template(..., on=on)``) was still a raw value when
converted; a JSON body handed back by a module helper is the client's; an HTTP error returned
instead of raised (BKD310)."""

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


WEB = """\
import datetime as dt

from flask import Blueprint, abort, render_template, request

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    on = request.args.get("on")
    day = None
    if on:
        day = dt.date.fromisoformat(on)
    return render_template("index.html", day=day, on=on)


@bp.get("/checked")
def checked():
    on = request.args.get("on", "")
    if len(on) == 10 and on[4] == "-":
        return render_template("index.html", day=dt.date.fromisoformat(on))
    return render_template("index.html")


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="expected a JSON object")
    return data


@bp.post("/reservations")
def reserve():
    data = _json_body()
    quantity = int(data["quantity"])
    return {"quantity": quantity}


@bp.post("/reservations/safe")
def reserve_safe():
    data = _json_body()
    try:
        quantity = int(data["quantity"])
    except (KeyError, TypeError, ValueError):
        abort(400)
    return {"quantity": quantity}
"""


def test_a_converted_local_handed_on_afterwards_is_still_raw(tmp_path: Path) -> None:
    root = _write(tmp_path, {"requirements.txt": "flask\n", "site/web.py": WEB})
    lines = [s.span.start.line + 1 for s in _codes(root, "validation", "BKD202")]
    # index (13) converts before it hands ``on`` on; checked (21) tests its shape first
    assert 13 in lines and 21 not in lines


def test_a_json_body_from_a_module_helper_is_the_clients(tmp_path: Path) -> None:
    root = _write(tmp_path, {"requirements.txt": "flask\n", "site/web.py": WEB})
    found = [s for s in _codes(root, "validation", "BKD202") if s.span.start.line + 1 > 30]
    assert [s.span.start.line + 1 for s in found] == [35]
    [fix] = [e.new_text for e in found[0].edits if "try:" in e.new_text]
    assert "except (KeyError, TypeError, ValueError):" in fix and "abort(400)" in fix


API = """\
from fastapi import FastAPI, HTTPException

app = FastAPI()
USERS = {"ada": 1}


def not_found(name: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"no user {name}")


@app.get("/users/{name}")
def user(name: str) -> dict[str, int]:
    if name not in USERS:
        return HTTPException(status_code=404, detail="no such user")
    return {"id": USERS[name]}


@app.get("/people/{name}")
def person(name: str) -> dict[str, int]:
    if name not in USERS:
        raise not_found(name)
    return {"id": USERS[name]}
"""

VIEWS = """\
from django.http import Http404, JsonResponse

from shop.models import Item


def item(request, pk):
    found = Item.objects.filter(pk=pk).first()
    if found is None:
        return Http404("no such item")
    return JsonResponse({"id": found.pk})
"""


def test_an_http_error_returned_from_a_route_is_raised(tmp_path: Path) -> None:
    root = _write(tmp_path, {"requirements.txt": "fastapi\n", "svc/api.py": API})
    found = _codes(root, "error-handling", "BKD310")
    # the route's return (14), not the helper that builds one for its caller to raise (8)
    assert [s.span.start.line + 1 for s in found] == [14]
    [edit] = found[0].edits
    assert edit.new_text == "raise" and edit.span.start.column == 8
    assert edit.span.end.column == 14


def test_a_django_view_that_returns_http404_raises_it(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "requirements.txt": "django\n",
            "shop/__init__.py": "",
            "shop/models.py": "from django.db import models\n\n\nclass Item(models.Model):\n"
            "    name = models.CharField(max_length=9)\n",
            "shop/views.py": VIEWS,
        },
    )
    found = _codes(root, "error-handling", "BKD310")
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (9, "Raise the Http404, do not return it")
    ]


CLIPS = """\
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class Clip(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    video_id = db.Column(db.String(32), nullable=False)


@app.get("/clips/<video_id>")
def clip(video_id):
    found = Clip.query.filter_by(video_id=video_id).first_or_404()
    return {"id": found.id}
"""


def test_a_first_or_404_query_is_read_for_its_index(tmp_path: Path) -> None:
    root = _write(tmp_path, {"requirements.txt": "flask\nflask-sqlalchemy\n", "site/app.py": CLIPS})
    assert [s.title for s in _codes(root, "index", "BKD101")] == ["Add an index on clip (video_id)"]


PATCH_SCHEMA = """\
from pydantic import BaseModel, ConfigDict


class ItemPatch(BaseModel):
    model_config = ConfigDict(extra="{extra}")

    note: str | None = None
"""

PATCH_ROUTE = """\
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from shop.db import get_db
from shop.models import Item
from shop.schemas import ItemPatch

router = APIRouter()


@router.patch("/items/{{item_id}}")
def edit_item(item_id: int, body: ItemPatch, db: Session = Depends(get_db)):
    item = db.get(Item, item_id)
    changes = body.model_dump(exclude_unset=True)
    for field, value in changes.items():
        setattr(item, field, value)
    db.commit()
    return {{"id": item.id}}
"""


def _patch_app(root: Path, extra: str) -> Path:
    return _write(
        root,
        {
            "requirements.txt": "fastapi\nsqlalchemy\npydantic\n",
            "shop/__init__.py": "",
            "shop/db.py": "def get_db():\n    yield None\n",
            "shop/models.py": "class Item:\n    pass\n",
            "shop/schemas.py": PATCH_SCHEMA.format(extra=extra),
            "shop/routes.py": PATCH_ROUTE.format(),
        },
    )


def test_a_schema_that_lets_unknown_fields_in_is_closed(tmp_path: Path) -> None:
    found = _codes(_patch_app(tmp_path / "open", "allow"), "validation", "BKD207")
    assert [s.title for s in found] == ["Keep unknown fields out of ItemPatch"]
    [edit] = found[0].edits
    assert edit.path.endswith("schemas.py") and edit.new_text == '"ignore"'
    assert _codes(_patch_app(tmp_path / "closed", "ignore"), "validation", "BKD207") == []
