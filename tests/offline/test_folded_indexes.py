"""Case-folded lookups (``func.lower(Model.name) == x``, Django's ``name__iexact``, raw SQL's
``lower(name) = ?``): a plain or unique index on the column does not serve them, an expression
index does. Reproduced with fixtures of our own after a blind review of a real app (packages
and projects looked up by their lowercased names)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.sql import query_shapes

from .applied import apply_suggestion

PYPROJECT = '[project]\nname = "app"\ndependencies = ["flask", "flask-sqlalchemy"]\n'

MODELS = """\
import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Package(db.Model):
    __tablename__ = "packages"
    id = sa.Column(sa.Integer, primary_key=True)
    distro_name = sa.Column(sa.String(200))
    package_name = sa.Column(sa.String(200))

    __table_args__ = (sa.UniqueConstraint("distro_name", "package_name"),{extra})

    @classmethod
    def by_name(cls, session, package_name, distro_name):
        return (
            session.query(cls)
            .filter(cls.package_name == package_name)
            .filter(sa.func.lower(cls.distro_name) == sa.func.lower(distro_name))
            .first()
        )
"""
VIEWS = """\
from flask import Blueprint, jsonify
from sqlalchemy import func, select

from app import models
from app.models import db

bp = Blueprint("app", __name__)


@bp.get("/distro/<distro>")
def by_distro(distro):
    rows = db.session.scalars(
        select(models.Package).filter(
            func.lower(models.Package.distro_name) == func.lower(distro)
        )
    ).all()
    return jsonify([r.id for r in rows])


@bp.get("/distro/<distro>/<name>")
def package(distro, name):
    found = models.Package.by_name(db.session, name, distro)
    return jsonify(id=found.id if found else None)
"""

DJANGO_MODELS = """\
from django.db import models


class Project(models.Model):
    name = models.CharField(max_length=200)
    homepage = models.URLField()
"""
DJANGO_VIEWS = """\
from django.http import JsonResponse

from projects.models import Project


def by_name(request, name):
    project = Project.objects.get(name__iexact=name)
    return JsonResponse({"id": project.id})
"""

RAW = """\
import sqlite3

conn = sqlite3.connect("app.db")
conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT)")
{extra}

def by_email(email):
    return conn.execute("SELECT id FROM users WHERE lower(email) = lower(?)", (email,)).fetchone()
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _flask(root: Path, extra: str = "") -> Path:
    return _write(
        root,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "app/models.py": MODELS.replace("{extra}", extra),
            "app/views.py": VIEWS,
        },
    )


def test_sqlalchemy_func_lower_gets_an_expression_index(tmp_path: Path) -> None:
    root = _flask(tmp_path)
    found = [s for s in collect([str(root)], ["index"]) if "packages" in s.title]
    titles = sorted(s.title for s in found)
    # the model's lookup by (package_name, lower(distro_name)) is served by the same index
    assert titles == ["Add an expression index on packages (lower(distro_name))"]
    single = found[0]
    assert "models.py:" in single.rationale.split("The same index serves:")[1]
    assert "Plan before: SCAN packages" in single.rationale
    assert "SEARCH packages USING INDEX proposed_index (<expr>=?)" in single.rationale
    new = apply_suggestion(single)[str(root / "app/models.py")]
    ast.parse(new)
    assert 'sa.Index("ix_packages_lower_distro_name", sa.func.lower(distro_name))' in new


def test_a_declared_expression_index_is_enough(tmp_path: Path) -> None:
    extra = ' sa.Index("ix_packages_lower_distro", sa.func.lower(distro_name)),'
    root = _flask(tmp_path, extra)
    titles = [s.title for s in collect([str(root)], ["index"]) if "packages" in s.title]
    # the lookup by package_name and lower(distro_name) is found by the declared index too
    assert titles == []


def test_a_declared_text_expression_index_is_enough(tmp_path: Path) -> None:
    extra = ' sa.Index("ix_packages_lower_distro", sa.text("lower(distro_name)")),'
    root = _flask(tmp_path, extra)
    assert [s.title for s in collect([str(root)], ["index"]) if "packages" in s.title] == []


def test_django_iexact_gets_an_upper_index(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "app"\ndependencies = ["django"]\n',
            "projects/__init__.py": "",
            "projects/models.py": DJANGO_MODELS,
            "projects/views.py": DJANGO_VIEWS,
        },
    )
    found = collect([str(root)], ["index"])
    assert [s.title for s in found] == ["Add an expression index on project (upper(name))"]
    new = apply_suggestion(found[0])[str(root / "projects/models.py")]
    ast.parse(new)
    assert "from django.db.models.functions import Upper" in new
    assert 'indexes = [models.Index(Upper("name"), name="ix_project_upper_name")]' in new
    # declared: silent
    (root / "projects/models.py").write_text(new, encoding="utf-8")
    assert collect([str(root)], ["index"]) == []


def test_raw_sql_lower_gets_an_expression_index(tmp_path: Path) -> None:
    root = _write(tmp_path, {"app.py": RAW.replace("{extra}", "")})
    found = collect([str(root)], ["index"])
    assert [s.title for s in found] == ["Add an expression index on users (lower(email))"]
    new = apply_suggestion(found[0])[str(root / "app.py")]
    ast.parse(new)
    assert "CREATE INDEX IF NOT EXISTS ix_users_lower_email ON users (lower(email))" in new


def test_raw_sql_with_the_expression_index_is_silent(tmp_path: Path) -> None:
    extra = 'conn.execute("CREATE INDEX ix_users_email_ci ON users (LOWER(email))")\n'
    root = _write(tmp_path, {"app.py": RAW.replace("{extra}", extra)})
    assert collect([str(root)], ["index"]) == []


def test_query_shape_reads_lower_and_upper() -> None:
    (shape,) = query_shapes("SELECT * FROM t WHERE lower(a) = ? AND UPPER(b) = upper(?) AND c = 1")
    assert shape.folded_eq == [("lower", "a"), ("upper", "b")]
    assert shape.eq == ["c"]
