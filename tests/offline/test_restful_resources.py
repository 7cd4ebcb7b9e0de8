"""A Flask-RESTful (or Flask-RESTX) ``Resource`` is a MethodView: its ``get``/``post`` are
request handlers (a real app's every list endpoint did ``int(request.args.get("page", 0))``,
unseen, round 25)."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect

APP = """\
from flask import Flask, request
from LIB import Api, Resource

app = Flask(__name__)
api = Api(app)


class TaskAPI(Resource):
    def get(self):
        page = int(request.args.get("page", 0))
        return {"page": page}


api.add_resource(TaskAPI, "/tasks")
"""


@pytest.mark.parametrize("lib", ["flask_restful", "flask_restx"])
def test_a_resources_methods_are_handlers(tmp_path: Path, lib: str) -> None:
    (tmp_path / "requirements.txt").write_text(f"flask\n{lib.replace('_', '-')}\n")
    (tmp_path / "app.py").write_text(APP.replace("LIB", lib))
    found = collect([str(tmp_path)], ["validation"])
    assert [(s.code, s.title) for s in found] == [("BKD202", "Guard the conversion of `page`")]
