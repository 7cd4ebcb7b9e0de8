"""Index policy, round 24 (fixtures of our own, each a shape a judge found on a real app):
optional filter lists read as their callers make them, a soft-delete ``IS NULL`` that narrows
nothing, the range-only proof kept for indexes that keep the range, and a composite led by a
status that its status alone does not serve. Each noise shape has a twin the index is for."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.sql import query_shapes
from subagent_lsp.review.suggestion import Suggestion

FLASK = "flask\nflask-sqlalchemy\n"


def _app(tmp_path: Path, files: dict[str, str]) -> list[Suggestion]:
    (tmp_path / "requirements.txt").write_text(FLASK)
    (tmp_path / "__init__.py").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return collect([str(tmp_path)], ["index"])


def _titles(found: list[Suggestion]) -> list[str]:
    return sorted(s.title for s in found)


# 1. Optional filters: the callers' variants ------------------------------------------------

ARTIFACT_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Build(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Artifact(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    build_id = db.Column(db.Integer, db.ForeignKey("build.id"), nullable=False)
    key = db.Column(db.String(200), nullable=False)
"""

ARTIFACT_HELPERS = """\
from .models import Artifact, db


def list_artifacts(build_id=None, key=None):
    filters = []
    if build_id:
        filters.append(Artifact.build_id == build_id)
    if key:
        filters.append(Artifact.key == key)
    return db.session.query(Artifact).filter(*filters)
"""

ARTIFACT_VIEWS = """\
from flask import Flask

from . import helpers

app = Flask(__name__)


@app.get("/builds/<int:build_id>/artifacts")
def artifacts(build_id):
    return {"n": helpers.list_artifacts(build_id=build_id).count()}


@app.get("/builds/<int:build_id>/artifacts/<key>")
def artifact(build_id, key):
    return {"n": helpers.list_artifacts(build_id=build_id, key=key).count()}
{extra}"""

BY_KEY = """

@app.get("/artifacts/<key>")
def by_key(key):
    return {"n": helpers.list_artifacts(key=key).count()}
"""


def _artifacts(tmp_path: Path, extra: str) -> list[Suggestion]:
    views = ARTIFACT_VIEWS.replace("{extra}", extra)
    files = {"models.py": ARTIFACT_MODELS, "helpers.py": ARTIFACT_HELPERS, "views.py": views}
    return _app(tmp_path, files)


def test_an_optional_filter_no_caller_passes_alone_is_not_read_alone(tmp_path: Path) -> None:
    """Every call passes ``build_id`` (one with ``key`` too): the build_id index serves them
    all, and no second index on ``key`` is proposed for a call nobody writes."""
    assert _titles(_artifacts(tmp_path, "")) == ["Add an index on artifact (build_id)"]


def test_an_optional_filter_a_caller_passes_alone_is_read_alone(tmp_path: Path) -> None:
    """The twin: a route looks artifacts up by key alone, so the key wants its index."""
    assert _titles(_artifacts(tmp_path, BY_KEY)) == [
        "Add an index on artifact (build_id)",
        "Add an index on artifact (key)",
    ]


SPACE_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Space(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), unique=True, nullable=False)


