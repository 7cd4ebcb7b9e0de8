"""BKD201 through a body reader: a Flask view takes its JSON from a project function whose one
statement returns it (``return request.get_json(silent=True) or {}``), then reads keys with
``[...]``. The check lands after the call, which stays as written; a reader that does more
than return the body is the reader's own business."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

READERS = (
    "from flask import request\n\n\n"
    "def json_body():\n"
    "    return request.get_json(silent=True) or {}\n"
)
VIEWS = (
    "from flask import Flask, jsonify\n\n"
    "from rentals.readers import json_body\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.post("/bikes")\n'
    "def add_bike():\n"
    "    data = json_body()\n"
    '    return jsonify(name=data["name"], station=data["station_id"]), 201\n'
)


def _project(root: Path, deps: str, files: dict[str, str]) -> Path:
    pyproject = f'[project]\nname = "rentals"\ndependencies = [{deps}]\n'
    for rel, text in {"pyproject.toml": pyproject, "rentals/__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD201"]


def test_a_body_read_through_an_imported_reader_is_checked_after_the_call(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, '"flask"', {"rentals/readers.py": READERS, "rentals/views.py": VIEWS})
    (found,) = _found(root)
    assert found.title == "Check the JSON body of add_bike before reading it"
    new = apply_suggestion(found)[str(root / "rentals" / "views.py")]
    ast.parse(new)
    assert (
        "    data = json_body()\n"
        "    if not isinstance(data, dict) or any(key not in data for key in "
        "('name', 'station_id')):\n"
        '        return jsonify(error="invalid request body"), 400\n'
    ) in new
    assert _found(root) == []


def test_with_pydantic_the_readers_body_is_validated_by_a_model(tmp_path: Path) -> None:
    views = VIEWS.replace("from rentals.readers import json_body\n", "") + "\n\n" + READERS
    views = views.replace("from flask import request\n\n\n", "").replace(
        "from flask import Flask, jsonify\n", "from flask import Flask, jsonify, request\n"
    )
    root = _project(tmp_path, '"flask", "pydantic"', {"rentals/views.py": views})
    (found,) = _found(root)
    new = apply_suggestion(found)[str(root / "rentals" / "views.py")]
    ast.parse(new)
    assert "model_validate(\n            json_body() or {}\n        ).model_dump()" in new


@pytest.mark.parametrize(
    "reader",
    [
        # it does more than return the body: what it returns is its own
        "def json_body():\n"
        "    data = request.get_json(silent=True) or {}\n"
        "    return {k: v for k, v in data.items() if v is not None}\n",
        # it returns something else
        "def json_body():\n    return request.args\n",
        # it takes an argument: not the body alone
        "def json_body(key):\n    return request.get_json()[key]\n",
    ],
)
def test_other_functions_are_not_body_readers(tmp_path: Path, reader: str) -> None:
    readers = "from flask import request\n\n\n" + reader
    views = VIEWS
    if "key" in reader:
        views = views.replace("json_body()", 'json_body("bike")')
    root = _project(tmp_path, '"flask"', {"rentals/readers.py": readers, "rentals/views.py": views})
    assert _found(root) == []


ROW_VIEWS = (
    "from flask import Flask, jsonify\n"
    "from flask_sqlalchemy import SQLAlchemy\n\n"
    "from rentals.readers import json_body, required_text\n\n"
    "app = Flask(__name__)\n"
    "db = SQLAlchemy(app)\n\n\n"
    "class Station(db.Model):\n"
    "    id = db.Column(db.Integer, primary_key=True)\n"
    "    code = db.Column(db.String(16), unique=True)\n\n\n"
    '@app.post("/returns")\n'
    "def return_bike():\n"
    "    data = json_body()\n"
    '    code = required_text(data, "station_code")\n'
    "    station = Station.query.filter_by(code=code).first()\n"
    "    return jsonify(station=station.id)\n"
)
CHECKING_READERS = (
    "from flask import abort, request\n\n\n"
    "def json_body():\n"
    "    data = request.get_json(silent=True)\n"
    "    if not isinstance(data, dict):\n"
    "        abort(400)\n"
    "    return data\n\n\n"
    "def required_text(data, key):\n"
    "    value = data.get(key)\n"
    "    if not isinstance(value, str):\n"
    "        abort(400)\n"
    "    return value.strip()\n"
)


def test_a_row_keyed_by_what_a_checking_reader_returned_is_the_clients(tmp_path: Path) -> None:
    # A planted set's shape: the reader checks the body is an object, a second helper pulls a
    # key out of it; the station the client named may not exist (a 404, not a 500).
    root = _project(
        tmp_path,
        '"flask", "flask-sqlalchemy"',
        {"rentals/readers.py": CHECKING_READERS, "rentals/views.py": ROW_VIEWS},
    )
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD306"]
    assert [s.title for s in found] == ["Answer 404 when first() finds no row"]
    # the checking reader is no one-statement reader: BKD201 leaves its body alone
    assert _found(root) == []


def test_a_reader_of_something_else_keys_no_clients_row(tmp_path: Path) -> None:
    readers = CHECKING_READERS.replace(
        "    return data\n", '    return {"station_code": "HQ"}\n', 1
    )
    root = _project(
        tmp_path,
        '"flask", "flask-sqlalchemy"',
        {"rentals/readers.py": readers, "rentals/views.py": ROW_VIEWS},
    )
    assert [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD306"] == []
