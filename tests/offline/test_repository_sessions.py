"""A repository whose session a base class's ``__init__`` keeps (``Base.__init__(self,
db_session)``), built only in generator dependencies that open the session for the request
(``with SessionLocal() as db: yield Service(Repo(db))``, or ``db = SessionLocal()`` closed in
a ``finally``): the dependency closes the session after the response, which rolls a failed
commit back, so the repository's commit needs no rollback of its own (judged noise on a real
clean-architecture FastAPI app). Built once more with a session that outlives a request (a
module-level one, one a background loop keeps) and the advice stands."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

PYPROJECT = '[project]\nname = "app"\ndependencies = ["fastapi", "sqlalchemy"]\n'
DATABASE = """\
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

SessionLocal = sessionmaker(bind=create_engine("sqlite://"))
"""
BASE = """\
from sqlalchemy.orm import Session


class BaseRepository:
    def __init__(self, session: Session):
        self._session = session
"""
REPOSITORY = """\
from sqlalchemy import select

from app.base import BaseRepository
from app.models import Order


class OrderRepository(BaseRepository):
    def __init__(self, db_session):
        BaseRepository.__init__(self, db_session)

    def remove(self, order_id: int) -> None:
        order = self._session.scalars(select(Order).where(Order.id == order_id)).one()
        self._session.delete(order)
        self._session.commit()
"""
MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
DEPENDENCIES = """\
from app.database import SessionLocal
from app.repository import OrderRepository


class OrderService:
    def __init__(self, repository):
        self.repository = repository


def get_order_service():
    with SessionLocal() as db:
        yield OrderService(OrderRepository(db))


def get_order_repository():
    db = SessionLocal()
    try:
        yield OrderRepository(db)
    finally:
        db.close()
"""
ROUTES = """\
from fastapi import APIRouter, Depends

from app.dependencies import get_order_service

router = APIRouter()


@router.delete("/orders/{order_id}", status_code=204)
def delete_order(order_id: int, service=Depends(get_order_service)) -> None:
    service.repository.remove(order_id)
"""
# A test's fixture builds it over a session of its own: no request code, no say.
TEST = """\
from app.repository import OrderRepository


def test_remove(session):
    OrderRepository(session).remove(1)
"""
MODULE_LEVEL = """\
from app.database import SessionLocal
from app.repository import OrderRepository

repository = OrderRepository(SessionLocal())
"""
LOOP = """\
from app.database import SessionLocal
from app.repository import OrderRepository


def purge(ids):
    with SessionLocal() as db:
        repository = OrderRepository(db)
        for order_id in ids:
            repository.remove(order_id)
"""


def _lines(tmp_path: Path, extra: dict[str, str]) -> list[int]:
    files = {
        "pyproject.toml": PYPROJECT,
        "app/__init__.py": "",
        "app/database.py": DATABASE,
        "app/base.py": BASE,
        "app/models.py": MODELS,
        "app/repository.py": REPOSITORY,
        "app/dependencies.py": DEPENDENCIES,
        "app/routes.py": ROUTES,
        "tests/test_orders.py": TEST,
        **extra,
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    found = collect([str(tmp_path)], ["error-handling"])
    return [s.span.start.line + 1 for s in found if s.code == "BKD303"]


def test_a_repository_built_only_per_request_is_silent(tmp_path: Path) -> None:
    assert _lines(tmp_path, {}) == []


def test_a_repository_also_built_over_a_module_level_session_is_advised(tmp_path: Path) -> None:
    assert _lines(tmp_path, {"app/worker.py": MODULE_LEVEL}) == [14]


def test_a_repository_also_built_in_a_background_loop_is_advised(tmp_path: Path) -> None:
    assert _lines(tmp_path, {"app/jobs.py": LOOP}) == [14]
