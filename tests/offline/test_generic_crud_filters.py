"""Queries a generic base class builds from what its callers pass (base_class_queries): a
Flask controller whose base turns keyword arguments into ``getattr(self._db_cls, key) ==
value`` and adds the owner's id, and a FastAPI ``BaseCRUD`` whose ``fetch_all`` takes filter
tuples, a range and a sort by column name. Two blind reviews of real apps named these their
hottest unindexed reads. Each fixture (of our own) has an indexed twin that must stay silent,
and the shapes the reading cannot see give nothing."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FLASK_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Entry(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
    feed_id = db.Column(db.Integer, nullable=False)
    owner_id = db.Column(db.Integer, nullable=False)
    unread = db.Column(db.Boolean, default=True)
    posted_at = db.Column(db.DateTime)
{table_args}"""

FLASK_BASE = """\
class BaseController:
    _db_cls = None  # the model, set by each subclass
    _owner_key = "owner_id"

    def __init__(self, owner_id=None):
        try:
            self.owner_id = int(owner_id)
        except TypeError:
            self.owner_id = owner_id

    def _to_filters(self, **filters):
        conditions = []
        for key, value in filters.items():
            if key.endswith("__gt"):
                conditions.append(getattr(self._db_cls, key[:-4]) > value)
            elif key.endswith("__in"):
                conditions.append(getattr(self._db_cls, key[:-4]).in_(value))
            else:
                conditions.append(getattr(self._db_cls, key) == value)
        return conditions

    def _get(self, **filters):
        if self._owner_key is not None and self.owner_id:
            filters[self._owner_key] = self.owner_id
        return self._db_cls.query.filter(*self._to_filters(**filters))

    def read(self, **filters):
        return self._get(**filters)
"""

FLASK_ENTRIES = """\
from ..models import Entry
from .base import BaseController


class EntryController(BaseController):
    _db_cls = Entry

    def latest(self, **filters):
        return super().read(**filters).order_by(Entry.posted_at.desc())
"""

FLASK_VIEWS = """\
from flask import Flask, jsonify, request

from .controllers import EntryController

app = Flask(__name__)


@app.route("/owners/<int:owner_id>/feeds/<int:feed_id>")
def feed_entries(owner_id, feed_id):
    entries = EntryController(owner_id).latest(feed_id=feed_id).limit(50).all()
    return jsonify([e.title for e in entries])
"""

FLASK_INDEX = (
    '\n    __table_args__ = (db.Index("ix_entry_feed", "feed_id", "owner_id", "posted_at"),)\n'
)


