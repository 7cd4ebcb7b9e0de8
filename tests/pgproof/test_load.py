"""The schema in the throwaway cluster: as written where PostgreSQL runs it, from the columns
otherwise; synthetic rows that fit the types, keys unique, foreign keys that meet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from subagent_lsp.review.offline.pysource import parse_source
from subagent_lsp.review.offline.schema import Schema, schema_from_python, schema_from_sql
from subagent_lsp.review.pgproof.cluster import CLUSTERS, NoPostgres, start_cluster
from subagent_lsp.review.pgproof.load import Loader, pg_type

from .conftest import needs_postgres

DDL = """
CREATE TABLE parents (
    id UUID PRIMARY KEY,
    code VARCHAR(12) NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('a', 'b')),
    score NUMERIC(5, 2),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE children (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id UUID NOT NULL REFERENCES parents (id),
    mood mood_kind NOT NULL,
    labels TEXT[],
    seen_on DATE,
    flag BOOLEAN NOT NULL,
    ip INET,
    doc JSON,
    total INTEGER GENERATED ALWAYS AS (1) STORED
);
CREATE INDEX ix_children_doc ON children ((doc::jsonb ->> 'k'));
"""

MODELS = """
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, JSON


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    email = Column(String(255), unique=True)


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), index=True)
    meta = Column(JSON)
    created_at = Column(DateTime)
