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
