"""Fifth held-out round, its Flask/SQLAlchemy verdicts: a shop that routes with
``add_url_rule`` (views in other modules, MethodView classes) and whose models inherit
``__table_args__`` from a base; a photo site that reads rows through ``with_parent`` and an
association ``db.Table``; a query class whose helper nobody calls. Small fixtures of our own
that reproduce each shape: what a reviewer rejected stays silent, what a reviewer accepted
(or missed) is suggested at its line, and every edit applies and parses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion


def _project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\ndependencies = ["flask", "flask-sqlalchemy"]\n'
    )
    return root


def _sites(found: list[Suggestion], root: Path) -> set[tuple[str, int, str]]:
    return {
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.code) for s in found
    }


def _applies(s: Suggestion) -> dict[str, str]:
    out = apply_suggestion(s)
    for text in out.values():
        ast.parse(text)
    return out


MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Order(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    token = db.Column(db.String(100), unique=True)
    status = db.Column(db.Integer)
    user_id = db.Column(db.Integer)

    @classmethod
    def of_user(cls, user_id):
        return cls.query.filter_by(user_id=user_id).all()
"""

VIEWS = """\
from flask import abort, render_template, request

from .models import Order


def show(token):
    order = Order.query.filter_by(token=token).first()
    if not order.status:
        abort(403)
    return render_template("order.html", order=order)


def checked(token):
    order = Order.query.filter_by(token=token).first()
    if order is None:
        abort(404)
    return render_template("order.html", order=order)


def pay(token):
    order = Order.query.filter_by(token=token).first()
    order.status = int(request.form["status"])
    return render_template("order.html", order=order)


def not_a_view(token):
    order = Order.query.filter_by(token=token).first()
    return order.status
"""

ROUTES = """\
from flask import Blueprint

from . import views
from .views import checked, pay

bp = Blueprint("order", __name__)
bp.add_url_rule("/<token>", view_func=views.show)
bp.add_url_rule("/<token>/checked", view_func=checked)
bp.add_url_rule("/<token>/pay", view_func=pay, methods=["POST"])
"""


def test_views_registered_from_another_module_are_routes(tmp_path: Path) -> None:
    # flask-shop routes only through ``add_url_rule``; a view it registers 500s on an
    # unknown token like an ``@route`` one (``if not order.status`` tests the column, not
    # the row), and a form value stored into a column is converted unguarded.
    root = _project(
        tmp_path,
        {"shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": VIEWS,
         "shop/routes.py": ROUTES},
    )  # fmt: skip
    found = collect([str(root)])
    sites = _sites(found, root)
    assert ("shop/views.py", 7, "BKD306") in sites  # show
    assert ("shop/views.py", 21, "BKD306") in sites  # pay
    assert ("shop/views.py", 22, "BKD202") in sites
    # checked; never registered
    assert not any(p == "shop/views.py" and line in (14, 27) for p, line, _ in sites)
    guard = next(s for s in found if s.code == "BKD202")
    new = _applies(guard)[str(root / "shop/views.py")]
    assert 'status = request.form.get("status", type=int)' in new
    assert "order.status = status" in new


def test_cls_query_in_a_classmethod_reads_its_model(tmp_path: Path) -> None:
    # (the account page lists the user's orders: a method nothing calls is dead code)
    account = (
        "from .models import Order\n\n\ndef account(user):\n    return Order.of_user(user.id)\n"
    )
    root = _project(
        tmp_path, {"shop/models.py": MODELS, "shop/views.py": VIEWS, "shop/account.py": account}
    )
    found = [s for s in collect([str(root)]) if s.code == "BKD101"]
    assert [(s.data["table"], s.data["columns"]) for s in found] == [("order", "user_id")]
    assert found[0].span.start.line + 1 == 14
    assert "index=True" in _applies(found[0])[str(root / "shop/models.py")]


METHOD_VIEW = """\
from flask import Blueprint, render_template, request
from flask.views import MethodView
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(80), unique=True)
    title = db.Column(db.String(80))


class NoteView(MethodView):
    def get(self, slug):
        note = Note.query.filter_by(slug=slug).first()
        return render_template("note.html", title=note.title)

    def helper(self, slug):
        note = Note.query.filter_by(slug=slug).first()
        return note.title


def listing():
    note = Note.query.filter_by(slug=request.args.get("slug", "home")).first()
    return render_template("note.html", title=note.title)


bp = Blueprint("notes", __name__)
bp.add_url_rule("/<slug>", view_func=NoteView.as_view("note"))
bp.add_url_rule("/", "listing", listing)
"""


