"""Request-validation misses of blind round 12: ``assert`` used to check what the client sent
(BKD208: a 500 when it fails, gone under ``python -O``), and a raw JSON body splatted into a
call with a fixed signature (BKD201 for a function, BKD207 for a model). Small fixtures of our
own that reproduce each shape: the suggestion appears at its line, its edit applies and
parses, re-analysis no longer reports it, and the clean twins stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion
from .test_planted_misses import _project, _sites

DRF = '"django", "djangorestframework"'

DRF_VIEWS = """\
from rest_framework import views
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

KINDS = ["tv", "movie"]


class SearchView(views.APIView):
    def get(self, request):
        kind = request.query_params.get("kind", "tv")
        assert kind in KINDS
        return Response({"kind": kind})


class DiscoverView(views.APIView):
    def get(self, request, kind):
        assert kind in KINDS
        return Response({"kind": kind})


class QueueView(views.APIView):
    def post(self, request):
        assert "task" in request.data, "missing task name"
        return Response({"task": request.data["task"]})


class CountView(views.APIView):
    def get(self, request):
        rows = list(range(3))
        assert len(rows) == 3
        return Response({"n": len(rows)})
"""

FLASK_BASE = """\
from flask import Flask, request
from flask.views import MethodView

app = Flask(__name__)


class ApiView(MethodView):
    def paginate(self, rows, max_limit=100):
        limit = int(request.args.get("limit", 25) or 0)
        if max_limit:
            assert limit <= max_limit
        return {"rows": rows[:limit]}

    def respond(self, rows):
        assert isinstance(rows, list)
        return {"rows": rows}


@app.get("/items")
def items():
    page = int(request.args.get("page", 1))
    assert page > 0
    return {"page": page}
"""

FASTAPI_APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{kind}")
def items(kind: str):
    assert kind in ("a", "b")
    return {"kind": kind}
"""

FLASK_SPLAT = """\
from dataclasses import dataclass

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from pydantic import BaseModel

app = Flask(__name__)
db = SQLAlchemy(app)


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))
    body = db.Column(db.Text)


class NoteIn(BaseModel):
    title: str
    body: str


class Clients:
    def sign_up(self, email, password, confirm):
        return email == confirm, password


def create_peer(name, address, keepalive=25):
    return {"name": name, "address": address, "keepalive": keepalive}


def make_blueprint(clients: Clients):
    @app.post("/signup")
    def sign_up():
        data = request.get_json()
        ok, _ = clients.sign_up(**data)
        return jsonify(ok=ok)

    return sign_up


@app.post("/notes")
def create_note():
    note = Note(**request.json)
    db.session.add(note)
    db.session.commit()
    return jsonify(id=note.id)


@app.post("/peers")
def add_peer():
    data = request.get_json()
    return jsonify(create_peer(**data))


@app.post("/notes-checked")
def create_checked():
    body = NoteIn.model_validate(request.get_json())
    note = Note(**body.model_dump())
    db.session.add(note)
    db.session.commit()
    return jsonify(id=note.id)


@app.post("/echo")
def echo():
    data = request.get_json()
    return jsonify(dict(**data))


make_blueprint(Clients())
"""


def _applies_and_clears(tmp_path: Path, files: dict[str, str], deps: str) -> list[Suggestion]:
    """Every suggestion, each applied alone to a fresh copy: the edited files parse and the
    copy's re-analysis no longer reports it at that line."""
    found = collect([str(_project(tmp_path / "check", files, deps))])
    for n, s in enumerate(found):
        root = _project(tmp_path / f"copy{n}", files, deps)
        rel = Path(s.path).relative_to(tmp_path / "check")
        again = [
            t
            for t in collect([str(root)])
            if (t.code, t.span.start.line, Path(t.path).relative_to(root))
            == (s.code, s.span.start.line, rel)
        ]
        assert again, s
        for text in apply_suggestion(again[0]).values():
            ast.parse(text)

        # the lines moved: one report of that code fewer in that file
        after = collect([str(root)])
        assert (
            _count(after, root, s.code, rel) == _count(found, tmp_path / "check", s.code, rel) - 1
        )
    return found


def _count(reports: list[Suggestion], base: Path, code: str, rel: Path) -> int:
    return sum((t.code, Path(t.path).relative_to(base)) == (code, rel) for t in reports)


def test_drf_asserts_on_query_path_and_body(tmp_path: Path) -> None:
    found = _applies_and_clears(tmp_path, {"app/views.py": DRF_VIEWS}, DRF)
    sites = {x for x in _sites(found, tmp_path / "check") if x[2] == "BKD208"}
    # the query parameter, the path parameter, the body key; not the internal ``len(rows)``
    assert sites == {
        ("app/views.py", 11, "BKD208"),
        ("app/views.py", 17, "BKD208"),
        ("app/views.py", 23, "BKD208"),
    }
    texts = [e.new_text for s in found if s.code == "BKD208" for e in s.edits]
    assert (
        '        if kind not in KINDS:\n            raise ValidationError("invalid kind")' in texts
    )
    assert any('raise ValidationError("missing task name")' in t for t in texts)


def test_flask_asserts_in_route_and_base_class_helper(tmp_path: Path) -> None:
    found = _applies_and_clears(tmp_path, {"app.py": FLASK_BASE}, '"flask"')
    sites = {x for x in _sites(found, tmp_path / "check") if x[2] == "BKD208"}
    # ``paginate`` reads the request itself; ``respond`` asserts on its own argument
    assert sites == {("app.py", 11, "BKD208"), ("app.py", 22, "BKD208")}
    helper = next(s for s in found if s.span.start.line == 10)
    assert any("abort(400" in e.new_text for e in helper.edits)
    route = next(s for s in found if s.span.start.line == 21)
    assert any("if page <= 0:" in e.new_text and "400" in e.new_text for e in route.edits)


def test_fastapi_assert_on_path_parameter(tmp_path: Path) -> None:
    found = _applies_and_clears(tmp_path, {"main.py": FASTAPI_APP}, '"fastapi"')
    bkd208 = [s for s in found if s.code == "BKD208"]
    assert [s.span.start.line + 1 for s in bkd208] == [8]
    assert any("HTTPException(status_code=400" in e.new_text for e in bkd208[0].edits)


def test_body_splat_into_fixed_signatures(tmp_path: Path) -> None:
    deps = '"flask", "flask-sqlalchemy>=3.1", "pydantic>=2"'
    found = _applies_and_clears(tmp_path, {"app.py": FLASK_SPLAT}, deps)
    sites = {x for x in _sites(found, tmp_path / "check") if x[2] in ("BKD201", "BKD207")}
    # a project method (through the annotated factory parameter), a model, a function; not
    # the validated schema's dump, not ``dict(**data)`` (a builtin takes any key)
    assert sites == {("app.py", 35, "BKD201"), ("app.py", 43, "BKD207"), ("app.py", 52, "BKD201")}
    by_line = {s.span.start.line + 1: s for s in found}
    assert by_line[35].edits[0].new_text == (
        '{k: v for k, v in data.items() if k in ("email", "password", "confirm")}'
    )
    assert by_line[43].edits[0].new_text == (
        '{k: v for k, v in request.json.items() if k in ("title", "body")}'
    )
    assert '"keepalive"' in by_line[52].edits[0].new_text
