"""The places a schema is written that the held-out apps showed, read one by one: Alembic steps,
association tables, Django Meta inheritance, the declared version of a package, the Alembic
head a new revision goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.review.offline.migrations import head_revision
from subagent_lsp.review.offline.project_files import declared_major
from subagent_lsp.review.offline.schema import Schema, schema_of_file


def _schema(files: dict[str, str]) -> Schema:
    merged = Schema()
    for path, text in files.items():
        merged.merge(schema_of_file(path, text))
    return merged.resolved()


def test_alembic_steps_add_to_the_table_whatever_order_the_files_come_in() -> None:
    create = """\
import sqlalchemy as sa
from alembic import op


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.Text),
        sa.UniqueConstraint("email", name="uq_orders_email"),
    )
"""
    later = """\
import sqlalchemy as sa
from alembic import op


def upgrade():
    op.add_column("orders", sa.Column("status", sa.Text, index=True))
    op.create_unique_constraint("uq_orders_ref", "orders", ["ref"])
    op.create_index(index_name="ix_orders_total", table_name="orders", columns=["total"])
"""
    for files in ({"a.py": create, "b.py": later}, {"b.py": later, "a.py": create}):
        table = _schema(files).tables["orders"]
        assert set(table.columns) == {"id", "email", "status"}
        assert table.covered(["email"]) and table.covered(["status"])
        assert table.covered(["ref"]) and table.covered(["total"])
        assert table.origin == "alembic"


def test_a_django_meta_of_its_own_drops_the_base_ordering_unless_it_derives() -> None:
    base = """\
from django.db import models


class Stamped(models.Model):
    created = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["-created", "?"]
"""
    models = """\
from django.db import models

from .base import Stamped


class Kept(Stamped):
    title = models.CharField(max_length=9)


class Derived(Stamped):
    title = models.CharField(max_length=9)

    class Meta(Stamped.Meta):
        db_table = "derived_things"


class Dropped(Stamped):
    title = models.CharField(max_length=9)
    tags = models.ManyToManyField("Tag")

    class Meta:
        verbose_name = "dropped"
"""
    schema = _schema({"base.py": base, "models.py": models})
    assert schema.tables["kept"].ordering == (("created", True),)  # "?" ends the usable part
    assert schema.tables["kept"].meta_base == "Stamped"
    assert schema.tables["derived_things"].ordering == (("created", True),)
    assert schema.tables["dropped"].ordering == ()
    assert "tags" not in schema.tables["dropped"].columns  # a table of its own
    assert "created" in schema.tables["dropped"].columns


def test_a_call_that_only_looks_like_a_column_helper_is_not_one() -> None:
    text = """\
from app import db


def make_logger(name):
    return logging.getLogger(name)


class Thing(db.Model):
    __tablename__ = "things"
    id = db.Column(db.Integer, primary_key=True)
    log = make_logger("things")
    owner_id = unknown_helper("users")
"""
    table = _schema({"models.py": text}).tables["things"]
    assert set(table.columns) == {"id"}  # helpers nobody shows to be column helpers drop out


@pytest.mark.parametrize(
    ("manifest", "text", "major"),
    [
        ("requirements.txt", "Flask-SQLAlchemy==2.5.1\n", 2),
        ("requirements.txt", "flask_sqlalchemy>=3.1\n", 3),
        ("requirements.txt", "Flask-SQLAlchemy<3\n", None),
        ("pyproject.toml", '[tool.poetry.dependencies]\nFlask-SQLAlchemy = "^3.0.2"\n', 3),
        ("pyproject.toml", '[project]\ndependencies = ["flask-sqlalchemy[async] ~= 3.1"]\n', 3),
        (
            "pyproject.toml",
            '[tool.poetry.dependencies]\nflask-sqlalchemy = {version = "^2.5"}\n',
            2,
        ),
        ("requirements.txt", "flask-sqlalchemy-extras==9\nflask\n", None),
    ],
)
def test_declared_major(tmp_path: Path, manifest: str, text: str, major: int | None) -> None:
    (tmp_path / manifest).write_text(text)
    assert declared_major(str(tmp_path), "flask_sqlalchemy") == major


def test_no_single_alembic_head_means_no_new_revision(tmp_path: Path) -> None:
    def revision(name: str, rev: str, down: str) -> None:
        (tmp_path / name).write_text(f'revision = "{rev}"\ndown_revision = {down}\n')

    revision("a.py", "aaa", "None")
    assert head_revision(str(tmp_path)) == "aaa"
    revision("b.py", "bbb", '"aaa"')
    revision("c.py", "ccc", '"aaa"')  # two branches off aaa: a merge is the app's call
    assert head_revision(str(tmp_path)) is None
    revision("d.py", "ddd", '("bbb", "ccc")')  # merged
    assert head_revision(str(tmp_path)) == "ddd"
    assert head_revision(str(tmp_path / "missing")) is None
