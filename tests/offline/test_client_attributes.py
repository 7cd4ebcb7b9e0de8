"""BKD209's allow-list names what ``getattr(Model, name)`` takes: the model's attributes, not
its columns' database names, and never a secret's column (the client would read it back)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Book(Base):
    __tablename__ = "books"
    id = Column(Integer, primary_key=True)
    title = Column("BkTitle", String(200))
    password_hash = Column(String(128))
"""

ROUTES = """\
from fastapi import APIRouter

from shelf.models import Book

router = APIRouter()


@router.get("/books/{book_id}/field")
def field_of(book_id: int, field: str = "title"):
    return {"column": str(getattr(Book, field)), "book": book_id}
"""


def test_the_allow_list_is_of_attributes_without_secrets(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("fastapi\nsqlalchemy\n")
    (tmp_path / "shelf").mkdir()
    (tmp_path / "shelf" / "__init__.py").write_text("")
    (tmp_path / "shelf" / "models.py").write_text(MODELS)
    (tmp_path / "shelf" / "routes.py").write_text(ROUTES)
    found = [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD209"]
    assert [s.span.start.line + 1 for s in found] == [10]
    new = apply_suggestion(found[0])[str(tmp_path / "shelf" / "routes.py")]
    assert 'field: Literal["id", "title"] = "title"' in new
    ast.parse(new)