def _flask_app(root: Path, views: str = FLASK_VIEWS, table_args: str = "") -> Path:
    files = {
        "pyproject.toml": '[project]\nname = "reader"\ndependencies = ["flask", '
        '"flask-sqlalchemy>=3"]\n',
        "app/__init__.py": "",
        "app/models.py": FLASK_MODELS.format(table_args=table_args),
        "app/controllers/__init__.py": "from .entry import EntryController\n",
        "app/controllers/base.py": FLASK_BASE,
        "app/controllers/entry.py": FLASK_ENTRIES,
        "app/views.py": views,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def _site(s: Suggestion, root: Path) -> tuple[str, int, str, str]:
    rel = Path(s.path).relative_to(root).as_posix()
    return rel, s.span.start.line + 1, s.data["table"], s.data["columns"]


def _edits(s: Suggestion, root: Path) -> list[tuple[str, int, str]]:
    return [
        (Path(e.path).relative_to(root).as_posix(), e.span.start.line + 1, e.new_text)
        for e in s.edits
    ]


def test_keyword_filters_of_a_base_controller_with_the_owner_it_adds(tmp_path: Path) -> None:
    """``EntryController(owner_id).latest(feed_id=...)``: the model is the subclass's
    ``_db_cls``, ``feed_id`` the caller's keyword, ``owner_id`` what the base adds for an
    owned controller, the sort the subclass's own; anchored at the route's call, the index
    on the model."""
    root = _flask_app(tmp_path)
    found = _indexes(root)
    assert [_site(s, root) for s in found] == [
        ("app/views.py", 10, "entry", "feed_id,owner_id,posted_at")
    ]
    assert "Proven on SQLite" in found[0].rationale
    assert _edits(found[0], root) == [
        (
            "app/models.py",
            13,
            "    __table_args__ = (\n"
            '        db.Index("ix_entry_feed_id_owner_id_posted_at", "feed_id", "owner_id", '
            '"posted_at"),\n    )\n',
        )
    ]
    for text in apply_suggestion(found[0]).values():
        ast.parse(text)


def test_keyword_filters_already_indexed(tmp_path: Path) -> None:
    root = _flask_app(tmp_path, table_args=FLASK_INDEX)
    assert _indexes(root) == []


def test_a_controller_built_without_an_owner_adds_none(tmp_path: Path) -> None:
    """``EntryController()``: ``int(None)`` raises, the ``except`` keeps None, and the base's
    ``if self.owner_id`` adds no owner filter: the index is for the feed and the sort."""
    views = FLASK_VIEWS.replace("EntryController(owner_id)", "EntryController()")
    root = _flask_app(tmp_path, views)
    assert [_site(s, root) for s in _indexes(root)] == [
        ("app/views.py", 10, "entry", "feed_id,posted_at")
    ]


def test_keyword_filters_the_reading_cannot_see_give_nothing(tmp_path: Path) -> None:
    """Keys from the request (``**request.args``), a key that is no column of the model, a
    column the caller names with a variable: the query's columns are not known."""
    views = FLASK_VIEWS.replace("latest(feed_id=feed_id)", "latest(**request.args)") + (
        "\n\n@app.route('/owners/<int:owner_id>/tagged')\n"
        "def tagged(owner_id):\n"
        "    return jsonify(len(EntryController(owner_id).latest(tags='x').all()))\n"
    )
    root = _flask_app(tmp_path, views, table_args="")
    # ``owner_id`` alone would still be proposed for ``latest(**request.args)`` if the unknown
    # keys were dropped: they may name the key, so nothing is said.
    assert _indexes(root) == []


CRUD_MODELS = """\
from datetime import datetime

from sqlmodel import Field, SQLModel


class Reading(SQLModel, table=True):
    __tablename__ = "readings"
    id: int = Field(None, primary_key=True)
    sensor_id: int = Field(..., nullable=False)
    probe_id: int = Field(..., nullable=False)
    value: float
    taken_at: datetime = Field(..., nullable=False)
{table_args}"""

CRUD_BASE = """\
from typing import Any, Generic, List, Optional, Tuple, Type, TypeVar, Union

from sqlalchemy import desc
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

ModelType = TypeVar("ModelType", bound=SQLModel)


class BaseCRUD(Generic[ModelType]):
    def __init__(self, session: AsyncSession, model: Type[ModelType]) -> None:
        self.session = session
        self.model = model

    async def fetch_all(
        self,
        filters: Union[Tuple[str, Any], List[Tuple[str, Any]], None] = None,
        inequality_pair: Optional[Tuple[str, str, Any]] = None,
        order_by: Optional[str] = None,
        order_desc: bool = False,
        limit: Optional[int] = None,
    ) -> List[ModelType]:
        statement: Any = select(self.model)
        if isinstance(filters, tuple):
            statement = statement.where(getattr(self.model, filters[0]) == filters[1])
        elif isinstance(filters, list):
            for filter_ in filters:
                statement = statement.where(getattr(self.model, filter_[0]) == filter_[1])
        if isinstance(inequality_pair, tuple):
            field, op, value = inequality_pair
            if op == ">":
                statement = statement.where(getattr(self.model, field) > value)
            elif op == "<":
                statement = statement.where(getattr(self.model, field) < value)
            else:
                raise ValueError(f"Unsupported operator: {op}")
        if order_by is not None:
            column = getattr(self.model, order_by)
            statement = statement.order_by(desc(column) if order_desc else column)
        if limit is not None:
            statement = statement.limit(limit)
        result = await self.session.exec(statement=statement)
        return [r for r in result]
"""

CRUD_READINGS = """\
from sqlmodel.ext.asyncio.session import AsyncSession

from app.crud.base import BaseCRUD
from app.models import Reading

__all__ = ["ReadingCRUD"]


class ReadingCRUD(BaseCRUD[Reading]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, Reading)
"""

CRUD_API = """\
from datetime import datetime
from typing import Any, List

from fastapi import Depends, FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from app.crud import ReadingCRUD
from app.db import get_session

app = FastAPI()


def get_reading_crud(session: AsyncSession = Depends(get_session)) -> ReadingCRUD:
    return ReadingCRUD(session=session)


@app.get("/sensors/{sensor_id}/probes/{probe_id}")
async def recent(
    sensor_id: int,
    probe_id: int,
    since: datetime,
    readings: ReadingCRUD = Depends(get_reading_crud),
):
    wanted: List[tuple[str, Any]] = [("sensor_id", sensor_id), ("probe_id", probe_id)]
    return await readings.fetch_all(
        filters=wanted,
        inequality_pair=("taken_at", ">", since),
        order_by="taken_at",
        order_desc=True,
    )
"""

CRUD_INDEX = (
    '    __table_args__ = (Index("ix_readings_recent", "sensor_id", "probe_id", "taken_at"),)\n'
)


def _crud_app(root: Path, api: str = CRUD_API, table_args: str = "") -> Path:
    models = CRUD_MODELS.format(table_args=table_args)
    if table_args:
        models = models.replace("import Field, SQLModel", "import Field, Index, SQLModel")
    files = {
        "requirements.txt": "fastapi\nsqlmodel\n",
        "app/__init__.py": "",
        "app/db.py": "async def get_session():\n    yield None\n",
        "app/models.py": models,
        "app/crud/__init__.py": "from .readings import *\n",
        "app/crud/base.py": CRUD_BASE,
        "app/crud/readings.py": CRUD_READINGS,
        "app/api.py": api,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_filter_tuples_of_a_base_crud(tmp_path: Path) -> None:
    """``readings.fetch_all(filters=wanted, inequality_pair=("taken_at", ">", since),
    order_by="taken_at")`` on a ``BaseCRUD`` whose subclass hands ``Reading`` to the base's
    ``__init__``, injected by ``Depends`` and imported through the package's star import:
    equality on the tuples the caller's list names, then the range."""
    root = _crud_app(tmp_path)
    found = _indexes(root)
    assert [_site(s, root) for s in found] == [
        ("app/api.py", 25, "readings", "sensor_id,probe_id,taken_at")
    ]
    assert "Proven on SQLite" in found[0].rationale
    assert _edits(found[0], root) == [
        ("app/models.py", 3, "from sqlmodel import Field, Index, SQLModel"),
        (
            "app/models.py",
            13,
            "    __table_args__ = (\n"
            '        Index("ix_readings_sensor_id_probe_id_taken_at", "sensor_id", "probe_id", '
            '"taken_at"),\n    )\n',
        ),
    ]
    for text in apply_suggestion(found[0]).values():
        ast.parse(text)


def test_filter_tuples_already_indexed(tmp_path: Path) -> None:
    root = _crud_app(tmp_path, table_args=CRUD_INDEX)
    assert _indexes(root) == []


def test_filter_tuples_the_reading_cannot_see_give_nothing(tmp_path: Path) -> None:
    """A list the caller changes after building it, a column named by a parameter, and a
    name that is no column of the model: nothing is known for sure, nothing is said."""
    api = (
        CRUD_API.replace(
            "    return await readings.fetch_all(\n        filters=wanted,",
            '    wanted.append(("value", 1.0))\n    return await readings.fetch_all(\n'
            "        filters=wanted,",
        )
        + "\n\n@app.get('/sensors/{sensor_id}/by')\n"
        "async def by(sensor_id: int, column: str, readings: ReadingCRUD = "
        "Depends(get_reading_crud)):\n"
        "    await readings.fetch_all(filters=[(column, sensor_id)])\n"
        "    return await readings.fetch_all(filters=('sensor', sensor_id), order_by='taken_at')\n"
    )
    root = _crud_app(tmp_path, api)
    assert _indexes(root) == []
