"""A FastAPI route takes its model through an ``as_form`` classmethod (``data: PermitCreate =
Depends(PermitCreate.as_form)``, the method declaring ``Form(...)`` parameters and returning
``cls(...)``), as a real student-admin app takes every form: the model is built inside the
dependency, after FastAPI validated the parameters.

BKD210: the model's validator raises (a permit for an existing holder without the holder's
id), the ValidationError is no RequestValidationError and FastAPI answers it with 500; the fix
catches it in the classmethod and raises RequestValidationError. Silent twins: a validator
that only rewrites values, one of a field whose parameter is already an ``EmailStr``, a
``Literal`` the parameter declares too, a ``try`` already there, a staticmethod building no
model, an app-wide handler (one building its own class by name is the same shape). FastAPI before 0.100 gets the handler-built model's ``HTTPException`` instead."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

SCHEMAS = """\
from typing import Literal, Optional

from fastapi import Form
from pydantic import BaseModel, EmailStr, field_validator, model_validator


class PermitBase(BaseModel):
    kind: Literal["new", "renewal"]
    holder_id: Optional[int] = None
    city: str

    @model_validator(mode="after")
    def holder_for_renewals(self):
        if self.kind == "renewal" and self.holder_id is None:
            raise ValueError("a renewal needs holder_id")
        return self

    @classmethod
    def as_form(
        cls,
        kind: Literal["new", "renewal"] = Form(...),
        holder_id: Optional[int] = Form(None),
        city: str = Form(...),
    ):
        return cls(kind=kind, holder_id=holder_id, city=city)


class PermitCreate(PermitBase):
    pass


class PermitUpdate(PermitBase):
    pass


class Contact(BaseModel):
    email: Optional[str] = None
    city: str

    @field_validator("email", mode="before")
    @classmethod
    def email_has_at(cls, v):
        if v and "@" not in v:
            raise ValueError("not an email")
        return v

    @field_validator("city", mode="before")
    @classmethod
    def lower(cls, v):
        return v.lower() if isinstance(v, str) else v

    @classmethod
    def as_form(cls, email: Optional[EmailStr] = Form(None), city: str = Form(...)):
        return cls(email=email, city=city)
"""
ROUTES = """\
from fastapi import APIRouter, Depends

from schemas import Contact, PermitCreate, PermitUpdate

router = APIRouter()


@router.post("/permits")
def create_permit(data: PermitCreate = Depends(PermitCreate.as_form)):
    return data


@router.put("/permits/{permit_id}")
def update_permit(permit_id: int, data: PermitUpdate = Depends(PermitUpdate.as_form)):
    return data


@router.post("/contacts")
def create_contact(data: Contact = Depends(Contact.as_form)):
    return data
