"""A foreign key whose only index is a composite key or index it is not the first column of
(an association table's primary key ``(post_id, tag_id)``, Django's ``unique_together``): the
composite serves its first column alone, never a later one, so a walk from the later column's
parent (a tag's posts, ``WHERE tag_id = ?``) scans. Shapes of our own, after real apps: the
association table bound to a variable named otherwise than the table, and Django foreign keys
written ``db_index=False`` beside the composite that was thought to cover them."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.indexes import sqlite_ddl
from subagent_lsp.review.project import Projects
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

SA_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

post_tags = db.Table(
    "tagging",
    db.Column("post_id", db.Integer, db.ForeignKey("post.id"), primary_key=True),
    db.Column("tag_id", db.Integer, db.ForeignKey("tag.id"), primary_key=True),
)


class Post(db.Model):
    __tablename__ = "post"
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))
    tags = db.relationship("Tag", secondary=post_tags, backref="posts")


class Tag(db.Model):
    __tablename__ = "tag"
    id = db.Column(db.Integer, primary_key=True)
    label = db.Column(db.String(80), unique=True)
"""
# A tag's posts walk the key's second column; a post's tags its first.
TAG_POSTS = """\
from flask import Blueprint, jsonify

from .models import Tag

bp = Blueprint("tags", __name__)


@bp.get("/tags/<int:tag_id>/posts")
def tag_posts(tag_id):
    tag = Tag.query.get_or_404(tag_id)
    return jsonify([p.title for p in tag.posts])
"""
POST_TAGS = """\
from flask import Blueprint, jsonify

from .models import Post

bp = Blueprint("posts", __name__)


@bp.get("/posts/<int:post_id>/tags")
def post_tags_view(post_id):
    post = Post.query.get_or_404(post_id)
    return jsonify([t.label for t in post.tags])
"""
# The association table read by its variable's columns (SQLAlchemy's ``.c``).
CORE_READ = """\
from flask import Blueprint, jsonify

from .models import db, post_tags

bp = Blueprint("tags", __name__)


@bp.get("/tags/<int:tag_id>/count")
def tag_count(tag_id):
    rows = db.session.query(post_tags).filter(post_tags.c.tag_id == tag_id).all()
    return jsonify(len(rows))
"""
# The same key written as a constraint, in a model's ``__table_args__``.
CONSTRAINT_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (db.PrimaryKeyConstraint("member_id", "group_id"),)
    member_id = db.Column(db.Integer, db.ForeignKey("member.id"))
    group_id = db.Column(db.Integer, db.ForeignKey("group.id"))


class Group(db.Model):
    __tablename__ = "group"
    id = db.Column(db.Integer, primary_key=True)
    members = db.relationship("Membership", backref="group")
"""
GROUP_MEMBERS = """\
from flask import Blueprint, jsonify

from .models import Group

bp = Blueprint("groups", __name__)


@bp.get("/groups/<int:group_id>")
def group_members(group_id):
    group = Group.query.get_or_404(group_id)
    return jsonify([m.member_id for m in group.members])
"""
DJANGO_MODELS = """\
from django.db import models


class Tag(models.Model):
    label = models.CharField(max_length=80)


class Post(models.Model):
    title = models.CharField(max_length=80)


class Tagging(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, db_index=False)

    class Meta:
        unique_together = ("post", "tag")


class Pin(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "tag"], name="uq_pin")]


class Mark(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, db_index=False)
"""
DJANGO_VIEWS = """\
from django.http import JsonResponse

from .models import Mark, Pin, Tagging


def tag_posts(request, tag_id):
    rows = Tagging.objects.filter(tag_id=tag_id)
    return JsonResponse({"ids": [r.post_id for r in rows]})


def post_tags(request, post_id):
    rows = Tagging.objects.filter(post_id=post_id)
    return JsonResponse({"ids": [r.tag_id for r in rows]})


def pinned(request, tag_id):
    rows = Pin.objects.filter(tag=tag_id)
    return JsonResponse({"ids": [r.post_id for r in rows]})


def marks(request, tag_id):
    rows = Mark.objects.filter(tag=tag_id)
    return JsonResponse({"ids": [r.id for r in rows]})
"""


def _app(root: Path, models: str, views: str, deps: str) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(models)
    (root / "app" / "views.py").write_text(views)
    (root / "requirements.txt").write_text(f"{deps}\n")
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def test_a_walk_by_the_second_key_column_of_a_variable_named_table(tmp_path: Path) -> None:
    root = _app(tmp_path, SA_MODELS, TAG_POSTS, "flask-sqlalchemy")
    (found,) = _indexes(root)
    assert found.title == "Add an index on tagging (tag_id)"
    assert "existing: primary key (post_id, tag_id)" in found.rationale
    assert "SCAN tagging" in found.rationale
    models = apply_suggestion(found)[str(root / "app" / "models.py")]
    assert 'db.ForeignKey("tag.id"), primary_key=True, index=True)' in models
    compile(models, "models.py", "exec")


def test_a_walk_by_the_first_key_column_needs_no_index(tmp_path: Path) -> None:
    assert _indexes(_app(tmp_path, SA_MODELS, POST_TAGS, "flask-sqlalchemy")) == []


def test_the_table_read_through_its_variable(tmp_path: Path) -> None:
    root = _app(tmp_path, SA_MODELS, CORE_READ, "flask-sqlalchemy")
    assert [s.title for s in _indexes(root)] == ["Add an index on tagging (tag_id)"]


def test_a_primary_key_constraint_leads_with_its_first_column(tmp_path: Path) -> None:
    root = _app(tmp_path, CONSTRAINT_MODELS, GROUP_MEMBERS, "flask-sqlalchemy")
    (found,) = _indexes(root)
    assert found.title == "Add an index on membership (group_id)"
    # the proof's table has the key in its written order
    projects = Projects()
    projects.scan([str(root)])
    table = projects.of(str(root / "app" / "views.py")).schema().tables["membership"]
    assert any('("member_id", "group_id")' in s for s in sqlite_ddl(table))


def test_django_later_columns_of_a_composite_written_without_an_index(tmp_path: Path) -> None:
    root = _app(tmp_path, DJANGO_MODELS, DJANGO_VIEWS, "django")
    found = {s.title: s for s in _indexes(root)}
    # unique_together and UniqueConstraint serve the post alone; Mark's tag stands alone,
    # and its db_index=False is the model's choice
    assert sorted(found) == ["Add an index on pin (tag)", "Add an index on tagging (tag)"]
    tagging = found["Add an index on tagging (tag)"]
    assert "existing: unique_together (post, tag)" in tagging.rationale
    models = apply_suggestion(tagging)[str(root / "app" / "models.py")]
    assert "tag = models.ForeignKey(Tag, on_delete=models.CASCADE, db_index=True)" in models
    compile(models, "models.py", "exec")
