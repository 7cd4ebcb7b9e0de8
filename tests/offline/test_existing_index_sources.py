"""Indexes the database has although the model does not say so: one an Alembic step creates
(a unique (platform, full_name) served its lookup, and a proof without it proposed (full_name)
beside it), and InnoDB's own index of each FOREIGN KEY (three proposals on a real app's InnoDB
tables were indexes it already had). Each has its twin where the index is really missing."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

_MODELS = """\
import enum

from sqlalchemy import Enum, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Platform(str, enum.Enum):
    GITHUB = "github"
    GITLAB = "gitlab"


class Excluded(Base):
    __tablename__ = "excluded"
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[Platform] = mapped_column(
        Enum(Platform, native_enum=False, values_callable=lambda x: [e.value for e in x]),
        nullable=False,
    )
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
"""

_REPO = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Excluded


def find(session: Session, platform: str, name: str) -> Excluded | None:
    query = select(Excluded).where(Excluded.platform == platform, Excluded.full_name == name)
    return session.scalars(query).first()
"""

_MIGRATION = """\
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "excluded",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
{index}
"""

_INDEX = (
    '    op.create_index("ix_excluded_platform_full_name", "excluded", '
    '["platform", "full_name"], unique=True)\n'
)


def _alembic_app(root: Path, index: str) -> Path:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(_MODELS)
    (root / "app" / "repo.py").write_text(_REPO)
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "migrations" / "versions" / "0001_create.py").write_text(_MIGRATION.format(index=index))
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "fx"\ndependencies = ["sqlalchemy", "alembic"]\n'
    )
    return root


def _indexes(root: Path) -> list[str]:
    return [s.title for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def test_an_index_a_migration_creates_serves_the_lookup(tmp_path: Path) -> None:
    assert _indexes(_alembic_app(tmp_path, _INDEX)) == []


def test_without_the_migrated_index_the_lookup_gets_one(tmp_path: Path) -> None:
    assert _indexes(_alembic_app(tmp_path, "")) == ["Add an index on excluded (full_name)"]


_MYSQL_APP = '''\
import MySQLdb
from flask import Flask, request

app = Flask(__name__)


def create(cursor):
    cursor.execute("""
        CREATE TABLE IF NOT EXISTS articles (id INT PRIMARY KEY, title VARCHAR(200))
        ENGINE={engine} DEFAULT CHARSET=utf8mb4
    """)
    cursor.execute("""
        CREATE TABLE IF NOT EXISTS snippets (id VARCHAR(64) PRIMARY KEY, body TEXT,
        article_id INT, FOREIGN KEY(article_id) REFERENCES articles(id) ON DELETE CASCADE)
        ENGINE={engine} DEFAULT CHARSET=utf8mb4
    """)


@app.get("/snippets")
def snippets():
    db = MySQLdb.connect(db="app")
    cursor = db.cursor()
    cursor.execute("SELECT id, body FROM snippets WHERE article_id = %s", (request.args["a"],))
    return {{"snippets": cursor.fetchall()}}
'''


def _mysql_app(root: Path, engine: str) -> Path:
    (root / "app.py").write_text(_MYSQL_APP.format(engine=engine))
    (root / "requirements.txt").write_text("flask\nmysqlclient\n")
    return root


def test_innodb_indexes_its_foreign_keys(tmp_path: Path) -> None:
    assert _indexes(_mysql_app(tmp_path, "InnoDB")) == []


def test_myisam_keeps_no_index_for_a_foreign_key(tmp_path: Path) -> None:
    assert _indexes(_mysql_app(tmp_path, "MyISAM")) == ["Add an index on snippets (article_id)"]
