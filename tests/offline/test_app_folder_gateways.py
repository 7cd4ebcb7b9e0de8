"""An app run from its own folder (``cd app && uvicorn main:app``) imports its modules from
there (``from repository.orders import OrderRepository`` in app/gateway/orders.py). A real
app's gateway classes caught ``sqlite3.IntegrityError`` around repository calls that commit a
SQLAlchemy session: BKD315 (the driver's class) now reads such a gateway method, not routes
alone, and the calls are followed into the app folder's modules. Once calls are followed there,
a gateway that looked the row up with a repository method that raises on a miss, before the
method that looks it up again, is no place for BKD306's None check (judged on the same app)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = (
    "from uuid import UUID, uuid4\n\n"
    "from sqlmodel import Field, SQLModel\n\n\n"
    "class Order(SQLModel, table=True):\n"
    "    id: UUID = Field(default_factory=uuid4, primary_key=True)\n"
    "    reference: str = Field(unique=True)\n"
    "    note: str = ''\n"
)
DATABASE = (
    "from contextlib import asynccontextmanager\n\n"
    "from sqlmodel.ext.asyncio.session import AsyncSession\n\n\n"
    "@asynccontextmanager\n"
    "async def get_session():\n"
    "    async with AsyncSession() as session:\n"
    "        yield session\n"
)
EXCEPTIONS = (
    "from uuid import UUID\n\n\n"
    "class OrderNotFound(Exception):\n"
    "    def __init__(self, order_id: UUID):\n"
    "        self.order_id = order_id\n\n\n"
    "class DuplicateOrder(Exception):\n"
    "    pass\n"
)
REPOSITORY = (
    "from uuid import UUID\n\n"
    "from sqlmodel import select\n\n"
    "from database import get_session\n"
    "from exceptions import OrderNotFound\n"
    "from models import Order\n\n\n"
    "class OrderRepository:\n"
    "    @staticmethod\n"
    "    async def create(reference: str) -> Order:\n"
    "        async with get_session() as session:\n"
    "            order = Order(reference=reference)\n"
    "            session.add(order)\n"
    "            await session.commit()\n"
    "            return order\n\n"
    "    @staticmethod\n"
    "    async def get(order_id: UUID) -> Order:\n"
    "        async with get_session() as session:\n"
    "            order = await session.get(Order, order_id)\n"
    "            if not order:\n"
    "                raise OrderNotFound(order_id)\n"
    "            return order\n\n"
    "    @staticmethod\n"
    "    async def set_note(order_id: UUID, note: str) -> Order:\n"
    "        async with get_session() as session:\n"
    "            order = await session.get(Order, order_id)\n"
    "            order.note = note\n"
    "            await session.commit()\n"
    "            return order\n\n"
    "    @staticmethod\n"
    "    async def every() -> list[Order]:\n"
    "        async with get_session() as session:\n"
    "            return list((await session.execute(select(Order))).scalars())\n"
)
GATEWAY = (
    "from sqlite3 import IntegrityError\n"
    "from uuid import UUID\n\n"
    "from exceptions import DuplicateOrder\n"
    "from repository.orders import OrderRepository\n\n\n"
    "class OrderGateway:\n"
    "    @classmethod\n"
    "    async def create(cls, reference: str):\n"
    "        try:\n"
    "            return await OrderRepository.create(reference)\n"
    "        except IntegrityError as exc:\n"
    "            raise DuplicateOrder(str(exc))\n\n"
    "    @classmethod\n"
    "    async def set_note(cls, order_id: UUID, note: str):\n"
    "        await OrderRepository.get(order_id)\n"
    "        return await OrderRepository.set_note(order_id, note)\n"
)
MAIN = (
    "from uuid import UUID\n\n"
    "from fastapi import FastAPI\n"
    "from fastapi.responses import JSONResponse\n\n"
    "from exceptions import DuplicateOrder, OrderNotFound\n"
    "from gateway.orders import OrderGateway\n\n"
    "app = FastAPI()\n\n\n"
    "@app.exception_handler(OrderNotFound)\n"
    "async def not_found(request, exc):\n"
    '    return JSONResponse(status_code=404, content={"detail": "no such order"})\n\n\n'
    "@app.exception_handler(DuplicateOrder)\n"
    "async def duplicate(request, exc):\n"
    '    return JSONResponse(status_code=409, content={"detail": "taken"})\n\n\n'
    '@app.post("/orders")\n'
    "async def create_order(reference: str):\n"
    "    order = await OrderGateway.create(reference)\n"
    '    return {"id": str(order.id)}\n\n\n'
    '@app.patch("/orders/{order_id}")\n'
    "async def set_note(order_id: UUID, note: str):\n"
    "    await OrderGateway.set_note(order_id, note)\n"
    '    return {"id": str(order_id)}\n'
)


def _app(root: Path, gateway: str = GATEWAY) -> None:
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\ndependencies = ["fastapi", "sqlmodel"]\n'
    )
    app = root / "app"
    (app / "repository").mkdir(parents=True)
    (app / "gateway").mkdir()
    files = {
        "models.py": MODELS,
        "database.py": DATABASE,
        "exceptions.py": EXCEPTIONS,
        "repository/orders.py": REPOSITORY,
        "gateway/orders.py": gateway,
        "main.py": MAIN,
    }
    for name, text in files.items():
        (app / name).write_text(text, encoding="utf-8")


def _found(root: Path, code: str) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == code]


def test_a_gateway_catching_the_drivers_class_gets_sqlalchemys(tmp_path: Path) -> None:
    _app(tmp_path)
    (found,) = _found(tmp_path, "BKD315")
    gateway = str(tmp_path / "app" / "gateway" / "orders.py")
    assert found.path == gateway
    assert found.title == "Catch sqlalchemy.exc.IntegrityError, not sqlite3.IntegrityError"
    new = apply_suggestion(found)[gateway]
    ast.parse(new)
    assert "from sqlite3 import" not in new
    assert "from sqlalchemy.exc import IntegrityError\n" in new
    assert "        except IntegrityError as exc:\n" in new
    (tmp_path / "fixed").mkdir()
    _app(tmp_path / "fixed", new)
    assert _found(tmp_path / "fixed", "BKD315") == []


def test_a_gateway_that_already_catches_sqlalchemys_class_is_left(tmp_path: Path) -> None:
    _app(tmp_path, GATEWAY.replace("from sqlite3 import", "from sqlalchemy.exc import"))
    assert _found(tmp_path, "BKD315") == []


def test_a_row_the_gateway_looked_up_first_needs_no_check_again(tmp_path: Path) -> None:
    _app(tmp_path)
    assert _found(tmp_path, "BKD306") == []


def test_without_the_first_lookup_the_unchecked_row_is_reported(tmp_path: Path) -> None:
    _app(tmp_path, GATEWAY.replace("        await OrderRepository.get(order_id)\n", ""))
    (found,) = _found(tmp_path, "BKD306")
    assert found.title == "Answer 404 when Order is not found"
    # OrderNotFound takes the id, not a message: the fix hands it the id the lookup missed,
    # in the repository, where the app raises it already (no new import)
    (edit,) = found.edits
    assert edit.path == str(tmp_path / "app" / "repository" / "orders.py")
    assert (
        edit.new_text
        == "            if order is None:\n                raise OrderNotFound(order_id)\n"
    )
    new = apply_suggestion(found)[edit.path]
    ast.parse(new)