"""


def _app(root: Path, schemas: str = SCHEMAS, fastapi: str = "0.115.12", main: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text(f"fastapi=={fastapi}\npydantic==2.11.7\n")
    app = root / "app"
    app.mkdir()
    (app / "schemas.py").write_text(schemas)
    (app / "routes.py").write_text(ROUTES)
    (app / "main.py").write_text(
        "from fastapi import FastAPI\n\nfrom routes import router\n\n"
        f"{main}app = FastAPI()\napp.include_router(router)\n"
    )
    return app / "schemas.py"


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD210"]


def test_a_validator_raising_in_the_classmethod_dependency_answers_422(tmp_path: Path) -> None:
    schemas = _app(tmp_path)
    (found,) = _found(tmp_path)
    assert found.path.endswith("routes.py")
    assert (found.span.start.line + 1, found.title) == (
        9,
        "Answer 422 when PermitCreate.as_form builds a PermitCreate it rejects",
    )
    assert (
        "the model checks `PermitBase.holder_for_renewals` (a validator of the whole model, "
        "raising ValueError)"
    ) in found.rationale
    assert "a bad form sent to `create_permit` and `update_permit` is a 500" in found.rationale
    new = apply_suggestion(found)[str(schemas)]
    assert (
        "        try:\n"
        "            return cls(kind=kind, holder_id=holder_id, city=city)\n"
        "        except ValidationError as exc:\n"
        "            raise RequestValidationError(\n"
        "                exc.errors(include_url=False, include_context=False)\n"
        "            ) from exc\n"
    ) in new
    assert "from fastapi.exceptions import RequestValidationError\n" in new
    assert "    ValidationError,\n" in new
    ast.parse(new)
    assert _found(tmp_path) == []


def test_fastapi_before_0_100_raises_its_http_exception(tmp_path: Path) -> None:
    schemas = _app(tmp_path, fastapi="0.95.2")
    (found,) = _found(tmp_path)
    new = apply_suggestion(found)[str(schemas)]
    assert (
        "        except ValidationError as exc:\n"
        "            raise HTTPException(\n"
        "                status_code=422,\n"
        "                detail=exc.errors(include_url=False, include_context=False),\n"
        "            ) from exc\n"
    ) in new
    assert "from fastapi import Form, HTTPException\n" in new
    ast.parse(new)


def test_field_bounds_of_the_model_count_and_declared_ones_do_not(tmp_path: Path) -> None:
    bounded = (
        SCHEMAS.replace("BaseModel, EmailStr", "BaseModel, EmailStr, Field")
        .replace("    city: str\n\n    @model", "    city: str = Field(min_length=2)\n\n    @model")
        .replace(
            '            raise ValueError("a renewal needs holder_id")\n', "            pass\n"
        )
    )
    _app(tmp_path / "bounded", bounded)
    (found,) = _found(tmp_path / "bounded")
    assert "the model checks city (min_length=2)." in found.rationale
    declared = bounded.replace(
        "        city: str = Form(...),\n", "        city: str = Form(..., min_length=2),\n"
    )
    _app(tmp_path / "declared", declared)
    assert _found(tmp_path / "declared") == []


def test_a_field_validator_counts_unless_the_parameter_is_an_email_already(
    tmp_path: Path,
) -> None:
    loose = SCHEMAS.replace(
        "def as_form(cls, email: Optional[EmailStr] = Form(None)",
        "def as_form(cls, email: Optional[str] = Form(None)",
    )
    _app(tmp_path, loose)
    contact = [s for s in _found(tmp_path) if "Contact" in s.title]
    (found,) = contact
    assert (found.span.start.line + 1, found.title) == (
        19,
        "Answer 422 when Contact.as_form builds a Contact it rejects",
    )
    assert (
        "the model checks `Contact.email_has_at` (a validator of email, raising ValueError)."
    ) in found.rationale


def test_rewriting_validators_caught_builds_and_handlers_are_left(tmp_path: Path) -> None:
    quiet = SCHEMAS.replace(
        '            raise ValueError("a renewal needs holder_id")\n',
        '            self.kind = "new"\n',
    )
    _app(tmp_path / "rewrites", quiet)
    assert _found(tmp_path / "rewrites") == []
    caught = SCHEMAS.replace(
        "        return cls(kind=kind, holder_id=holder_id, city=city)\n",
        "        try:\n"
        "            return cls(kind=kind, holder_id=holder_id, city=city)\n"
        "        except ValueError:\n"
        "            raise\n",
    )
    _app(tmp_path / "caught", caught)
    assert _found(tmp_path / "caught") == []
    static = SCHEMAS.replace(
        "    @classmethod\n    def as_form(\n        cls,\n",
        "    @staticmethod\n    def as_form(\n",
    ).replace("return cls(kind=", "return dict(kind=")
    _app(tmp_path / "static", static)
    assert _found(tmp_path / "static") == []
    handler = (
        "from pydantic import ValidationError\n\n\n"
        "async def invalid(request, exc):\n    return None\n\n\n"
    )
    _app(tmp_path / "handled", main=handler)
    main = tmp_path / "handled" / "app" / "main.py"
    main.write_text(main.read_text() + "app.add_exception_handler(ValidationError, invalid)\n")
    assert _found(tmp_path / "handled") == []


def test_a_staticmethod_building_its_own_class_is_the_same_shape(tmp_path: Path) -> None:
    static = SCHEMAS.replace(
        "    @classmethod\n    def as_form(\n        cls,\n",
        "    @staticmethod\n    def as_form(\n",
    ).replace("return cls(kind=", "return PermitBase(kind=")
    schemas = _app(tmp_path, static)
    (found,) = _found(tmp_path)
    assert found.title == "Answer 422 when PermitCreate.as_form builds a PermitBase it rejects"
    new = apply_suggestion(found)[str(schemas)]
    assert "            return PermitBase(kind=kind, holder_id=holder_id, city=city)\n" in new
    ast.parse(new)


def test_a_literal_declared_on_the_parameter_too_is_checked_by_fastapi(tmp_path: Path) -> None:
    loose = SCHEMAS.replace(
        '        kind: Literal["new", "renewal"] = Form(...),\n', "        kind: str = Form(...),\n"
    )
    _app(tmp_path, loose)
    (found,) = _found(tmp_path)
    assert "the model checks kind (Literal) and `PermitBase.holder_for_renewals`" in found.rationale
