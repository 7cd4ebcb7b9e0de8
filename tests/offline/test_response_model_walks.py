"""A FastAPI route's ``response_model`` with a list of a relationship's rows (``items:
list[ItemOut]``): serialising the returned template reads ``template.items``, its items by the
foreign key pointing back, as a loop over them in the route would (response_walks.py). Shapes of
our own, after a real FastAPI app's templates router; each positive has a clean twin."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Board(Base):
    __tablename__ = "boards"
    id = Column(Integer, primary_key=True)
    name = Column(String(80))
    cards = relationship("Card", back_populates="board")


class Card(Base):
    __tablename__ = "cards"
    id = Column(Integer, primary_key=True)
    board_id = Column(Integer, ForeignKey("boards.id"))
    label = Column(String(80))
    board = relationship("Board", back_populates="cards")
"""
SCHEMAS = """\
from typing import List, Optional

from pydantic import BaseModel, ConfigDict


class CardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    label: str


class BoardBase(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str


class BoardWithCards(BoardBase):
    cards: Optional[List[CardOut]] = None


class BoardTagged(BoardBase):
    cards: list[str] = []


class CardWithBoard(CardOut):
    board: BoardBase
"""
ROUTES = """\
from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

from . import crud
from .schemas import {schema}

app = FastAPI()


def get_db():
    yield Session()


@app.get("/things/{{thing_id}}", response_model={response})
def read_thing(thing_id: int, db: Session = Depends(get_db)):
    return crud.get_thing(db, thing_id)
"""


def _app(root: Path, schema: str, response: str) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    (root / "app" / "schemas.py").write_text(SCHEMAS)
    (root / "app" / "crud.py").write_text(
        "from .models import Board\n\n\ndef get_thing(db, thing_id):\n"
        "    return db.get(Board, thing_id)\n"
    )
    routes = ROUTES.format(schema=schema, response=response)
    (root / "app" / "main.py").write_text(routes)
    (root / "requirements.txt").write_text("fastapi\nsqlalchemy\n")
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def test_a_list_of_a_relationship_in_the_response_model(tmp_path: Path) -> None:
    root = _app(tmp_path, "BoardWithCards", "list[BoardWithCards]")
    (found,) = _indexes(root)
    assert found.title == "Add an index on cards (board_id)"
    assert found.path == str(root / "app" / "main.py")
    assert "response_model=BoardWithCards serialises Board.cards" in found.rationale
    assert [e.new_text for e in found.edits] == [", index=True"]


def test_a_list_of_plain_values_walks_nothing(tmp_path: Path) -> None:
    assert _indexes(_app(tmp_path, "BoardTagged", "BoardTagged")) == []


def test_a_single_parent_is_a_key_lookup(tmp_path: Path) -> None:
    assert _indexes(_app(tmp_path, "CardWithBoard", "CardWithBoard")) == []
