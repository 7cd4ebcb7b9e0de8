"""BKD212: a request value picks the sort column (``order_by(getattr(Post, sort))``,
``text(sort)``, a bare string, ``ORDER BY {sort}`` in raw SQL) with no allow-list. Each
positive asserts the exact edit and that the edited file parses and is clean; each clean twin
(allow-listed, a dict lookup, a Literal, a constant, not the client's) gets nothing."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FLASK_PYPROJECT = (
    '[project]\nname = "blog"\nrequires-python = ">=3.10"\n'
    'dependencies = ["flask", "flask-sqlalchemy"]\n'
)
FLASK_HEAD = """\
from flask import Flask, abort, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import desc, text

app = Flask(__name__)
db = SQLAlchemy(app)


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))
    created_at = db.Column(db.DateTime)
    password_hash = db.Column(db.String(128))

"""


def _project(root: Path, files: dict[str, str], pyproject: str = FLASK_PYPROJECT) -> Path:
    for rel, text in {"pyproject.toml": pyproject, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path, code: str = "BKD212") -> list[Suggestion]:
    found = [s for s in collect([str(root)], ["validation"]) if s.code == code]
    return sorted(found, key=lambda s: (s.path, s.span.start.line))


def _flask(root: Path, views: str) -> Path:
    return _project(root, {"app.py": FLASK_HEAD + views})


def _applied_cleanly(root: Path, suggestion: Suggestion, name: str) -> str:
    new = apply_suggestion(suggestion)[str(root / name)]
    ast.parse(new)
    assert _found(root) == []
    return new


GETATTR = """
@app.route("/posts")
def posts():
    sort = request.args.get("sort", "created_at")
    q = Post.query.filter(Post.id > 0)
    q = q.order_by(getattr(Post, sort))
    return {"titles": [p.title for p in q]}
"""


def test_flask_getattr_sort_is_checked_against_the_models_columns(tmp_path: Path) -> None:
    root = _flask(tmp_path, GETATTR)
    (found,) = _found(root)
    assert found.span.start.line + 1 == 20
    assert found.title == "Allow only Post's columns as the sort key `sort`"
    assert "AttributeError (a 500)" in found.rationale
    assert "columns that hold secrets are left out" in found.rationale
    assert [(e.span.start.line + 1, e.new_text) for e in found.edits] == [
        (19, "    if sort not in POST_SORT_KEYS:\n        abort(400)\n"),
        # the password hash is no sort key: its order would leak it
        (16, 'POST_SORT_KEYS = ("created_at", "id", "title")\n\n\n'),
    ]
    new = _applied_cleanly(root, found, "app.py")
    assert '\n\n\nPOST_SORT_KEYS = ("created_at", "id", "title")\n\n\n@app.route("/posts")\n' in new
    assert _found(root, "BKD209") == []


def test_a_leading_minus_is_kept_and_the_check_reads_the_key_as_the_query_does(
    tmp_path: Path,
) -> None:
    root = _flask(
        tmp_path,
        """
@app.route("/posts")
def posts():
    sort = request.args.get("sort", "-created_at")
    column = getattr(Post, sort.lstrip("-"))
    rows = Post.query.order_by(column.desc() if sort.startswith("-") else column).all()
    return {"titles": [p.title for p in rows]}
""",
    )
    (found,) = _found(root)
    assert found.span.start.line + 1 == 19
    assert found.edits[0].new_text == (
        '    if sort.lstrip("-") not in POST_SORT_KEYS:\n        abort(400)\n'
    )
    _applied_cleanly(root, found, "app.py")


def test_text_of_the_sort_key_is_sql_injection(tmp_path: Path) -> None:
    root = _flask(
        tmp_path,
        """
@app.route("/posts")
def posts():
    sort = request.args.get("sort", "created_at")
    return {"titles": [p.title for p in Post.query.order_by(text(sort))]}