def test_method_view_and_positional_view_func_in_the_same_module(tmp_path: Path) -> None:
    root = _project(tmp_path, {"notes.py": METHOD_VIEW})
    sites = _sites(collect([str(root)]), root)
    assert ("notes.py", 16, "BKD306") in sites
    assert ("notes.py", 25, "BKD306") in sites
    assert not any(line == 20 for _, line, _ in sites)  # not a request method


BASE = """\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class BaseModel(Base):
    __abstract__ = True
    __table_args__ = {"mysql_charset": "utf8mb4", "extend_existing": True}
    id = sa.Column(sa.Integer, primary_key=True)
"""

LINES = """\
import sqlalchemy as sa
from sqlalchemy.orm import Session

from .base import BaseModel


class CartLine(BaseModel):
    __tablename__ = "cart_line"
    cart_id = sa.Column(sa.Integer)
    variant_id = sa.Column(sa.Integer)
    quantity = sa.Column(sa.Integer)


class VariantStock(BaseModel):
    __tablename__ = "variant_stock"
    variant_id = sa.Column(sa.Integer)
    warehouse_id = sa.Column(sa.Integer)


def lines(session: Session, cart_id: int):
    return session.query(CartLine).filter(CartLine.cart_id == cart_id).all()


def line(session: Session, cart_id: int, variant_id: int):
    return (
        session.query(CartLine)
        .filter(CartLine.cart_id == cart_id, CartLine.variant_id == variant_id)
        .first()
    )


def forward(session: Session, t: int, a: int):
    return (
        session.query(VariantStock)
        .filter(VariantStock.variant_id == t, VariantStock.warehouse_id == a)
        .all()
    )


def backward(session: Session, t: int, a: int):
    return (
        session.query(VariantStock)
        .filter(VariantStock.warehouse_id == a, VariantStock.variant_id == t)
        .all()
    )
"""

CALLER = """\
from shop.lines import backward, forward, line, lines

__all__ = [backward, forward, line, lines]
"""


def test_inherited_table_args_and_one_index_per_leading_column(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {"shop/__init__.py": "", "shop/base.py": BASE, "shop/lines.py": LINES,
         "shop/api.py": CALLER},
    )  # fmt: skip
    found = [s for s in collect([str(root)]) if s.code == "BKD101"]
    # (cart_id) serves the (cart_id, variant_id) lookup of a cart's few lines; the two orders
    # of (variant_id, warehouse_id) are one index, written once.
    assert sorted((s.data["table"], s.data["columns"]) for s in found) == [
        ("cart_line", "cart_id"),
        ("variant_stock", "variant_id,warehouse_id"),
    ]
    composite = next(s for s in found if s.data["table"] == "variant_stock")
    new = _applies(composite)[str(root / "shop/lines.py")]
    assert "{**BaseModel.__table_args__}" in new
    assert "__table_args__ = (" in new and "sa.Index(" in new
    sqlalchemy = pytest.importorskip("sqlalchemy")
    # Built for real: the index is on the table and the base's options are kept.
    namespace: dict[str, object] = {}
    exec(compile(BASE, "base.py", "exec"), namespace)
    text = new.replace("from .base import BaseModel\n", "")
    exec(compile(text, "lines.py", "exec"), namespace)
    table = namespace["VariantStock"].__table__  # type: ignore[attr-defined]
    assert [tuple(c.name for c in i.columns) for i in table.indexes] == [
        ("variant_id", "warehouse_id")
    ]
    assert table.kwargs.get("mysql_charset") == "utf8mb4"
    assert isinstance(table, sqlalchemy.Table)


TUPLE_BASE = BASE.replace(
    '__table_args__ = {"mysql_charset": "utf8mb4", "extend_existing": True}',
    '__table_args__ = (sa.CheckConstraint("id > 0"),)',
)


def test_a_base_tuple_of_table_args_is_not_dropped(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {"shop/__init__.py": "", "shop/base.py": TUPLE_BASE, "shop/lines.py": LINES,
         "shop/api.py": CALLER},
    )  # fmt: skip
    found = [s for s in collect([str(root)]) if s.code == "BKD101"]
    # index=True on a column keeps the base's tuple; a new tuple would drop it: no edit.
    assert [(s.data["table"], s.data["columns"]) for s in found] == [("cart_line", "cart_id")]


