"""Fourth held-out round: verdicts from judging the offline engine on real apps it had never
seen (a Flask app whose PostgreSQL schema is a set of SQL scripts -- tables, then primary keys
and unique constraints by ALTER TABLE, then indexes -- queried through ``sqlalchemy.text``; a
large Django site; a DRF service), kept as small fixtures of our own that reproduce each shape:
what a reviewer rejected stays silent, what a reviewer accepted is suggested at its line."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.review.offline.sql import table_defs
from subagent_lsp.review.suggestion import Suggestion


def _project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if not (root / "pyproject.toml").exists():
        (root / "pyproject.toml").write_text(
            '[project]\nname = "app"\ndependencies = ["flask", "sqlalchemy", "requests"]\n'
        )
    return root


def _sites(found: list[Suggestion], root: Path) -> set[tuple[str, int, str]]:
    return {
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.title) for s in found
    }


def _applied(s: Suggestion, path: Path) -> str:
    edits = [TextEdit(e.span, e.new_text) for e in s.edits if e.path == str(path)]
    return apply_edits(path.read_text(), edits)


# --- a schema in SQL scripts: keys by ALTER TABLE, a schema-change script, raw SQL queries ---

CREATE_TABLES = """\
BEGIN;

CREATE TABLE comment (
    id          UUID        NOT NULL DEFAULT uuid_generate_v4(),
    review_id   UUID        NOT NULL,
    is_hidden   BOOLEAN     NOT NULL DEFAULT False
);

CREATE TABLE comment_revision (
    id          SERIAL      NOT NULL,
    comment_id  UUID        NOT NULL,
    timestamp   TIMESTAMP   NOT NULL DEFAULT NOW(),
    text        VARCHAR     NOT NULL
);

CREATE TABLE review (
    id           UUID        NOT NULL,
    user_id      UUID        NOT NULL,
    is_draft     BOOLEAN     NOT NULL,
    is_hidden    BOOLEAN     NOT NULL,
    published_on TIMESTAMP
);

CREATE TABLE revision (
    id          SERIAL      NOT NULL,
    review_id   UUID        NOT NULL,
    timestamp   TIMESTAMP   NOT NULL DEFAULT NOW()
);

CREATE TABLE vote (
    user_id     UUID        NOT NULL,
    revision_id INTEGER     NOT NULL,
    vote        BOOLEAN     NOT NULL,
    rated_at    TIMESTAMP   NOT NULL
);

ALTER TABLE review ADD CONSTRAINT review_entity_user_key UNIQUE (id, user_id);