""",
    )
    (found,) = _found(root)
    assert found.span.start.line + 1 == 19
    assert "SQL injection" in found.rationale
    assert found.edits[0].new_text == "    if sort not in POST_SORT_KEYS:\n        abort(400)\n"
    _applied_cleanly(root, found, "app.py")


def test_a_bare_string_without_default_is_checked_only_when_sent(tmp_path: Path) -> None:
    # ``order_by(None)`` sorts nothing: a request without ``sort`` must still pass.
    root = _flask(
        tmp_path,
        """
@app.route("/posts")
def posts():
    sort = request.args.get("sort")
    q = Post.query
    if sort:
        q = q.order_by(sort)
    return {"titles": [p.title for p in q]}
""",
    )
    (found,) = _found(root)
    assert found.span.start.line + 1 == 21
    assert found.edits[0].new_text == (
        "    if sort and sort not in POST_SORT_KEYS:\n        abort(400)\n"
    )
    _applied_cleanly(root, found, "app.py")


def test_an_inline_read_is_checked_before_its_statement(tmp_path: Path) -> None:
    root = _flask(
        tmp_path,
        """
@app.route("/posts")
def posts():
    rows = Post.query.order_by(desc(getattr(Post, request.args["order_by"]))).all()
    return {"titles": [p.title for p in rows]}
""",
    )
    (found,) = _found(root)
    assert found.title == "Allow only Post's columns as the sort key `order_by`"
    assert found.edits[0].new_text == (
        '    if request.args["order_by"] not in POST_SORT_KEYS:\n        abort(400)\n'
    )
    assert found.edits[0].span.start.line + 1 == 18
    _applied_cleanly(root, found, "app.py")


def test_a_json_view_without_abort_answers_a_json_400(tmp_path: Path) -> None:
    head = FLASK_HEAD.replace(
        "from flask import Flask, abort, request", "from flask import Flask, request"
    )
    root = _project(tmp_path, {"app.py": head + GETATTR})
    (found,) = _found(root)
    assert [e.new_text for e in found.edits[:2]] == [
        "from flask import Flask, jsonify, request",
        '    if sort not in POST_SORT_KEYS:\n        return jsonify(error="unknown sort column"), 400\n',
    ]
    _applied_cleanly(root, found, "app.py")


def test_two_views_of_one_model_define_one_constant_above_the_first(tmp_path: Path) -> None:
    second = GETATTR.replace('"/posts"', '"/drafts"').replace("def posts", "def drafts")
    root = _flask(tmp_path, GETATTR + "\n" + second)
    first, other = _found(root)
    assert first.edits[1] == other.edits[1]  # the same definition, at the same place
    assert first.edits[1].span.start.line + 1 == 16
    new = apply_suggestion(first)[str(root / "app.py")]
    ast.parse(new)
    # applied, the module has the constant: the other view's fix reads it, defines nothing
    (again,) = _found(root)
    assert [e.new_text for e in again.edits] == [
        "    if sort not in POST_SORT_KEYS:\n        abort(400)\n"
    ]
    assert "trim it" not in again.rationale
    _applied_cleanly(root, again, "app.py")


def test_the_apps_own_allow_list_constant_is_reused(tmp_path: Path) -> None:
    views = 'POST_SORT_KEYS = frozenset({"id", "title"})\n\n' + GETATTR.replace(
        '"created_at")', '"title")'
    )
    root = _flask(tmp_path, views)
    (found,) = _found(root)
    assert [e.new_text for e in found.edits] == [
        "    if sort not in POST_SORT_KEYS:\n        abort(400)\n"
    ]


FASTAPI_PYPROJECT = (
    '[project]\nname = "shop"\nrequires-python = ">=3.10"\n'
    'dependencies = ["fastapi", "sqlalchemy"]\n'
)
MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column()
    price: Mapped[int] = mapped_column()
"""
FASTAPI_HEAD = """\
from typing import Literal, Optional

from fastapi import Depends, FastAPI, Query
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from shop.models import Item

app = FastAPI()


def get_session():
    yield None

"""
FASTAPI_GETATTR = """
@app.get("/items")
def list_items(sort_by: str = "name", session: Session = Depends(get_session)):
    return session.scalars(select(Item).order_by(getattr(Item, sort_by))).all()
"""


