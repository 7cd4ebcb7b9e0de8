"""BKD215: a FastAPI body field with no length limit, written to a column that has one, on a
database that refuses a longer value (PostgreSQL, MySQL). Each true positive has a clean twin."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

POSTGRES = '[project]\nname = "shop"\ndependencies = ["fastapi", "sqlalchemy", "psycopg[binary]"]\n'
SQLITE_ONLY = '[project]\nname = "shop"\ndependencies = ["fastapi", "sqlalchemy"]\n'
MYSQL = '[project]\nname = "shop"\ndependencies = ["fastapi", "sqlalchemy", "PyMySQL"]\n'
MODELS = (
    "from sqlalchemy import Column, Integer, String, Text\n"
    "from sqlalchemy.orm import declarative_base\n\n"
    "Base = declarative_base()\n\n\n"
    "class Product(Base):\n"
    '    __tablename__ = "products"\n'
    "    id = Column(Integer, primary_key=True)\n"
    "    name = Column(String(50), nullable=False)\n"
    "    sku = Column(String(20))\n"
    "    description = Column(Text)\n"
)
SCHEMAS = (
    "from pydantic import BaseModel\n\n\n"
    "class ProductIn(BaseModel):\n"
    "    name: str\n"
    "    description: str | None = None\n"
)
ROUTES = (
    "from fastapi import Depends, FastAPI\n"
    "from sqlalchemy.orm import Session\n\n"
    "from shop.models import Product\n"
    "from shop.schemas import ProductIn\n\n"
    "app = FastAPI()\n\n\n"
    "def get_db():\n"
    "    yield Session()\n\n\n"
    '@app.post("/products")\n'
    "def create_product(body: ProductIn, db: Session = Depends(get_db)):\n"
    "    row = Product(**body.model_dump())\n"
    "    db.add(row)\n"
    "    db.commit()\n"
    '    return {"id": row.id}\n'
)


def _project(root: Path, files: dict[str, str], manifest: str = POSTGRES) -> Path:
    base = {"pyproject.toml": manifest, "shop/__init__.py": "", "shop/models.py": MODELS}
    for rel, text in {**base, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD215"]


def test_a_splatted_body_field_gets_its_columns_length(tmp_path: Path) -> None:
    root = _project(tmp_path, {"shop/schemas.py": SCHEMAS, "shop/routes.py": ROUTES})
    (found,) = _found(root)  # the Text column has no length: nothing for description
    assert found.title == "Limit ProductIn.name to 50 characters, as its column"
    assert found.path.endswith("routes.py")
    assert found.span.start.line == 14  # the route's ``body`` parameter
    assert "`create_product` writes it to `Product.name`, a `String(50)` column" in (
        found.rationale
    )
    assert "On PostgreSQL (it declares psycopg)" in found.rationale
    schemas = str(root / "shop" / "schemas.py")
    assert [(e.path, e.new_text) for e in found.edits] == [
        (schemas, "from pydantic import BaseModel, Field"),
        (schemas, " = Field(max_length=50)"),
    ]
    new = apply_suggestion(found)[schemas]
    ast.parse(new)
    assert "    name: str = Field(max_length=50)\n" in new
    assert _found(root) == []


def test_an_existing_field_keeps_its_arguments(tmp_path: Path) -> None:
    schemas = (
        "from pydantic import BaseModel, Field\n\n\n"
        "class ProductIn(BaseModel):\n"
        '    name: str = Field(..., description="Shown on the shelf")\n'
        "    sku: str | None = None\n"
    )
    root = _project(tmp_path, {"shop/schemas.py": schemas, "shop/routes.py": ROUTES})
    found = _found(root)
    assert [s.title for s in found] == [
        "Limit ProductIn.name to 50 characters, as its column",
        "Limit ProductIn.sku to 20 characters, as its column",
    ]
    path = str(root / "shop" / "schemas.py")
    new = apply_suggestion(found[0])[path]
    assert '    name: str = Field(..., description="Shown on the shelf", max_length=50)\n' in new
    new = apply_suggestion(_found(root)[0])[path]
    ast.parse(new)
    assert "    sku: str | None = Field(None, max_length=20)\n" in new
    assert _found(root) == []


def test_an_sqlite_app_and_a_folder_on_sqlite_get_nothing(tmp_path: Path) -> None:
    files = {"shop/schemas.py": SCHEMAS, "shop/routes.py": ROUTES}
    assert _found(_project(tmp_path / "plain", files, SQLITE_ONLY)) == []
    # psycopg declared, but the models' own folder connects to SQLite
    beside = {**files, "shop/database.py": 'URL = "sqlite:///./shop.db"\n'}
    assert _found(_project(tmp_path / "beside", beside)) == []


def test_a_mysql_app_is_told_so(tmp_path: Path) -> None:
    files = {"shop/schemas.py": SCHEMAS, "shop/routes.py": ROUTES}
    (found,) = _found(_project(tmp_path, files, MYSQL))
    assert "On MySQL (it declares pymysql; its default strict mode refuses it)" in (found.rationale)


def test_bounded_or_validated_fields_are_left_alone(tmp_path: Path) -> None:
    bounded = {
        "max_length": "    name: str = Field(max_length=40)\n",
        "pattern": '    name: str = Field(pattern="^[a-z]+$")\n',
        "constr": "    name: constr(max_length=50)\n",
        "annotated": "    name: Annotated[str, Field(max_length=50)]\n",
        "literal": '    name: Literal["a", "b"]\n',
    }
    head = (
        "from typing import Annotated, Literal\n\n"
        "from pydantic import BaseModel, ConfigDict, Field, constr, field_validator\n\n\n"
        "class ProductIn(BaseModel):\n"
    )
    for case, line in bounded.items():
        root = _project(tmp_path / case, {"shop/schemas.py": head + line, "shop/routes.py": ROUTES})
        assert _found(root) == [], case
    validated = head + (
        "    name: str\n\n"
        '    @field_validator("name")\n'
        "    @classmethod\n"
        "    def short(cls, v):\n"
        "        return v[:50]\n"
    )
    root = _project(
        tmp_path / "validator", {"shop/schemas.py": validated, "shop/routes.py": ROUTES}
    )
    assert _found(root) == []
    # a base's model-wide string limit
    configured = head.replace("class ProductIn(BaseModel):\n", "") + (
        "class Strict(BaseModel):\n"
        "    model_config = ConfigDict(str_max_length=50)\n\n\n"
        "class ProductIn(Strict):\n"
        "    name: str\n"
    )
    root = _project(tmp_path / "config", {"shop/schemas.py": configured, "shop/routes.py": ROUTES})
    assert _found(root) == []


def test_a_keyword_an_attribute_and_a_setattr_loop_reach_the_column(tmp_path: Path) -> None:
    routes = ROUTES + (
        "\n\n"
        '@app.put("/products/{product_id}")\n'
        "def rename(product_id: int, body: ProductIn, db: Session = Depends(get_db)):\n"
        "    row = db.get(Product, product_id)\n"
        "    row.name = body.name\n"
        "    db.commit()\n\n\n"
        '@app.patch("/products/{product_id}")\n'
        "def patch(product_id: int, body: ProductIn, db: Session = Depends(get_db)):\n"
        "    row = db.get(Product, product_id)\n"
        "    for key, value in body.model_dump(exclude_unset=True).items():\n"
        "        setattr(row, key, value)\n"
        "    db.commit()\n"
    )
    root = _project(tmp_path, {"shop/schemas.py": SCHEMAS, "shop/routes.py": routes})
    (found,) = _found(root)  # one field of one model: one suggestion for the three routes
    assert found.span.start.line == 14
    assert "The same edit also fixes: routes.py:23, routes.py:30." in found.rationale
    keyword = routes.replace(
        "    row = Product(**body.model_dump())\n", "    row = Product(name=body.name)\n"
    )
    keyword = keyword.split("\n\n\n@app.put")[0] + "\n"
    root = _project(tmp_path / "keyword", {"shop/schemas.py": SCHEMAS, "shop/routes.py": keyword})
    (found,) = _found(root)
    assert found.title == "Limit ProductIn.name to 50 characters, as its column"


def test_a_value_the_handler_shapes_or_excludes_is_left_alone(tmp_path: Path) -> None:
    shaped = {
        "sliced": "    row = Product(name=body.name[:50])\n",
        "measured": (
            "    if len(body.name) > 50:\n"
            "        raise ValueError('too long')\n"
            "    row = Product(**body.model_dump())\n"
        ),
        "excluded": '    row = Product(**body.model_dump(exclude={"name"}), name="x")\n',
        "renamed": "    row = Product(sku=body.name)\n",
    }
    for case, line in shaped.items():
        routes = ROUTES.replace("    row = Product(**body.model_dump())\n", line)
        root = _project(tmp_path / case, {"shop/schemas.py": SCHEMAS, "shop/routes.py": routes})
        assert _found(root) == [], case
    caught = ROUTES.replace(
        "    db.commit()\n",
        "    try:\n        db.commit()\n    except DataError:\n        db.rollback()\n        raise\n",
    ).replace(
        "from sqlalchemy.orm import Session\n",
        "from sqlalchemy.exc import DataError\nfrom sqlalchemy.orm import Session\n",
    )
    root = _project(tmp_path / "caught", {"shop/schemas.py": SCHEMAS, "shop/routes.py": caught})
    assert _found(root) == []


def test_a_dependency_and_a_pydantic_namesake_are_no_write(tmp_path: Path) -> None:
    # ``schemas.Product`` is the response model, not the table ``models.Product``
    schemas = SCHEMAS + "\n\nclass Product(BaseModel):\n    name: str\n"
    routes = ROUTES.replace("from shop.models import Product\n", "from shop import schemas\n")
    routes = routes.replace(
        "    row = Product(**body.model_dump())\n",
        "    row = schemas.Product(**body.model_dump())\n",
    )
    root = _project(tmp_path / "namesake", {"shop/schemas.py": schemas, "shop/routes.py": routes})
    assert _found(root) == []
    # the current user comes from the database, not the request
    depends = ROUTES.replace(
        "def create_product(body: ProductIn, db: Session = Depends(get_db)):\n",
        "def create_product(body: ProductIn = Depends(get_db), db: Session = Depends(get_db)):\n",
    )
    root = _project(tmp_path / "depends", {"shop/schemas.py": SCHEMAS, "shop/routes.py": depends})
    assert _found(root) == []


SQLMODEL_MODELS = (
    "from sqlmodel import Field, SQLModel\n\n\n"
    "class Hero(SQLModel, table=True):\n"
    "    id: int | None = Field(default=None, primary_key=True)\n"
    "    name: str = Field(index=True, max_length=30)\n"
    "    secret_name: str\n\n\n"
    "class HeroCreate(SQLModel):\n"
    "    name: str\n"
    "    secret_name: str\n"
)
SQLMODEL_ROUTES = (
    "from fastapi import FastAPI\n"
    "from sqlmodel import Session\n\n"
    "from shop.models import Hero, HeroCreate\n\n"
    "app = FastAPI()\n\n\n"
    '@app.post("/heroes")\n'
    "def create_hero(hero: HeroCreate):\n"
    "    with Session() as session:\n"
    "        row = Hero.model_validate(hero)\n"
    "        session.add(row)\n"
    "        session.commit()\n"
    "        return row\n"
)


def test_a_sqlmodel_table_field_length_bounds_its_create_model(tmp_path: Path) -> None:
    files = {"shop/models.py": SQLMODEL_MODELS, "shop/routes.py": SQLMODEL_ROUTES}
    root = _project(tmp_path, files)
    (found,) = _found(root)  # secret_name has no length
    assert found.title == "Limit HeroCreate.name to 30 characters, as its column"
    assert "to `Hero.name`, a `Field(max_length=30)` column" in found.rationale
    models = str(root / "shop" / "models.py")
    assert [(e.path, e.new_text) for e in found.edits] == [(models, " = Field(max_length=30)")]
    new = apply_suggestion(found)[models]
    ast.parse(new)
    assert "class HeroCreate(SQLModel):\n    name: str = Field(max_length=30)\n" in new
    assert _found(root) == []


ANNOTATED_SCHEMAS = (
    "from typing import Annotated\n\n"
    "from pydantic import BaseModel, Field\n\n\n"
    "class ProductIn(BaseModel):\n"
    "    name: str\n"
    '    sku: Annotated[str, Field(description="Stock keeping unit")]\n'
)


def test_a_module_writing_annotated_fields_gets_annotated(tmp_path: Path) -> None:
    files = {"shop/schemas.py": ANNOTATED_SCHEMAS, "shop/routes.py": ROUTES}
    root = _project(tmp_path, files)
    first, second = _found(root)
    path = str(root / "shop" / "schemas.py")
    new = apply_suggestion(first)[path]
    ast.parse(new)
    assert "    name: Annotated[str, Field(max_length=50)]\n" in new
    new = apply_suggestion(second)[path]
    ast.parse(new)
    assert (
        '    sku: Annotated[str, Field(description="Stock keeping unit", max_length=20)]\n' in new
    )
    assert _found(root) == []


CRUD_MODELS = (
    "from sqlmodel import Field, SQLModel\n\n\n"
    "class Camera(SQLModel, table=True):\n"
    "    id: int | None = Field(default=None, primary_key=True)\n"
    "    name: str = Field(max_length=100)\n"
)
CRUD = (
    "from typing import Generic, Type, TypeVar\n\n"
    "from shop.models import Camera\n"
    "from shop.schemas import CameraCreate\n\n"
    'ModelType = TypeVar("ModelType")\n'
    'CreateType = TypeVar("CreateType")\n\n\n'
    "class BaseCRUD(Generic[ModelType, CreateType]):\n"
    "    def __init__(self, session, model: Type[ModelType]) -> None:\n"
    "        self.session = session\n"
    "        self.model = model\n\n"
    "    async def create(self, payload: CreateType) -> ModelType:\n"
    "        entry = self.model(**payload.model_dump())\n"
    "        self.session.add(entry)\n"
    "        await self.session.commit()\n"
    "        return entry\n\n\n"
    "class CameraCRUD(BaseCRUD[Camera, CameraCreate]):\n"
    "    def __init__(self, session) -> None:\n"
    "        super().__init__(session, Camera)\n"
)
CRUD_ROUTES = (
    "from fastapi import Depends, FastAPI\n\n"
    "from shop.crud import CameraCRUD\n"
    "from shop.schemas import CameraCreate\n\n"
    "app = FastAPI()\n\n\n"
    "def get_camera_crud() -> CameraCRUD:\n"
    "    return CameraCRUD(None)\n\n\n"
    '@app.post("/cameras")\n'
    "async def create_camera(\n"
    "    payload: CameraCreate, cameras: CameraCRUD = Depends(get_camera_crud)\n"
    "):\n"
    "    return await cameras.create(payload)\n"
)


def test_a_generic_crud_writes_the_model_its_subclass_names(tmp_path: Path) -> None:
    schemas = "from pydantic import BaseModel\n\n\nclass CameraCreate(BaseModel):\n    name: str\n"
    files = {
        "shop/models.py": CRUD_MODELS,
        "shop/schemas.py": schemas,
        "shop/crud.py": CRUD,
        "shop/routes.py": CRUD_ROUTES,
    }
    root = _project(tmp_path, files)
    (found,) = _found(root)
    assert found.title == "Limit CameraCreate.name to 100 characters, as its column"
    assert "writes it (through `create`) to `Camera.name`" in found.rationale
    new = apply_suggestion(found)[str(root / "shop" / "schemas.py")]
    ast.parse(new)
    assert "    name: str = Field(max_length=100)\n" in new


NESTED_MODELS = MODELS + (
    "\n\nclass Email(Base):\n"
    '    __tablename__ = "emails"\n'
    "    id = Column(Integer, primary_key=True)\n"
    "    primary_email = Column(String(255), nullable=False)\n\n\n"
    "class Newsletter(Base):\n"
    '    __tablename__ = "newsletters"\n'
    "    id = Column(Integer, primary_key=True)\n"
    "    email_id = Column(Integer)\n"
    "    name = Column(String(255), nullable=False)\n"
)
NESTED_SCHEMAS = (
    "from pydantic import BaseModel, Field\n\n\n"
    "class EmailIn(BaseModel):\n"
    "    primary_email: str\n\n\n"
    "class NewsletterIn(BaseModel):\n"
    "    name: str\n\n\n"
    "class ContactIn(BaseModel):\n"
    "    email: EmailIn\n"
    "    newsletters: list[NewsletterIn] = Field(default_factory=list)\n"
)
NESTED_CRUD = (
    "from shop.models import Email, Newsletter\n"
    "from shop.schemas import ContactIn, EmailIn, NewsletterIn\n\n\n"
    "def create_email(db, email: EmailIn):\n"
    "    db.add(Email(**email.model_dump()))\n\n\n"
    "def create_newsletter(db, email_id, newsletter: NewsletterIn):\n"
    "    db.add(Newsletter(email_id=email_id, **newsletter.model_dump()))\n\n\n"
    "def create_contact(db, email_id, contact: ContactIn):\n"
    "    create_email(db, contact.email)\n"
    "    for newsletter in contact.newsletters:\n"
    "        create_newsletter(db, email_id, newsletter)\n"
)
NESTED_ROUTES = (
    "from fastapi import FastAPI\n\n"
    "from shop.crud import create_contact\n"
    "from shop.schemas import ContactIn\n\n"
    "app = FastAPI()\n\n\n"
    '@app.post("/contacts")\n'
    "def post_contact(contact: ContactIn):\n"
    "    db = object()\n"
    "    create_contact(db, 1, contact)\n"
)


def test_nested_models_reach_their_tables_two_calls_down(tmp_path: Path) -> None:
    files = {
        "shop/models.py": NESTED_MODELS,
        "shop/schemas.py": NESTED_SCHEMAS,
        "shop/crud.py": NESTED_CRUD,
        "shop/routes.py": NESTED_ROUTES,
    }
    root = _project(tmp_path, files)
    found = _found(root)
    assert [s.title for s in found] == [
        "Limit EmailIn.primary_email to 255 characters, as its column",
        "Limit NewsletterIn.name to 255 characters, as its column",
    ]
    assert "(through `create_newsletter`) to `Newsletter.name`" in found[1].rationale
    path = str(root / "shop" / "schemas.py")
    new = apply_suggestion(found[0])[path]
    ast.parse(new)
    assert "    primary_email: str = Field(max_length=255)\n" in new


TEMPLATE_BASE = (
    "from typing import Generic, Type, TypeVar\n\n"
    "from fastapi.encoders import jsonable_encoder\n\n"
    'ModelType = TypeVar("ModelType")\n\n\n'
    "class CRUDBase(Generic[ModelType]):\n"
    "    def __init__(self, model: Type[ModelType]):\n"
    "        self.model = model\n\n"
    "    def create(self, db, *, obj_in):\n"
    "        obj_in_data = jsonable_encoder(obj_in)\n"
    "        db_obj = self.model(**obj_in_data)\n"
    "        db.add(db_obj)\n"
    "        return db_obj\n"
)
TEMPLATE_PRODUCT = (
    "from shop.crud.base import CRUDBase\n"
    "from shop.models import Product\n\n\n"
    "class CRUDProduct(CRUDBase[Product]):\n"
    "    pass\n\n\n"
    "product = CRUDProduct(Product)\n"
)
TEMPLATE_ROUTES = (
    "from fastapi import FastAPI\n\n"
    "from shop import crud\n"
    "from shop.schemas import ProductIn\n\n"
    "app = FastAPI()\n\n\n"
    '@app.post("/products")\n'
    "def create_product(body: ProductIn):\n"
    "    return crud.product.create(None, obj_in=body)\n"
)


def test_a_crud_helper_given_the_body_writes_it(tmp_path: Path) -> None:
    files = {
        "shop/schemas.py": SCHEMAS,
        "shop/crud/__init__.py": "from .crud_product import product\n",
        "shop/crud/base.py": TEMPLATE_BASE,
        "shop/crud/crud_product.py": TEMPLATE_PRODUCT,
        "shop/routes.py": TEMPLATE_ROUTES,
    }
    (found,) = _found(_project(tmp_path / "template", files))
    assert "writes it (through `create`) to `Product.name`" in found.rationale
    function = (
        "from shop.models import Product\n\n\n"
        "def create(db, obj_in):\n"
        "    db_obj = Product(**obj_in.dict())\n"
        "    db.add(db_obj)\n"
        "    return db_obj\n"
    )
    routes = TEMPLATE_ROUTES.replace("crud.product.create(None,", "crud.create(None,")
    files = {"shop/schemas.py": SCHEMAS, "shop/crud.py": function, "shop/routes.py": routes}
    (found,) = _found(_project(tmp_path / "function", files))
    assert found.title == "Limit ProductIn.name to 50 characters, as its column"
    # a helper that is handed the body but writes nothing of it
    reads = function.replace("Product(**obj_in.dict())", "Product(name='fixed')")
    files = {"shop/schemas.py": SCHEMAS, "shop/crud.py": reads, "shop/routes.py": routes}
    assert _found(_project(tmp_path / "reads", files)) == []


def test_a_field_written_to_two_columns_gets_the_shorter_length(tmp_path: Path) -> None:
    models = MODELS + (
        "\n\nclass Label(Base):\n"
        '    __tablename__ = "labels"\n'
        "    id = Column(Integer, primary_key=True)\n"
        "    name = Column(String(30))\n"
    )
    routes = ROUTES.replace(
        "from shop.models import Product\n", "from shop.models import Label, Product\n"
    )
    routes = routes.replace(
        "    db.add(row)\n", "    db.add(row)\n    db.add(Label(name=body.name))\n"
    )
    files = {"shop/models.py": models, "shop/schemas.py": SCHEMAS, "shop/routes.py": routes}
    (found,) = _found(_project(tmp_path, files))
    assert found.title == "Limit ProductIn.name to 30 characters, as its column"
    assert "to `Label.name`, a `String(30)` column" in found.rationale


def test_a_trimmed_or_recased_field_still_reaches_its_column(tmp_path: Path) -> None:
    # ``full_name=payload.full_name.strip()`` (a planted set's shape): no shorter than the
    # column allows, so the limit still binds; a slice would bound it (the clean twin).
    routes = ROUTES.replace(
        "    row = Product(**body.model_dump())\n",
        "    row = Product(name=body.name.strip().lower())\n",
    )
    root = _project(tmp_path, {"shop/schemas.py": SCHEMAS, "shop/routes.py": routes})
    (found,) = _found(root)
    assert found.title == "Limit ProductIn.name to 50 characters, as its column"
    sliced = routes.replace("body.name.strip().lower()", "body.name.strip()[:50]")
    (root / "shop" / "routes.py").write_text(sliced, encoding="utf-8")
    assert _found(root) == []
