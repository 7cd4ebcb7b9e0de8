"""A FastAPI route that validates with a project model itself, where FastAPI would (a real
SQLModel app, judged musts): BKD204 for ``data = await request.json()`` then
``ItemPatch(**data)`` (malformed JSON, a JSON array and a refused value are 500s; the fix takes
the model as the body parameter), BKD210 for a model built from ``Form(...)`` fields whose
``Field`` bounds FastAPI never checked (its ValidationError is a 500; the fix answers 422).
The models live in another module of the app folder (``from schemas import ...``, the app run
from its own folder). Silent twins: the body read another way too, a ``try`` around it, a
SQLModel table, an app-wide handler, fields without bounds, a form field declaring the bound
itself, a dependency's value."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

SCHEMAS = """\
from pydantic import BaseModel, Field
from sqlmodel import SQLModel


class ItemPatch(BaseModel):
    quantity: int = Field(ge=0)


class ItemCreate(BaseModel):
    name: str = Field(min_length=3)
    price: float = Field(ge=0)
    note: str = ""


class Plain(BaseModel):
    name: str
    price: float


class ItemRow(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    quantity: int = 0
"""
ROUTES = """\
from fastapi import APIRouter, Depends, Form, Request

from schemas import ItemCreate, ItemPatch, ItemRow, Plain
from service import save

router = APIRouter()


@router.patch("/items/{item_id}")
async def patch_item(item_id: int, request: Request):
    data = await request.json()
    return await save(item_id, ItemPatch(**data))


@router.post("/items")
async def create_item(name: str = Form(...), price: float = Form(...)):
    item = ItemCreate(name=name, price=price)
    return await save(0, item)
"""
SERVICE = """\
async def save(item_id, item):
    return {"id": item_id}


def current_name() -> str:
    return "someone"
"""


def _app(root: Path, routes: str = ROUTES, main_extra: str = "") -> Path:
    root.mkdir(exist_ok=True)
    (root / "requirements.txt").write_text("fastapi==0.115.11\npydantic==2.10.6\nsqlmodel\n")
    app = root / "app"
    app.mkdir()
    (app / "schemas.py").write_text(SCHEMAS)
    (app / "service.py").write_text(SERVICE)
    (app / "routes.py").write_text(routes)
    (app / "main.py").write_text(
        "from fastapi import FastAPI\n\nfrom routes import router\n\n"
        f"{main_extra}app = FastAPI()\napp.include_router(router)\n"
    )
    return app / "routes.py"


def _found(root: Path, code: str) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == code]


def _titles(root: Path, code: str) -> list[tuple[int, str]]:
    return sorted((s.span.start.line + 1, s.title) for s in _found(root, code))


def test_a_body_parsed_by_hand_into_a_model_becomes_the_body_parameter(tmp_path: Path) -> None:
    routes = _app(tmp_path)
    (found,) = [s for s in _found(tmp_path, "BKD204") if s.title.startswith("Take ")]
    assert (found.span.start.line + 1, found.title) == (
        11,
        "Take ItemPatch as the body of patch_item",
    )
    assert "a JSON array or string raises TypeError at `**data`" in found.rationale
    assert "(`item_patch: ItemPatch`)" in found.rationale
    new = apply_suggestion(found)[str(routes)]
    assert new.startswith("from fastapi import APIRouter, Depends, Form\n")
    assert (
        "async def patch_item(item_id: int, item_patch: ItemPatch):\n"
        "    return await save(item_id, item_patch)\n"
    ) in new
    ast.parse(new)
    assert not [s for s in _found(tmp_path, "BKD204") if s.title.startswith("Take ")]


def test_model_validate_of_the_body_counts_and_a_request_still_read_stays(
    tmp_path: Path,
) -> None:
    routes = _app(
        tmp_path,
        ROUTES.replace(
            "    return await save(item_id, ItemPatch(**data))\n",
            '    patch = ItemPatch.model_validate(data)\n    print(request.headers.get("x"))\n'
            "    return await save(item_id, patch)\n",
        ),
    )
    (found,) = _found(tmp_path, "BKD204")
    assert "TypeError" not in found.rationale
    new = apply_suggestion(found)[str(routes)]
    assert new.startswith("from fastapi import APIRouter, Depends, Form, Request\n")
    assert (
        "async def patch_item(item_id: int, request: Request, item_patch: ItemPatch):\n"
        "    patch = item_patch\n"
    ) in new
    ast.parse(new)


def test_a_body_read_another_way_too_is_left(tmp_path: Path) -> None:
    _app(
        tmp_path,
        ROUTES.replace(
            "    return await save(item_id, ItemPatch(**data))\n",
            '    print(data.get("trace"))\n    return await save(item_id, ItemPatch(**data))\n',
        ),
    )
    assert not [s for s in _found(tmp_path, "BKD204") if s.title.startswith("Take ")]


def test_a_caught_parse_a_table_model_and_an_app_handler_are_left(tmp_path: Path) -> None:
    caught = ROUTES.replace(
        "    data = await request.json()\n    return await save(item_id, ItemPatch(**data))\n",
        "    try:\n"
        "        data = await request.json()\n"
        "        patch = ItemPatch(**data)\n"
        "    except ValueError:\n"
        "        return {}\n"
        "    return await save(item_id, patch)\n",
    )
    _app(tmp_path / "caught", caught)
    assert _found(tmp_path / "caught", "BKD204") == []
    _app(tmp_path / "table", ROUTES.replace("ItemPatch(**data)", "ItemRow(**data)"))
    assert _found(tmp_path / "table", "BKD204") == []
    handler = (
        "from pydantic import ValidationError\n\n\n"
        "async def invalid(request, exc):\n    return None\n\n\n"
    )
    _app(tmp_path / "handled", main_extra=handler)
    main = tmp_path / "handled" / "app" / "main.py"
    main.write_text(main.read_text() + "app.add_exception_handler(ValidationError, invalid)\n")
    assert _found(tmp_path / "handled", "BKD204") == []
    assert _found(tmp_path / "handled", "BKD210") == []


def test_a_model_built_from_form_fields_answers_422(tmp_path: Path) -> None:
    routes = _app(tmp_path)
    (found,) = _found(tmp_path, "BKD210")
    assert (found.span.start.line + 1, found.title) == (
        17,
        "Answer 422 when ItemCreate rejects what create_item was sent",
    )
    assert "checks name (min_length=3) and price (ge=0) of the form fields" in found.rationale
    assert "`Annotated[ItemCreate, Form()]`" in found.rationale
    new = apply_suggestion(found)[str(routes)]
    assert (
        "    try:\n"
        "        item = ItemCreate(name=name, price=price)\n"
        "    except ValidationError as exc:\n"
        "        raise HTTPException(\n"
        "            status_code=422, detail=exc.errors(include_url=False, include_context=False)\n"
        "        ) from exc\n"
    ) in new
    assert "from pydantic import ValidationError\n" in new
    assert "HTTPException" in new.split("\n\n")[0]
    ast.parse(new)


def test_unbounded_fields_declared_bounds_and_dependencies_are_left(tmp_path: Path) -> None:
    _app(tmp_path / "plain", ROUTES.replace("ItemCreate(name=name", "Plain(name=name"))
    assert _found(tmp_path / "plain", "BKD210") == []
    declared = ROUTES.replace(
        "name: str = Form(...), price: float = Form(...)",
        "name: str = Form(..., min_length=3), price: float = Form(..., ge=0)",
    )
    _app(tmp_path / "declared", declared)
    assert _found(tmp_path / "declared", "BKD210") == []
    injected = ROUTES.replace(
        "name: str = Form(...), price: float = Form(...)",
        "price: float = Form(..., ge=0), name: str = Depends(current_name)",
    ).replace("from service import save\n", "from service import current_name, save\n")
    _app(tmp_path / "injected", injected)
    assert _found(tmp_path / "injected", "BKD210") == []
    caught = ROUTES.replace(
        "    item = ItemCreate(name=name, price=price)\n",
        "    try:\n"
        "        item = ItemCreate(name=name, price=price)\n"
        "    except ValueError:\n"
        "        return {}\n",
    )
    _app(tmp_path / "caught", caught)
    assert _found(tmp_path / "caught", "BKD210") == []
