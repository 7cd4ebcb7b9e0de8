"""BKD214: a page size or offset the client sends reaches ``.limit()``/``.offset()`` (or an
``[offset : offset + limit]`` window) with no bound (a blind review of two FastAPI apps: a
negative LIMIT is PostgreSQL's 500, ``limit=10**9`` the whole table). Each positive asserts
the exact edits, that the edited files parse, and that the rule is then silent; the clean
twins (bounded, clamped, checked, typed, never reaching a query) get nothing."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "shop"\nrequires-python = ">=3.10"\n'
    'dependencies = ["fastapi", "sqlalchemy", "pydantic"]\n'
)
FLASK_PYPROJECT = (
    '[project]\nname = "blog"\nrequires-python = ">=3.10"\n'
    'dependencies = ["flask", "flask-sqlalchemy"]\n'
)
MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column()
"""
HEAD = """\
from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Item

app = FastAPI()


def get_db():
    return Session()

"""


def _project(root: Path, files: dict[str, str], pyproject: str = PYPROJECT) -> Path:
    base = {"pyproject.toml": pyproject, "app/__init__.py": "", "app/models.py": MODELS}
    for rel, text in {**base, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path) -> list[Suggestion]:
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD214"]
    return sorted(found, key=lambda s: (s.path, s.span.start.line))


def _edits(found: Suggestion) -> list[tuple[str, int, str]]:
    return [(Path(e.path).name, e.span.start.line + 1, e.new_text) for e in found.edits]


def _applied_cleanly(root: Path, found: Suggestion) -> dict[str, str]:
    new = apply_suggestion(found)
    for text in new.values():
        ast.parse(text)
    assert _found(root) == []
    return {Path(p).name: t for p, t in new.items()}


def _all_applied(root: Path) -> dict[str, str]:
    """Apply the suggestions one at a time, as the editor would (each one's positions are of
    the text it was made on): each edit parses, and the rule ends silent."""
    new: dict[str, str] = {}
    for _ in range(5):
        found = _found(root)
        if not found:
            return new
        for path, text in apply_suggestion(found[0]).items():
            ast.parse(text)
            new[Path(path).name] = text
    raise AssertionError("the suggestions do not run out")


PLAIN = """
@app.get("/items")
def items(limit: int = 50, offset: int = 0, db: Session = Depends(get_db)):
    return db.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset)).all()
"""


