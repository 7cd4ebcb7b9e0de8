"""Twenty-fourth held-out round, its Flask verdicts: an agent-driven job server on
Flask-SQLAlchemy with a setup flow that seeds its rows, WTForms uniqueness validators, a
status helper that commits before it notifies upstream, and a long text column. Small
fixtures of our own that reproduce each shape: what a reviewer rejected stays silent, what a
reviewer accepted (or missed) is suggested at its line, and every edit applies and parses."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion


def _project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "jobs"\ndependencies = ["flask", "flask-sqlalchemy>=3", '
        '"flask-wtf", "requests"]\n'
    )
    return root


def _sites(found: list[Suggestion], root: Path) -> set[tuple[str, int, str]]:
    return {
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.code) for s in found
    }


def _applies(s: Suggestion) -> None:
    for text in apply_suggestion(s).values():
        ast.parse(text)


MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Config(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    retention_days = db.Column(db.Integer)


class Member(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    handle = db.Column(db.String(40))
    first_name = db.Column(db.String(40))
"""

# The one config row and the seeded admin (id 1) are the server's: their absence is a 500 to
# fix, not a 404 to answer. The member the URL names is the client's.
SINGLETONS = """\
from flask import Blueprint, render_template, request

from .models import Config, Member, db

bp = Blueprint("setup", __name__)


@bp.route("/settings")
def settings_page():
    config = Config.query.first()
    return render_template("settings.html", days=config.retention_days)


@bp.route("/setup/admin")
def admin_setup():
    admin = db.session.query(Member).filter_by(id=1).first()
    return render_template("setup.html", name=admin.first_name)


@bp.route("/setup/admin-get")
def admin_setup_get():
    admin = Member.query.get(1)
    return render_template("setup.html", name=admin.first_name)


@bp.route("/members/<handle>")
def member_page(handle):
    member = Member.query.filter_by(handle=handle).first()
    return render_template("member.html", name=member.first_name)


@bp.route("/members/by-id")
def member_by_id():
    member = Member.query.get(request.args.get("id", type=int))
    return render_template("member.html", name=member.first_name)
"""


def test_singleton_rows_are_not_answered_404_but_client_keyed_rows_are(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/models.py": MODELS, "app/views.py": SINGLETONS})
    found = [s for s in collect([str(root)]) if s.code == "BKD306"]
    assert _sites(found, root) == {("app/views.py", 28, "BKD306"), ("app/views.py", 34, "BKD306")}
    for s in found:
        _applies(s)


CLIENTS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Client(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))
    region = db.Column(db.String(80))
    code = db.Column(db.String(20))
"""

# A uniqueness check in a WTForms inline validator runs once per create or rename.
CLIENT_FORM = """\
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from .models import Client


class ClientForm(FlaskForm):
    name = StringField("Name")

    def validate_name(self, field):
        if Client.query.filter_by(name=field.data).first():
            raise ValidationError("That client already exists.")
"""

# Setup code seeds its rows once, at start-up.
CLIENT_SETUP = """\
from ..models import Client, db


def seed_default_client():
    if Client.query.filter_by(code="default").first() is None:
        db.session.add(Client(name="Default", code="default"))
        db.session.commit()
"""

# The twin: the public list page filters by region on every request (clients sign up on
# their own page: a table the requests grow, not only the seed).
CLIENT_VIEWS = """\
from flask import Blueprint, render_template, request

from .models import Client, db

bp = Blueprint("clients", __name__)


@bp.route("/clients")
def clients():
    rows = Client.query.filter_by(region=request.args.get("region", "")).all()
    return render_template("clients.html", rows=rows)


@bp.post("/clients")
def sign_up():
    db.session.add(Client(name=request.form["name"], region=request.form["region"]))
    db.session.commit()
    return render_template("client.html")
"""


def test_form_validators_and_setup_code_are_no_evidence_for_an_index(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "app/models.py": CLIENTS,
            "app/forms.py": CLIENT_FORM,
            "app/setup/__init__.py": CLIENT_SETUP,
            "app/views.py": CLIENT_VIEWS,
        },
    )
    found = [s for s in collect([str(root)]) if s.code == "BKD101"]
    assert [(s.data["table"], s.data["columns"]) for s in found] == [("client", "region")]


def test_a_form_validators_query_shared_with_a_page_keeps_its_index(tmp_path: Path) -> None:
    views = CLIENT_VIEWS.replace(
        'filter_by(region=request.args.get("region", ""))',
        'filter_by(name=request.args.get("name", ""))',
    )
    root = _project(
        tmp_path, {"app/models.py": CLIENTS, "app/forms.py": CLIENT_FORM, "app/views.py": views}
    )
    found = [s for s in collect([str(root)]) if s.code == "BKD101"]
    assert [(s.data["table"], s.data["columns"]) for s in found] == [("client", "name")]


TASKS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Task(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    status = db.Column(db.String(20))
"""

