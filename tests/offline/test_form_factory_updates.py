"""BKD216 for a model an ``as_form`` classmethod builds, as a real student-admin app takes its
partial updates: ``data: RoomUpdate = Depends(RoomUpdate.as_form)``, each parameter
``Form(None)`` passed to ``cls(...)``, then ``for k, v in data.dict(exclude_unset=True).items():
setattr(row, k, v)``. Every field is set, so every field the client left out is written as
None (a 500 on a NOT NULL column); ``exclude_none=True`` drops them. The dump may be in the
route or in the CRUD function the route hands the model to. Silent twins: a loop that skips
None itself, a form with a required field (a whole replacement), a parameter defaulting to
another value, ``exclude_none`` already there."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

SCHEMAS = """\
from typing import Optional

from fastapi import Form
from pydantic import BaseModel


class RoomUpdate(BaseModel):
    name: Optional[str] = None
    beds: Optional[int] = None

    @classmethod
    def as_form(cls, name: Optional[str] = Form(None), beds: Optional[int] = Form(None)):
        return cls(name=name, beds=beds)


class GuestUpdate(BaseModel):
    name: Optional[str] = None
    phone: Optional[str] = None

    @classmethod
    def as_form(cls, name: Optional[str] = Form(None), phone: Optional[str] = Form(None)):
        return cls(**{k: v for k, v in locals().items() if k != "cls"})
"""
CRUD = """\
def update_guest(db, guest_id, data):
    guest = db.get(guest_id)
    for key, value in data.dict(exclude_unset=True).items():
        setattr(guest, key, value)
    db.commit()
    return guest
"""
ROUTES = """\
from fastapi import APIRouter, Depends

import crud as guest_crud
from schemas import GuestUpdate, RoomUpdate

router = APIRouter()


@router.put("/rooms/{room_id}")
def update_room(room_id: int, data: RoomUpdate = Depends(RoomUpdate.as_form), db=None):
    room = db.get(room_id)
    for key, value in data.dict(exclude_unset=True).items():
        setattr(room, key, value)
    db.commit()
    return room


@router.put("/guests/{guest_id}")
def update_guest(guest_id: int, data: GuestUpdate = Depends(GuestUpdate.as_form), db=None):
    return guest_crud.update_guest(db, guest_id, data)
"""


def _app(root: Path, schemas: str = SCHEMAS, routes: str = ROUTES) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text("fastapi==0.115.12\npydantic==2.11.7\n")
    app = root / "app"
    app.mkdir()
    (app / "schemas.py").write_text(schemas)
    (app / "crud.py").write_text(CRUD)
    (app / "routes.py").write_text(routes)
    (app / "main.py").write_text(
        "from fastapi import FastAPI\n\nfrom routes import router\n\n"
        "app = FastAPI()\napp.include_router(router)\n"
    )
    return app


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD216"]


def test_an_as_form_update_writes_none_over_what_was_not_sent(tmp_path: Path) -> None:
    app = _app(tmp_path)
    found = _found(tmp_path)
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (12, "Use `exclude_none=True` for `data`: RoomUpdate.as_form sets every field"),
        (20, "Use `exclude_none=True` for `data`: GuestUpdate.as_form sets every field"),
    ]
    room, guest = found
    assert all(s.path.endswith("routes.py") for s in found)
    assert "None for every one the client leaves out" in room.rationale
    assert "(a form field cannot send a null: only one left out is None)." in room.rationale
    assert "`exclude_unset=True` in `guest_crud.update_guest` drops nothing" in guest.rationale
    new = apply_suggestion(room)[str(app / "routes.py")]
    assert (
        "    for key, value in data.dict(exclude_unset=True, exclude_none=True).items():\n" in new
    )
    ast.parse(new)
    new = apply_suggestion(guest)[str(app / "crud.py")]
    assert (
        "    for key, value in data.dict(exclude_unset=True, exclude_none=True).items():\n" in new
    )
    assert _found(tmp_path) == []


def test_loops_skipping_none_whole_forms_and_other_defaults_are_left(tmp_path: Path) -> None:
    skipping = ROUTES.replace(
        "        setattr(room, key, value)\n",
        "        if value is not None:\n            setattr(room, key, value)\n",
    )
    _app(tmp_path / "skipping", routes=skipping)
    assert [s.title for s in _found(tmp_path / "skipping")] == [
        "Use `exclude_none=True` for `data`: GuestUpdate.as_form sets every field"
    ]
    whole = SCHEMAS.replace("name: Optional[str] = Form(None), beds", "name: str = Form(...), beds")
    _app(tmp_path / "whole", whole)
    assert [s.title for s in _found(tmp_path / "whole")] == [
        "Use `exclude_none=True` for `data`: GuestUpdate.as_form sets every field"
    ]
    other = SCHEMAS.replace("beds: Optional[int] = Form(None)", "beds: Optional[int] = Form(1)")
    _app(tmp_path / "other", other)
    assert [s.title for s in _found(tmp_path / "other")] == [
        "Use `exclude_none=True` for `data`: GuestUpdate.as_form sets every field"
    ]
    done = ROUTES.replace("exclude_unset=True", "exclude_unset=True, exclude_none=True")
    _app(tmp_path / "done", routes=done)
    assert [s.title for s in _found(tmp_path / "done")] == [
        "Use `exclude_none=True` for `data`: GuestUpdate.as_form sets every field"
    ]


def test_a_helper_another_route_calls_too_is_left_as_it_is(tmp_path: Path) -> None:
    """A JSON PATCH calling the same CRUD function may mean its nulls: the edit there would
    change its answer too."""
    routes = ROUTES + (
        "\n\n@router.patch('/guests/{guest_id}/json')\n"
        "def patch_guest(guest_id: int, data: GuestUpdate, db=None):\n"
        "    return guest_crud.update_guest(db, guest_id, data)\n"
    )
    _app(tmp_path, routes=routes)
    assert [s.title for s in _found(tmp_path)] == [
        "Use `exclude_none=True` for `data`: RoomUpdate.as_form sets every field"
    ]
