"""Handlers a connexion app's OpenAPI spec routes to (``operationId``) are Flask routes: a
MethodView's methods of any name (``post_feedback``) and module functions, named in full or by a
short id under ``x-openapi-router-controller``. Missed on a real app, whose handlers read
``request.get_json()["key"]`` (a 500 on a missing key). Small fixtures of our own."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.openapi_operations import operation_handlers

API = """\
from flask import request
from flask.views import MethodView


class ApplicationsView(MethodView):
    def put(self):
        args = request.get_json()
        return {"id": args["application_id"]}

    def post_feedback(self):
        args = request.get_json()
        return {"feedback": args["feedback"]}

    def not_in_spec(self):
        args = request.get_json()
        return {"x": args["x"]}
"""

VIEWS = """\
from flask import request


def get_user(user_id):
    args = request.get_json()
    return {"name": args["name"]}


def post_note(user_id):
    args = request.get_json()
    return {"note": args["note"]}


def not_routed(user_id):
    args = request.get_json()
    return {"name": args["name"]}
"""

SPEC = """\
openapi: 3.0.0
info:
  title: applications
  description: |
    operationId: api.ApplicationsView.not_in_spec (prose)
    operationId: api.ApplicationsView.not_in_spec
paths:
  /applications:
    put:
      operationId: api.ApplicationsView.put
      responses:
        "200":
          description: ok
  /feedback:
    post:
      operationId: "api.ApplicationsView.post_feedback"  # quoted, with a comment
  /users/{user_id}:
    get:
      operationId: app.views.get_user
      parameters:
        - name: user_id
          in: path
  /notes/{user_id}:
    post:
      operationId: post_note
    x-openapi-router-controller: app.views
"""


def _project(root: Path, spec: str = SPEC) -> Path:
    files = {
        "api.py": API,
        "app/__init__.py": "",
        "app/views.py": VIEWS,
        "openapi/api.yml": spec,
        "pyproject.toml": '[project]\nname = "apps"\ndependencies = ["flask", "connexion"]\n',
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _flagged(root: Path) -> set[tuple[str, int]]:
    return {
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1)
        for s in collect([str(root)])
        if s.code == "BKD201"
    }


def test_operation_ids_mark_their_handlers_as_routes(tmp_path: Path) -> None:
    sites = _flagged(_project(tmp_path))
    assert ("api.py", 7) in sites  # put
    assert ("api.py", 11) in sites  # post_feedback
    assert ("app/views.py", 5) in sites  # get_user, by its full id
    assert ("app/views.py", 10) in sites  # post_note, short id under the path's controller
    assert ("api.py", 15) not in sites  # not_in_spec: only prose names it
    assert ("app/views.py", 15) not in sites  # not_routed


def test_garbage_spec_text_does_not_crash(tmp_path: Path) -> None:
    root = _project(tmp_path, spec="operationId: {[:\n\t- - :\x00\x01\n" + "  " * 5000 + "x:\n")
    (root / "openapi" / "blob.yaml").write_bytes(b"operationId\xff\xfe\x00\x81" * 100)
    (root / "openapi" / "broken.json").write_text('{"operationId": "api.ApplicationsView.put", [')
    sites = _flagged(root)
    assert ("api.py", 7) in sites  # from the broken JSON's id, read without a parse
    assert ("api.py", 11) not in sites


def test_operation_handlers_of_json_and_yaml_controllers() -> None:
    spec = (
        '{"paths": {"/a": {"x-swagger-router-controller": "pkg.ctl",'
        ' "get": {"operationId": "read"}}, "/b": {"post": {"operationId": "pkg.mod.write"}}}}'
    )
    assert operation_handlers("s.json", spec) == {"pkg.ctl.read", "pkg.mod.write"}
    yaml = (
        "paths:\n  /a:\n    get:\n      x-openapi-router-controller: pkg.A\n"
        "      operationId: one\n  /b:\n    get:\n      operationId: pkg.m.two\n"
    )
    assert operation_handlers("s.yml", yaml) == {"pkg.A.one", "pkg.m.two"}
    assert operation_handlers("s.yml", "operationId: not a name!\n") == frozenset()
