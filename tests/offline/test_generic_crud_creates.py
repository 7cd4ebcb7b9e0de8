"""BKD315 through the shapes real FastAPI apps make rows in: ``User.model_validate(body)`` (or
``from_orm``) in the route, handed to a CRUD function that adds and commits it; a generic
``create_resource_item(db, UserModel, item)`` of a converter's output; the template's
``CRUDBase[User, ...]`` with ``self.model(**obj_in_data)``. Then a handler of the driver's
class (``from sqlite3 import IntegrityError``) around a SQLAlchemy commit, which never runs.
Each positive has a silent twin."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = (
    "from typing import Optional\n\n"
    "from sqlmodel import Field, SQLModel\n\n\n"
    "class Account(SQLModel, table=True):\n"
    "    id: Optional[int] = Field(default=None, primary_key=True)\n"
    "    login: str = Field(max_length=20, unique=True)\n"
    "    name: str = Field(max_length=40)\n"
)
SCHEMAS = (
    "from pydantic import BaseModel\n\n\n"
    "class AccountIn(BaseModel):\n    login: str\n    name: str\n    password: str\n\n\n"
    "class AccountRow(BaseModel):\n    login: str\n    secret: str\n"
)
CRUD = (
    "from sqlmodel import Session\n\n"
    "from app.models import Account\n\n\n"
    "def save_account(session: Session, account: Account) -> Account:\n"
    '    account.name = account.name or "?"\n'
    "    session.add(account)\n"
    "    session.commit()\n"
    "    return account\n"
)
ROUTES = (
    "from fastapi import APIRouter, Depends\n"
    "from sqlmodel import Session\n\n"
    "from app import crud\n"
    "from app.models import Account\n"
    "from app.schemas import AccountIn\n\n"
    "router = APIRouter()\n\n\n"
    "def get_session():\n    raise NotImplementedError\n\n\n"
    '@router.post("/accounts")\n'
    "def sign_up(body: AccountIn, *, session: Session = Depends(get_session)):\n"
    "    row = Account.model_validate(body)\n"
    "    return crud.save_account(session, row)\n"
)
DEPS = '"fastapi", "sqlmodel", "sqlalchemy", "pydantic"'


def _write(root: Path, files: dict[str, str]) -> None:
    (root / "pyproject.toml").write_text(f'[project]\nname = "x"\ndependencies = [{DEPS}]\n')
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "__init__.py").write_text("")
    base = {"models.py": MODELS, "schemas.py": SCHEMAS, "crud.py": CRUD, "routes.py": ROUTES}
    base.update(files)
    for name, text in base.items():
        (root / "app" / name).write_text(text, encoding="utf-8")


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD315"]


def test_a_validated_row_handed_to_crud_is_answered_at_the_route(tmp_path: Path) -> None:
    _write(tmp_path, {})
    (found,) = _found(tmp_path)
    assert found.title == "Answer 409 when Account.login is taken"
    assert "(`Account.model_validate(body)`)" in found.rationale
    assert "hands it to `crud.save_account` (in crud.py)" in found.rationale
    new = apply_suggestion(found)[str(tmp_path / "app" / "routes.py")]
    ast.parse(new)
    assert "from sqlalchemy.exc import IntegrityError\n" in new
    assert (
        "    try:\n"
        "        return crud.save_account(session, row)\n"
        "    except IntegrityError as exc:\n"
        "        session.rollback()\n"
    ) in new


def test_a_lookup_first_or_a_catch_in_the_helper_is_silent(tmp_path: Path) -> None:
    looked = ROUTES.replace(
        "    row = Account.model_validate(body)\n",
        "    if crud.get_account_by_login(session, body.login):\n"
        '        raise ValueError("taken")\n'
        "    row = Account.model_validate(body)\n",
    )
    _write(tmp_path, {"routes.py": looked})
    assert _found(tmp_path) == []
    caught = CRUD.replace(
        "    session.add(account)\n    session.commit()\n",
        "    session.add(account)\n"
        "    try:\n"
        "        session.commit()\n"
        "    except IntegrityError:\n"
        "        session.rollback()\n"
        "        raise\n",
    ).replace(
        "from sqlmodel import Session\n",
        "from sqlalchemy.exc import IntegrityError\nfrom sqlmodel import Session\n",
    )
    _write(tmp_path, {"routes.py": ROUTES, "crud.py": caught})
    assert _found(tmp_path) == []


def test_a_from_orm_row_committed_in_the_route(tmp_path: Path) -> None:
    routes = ROUTES.replace(
        "    row = Account.model_validate(body)\n    return crud.save_account(session, row)\n",
        "    row = Account.from_orm(body)\n"
        "    session.add(row)\n"
        "    session.commit()\n"
        "    return row\n",
    )
    _write(tmp_path, {"routes.py": routes})
    (found,) = _found(tmp_path)
    assert found.title == "Answer 409 when Account.login is taken"
    new = apply_suggestion(found)[str(tmp_path / "app" / "routes.py")]
    assert "        session.commit()\n    except IntegrityError as exc:\n" in new
    # the twin: a body model without the unique field makes a row whose login is the server's
    schemas = SCHEMAS.replace(
        "class AccountIn(BaseModel):\n    login: str\n", "class AccountIn(BaseModel):\n"
    )
    _write(tmp_path, {"routes.py": routes, "schemas.py": schemas})
    assert _found(tmp_path) == []


GENERIC = (
    "from typing import Any, Type\n\n"
    "from pydantic import BaseModel as BaseSchema\n"
    "from sqlalchemy.orm import Session\n\n\n"
    "def create_item(db: Session, Model: Type[Any], item: BaseSchema) -> Any:\n"
    "    row = Model(**item.model_dump())\n"
    "    db.add(row)\n"
    "    db.commit()\n"
    "    return row\n"
)
CONVERT = (
    "from app.schemas import AccountIn, AccountRow\n\n\n"
    "def hash_it(text: str) -> str:\n    return text[::-1]\n\n\n"
    "def to_row(account: AccountIn) -> AccountRow:\n"
    "    secret = hash_it(account.password)\n"
    "    return AccountRow(login=account.login.lower(), secret=secret)\n"
)
GENERIC_ROUTE = (
    "from fastapi import APIRouter, Depends\n"
    "from sqlalchemy.orm import Session\n\n"
    "from app import generic\n"
    "from app.convert import to_row\n"
    "from app.models import Account as AccountModel\n"
    "from app.schemas import AccountIn\n\n"
    "router = APIRouter()\n"
    "db_dependency = Depends(lambda: None)\n\n\n"
    "def send_login_email(login: str) -> None:\n    pass\n\n\n"
    '@router.post("/accounts")\n'
    "def sign_up(body: AccountIn, db: Session = db_dependency):\n"
    "    row = to_row(body)\n"
    "    made = generic.create_item(db, AccountModel, row)\n"
    "    send_login_email(made.login)\n"
    "    return made\n"
)


def test_a_generic_helper_of_a_converted_body_and_a_model_argument(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"generic.py": GENERIC, "convert.py": CONVERT, "routes.py": GENERIC_ROUTE},
    )
    (found,) = _found(tmp_path)
    assert found.title == "Answer 409 when Account.login is taken"
    assert "`generic.create_item` (in generic.py), which makes an Account" in found.rationale
    new = apply_suggestion(found)[str(tmp_path / "app" / "routes.py")]
    assert (
        "    try:\n"
        "        made = generic.create_item(db, AccountModel, row)\n"
        "    except IntegrityError as exc:\n"
        "        db.rollback()\n"
    ) in new
    # the twin: a converter that makes the login up copies nothing of the client's
    made_up = CONVERT.replace("login=account.login.lower()", "login=hash_it(account.name)")
    _write(tmp_path, {"generic.py": GENERIC, "convert.py": made_up, "routes.py": GENERIC_ROUTE})
    assert _found(tmp_path) == []


BASE = (
    "from typing import Any, Generic, Type, TypeVar\n\n"
    "from fastapi.encoders import jsonable_encoder\n"
    "from sqlalchemy.orm import Session\n\n"
    'ModelType = TypeVar("ModelType")\n'
    'CreateSchemaType = TypeVar("CreateSchemaType")\n\n\n'
    "class CRUDBase(Generic[ModelType, CreateSchemaType]):\n"
    "    def __init__(self, model: Type[ModelType]):\n"
    "        self.model = model\n\n"
    "    def create(self, db: Session, *, obj_in: CreateSchemaType) -> ModelType:\n"
    "        obj_in_data = jsonable_encoder(obj_in)\n"
    "        db_obj = self.model(**obj_in_data)\n"
    "        db.add(db_obj)\n"
    "        db.commit()\n"
    "        return db_obj\n"
)
CRUD_ACCOUNT = (
    "from app.base import CRUDBase\n"
    "from app.models import Account\n"
    "from app.schemas import AccountIn\n\n\n"
    "class CRUDAccount(CRUDBase[Account, AccountIn]):\n"
    "    def get_by_login(self, db, login):\n"
    "        return db.query(Account).filter(Account.login == login).first()\n\n\n"
    "account = CRUDAccount(Account)\n"
)
BASE_ROUTE = (
    "from fastapi import APIRouter, Depends\n"
    "from sqlalchemy.orm import Session\n\n"
    "from app import crud_account\n"
    "from app.schemas import AccountIn\n\n"
    "router = APIRouter()\n\n\n"
    "def get_db():\n    raise NotImplementedError\n\n\n"
    '@router.post("/accounts")\n'
    "def sign_up(body: AccountIn, db: Session = Depends(get_db)):\n"
    "    return crud_account.account.create(db, obj_in=body)\n"
)


def test_the_templates_crud_base_creates_the_model_it_is_made_for(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"base.py": BASE, "crud_account.py": CRUD_ACCOUNT, "routes.py": BASE_ROUTE},
    )
    (found,) = _found(tmp_path)
    assert found.title == "Answer 409 when Account.login is taken"
    assert "`crud_account.account.create` (in base.py)" in found.rationale
    # the twin: the route asks for the login first
    looked = BASE_ROUTE.replace(
        "    return crud_account",
        "    if crud_account.account.get_by_login(db, login=body.login):\n"
        '        raise ValueError("taken")\n'
        "    return crud_account",
    )
    _write(tmp_path, {"base.py": BASE, "crud_account.py": CRUD_ACCOUNT, "routes.py": looked})
    assert _found(tmp_path) == []


LIKE_ROUTE = (
    "import logging\n"
    "from sqlite3 import IntegrityError\n\n"
    "from fastapi import APIRouter, Depends\n"
    "from sqlalchemy.orm import Session\n\n"
    "from app import generic\n"
    "from app.models import Account\n"
    "from app.schemas import AccountIn\n\n"
    "router = APIRouter()\n"
    "logger = logging.getLogger(__name__)\n\n\n"
    "def get_db():\n    raise NotImplementedError\n\n\n"
    '@router.put("/accounts")\n'
    "def ensure_account(body: AccountIn, db: Session = Depends(get_db)):\n"
    "    try:\n"
    "        generic.create_item(db, Account, body)\n"
    "    except IntegrityError:\n"
    "        pass\n"
    '    return {"ok": True}\n'
)


def test_a_handler_of_the_drivers_class_is_swapped_for_sqlalchemys(tmp_path: Path) -> None:
    _write(tmp_path, {"generic.py": GENERIC, "routes.py": LIKE_ROUTE})
    (found,) = _found(tmp_path)
    assert found.title == "Catch sqlalchemy.exc.IntegrityError, not sqlite3.IntegrityError"
    new = apply_suggestion(found)[str(tmp_path / "app" / "routes.py")]
    ast.parse(new)
    assert new.startswith(
        "import logging\n\n"
        "from fastapi import APIRouter, Depends\n"
        "from sqlalchemy.exc import IntegrityError\n"
        "from sqlalchemy.orm import Session\n"
    )
    assert "    except IntegrityError:\n        db.rollback()\n    return" in new
    assert _found_after(tmp_path, new) == []


def _found_after(root: Path, routes: str) -> list[Suggestion]:
    (root / "app" / "routes.py").write_text(routes, encoding="utf-8")
    return _found(root)


def test_a_dotted_driver_class_is_renamed_and_a_raw_connection_is_silent(
    tmp_path: Path,
) -> None:
    dotted = LIKE_ROUTE.replace(
        "from sqlite3 import IntegrityError\n", "import psycopg2\n"
    ).replace("except IntegrityError:", "except psycopg2.IntegrityError:")
    _write(tmp_path, {"generic.py": GENERIC, "routes.py": dotted})
    (found,) = _found(tmp_path)
    assert found.title == "Catch sqlalchemy.exc.IntegrityError, not psycopg2.IntegrityError"
    new = apply_suggestion(found)[str(tmp_path / "app" / "routes.py")]
    assert "    except IntegrityError:\n" in new
    assert "from sqlalchemy.exc import IntegrityError\n" in new
    # the twin: the driver's own connection raises the driver's class
    raw = (
        "import sqlite3\n\n"
        "from fastapi import APIRouter\n\n"
        "router = APIRouter()\n\n\n"
        '@router.put("/tags/{name}")\n'
        "def add_tag(name: str):\n"
        '    conn = sqlite3.connect("app.db")\n'
        "    try:\n"
        '        conn.execute("INSERT INTO tags VALUES (?)", (name,))\n'
        "        conn.commit()\n"
        "    except sqlite3.IntegrityError:\n"
        "        pass\n"
        '    return {"ok": True}\n'
    )
    _write(tmp_path, {"generic.py": GENERIC, "routes.py": raw})
    assert _found(tmp_path) == []
