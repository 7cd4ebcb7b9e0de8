"""A FastAPI route only an administrator's token opens (``Security(get_jwt,
scopes=[UserRole.ADMIN])``) runs as rarely as an admin page: an index for its reads alone is
noise (a camera network's detection delete, found by the generic CRUD reading on a real app).
A route other roles' tokens open too keeps its index."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Upload(Base):
    __tablename__ = "uploads"
    id = Column(Integer, primary_key=True)
    object_key = Column(String(100), nullable=False)
"""

API = """\
from enum import Enum

from fastapi import Depends, FastAPI, Security
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Upload

app = FastAPI()


class UserRole(str, Enum):
    ADMIN = "admin"
    USER = "user"


def get_jwt():
    return {}


def get_db():
    yield None


@app.delete("/uploads/{key}")
def delete_upload(
    key: str,
    db: Session = Depends(get_db),
    token=Security(get_jwt, scopes=[{scopes}]),
):
    return db.scalars(select(Upload).where(Upload.object_key == key)).all()
"""


def _sites(root: Path, scopes: str) -> list[tuple[int, str]]:
    (root / "requirements.txt").write_text("fastapi\nsqlalchemy\n")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    (root / "app" / "api.py").write_text(API.replace("{scopes}", scopes))
    found = [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]
    return [(s.span.start.line + 1, s.data["columns"]) for s in found]


def test_a_route_only_an_admin_token_opens_gets_no_index(tmp_path: Path) -> None:
    assert _sites(tmp_path, "UserRole.ADMIN") == []


def test_a_route_other_tokens_open_too_keeps_its_index(tmp_path: Path) -> None:
    assert _sites(tmp_path, "UserRole.ADMIN, UserRole.USER") == [(31, "object_key")]
