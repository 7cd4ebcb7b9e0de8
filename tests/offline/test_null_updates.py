"""BKD217: a FastAPI partial update whose body model lets a client send ``null`` for a field
that lands on a NOT NULL column (a real quiz API stored ``{"full_name": null}`` through
``exclude_unset=True``, and every later request of that user failed; blind round r38).
Fixtures of our own: a ``setattr`` loop over the dump and a bulk ``update()``; silent twins
with a nullable column among the fields (a client may mean to clear it), ``exclude_none``
already there, a loop that skips None values, and a create (``User(**dump)``)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(120))
    bio: Mapped[str | None] = mapped_column(String(400))
"""

SCHEMAS = """\
from typing import Optional

from pydantic import BaseModel


class UserUpdate(BaseModel):
    full_name: Optional[str] = None
    email: str | None = None


class ProfileUpdate(BaseModel):
    full_name: Optional[str] = None
    bio: Optional[str] = None


class UserCreate(BaseModel):
    full_name: str
    email: str
"""

ROUTES = """\
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from .db import get_db
from .models import User
from .schemas import ProfileUpdate, UserCreate, UserUpdate

router = APIRouter()


@router.patch("/users/{user_id}")
def update_user(user_id: int, body: UserUpdate, db: Session = Depends(get_db)):
    user = db.get(User, user_id)
    if user is None:
        return None
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(user, key, value)
    db.commit()
    return {"id": user.id}


@router.put("/users/{user_id}/bulk")
def bulk(user_id: int, body: UserUpdate, db: Session = Depends(get_db)):
    changes = body.dict(exclude_unset=True)
    db.query(User).filter(User.id == user_id).update(changes)
    db.commit()
    return {"id": user_id}


@router.patch("/users/{user_id}/profile")
def profile(user_id: int, body: ProfileUpdate, db: Session = Depends(get_db)):
    user = db.get(User, user_id)
    if user is None:
        return None
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(user, key, value)
    db.commit()
    return {"id": user.id}


@router.patch("/users/{user_id}/again")
def again(user_id: int, body: UserUpdate, db: Session = Depends(get_db)):
    user = db.get(User, user_id)
    if user is None:
        return None
    for key, value in body.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(user, key, value)
    db.commit()
    return {"id": user.id}


@router.patch("/users/{user_id}/skipping")
def skipping(user_id: int, body: UserUpdate, db: Session = Depends(get_db)):
    user = db.get(User, user_id)
    if user is None:
        return None
    for key, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(user, key, value)
    db.commit()
    return {"id": user.id}


@router.post("/users")
def create(body: UserCreate, db: Session = Depends(get_db)):
    user = User(**body.model_dump(exclude_unset=True))
    db.add(user)
    db.commit()
    return {"id": user.id}
"""


def test_explicit_nulls_over_not_null_columns(tmp_path: Path) -> None:
    pkg = tmp_path / "api"
    pkg.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("db.py", "def get_db():\n    yield None\n"),
        ("models.py", MODELS),
        ("schemas.py", SCHEMAS),
        ("routes.py", ROUTES),
    ]:
        (pkg / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("fastapi\nsqlalchemy\n")
    found = sorted(
        (s for s in collect([str(tmp_path)]) if s.code == "BKD217"),
        key=lambda s: s.span.start.line,
    )
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (16, "Drop explicit nulls from `body` before the update"),
        (24, "Drop explicit nulls from `body` before the update"),
    ]
    assert "`full_name`, `email`" in found[0].rationale
    assert "users.full_name" in found[0].rationale
    text = apply_suggestion(found[0])[str(pkg / "routes.py")]
    ast.parse(text)
    assert "body.model_dump(exclude_unset=True, exclude_none=True).items()" in text
    assert "changes = body.dict(exclude_unset=True)\n" in text  # the other, not yet applied
