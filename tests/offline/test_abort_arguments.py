"""BKD325: a framework's ``abort`` called with arguments its signature refuses (a real app's
signup did ``abort(401, "Password must ...")`` with Flask-RESTful's ``abort(http_status_code,
**kwargs)``: a TypeError, a 500 for every short password). Flask's ``abort("text", 403)`` is a
LookupError and its ``abort(400, message=...)`` a TypeError. Silent twins: the right calls of
each, Flask-RESTX's ``abort(400, "text")`` (its signature takes the message), a project's own
``abort`` (defined in the module, imported from the project, or a parameter)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

RESTFUL = """\
from flask_restful import Resource, abort


class Account(Resource):
    def post(self, name: str):
        if len(name) < 4:
            abort(400, "Name must be 4 characters or more")
        if name == "root":
            abort("Name taken", 409)
        if name.startswith("_"):
            abort(400, message="No leading underscore")
        return {"name": name}, 201

    def get(self, name: str):
        abort(404)
"""

RESTX = """\
from flask_restx import Resource, abort


class Account(Resource):
    def post(self, name: str):
        if len(name) < 4:
            abort(400, "Name must be 4 characters or more")
        return {"name": name}, 201
"""

VIEWS = """\
import flask
from flask import Flask, abort, request

app = Flask(__name__)


@app.route("/notes/<int:note_id>", methods=["GET", "DELETE"])
def note(note_id):
    if request.method == "DELETE":
        abort("Deleting notes is not allowed", 403)
    if note_id > 1000:
        abort(400, message="No such note")
    if note_id < 0:
        flask.abort(404, msg="No such note")
    if note_id == 0:
        abort(403, "Note 0 is private")
    if note_id == 1:
        abort(405, valid_methods=["GET"])
    if note_id == 2:
        abort(401, description="Sign in first", www_authenticate="Basic")
    return {"id": note_id}
"""

OWN = """\
from flask import Flask, jsonify

app = Flask(__name__)


def abort(code, text):
    return jsonify({"error": text}), code


@app.route("/ping")
def ping():
    return abort(400, "no pong")
"""

IMPORTED = """\
from flask import Flask

from .own import abort

app = Flask(__name__)


@app.route("/pong")
def pong():
    return abort(400, "no ping")


def handle(abort, code):
    abort(code, "handled")
"""


def _project(tmp_path: Path) -> Path:
    app = tmp_path / "notes"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("restful.py", RESTFUL),
        ("restx.py", RESTX),
        ("views.py", VIEWS),
        ("own.py", OWN),
        ("imported.py", IMPORTED),
    ]:
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("flask\nflask-restful\nflask-restx\n")
    return app


def _ours(tmp_path: Path) -> list[Suggestion]:
    found = collect([str(tmp_path)], ["error-handling"])
    return sorted(
        (s for s in found if s.code == "BKD325"), key=lambda s: (s.path, s.span.start.line)
    )


def test_refused_arguments_are_named_as_the_signature_wants(tmp_path: Path) -> None:
    app = _project(tmp_path)
    ours = _ours(tmp_path)
    got = [(Path(s.path).name, s.span.start.line + 1, s.title) for s in ours]
    assert got == [
        ("restful.py", 7, "Pass abort()'s message as `message=`"),
        ("restful.py", 9, "Pass abort()'s message as `message=`"),
        ("views.py", 10, "Give abort() the status first"),
        ("views.py", 12, "Pass abort()'s `message` as `description=`"),
        ("views.py", 14, "Pass abort()'s `msg` as `description=`"),
    ]
    positional, first, flask_first, message, msg = ours
    assert (
        "Flask-RESTful's `abort(http_status_code, **kwargs)` takes nothing but the status "
        'positionally: `abort(400, "Name must be 4 characters or more")` raises TypeError '
        "instead of the 400, so the client gets a 500."
    ) in positional.rationale
    assert '`abort("Name taken", 409)` raises TypeError instead of the 409' in first.rationale
    assert "raises LookupError" in flask_first.rationale
    assert "not `message`" in message.rationale

    # each file's edits from its end up: the spans above stay where they were
    for suggestion in (first, positional):
        text = apply_suggestion(suggestion)[str(app / "restful.py")]
    assert 'abort(400, message="Name must be 4 characters or more")' in text
    assert 'abort(409, message="Name taken")' in text
    ast.parse(text)
    for suggestion in (msg, message, flask_first):
        text = apply_suggestion(suggestion)[str(app / "views.py")]
    assert 'abort(403, "Deleting notes is not allowed")' in text
    assert 'abort(400, description="No such note")' in text
    assert 'flask.abort(404, description="No such note")' in text
    ast.parse(text)
    assert _ours(tmp_path) == []


def test_an_app_handler_of_every_exception_is_said(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (app / "handlers.py").write_text(
        "from .views import app\n\n\n"
        "@app.errorhandler(Exception)\n"
        "def oops(error):\n"
        '    return {"error": "server"}, 500\n'
    )
    ours = _ours(tmp_path)
    assert len(ours) == 5
    assert all("the app's own handler of it answers" in s.rationale for s in ours)
