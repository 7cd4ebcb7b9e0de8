"""Ninth held-out round, after its measurement (verdicts on real apps, reproduced with fixtures
of our own): an index the app declares by column attributes counts; a schema script's one-off
statements are not the app's queries; an index goes into the create script, not a dated step;
a status next to an id is left out of the index."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

FLASK = '[project]\nname = "tracker"\ndependencies = ["flask", "flask-sqlalchemy"]\n'


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _titles(root: Path) -> list[str]:
    return sorted(s.title for s in collect([str(root)], ["index"]))


ENTRY = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class GroupEntry(db.Model):
    __tablename__ = "group_entry"
    id = db.Column(db.Integer(), primary_key=True)
    group_id = db.Column(db.Integer(), db.ForeignKey("groups.id"), nullable=False)
    issue_id = db.Column(db.String(15), db.ForeignKey("issue.id"), nullable=False)

    __table_args__ = (db.Index("group_entry__group_issue_idx", group_id, issue_id, unique=True),)
"""
ENTRY_VIEWS = """\
from flask import Flask

from tracker.models import GroupEntry

app = Flask(__name__)


@app.get("/groups/<int:group>")
def group(group):
    return [e.issue_id for e in GroupEntry.query.filter_by(group_id=group).all()]


@app.get("/issues/<issue>")
def issue(issue):
    return [e.group_id for e in GroupEntry.query.filter_by(issue_id=issue).all()]
"""


def test_an_index_declared_by_column_attributes_serves_its_leading_column(
    tmp_path: Path,
) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": FLASK,
            "tracker/__init__.py": "",
            "tracker/models.py": ENTRY,
            "tracker/views.py": ENTRY_VIEWS,
        },
    )
    # (group_id, issue_id) leads with group_id; issue_id, its second column, still needs one
    assert _titles(root) == ["Add an index on group_entry (issue_id)"]


SQL_APP = '[project]\nname = "sounds"\ndependencies = ["flask", "psycopg2"]\n'
CREATE = """\
CREATE TABLE dataset (
  id SERIAL PRIMARY KEY,
  author INTEGER NOT NULL,
  description TEXT
);

CREATE TABLE eval_job (
  id SERIAL PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  created TIMESTAMP NOT NULL
);
"""
# A dated schema-change step: it creates the table again, and fixes old rows once.
STEP = """\
BEGIN;
CREATE TABLE eval_job (
  id SERIAL PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  created TIMESTAMP NOT NULL
);
UPDATE dataset SET description = '' WHERE description IS NULL;
COMMIT;
"""
SEED = """\
INSERT INTO dataset (author, description) VALUES (1, 'first');
UPDATE dataset SET description = 'seed' WHERE author = 1;
"""
QUERIES = """\
from flask import Flask

import psycopg2

app = Flask(__name__)
conn = psycopg2.connect("")


@app.get("/jobs/<int:snapshot>")
def jobs(snapshot):
    cur = conn.cursor()
    cur.execute("SELECT id FROM eval_job WHERE snapshot_id = %s AND status = 'done'", (snapshot,))
    return cur.fetchall()
"""


def test_schema_scripts_are_not_queries_and_the_index_goes_into_the_create_script(
    tmp_path: Path,
) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": SQL_APP,
            "admin/create_tables.sql": CREATE,
            "admin/updates/20160616-jobs.sql": STEP,
            "admin/sql/seed.sql": SEED,
            "sounds/__init__.py": "",
            "sounds/jobs.py": QUERIES,
        },
    )
    found = collect([str(root)], ["index"])
    # Only the app's own query: the steps' UPDATE and the seed's UPDATE run once. The status
    # beside the snapshot id is no column of the index: the id narrows the rows (its constant
    # makes the PostgreSQL index partial).
    assert [s.title for s in found] == [
        "Add a partial index on eval_job (snapshot_id) WHERE status = 'done'"
    ]
    [edit] = found[0].edits
    assert edit.path == str(root / "admin/create_tables.sql")


NAMED = """\
-- name: add_dataset!
INSERT INTO dataset (author, description) VALUES (:author, :description);

-- name: by_author
SELECT id FROM dataset WHERE author = :author;
"""


def test_a_file_of_named_queries_is_the_apps(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": SQL_APP,
            "admin/create_tables.sql": CREATE,
            "sounds/queries.sql": NAMED,
        },
    )
    assert _titles(root) == ["Add an index on dataset (author)"]


FASTAPI = '[project]\nname = "panel"\ndependencies = ["fastapi", "sqlalchemy"]\n'
PANEL = """\
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

from panel.db import Admin, Node, Settings, get_db, signed_in

app = FastAPI()
DBDep = Annotated[Session, Depends(get_db)]
AdminDep = Annotated[Admin, Depends(signed_in)]


@app.get("/settings")
def settings(db: DBDep, admin: AdminDep):
    return db.query(Settings).first().telegram


@app.get("/me")
def me(db: DBDep, admin: AdminDep):
    row = db.query(Admin).filter(Admin.username == admin.username).first()
    return {"name": row.username}


@app.get("/nodes/{node_id}")
def node(node_id: int, db: DBDep):
    found = db.query(Node).filter(Node.id == node_id).first()
    return {"name": found.name}
"""


def test_no_404_for_a_row_the_client_does_not_name(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": FASTAPI,
            "panel/__init__.py": "",
            "panel/db.py": "Admin = Node = Settings = get_db = signed_in = None\n",
            "panel/main.py": PANEL,
        },
    )
    found = [
        (s.title, s.span.start.line + 1)
        for s in collect([str(root)], ["error-handling"])
        if s.code == "BKD306"
    ]
    # The one settings row and the signed-in admin's own row are the server's to have; the
    # node the client names by its id may be missing.
    assert found == [("Answer 404 when Node is not found", 26)]


SQLMODEL_APP = '[project]\nname = "hunt"\ndependencies = ["fastapi", "sqlmodel"]\n'
SQLMODELS = """\
from typing import List, Optional

from sqlalchemy import Column, ForeignKey
from sqlmodel import Field, Relationship, SQLModel


class Job(SQLModel, table=True):
    internal_id: Optional[int] = Field(default=None, primary_key=True)
    matches: List["Match"] = Relationship(back_populates="job")


class Match(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    file: str
    job_id: int = Field(sa_column=Column(ForeignKey("job.internal_id"), nullable=False))
    job: Job = Relationship(back_populates="matches")
"""
SQLMODEL_DB = """\
from sqlmodel import Session, select

from hunt.models import Job, Match


def job_matches(session: Session, job: Job, offset: int):
    return session.exec(select(Match).where(Match.job == job).offset(offset)).all()
"""


def test_a_relationship_compared_with_a_row_is_its_foreign_key(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": SQLMODEL_APP,
            "hunt/__init__.py": "",
            "hunt/models.py": SQLMODELS,
            "hunt/db.py": SQLMODEL_DB,
        },
    )
    # ``Match.job == job`` is ``match.job_id = ?`` (SQLModel's ``job: Job = Relationship()``)
    assert _titles(root) == ["Add an index on match (job_id)"]