"""


@pytest.fixture()
def loader() -> Iterator[Loader]:
    needs_postgres()
    cluster = CLUSTERS.get()
    with cluster.connect() as admin:
        admin.execute("DROP DATABASE IF EXISTS load_test")
        admin.execute("CREATE DATABASE load_test")
    with cluster.connect("load_test") as conn:
        yield Loader(conn, rows=2_000)


def test_ddl_as_written_rows_that_fit(loader: Loader) -> None:
    schema = schema_from_sql("/app/schema.sql", DDL)
    loader.sync(schema)
    # an unknown type (the enum's CREATE TYPE is not in the schema): built from the columns
    assert loader.tables["parents"].ok and loader.tables["children"].ok
    conn = loader.conn
    assert conn.execute(
        "SELECT count(*), count(DISTINCT id), count(DISTINCT code) FROM parents"
    ).fetchone() == (2000, 2000, 2000)
    orphans = conn.execute(
        "SELECT count(*) FROM children c LEFT JOIN parents p ON p.id = c.parent_id"
        " WHERE p.id IS NULL"
    ).fetchone()
    assert orphans == (0,)
    assert conn.execute("SELECT count(DISTINCT status) FROM parents").fetchone() == (5,)
    assert (
        conn.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'parents'").fetchone()[0] > 0
    )  # type: ignore[index]


def test_only_a_changed_table_is_reloaded(loader: Loader) -> None:
    schema = schema_from_sql("/app/schema.sql", DDL)
    loader.sync(schema)
    loader.conn.execute("DELETE FROM parents WHERE code = 'v1'")
    changed = schema_from_sql("/app/schema.sql", DDL.replace("seen_on DATE", "seen_on TEXT"))
    loader.sync(changed)
    assert loader.conn.execute("SELECT count(*) FROM parents").fetchone() == (1999,)  # kept
    kind = loader.conn.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'children'"
        " AND column_name = 'seen_on'"
    ).fetchone()
    assert kind == ("text",)
    loader.sync(Schema())
    assert loader.tables == {}


def test_orm_models_are_built_from_their_columns(loader: Loader) -> None:
    schema = schema_from_python(parse_source("/app/models.py", MODELS))
    loader.sync(schema)
    conn = loader.conn
    assert conn.execute(
        "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id"
    ).fetchone() == (2000,)
    indexes = {
        r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'orders'")
    }
    assert any("(customer_id)" in d for d in indexes)
    loader.ensure_json_key("orders", "meta", "source")
    assert conn.execute("SELECT count(DISTINCT meta->>'source') FROM orders").fetchone()[0] > 100  # type: ignore[index]


@pytest.mark.parametrize(
    ("declared", "mapped"),
    [
        ("BigInteger", "bigint"),
        ("sa.DateTime", "timestamptz"),
        ("JSONField", "jsonb"),
        ("UUIDField", "uuid"),
        ("CharField", "text"),
        ("BooleanField", "boolean"),
    ],
)
def test_orm_types(declared: str, mapped: str) -> None:
    assert pg_type(declared) == mapped


def test_no_binaries_no_cluster(tmp_path: object) -> None:
    with pytest.raises(NoPostgres, match="initdb failed"):
        start_cluster(bindir=str(tmp_path))


MIGRATION = """
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def upgrade():
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("diff", postgresql.JSONB(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_tenant_id", "audit", ["tenant_id"])
"""


def test_an_alembic_create_table_is_loaded(loader: Loader) -> None:
    schema = schema_from_python(parse_source("/app/migrations/versions/0001_audit.py", MIGRATION))
    assert schema.tables["audit"].origin == "alembic"
    loader.sync(schema)
    conn = loader.conn
    kinds = dict(
        conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = 'audit'"
        ).fetchall()
    )
    assert kinds == {
        "id": "integer",
        "tenant_id": "integer",
        "diff": "jsonb",
        "created_at": "timestamp with time zone",
    }
    assert conn.execute("SELECT count(DISTINCT id) FROM audit").fetchone() == (2000,)
    indexes = {
        r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'audit'")
    }
    assert any("(tenant_id)" in d for d in indexes)
    assert any("PRIMARY KEY" in d or "pkey" in d for d in indexes)


BODY_INDEXES = """
from sqlalchemy import Column, ForeignKey, Index, Integer, Text


class Member(Base):
    __tablename__ = "member"
    id = Column("id", Integer(), primary_key=True)
    team_id = Column(Integer, ForeignKey("team.id"))
    nick = Column(Text)
    Index("member_team_idx", team_id)
    Index("member_team_nick_idx", team_id, nick)
"""
HAND_MIGRATION = """
from alembic import op


def upgrade():
    op.execute("CREATE INDEX member_nick_idx ON crm.member USING btree (nick) TABLESPACE pg_default;")
"""


def test_a_models_body_indexes_and_its_hand_written_migration_indexes(loader: Loader) -> None:
    schema = schema_from_python(parse_source("/app/models.py", BODY_INDEXES))
    assert ("Index", ("team_id",)) in schema.tables["member"].indexes
    assert ("Index", ("team_id", "nick")) in schema.tables["member"].indexes
    schema.merge(schema_from_python(parse_source("/app/migrations/versions/2.py", HAND_MIGRATION)))
    member = schema.tables["member"]
    assert member.origin == "sqlalchemy" and member.ddl  # the migration's index statement
    loader.sync(schema)
    assert loader.tables["member"].ok
    indexes = {
        r[0]
        for r in loader.conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'member'")
    }
    assert any(d.startswith("CREATE INDEX member_nick_idx ON public.member") for d in indexes)
    assert any("(team_id, nick)" in d for d in indexes)


ASSOCIATION = """
import sqlalchemy as sa

artist_song = sa.Table(
    "artist_song",
    Base.metadata,
    sa.Column("artist_id", sa.Integer, sa.ForeignKey("artist.id"), primary_key=True),
    sa.Column("song_id", sa.Integer, sa.ForeignKey("song.id"), primary_key=True),
)


class Artist(Base):
    __tablename__ = "artist"
    id = sa.Column(sa.Integer, primary_key=True)


class Song(Base):
    __tablename__ = "song"
    id = sa.Column(sa.Integer, primary_key=True)
"""


def test_an_association_tables_key_pairs_are_each_a_row(loader: Loader) -> None:
    # both key columns are foreign keys: the same function of the row index in each would
    # repeat its pairs and load nothing (a real app's association table stayed unproven)
    schema = schema_from_python(parse_source("/app/models.py", ASSOCIATION))
    loader.sync(schema)
    assert loader.tables["artist_song"].ok, loader.tables["artist_song"].why
    conn = loader.conn
    assert conn.execute(
        "SELECT count(*), count(DISTINCT (artist_id, song_id)), count(DISTINCT song_id),"
        " count(DISTINCT artist_id) FROM artist_song"
    ).fetchone() == (2000, 2000, 200, 200)
    orphans = conn.execute(
        "SELECT count(*) FROM artist_song x LEFT JOIN song s ON s.id = x.song_id"
        " LEFT JOIN artist a ON a.id = x.artist_id WHERE s.id IS NULL OR a.id IS NULL"
    ).fetchone()
    assert orphans == (0,)
