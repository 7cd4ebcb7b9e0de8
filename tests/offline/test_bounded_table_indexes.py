"""Index proposals judged noise on real apps (fixtures of our own, each with a twin the index is
for): a table whose rows only an administrator or a command makes (an election a year, a
group the CLI seeds), a sort whose primary key only breaks ties, a join the other side reaches
by the key, and an index for a dumped schema that the app changes by numbered migrations. And
one shape that must keep firing: an association table with no key, walked from both sides."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FLASK = "flask\nflask-sqlalchemy\n"


def _app(root: Path, files: dict[str, str], requirements: str = FLASK) -> list[Suggestion]:
    (root / "requirements.txt").write_text(requirements)
    (root / "__init__.py").write_text("")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return collect([str(root)], ["index"])


def _titles(found: list[Suggestion]) -> list[str]:
    return sorted(s.title for s in found)


# 1. Rows only the admin's pages make ------------------------------------------------------

POLL_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Poll(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), nullable=False)
    opens_at = db.Column(db.DateTime, nullable=False)
    closes_at = db.Column(db.DateTime, nullable=False)

    @classmethod
    def by_name(cls, name):
        return cls.query.filter_by(name=name).first()

    find = by_name


class Ballot(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    poll_id = db.Column(db.Integer, db.ForeignKey("poll.id"), nullable=False)
    voter = db.Column(db.String(100), nullable=False)
"""

POLL_ADMIN = """\
from flask import Blueprint, request

from .models import Poll, db

bp = Blueprint("admin", __name__)


@bp.post("/admin/polls")
def open_poll():
    db.session.add(Poll(name=request.form["name"], opens_at=request.form["opens"],
                        closes_at=request.form["closes"]))
    db.session.commit()
    return {}
"""

POLL_VIEWS = """\
from datetime import datetime

from flask import Flask, request

from .models import Ballot, Poll, db

app = Flask(__name__)


@app.get("/polls/open")
def open_polls():
    now = datetime.utcnow()
    polls = Poll.query.filter(Poll.closes_at >= now).order_by(Poll.closes_at).all()
    return {"polls": [p.name for p in polls]}


@app.get("/polls/<name>")
def poll(name):
    found = Poll.find(name)
    return {"n": Ballot.query.filter_by(poll_id=found.id).count()}


@app.post("/polls/<int:poll_id>/ballots")
def vote(poll_id):
    db.session.add(Ballot(poll_id=poll_id, voter=request.form["voter"]))
    db.session.commit()
    return {}
{extra}"""

PUBLIC_POLLS = """

@app.post("/polls")
def propose_poll():
    db.session.add(Poll(name=request.form["name"], opens_at=request.form["opens"],
                        closes_at=request.form["closes"]))
    db.session.commit()
    return {}
"""


def test_a_table_only_the_admin_pages_add_rows_to_gets_no_index(tmp_path: Path) -> None:
    files = {
        "models.py": POLL_MODELS,
        "admin.py": POLL_ADMIN,
        "views.py": POLL_VIEWS.replace("{extra}", ""),
    }
    # The ballots, one per voter, are still indexed; the polls, opened by an admin, are not.
    assert _titles(_app(tmp_path, files)) == ["Add an index on ballot (poll_id)"]


def test_the_same_table_when_a_public_route_adds_rows_is_indexed(tmp_path: Path) -> None:
    files = {
        "models.py": POLL_MODELS,
        "admin.py": POLL_ADMIN,
        "views.py": POLL_VIEWS.replace("{extra}", PUBLIC_POLLS),
    }
    assert _titles(_app(tmp_path, files)) == [
        "Add an index on ballot (poll_id)",
        "Add an index on poll (closes_at)",
        "Add an index on poll (name)",
    ]


def test_a_class_method_that_makes_rows_counts_where_it_is_called(tmp_path: Path) -> None:
    """``Poll.find`` read before; a ``get_or_create`` of the class, called from a public
    route, makes rows there."""
    models = POLL_MODELS.replace(
        "    find = by_name\n",
        "    find = by_name\n\n    @classmethod\n    def get_or_create(cls, name):\n"
        "        return cls.by_name(name) or cls(name=name)\n",
    )
    views = POLL_VIEWS.replace("{extra}", "").replace("Poll.find(name)", "Poll.get_or_create(name)")
    files = {"models.py": models, "admin.py": POLL_ADMIN, "views.py": views}
    assert "Add an index on poll (closes_at)" in _titles(_app(tmp_path, files))