def test_plain_defaults_become_bounded_queries_and_query_is_imported(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/main.py": HEAD + PLAIN})
    (found,) = _found(root)
    assert found.span.start.line + 1 == 15
    assert found.title == "Bound `limit` to 1..100 and `offset` to 0 or more"
    assert found.rationale == (
        "`limit` and `offset` reach `.limit()` and `.offset()` with no bound: a negative "
        "LIMIT or OFFSET is an error on PostgreSQL (a 500), and a huge page "
        "(`limit=1000000000`) reads the whole table into one response. `ge=`/`le=` make "
        "FastAPI answer 422 instead; the cap is 100 (raise it if clients need bigger pages)."
    )
    assert _edits(found) == [
        ("main.py", 1, "from fastapi import Depends, FastAPI, Query"),
        ("main.py", 15, "Query(50, ge=1, le=100)"),
        ("main.py", 15, "Query(0, ge=0)"),
    ]
    new = _applied_cleanly(root, found)["main.py"]
    assert "def items(limit: int = Query(50, ge=1, le=100), offset: int = Query(0, ge=0), " in new


DESCRIBED = """\
from typing import Optional, Union

from fastapi import FastAPI, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Item

app = FastAPI()


@app.get("/items")
def items(
    limit: Union[int, None] = Query(15, description="Maximum number of items"),
    offset: Optional[int] = Query(default=0, description="Items to skip"),
):
    with Session() as db:
        return db.scalars(select(Item).limit(limit).offset(offset)).all()
"""


def test_existing_query_arguments_are_kept(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/main.py": DESCRIBED})
    (found,) = _found(root)
    assert _edits(found) == [("main.py", 14, ", ge=1, le=100"), ("main.py", 15, ", ge=0")]
    new = _applied_cleanly(root, found)["main.py"]
    assert 'Query(15, description="Maximum number of items", ge=1, le=100),' in new
    assert 'Query(default=0, description="Items to skip", ge=0),' in new


ANNOTATED = """\
from typing import Annotated

from fastapi import Depends, FastAPI, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Item

app = FastAPI()
SessionDep = Annotated[Session, Depends(Session)]


@app.get("/items")
def items(
    db: SessionDep,
    skip: Annotated[int, Query(description="rows to skip")] = 0,
    limit: int = 20,
):
    return db.scalars(select(Item).offset(skip).limit(limit)).all()
"""


def test_a_module_that_writes_annotated_parameters_gets_annotated_bounds(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, {"app/main.py": ANNOTATED})
    (found,) = _found(root)
    assert found.title == "Bound `skip` to 0 or more and `limit` to 1..100"
    assert _edits(found) == [
        ("main.py", 16, ", ge=0"),
        ("main.py", 17, "Annotated[int, Query(ge=1, le=100)]"),
    ]
    new = _applied_cleanly(root, found)["main.py"]
    assert 'skip: Annotated[int, Query(description="rows to skip", ge=0)] = 0,' in new
    assert "limit: Annotated[int, Query(ge=1, le=100)] = 20," in new


CAPS = """\
from fastapi import FastAPI, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Item

app = FastAPI()
MAX_PAGE_SIZE = 200
MAX_RETRIES = 5


@app.get("/capped")
def capped(limit: int = 50):
    with Session() as db:
        return db.scalars(select(Item).limit(limit)).all()


@app.get("/everything")
def everything(limit: int | None = None):
    with Session() as db:
        return db.scalars(select(Item).limit(limit)).all()
"""
BIG_DEFAULT = """\
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Item

app = FastAPI()
MAX_LIMIT = 100


@app.get("/export")
def export(limit: int = 1000):
    with Session() as db:
        return db.scalars(select(Item).limit(limit)).all()
"""


def test_the_cap_is_the_apps_constant_or_none_for_a_default_of_every_row(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, {"app/main.py": CAPS})
    capped, everything = _found(root)
    assert capped.title == "Bound `limit` to 1..MAX_PAGE_SIZE"
    assert capped.rationale.endswith("the cap is the app's own `MAX_PAGE_SIZE`.")
    assert _edits(capped) == [("main.py", 13, "Query(50, ge=1, le=MAX_PAGE_SIZE)")]
    assert everything.title == "Bound `limit` to 1 or more"
    assert everything.rationale == (
        "`limit` reaches `.limit()` with no bound: a negative LIMIT is an error on "
        "PostgreSQL (a 500). `ge=` makes FastAPI answer 422 instead."
    )
    assert _edits(everything) == [("main.py", 19, "Query(None, ge=1)")]
    _all_applied(root)


def test_a_default_above_the_apps_cap_is_kept_as_the_cap(tmp_path: Path) -> None:
    # MAX_LIMIT (100) would refuse the route's own default: the default is the cap.
    root = _project(tmp_path, {"app/main.py": BIG_DEFAULT})
    (found,) = _found(root)
    assert _edits(found) == [
        ("main.py", 1, "from fastapi import FastAPI, Query"),
        ("main.py", 12, "Query(1000, ge=1, le=1000)"),
    ]
    assert found.rationale.endswith(
        "the cap is the default, 1000: the most the route serves today."
    )
    _applied_cleanly(root, found)


HELPER_ROUTES = """
from .crud import items as item_crud
from .crud import list_items


@app.get("/items")
def items(skip: int = 0, limit: int = 100, db: Session = Depends(get_db)):
    return list_items(db, skip=skip, limit=limit)


@app.get("/inherited")
def inherited(limit: int = 10, offset: int = 0, db: Session = Depends(get_db)):
    return item_crud.fetch_all(db, limit=limit, offset=offset)
"""
CRUD = """\
from typing import Generic, Optional, TypeVar

from sqlalchemy import select

from .models import Item

T = TypeVar("T")


def list_items(db, skip: int = 0, limit: int = 100):
    return db.scalars(select(Item).offset(skip).limit(limit)).all()


class BaseCRUD(Generic[T]):
    def __init__(self, model):
        self.model = model

    def fetch_all(self, db, limit: Optional[int] = None, offset: Optional[int] = None):
        statement = select(self.model)
        if offset is not None:
            statement = statement.offset(offset)
        if limit is not None:
            statement = statement.limit(limit)
        return db.scalars(statement).all()


class ItemCRUD(BaseCRUD[Item]):
    pass


items = ItemCRUD(Item)
"""


def test_a_value_handed_to_a_crud_helper_or_an_inherited_method_is_followed(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, {"app/main.py": HEAD + HELPER_ROUTES, "app/crud.py": CRUD})
    helper, inherited = _found(root)
    assert helper.title == "Bound `skip` to 0 or more and `limit` to 1..100"
    assert helper.rationale.startswith(
        "`skip` and `limit` reach `.offset()` and `.limit()` in `list_items` with no bound"
    )
    assert _edits(helper)[1:] == [
        ("main.py", 19, "Query(0, ge=0)"),
        ("main.py", 19, "Query(100, ge=1, le=100)"),
    ]
    assert inherited.rationale.startswith(
        "`limit` and `offset` reach `.limit()` and `.offset()` in `BaseCRUD.fetch_all` with no "
        "bound"
    )
    assert _edits(inherited)[1:] == [
        ("main.py", 24, "Query(10, ge=1, le=100)"),
        ("main.py", 24, "Query(0, ge=0)"),
    ]
    _all_applied(root)


MODEL_ROUTES = """
from typing import Annotated

from .schemas import CommonParams, Pagination


@app.get("/model")
def model(page: Pagination = Depends(), db: Session = Depends(get_db)):
    return db.scalars(select(Item).limit(page.limit).offset(page.offset)).all()


@app.get("/common")
def common(commons: Annotated[CommonParams, Depends()], db: Session = Depends(get_db)):
    return db.scalars(select(Item).offset(commons.skip).limit(commons.limit)).all()
"""
SCHEMAS = """\
from pydantic import BaseModel


class Pagination(BaseModel):
    limit: int = 25
    offset: int = 0


class CommonParams:
    def __init__(self, q: str | None = None, skip: int = 0, limit: int = 100):
        self.q = q
        self.skip = skip
        self.limit = limit
"""


def test_a_depends_pagination_models_fields_are_bounded_where_declared(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, {"app/main.py": HEAD + MODEL_ROUTES, "app/schemas.py": SCHEMAS})
    model, common = _found(root)
    assert model.title == "Bound `Pagination.limit` to 1..100 and `Pagination.offset` to 0 or more"
    assert model.span.start.line + 1 == 20  # the route's ``page`` parameter
    assert _edits(model) == [
        ("schemas.py", 1, "from pydantic import BaseModel, Field"),
        ("schemas.py", 5, "Field(25, ge=1, le=100)"),
        ("schemas.py", 6, "Field(0, ge=0)"),
    ]
    assert common.title == (
        "Bound `CommonParams.skip` to 0 or more and `CommonParams.limit` to 1..100"
    )
    assert _edits(common) == [
        ("schemas.py", 1, "from fastapi import Query\n"),
        ("schemas.py", 10, "Query(0, ge=0)"),
        ("schemas.py", 10, "Query(100, ge=1, le=100)"),
    ]
    new = _all_applied(root)["schemas.py"]
    assert "    limit: int = Field(25, ge=1, le=100)\n    offset: int = Field(0, ge=0)\n" in new
    assert "skip: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=100)" in new


PAGES = """
@app.get("/window")
def window(page: int = 1, size: int = 20, db: Session = Depends(get_db)):
    rows = db.scalars(select(Item)).all()
    return rows[(page - 1) * size : page * size]


@app.get("/numbered")
def numbered(page: int = 1, db: Session = Depends(get_db)):
    skip = (page - 1) * 20
    return db.scalars(select(Item).offset(skip).limit(20)).all()
"""


def test_a_page_counted_from_one_is_bounded_from_one(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/main.py": HEAD + PAGES})
    window, numbered = _found(root)
    assert window.title == "Bound `page` to 1 or more and `size` to 1..100"
    assert window.rationale.startswith(
        "`page` and `size` reach a slice with no bound: a negative value counts from the end "
        "of the rows (a wrong page), and a huge size returns every row at once."
    )
    assert _edits(window)[1:] == [
        ("main.py", 15, "Query(1, ge=1)"),
        ("main.py", 15, "Query(20, ge=1, le=100)"),
    ]
    assert numbered.title == "Bound `page` to 1 or more"
    assert numbered.rationale.startswith(
        "`page` reaches `.offset()` with no bound: `page=0` makes the OFFSET negative, which "
        "is an error on PostgreSQL (a 500). `ge=` makes FastAPI answer 422 instead."
    )
    assert _edits(numbered)[1:] == [("main.py", 21, "Query(1, ge=1)")]
    _all_applied(root)


CLEAN = """
from typing import Annotated

from fastapi import HTTPException, Query
from pydantic import BaseModel, Field, PositiveInt, conint, field_validator

MAX_LIMIT = 100


class Bounded(BaseModel):
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0)


class Validated(BaseModel):
    limit: int = 25

    @field_validator("limit")
    @classmethod
    def small(cls, value: int) -> int:
        return min(value, 100)


def clamped_rows(db, limit: int = 50):
    return db.scalars(select(Item).limit(min(limit, MAX_LIMIT))).all()


@app.get("/bounded")
def bounded(limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0)):
    with Session() as db:
        return db.scalars(select(Item).limit(limit).offset(offset)).all()


@app.get("/half")
def half(limit: int = Query(20, ge=1, le=50), offset: Annotated[int, Query(ge=0)] = 0):
    with Session() as db:
        return db.scalars(select(Item).limit(limit).offset(offset)).all()


@app.get("/typed")
def typed(limit: PositiveInt = 50, offset: conint(ge=0) = 0):
    with Session() as db:
        return db.scalars(select(Item).limit(limit).offset(offset)).all()


@app.get("/clamped")
def clamped(limit: int = 50, offset: int = 0):
    with Session() as db:
        return db.scalars(select(Item).limit(min(limit, MAX_LIMIT)).offset(max(offset, 0))).all()


@app.get("/checked")
def checked(limit: int = 50):
    if limit < 1 or limit > MAX_LIMIT:
        raise HTTPException(400, "limit out of range")
    with Session() as db:
        return db.scalars(select(Item).limit(limit)).all()


@app.get("/rebound")
def rebound(limit: int = 50):
    limit = limit or 50
    with Session() as db:
        return db.scalars(select(Item).limit(limit)).all()


@app.get("/helper")
def helper(limit: int = 50, db: Session = Depends(get_db)):
    return clamped_rows(db, limit=limit)


@app.get("/unused")
def unused(limit: int = 50, count: int = 3):
    return {"limit": limit, "more": [n for n in range(count)][1:count]}


@app.get("/items/{limit}")
def in_path(limit: int):
    with Session() as db:
        return db.scalars(select(Item).limit(limit)).all()


@app.get("/models")
def models(page: Bounded = Depends(), other: Validated = Depends()):
    with Session() as db:
        rows = db.scalars(select(Item).limit(page.limit).offset(page.offset)).all()
        return rows + db.scalars(select(Item).limit(other.limit)).all()


@app.get("/constant")
def constant(name: str = ""):
    with Session() as db:
        return db.scalars(select(Item).where(Item.name == name).limit(20)).all()
"""


def test_bounded_clamped_checked_typed_or_unused_values_are_left_alone(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, {"app/main.py": HEAD + CLEAN})
    assert _found(root) == []


FLASK = """\
from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)
MAX_PER_PAGE = 50


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))


@app.get("/posts")
def posts():
    limit = request.args.get("limit", 20, type=int)
    offset = request.args.get("offset", 0, type=int)
    rows = Post.query.order_by(Post.id).limit(limit).offset(offset).all()
    return jsonify([p.title for p in rows])


@app.get("/clamped")
def clamped():
    limit = min(request.args.get("limit", 20, type=int), MAX_PER_PAGE)
    return jsonify([p.title for p in Post.query.limit(limit)])


@app.get("/no-default")
def no_default():
    limit = request.args.get("limit", type=int)
    return jsonify([p.title for p in Post.query.limit(limit)])


@app.get("/paginated")
def paginated():
    page = request.args.get("page", 1, type=int)
    return jsonify([p.title for p in Post.query.paginate(page=page, per_page=20).items])
"""


def test_flask_type_int_reads_are_clamped_where_they_are_read(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app.py": FLASK}, FLASK_PYPROJECT)
    (found,) = _found(root)
    assert found.span.start.line + 1 == 16
    assert found.title == "Bound `limit` to 1..MAX_PER_PAGE and `offset` to 0 or more"
    assert "`type=int` checks the type, not the range" in found.rationale
    assert _edits(found) == [
        ("app.py", 16, 'min(max(request.args.get("limit", 20, type=int), 1), MAX_PER_PAGE)'),
        ("app.py", 17, 'max(request.args.get("offset", 0, type=int), 0)'),
    ]
    _applied_cleanly(root, found)


def test_a_file_that_does_not_parse_gives_nothing(tmp_path: Path) -> None:
    broken = HEAD + PLAIN.replace("def items(limit: int = 50,", "def items(limit: int = 50,,")
    root = _project(tmp_path, {"app/main.py": broken})
    assert _found(root) == []


def test_a_page_size_bounded_from_below_only_gets_its_cap(tmp_path: Path) -> None:
    # ``Query(50, ge=1)`` keeps LIMIT positive and still serves ``limit=1000000000`` (a blind
    # planted set's shape); the floor stays as written, the offset's ``ge=0`` is enough.
    text = HEAD + (
        "MAX_LIMIT = 200\n\n\n"
        '@app.get("/rentals")\n'
        "def rentals(limit: int = Query(50, ge=1), offset: int = Query(0, ge=0)):\n"
        "    with Session() as db:\n"
        "        return db.scalars(select(Item).limit(limit).offset(offset)).all()\n"
    )
    root = _project(tmp_path, {"app/main.py": text})
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1..MAX_LIMIT"
    assert "with no upper bound: a huge page" in found.rationale
    assert "negative" not in found.rationale
    assert _edits(found) == [("main.py", found.edits[0].span.start.line + 1, ", le=MAX_LIMIT")]


FLASK_HELPER_PAGES = """\
from flask import Flask, abort, jsonify, request
from flask_sqlalchemy import SQLAlchemy

DEFAULT_PER_PAGE = 20

app = Flask(__name__)
db = SQLAlchemy(app)


class Bike(db.Model):
    id = db.Column(db.Integer, primary_key=True)


def pagination_args():
    page = request.args.get("page", 1, type=int)
    per_page = request.args.get("per_page", DEFAULT_PER_PAGE, type=int)
    if page < 1 or per_page < 1:
        abort(400)
    return page, per_page


@app.get("/bikes")
def bikes():
    page, per_page = pagination_args()
    found = Bike.query.paginate(page=page, per_page=per_page)
    return jsonify(items=[b.id for b in found.items])
"""


def test_a_flask_helpers_page_size_reaching_paginate_is_capped_where_read(
    tmp_path: Path,
) -> None:
    # A blind planted set's shape: the helper checks a floor (``per_page < 1``), which caps
    # nothing; ``paginate(per_page=...)`` takes a size given as it is.
    root = tmp_path
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["flask", "flask-sqlalchemy"]\n'
    )
    (root / "app.py").write_text(FLASK_HELPER_PAGES)
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD214"]
    assert [s.title for s in found] == ["Bound `per_page` to 1..100"]
    assert "with no upper bound: a huge page (`per_page=1000000000`)" in found[0].rationale
    new = apply_suggestion(found[0])[str(root / "app.py")]
    assert (
        '    per_page = min(request.args.get("per_page", DEFAULT_PER_PAGE, type=int), 100)\n'
    ) in new
    capped = FLASK_HELPER_PAGES.replace("per_page < 1:", "per_page < 1 or per_page > 50:")
    (root / "app.py").write_text(capped)
    assert [s for s in collect([str(root)], ["validation"]) if s.code == "BKD214"] == []
    kept = FLASK_HELPER_PAGES.replace(
        "paginate(page=page, per_page=per_page)",
        "paginate(page=page, per_page=per_page, max_per_page=50)",
    )
    (root / "app.py").write_text(kept)
    assert [s for s in collect([str(root)], ["validation"]) if s.code == "BKD214"] == []


def test_a_page_size_capped_from_above_only_gets_its_floor(tmp_path: Path) -> None:
    # ``Query(50, le=1000)`` still lets ``limit=-1`` through: PostgreSQL refuses a negative
    # LIMIT (a 500); the cap stays as written (a blind review's find on a raw-SQL app)
    text = HEAD + (
        '@app.get("/tags")\n'
        "def tags(limit: int = Query(50, le=1000)):\n"
        "    with Session() as db:\n"
        "        return db.scalars(select(Item).limit(limit)).all()\n"
    )
    root = _project(tmp_path, {"app/main.py": text})
    (found,) = _found(root)
    assert found.title == "Bound `limit` to 1 or more"
    assert "with no lower bound: a negative LIMIT is an error on PostgreSQL" in found.rationale
    assert "huge" not in found.rationale
    assert [e.new_text for e in found.edits] == [", ge=1"]


def test_on_sqlite_the_harm_is_said_as_sqlite_does_it(tmp_path: Path) -> None:
    # SQLite reads a negative LIMIT as none and a negative OFFSET as 0: no 500 there, but every
    # row at once (a blind review caught the PostgreSQL wording on a SQLite-only app)
    text = HEAD + (
        '@app.get("/feeds")\n'
        "def feeds(skip: int = 0, limit: int = 100):\n"
        "    with Session() as db:\n"
        "        return db.scalars(select(Item).offset(skip).limit(limit)).all()\n"
    )
    config = 'DATABASE_URL = "sqlite:////data/feeds.db"\n'
    root = _project(tmp_path, {"app/main.py": text, "app/core/config.py": config})
    (found,) = _found(root)
    assert "on SQLite, which this app runs on, a negative LIMIT means no limit" in (found.rationale)
    assert "error on PostgreSQL" not in found.rationale