class Project(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    space_id = db.Column(db.Integer, db.ForeignKey("space.id"), nullable=False)
    name = db.Column(db.String(80), nullable=False)

    __table_args__ = (db.UniqueConstraint("space_id", "name"),)
"""

SPACE_HELPERS = """\
from .models import Project, Space, db


def get_project(space=None, space_id=None, name=None, id=None):
    filters = []
    if space:
        filters.append(Space.name == space)
    if space_id:
        filters.append(Space.id == space_id)
    if name:
        filters.append(Project.name == name)
    if id:
        filters.append(Project.id == id)
    return db.session.query(Project).join(Space).filter(*filters).first()
"""

SPACE_VIEWS = """\
from flask import Flask

from .helpers import get_project

app = Flask(__name__)


@app.get("/<space>/<name>")
def by_space(space, name):
    return {"id": get_project(space=space, name=name).id}


@app.get("/spaces/<int:space_id>/<name>")
def by_space_id(space_id, name):
    return {"id": get_project(space_id=space_id, name=name).id}


@app.get("/projects/<int:project_id>")
def by_id(project_id):
    return {"id": get_project(id=project_id).id}
{extra}"""

BY_NAME = """

@app.get("/find/<name>")
def by_name(name):
    return {"id": get_project(name=name).id}
"""


def _spaces(tmp_path: Path, extra: str) -> list[Suggestion]:
    views = SPACE_VIEWS.replace("{extra}", extra)
    return _app(
        tmp_path, {"models.py": SPACE_MODELS, "helpers.py": SPACE_HELPERS, "views.py": views}
    )


def test_a_joined_parents_filter_reaches_rows_by_the_unique_constraint(tmp_path: Path) -> None:
    """Callers pass the space (its unique name, or its id) with the name: the planner finds
    the space, then the project by UniqueConstraint(space_id, name). No index on name."""
    assert _spaces(tmp_path, "") == []


def test_a_caller_by_name_alone_wants_the_name_index(tmp_path: Path) -> None:
    assert _titles(_spaces(tmp_path, BY_NAME)) == ["Add an index on project (name)"]


DEPLOY_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Deploy(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    app_id = db.Column(db.Integer, nullable=False, index=True)
    environment = db.Column(db.String(64), nullable=False)
    ref = db.Column(db.String(128), nullable=False)
"""

DEPLOY_VIEWS = """\
from flask import Flask, request

from .models import Deploy

app = Flask(__name__)


@app.get("/deploys")
def deploys():
    filters = []
    if request.args.get("app"):
        filters.append(Deploy.app_id == request.args["app"])
    if request.args.get("{column}"):
        filters.append(Deploy.{column} == request.args["{column}"])
    page = Deploy.query.filter(*filters).order_by(Deploy.id.desc()).paginate(per_page=20)
    return {"n": len(page.items)}
"""


def _deploys(tmp_path: Path, column: str) -> list[Suggestion]:
    views = DEPLOY_VIEWS.replace("{column}", column)
    return _app(tmp_path, {"models.py": DEPLOY_MODELS, "views.py": views})


def test_an_optional_environment_on_a_newest_first_page_is_no_index(tmp_path: Path) -> None:
    """``?env=production``: a handful of values; the page walks the key backwards and stops
    early, and the usual filter (the app) has its index."""
    assert _deploys(tmp_path, "environment") == []


def test_an_optional_many_valued_filter_on_a_page_is_an_index(tmp_path: Path) -> None:
    assert _titles(_deploys(tmp_path, "ref")) == ["Add an index on deploy (ref, id)"]


# 2. A soft-delete IS NULL -------------------------------------------------------------------

ITEM_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Item(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, nullable=False)
    deleted_on = db.Column(db.DateTime, nullable=True)
"""

ITEM_VIEWS = """\
from flask import Flask
from sqlalchemy import null

from .models import Item

app = Flask(__name__)


@app.get("/items")
def live():
    return {"n": Item.query.filter(Item.deleted_on == null()).count()}


@app.get("/items/none")
def live_none():
    return {"n": Item.query.filter(Item.deleted_on == None).count()}  # noqa: E711


@app.get("/items/is")
def live_is():
    return {"n": Item.query.filter(Item.deleted_on.is_(None)).count()}


@app.get("/owners/<int:owner_id>/items")
def owned(owner_id):
    query = Item.query.filter(Item.deleted_on == null(), Item.owner_id == owner_id)
    return {"n": query.count()}
"""


def test_a_soft_delete_null_test_is_no_equality(tmp_path: Path) -> None:
    """``deleted_on IS NULL`` keeps the live rows, nearly all: no index on it, and none led or
    joined by it beside the owner (the owner's index is the one)."""
    found = _app(tmp_path, {"models.py": ITEM_MODELS, "views.py": ITEM_VIEWS})
    assert _titles(found) == ["Add an index on item (owner_id)"]


def test_a_soft_delete_null_test_in_sql_is_no_equality() -> None:
    (shape,) = query_shapes("SELECT * FROM item WHERE deleted_at IS NULL AND owner_id = %s")
    assert shape.eq == ["owner_id"]
    (kept,) = query_shapes("SELECT * FROM item WHERE parent_id IS NULL AND owner_id = %s")
    assert kept.eq == ["parent_id", "owner_id"]


# 3. The range-only proof --------------------------------------------------------------------

TASK_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Task(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    payload_type = db.Column(db.String(40), nullable=False)
    done = db.Column(db.Boolean, nullable=False)
    skipped = db.Column(db.Boolean, nullable=False)
    created_date = db.Column(db.DateTime, nullable=False, index=True)
"""

TASK_VIEWS = """\
from datetime import datetime, timedelta

from flask import Flask

from .models import Task

app = Flask(__name__)


@app.get("/recent")
def recent():
    since = datetime.utcnow() - timedelta(minutes=5)
    query = Task.query.filter(
        Task.created_date > since,
        Task.payload_type == "reply",
        Task.done == False,  # noqa: E712
        Task.skipped == False,  # noqa: E712
    )
    return {"n": query.count()}
"""


def test_the_range_only_proof_needs_the_range_column_in_the_index(tmp_path: Path) -> None:
    """Three equalities fill the index and leave the 5-minute range out: the existing
    created_date index reads that narrow window; the proposal would read every unfinished
    reply task ever made. (The shape that keeps the range, an owner's rows before a cursor
    over a created_at index, is test_heldout_round24_indexes' Core fixture.)"""
    assert _app(tmp_path, {"models.py": TASK_MODELS, "views.py": TASK_VIEWS}) == []


# 4. A composite led by a status -------------------------------------------------------------

JOB_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Job(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    status = db.Column(db.Integer, nullable=False)
    date_started = db.Column(db.DateTime)
    date_finished = db.Column(db.DateTime)
"""

JOB_POLL = """\
from .models import Job, db


def pending():
    return db.session.query(Job.id).filter(Job.status == 1).all()
"""

JOB_STATS = """\
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func

from .models import Job, db

app = Flask(__name__)


@app.get("/stats")
def stats():
    week = datetime.utcnow() - timedelta(days=7)
    return {
        "avg": db.session.query(func.avg(Job.date_finished - Job.date_started))
        .filter(Job.date_finished > week, Job.status == 3)
        .scalar()
    }
"""


def test_a_status_alone_does_not_serve_the_range_behind_it(tmp_path: Path) -> None:
    """``status == finished`` matches most rows: the week's range is what narrows, so the
    composite stays, and the pending poll is one more site of it (its leftmost column)."""
    files = {"models.py": JOB_MODELS, "poll.py": JOB_POLL, "views.py": JOB_STATS}
    found = _app(tmp_path, files)
    assert [s.title for s in found] == ["Add an index on job (status, date_finished)"]
    assert "poll.py:5" in found[0].rationale
