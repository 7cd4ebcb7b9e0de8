"""Eighteenth held-out round (shapes of our own): ``suggest --diff`` lost an index as "resolved
by other edits" when its first site was on an admin page and its public sites in other files
(the file analysed alone dropped it as admin-only), so the patch missed it while ``suggest``
on the result still found it; four ``commit()`` calls in one ``try`` gave four suggestions of
one ``rollback()``; and a rollback's rationale spoke of a 500 and a request's teardown in a
Celery task and in a thread, where neither comes."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.review.offline.compose import compose
from subagent_lsp.review.offline.same_fix import ALSO, one_per_fix
from subagent_lsp.review.project import Projects
from subagent_lsp.review.suggestion import Edit, Suggestion


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Film(db.Model):
    __tablename__ = "film"

    id = db.Column(db.Integer, primary_key=True)
    film_id = db.Column(db.String(32), unique=True, nullable=False)


class FilmInfo(db.Model):
    __tablename__ = "film_info"

    id = db.Column(db.Integer, primary_key=True)
    film_id = db.Column(db.String(32), db.ForeignKey("film.film_id"), nullable=False)
    title = db.Column(db.String(256))
"""
# Sorted before admin.py, with a suggestion of its own: its edit makes the admin file be
# analysed afresh, alone, before its index is picked.
ACCOUNTS = """\
from flask import Blueprint, jsonify, request

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["POST"])
def login():
    name = request.json["username"]
    return jsonify(name=name)
"""
ADMIN = """\
from flask import Blueprint

from shop.models import FilmInfo, db

bp = Blueprint("admin", __name__)


@bp.route("/admin/films/<film_id>/reset", methods=["POST"])
def reset_title(film_id):
    db.session.query(FilmInfo).filter_by(film_id=film_id).update({"title": ""})
    db.session.commit()
    return "", 204
"""
FILMS = """\
from flask import Blueprint, abort, jsonify

from shop.models import FilmInfo

bp = Blueprint("films", __name__)


@bp.route("/films/<film_id>")
def show(film_id):
    info = FilmInfo.query.filter_by(film_id=film_id).first()
    if info is None:
        abort(404)
    return jsonify(title=info.title)
"""
APP = """\
from flask import Flask

from shop.api import accounts, admin, films
from shop.models import db


def create_app():
    app = Flask(__name__)
    db.init_app(app)
    for module in (accounts, admin, films):
        app.register_blueprint(module.bp)
    return app
"""


def _shop(root: Path) -> Path:
    return _write(
        root,
        {
            "requirements.txt": "flask\nflask-sqlalchemy\n",
            "shop/__init__.py": "",
            "shop/app.py": APP,
            "shop/models.py": MODELS,
            "shop/api/__init__.py": "",
            "shop/api/accounts.py": ACCOUNTS,
            "shop/api/admin.py": ADMIN,
            "shop/api/films.py": FILMS,
        },
    )


def test_an_index_first_seen_on_an_admin_page_stays_in_the_patch(tmp_path: Path) -> None:
    root = _shop(tmp_path)
    before = [(s.code, s.title) for s in collect([str(root)], None)]
    assert ("BKD101", "Add an index on film_info (film_id)") in before
    projects = Projects()
    projects.scan([str(root)])
    files = sorted(str(p) for p in root.rglob("*.py"))
    result = compose(projects, files)
    assert not result.resolved and not result.skipped
    assert sorted(s.code for s in result.applied) == ["BKD101", "BKD201"]
    changed = result.changed()
    assert "index=True" in changed[str(root / "shop/models.py")]
    # Written out, a fresh analysis of the whole project finds none of them again.
    for path, text in changed.items():
        Path(path).write_text(text, encoding="utf-8")
    assert [(s.code, s.title) for s in collect([str(root)], None)] == []


TASKS = """\
import logging

from celery import shared_task

from shop.models import Film, FilmInfo, db

log = logging.getLogger(__name__)


@shared_task
def sync_titles():
    for film in Film.query.all():
        try:
            info = FilmInfo(film_id=film.film_id, title="")
            db.session.add(info)
            db.session.commit()
            info.title = film.film_id
            db.session.commit()
        except Exception as exc:
            log.error("sync of %s failed: %s", film.film_id, exc)
"""
DRAIN = """\
import logging
import threading

from shop.models import Film, db

log = logging.getLogger(__name__)


def _drain():
    while True:
        film = Film.query.first()
        try:
            db.session.delete(film)
            db.session.commit()
        except Exception:
            log.exception("drain failed")


def start():
    threading.Thread(target=_drain, daemon=True).start()
"""
VIEW = """\
from flask import Blueprint

from shop.models import Film, db

bp = Blueprint("bulk", __name__)


@bp.route("/films/touch", methods=["POST"])
def touch_all():
    for film in Film.query.all():
        try:
            film.film_id = film.film_id.strip()
            db.session.commit()
        except Exception:
            pass
    return "", 204
"""


def _rollbacks(root: Path, name: str, text: str) -> list[Suggestion]:
    _write(root, {"requirements.txt": "flask\nflask-sqlalchemy\ncelery\n"})
    _write(root, {"shop/__init__.py": "", "shop/models.py": MODELS, f"shop/{name}": text})
    found = collect([str(root / "shop" / name)], ["error-handling"])
    return [s for s in found if s.code == "BKD303"]


def test_two_commits_of_one_try_give_one_rollback(tmp_path: Path) -> None:
    found = _rollbacks(tmp_path, "tasks.py", TASKS)
    assert [s.span.start.line + 1 for s in found] == [16]
    assert f"{ALSO} tasks.py:18." in found[0].rationale


def test_a_rollback_in_a_task_says_no_request_teardown_comes(tmp_path: Path) -> None:
    (found,) = _rollbacks(tmp_path, "tasks.py", TASKS)
    assert "no request teardown comes" in found.rationale
    assert "the worker's next jobs" in found.rationale
    assert "500" not in found.rationale and "end-of-request" not in found.rationale


def test_a_rollback_in_a_thread_says_the_thread_goes_on_failing(tmp_path: Path) -> None:
    (found,) = _rollbacks(tmp_path, "drain.py", DRAIN)
    assert "the rest of the thread's work fails" in found.rationale
    assert "500" not in found.rationale


def test_a_rollback_in_a_view_still_speaks_of_the_request(tmp_path: Path) -> None:
    (found,) = _rollbacks(tmp_path, "bulk.py", VIEW)
    assert "(a 500)" in found.rationale and "end-of-request teardown" in found.rationale


def _at(line: int, edit_line: int, code: str = "BKD303") -> Suggestion:
    span = Span(Position(line, 4), Position(line, 10))
    edit = Edit("/app/t.py", Span(Position(edit_line, 0), Position(edit_line, 0)), "    x()\n")
    return Suggestion(code, "error-handling", "/app/t.py", span, "Roll back", "Why.", (edit,))


def test_one_per_fix_keeps_distinct_edits_and_other_rules_apart() -> None:
    kept = one_per_fix([_at(1, 9), _at(3, 9), _at(5, 12), _at(7, 9, "BKD306")])
    assert [(s.code, s.span.start.line) for s in kept] == [
        ("BKD303", 1),
        ("BKD303", 5),
        ("BKD306", 7),
    ]
    assert kept[0].rationale == f"Why.\n{ALSO} t.py:4."
    assert kept[1].rationale == "Why."