def _shop(root: Path, views: str, pyproject: str = FASTAPI_PYPROJECT) -> Path:
    head = FASTAPI_HEAD
    if ">=3.7" in pyproject:  # no typing.Literal there
        head = head.replace("from typing import Literal, Optional", "from typing import Optional")
    files = {"shop/__init__.py": "", "shop/models.py": MODELS, "shop/main.py": head + views}
    return _project(root, files, pyproject)


def test_fastapi_str_sort_parameter_becomes_a_literal_of_the_columns(tmp_path: Path) -> None:
    root = _shop(tmp_path, FASTAPI_GETATTR)
    (found,) = _found(root)
    assert found.span.start.line + 1 == 18
    assert "makes FastAPI answer 422" in found.rationale
    assert [e.new_text for e in found.edits] == ['Literal["id", "name", "price"]']
    new = _applied_cleanly(root, found, "shop/main.py")
    assert 'def list_items(sort_by: Literal["id", "name", "price"] = "name", ' in new
    assert _found(root, "BKD209") == []  # one finding per site: the sort key's


def test_an_optional_sort_parameter_keeps_its_none(tmp_path: Path) -> None:
    root = _shop(
        tmp_path,
        """
@app.get("/items")
def list_items(sort: Optional[str] = None, session: Session = Depends(get_session)):
    stmt = select(Item)
    if sort:
        stmt = stmt.order_by(text(sort))
    return session.scalars(stmt).all()
""",
    )
    (found,) = _found(root)
    assert [e.new_text for e in found.edits] == ['Literal["id", "name", "price"]']
    new = _applied_cleanly(root, found, "shop/main.py")
    assert 'sort: Optional[Literal["id", "name", "price"]] = None' in new


def test_on_python_37_fastapi_answers_400_itself(tmp_path: Path) -> None:
    # ``typing.Literal`` is 3.8's: the app's Python decides the idiom.
    old = FASTAPI_PYPROJECT.replace(">=3.10", ">=3.7")
    root = _shop(tmp_path, FASTAPI_GETATTR, old)
    (found,) = _found(root)
    assert [(e.span.start.line + 1, e.new_text) for e in found.edits] == [
        (3, "from fastapi import Depends, FastAPI, HTTPException, Query"),
        (
            18,
            "    if sort_by not in ITEM_SORT_KEYS:\n"
            '        raise HTTPException(status_code=400, detail="unknown sort column")\n',
        ),
        (16, 'ITEM_SORT_KEYS = ("id", "name", "price")\n\n\n'),
    ]
    _applied_cleanly(root, found, "shop/main.py")


def test_a_client_named_filter_field_stays_bkd209s_and_wants_literal(tmp_path: Path) -> None:
    views = """
@app.get("/items/by")
def by_field(field: str = "name", value: str = "", session: Session = Depends(get_session)):
    return session.scalars(select(Item).where(getattr(Item, field) == value)).all()
"""
    root = _shop(tmp_path, views)
    assert _found(root) == []
    (found,) = _found(root, "BKD209")
    assert [e.new_text for e in found.edits] == ['Literal["id", "name", "price"]']
    # on 3.7 there is no typing.Literal: no edit that would import it
    old = FASTAPI_PYPROJECT.replace(">=3.10", ">=3.7")
    root = _shop(tmp_path, views, old)
    assert _found(root, "BKD209") == []


