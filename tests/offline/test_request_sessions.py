"""A FastAPI app whose HTTP middleware runs each request inside a session's ``with`` ends every
request's transaction itself (a failed one is rolled back as the ``with`` exits): commits in
its CRUD modules need no rollback of their own (seven such suggestions on a real app were
judged noise). Without the middleware the same CRUD gets the advice."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

_DB = """\
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("sqlite://")
factory = sessionmaker(engine)
current: ContextVar[Session] = ContextVar("current")


class _Db:
    @property
    def session(self) -> Session:
        return current.get()


db = _Db()


@contextmanager
def get_session(make):
    session = make()
    token = current.set(session)
    try:
        yield session
    finally:
        session.close()
        current.reset(token)
"""

_CRUD = """\
from sqlalchemy import update

from .db import db
from .models import Alert


def mute(alert_id: int) -> None:
    db.session.execute(update(Alert).where(Alert.id == alert_id).values(muted=True))
    db.session.commit()
"""

_MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Alert(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    muted: Mapped[bool] = mapped_column(default=False)
"""

_MAIN = """\
from fastapi import FastAPI

from .crud import mute
from .db import factory, get_session

app = FastAPI()

{middleware}

@app.post("/alerts/{{alert_id}}/mute")
def mute_alert(alert_id: int) -> dict[str, bool]:
    mute(alert_id)
    return {{"muted": True}}
"""

_MIDDLEWARE = """\
@app.middleware("http")
async def session_per_request(request, call_next):
    with get_session(factory):
        return await call_next(request)
"""


def _app(root: Path, middleware: str) -> Path:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "db.py").write_text(_DB)
    (root / "app" / "crud.py").write_text(_CRUD)
    (root / "app" / "models.py").write_text(_MODELS)
    (root / "app" / "main.py").write_text(_MAIN.format(middleware=middleware))
    (root / "pyproject.toml").write_text(
        '[project]\nname = "fx"\ndependencies = ["fastapi", "sqlalchemy"]\n'
    )
    return root


def _rollbacks(root: Path) -> list[str]:
    return [
        Path(s.path).name for s in collect([str(root)], ["error-handling"]) if s.code == "BKD303"
    ]


def test_a_session_per_request_middleware_rolls_back_for_every_commit(tmp_path: Path) -> None:
    assert _rollbacks(_app(tmp_path, _MIDDLEWARE)) == []


def test_without_it_the_commit_gets_its_rollback(tmp_path: Path) -> None:
    assert _rollbacks(_app(tmp_path, "")) == ["crud.py"]