COMMIT;
"""

CREATE_PRIMARY_KEYS = """\
BEGIN;
ALTER TABLE comment ADD CONSTRAINT comment_pkey PRIMARY KEY (id);
ALTER TABLE comment_revision ADD CONSTRAINT comment_revision_pkey PRIMARY KEY (id);
ALTER TABlE review ADD CONSTRAINT review_pkey PRIMARY KEY (id);
ALTER TABLE revision ADD CONSTRAINT revision_pkey PRIMARY KEY (id);
ALTER TABLE vote ADD CONSTRAINT vote_pkey PRIMARY KEY (user_id, revision_id);
COMMIT;
"""

CREATE_INDEXES = """\
BEGIN;
CREATE INDEX ix_revision_review_id ON revision USING btree (review_id);
COMMIT;
"""

# A later schema change creates a table again (as the create script does): it does not make the
# keys the other scripts add disappear, and its own statements are no source of advice.
SCHEMA_CHANGE = """\
BEGIN;
CREATE TABLE vote (
    user_id     UUID        NOT NULL,
    revision_id INTEGER     NOT NULL,
    vote        BOOLEAN     NOT NULL,
    rated_at    TIMESTAMP   NOT NULL
);
SELECT count(*) FROM review WHERE is_draft = 'f' AND published_on > '2020-01-01';
COMMIT;
"""

DB_COMMENT = '''\
import sqlalchemy

from app import db


def get_by_id(comment_id):
    with db.engine.connect() as connection:
        result = connection.execute(sqlalchemy.text("""
            SELECT c.id, cr.text
              FROM comment c
              JOIN comment_revision cr ON c.id = cr.comment_id
             WHERE c.id = :comment_id
          ORDER BY cr.timestamp DESC
        """), {"comment_id": comment_id})
        return result.fetchone()


def delete(comment_id):
    with db.engine.begin() as connection:
        connection.execute(sqlalchemy.text("DELETE FROM comment WHERE id = :comment_id"),
                           {"comment_id": comment_id})
'''

DB_REVIEW = '''\
import sqlalchemy

from app import db


def get_count(*, is_draft=False, is_hidden=False):
    with db.engine.connect() as connection:
        result = connection.execute(sqlalchemy.text("""
            SELECT count(*)
              FROM review
             WHERE is_draft = :is_draft
               AND is_hidden = :is_hidden
        """), {"is_draft": is_draft, "is_hidden": is_hidden})
        return result.fetchone()


def get_by_user(user_id):
    with db.engine.connect() as connection:
        result = connection.execute(sqlalchemy.text("""
            SELECT id FROM review WHERE user_id = :user_id
        """), {"user_id": user_id})
        return result.fetchall()


def revisions(review_id, limit):
    with db.engine.connect() as connection:
        result = connection.execute(sqlalchemy.text("""
            SELECT revision.id, count(vote.vote)
              FROM revision
         LEFT JOIN vote ON vote.revision_id = revision.id
             WHERE review_id = :review_id
          GROUP BY revision.id
          ORDER BY timestamp DESC
             LIMIT :limit
        """), {"review_id": review_id, "limit": limit})
        return result.fetchall()


def votes_of(user_id, revision_id):
    with db.engine.connect() as connection:
        result = connection.execute(sqlalchemy.text("""
            SELECT vote FROM vote WHERE revision_id = :revision_id AND user_id = :user_id
        """), {"user_id": user_id, "revision_id": revision_id})
        return result.fetchone()


def import_data(file_name, table_name):
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        with open(file_name) as f:
            cursor.copy_from(f, table_name)
            connection.commit()
    finally:
        connection.close()
'''


def _sql_scripts_app(root: Path) -> Path:
    return _project(
        root,
        {
            "admin/sql/create_tables.sql": CREATE_TABLES,
            "admin/sql/create_primary_keys.sql": CREATE_PRIMARY_KEYS,
            "admin/sql/create_indexes.sql": CREATE_INDEXES,
            "admin/schema_changes/8.sql": SCHEMA_CHANGE,
            "app/__init__.py": "db = None\n",
            "app/db/comment.py": DB_COMMENT,
            "app/db/review.py": DB_REVIEW,
        },
    )


def test_alter_table_keys_are_read_as_indexes() -> None:
    tables = {t.name: t.indexes for t in table_defs(CREATE_PRIMARY_KEYS + CREATE_TABLES)}
    assert tables["vote"] == [("PRIMARY KEY", ("user_id", "revision_id"))]
    assert ("UNIQUE", ("id", "user_id")) in tables["review"]
    assert ("PRIMARY KEY", ("id",)) in tables["review"]
    # an ALTER that adds no key (a column, a default) is no index
    assert table_defs("ALTER TABLE t ADD COLUMN c INTEGER;") == []


def test_sql_script_schema_with_keys_added_by_alter_table(tmp_path: Path) -> None:
    root = _sql_scripts_app(tmp_path / "app")
    found = collect([str(root)], ["index"])
    assert _sites(found, root) == {
        # accepted: the comment page joins its revisions by a foreign key nothing indexes
        ("app/db/comment.py", 8, "Add an index on comment_revision (comment_id)"),
        # accepted: a user's reviews (the unique key is led by id, not by user_id)
        ("app/db/review.py", 19, "Add an index on review (user_id)"),
        # accepted: votes of a revision (the primary key is led by user_id)
        ("app/db/review.py", 27, "Add an index on vote (revision_id)"),
        # silent (judged noise: a review has a handful of revisions): ix_revision_review_id
        # already finds them, and only the sort would be left -- the shape round 6 judged
        # noise three times (a user's tokens, bundles, a person's faces by date or order);
        # silent: comment.id, review.id are primary keys added by ALTER TABLE in another file;
        # silent: (revision_id, user_id) is the primary key (user_id, revision_id) in any order;
        # silent: an index on two flags (is_draft, is_hidden) narrows nothing;
        # silent: the schema-change script's own SELECT is a migration, not a source.
    }
    [revision_id] = [s for s in found if "vote (revision_id)" in s.title]
    assert "vote_pkey" in revision_id.rationale or "PRIMARY KEY" in revision_id.rationale
    tables = root / "admin/sql/create_tables.sql"
    for s in found:
        # the app's own way to change an existing database: a script in its schema_changes/
        assert "a new script in admin/schema_changes/" in s.rationale
        after = _applied(s, tables)
        assert "CREATE INDEX ix_" in after


def test_commit_in_a_try_whose_finally_closes_the_connection(tmp_path: Path) -> None:
    root = _sql_scripts_app(tmp_path / "app")
    # silent: closing the connection ends (and, pooled, resets) the failed transaction
    assert collect([str(root)], ["error-handling"]) == []
    # the same commit without the close: the connection lives on in a failed transaction
    review = root / "app/db/review.py"
    text = review.read_text().replace("    finally:\n        connection.close()\n", "")
    review.write_text(text.replace("    try:\n        cursor", "    if True:\n        cursor"))
    found = collect([str(root)], ["error-handling"])
    assert [(s.code, s.span.start.line + 1, s.title) for s in found] == [
        ("BKD303", 53, "Roll back when connection.commit() fails")
    ]


# --- a large Django site: lookup tables, IS NOT NULL, an existing FK index, data commands ----

DJANGO_MODELS = """\
from django.db import models


class Calendar(models.Model):
    url = models.URLField(blank=True, null=True)
    slug = models.SlugField(unique=True)