# ``set_status`` saves the change, then notifies: a failed notification is no failed change.
# ``notify_first`` notifies before it saves, so the caller's 502 is still right.
TASK_UTILS = """\
import requests

from .models import Task, db


def notify(message):
    requests.post("https://push.example.org/1/messages", data={"m": message}, timeout=10)


def set_status(task_id, status):
    task = Task.query.get(task_id)
    task.status = status
    db.session.commit()
    notify(f"task {task_id} is {status}")


def notify_first(task_id, status):
    notify(f"task {task_id} will be {status}")
    task = Task.query.get(task_id)
    task.status = status
    db.session.commit()
"""

TASK_VIEWS = """\
from flask import Blueprint, jsonify, request

from .utils import notify_first, set_status

bp = Blueprint("tasks", __name__)


@bp.route("/tasks/status", methods=["POST"])
def task_status():
    set_status(request.form["id"], request.form["status"])
    return jsonify(ok=True)


@bp.route("/tasks/announce", methods=["POST"])
def task_announce():
    notify_first(request.form["id"], request.form["status"])
    return jsonify(ok=True)
"""


def test_a_helper_that_commits_before_its_upstream_call_is_not_wrapped_by_its_caller(
    tmp_path: Path,
) -> None:
    root = _project(
        tmp_path, {"app/models.py": TASKS, "app/utils.py": TASK_UTILS, "app/views.py": TASK_VIEWS}
    )
    found = [s for s in collect([str(root)]) if s.code == "BKD302"]
    assert _sites(found, root) == {("app/views.py", 16, "BKD302")}
    for s in found:
        _applies(s)


HASHES = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Digest(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.String(16383))
    note = db.Column(db.Text)
    short = db.Column(db.String(length=64))
"""

# A b-tree key over a 16383-character column passes MySQL's 3,072 bytes: no plain index on
# it (nor on a Text); the short column of the same table is proposed as before.
HASH_VIEWS = """\
from flask import Blueprint, jsonify, request

from .models import Digest

bp = Blueprint("digests", __name__)


@bp.route("/digests/by-body")
def by_body():
    rows = Digest.query.filter_by(body=request.args.get("body", "")).all()
    return jsonify([r.id for r in rows])


@bp.route("/digests/by-note")
def by_note():
    rows = Digest.query.filter_by(note=request.args.get("note", "")).all()
    return jsonify([r.id for r in rows])


@bp.route("/digests/by-short")
def by_short():
    rows = Digest.query.filter_by(short=request.args.get("short", "")).all()
    return jsonify([r.id for r in rows])
"""


def test_no_plain_index_on_a_long_string_or_text_column(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/models.py": HASHES, "app/views.py": HASH_VIEWS})
    found = [s for s in collect([str(root)]) if s.code == "BKD101"]
    assert [(s.data["table"], s.data["columns"]) for s in found] == [("digest", "short")]


# ``if body:`` says the body is not empty, not that it holds "hash": ``{}`` passes the test
# and ``{"user": 1}`` raises KeyError. The twin tests the key itself.
SEARCH_VIEWS = """\
from flask import Blueprint, jsonify, request

bp = Blueprint("search", __name__)


@bp.route("/search", methods=["POST"])
def search():
    body = request.get_json()
    if body:
        return jsonify(found=body["hash"])
    return jsonify(error="invalid search"), 400


@bp.route("/search/checked", methods=["POST"])
def search_checked():
    body = request.get_json()
    if body and "hash" in body:
        return jsonify(found=body["hash"])
    return jsonify(error="invalid search"), 400
"""


def test_a_truthiness_test_of_the_body_is_no_check_of_its_keys(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/views.py": SEARCH_VIEWS})
    found = [s for s in collect([str(root)]) if s.code == "BKD201"]
    assert _sites(found, root) == {("app/views.py", 8, "BKD201")}
    for s in found:
        _applies(s)
