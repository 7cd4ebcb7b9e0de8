"""BKD204 / BKD201 model the keys the code writes out: a body also read by a key held in a
variable (``data[field]``) gets no model, whose ``model_dump()`` would drop that key."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FASTAPI = (
    "from fastapi import FastAPI, Request\n\n"
    "app = FastAPI()\n\n\n"
    '@app.post("/import/{field}")\n'
    "async def import_notes(request: Request, field: str):\n"
    "    data = await request.json()\n"
    '    return {"folder": data["folder"], "other": data["other"]}\n'
)
FLASK = (
    "from flask import Flask, jsonify, request\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.post("/import/<field>")\n'
    "def import_notes(field):\n"
    "    data = request.get_json()\n"
    '    return jsonify({"folder": data["folder"], "other": data["other"]})\n'
)
MANIFEST = '[project]\nname = "notes"\ndependencies = ["fastapi", "flask", "pydantic"]\n'


def _found(root: Path, files: dict[str, str]) -> list[Suggestion]:
    for rel, text in {"pyproject.toml": MANIFEST, **files}.items():
        (root / rel).write_text(text, encoding="utf-8")
    return [s for s in collect([str(root)], ["validation"]) if s.code in ("BKD201", "BKD204")]


def test_written_out_keys_get_a_model(tmp_path: Path) -> None:
    found = _found(tmp_path, {"main.py": FASTAPI, "app.py": FLASK})
    assert sorted(s.code for s in found) == ["BKD201", "BKD204"]
    for suggestion in found:
        for new in apply_suggestion(suggestion).values():
            ast.parse(new)


def test_a_key_held_in_a_variable_gets_none(tmp_path: Path) -> None:
    dynamic = {
        "main.py": FASTAPI.replace('data["other"]', "data[field]"),
        "app.py": FLASK.replace('data["other"]', "data.get(field)"),
    }
    assert _found(tmp_path, dynamic) == []
