"""BKD330: a route's ``session.delete(parent)`` and commit, in a repository two calls below it
(route -> gateway -> repository, an app run from its own folder), on a model whose rows another
table's foreign key holds. A real SQLModel app on PostgreSQL deleted a cart whose ``items``
relationship had no cascade (SQLAlchemy nulls ``cartitem.cart_id``, a NOT NULL column), a user
that ``cart.user_id`` references with no relationship back, and a product cart items point at:
three IntegrityErrors, three 500s, judged musts. Silent twins: a cascade, a nullable key with a
relationship, an ``ondelete`` rule (in the model or a migration), a function that deletes the
children first, a ``try`` in the repository or in the gateway, an app-wide handler, a function
no route reaches, and a SQLite app where only the database would refuse."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from typing import List, Optional
from uuid import UUID, uuid4

from sqlmodel import Field, Relationship, SQLModel


class Customer(SQLModel, table=True):
    id: UUID = Field(default_factory=uuid4, primary_key=True)
    name: str


class Basket(SQLModel, table=True):
    id: UUID = Field(default_factory=uuid4, primary_key=True)
    customer_id: UUID = Field(foreign_key="customer.id")
    lines: List["BasketLine"] = Relationship(back_populates="basket")


class BasketLine(SQLModel, table=True):
    id: UUID = Field(default_factory=uuid4, primary_key=True)
    basket_id: UUID = Field(foreign_key="basket.id")
    basket: "Basket" = Relationship(back_populates="lines")


class Shelf(SQLModel, table=True):
    id: int = Field(primary_key=True)
    books: List["Book"] = Relationship(cascade_delete=True)


class Book(SQLModel, table=True):
    id: int = Field(primary_key=True)
    shelf_id: int = Field(foreign_key="shelf.id")


class Label(SQLModel, table=True):
    id: int = Field(primary_key=True)
    notes: List["Note"] = Relationship()


class Note(SQLModel, table=True):
    id: int = Field(primary_key=True)
    label_id: Optional[int] = Field(default=None, foreign_key="label.id")


class Supplier(SQLModel, table=True):
    id: int = Field(primary_key=True)


class Delivery(SQLModel, table=True):
    id: int = Field(primary_key=True)
    supplier_id: int = Field(foreign_key="supplier.id", ondelete="CASCADE")
"""
DATABASE = """\
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

engine = create_async_engine("postgresql+asyncpg://shop:shop@db/shop")


@asynccontextmanager
async def get_session():
    async with AsyncSession(engine) as session:
        yield session
"""
REPOSITORY = """\
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from database import get_session
from models import Basket, BasketLine, Customer, Label, Shelf, Supplier


class Repository:
    @staticmethod
    async def delete_basket(basket_id: UUID) -> Basket:
        async with get_session() as session:
            basket = await session.get(Basket, basket_id)
            await session.delete(basket)
            await session.commit()
            return basket

    @staticmethod
    async def delete_customer(customer_id: UUID) -> Customer:
        async with get_session() as session:
            customer = await session.get(Customer, customer_id)
            await session.delete(customer)
            await session.commit()
            return customer

    @staticmethod
    async def delete_customer_caught(customer_id: UUID) -> None:
        async with get_session() as session:
            customer = await session.get(Customer, customer_id)
            try:
                await session.delete(customer)
                await session.commit()
            except IntegrityError:
                await session.rollback()
                raise

    @staticmethod
    async def delete_customer_unreached(customer_id: UUID) -> None:
        async with get_session() as session:
            await session.delete(await session.get(Customer, customer_id))
            await session.commit()

    @staticmethod
    async def delete_basket_and_lines(basket_id: UUID) -> None:
        async with get_session() as session:
            basket = await session.get(Basket, basket_id)
            for line in basket.lines:
                await session.delete(line)
            await session.delete(basket)
            await session.commit()

    @staticmethod
    async def delete_shelf(shelf_id: int) -> None:
        async with get_session() as session:
            shelf = await session.get(Shelf, shelf_id)
            await session.delete(shelf)
            await session.commit()

    @staticmethod
    async def delete_label(label_id: int) -> None:
        async with get_session() as session:
            label = await session.get(Label, label_id)
            await session.delete(label)
            await session.commit()

    @staticmethod
    async def delete_supplier(supplier_id: int) -> None:
        async with get_session() as session:
            supplier = await session.get(Supplier, supplier_id)
            await session.delete(supplier)
            await session.commit()
"""
GATEWAY = """\
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from exceptions import Conflict
from repository.shop import Repository


class Gateway:
    @classmethod
    async def delete_basket(cls, basket_id: UUID):
        return await Repository.delete_basket(basket_id)

    @classmethod
    async def delete_customer(cls, customer_id: UUID):
        return await Repository.delete_customer(customer_id)

    @classmethod
    async def delete_customer_guarded(cls, customer_id: UUID):
        try:
            return await Repository.delete_customer(customer_id)
        except IntegrityError as exc:
            raise Conflict(str(exc))
"""
EXCEPTIONS = """\
class Conflict(Exception):
    pass
"""
MAIN = """\
from uuid import UUID

from fastapi import FastAPI

from gateway.shop import Gateway
from repository.shop import Repository

app = FastAPI()


@app.delete("/baskets/{basket_id}")
async def delete_basket(basket_id: UUID):
    return await Gateway.delete_basket(basket_id)


@app.delete("/customers/{customer_id}")
async def delete_customer(customer_id: UUID):
    return await Gateway.delete_customer(customer_id)


@app.delete("/guarded/{customer_id}")
async def delete_customer_guarded(customer_id: UUID):
    return await Gateway.delete_customer_guarded(customer_id)


@app.delete("/caught/{customer_id}")
async def delete_customer_caught(customer_id: UUID):
    await Repository.delete_customer_caught(customer_id)


@app.delete("/whole/{basket_id}")
async def delete_basket_and_lines(basket_id: UUID):
    await Repository.delete_basket_and_lines(basket_id)


@app.delete("/shelves/{shelf_id}")
async def delete_shelf(shelf_id: int):
    await Repository.delete_shelf(shelf_id)


@app.delete("/labels/{label_id}")
async def delete_label(label_id: int):
    await Repository.delete_label(label_id)


@app.delete("/suppliers/{supplier_id}")
async def delete_supplier(supplier_id: int):
    await Repository.delete_supplier(supplier_id)
"""


