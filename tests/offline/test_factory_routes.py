"""Shapes of a generic FastAPI CRUD module and a GitHub webhook (a blind review of a SQLModel
app): handlers a factory makes for each model and ``add_api_route`` registers, a page size
whose ``lte=100`` FastAPI ignores (BKD214), ``getattr(model.table, order_by)`` on the
factory's model (BKD212), and ``payload["issue"]["pull_request"]`` read before any guard in
the handler the webhook route hands its JSON to (BKD201). Each positive asserts the exact
edits, that the edited file parses and that the rule is then silent; each twin stays silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion
from tests.offline.trees import write_tree

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "forge"\nrequires-python = ">=3.10"\n'
    'dependencies = ["fastapi", "sqlmodel"]\n'
)
MODELS = """\
from dataclasses import dataclass

from sqlmodel import Field, SQLModel


class Bakery(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


@dataclass
class Spec:
    path: str
    table: type


MODELS = {"bakery": Spec("/bakeries/", Bakery)}
"""
CRUD = """\
from fastapi import APIRouter, HTTPException, Query
from sqlmodel import Session, asc, desc, select

from .models import MODELS

QUERY_LIMIT = Query(default=100, lte=100, description="Limit the number of results")

router = APIRouter()


def get_session():
    return Session()


def make_read_range_endpoint(model):
    def read_range(
        *,
        offset: int = 0,
        limit: int = QUERY_LIMIT,
        order_by: str = Query(None, description="Order by this column"),
        sort: str = "asc",
    ):
        session = get_session()
        statement = select(model.table)
        if order_by:
            column = (
                asc(getattr(model.table, order_by))
                if sort == "asc"
                else desc(getattr(model.table, order_by))
            )
            statement = statement.order_by(column)
        statement = statement.offset(offset).limit(limit)
        return session.exec(statement).all()

    return read_range


def make_read_single_endpoint(model):
    def read_single(*, id: int):
        row = get_session().get(model.table, id)
        if not row:
            raise HTTPException(status_code=404, detail="not found")
        return row

    return read_single


for model_name, model in MODELS.items():
    router.add_api_route(model.path, make_read_range_endpoint(model), methods=["GET"])
    router.add_api_route(model.path + "{id}", make_read_single_endpoint(model), methods=["GET"])
"""
WEBHOOK = """\
from fastapi import APIRouter, Request

router = APIRouter()


async def parse_payload(request, event):
    if event != "dataflow":
        return await request.json()
    return {}


async def handle_comment(payload, gh):
    action = payload["action"]
    pr = await gh.getitem(payload["issue"]["pull_request"]["url"])
    return {"action": action, "pr": pr["number"]}


@router.post("/github/hooks/", status_code=202)
async def receive_hook(request: Request):
    event = request.headers.get("X-GitHub-Event")
    payload = await parse_payload(request, event)
    if event == "issue_comment":
        return await handle_comment(payload=payload, gh=request.app.state.gh)
    return {"status": "ok"}
"""


def _project(root: Path, files: dict[str, str]) -> Path:
    base = {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models.py": MODELS}
    return write_tree(root, {**base, **files})


def _found(root: Path, code: str) -> list[Suggestion]:
    found = [s for s in collect([str(root)], ["validation"]) if s.code == code]
    return sorted(found, key=lambda s: (s.path, s.span.start.line))


def _applied_cleanly(root: Path, found: Suggestion, code: str) -> str:
    new = apply_suggestion(found)
    for text in new.values():
        ast.parse(text)
    assert _found(root, code) == []
    (text,) = new.values()
    return text


def test_misspelled_page_cap_is_renamed_and_floored(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/crud.py": CRUD})
    (found,) = _found(root, "BKD214")
    assert found.title == "Bound `offset` to 0 or more and `limit` to 1..100"
    assert "`lte` is not a bound FastAPI knows" in found.rationale
    assert "the one the code meant, 100" in found.rationale
    new = _applied_cleanly(root, found, "BKD214")
    assert (
        'QUERY_LIMIT = Query(default=100, le=100, description="Limit the number of results", '
        "ge=1)" in new
    )
    assert "offset: int = Query(0, ge=0)," in new
    assert "lte" not in new


def test_spelled_page_bounds_stay_silent(tmp_path: Path) -> None:
    crud = CRUD.replace("lte=100", "le=100, ge=1").replace(
        "offset: int = 0", "offset: int = Query(0, ge=0)"
    )
    root = _project(tmp_path, {"app/crud.py": crud})
    assert _found(root, "BKD214") == []


def test_a_path_parameter_of_a_registered_route_is_no_page(tmp_path: Path) -> None:
    # ``read_single``'s ``id`` is in ``model.path + "{id}"``: the registered path says so
    crud = CRUD.replace(
        "row = get_session().get(model.table, id)",
        "row = get_session().get(model.table, id)\n        get_session().exec(select(model.table).offset(id))",
    )
    root = _project(
        tmp_path,
        {
            "app/crud.py": crud.replace("lte=100", "le=100, ge=1").replace(
                "offset: int = 0", "offset: int = Query(0, ge=0)"
            )
        },
    )
    assert _found(root, "BKD214") == []


def test_factory_sort_key_is_checked_against_the_models_columns(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/crud.py": CRUD})
    (found,) = _found(root, "BKD212")
    assert found.title == "Allow only the columns of `model.table` as the sort key `order_by`"
    assert "the factory `make_read_range_endpoint`" in found.rationale
    new = _applied_cleanly(root, found, "BKD212")
    assert (
        "    ):\n"
        "        if order_by and order_by not in model.table.__table__.columns:\n"
        '            raise HTTPException(status_code=400, detail="unknown sort column")\n'
        "        session = get_session()\n"
    ) in new
    assert _found(root, "BKD209") == []


def test_factory_sort_key_checked_or_fixed_stays_silent(tmp_path: Path) -> None:
    checked = CRUD.replace(
        "        if order_by:\n",
        "        if order_by and order_by not in model.table.__table__.columns:\n"
        '            raise HTTPException(status_code=400, detail="unknown column")\n'
        "        if order_by:\n",
    )
    root = _project(tmp_path, {"app/crud.py": checked})
    assert _found(root, "BKD212") == []
    # a class the factory does not take is sort_keys.py's to judge, not this one's
    fixed = CRUD.replace("getattr(model.table, order_by)", "getattr(OTHER, order_by)")
    fixed = fixed.replace("router = APIRouter()", "router = APIRouter()\nOTHER = object")
    root = _project(tmp_path / "fixed", {"app/crud.py": fixed})
    assert _found(root, "BKD212") == []


def test_webhook_reads_pull_request_of_a_plain_issue(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/hooks.py": WEBHOOK})
    (found,) = _found(root, "BKD201")
    assert "plain issues" in found.rationale and "a 400 would" in found.rationale
    new = _applied_cleanly(root, found, "BKD201")
    assert (
        '    action = payload["action"]\n'
        '    if "pull_request" not in payload["issue"]:\n'
        '        return {"status": "ignored", "message": "not a pull request"}\n'
        '    pr = await gh.getitem(payload["issue"]["pull_request"]["url"])\n'
    ) in new


def test_webhook_that_asks_first_or_is_no_webhook_stays_silent(tmp_path: Path) -> None:
    guarded = WEBHOOK.replace(
        '    if event == "issue_comment":\n',
        '    if event == "issue_comment" and "pull_request" in payload["issue"]:\n',
    )
    root = _project(tmp_path, {"app/hooks.py": guarded})
    assert _found(root, "BKD201") == []
    got = WEBHOOK.replace(
        '    pr = await gh.getitem(payload["issue"]["pull_request"]["url"])\n',
        '    pr = await gh.getitem(payload["issue"].get("pull_request", {}).get("url"))\n',
    )
    root = _project(tmp_path / "got", {"app/hooks.py": got})
    assert _found(root, "BKD201") == []
    # no ``X-GitHub-Event``: a payload of the app's own clients, whose keys it defines
    plain = WEBHOOK.replace('request.headers.get("X-GitHub-Event")', '"issue_comment"')
    root = _project(tmp_path / "plain", {"app/hooks.py": plain})
    assert _found(root, "BKD201") == []


SEARCH = """\
from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

app = FastAPI()


class Parcel(BaseModel):
    weight: int = Field(gte=0)
    label: str = Field(max=40)


@app.get("/near")
def near(radius: float = Query(10, max=50), name: str = Query(None, max=20)):
    return {"radius": radius * 2, "name": name}


@app.post("/parcels")
def send(parcel: Parcel):
    return {"cost": parcel.weight * 3}
"""


def test_a_misspelled_bound_of_any_number_is_renamed(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/search.py": SEARCH})
    found = _found(root, "BKD211")
    assert [s.title for s in found] == [
        "Rename `gte=` to `ge=`: Field ignores it",
        "Rename `max=` to `le=`: Query ignores it",
    ]
    for suggestion in found:
        for text in apply_suggestion(suggestion).values():
            ast.parse(text)
    new = (root / "app/search.py").read_text(encoding="utf-8")
    assert "weight: int = Field(ge=0)" in new and "radius: float = Query(10, le=50)" in new
    # a string's ``max=`` may have meant a length: left as written
    assert "label: str = Field(max=40)" in new and "Query(None, max=20)" in new
    assert _found(root, "BKD211") == []


def test_spelled_or_sqlmodel_bounds_stay_silent(tmp_path: Path) -> None:
    spelled = SEARCH.replace("gte=0", "ge=0").replace("max=50", "le=50")
    root = _project(tmp_path, {"app/search.py": spelled})
    assert _found(root, "BKD211") == []
    # the page size's misnamed cap is BKD214's to rename, once
    root = _project(tmp_path / "crud", {"app/crud.py": CRUD})
    assert _found(root, "BKD211") == []
