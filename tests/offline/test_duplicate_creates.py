"""BKD315: a create route writes the client's value to a unique column and commits with no
answer for a duplicate (a blind planted set's sign-up). Each positive has clean twins: the
value looked up first, the commit caught, an app-wide handler, a value that is no client's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FASTAPI = (
    "from fastapi import Depends, FastAPI, status\n"
    "from pydantic import BaseModel\n"
    "from sqlalchemy import String\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column\n\n"
    "app = FastAPI()\n\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n\n"
    "class Rider(Base):\n"
    '    __tablename__ = "riders"\n'
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    "    email: Mapped[str] = mapped_column(String(255), unique=True)\n"
    "    name: Mapped[str] = mapped_column(String(80))\n\n\n"
    "class RiderIn(BaseModel):\n    email: str\n    name: str\n\n\n"
    "def get_db():\n    raise NotImplementedError\n\n\n"
    '@app.post("/riders", status_code=status.HTTP_201_CREATED)\n'
    "def add_rider(body: RiderIn, db: Session = Depends(get_db)):\n"
    "    rider = Rider(email=body.email.strip().lower(), name=body.name)\n"
    "    db.add(rider)\n"
    "    db.commit()\n"
    '    return {"id": rider.id}\n'
)
FLASK = (
    "from flask import Flask, abort, request\n"
    "from flask_sqlalchemy import SQLAlchemy\n\n"
    "app = Flask(__name__)\n"
    "db = SQLAlchemy(app)\n\n\n"
    "class Dock(db.Model):\n"
    "    id = db.Column(db.Integer, primary_key=True)\n"
    "    code = db.Column(db.String(16), unique=True, nullable=False)\n\n\n"
    '@app.post("/docks")\n'
    "def add_dock():\n"
    "    data = request.get_json()\n"
    '    dock = Dock(code=data["code"])\n'
    "    db.session.add(dock)\n"
    "    db.session.commit()\n"
    '    return {"id": dock.id}, 201\n'
)


def _found(root: Path, name: str, text: str, deps: str) -> list[Suggestion]:
    (root / "pyproject.toml").write_text(f'[project]\nname = "x"\ndependencies = [{deps}]\n')
    (root / name).write_text(text, encoding="utf-8")
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD315"]


def test_a_fastapi_sign_up_answers_409_on_a_taken_email(tmp_path: Path) -> None:
    (found,) = _found(tmp_path, "main.py", FASTAPI, '"fastapi", "sqlalchemy"')
    assert found.title == "Answer 409 when Rider.email is taken"
    new = apply_suggestion(found)[str(tmp_path / "main.py")]
    ast.parse(new)
    assert "from sqlalchemy.exc import IntegrityError\n" in new
    assert (
        "    try:\n"
        "        db.commit()\n"
        "    except IntegrityError as exc:\n"
        "        db.rollback()\n"
        "        raise HTTPException(\n"
        "            status_code=status.HTTP_409_CONFLICT,\n"
        '            detail="Rider with this email already exists",\n'
        "        ) from exc\n"
    ) in new
    assert "from fastapi import Depends, FastAPI, HTTPException, status\n" in new
    assert _found(tmp_path, "main.py", new, '"fastapi", "sqlalchemy"') == []


def test_a_dumped_body_model_writes_its_unique_field(tmp_path: Path) -> None:
    text = FASTAPI.replace(
        "Rider(email=body.email.strip().lower(), name=body.name)", "Rider(**body.model_dump())"
    )
    (found,) = _found(tmp_path, "main.py", text, '"fastapi", "sqlalchemy"')
    assert found.title == "Answer 409 when Rider.email is taken"


def test_a_flask_module_that_aborts_aborts_409(tmp_path: Path) -> None:
    (found,) = _found(tmp_path, "app.py", FLASK, '"flask", "flask-sqlalchemy"')
    new = apply_suggestion(found)[str(tmp_path / "app.py")]
    ast.parse(new)
    assert (
        "    try:\n"
        "        db.session.commit()\n"
        "    except IntegrityError:\n"
        "        db.session.rollback()\n"
        "        abort(409)\n"
    ) in new


@pytest.mark.parametrize(
    "text",
    [
        # the value is looked up first
        FLASK.replace(
            "    dock = Dock(",
            '    if Dock.query.filter_by(code=data["code"]).first():\n'
            "        abort(409)\n"
            "    dock = Dock(",
        ),
        # the route asks a helper named for the column
        FLASK.replace(
            "    dock = Dock(",
            '    if dock_by_code(data["code"]):\n        abort(409)\n    dock = Dock(',
        )
        + "\n\ndef dock_by_code(code):\n    return Dock.query.filter_by(code=code).first()\n",
        # the commit is caught
        FLASK.replace(
            "    db.session.commit()\n",
            "    try:\n"
            "        db.session.commit()\n"
            "    except Exception:\n"
            "        db.session.rollback()\n"
            "        abort(409)\n",
        ),
        # an app-wide handler answers it
        FLASK + "\n\n@app.errorhandler(IntegrityError)\ndef taken(exc):\n    return {}, 409\n",
        # the value is an upstream's, made from the client's token
        FLASK.replace('Dock(code=data["code"])', 'Dock(code=register(data["token"])["id"])')
        + "\n\ndef register(token):\n    return {'id': token}\n",
    ],
)
def test_answered_or_server_made_values_are_left_alone(tmp_path: Path, text: str) -> None:
    if "errorhandler(IntegrityError)" in text:
        text = text.replace(
            "from flask_sqlalchemy import SQLAlchemy\n",
            "from flask_sqlalchemy import SQLAlchemy\nfrom sqlalchemy.exc import IntegrityError\n",
        )
    assert _found(tmp_path, "app.py", text, '"flask", "flask-sqlalchemy"') == []
