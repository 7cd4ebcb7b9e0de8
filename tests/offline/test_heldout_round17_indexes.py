"""Seventeenth held-out round, index shapes of our own: a schema built from SQL scripts that
the models only mirror, a model bound to another app's database, three backrefs of one name
on three models, an attribute of a non-ORM object sharing a relationship's name, and reads
only an administrator's pages run."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion


def _app(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def _by_title(root: Path) -> dict[str, Suggestion]:
    return {s.title: s for s in _indexes(root)}


# The schema is made by ``psql -f sql/create_tables.sql`` then ``create_indexes.sql``; the
# models mirror it, and no Alembic or Flask-Migrate exists.
SCRIPT_TABLES = """\
BEGIN;

CREATE TABLE ledger (
  id          SERIAL,
  receipt     VARCHAR NOT NULL,
  member_id   INTEGER
);

CREATE TABLE vault.ticket (
  id          SERIAL,
  holder_id   INTEGER NOT NULL,
  issued_at   TIMESTAMP
);

COMMIT;
"""
SCRIPT_INDEXES = """\
BEGIN;

CREATE INDEX ledger_member_id_idx ON ledger (member_id);

COMMIT;
"""
SCRIPT_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Ledger(db.Model):
    __tablename__ = "ledger"
    id = db.Column(db.Integer, primary_key=True)
    receipt = db.Column(db.String, nullable=False)
    member_id = db.Column(db.Integer)

    @classmethod
    def by_receipt(cls, receipt):
        return cls.query.filter_by(receipt=receipt).first()

    @classmethod
    def of_member(cls, member_id):
        return cls.query.filter_by(member_id=member_id).all()


class Ticket(db.Model):
    __tablename__ = "ticket"
    __table_args__ = {"schema": "vault"}
    id = db.Column(db.Integer, primary_key=True)
    holder_id = db.Column(db.Integer, nullable=False)
    issued_at = db.Column(db.DateTime)

    @classmethod
    def of_holder(cls, holder_id):
        return cls.query.filter_by(holder_id=holder_id).all()
"""
SCRIPT_VIEWS = """\
from flask import Flask

from shop.models import Ledger, Ticket

app = Flask(__name__)


@app.get("/r/<receipt>")
def receipt(receipt):
    return {"id": Ledger.by_receipt(receipt).id}


@app.get("/m/<int:member_id>")
def member(member_id):
    return {"n": len(Ledger.of_member(member_id))}


@app.get("/t/<int:holder_id>")
def tickets(holder_id):
    return {"n": len(Ticket.of_holder(holder_id))}
"""


def test_a_schema_built_by_sql_scripts_gets_its_index_in_the_script(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "flask\nflask-sqlalchemy\n",
            "shop/__init__.py": "",
            "shop/models.py": SCRIPT_MODELS,
            "shop/views.py": SCRIPT_VIEWS,
            "admin/sql/create_tables.sql": SCRIPT_TABLES,
            "admin/sql/create_indexes.sql": SCRIPT_INDEXES,
            "admin/schema_updates/2024-01-01-add-receipt.sql": "ALTER TABLE ledger ADD x INT;\n",
        },
    )
    found = _by_title(root)
    # member_id has the script's index: nothing to add
    assert set(found) == {
        "Add an index on ledger (receipt)",
        "Add an index on ticket (holder_id)",
    }
    ledger = found["Add an index on ledger (receipt)"]
    (edit,) = ledger.edits
    # into the script of indexes, before the COMMIT closing its transaction; not the model
    assert edit.path == str(root / "admin/sql/create_indexes.sql")
    assert edit.new_text == "CREATE INDEX ix_ledger_receipt ON ledger (receipt);\n\n"
    assert edit.span.start.line == 4
    assert "Proven on SQLite" in ledger.rationale
    assert "admin/schema_updates/" in ledger.rationale
    assert "CREATE INDEX CONCURRENTLY" in ledger.rationale
    # a schema of its own, with no script of indexes: after its CREATE TABLE, name as written
    (ticket,) = found["Add an index on ticket (holder_id)"].edits
    assert ticket.path == str(root / "admin/sql/create_tables.sql")
    assert ticket.new_text == "CREATE INDEX ix_ticket_holder_id ON vault.ticket (holder_id);\n"
    assert ticket.span.start.line == 13  # after its closing ");"


def test_with_flask_migrate_the_model_keeps_the_index(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "flask\nflask-sqlalchemy\nflask-migrate\n",
            "shop/__init__.py": "",
            "shop/models.py": SCRIPT_MODELS,
            "shop/views.py": SCRIPT_VIEWS,
            "admin/sql/create_tables.sql": SCRIPT_TABLES,
        },
    )
    ledger = _by_title(root)["Add an index on ledger (receipt)"]
    assert [e.path for e in ledger.edits] == [str(root / "shop/models.py")]


# The app reads another app's database through a second bind: not its schema to index.
BOUND_MODELS = """\
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

db = SQLAlchemy()


class Listener(db.Model):
    __bind_key__ = "catalogue"
    __tablename__ = "listener"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String, nullable=False)
    region = db.Column(db.String)

    @classmethod
    def by_region(cls, region):
        return cls.query.filter_by(region=region).all()


def listener_id(engine, name):
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id FROM listener WHERE lower(name) = lower(:name)"), {"name": name}
        ).fetchone()
        return row.id if row else None
"""
BOUND_VIEWS = """\
from flask import Flask

from radio.models import Listener, listener_id

app = Flask(__name__)


@app.get("/l/<region>")
def region(region):
    return {"n": len(Listener.by_region(region))}


@app.get("/n/<name>")
def named(name):
    return {"id": listener_id(app.engine, name)}
"""


