"""BKD211: a typed numeric input whose name says its sign (``quantity``, ``price``) with no
bound, that a FastAPI handler computes or stores with. Each true positive has a clean twin."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = '[project]\nname = "shop"\ndependencies = ["fastapi", "pydantic"]\n'
SCHEMAS = (
    "from pydantic import BaseModel\n\n\n"
    "class OrderIn(BaseModel):\n"
    "    sku: str\n"
    "    quantity: int\n"
    "    unit_price: float = 1.0\n"
)
ROUTES = (
    "from fastapi import FastAPI\n\n"
    "from shop.schemas import OrderIn\n\n"
    "app = FastAPI()\n\n\n"
    "@app.post('/orders')\n"
    "def create_order(body: OrderIn):\n"
    "    total = body.unit_price * body.quantity\n"
    "    return {'total': total}\n"
)


def _project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": PYPROJECT, "shop/__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD211"]


def test_an_unbounded_quantity_in_price_arithmetic_is_bounded(tmp_path: Path) -> None:
    root = _project(tmp_path, {"shop/schemas.py": SCHEMAS, "shop/routes.py": ROUTES})
    found = _found(root)
    assert [s.title for s in found] == [
        "Bound OrderIn.quantity to more than zero",
        "Bound OrderIn.unit_price to zero or more",
    ]
    assert all(s.path.endswith("routes.py") for s in found)
    new = apply_suggestion(found[0])[str(root / "shop" / "schemas.py")]
    ast.parse(new)
    assert "from pydantic import BaseModel, Field\n" in new
    assert "    quantity: int = Field(gt=0)\n" in new
    new = apply_suggestion(_found(root)[0])[str(root / "shop" / "schemas.py")]
    assert "    unit_price: float = Field(1.0, ge=0)\n" in new
    assert _found(root) == []


def test_a_bounded_or_validated_field_is_left_alone(tmp_path: Path) -> None:
    bounded = SCHEMAS.replace("import BaseModel", "import BaseModel, Field, field_validator")
    bounded = bounded.replace("quantity: int\n", "quantity: int = Field(gt=0)\n")
    bounded += (
        "\n    @field_validator('unit_price')\n"
        "    @classmethod\n"
        "    def positive(cls, v):\n"
        "        return v\n"
    )
    root = _project(tmp_path, {"shop/schemas.py": bounded, "shop/routes.py": ROUTES})
    assert _found(root) == []


def test_a_response_model_is_no_input(tmp_path: Path) -> None:
    routes = ROUTES.replace("def create_order(body: OrderIn):", "def create_order(sku: str):")
    routes = routes.replace(
        "    total = body.unit_price * body.quantity\n",
        "    body = OrderIn(sku=sku, quantity=1)\n    total = body.unit_price * body.quantity\n",
    )
    root = _project(tmp_path, {"shop/schemas.py": SCHEMAS, "shop/routes.py": routes})
    assert _found(root) == []


QUERY = (
    "from fastapi import FastAPI\n\n"
    "app = FastAPI()\n\n\n"
    "class Booking:\n"
    "    def __init__(self, nights):\n"
    "        self.nights = nights\n\n\n"
    "@app.post('/bookings')\n"
    "def book(nights: int = 1, max_count: int = 10):\n"
    "    rows = list_bookings(limit=max_count)\n"
    "    return Booking(nights=nights), rows\n\n\n"
    "def list_bookings(limit):\n"
    "    return []\n"
)


def test_a_stored_query_parameter_gets_query_bounds_and_a_limit_does_not(tmp_path: Path) -> None:
    root = _project(tmp_path, {"shop/main.py": QUERY})
    (found,) = _found(root)
    assert found.title == "Bound nights to more than zero"
    new = apply_suggestion(found)[str(root / "shop" / "main.py")]
    ast.parse(new)
    assert "from fastapi import FastAPI, Query\n" in new
    assert "def book(nights: int = Query(1, gt=0), max_count: int = 10):" in new
    assert _found(root) == []


def test_an_amount_in_cents_is_bounded_too(tmp_path: Path) -> None:
    # ``amount_cents: int`` (a blind planted set's fine payment): money counted in cents is
    # no less money, and a negative payment reduces what is owed
    schemas = SCHEMAS.replace("    unit_price: float = 1.0\n", "    unit_price_cents: int = 100\n")
    routes = ROUTES.replace("body.unit_price * body.quantity", "body.unit_price_cents * 2")
    root = _project(tmp_path, {"shop/schemas.py": schemas, "shop/routes.py": routes})
    assert "Bound OrderIn.unit_price_cents to zero or more" in [s.title for s in _found(root)]
