"""Twenty-fourth held-out round, index shapes (of our own) a blind judge found missed on real
apps: Core tables whose columns come from the project's column makers, each with a twin where
the index exists and nothing may be said."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

MAKERS = """\
from sqlalchemy import Column, DateTime, ForeignKey, Integer, func

key = lambda: Column("id", Integer, primary_key=True)

created = lambda index=False: Column(
    "created_at", DateTime, nullable=False, server_default=func.now(), index=index
)


def owner(name, target, index=False):
    return Column(name, Integer, ForeignKey(target), index=index)
"""

TABLES = """\
from sqlalchemy import Column, MetaData, Table, Text

from .makers import created, key, owner

metadata = MetaData()

post = Table(
    "post",
    metadata,
    key(),
    Column("content", Text),
    created(index=True),
    owner("wall_id", "wall.id"{indexed}),
)
"""

REPO = """\
from databases import Database
from fastapi import FastAPI
from sqlalchemy import desc, select

from .tables import post

app = FastAPI()
db = Database("postgresql://localhost/app")


@app.get("/walls/{wall_id}/posts")
async def wall(wall_id: int, before: str):
    query = (
        select([post])
        .where(post.c.wall_id == wall_id)
        .where(post.c.created_at < before)
        .order_by(desc(post.c.created_at))
        .limit(20)
    )
    return await db.fetch_all(query)


@app.get("/posts/{post_id}")
async def one(post_id: int):
    return await db.fetch_one(select([post]).where(post.c.id == post_id))
"""


def _core_app(tmp_path: Path, indexed: str) -> list[tuple[str, int, tuple[str, ...]]]:
    (tmp_path / "requirements.txt").write_text("fastapi\nsqlalchemy\ndatabases\n")
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "makers.py").write_text(MAKERS)
    (tmp_path / "tables.py").write_text(TABLES.replace("{indexed}", indexed))
    (tmp_path / "api.py").write_text(REPO)
    found = collect([str(tmp_path)], ["index"])
    return [(s.title, s.span.start.line + 1, tuple(e.new_text for e in s.edits)) for s in found]


def test_core_columns_from_the_projects_column_makers(tmp_path: Path) -> None:
    """``Table("post", metadata, key(), created(index=True), owner("wall_id", ...))`` with
    the makers in another module (a lambda and a def, their flags passed through): the key
    and the timestamp are known, and the index joins the Table with Index imported."""
    assert _core_app(tmp_path, "") == [
        (
            "Add an index on post (wall_id, created_at)",
            14,
            (
                "from sqlalchemy import Column, Index, MetaData, Table, Text",
                # on a line of its own, as the Table(...) writes its arguments
                ',\n    Index("ix_post_wall_id_created_at", "wall_id", "created_at")',
            ),
        )
    ]


def test_core_columns_from_makers_already_indexed(tmp_path: Path) -> None:
    """The twin: ``owner(..., index=True)``, and the created_at index, serve nothing more
    (an index led by wall_id exists: the equality narrows by it)."""
    (tmp_path / "tables.py").write_text("")
    assert _core_app(tmp_path, ", index=True") == []


FLASK_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
BaseModel = db.Model


class Application(BaseModel):
    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.String(40), nullable=False{indexed})
    fund_id = db.Column(db.String(40), nullable=False)
    round_id = db.Column(db.String(40), nullable=False)
    key = db.Column(db.String(40), nullable=False)
    status = db.Column(db.Boolean, default=False)

    __table_args__ = (db.UniqueConstraint("fund_id", "round_id", "key"),)
"""

FLASK_QUERIES = """\
from flask import Flask, request
from sqlalchemy import select

from .models import Application, db

app = Flask(__name__)


def get_applications(filters=None):
    stmt = select(Application)
    if filters:
        stmt = stmt.where(*filters)
    return db.session.scalars(stmt).all()


@app.get("/applications")
def search():
    filters = []
    if request.args.get("fund_id"):
        filters.append(Application.fund_id == request.args["fund_id"])
    if request.args.get("round_id"):
        filters.append(Application.round_id == request.args["round_id"])
    if request.args.get("account_id"):
        filters.append(Application.account_id == request.args["account_id"])
    if request.args.get("id"):
        filters.append(Application.id == request.args["id"])
    return {"n": len(get_applications(filters))}


def own_filters(account_id):
    filters = [Application.status == True]  # noqa: E712
    filters.append(Application.account_id == account_id)
    return filters


@app.get("/mine/<account_id>")
def mine(account_id):
    return {"n": len(db.session.scalars(select(Application).where(*own_filters(account_id))).all())}


@app.get("/own/<account_id>")
def own(account_id):
    filters = own_filters(account_id)
    return {"n": len(db.session.scalars(select(Application).where(*filters)).all())}
"""