def test_no_index_for_a_model_bound_to_another_database(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "flask\nflask-sqlalchemy\n",
            "radio/__init__.py": "",
            "radio/models.py": BOUND_MODELS,
            "radio/views.py": BOUND_VIEWS,
        },
    )
    assert _indexes(root) == []
    # the same model on the app's own database is indexed
    (root / "radio/models.py").write_text(
        BOUND_MODELS.replace('    __bind_key__ = "catalogue"\n', ""), encoding="utf-8"
    )
    titles = {s.title for s in _indexes(root)}
    assert "Add an index on listener (region)" in titles


# Three models each give Entry a backref named ``entries``; a datapackage-like object has a
# ``parts`` list sharing the name of Entry's relationship.
BACKREF_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Person(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Contest(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Genre(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Entry(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("person.id"))
    contest_id = db.Column(db.Integer, db.ForeignKey("contest.id"))
    genre_id = db.Column(db.Integer, db.ForeignKey("genre.id"))
    person = db.relationship("Person", backref="entries")
    contest = db.relationship("Contest", backref="entries")
    genre = db.relationship("Genre", backref="entries")


class Part(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    entry_id = db.Column(db.Integer, db.ForeignKey("entry.id"))
    entry = db.relationship("Entry", backref="parts")
"""
BACKREF_VIEWS = """\
from flask import Flask

from fair.models import Contest
from fair.packages import Bundle

app = Flask(__name__)


@app.get("/c/<int:cid>")
def contest(cid):
    contest = Contest.query.get(cid)
    return {"ids": [e.id for e in contest.entries]}


@app.get("/b")
def bundle(url):
    package = Bundle(url)
    return {"n": len(package.parts)}
"""


def test_a_backref_walk_reads_the_key_pointing_at_its_own_model(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "flask\nflask-sqlalchemy\n",
            "fair/__init__.py": "",
            "fair/models.py": BACKREF_MODELS,
            "fair/packages.py": "class Bundle:\n    def __init__(self, url):\n        self.parts = []\n",
            "fair/views.py": BACKREF_VIEWS,
        },
    )
    titles = {s.title for s in _indexes(root)}
    assert "Add an index on entry (contest_id)" in titles
    assert "Add an index on entry (genre_id)" not in titles
    # ``package`` is a Bundle, not an Entry: its ``parts`` is no relationship walk
    assert "Add an index on part (entry_id)" not in titles


# A count on a dashboard and a role's members before deleting it: administrator pages only.
ADMIN_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Ticket(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    owner_ref = db.Column(db.String(40))
    desk_ref = db.Column(db.String(40))
"""
ADMIN_VIEWS = """\
from flask import Blueprint

from desk.models import Ticket
from desk.auth import admin_required

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.route("/count/<ref>")
@admin_required
def count(ref):
    return {"n": Ticket.query.filter_by(owner_ref=ref).count()}


@blueprint.route("/desk/<ref>")
@admin_required
def desk(ref):
    return {"n": Ticket.query.filter_by(desk_ref=ref).count()}
"""
PUBLIC_VIEWS = """\
from flask import Blueprint

from desk.models import Ticket

blueprint = Blueprint("public", __name__)


@blueprint.route("/mine/<ref>")
def mine(ref):
    return {"ids": [t.id for t in Ticket.query.filter_by(desk_ref=ref).all()]}
"""


def test_an_index_only_admin_pages_want_is_not_proposed(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "requirements.txt": "flask\nflask-sqlalchemy\n",
            "desk/__init__.py": "",
            "desk/auth.py": "def admin_required(f):\n    return f\n",
            "desk/models.py": ADMIN_MODELS,
            "desk/back.py": ADMIN_VIEWS,
            "desk/public.py": PUBLIC_VIEWS,
        },
    )
    found = _by_title(root)
    # owner_ref: only the admin count reads it; desk_ref: the public page wants it too
    assert set(found) == {"Add an index on ticket (desk_ref)"}
    assert "Proven on SQLite" in found["Add an index on ticket (desk_ref)"].rationale


FLAG_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Fair(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    is_hidden = db.Column(db.Boolean, default=False)
    frozen = db.Column(db.Boolean, default=False)
    opens_at = db.Column(db.DateTime)
"""
FLAG_VIEWS = """\
from flask import Flask

from expo.models import Fair

app = Flask(__name__)


@app.get("/fairs")
def fairs():
    rows = Fair.query.filter_by(is_hidden=False, frozen=False).order_by(Fair.opens_at.desc()).all()
    return {"ids": [f.id for f in rows]}


@app.get("/fairs/latest")
def latest():
    rows = Fair.query.filter_by(is_hidden=False, frozen=False).order_by(Fair.opens_at.desc()).limit(5)
    return {"ids": [f.id for f in rows.all()]}
"""


def test_an_unpaged_list_narrowed_by_flags_only_gets_no_index(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "flask\nflask-sqlalchemy\n",
        "expo/__init__.py": "",
        "expo/models.py": FLAG_MODELS,
        "expo/views.py": FLAG_VIEWS,
    }
    found = _indexes(_app(tmp_path / "both", files))
    # the first page of five: the index spares reading every row, and is proposed there
    assert [(s.title, s.span.start.line) for s in found] == [
        ("Add an index on fair (is_hidden, frozen, opens_at)", 15)
    ]
    only_all = {**files, "expo/views.py": FLAG_VIEWS.split('\n\n@app.get("/fairs/latest")')[0]}
    assert _indexes(_app(tmp_path / "all", only_all)) == []
