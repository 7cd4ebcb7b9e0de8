"""Sixth held-out round, a session cause (verdict on a real FastAPI app, reproduced with a
fixture of our own): a repository over the session its creator gives it (a per-request
dependency that closes it) need not roll back itself; one that opens its own still must."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

PYPROJECT = '[project]\nname = "app"\ndependencies = ["fastapi", "sqlalchemy"]\n'
REPOSITORY = """\
from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session, session_maker


class Repository:
    def __init__(self, session: AsyncSession = Depends(get_session)) -> None:
        self.session = session

    async def create(self, row):
        self.session.add(row)
        await self.session.commit()
        return row


class Importer:
    def __init__(self) -> None:
        self.session = session_maker()

    async def create_all(self, rows):
        for row in rows:
            self.session.add(row)
            await self.session.commit()
"""
DB = """\
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

session_maker = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"))


async def get_session():
    async with session_maker() as session:
        yield session
"""


def test_an_injected_session_is_its_creators(tmp_path: Path) -> None:
    for rel, text in {
        "pyproject.toml": PYPROJECT,
        "app/__init__.py": "",
        "app/db.py": DB,
        "app/repository.py": REPOSITORY,
    }.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD303"]
    # Only the importer, whose session it opened itself and reuses after a failed commit.
    assert [s.span.start.line + 1 for s in found] == [24]
    (edit,) = [e for e in found[0].edits if "rollback" in e.new_text]
    assert "await self.session.rollback()" in edit.new_text