def collect_filters(tmp_path: Path, indexed: str) -> list[Suggestion]:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "models.py").write_text(FLASK_MODELS.replace("{indexed}", indexed))
    (tmp_path / "views.py").write_text(FLASK_QUERIES)
    return collect([str(tmp_path)], ["index"])


def test_filters_gathered_in_a_list(tmp_path: Path) -> None:
    """``filters.append(Model.col == x)`` under ifs, handed to a helper that applies them
    with ``.where(*filters)``; and a helper of the module returning the list it builds, applied
    in place. Each optional filter is read alone (round_id with the fund_id the unique
    constraint puts before it: served); ``BaseModel = db.Model`` is Flask-SQLAlchemy's base."""
    found = collect_filters(tmp_path, "")
    assert [s.title for s in found] == ["Add an index on application (account_id)"]
    sites = {found[0].span.start.line + 1} | {
        int(line.split("views.py:")[1].split()[0])
        for line in found[0].rationale.splitlines()
        if "views.py:" in line
    }
    assert sites == {27, 38, 44}


def test_filters_gathered_in_a_list_already_indexed(tmp_path: Path) -> None:
    assert collect_filters(tmp_path, ", index=True") == []


BUILDER_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Repo(db.Model):
    __tablename__ = "repos"
    id = db.Column(db.Integer, primary_key=True)
    owner_login = db.Column(db.String(80), nullable=False{indexed})
    stars = db.Column(db.Integer, nullable=False, index=True)

    @classmethod
    def filter_by_args(cls, q, args):
        owner = args.get("owner")
        if owner:
            q = q.filter(cls.owner_login == owner)
        return q
"""

BUILDER_VIEWS = """\
from flask import Flask, render_template, request

from .models import Repo

app = Flask(__name__)


@app.get("/top/<int:page>")
def top(page):
    query = Repo.filter_by_args(Repo.query, request.args).order_by(Repo.stars.desc())
    return render_template("index.html", entries=query.paginate(page=page, per_page=20))
"""


def _builder_app(tmp_path: Path, indexed: str) -> list[tuple[str, str, int]]:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "models.py").write_text(BUILDER_MODELS.replace("{indexed}", indexed))
    (tmp_path / "views.py").write_text(BUILDER_VIEWS)
    found = collect([str(tmp_path)], ["index"])
    return [(s.title, Path(s.path).name, s.span.start.line + 1) for s in found]


def test_a_classmethod_narrowing_the_query_it_is_handed(tmp_path: Path) -> None:
    """``def filter_by_args(cls, q, args): q = q.filter(cls.owner_login == owner)``: the
    class's own query, whoever pages it."""
    assert _builder_app(tmp_path, "") == [("Add an index on repos (owner_login)", "models.py", 16)]


def test_a_classmethod_narrowing_the_query_it_is_handed_indexed(tmp_path: Path) -> None:
    assert _builder_app(tmp_path, ", index=True") == []


WALK_MODELS = """\
from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Cluster(Base):
    __tablename__ = "cluster"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, nullable=False)
    articles = relationship("Article", back_populates="cluster")


class Article(Base):
    __tablename__ = "article"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, nullable=False)
    feed_id = Column(Integer, nullable=False)
    cluster_id = Column(Integer, ForeignKey("cluster.id"))
    title = Column(String(200))
    cluster = relationship(Cluster, back_populates="articles")

    __table_args__ = (
        Index("ix_article_uid_cluid", user_id, cluster_id),
        Index("ix_article_uid_fid_cluid", user_id, feed_id, cluster_id),{extra}
    )
"""

WALK_VIEWS = """\
from flask import Flask

from .db import session
from .models import Cluster

app = Flask(__name__)


@app.get("/clusters/<int:cluster_id>")
def cluster(cluster_id):
    found = session.get(Cluster, cluster_id)
    return {"titles": [a.title for a in found.articles]}
"""


def _walk_app(tmp_path: Path, extra: str) -> list[tuple[str, str, int]]:
    (tmp_path / "requirements.txt").write_text("flask\nsqlalchemy\n")
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "db.py").write_text("from sqlalchemy.orm import Session\n\nsession = Session()\n")
    (tmp_path / "models.py").write_text(WALK_MODELS.replace("{extra}", extra))
    (tmp_path / "views.py").write_text(WALK_VIEWS)
    found = collect([str(tmp_path)], ["index"])
    return [(s.title, Path(s.path).name, s.span.start.line + 1) for s in found]


def test_a_relationship_walk_beside_composites_led_by_another_column(tmp_path: Path) -> None:
    """``cluster.articles`` reads article by cluster_id; the composites that hold it are led
    by user_id, and serve it not."""
    assert _walk_app(tmp_path, "") == [("Add an index on article (cluster_id)", "views.py", 12)]


def test_a_relationship_walk_with_its_foreign_key_indexed(tmp_path: Path) -> None:
    assert _walk_app(tmp_path, '\n        Index("ix_article_cluid", cluster_id),') == []