def test_a_model_imported_under_another_name_may_be_made_there(tmp_path: Path) -> None:
    public = '\n\nfrom .models import Poll as P\n\n\n@app.post("/polls")\ndef propose():\n'
    public += '    db.session.add(P(name=request.form["name"]))\n    return {}\n'
    files = {
        "models.py": POLL_MODELS,
        "admin.py": POLL_ADMIN,
        "views.py": POLL_VIEWS.replace("{extra}", public),
    }
    assert "Add an index on poll (closes_at)" in _titles(_app(tmp_path, files))


# 2. Rows only a command makes --------------------------------------------------------------

GROUP_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(200), unique=True)


class Group(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), unique=True, nullable=False)
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"))
"""

GROUP_APP = """\
import click
from flask import Flask, request

from .models import Group, User, db

app = Flask(__name__)


@app.cli.command("make-admin")
@click.argument("email")
def make_admin(email):
    user = User.query.filter_by(email=email).first()
    db.session.add(Group(name="admin", owner_id=user.id))
    db.session.commit()


@app.post("/signup")
def signup():
    db.session.add(User(email=request.form["email"]))
    db.session.commit()
    return {}


@app.get("/users/<int:user_id>/groups")
def groups(user_id):
    return {"groups": [g.name for g in Group.query.filter_by(owner_id=user_id).all()]}
{extra}"""

GROUP_ROUTE = """

@app.post("/groups")
def new_group():
    db.session.add(Group(name=request.form["name"], owner_id=request.form["owner"]))
    db.session.commit()
    return {}
"""


# The rows made by the class's own ``get_or_create``, called from a user's method that only the
# command calls: still only the command's.
GROUP_HELPERS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(200), unique=True)

    def add_group(self, name):
        self.groups.append(Group.get_or_create(name, self.id))


class Group(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), unique=True, nullable=False)
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    owner = db.relationship("User", backref="groups")

    @classmethod
    def by_name(cls, name):
        return cls.query.filter_by(name=name).first()

    @classmethod
    def get_or_create(cls, name, owner_id):
        return cls.by_name(name) or cls(name=name, owner_id=owner_id)

    @classmethod
    def ensure(cls, name, owner_id):
        return cls.get_or_create(name, owner_id)
"""

GROUP_CLI = GROUP_APP.replace(
    '    db.session.add(Group(name="admin", owner_id=user.id))\n',
    '    user.add_group("admin")\n',
)


def test_a_class_method_only_a_command_reaches_makes_rows_off_requests(tmp_path: Path) -> None:
    files = {"models.py": GROUP_HELPERS, "app.py": GROUP_CLI.replace("{extra}", "")}
    assert _titles(_app(tmp_path, files)) == []


def test_a_class_method_a_route_reaches_through_another_makes_rows(tmp_path: Path) -> None:
    route = (
        '\n\n@app.post("/groups")\ndef new_group():\n'
        '    Group.ensure(request.form["name"], 1)\n    return {}\n'
    )
    files = {"models.py": GROUP_HELPERS, "app.py": GROUP_CLI.replace("{extra}", route)}
    assert _titles(_app(tmp_path, files)) == ["Add an index on group (owner_id)"]


IMPORT_CLI = GROUP_APP.replace(
    '    db.session.add(Group(name="admin", owner_id=user.id))\n',
    '    for line in open("groups.txt"):\n'
    "        db.session.add(Group(name=line.strip(), owner_id=user.id))\n",
)


def test_a_command_making_rows_in_a_loop_may_make_many(tmp_path: Path) -> None:
    """An import (or a bot logging events) runs as a command too, and its table grows."""
    files = {"models.py": GROUP_MODELS, "app.py": IMPORT_CLI.replace("{extra}", "")}
    assert _titles(_app(tmp_path, files)) == ["Add an index on group (owner_id)"]


def test_a_maker_nobody_in_sight_calls_is_no_evidence(tmp_path: Path) -> None:
    """``BotEvent.new`` called by another program: the table's rows come from code not read."""
    models = GROUP_HELPERS.replace("Group.get_or_create(name, self.id)", "None")
    files = {
        "models.py": models,
        "app.py": GROUP_APP.replace("{extra}", "").replace(
            '    db.session.add(Group(name="admin", owner_id=user.id))\n', ""
        ),
    }
    assert _titles(_app(tmp_path, files)) == ["Add an index on group (owner_id)"]


