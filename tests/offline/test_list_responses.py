"""BKD323: ``response_model=List[X]`` on a FastAPI route that returns one ORM row (a real app's
payout lookup returned ``.first()`` under ``List[PayoutOut]``: a 500 whenever a payout
existed). A ``.first()`` only returned becomes ``.all()``; ``.one()``/``.get()`` and a row the
route reads narrow the response model. Silent twins: ``.all()``, a list built from the row, a
single response model, a query of columns, an ``execute(...).first()`` Row, a dict's
``.get``."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "fund"\nrequires-python = ">=3.10"\n'
    'dependencies = ["fastapi", "sqlalchemy"]\n'
)
MODELS = """\
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Payout(Base):
    __tablename__ = "payouts"
    id = Column(Integer, primary_key=True)
    project_id = Column(Integer, ForeignKey("payouts.id"))
    status = Column(String)
"""
HEAD = """\
from typing import List

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

import fund.models as models

router = APIRouter()


class PayoutOut(BaseModel):
    id: int


def get_db():
    yield None

"""
FIRST = """
@router.get("/project/{project_id}", response_model=List[PayoutOut])
def payouts_of(project_id: int, db: Session = Depends(get_db)):
    payout = (
        db.query(models.Payout)
        .filter(models.Payout.project_id == project_id)
        .first()
    )
    return payout
"""


def _root(tmp_path: Path, views: str) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        "fund/__init__.py": "",
        "fund/models.py": MODELS,
        "fund/api.py": HEAD + views,
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD323"]


def test_a_returned_first_becomes_all(tmp_path: Path) -> None:
    root = _root(tmp_path, FIRST)
    (found,) = _found(root)
    assert found.title == "Return `.all()` for `response_model=List[PayoutOut]`, not `.first()`"
    assert "returns one Payout" in found.rationale
    assert [(e.span.start.line + 1, e.new_text) for e in found.edits] == [(26, "all()")]
    new = apply_suggestion(found)[str(root / "fund/api.py")]
    ast.parse(new)
    assert "        .all()\n    )\n    return payout\n" in new
    assert _found(root) == []


def test_one_get_and_a_row_read_further_narrow_the_response_model(tmp_path: Path) -> None:
    views = """
@router.get("/one/{payout_id}", response_model=list[PayoutOut])
def one(payout_id: int, db: Session = Depends(get_db)):
    return db.scalars(select(models.Payout).where(models.Payout.id == payout_id)).one()


@router.get("/got/{payout_id}", response_model=List[PayoutOut])
async def got(payout_id: int, db: Session = Depends(get_db)):
    return await db.get(models.Payout, payout_id)


@router.get("/read/{project_id}", response_model=List[PayoutOut])
def read(project_id: int, db: Session = Depends(get_db)):
    payout = db.query(models.Payout).filter_by(project_id=project_id).first()
    payout.status = "seen"
    return payout
"""
    root = _root(tmp_path, views)
    found = sorted(_found(root), key=lambda s: s.span.start.line)
    assert [s.title for s in found] == [
        "Answer `response_model=PayoutOut`: the route returns one row",
    ] * 3
    assert [[e.new_text for e in s.edits] for s in found] == [["PayoutOut"]] * 3
    for suggestion in found:
        apply_suggestion(suggestion)
    assert _found(root) == []


def test_lists_single_models_columns_rows_and_dicts_are_left_alone(tmp_path: Path) -> None:
    views = """
@router.get("/all", response_model=List[PayoutOut])
def all_(db: Session = Depends(get_db)):
    return db.query(models.Payout).all()


@router.get("/wrapped", response_model=List[PayoutOut])
def wrapped(db: Session = Depends(get_db)):
    payout = db.query(models.Payout).first()
    return [payout] if payout else []


@router.get("/single", response_model=PayoutOut)
def single(db: Session = Depends(get_db)):
    return db.query(models.Payout).first()


@router.get("/columns", response_model=List[int])
def columns(db: Session = Depends(get_db)):
    return db.query(models.Payout.id, models.Payout.project_id).first()


@router.get("/row", response_model=List[int])
def row(db: Session = Depends(get_db)):
    return db.execute(select(models.Payout.id)).first()


@router.get("/cached", response_model=List[PayoutOut])
def cached(key: str):
    found = {"a": []}
    return found.get(key)


@router.get("/rebound", response_model=List[PayoutOut])
def rebound(db: Session = Depends(get_db)):
    payout = db.query(models.Payout).first()
    payout = db.query(models.Payout).all()
    return payout
"""
    root = _root(tmp_path, views)
    assert _found(root) == []