def test_raw_sql_order_by_of_a_query_parameter(tmp_path: Path) -> None:
    root = _shop(
        tmp_path,
        """
@app.get("/items/raw")
def list_raw(order: str = Query("price", max_length=20)):
    db = get_db()
    return db.execute(f"SELECT id, name FROM items ORDER BY {order} DESC").fetchall()


def get_db():
    raise NotImplementedError
""",
    )
    (found,) = _found(root)
    assert found.span.start.line + 1 == 19
    assert "after ORDER BY as written" in found.rationale
    # ``max_length`` is text's own constraint: the check, not a Literal
    assert [(e.span.start.line + 1, e.new_text) for e in found.edits] == [
        (3, "from fastapi import Depends, FastAPI, HTTPException, Query"),
        (
            18,
            "    if order not in ITEM_SORT_KEYS:\n"
            '        raise HTTPException(status_code=400, detail="unknown sort column")\n',
        ),
        (16, 'ITEM_SORT_KEYS = ("id", "name", "price")\n\n\n'),
    ]
    _applied_cleanly(root, found, "shop/main.py")


def test_raw_sql_built_in_steps_in_a_flask_view(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "schema.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, due DATE);\n",
            "app.py": """\
import sqlite3

from flask import Flask, abort, request

app = Flask(__name__)


@app.route("/notes")
def notes():
    sort = request.args.get("sort", "due")
    sql = "SELECT id, body FROM notes WHERE body IS NOT NULL"
    sql += " ORDER BY " + sort
    return {"rows": sqlite3.connect("notes.db").execute(sql).fetchall()}
""",
        },
        '[project]\nname = "notes"\nrequires-python = ">=3.10"\ndependencies = ["flask"]\n',
    )
    (found,) = _found(root)
    assert found.title == "Allow only the notes table's columns as the sort key `sort`"
    assert [(e.span.start.line + 1, e.new_text) for e in found.edits] == [
        (11, "    if sort not in NOTES_SORT_KEYS:\n        abort(400)\n"),
        (8, 'NOTES_SORT_KEYS = ("body", "due", "id")\n\n\n'),
    ]
    _applied_cleanly(root, found, "app.py")


def test_a_client_direction_after_the_column_is_named_in_the_rationale(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "schema.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, due DATE);\n",
            "app.py": """\
import sqlite3

from flask import Flask, abort, request

app = Flask(__name__)


@app.route("/notes")
def notes():
    sort = request.args.get("sort", "due")
    order = request.args.get("order", "asc")
    sql = f"SELECT id, body FROM notes ORDER BY {sort} {order}"
    return {"rows": sqlite3.connect("notes.db").execute(sql).fetchall()}
""",
        },
        '[project]\nname = "notes"\nrequires-python = ">=3.10"\ndependencies = ["flask"]\n',
    )
    (found,) = _found(root)
    assert found.rationale.endswith(
        "`order` follows it into the SQL unchecked too: allow only ASC/DESC."
    )
    assert found.edits[0].new_text == "    if sort not in NOTES_SORT_KEYS:\n        abort(400)\n"
    _applied_cleanly(root, found, "app.py")


def test_text_of_the_key_and_a_direction_checks_the_key(tmp_path: Path) -> None:
    root = _flask(
        tmp_path,
        """
@app.route("/posts")
def posts():
    sort = request.args.get("sort", "title")
    q = Post.query.order_by(text(sort + " " + request.args.get("dir", "asc")))
    return {"titles": [p.title for p in q]}
""",
    )
    (found,) = _found(root)
    assert found.edits[0].new_text == "    if sort not in POST_SORT_KEYS:\n        abort(400)\n"
    _applied_cleanly(root, found, "app.py")


# --- clean twins: nothing to suggest ------------------------------------------------------