def test_a_table_only_a_command_adds_rows_to_gets_no_index(tmp_path: Path) -> None:
    files = {"models.py": GROUP_MODELS, "app.py": GROUP_APP.replace("{extra}", "")}
    assert _titles(_app(tmp_path, files)) == []


def test_the_same_table_when_a_route_adds_rows_is_indexed(tmp_path: Path) -> None:
    files = {"models.py": GROUP_MODELS, "app.py": GROUP_APP.replace("{extra}", GROUP_ROUTE)}
    found = _app(tmp_path, files)
    assert _titles(found) == ["Add an index on group (owner_id)"]
    for path, text in apply_suggestion(found[0]).items():
        ast.parse(text, path)


# 3. The primary key as a sort's tie-break ------------------------------------------------

LIBRARY_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Member(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Book(db.Model):
    __tablename__ = "books"
    id = db.Column(db.Integer, primary_key=True)
    author = db.Column(db.String(200), nullable=False)
    title = db.Column(db.String(200), nullable=False)


class Loan(db.Model):
    __tablename__ = "loans"
    id = db.Column(db.Integer, primary_key=True)
    member_id = db.Column(db.Integer, db.ForeignKey("member.id"), nullable=False)
    checked_out_at = db.Column(db.DateTime, nullable=False)
{extra}"""

LIBRARY_VIEWS = """\
from flask import Flask, request

from .models import Book, Loan, Member, db

app = Flask(__name__)


@app.post("/books")
def add_book():
    db.session.add(Book(author=request.form["author"], title=request.form["title"]))
    db.session.add(Member())
    db.session.add(Loan(member_id=1, checked_out_at=db.func.now()))
    db.session.commit()
    return {}


@app.get("/authors/<author>/books")
def by_author(author):
    page = request.args.get("page", 1, type=int)
    rows = Book.query.filter_by(author=author).order_by(Book.title, Book.id).paginate(page=page)
    return {"titles": [b.title for b in rows.items]}


@app.get("/members/<int:member_id>/loans")
def loans(member_id):
    page = request.args.get("page", 1, type=int)
    rows = (
        Loan.query.filter_by(member_id=member_id)
        .order_by(Loan.checked_out_at, Loan.id)
        .paginate(page=page)
    )
    return {"n": len(rows.items)}
"""

LOANS_INDEXED = """
    __table_args__ = (db.Index("ix_loans_member_out", "member_id", "checked_out_at"),)
"""


def test_a_primary_key_that_only_breaks_ties_is_left_out_of_the_index(tmp_path: Path) -> None:
    files = {"models.py": LIBRARY_MODELS.replace("{extra}", ""), "views.py": LIBRARY_VIEWS}
    assert _titles(_app(tmp_path, files)) == [
        "Add an index on books (author, title)",
        "Add an index on loans (member_id, checked_out_at)",
    ]


def test_no_index_when_the_columns_before_the_tie_break_have_one(tmp_path: Path) -> None:
    files = {
        "models.py": LIBRARY_MODELS.replace("{extra}", LOANS_INDEXED),
        "views.py": LIBRARY_VIEWS,
    }
    assert _titles(_app(tmp_path, files)) == ["Add an index on books (author, title)"]


# 4. A join the other side reaches by the key -----------------------------------------------

RULES_SCHEMA = """\
CREATE TABLE sources (id integer PRIMARY KEY, country varchar(64), analyser varchar(64));
CREATE TABLE rules (item integer NOT NULL, rule integer NOT NULL, title text,
    PRIMARY KEY (item, rule));
CREATE TABLE counts (source_id integer NOT NULL REFERENCES sources(id), item integer NOT NULL,
    rule integer NOT NULL, n integer);
CREATE INDEX counts_source ON counts (source_id);
"""

RULES_APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/title")
async def title(db, source: int, rule: int):
    return await db.fetchval(
        \"\"\"
SELECT rules.title
FROM counts
    JOIN rules ON rules.item = counts.item AND rules.rule = counts.rule
WHERE {where}
\"\"\",
        source,
        rule,
    )
"""

ASYNCPG = "asyncpg\nfastapi\n"


def test_a_joined_table_the_other_side_finds_by_its_key_needs_no_index(tmp_path: Path) -> None:
    app = RULES_APP.replace("{where}", "counts.source_id = $1 AND rules.rule = $2")
    files = {"db/schema.sql": RULES_SCHEMA, "app.py": app}
    assert _titles(_app(tmp_path, files, ASYNCPG)) == []


def test_a_join_that_starts_at_the_joined_table_still_wants_one(tmp_path: Path) -> None:
    app = RULES_APP.replace("{where}", "rules.rule = $2")
    files = {"db/schema.sql": RULES_SCHEMA, "app.py": app}
    assert _titles(_app(tmp_path, files, ASYNCPG)) == ["Add an index on rules (rule)"]


# 5. A dumped schema among numbered migrations ---------------------------------------------

DUMP_HEADER = """\
CREATE EXTENSION btree_gist;

--
-- PostgreSQL database dump
--

SET statement_timeout = 0;

"""

ITEMS_SCHEMA = """\
CREATE TABLE public.items (
    id integer NOT NULL,
    owner varchar(64) NOT NULL
);
"""

ITEMS_APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
async def items(db, owner: str):
    return await db.fetch("SELECT id FROM items WHERE owner = $1", owner)
"""


def _migrations(root: Path) -> None:
    folder = root / "tools" / "database"
    folder.mkdir(parents=True)
    (folder / "01_init.sql").write_text("CREATE TABLE old (id integer);\n")
    (folder / "02_rename.sql").write_text("ALTER TABLE old RENAME TO items;\n")


def test_an_index_for_a_dumped_schema_is_a_new_numbered_migration(tmp_path: Path) -> None:
    _migrations(tmp_path)
    files = {"tools/database/schema.sql": DUMP_HEADER + ITEMS_SCHEMA, "app.py": ITEMS_APP}
    found = _app(tmp_path, files, ASYNCPG)
    assert _titles(found) == ["Add an index on items (owner)"]
    (edit,) = found[0].edits
    assert edit.path == str(tmp_path / "tools" / "database" / "03_add_ix_items_owner.sql")
    assert edit.new_text == "CREATE INDEX IF NOT EXISTS ix_items_owner ON items (owner);\n"


def test_a_hand_written_schema_beside_migrations_is_edited_itself(tmp_path: Path) -> None:
    _migrations(tmp_path)
    files = {"tools/database/schema.sql": ITEMS_SCHEMA, "app.py": ITEMS_APP}
    found = _app(tmp_path, files, ASYNCPG)
    (edit,) = found[0].edits
    assert edit.path == str(tmp_path / "tools" / "database" / "schema.sql")


# 6. An association table with no key, walked from both sides ------------------------------

TAGGING_MODELS = """\
import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

tags_posts = sa.Table(
    "tags_posts",
    db.metadata,
    sa.Column("post_id", sa.Integer, sa.ForeignKey("posts.id")),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id")),{key}
)


class Post(db.Model):
    __tablename__ = "posts"
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
    tags = db.relationship("Tag", secondary=tags_posts, backref="posts")


class Tag(db.Model):
    __tablename__ = "tags"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), unique=True)
