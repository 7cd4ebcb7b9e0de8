"""BKD211 on an ``as_form`` classmethod dependency's ``Form(...)`` parameters, as a real
student-admin app takes its payments, expenses and salaries: ``amount_paid: float =
Form(...)`` building ``cls(amount_paid=amount_paid, ...)``, the route storing or computing
with ``data.amount_paid``. The bound goes on the ``Form(...)`` (a 422), and on the model's
``Field(...)`` too when it has one, never on the model alone (checked inside the dependency:
a 500). The routes import the schemas with a star, as that app does. Silent twins: a bound
already there, a model that validates the field or bounds it itself (BKD210's), a name that
says no sign, a value the route never uses."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

SCHEMAS = """\
from datetime import date

from fastapi import Form
from pydantic import BaseModel, Field


class PaymentCreate(BaseModel):
    student_id: int
    amount_paid: float
    late_fee_per_day: int = Field(0, description="charged per late day")
    paid_on: date

    @classmethod
    def as_form(
        cls,
        student_id: int = Form(...),
        amount_paid: float = Form(...),
        late_fee_per_day: int = Form(0),
        paid_on: date = Form(...),
    ):
        return cls(
            student_id=student_id,
            amount_paid=amount_paid,
            late_fee_per_day=late_fee_per_day,
            paid_on=paid_on,
        )
"""
ROUTES = """\
from fastapi import APIRouter, Depends

from schemas import *

router = APIRouter()
LEDGER: list[dict] = []


@router.post("/payments")
def create_payment(data: PaymentCreate = Depends(PaymentCreate.as_form)):
    balance = 1000 - data.amount_paid
    LEDGER.append({"student": data.student_id, "fee": data.late_fee_per_day * 2})
    return {"balance": balance}


@router.post("/payments/preview")
def preview_payment(data: PaymentCreate = Depends(PaymentCreate.as_form)):
    return {"left": 1000 - data.amount_paid}
"""


def _app(root: Path, schemas: str = SCHEMAS, routes: str = ROUTES) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text("fastapi==0.115.12\npydantic==2.11.7\n")
    app = root / "app"
    app.mkdir()
    (app / "schemas.py").write_text(schemas)
    (app / "routes.py").write_text(routes)
    (app / "main.py").write_text(
        "from fastapi import FastAPI\n\nfrom routes import router\n\n"
        "app = FastAPI()\napp.include_router(router)\n"
    )
    return app / "schemas.py"


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD211"]


def test_the_form_parameters_of_the_classmethod_get_the_bound(tmp_path: Path) -> None:
    schemas = _app(tmp_path)
    found = _found(tmp_path)
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (10, "Bound amount_paid of PaymentCreate.as_form to zero or more"),
        (10, "Bound late_fee_per_day of PaymentCreate.as_form to zero or more"),
    ]
    assert all(s.path.endswith("routes.py") for s in found)
    paid, fee = found
    assert "`create_payment` computes with it" in paid.rationale
    assert "a bound on PaymentCreate alone would be checked inside the dependency" in paid.rationale
    assert "The model's" not in paid.rationale
    assert "The model's `Field(...)` of `late_fee_per_day` gets it too." in fee.rationale
    new = apply_suggestion(paid)[str(schemas)]
    assert "        amount_paid: float = Form(..., ge=0),\n" in new
    assert "    amount_paid: float\n" in new  # the model alone is not bounded
    ast.parse(new)
    (fee,) = _found(tmp_path)
    new = apply_suggestion(fee)[str(schemas)]
    assert "        late_fee_per_day: int = Form(0, ge=0),\n" in new
    assert '    late_fee_per_day: int = Field(0, description="charged per late day", ge=0)\n' in new
    ast.parse(new)
    assert _found(tmp_path) == []


def test_bounded_validated_unused_and_signless_fields_are_left(tmp_path: Path) -> None:
    bounded = SCHEMAS.replace(
        "amount_paid: float = Form(...)", "amount_paid: float = Form(..., gt=0)"
    )
    _app(tmp_path / "bounded", bounded)
    assert [s.title for s in _found(tmp_path / "bounded")] == [
        "Bound late_fee_per_day of PaymentCreate.as_form to zero or more"
    ]
    validated = SCHEMAS.replace(
        "    @classmethod\n",
        '    @field_validator("amount_paid", "late_fee_per_day")\n'
        "    @classmethod\n"
        "    def positive(cls, v):\n"
        "        return abs(v)\n\n"
        "    @classmethod\n",
        1,
    ).replace("BaseModel, Field", "BaseModel, Field, field_validator")
    _app(tmp_path / "validated", validated)
    assert _found(tmp_path / "validated") == []
    model_only = SCHEMAS.replace(
        "    amount_paid: float\n", "    amount_paid: float = Field(gt=0)\n"
    )
    _app(tmp_path / "model_only", model_only)
    assert [s.title for s in _found(tmp_path / "model_only")] == [
        "Bound late_fee_per_day of PaymentCreate.as_form to zero or more"
    ]
    unused = ROUTES.replace("1000 - data.amount_paid", "1000").replace(
        'LEDGER.append({"student": data.student_id, "fee": data.late_fee_per_day * 2})\n', ""
    )
    _app(tmp_path / "unused", routes=unused)
    assert _found(tmp_path / "unused") == []


def test_names_that_say_a_sign() -> None:
    from subagent_lsp.review.offline.positive_inputs import bound_word

    assert bound_word("amount_paid") == "ge"
    assert bound_word("batch_fee_per_month") == "ge"
    assert bound_word("salary") == "ge"
    assert bound_word("room_nights") == "gt"
    assert bound_word("items_per_page") is None
    assert bound_word("per_page") is None
    assert bound_word("paid") is None
    assert bound_word("max_amount") is None
