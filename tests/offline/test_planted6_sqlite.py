"""The sixth blind planted set, after its measurement (shapes of our own): a Flask app over
plain sqlite3. A ``fetchone()`` keyed by the URL's id used unchecked (BKD306), a commit error
swallowed on the ``flask.g`` connection that is then read again (BKD303), and a helper module
reached through ``from . import x`` whose request escapes to the view (BKD302)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.sql import may_match_nothing
from subagent_lsp.review.suggestion import Suggestion


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _codes(root: Path, code: str) -> list[Suggestion]:
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == code]
    return sorted(found, key=lambda s: s.span.start.line)


DB = """\
import sqlite3

from flask import current_app, g


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db
"""

WEATHER = """\
import requests


def forecast(town: str) -> float:
    resp = requests.get("https://weather.invalid/v1", params={"q": town}, timeout=5)
    resp.raise_for_status()
    return float(resp.json()["temp"])
"""

API = """\
import sqlite3

from flask import Blueprint, abort, jsonify, request

from . import weather
from .db import get_db

bp = Blueprint("api", __name__)


@bp.get("/shelves/<int:shelf_id>")
def shelf(shelf_id: int):
    row = get_db().execute("SELECT id, label FROM shelves WHERE id = ?", (shelf_id,)).fetchone()
    if row["label"] == "":
        abort(409)
    return jsonify(label=row["label"])


@bp.get("/shelves/<int:shelf_id>/checked")
def shelf_checked(shelf_id: int):
    row = get_db().execute("SELECT id, label FROM shelves WHERE id = ?", (shelf_id,)).fetchone()
    if row is None:
        abort(404)
    return jsonify(label=row["label"])


@bp.get("/shelves/<int:shelf_id>/falsy")
def shelf_falsy(shelf_id: int):
    row = get_db().execute("SELECT label FROM shelves WHERE id = ?", (shelf_id,)).fetchone()
    if not row:
        abort(404)
    return jsonify(dict(row))


@bp.get("/shelves/<int:shelf_id>/count")
def shelf_count(shelf_id: int):
    got = get_db().execute("SELECT COUNT(*) AS n FROM jars WHERE shelf_id = ?", (shelf_id,)).fetchone()
    return jsonify(n=got["n"])


@bp.get("/jars")
def jar_by_code():
    cur = get_db().cursor()
    cur.execute("SELECT id, code, shelf_id FROM jars WHERE code = ?", (request.args["code"],))
    jar = cur.fetchone()
    return jsonify(dict(jar))


@bp.post("/jars")
def add_jar():
    data = request.get_json()
    db = get_db()
    cur = db.execute("INSERT INTO jars (code) VALUES (?)", (data["code"],))
    try:
        db.commit()
    except sqlite3.OperationalError:
        pass
    row = db.execute("SELECT id, code FROM jars WHERE id = ?", (cur.lastrowid,)).fetchone()
    return jsonify(dict(row)), 201


@bp.post("/jars/busy")
def add_jar_busy():
    db = get_db()
    db.execute("INSERT INTO jars (code) VALUES (?)", (request.get_json()["code"],))
    try:
        db.commit()
    except sqlite3.OperationalError:
        db.rollback()
        abort(503)
    return jsonify(ok=True), 201


@bp.get("/towns/<town>")
def town(town: str):
    return jsonify(temp=weather.forecast(town))


@bp.get("/towns/<town>/safe")
def town_safe(town: str):
    try:
        temp = weather.forecast(town)
    except Exception:
        abort(502)
    return jsonify(temp=temp)
"""

FILES = {
    "requirements.txt": "flask\nrequests\n",
    "larder/__init__.py": "",
    "larder/db.py": DB,
    "larder/weather.py": WEATHER,
    "larder/api.py": API,
}


def test_an_unchecked_fetchone_keyed_by_the_url_answers_404(tmp_path: Path) -> None:
    root = _write(tmp_path, FILES)
    found = _codes(root, "BKD306")
    # shelf (13) and the cursor's fetchone (45); not the checked ones, the COUNT(*), nor the
    # re-read of the row the route has just inserted (its own lastrowid)
    assert [s.span.start.line + 1 for s in found] == [13, 45]
    [check] = [e.new_text for e in found[0].edits]
    assert check == "    if row is None:\n        abort(404)\n"
    assert "dict(jar)" in found[1].rationale


def test_a_swallowed_commit_on_a_sqlite3_connection_rolls_back(tmp_path: Path) -> None:
    root = _write(tmp_path, FILES)
    found = _codes(root, "BKD303")
    # add_jar (55); add_jar_busy rolls back and aborts
    assert [s.span.start.line + 1 for s in found] == [55]
    [edit] = found[0].edits
    assert edit.new_text.strip() == "db.rollback()"
    assert "told the client it was saved" in found[0].rationale


def test_a_helper_module_imported_relatively_reaches_the_request(tmp_path: Path) -> None:
    root = _write(tmp_path, FILES)
    found = _codes(root, "BKD302")
    # town (76): ``from . import weather`` is the package's own module; town_safe catches it
    assert [s.span.start.line + 1 for s in found] == [76]
    fix = next(e.new_text for e in found[0].edits if "try:" in e.new_text)
    assert "except (requests.RequestException, KeyError):" in fix


HOOKS = """\
import requests

_session = requests.Session()


def post_event(url: str, data: dict) -> None:
    resp = _session.post(url, json=data, timeout=10)
    resp.raise_for_status()
"""

SERVICES = """\
from . import hooks
from .models import Ticket


def open_ticket(subject: str) -> Ticket:
    ticket = Ticket.objects.create(subject=subject)
    hooks.post_event("https://hooks.invalid/", {"id": ticket.pk})
    return ticket
"""

VIEWS = """\
from rest_framework.decorators import api_view
from rest_framework.response import Response

from . import services


@api_view(["POST"])
def inbound(request):
    ticket = services.open_ticket(request.data.get("subject", ""))
    return Response({"id": ticket.pk}, status=201)
"""

MODELS = """\
from django.db import models


class Ticket(models.Model):
    subject = models.CharField(max_length=200)
"""


def test_a_webhook_two_modules_down_answers_502_at_the_view(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "requirements.txt": "django\ndjangorestframework\nrequests\n",
            "desk/__init__.py": "",
            "desk/hooks.py": HOOKS,
            "desk/services.py": SERVICES,
            "desk/views.py": VIEWS,
            "desk/models.py": MODELS,
        },
    )
    found = _codes(root, "BKD302")
    assert [(Path(s.path).name, s.span.start.line + 1) for s in found] == [("views.py", 9)]
    assert "`open_ticket` -> `post_event`" in found[0].rationale


def test_an_aggregate_select_always_gives_a_row() -> None:
    assert may_match_nothing("SELECT id, status FROM pickups WHERE id = ?")
    assert may_match_nothing("SELECT shelf_id, COUNT(*) FROM jars GROUP BY shelf_id")
    assert not may_match_nothing("SELECT COUNT(*) FROM jars WHERE shelf_id = ?")
    assert not may_match_nothing("SELECT COALESCE(SUM(delta), 0) FROM moves WHERE jar = ?")
    assert not may_match_nothing("SELECT 1")
    assert not may_match_nothing("INSERT INTO jars (code) VALUES (?) RETURNING id")
