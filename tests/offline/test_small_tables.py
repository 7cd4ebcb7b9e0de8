"""Held-out round 5 (verdicts on real apps, reproduced with fixtures of our own): proven index
proposals reviewers rejected because the table stays small -- menus, a dashboard's sidebar, a
category tree, product attributes -- or because only a sitemap reads it; and the proposals on
the same app's growing tables, which they accepted, still made."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

PYPROJECT = '[project]\nname = "shop"\ndependencies = ["flask", "flask-sqlalchemy"]\n'
MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class MenuItem(db.Model):
    __tablename__ = "public_menuitem"
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(100))
    parent_id = db.Column(db.Integer)
    position = db.Column(db.Integer)


class Category(db.Model):
    __tablename__ = "product_category"
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(100))
    parent_id = db.Column(db.Integer, db.ForeignKey("product_category.id"))


class ProductTypeAttribute(db.Model):
    __tablename__ = "product_type_attribute"
    id = db.Column(db.Integer, primary_key=True)
    product_type_id = db.Column(db.Integer)
    product_attribute_id = db.Column(db.Integer)


class CartLine(db.Model):
    __tablename__ = "checkout_cartline"
    id = db.Column(db.Integer, primary_key=True)
    cart_id = db.Column(db.Integer)
    quantity = db.Column(db.Integer)


class Entry(db.Model):
    __tablename__ = "blog_entry"
    id = db.Column(db.Integer, primary_key=True)
    status = db.Column(db.String(10))
    author = db.Column(db.String(40))
"""
VIEWS = """\
from flask import Blueprint, jsonify

from shop.models import CartLine, Category, Entry, MenuItem, ProductTypeAttribute

bp = Blueprint("shop", __name__)


@bp.get("/menu/<int:parent>")
def menu(parent):
    items = MenuItem.query.filter_by(parent_id=parent).all()
    return jsonify([i.title for i in items])


@bp.get("/categories/<int:parent>")
def children(parent):
    return jsonify([c.title for c in Category.query.filter_by(parent_id=parent).all()])


@bp.get("/types/<int:type_id>/attributes")
def attributes(type_id):
    rows = ProductTypeAttribute.query.filter_by(product_type_id=type_id).all()
    return jsonify([r.product_attribute_id for r in rows])


@bp.get("/carts/<int:cart_id>")
def cart(cart_id):
    lines = CartLine.query.filter_by(cart_id=cart_id).all()
    return jsonify([line.quantity for line in lines])
"""
SITEMAP = """\
from shop.models import Entry


def published(author):
    return Entry.query.filter_by(author=author).all()
"""


def _titles(root: Path) -> list[str]:
    return sorted(s.title for s in collect([str(root)], ["index"]))


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in {"pyproject.toml": PYPROJECT, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_small_tables_are_left_alone_growing_ones_are_not(tmp_path: Path) -> None:
    _write(tmp_path, {"shop/__init__.py": "", "shop/models.py": MODELS, "shop/views.py": VIEWS})
    assert _titles(tmp_path) == ["Add an index on checkout_cartline (cart_id)"]


def test_a_query_only_a_sitemap_reads(tmp_path: Path) -> None:
    files = {"shop/__init__.py": "", "shop/models.py": MODELS, "shop/sitemaps.py": SITEMAP}
    _write(tmp_path, files)
    assert _titles(tmp_path) == []
    # The same query in a view is proposed.
    _write(tmp_path, {"shop/entries.py": SITEMAP})
    assert _titles(tmp_path) == ["Add an index on blog_entry (author)"]


def test_the_same_tree_as_a_table_of_another_name_is_still_a_tree(tmp_path: Path) -> None:
    """The tree is read from the foreign key, not the name: a self-referencing folder table."""
    models = (
        MODELS.replace('"product_category"', '"folder"')
        .replace('"product_category.id"', '"folder.id"')
        .replace("Category", "Folder")
    )
    views = VIEWS.replace("Category", "Folder")
    _write(tmp_path, {"shop/__init__.py": "", "shop/models.py": models, "shop/views.py": views})
    assert "Add an index on folder (parent_id)" not in _titles(tmp_path)
    # Without the foreign key to itself it is just a table read by a column: proposed.
    flat = models.replace(', db.ForeignKey("folder.id")', "")
    _write(tmp_path, {"shop/models.py": flat})
    assert "Add an index on folder (parent_id)" in _titles(tmp_path)
