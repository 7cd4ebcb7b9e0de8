"""BKD214 through a service and its repository: a FastAPI route hands ``limit`` and ``offset``
to a service's method (the service built in the route, or injected by ``Depends()``), which hands
them to a repository's ``.limit(limit).offset(offset)``. The service caps the size from above
only (``if limit > 50: limit = 50``), so ``?limit=-1`` or ``?offset=-1`` still reach PostgreSQL
(a DataError, a 500). The fix goes on the route's parameters, the service's cap kept as their
``le``. Shapes of our own after a real FastAPI app's user search; a service that clamps both
sides, or a route whose parameters have their floors, stays silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "club"\nrequires-python = ">=3.10"\n'
    'dependencies = ["fastapi", "sqlalchemy[asyncio]", "asyncpg"]\n'
)
MODELS = """\
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
"""
DATABASE = """\
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine("postgresql+asyncpg://club@db/club")
Session = async_sessionmaker(engine)


async def get_db():
    async with Session() as session:
        yield session
"""
REPOSITORY = """\
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Member


class MemberRepository:
    def __init__(self, db: AsyncSession):
        self.db = db

    async def search(self, name: str, limit: int, offset: int):
        stmt = select(Member).where(Member.name == name).limit(limit).offset(offset)
        return (await self.db.scalars(stmt)).all()
"""
SERVICE = """\
from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.database import get_db
from app.repository import MemberRepository


class MemberService:
    def __init__(self, db: AsyncSession = Depends(get_db)):
        self.repo = MemberRepository(db)

    async def search(self, name: str, limit: int, offset: int):
        if limit > 50:
            limit = 50
        return await self.repo.search(name, limit, offset)

    async def clamped(self, name: str, limit: int, offset: int):
        limit = max(1, min(limit, 50))
        offset = max(offset, 0)
        return await self.repo.search(name, limit, offset)
"""
# The module writes its parameters with Annotated (``Annotated[AsyncSession, Depends(...)]``).
ANNOTATED = """\
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.database import get_db
from app.service import MemberService

app = FastAPI()


@app.get("/members/{name}")
async def search(
    name: str, db: Annotated[AsyncSession, Depends(get_db)], limit: int = 10, offset: int = 0
):
    service = MemberService(db)
    return await service.search(name, limit, offset)
"""
# Plain defaults, the service injected: ``Query(...)`` as the default.
PLAIN = """\
from fastapi import Depends, FastAPI, Query

from app.service import MemberService

app = FastAPI()


@app.get("/members/{name}")
async def search(name: str, limit: int = 10, offset: int = 0, service: MemberService = Depends()):
    return await service.search(name, limit, offset)


@app.get("/clamped/{name}")
async def clamped(name: str, limit: int = 10, offset: int = 0, service: MemberService = Depends()):
    return await service.clamped(name, limit, offset)


@app.get("/floored/{name}")
async def floored(
    name: str,
    limit: int = Query(10, ge=1),
    offset: int = Query(0, ge=0),
    service: MemberService = Depends(),
):
    return await service.search(name, limit, offset)
"""


def _project(root: Path, main: str) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/database.py": DATABASE,
        "app/repository.py": REPOSITORY,
        "app/service.py": SERVICE,
        "app/main.py": main,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path) -> list[Suggestion]:
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD214"]
    return sorted(found, key=lambda s: (s.path, s.span.start.line))


RATIONALE = (
    "`limit` and `offset` reach `.limit()` and `.offset()` in `MemberRepository.search` with no "
    "lower bound (`if limit > 50` in `MemberService.search` caps it from above only): a "
    "negative LIMIT or OFFSET is an error on PostgreSQL (a 500). `ge=`/`le=` make FastAPI "
    "answer 422 instead; the cap is the code's own, 50."
)


def test_values_two_calls_deep_past_an_upper_cap_get_their_floors(tmp_path: Path) -> None:
    root = _project(tmp_path, ANNOTATED)
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1..50 and `offset` to 0 or more"
    assert found.rationale == RATIONALE
    assert found.span.start.line + 1 == 14
    assert [(e.span.start.line + 1, e.new_text) for e in found.edits] == [
        (3, "from fastapi import Depends, FastAPI, Query"),
        (14, "Annotated[int, Query(ge=1, le=50)]"),
        (14, "Annotated[int, Query(ge=0)]"),
    ]
    main = apply_suggestion(found)[str(root / "app" / "main.py")]
    ast.parse(main)
    assert (
        "name: str, db: Annotated[AsyncSession, Depends(get_db)], "
        "limit: Annotated[int, Query(ge=1, le=50)] = 10, offset: Annotated[int, Query(ge=0)] = 0"
    ) in main
    assert _found(root) == []


def test_an_injected_service_is_followed_and_clamped_or_floored_routes_stay_silent(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, PLAIN)
    (found,) = _found(root)  # /clamped and /floored say nothing
    assert found.span.start.line + 1 == 9
    assert found.rationale == RATIONALE
    assert [e.new_text for e in found.edits] == ["Query(10, ge=1, le=50)", "Query(0, ge=0)"]
    main = apply_suggestion(found)[str(root / "app" / "main.py")]
    ast.parse(main)
    assert (
        "async def search(name: str, limit: int = Query(10, ge=1, le=50), "
        "offset: int = Query(0, ge=0), service: MemberService = Depends()):"
    ) in main
    assert _found(root) == []


def test_a_cap_below_the_default_or_not_a_number_adds_the_floor_alone(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        PLAIN.replace(
            "limit: int = 10, offset: int = 0, service",
            "limit: int = 80, offset: int = 0, service",
            1,
        ),
    )
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1 or more and `offset` to 0 or more"
    assert [e.new_text for e in found.edits] == ["Query(80, ge=1)", "Query(0, ge=0)"]