PHOTOS = """\
from flask import Blueprint, render_template
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
bp = Blueprint("photos", __name__)

tagging = db.Table(
    "tagging",
    db.Column("photo_id", db.Integer, db.ForeignKey("photo.id")),
    db.Column("tag_id", db.Integer, db.ForeignKey("tag.id")),
)


class Photo(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    tags = db.relationship("Tag", secondary=tagging, back_populates="photos")
    comments = db.relationship("Comment", back_populates="photo")


class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    photos = db.relationship("Photo", secondary=tagging, back_populates="tags")


class Comment(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.Text)
    photo_id = db.Column(db.Integer, db.ForeignKey("photo.id"))
    photo = db.relationship("Photo", back_populates="comments")


@bp.route("/photo/<int:photo_id>")
def show_photo(photo_id):
    photo = Photo.query.get_or_404(photo_id)
    comments = Comment.query.with_parent(photo).all()
    return render_template("photo.html", photo=photo, comments=comments)


@bp.route("/tag/<int:tag_id>")
def show_tag(tag_id):
    tag = Tag.query.get_or_404(tag_id)
    photos = Photo.query.with_parent(tag).all()
    return render_template("tag.html", tag=tag, photos=photos)


@bp.route("/photo/<int:photo_id>/tags")
def count_tags(photo_id):
    n = db.session.query(tagging).filter(tagging.columns.get("photo_id") == photo_id).count()
    return render_template("count.html", n=n)
"""


def test_with_parent_and_association_tables(tmp_path: Path) -> None:
    # ``with_parent(photo)`` reads comment by photo_id; ``with_parent(tag)`` reads the
    # association table by tag_id (it has no key at all); the table queried by its columns.
    root = _project(tmp_path, {"photos.py": PHOTOS})
    found = [s for s in collect([str(root)]) if s.code == "BKD101"]
    by_index = {(s.data["table"], s.data["columns"]): s.span.start.line + 1 for s in found}
    assert by_index == {("comment", "photo_id"): 35, ("tagging", "tag_id"): 42,
                        ("tagging", "photo_id"): 48}  # fmt: skip
    for s in found:
        assert _applies(s)


QUERY_CLASS = """\
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.query import Query

db = SQLAlchemy()


class Project(db.Model):
    class ProjectQuery(Query):
        def by_name(self, name):
            return Project.query.filter(Project.name == name).one()

        def by_contact(self, email):
            return Project.query.filter(Project.contact == email).first()

    query_class = ProjectQuery
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(64))
    contact = db.Column(db.String(128))
"""

USES = """\
from .models import Project


def find(email):
    return Project.query.by_contact(email)
"""

ONLY_A_TEST = """\
from app.models import Project


def test_by_name():
    assert Project.query.by_name("x") is None
"""


def test_a_query_helper_nobody_calls_gets_no_index(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {"app/__init__.py": "", "app/models.py": QUERY_CLASS, "app/uses.py": USES,
         "tests/test_models.py": ONLY_A_TEST},
    )  # fmt: skip
    found = [s for s in collect([str(root)]) if s.code == "BKD101"]
    assert [(s.data["table"], s.data["columns"]) for s in found] == [("project", "contact")]


MODEL_CLASS = """\
import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.model import Model as Plain


class BaseModel(Plain):
    __table_args__ = {"mysql_charset": "utf8mb4", "extend_existing": True}
    id = sa.Column(sa.Integer, primary_key=True)


db = SQLAlchemy(model_class=BaseModel)


class Model(db.Model):
    __abstract__ = True


class ShelfSlot(Model):
    __tablename__ = "shelf_slot"
    position = db.Column(db.Integer)
    parent_id = db.Column(db.Integer)


class Setting(Model):
    __tablename__ = "setting"
    id = None
    key = db.Column(db.String(255), primary_key=True)


def menu(position, parent_id):
    return ShelfSlot.query.filter_by(position=position, parent_id=parent_id).all()


def setting(key):
    return Setting.query.filter_by(key=key).first()
"""


def test_table_args_of_the_model_class_behind_db_model(tmp_path: Path) -> None:
    # ``db = SQLAlchemy(model_class=BaseModel)``: every ``db.Model`` carries BaseModel's
    # options and columns; ``id = None`` takes the inherited key away.
    uses = "from .models import menu, setting\n\n__all__ = [menu, setting]\n"
    root = _project(tmp_path, {"app/models.py": MODEL_CLASS, "app/uses.py": uses})
    found = [s for s in collect([str(root)]) if s.code == "BKD101"]
    assert [(s.data["table"], s.data["columns"]) for s in found] == [
        ("shelf_slot", "position,parent_id")
    ]
    new = _applies(found[0])[str(root / "app/models.py")]
    assert "{**Model.__table_args__}" in new