"""

TAGGING_VIEWS = """\
from flask import Flask, request

from .models import Post, Tag, db

app = Flask(__name__)


@app.post("/posts")
def write():
    post = Post(title=request.form["title"])
    post.tags = [Tag(name=n) for n in request.form.getlist("tag")]
    db.session.add(post)
    db.session.commit()
    return {}


@app.get("/posts/<int:post_id>/tags")
def post_tags(post_id):
    post = db.get_or_404(Post, post_id)
    return {"tags": [t.name for t in post.tags]}


@app.get("/tags/<name>/posts")
def tagged(name):
    tag = Tag.query.filter_by(name=name).first_or_404()
    return {"posts": [p.title for p in tag.posts]}
"""


def test_a_keyless_association_table_wants_an_index_for_each_side(tmp_path: Path) -> None:
    files = {"models.py": TAGGING_MODELS.replace("{key}", ""), "views.py": TAGGING_VIEWS}
    found = _app(tmp_path, files)
    assert _titles(found) == [
        "Add an index on tags_posts (post_id)",
        "Add an index on tags_posts (tag_id)",
    ]
    for path, text in apply_suggestion(found[0]).items():
        ast.parse(text, path)


def test_an_association_key_serves_the_side_it_leads_with(tmp_path: Path) -> None:
    key = '\n    sa.UniqueConstraint("post_id", "tag_id"),'
    files = {"models.py": TAGGING_MODELS.replace("{key}", key), "views.py": TAGGING_VIEWS}
    assert _titles(_app(tmp_path, files)) == ["Add an index on tags_posts (tag_id)"]