def test_allow_listed_looked_up_or_constant_sort_keys_are_left_alone(tmp_path: Path) -> None:
    root = _flask(
        tmp_path,
        """
ALLOWED = ("id", "title")
SORTS = {"new": Post.created_at, "title": Post.title}


@app.route("/a")
def allow_listed():
    sort = request.args.get("sort", "id")
    if sort not in ALLOWED:
        abort(400)
    return {"t": [p.title for p in Post.query.order_by(getattr(Post, sort))]}


@app.route("/b")
def looked_up():
    sort = request.args.get("sort", "new")
    return {"t": [p.title for p in Post.query.order_by(SORTS[sort])]}


@app.route("/c")
def constant():
    return {"t": [p.title for p in Post.query.order_by(text("created_at DESC"))]}


@app.route("/d")
def not_the_clients():
    sort = "created_at"
    return {"t": [p.title for p in Post.query.order_by(getattr(Post, sort))]}


@app.route("/e")
def has_attr():
    sort = request.args.get("sort", "id")
    if not hasattr(Post, sort):
        abort(400)
    return {"t": [p.title for p in Post.query.order_by(getattr(Post, sort))]}


@app.route("/f")
def special_value():
    sort = request.args.get("sort", "id")
    if sort == "popular":
        return {"t": []}
    return {"t": [p.title for p in Post.query.order_by(getattr(Post, sort))]}


@app.route("/g")
def defaulted_getattr():
    sort = request.args.get("sort", "id")
    return {"t": [p.title for p in Post.query.order_by(getattr(Post, sort, Post.id))]}


@app.route("/h")
def joined():
    sort = request.args.get("sort", "id")
    q = Post.query.join(Tag, Tag.post_id == Post.id).order_by(text(sort))
    return {"t": [p.title for p in q]}


@app.route("/i")
def unknown_model():
    sort = request.args.get("sort", "id")
    return {"t": [r.title for r in Archive.query.order_by(getattr(Archive, sort))]}


@app.route("/j")
def caught_miss():
    sort = request.args.get("sort", "id")
    try:
        column = getattr(Post, sort)
    except AttributeError:
        abort(400)
    return {"t": [p.title for p in Post.query.order_by(column)]}
""",
    )
    assert _found(root) == []


def test_typed_or_patterned_fastapi_sort_parameters_are_left_alone(tmp_path: Path) -> None:
    root = _shop(
        tmp_path,
        """
@app.get("/typed")
def typed(sort: Literal["name", "price"] = "name", session: Session = Depends(get_session)):
    return session.scalars(select(Item).order_by(getattr(Item, sort))).all()


@app.get("/patterned")
def patterned(
    sort: str = Query("name", pattern="^(name|price)$"),
    session: Session = Depends(get_session),
):
    return session.scalars(select(Item).order_by(text(sort))).all()


@app.get("/listed")
def listed(sort: str = "name", session: Session = Depends(get_session)):
    if sort not in {"name", "price"}:
        raise ValueError(sort)
    return session.scalars(select(Item).order_by(getattr(Item, sort))).all()


@app.get("/not-a-column")
def not_a_column(sort: str = "newest", session: Session = Depends(get_session)):
    return session.scalars(select(Item).order_by(getattr(Item, sort))).all()
""",
    )
    assert _found(root) == []
    assert _found(root, "BKD209") == []


RENAMED = """
@app.route("/posts/by-attribute")
def by_attribute():
    sort = request.args.get("sort", "created")
    return {"ids": [p.id for p in Post.query.order_by(getattr(Post, sort))]}


@app.route("/posts/by-sql")
def by_sql():
    sort = request.args.get("sort", "created_at")
    return {"ids": [p.id for p in Post.query.order_by(text(sort))]}
"""


def test_a_renamed_column_gives_sql_sites_a_constant_of_their_own(tmp_path: Path) -> None:
    # getattr takes ``created``, SQL ``created_at``: one constant could not serve both
    head = FLASK_HEAD.replace(
        "created_at = db.Column(db.DateTime)", 'created = db.Column("created_at", db.DateTime)'
    )
    root = _project(tmp_path, {"app.py": head + RENAMED})
    by_attribute, by_sql = _found(root)
    defined = [e.new_text for s in (by_attribute, by_sql) for e in s.edits if "= (" in e.new_text]
    assert defined == [
        'POST_SORT_KEYS = ("created", "id", "title")\n\n\n',
        'POST_SORT_COLUMNS = ("created_at", "id", "title")\n\n\n',
    ]