def _app(root: Path, **changed: str) -> Path:
    (root / "requirements.txt").write_text(
        changed.pop("requirements", "fastapi==0.115.11\nsqlmodel==0.0.24\nasyncpg==0.30.0\n")
    )
    app = root / "app"
    (app / "repository").mkdir(parents=True)
    (app / "gateway").mkdir()
    files = {
        "models.py": MODELS,
        "database.py": DATABASE,
        "exceptions.py": EXCEPTIONS,
        "repository/shop.py": REPOSITORY,
        "gateway/shop.py": GATEWAY,
        "main.py": MAIN,
    }
    files.update({k.replace("__", "/") + ".py": v for k, v in changed.items()})
    for name, text in files.items():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_text(text, encoding="utf-8")
    return app


def _found(root: Path) -> list[Suggestion]:
    return sorted(
        (s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD330"),
        key=lambda s: (s.path, s.span.start.line),
    )


def _where(found: list[Suggestion], root: Path) -> list[tuple[str, int, str]]:
    return [(str(Path(s.path).relative_to(root)), s.span.start.line + 1, s.title) for s in found]


def test_deletes_a_child_holds_are_reported_where_the_repository_deletes(
    tmp_path: Path,
) -> None:
    _app(tmp_path)
    assert _where(_found(tmp_path), tmp_path) == [
        ("app/repository/shop.py", 14, "Delete BasketLine rows with their Basket"),
        ("app/repository/shop.py", 22, "Answer 409 when a referenced Customer is deleted"),
    ]


def test_a_relationship_without_cascade_gets_sqlmodels_cascade_delete(tmp_path: Path) -> None:
    app = _app(tmp_path)
    basket = _found(tmp_path)[0]
    assert "Basket.lines has no delete cascade" in basket.rationale
    assert "basketline.basket_id to NULL" in basket.rationale
    assert "reached from the route `delete_basket`" in basket.rationale
    (edit,) = basket.edits
    assert edit.path == str(app / "models.py")  # the fix is the model's, the finding the delete's
    new = apply_suggestion(basket)[str(app / "models.py")]
    assert (
        '    lines: List["BasketLine"] = Relationship(back_populates="basket", cascade_delete=True)\n'
        in new
    )
    ast.parse(new)
    assert [s.title for s in _found(tmp_path)] == [
        "Answer 409 when a referenced Customer is deleted"
    ]


def test_before_sqlmodel_0_0_21_the_cascade_goes_through_sa_relationship_kwargs(
    tmp_path: Path,
) -> None:
    app = _app(tmp_path, requirements="fastapi\nsqlmodel==0.0.16\nasyncpg\n")
    new = apply_suggestion(_found(tmp_path)[0])[str(app / "models.py")]
    assert (
        'Relationship(back_populates="basket", '
        'sa_relationship_kwargs={"cascade": "all, delete-orphan"})'
    ) in new
    ast.parse(new)


def test_a_row_no_relationship_holds_is_answered_409_on_postgresql(tmp_path: Path) -> None:
    app = _app(tmp_path)
    customer = _found(tmp_path)[1]
    assert "basket.customer_id references it with no ON DELETE rule" in customer.rationale
    assert "PostgreSQL (" in customer.rationale
    new = apply_suggestion(customer)[str(app / "repository" / "shop.py")]
    assert (
        "            customer = await session.get(Customer, customer_id)\n"
        "            try:\n"
        "                await session.delete(customer)\n"
        "                await session.commit()\n"
        "            except IntegrityError as exc:\n"
        "                await session.rollback()\n"
        "                raise HTTPException(\n"
        "                    status_code=409,\n"
        '                    detail="This Customer is still referenced by Basket rows.",\n'
        "                ) from exc\n"
        "            return customer\n"
    ) in new
    assert "from fastapi import HTTPException\n" in new
    ast.parse(new)
    assert [s.title for s in _found(tmp_path)] == ["Delete BasketLine rows with their Basket"]


def test_a_migrations_ondelete_rule_lets_the_database_delete_them(tmp_path: Path) -> None:
    migration = """\
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "basket",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
"""
    _app(tmp_path, migrations__versions__0001_baskets=migration)
    assert [s.title for s in _found(tmp_path)] == ["Delete BasketLine rows with their Basket"]


def test_a_later_migrations_foreign_key_rule_counts_too(tmp_path: Path) -> None:
    migration = """\
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.drop_constraint("basket_customer_id_fkey", "basket", type_="foreignkey")
    op.create_foreign_key(
        None, "basket", "customer", ["customer_id"], ["id"], ondelete="CASCADE"
    )
"""
    _app(tmp_path, migrations__versions__0002_cascade=migration)
    assert [s.title for s in _found(tmp_path)] == ["Delete BasketLine rows with their Basket"]


def test_on_sqlite_only_the_relationships_null_is_refused(tmp_path: Path) -> None:
    _app(
        tmp_path,
        requirements="fastapi\nsqlmodel==0.0.24\naiosqlite\n",
        database=DATABASE.replace(
            "postgresql+asyncpg://shop:shop@db/shop", "sqlite+aiosqlite:///shop.db"
        ),
    )
    assert [s.title for s in _found(tmp_path)] == ["Delete BasketLine rows with their Basket"]


def test_an_app_wide_handler_for_integrity_errors_answers_them(tmp_path: Path) -> None:
    main = MAIN.replace(
        "app = FastAPI()\n",
        "app = FastAPI()\n\n\n"
        "@app.exception_handler(IntegrityError)\n"
        "async def conflict(request, exc):\n"
        "    return JSONResponse(status_code=409, content={'detail': 'conflict'})\n",
    ).replace(
        "from fastapi import FastAPI\n",
        "from fastapi import FastAPI\nfrom fastapi.responses import JSONResponse\n"
        "from sqlalchemy.exc import IntegrityError\n",
    )
    _app(tmp_path, main=main)
    assert _found(tmp_path) == []


def test_a_plain_sqlalchemy_relationship_gets_the_cascade_keyword(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    (tmp_path / "app.py").write_text(
        "from flask import Flask\n"
        "from flask_sqlalchemy import SQLAlchemy\n\n"
        "app = Flask(__name__)\n"
        "db = SQLAlchemy(app)\n\n\n"
        "class Album(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    tracks = db.relationship(\n"
        '        "Track",\n'
        '        backref="album",\n'
        "    )\n\n\n"
        "class Track(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        '    album_id = db.Column(db.Integer, db.ForeignKey("album.id"), nullable=False)\n\n\n'
        '@app.delete("/albums/<int:album_id>")\n'
        "def delete_album(album_id):\n"
        "    album = Album.query.get_or_404(album_id)\n"
        "    db.session.delete(album)\n"
        "    db.session.commit()\n"
        '    return "", 204\n\n\n'
        '@app.delete("/checked/<int:album_id>")\n'
        "def delete_checked(album_id):\n"
        "    album = Album.query.get_or_404(album_id)\n"
        "    if album.tracks:\n"
        '        return {"error": "the album has tracks"}, 409\n'
        "    db.session.delete(album)\n"
        "    db.session.commit()\n"
        '    return "", 204\n'
    )
    (found,) = _found(tmp_path)
    assert (found.span.start.line + 1, found.title) == (
        24,
        "Delete Track rows with their Album",
    )
    new = apply_suggestion(found)[str(tmp_path / "app.py")]
    assert (
        "    tracks = db.relationship(\n"
        '        "Track",\n'
        '        backref="album",\n'
        '        cascade="all, delete-orphan",\n'
        "    )\n"
    ) in new
    ast.parse(new)
    assert _found(tmp_path) == []


def test_an_association_table_and_a_nullable_key_are_left_to_sqlalchemy(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\npsycopg2-binary\n")
    (tmp_path / "app.py").write_text(
        "from flask import Flask\n"
        "from flask_sqlalchemy import SQLAlchemy\n\n"
        "app = Flask(__name__)\n"
        "db = SQLAlchemy(app)\n\n"
        "tags = db.Table(\n"
        '    "post_tag",\n'
        '    db.Column("post_id", db.Integer, db.ForeignKey("post.id")),\n'
        '    db.Column("tag_id", db.Integer, db.ForeignKey("tag.id")),\n'
        ")\n\n\n"
        "class Tag(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n\n\n"
        "class Post(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        '    tags = db.relationship("Tag", secondary=tags, backref="posts")\n'
        '    comments = db.relationship("Comment", backref="post")\n\n\n'
        "class Comment(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        '    post_id = db.Column(db.Integer, db.ForeignKey("post.id"))\n\n\n'
        '@app.delete("/posts/<int:post_id>")\n'
        "def delete_post(post_id):\n"
        "    post = db.session.get(Post, post_id)\n"
        "    db.session.delete(post)\n"
        "    db.session.commit()\n"
        '    return "", 204\n\n\n'
        '@app.delete("/tags/<int:tag_id>")\n'
        "def delete_tag(tag_id):\n"
        "    tag = db.session.query(Tag).filter_by(id=tag_id).first()\n"
        "    db.session.delete(tag)\n"
        "    db.session.commit()\n"
        '    return "", 204\n'
    )
    assert _found(tmp_path) == []
