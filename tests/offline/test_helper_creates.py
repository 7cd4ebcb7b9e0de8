"""BKD315 through a CRUD function: the route hands the client's body to a project function
that makes the row with the client's value in a unique column and commits (a real FastAPI
app's ``crud/`` modules). The fix is at the route's call. Each positive has clean twins: the
helper or the route catching it, a lookup first, an app-wide handler, a server-made value,
no commit in the helper."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = (
    "from sqlalchemy import Column, ForeignKey, Integer, String\n"
    "from sqlalchemy.orm import DeclarativeBase\n\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n\n"
    "class Club(Base):\n"
    '    __tablename__ = "clubs"\n'
    "    id = Column(Integer, primary_key=True)\n"
    "    slug = Column(String(40), unique=True, nullable=False)\n"
    "    name = Column(String(80))\n\n\n"
    "class Member(Base):\n"
    '    __tablename__ = "members"\n'
    "    id = Column(Integer, primary_key=True)\n"
    "    email = Column(String(255), unique=True, nullable=False)\n"
    '    club_id = Column(Integer, ForeignKey("clubs.id"))\n'
)
SCHEMAS = (
    "from pydantic import BaseModel\n\n\n"
    "class ClubBase(BaseModel):\n    slug: str\n    name: str\n\n\n"
    "class ClubIn(ClubBase):\n    pass\n\n\n"
    "class RosterIn(BaseModel):\n    name: str\n    emails: list[str]\n"
)
CRUD = (
    "from sqlalchemy.orm import Session\n\n"
    "from app.models import Club, Member\n"
    "from app.schemas import ClubIn, RosterIn\n\n\n"
    "def create_club(db: Session, club: ClubIn):\n"
    "    row = Club(**club.model_dump())\n"
    "    db.add(row)\n"
    "    db.commit()\n"
    "    return row\n\n\n"
    "def add_roster(db: Session, roster: RosterIn, club_id: int):\n"
    "    for email in roster.emails:\n"
    "        db.add(Member(email=email.lower(), club_id=club_id))\n"
    "    db.commit()\n"
)
ROUTES = (
    "from fastapi import APIRouter, Depends, status\n"
    "from sqlalchemy.orm import Session\n\n"
    "from app import crud\n"
    "from app.schemas import ClubIn, RosterIn\n\n"
    "router = APIRouter()\n\n\n"
    "def get_db():\n    raise NotImplementedError\n\n\n"
    '@router.post("/clubs", status_code=status.HTTP_201_CREATED)\n'
    "def new_club(club: ClubIn, db: Session = Depends(get_db)):\n"
    "    return crud.create_club(db, club)\n\n\n"
    '@router.post("/clubs/{club_id}/members")\n'
    "def new_members(club_id: int, roster: RosterIn, db: Session = Depends(get_db)):\n"
    "    crud.add_roster(db=db, roster=roster, club_id=club_id)\n"
    '    return {"ok": True}\n'
)
DEPS = '"fastapi", "sqlalchemy", "pydantic"'


def _write(root: Path, files: dict[str, str], deps: str = DEPS) -> None:
    (root / "pyproject.toml").write_text(f'[project]\nname = "x"\ndependencies = [{deps}]\n')
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "__init__.py").write_text("")
    for name, text in files.items():
        (root / "app" / name).write_text(text, encoding="utf-8")


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD315"]


def _app(**changed: str) -> dict[str, str]:
    files = {"models.py": MODELS, "schemas.py": SCHEMAS, "crud.py": CRUD, "routes.py": ROUTES}
    files.update({f"{k}.py": v for k, v in changed.items()})
    return files


def test_a_crud_create_of_the_dumped_body_is_answered_at_the_route(tmp_path: Path) -> None:
    _write(tmp_path, _app())
    found = {s.title: s for s in _found(tmp_path)}
    assert set(found) == {
        "Answer 409 when Club.slug is taken",
        "Answer 409 when Member.email is taken",
    }
    club = found["Answer 409 when Club.slug is taken"]
    routes = str(tmp_path / "app" / "routes.py")
    assert club.path == routes
    assert "`crud.create_club` (in crud.py)" in club.rationale
    new = apply_suggestion(club)[routes]
    ast.parse(new)
    assert "from fastapi import APIRouter, Depends, HTTPException, status\n" in new
    assert "from sqlalchemy.exc import IntegrityError\n" in new
    assert (
        "    try:\n"
        "        return crud.create_club(db, club)\n"
        "    except IntegrityError as exc:\n"
        "        db.rollback()\n"
        "        raise HTTPException(\n"
        "            status_code=status.HTTP_409_CONFLICT,\n"
        '            detail="Club with this slug already exists",\n'
        "        ) from exc\n"
    ) in new
    # answered now: only the roster's create is left
    assert [s.title for s in _found(tmp_path)] == ["Answer 409 when Member.email is taken"]


def test_a_loop_over_the_clients_list_writes_each_value(tmp_path: Path) -> None:
    _write(tmp_path, _app())
    (members,) = [s for s in _found(tmp_path) if "Member" in s.title]
    new = apply_suggestion(members)[str(tmp_path / "app" / "routes.py")]
    assert (
        "    try:\n"
        "        crud.add_roster(db=db, roster=roster, club_id=club_id)\n"
        "    except IntegrityError as exc:\n"
        "        db.rollback()\n"
    ) in new


def test_an_earlier_commit_in_the_helper_is_named(tmp_path: Path) -> None:
    crud = CRUD.replace(
        "    for email in roster.emails:\n",
        "    club = Club(slug=str(club_id), name=roster.name)\n"
        "    db.add(club)\n"
        "    db.commit()\n"
        "    for email in roster.emails:\n",
    )
    _write(tmp_path, _app(crud=crud))
    (members,) = [s for s in _found(tmp_path) if "Member" in s.title]
    assert "commits once before it makes the Member" in members.rationale


def test_an_async_service_then_crud_rolls_back_with_await(tmp_path: Path) -> None:
    crud = (
        "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
        "from app.models import Club\n\n\n"
        "async def insert_club(session: AsyncSession, data):\n"
        "    session.add(Club(slug=data.slug.strip(), name=data.name))\n"
        "    await session.commit()\n"
    )
    service = (
        "from app.crud import insert_club\n\n\n"
        "async def open_club(db, payload):\n"
        "    await insert_club(db, payload)\n"
    )
    routes = (
        "from fastapi import APIRouter, Depends, HTTPException\n\n"
        "from app.schemas import ClubIn\n"
        "from app.service import open_club\n\n"
        "router = APIRouter()\n\n\n"
        "async def get_session():\n    raise NotImplementedError\n\n\n"
        '@router.post("/clubs")\n'
        "async def new_club(body: ClubIn, session=Depends(get_session)):\n"
        "    await open_club(session, body)\n"
        '    return {"ok": True}\n'
    )
    _write(tmp_path, _app(crud=crud, service=service, routes=routes))
    (found,) = _found(tmp_path)
    assert found.title == "Answer 409 when Club.slug is taken"
    new = apply_suggestion(found)[str(tmp_path / "app" / "routes.py")]
    ast.parse(new)
    assert (
        "    try:\n"
        "        await open_club(session, body)\n"
        "    except IntegrityError as exc:\n"
        "        await session.rollback()\n"
        "        raise HTTPException(\n"
        "            status_code=409,\n"
        '            detail="Club with this slug already exists",\n'
        "        ) from exc\n"
    ) in new


def test_a_flask_helper_on_the_apps_session_aborts_at_the_view(tmp_path: Path) -> None:
    ext = "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n"
    models = (
        "from app.ext import db\n\n\n"
        "class Dock(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    code = db.Column(db.String(16), unique=True, nullable=False)\n"
    )
    service = (
        "from app.ext import db\n"
        "from app.models import Dock\n\n\n"
        "def add_dock(data):\n"
        '    dock = Dock(code=data["code"])\n'
        "    db.session.add(dock)\n"
        "    db.session.commit()\n"
        "    return dock\n"
    )
    views = (
        "from flask import Blueprint, abort, request\n\n"
        "from app.ext import db\n"
        "from app.service import add_dock\n\n"
        'bp = Blueprint("docks", __name__)\n\n\n'
        '@bp.post("/docks")\n'
        "def new_dock():\n"
        "    dock = add_dock(request.get_json())\n"
        '    return {"id": dock.id}, 201\n'
    )
    files = {"ext.py": ext, "models.py": models, "service.py": service, "views.py": views}
    _write(tmp_path, files, '"flask", "flask-sqlalchemy"')
    (found,) = _found(tmp_path)
    new = apply_suggestion(found)[str(tmp_path / "app" / "views.py")]
    assert (
        "    try:\n"
        "        dock = add_dock(request.get_json())\n"
        "    except IntegrityError:\n"
        "        db.session.rollback()\n"
        "        abort(409)\n"
    ) in new
    # a view module that does not name the app's session has none to roll back
    (tmp_path / "app" / "views.py").write_text(views.replace("from app.ext import db\n", ""))
    assert _found(tmp_path) == []


CLEAN_CRUD = {
    # the helper catches the commit
    "caught in the helper": CRUD.replace(
        "    db.add(row)\n    db.commit()\n",
        "    db.add(row)\n"
        "    try:\n"
        "        db.commit()\n"
        "    except IntegrityError:\n"
        "        db.rollback()\n"
        "        raise\n",
    ).replace(
        "from sqlalchemy.orm", "from sqlalchemy.exc import IntegrityError\nfrom sqlalchemy.orm"
    ),
    # the helper looks the slug up first, by a call named for it
    "looked up in the helper": CRUD.replace(
        "    row = Club(",
        "    if club_by_slug(db, club.slug):\n        return None\n    row = Club(",
    )
    + "\n\ndef club_by_slug(db, slug):\n    return db.query(Club).filter(Club.slug == slug).first()\n",
    # the slug is made by the server, not sent
    "server-made value": CRUD.replace(
        "Club(**club.model_dump())", "Club(slug=new_slug(), name=club.name)"
    )
    + "\n\ndef new_slug():\n    return 'x'\n",
    # the helper leaves the commit to its caller
    "no commit": CRUD.replace("    db.add(row)\n    db.commit()\n", "    db.add(row)\n"),
    # the dump leaves fields out
    "partial dump": CRUD.replace("club.model_dump()", 'club.model_dump(exclude={"slug"})'),
}


@pytest.mark.parametrize("crud", CLEAN_CRUD.values(), ids=CLEAN_CRUD.keys())
def test_a_helper_that_answers_or_writes_no_client_value_is_left_alone(
    tmp_path: Path, crud: str
) -> None:
    _write(tmp_path, _app(crud=crud))
    assert "Answer 409 when Club.slug is taken" not in [s.title for s in _found(tmp_path)]


CLEAN_ROUTES = {
    "caught at the route": ROUTES.replace(
        "    return crud.create_club(db, club)\n",
        "    try:\n"
        "        return crud.create_club(db, club)\n"
        "    except Exception:\n"
        "        db.rollback()\n"
        "        raise\n",
    ),
    "looked up at the route": ROUTES.replace(
        "    return crud.create_club(db, club)\n",
        "    if crud.get_club_by_slug(db, club.slug):\n"
        "        return None\n"
        "    return crud.create_club(db, club)\n",
    ),
    "a server value passed": ROUTES.replace(
        "crud.create_club(db, club)", "crud.create_club(db, default_club())"
    )
    + "\n\ndef default_club():\n    return ClubIn(slug='home', name='Home')\n",
    # a dependency's value (FastAPI's Security is Depends with scopes) is no client's
    "a Security dependency": ROUTES.replace(
        "def new_club(club: ClubIn, db", "def new_club(club: ClubIn = Security(home_club), db"
    ).replace(
        "from fastapi import APIRouter, Depends,",
        "from fastapi import APIRouter, Depends, Security,",
    )
    + "\n\ndef home_club():\n    raise NotImplementedError\n",
    "an app-wide handler": ROUTES.replace(
        "router = APIRouter()\n",
        "router = APIRouter()\napp = FastAPI()\n\n\n"
        "@app.exception_handler(IntegrityError)\n"
        "def taken(request, exc):\n    raise NotImplementedError\n",
    ).replace(
        "from fastapi import APIRouter,",
        "from sqlalchemy.exc import IntegrityError\nfrom fastapi import FastAPI, APIRouter,",
    ),
}


@pytest.mark.parametrize("routes", CLEAN_ROUTES.values(), ids=CLEAN_ROUTES.keys())
def test_a_route_that_answers_or_passes_no_client_value_is_left_alone(
    tmp_path: Path, routes: str
) -> None:
    _write(tmp_path, _app(routes=routes))
    assert "Answer 409 when Club.slug is taken" not in [s.title for s in _found(tmp_path)]
