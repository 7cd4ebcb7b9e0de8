"""Sixth held-out round, its index causes (verdicts on real apps, reproduced with fixtures of
our own): an existing index already finds the rows (only a sort or a narrowing of one parent's
few rows is left), two proposals where one serves both, and configuration tables that stay
small -- silent; the proposals reviewers accepted on the same apps -- still made."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

PYPROJECT = '[project]\nname = "app"\ndependencies = ["flask", "flask-sqlalchemy", "django"]\n'

DJANGO_MODELS = """\
from django.db import models


class Bundle(models.Model):
    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    owner_name = models.CharField(max_length=50)
    order = models.IntegerField()
"""
DJANGO_VIEWS = """\
from django.http import JsonResponse

from bundles.models import Bundle


def bundles(request):
    rows = Bundle.objects.filter(owner=request.user).order_by("order")
    return JsonResponse({"ids": [b.id for b in rows]})


def by_name(request, name):
    rows = Bundle.objects.filter(owner_name=name).order_by("order")
    return JsonResponse({"ids": [b.id for b in rows]})
"""

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class RawImage(db.Model):
    __tablename__ = "raw_images"
    id = db.Column(db.Integer, primary_key=True)
    contains_cops = db.Column(db.Integer)
    department_id = db.Column(db.Integer)
    is_tagged = db.Column(db.Integer)


class UserPermission(db.Model):
    __tablename__ = "user_permissions"
    id = db.Column(db.Integer, primary_key=True)
    permission_id = db.Column(db.Integer)
    from_role_id = db.Column(db.Integer)


class Forum(db.Model):
    __tablename__ = "forums"
    id = db.Column(db.Integer, primary_key=True)
    position = db.Column(db.Integer)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    id = db.Column(db.Integer, primary_key=True)
    role_id = db.Column(db.Integer)
"""
VIEWS = """\
from flask import Blueprint, jsonify

from app.models import Forum, RawImage, UserPermission, UserRole, db

bp = Blueprint("app", __name__)


@bp.get("/queue/<int:dept>")
def queue(dept):
    rows = RawImage.query.filter_by(contains_cops=1, department_id=dept).all()
    return jsonify([r.id for r in rows])


@bp.get("/queue/<int:dept>/untagged")
def untagged(dept):
    rows = RawImage.query.filter_by(contains_cops=1, department_id=dept, is_tagged=0).all()
    return jsonify([r.id for r in rows])


@bp.delete("/roles/<int:role>/permissions/<int:perm>")
def revoke(role, perm):
    UserPermission.query.filter_by(permission_id=perm, from_role_id=role).delete()
    db.session.commit()
    return "", 204


@bp.delete("/roles/<int:role>/permissions")
def revoke_all(role):
    UserPermission.query.filter_by(from_role_id=role).delete()
    db.session.commit()
    return "", 204


@bp.get("/forums")
def forums():
    return jsonify([f.id for f in Forum.query.order_by(Forum.position).all()])


@bp.get("/roles/<int:role>/users")
def role_users(role):
    return jsonify([r.id for r in UserRole.query.filter_by(role_id=role).all()])
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": PYPROJECT, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_an_existing_index_that_finds_the_rows_is_enough(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "bundles/__init__.py": "",
            "bundles/models.py": DJANGO_MODELS,
            "bundles/views.py": DJANGO_VIEWS,
        },
    )
    titles = [s.title for s in collect([str(root)], ["index"])]
    # owner is a ForeignKey (indexed): ordering a user's few bundles needs no index of its own;
    # owner_name has none, so its lookup still gets one.
    assert titles == ["Add an index on bundle (owner_name, order)"]


def test_one_proposal_where_one_serves_both_and_small_tables(tmp_path: Path) -> None:
    root = _write(tmp_path, {"app/__init__.py": "", "app/models.py": MODELS, "app/views.py": VIEWS})
    found = {s.title: s for s in collect([str(root)], ["index"])}
    assert sorted(found) == [
        "Add an index on raw_images (contains_cops, department_id)",
        "Add an index on user_permissions (from_role_id)",
        "Add an index on user_roles (role_id)",
    ]
    # The folded proposals' queries are listed as other sites of the one edit.
    assert (
        "views.py:16"
        in found["Add an index on raw_images (contains_cops, department_id)"].rationale
    )
    assert "views.py:22" in found["Add an index on user_permissions (from_role_id)"].rationale