class EventCategory(models.Model):
    name = models.CharField(max_length=200)
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE)

    class Meta:
        ordering = ("name",)


class Event(models.Model):
    uid = models.CharField(max_length=200, null=True, blank=True)
    title = models.CharField(max_length=200)
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE)


class BlogEntry(models.Model):
    title = models.CharField(max_length=200)
    pub_date = models.DateTimeField()


class Page(models.Model):
    path = models.CharField(max_length=500, unique=True)


class Image(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE)
    image = models.CharField(max_length=400)


class Sponsor(models.Model):
    name = models.CharField(max_length=100)
"""

DJANGO_VIEWS = """\
from django.views.generic import ListView

from .models import BlogEntry, EventCategory


class EventList(ListView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["event_categories"] = EventCategory.objects.all()[:10]
        return context


def blog_index(request):
    entries = BlogEntry.objects.order_by("-pub_date")[:6]
    return entries
"""

DJANGO_IMPORTER = """\
from .models import Calendar, Event, Image


def import_events(calendar, parsed):
    for uid, defaults in parsed:
        Event.objects.update_or_create(uid=uid, defaults=defaults)


def calendars_to_import():
    return Calendar.objects.filter(url__isnull=False)


def copy_images(page, names):
    for name in names:
        Image.objects.get_or_create(page=page, image=name)
"""

DJANGO_TEST_DATA = """\
from django.core.management.base import BaseCommand

from app.models import Sponsor


class Command(BaseCommand):
    def handle(self, **options):
        Sponsor.objects.filter(name__startswith="Test Sponsor").delete()
"""


def test_django_site_lookup_tables_and_data_commands(tmp_path: Path) -> None:
    root = _project(
        tmp_path / "site",
        {
            "manage.py": "",
            "app/models.py": DJANGO_MODELS,
            "app/views.py": DJANGO_VIEWS,
            "app/importer.py": DJANGO_IMPORTER,
            "app/management/commands/create_test_sponsor_data.py": DJANGO_TEST_DATA,
        },
    )
    found = collect([str(root)], ["index"])
    assert _sites(found, root) == {
        # accepted: the blog's front page, newest first, from a table that only grows
        ("app/views.py", 14, "Add an index on blogentry (pub_date)"),
        # accepted: the calendar import looks every event up by its uid
        ("app/importer.py", 6, "Add an index on event (uid)"),
        # silent: categories listed by name (Meta.ordering): a lookup table of a few rows;
        # silent: url IS NOT NULL keeps most rows;
        # silent: images of one page are narrowed by the page foreign key's index already;
        # silent: a command that makes test data is no production code.
    }
    models = root / "app/models.py"
    for s in found:
        ast.parse(_applied(s, models))
    assert "db_index=True" in _applied(found[0], models)


# --- FastAPI + SQLAlchemy 2 async: a one-to-many read by a loader option ------------------

NOTEBOOKS = """\
from __future__ import annotations

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, joinedload, mapped_column, relationship
from sqlalchemy.orm import selectinload


class Base(DeclarativeBase):
    pass


class Notebook(Base):
    __tablename__ = "notebooks"

    id: Mapped[int] = mapped_column("id", primary_key=True)
    title: Mapped[str] = mapped_column("title", String(length=64), nullable=False)
    notes: Mapped[list[Note]] = relationship("Note", back_populates="notebook")

    @classmethod
    async def read_all(cls, session: AsyncSession, include_notes: bool):
        stmt = select(cls)
        if include_notes:
            stmt = stmt.options(selectinload(cls.notes))
        return await session.stream_scalars(stmt.order_by(cls.id))


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column("id", primary_key=True)
    notebook_id: Mapped[int] = mapped_column(
        "notebook_id", ForeignKey("notebooks.id"), nullable=False
    )
    notebook: Mapped[Notebook] = relationship("Notebook", back_populates="notes")

    @classmethod
    async def read_by_id(cls, session: AsyncSession, note_id: int):
        stmt = select(cls).where(cls.id == note_id).options(joinedload(cls.notebook))
        return await session.scalar(stmt)
"""


def test_loader_option_reads_the_children_by_their_foreign_key(tmp_path: Path) -> None:
    root = _project(
        tmp_path / "app",
        {
            "pyproject.toml": '[project]\nname = "app"\ndependencies = ["fastapi", "sqlalchemy"]\n',
            "app/models.py": NOTEBOOKS,
            "app/routes.py": "async def notebooks(session):\n    return await Notebook.read_all(session, True)\n",
        },
    )
    found = collect([str(root)], ["index"])
    # accepted: selectinload reads every notebook's notes by notes.notebook_id, unindexed;
    # silent: joinedload(cls.notebook) goes the other way, to the notebook's primary key
    assert _sites(found, root) == {("app/models.py", 24, "Add an index on notes (notebook_id)")}
    after = _applied(found[0], root / "app/models.py")
    # the keyword joins the last argument, not the line that closes the call
    assert '"notebook_id", ForeignKey("notebooks.id"), nullable=False, index=True\n    )' in after
    ast.parse(after)
