"""The project model (review/project.py): one object per workspace over review/offline's readers:
sources, declared packages, the schema kept current, and app-wide frameworks and handlers."""

from __future__ import annotations

import os
from pathlib import Path

from subagent_lsp.review.project import Project

FILES = {
    "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["flask>=3", "Flask-SQLAlchemy"]\n',
    "shop/__init__.py": (
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "@app.errorhandler(404)\ndef missing(e):\n    return 'no', 404\n\n\n"
        "app.register_error_handler(ValueError, lambda e: ('bad', 400))\n"
    ),
    "shop/models.py": (
        "from sqlalchemy import Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\nclass User(Base):\n    __tablename__ = 'users'\n"
        "    id = Column(Integer, primary_key=True)\n    email = Column(String)\n"
    ),
    "shop/views.py": (
        "from flask import jsonify\nfrom . import app\n\n\n"
        "@app.route('/users')\ndef users():\n    return jsonify([])\n"
    ),
    "tests/test_views.py": "from flask import Flask\n\n\n@Flask('t').errorhandler(KeyError)\ndef h(e): ...\n",
    "util.py": "print('no framework here')\n",
}


def _project(tmp_path: Path) -> Project:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Project.containing(str(tmp_path / "shop" / "views.py"))


def test_the_project_of_a_file_is_its_nearest_root(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert project.root == os.path.abspath(tmp_path)
    assert project.is_source(str(tmp_path / "shop" / "views.py"))
    assert not project.is_source(str(tmp_path / "tests" / "test_views.py"))


def test_declared_packages_come_from_the_manifests(tmp_path: Path) -> None:
    declared = _project(tmp_path).declared_packages()
    assert declared is not None and {"flask", "flask_sqlalchemy"} <= declared


def test_the_schema_is_read_once_and_follows_an_edit(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert "users" in project.schema().tables
    models = str(tmp_path / "shop" / "models.py")
    edited = FILES["shop/models.py"].replace("'users'", "'accounts'")
    project.edited(models, edited)
    tables = project.schema().tables
    assert "accounts" in tables and "users" not in tables


def test_app_wide_handlers_and_frameworks(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert project.frameworks() == {"flask"}
    # The handlers registered in shop/__init__.py cover every module; the test's does not count.
    assert project.app_error_handlers() == {"404", "ValueError"}
    project.refresh()  # re-read on demand
    assert project.app_error_handlers() == {"404", "ValueError"}


def test_one_module_with_the_projects_facts(tmp_path: Path) -> None:
    project = _project(tmp_path)
    facts = project.module(str(tmp_path / "shop" / "views.py"), FILES["shop/views.py"])
    assert facts is not None
    assert facts.frameworks == {"flask"} and [r.func.name for r in facts.routes] == ["users"]
    assert facts.can_import("flask_sqlalchemy")  # declared, though this module does not import it
    assert project.module("x.sql", "select 1") is None
    assert project.module("broken.py", "def (:\n") is None
