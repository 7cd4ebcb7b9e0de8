"""A FastAPI dependency function that reads the page size from the query and hands it on as
an object's attribute (``Depends(pagination)`` returning ``Pagination(limit=limit)``) is the
route's own page size: unbounded, it gets its cap where the dependency declares it. The twin
whose dependency caps it stays silent."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from tests.offline.applied import apply_suggestion

_DEPS = """\
from dataclasses import dataclass

from fastapi import Query


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


def paging(offset: int = Query(0, ge=0), limit: int = Query(50, ge=1{cap})) -> Page:
    return Page(offset=offset, limit=limit)
"""

_ROUTES = """\
from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .deps import Page, paging

app = FastAPI()


class Base(DeclarativeBase):
    pass


class Visit(Base):
    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)


def get_db() -> Session:
    raise NotImplementedError


@app.get("/visits")
def visits(page: Page = Depends(paging), db: Session = Depends(get_db)) -> list[int]:
    query = select(Visit.id).order_by(Visit.id).offset(page.offset).limit(page.limit)
    return list(db.scalars(query))
"""


def _app(root: Path, cap: str) -> Path:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "deps.py").write_text(_DEPS.format(cap=cap))
    (root / "app" / "main.py").write_text(_ROUTES)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "fx"\ndependencies = ["fastapi", "sqlalchemy"]\n'
    )
    return root


def test_an_unbounded_page_size_of_a_dependency_is_capped_there(tmp_path: Path) -> None:
    root = _app(tmp_path, "")
    [s] = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD214"]
    assert s.title == "Bound `limit` to 1..100"
    [deps] = [e.path for e in s.edits]
    assert deps.endswith("deps.py")
    fixed = apply_suggestion(s)[deps]
    assert "limit: int = Query(50, ge=1, le=100)" in fixed
    compile(fixed, deps, "exec")


def test_a_dependency_that_caps_its_page_size_is_left_alone(tmp_path: Path) -> None:
    root = _app(tmp_path, ", le=200")
    assert [s for s in collect([str(root)], ["validation"]) if s.code == "BKD214"] == []
