"""BKD305 on a raw body read through a local: a FastAPI webhook that checks a signature over
``raw = await request.body()`` and then runs ``json.loads(raw)`` (a blind planted set's shape),
and a Flask view's ``raw = request.get_data()``. Each has a clean twin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FASTAPI = (
    "import hmac\n"
    "import json\n\n"
    "from fastapi import FastAPI, Header, HTTPException, Request, status\n\n"
    "app = FastAPI()\n\n\n"
    '@app.post("/webhooks/payments")\n'
    "async def payment_event(request: Request, x_signature: str = Header()):\n"
    "    raw = await request.body()\n"
    '    if not hmac.compare_digest(x_signature, "x"):\n'
    '        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "bad signature")\n'
    "    event = json.loads(raw)\n"
    '    return {"type": event.get("type")}\n'
)
FLASK = (
    "import json\n\n"
    "from flask import Flask, jsonify, request\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.post("/hooks")\n'
    "def hook():\n"
    "    raw = request.get_data()\n"
    "    event = json.loads(raw)\n"
    '    return jsonify(kind=event.get("kind"))\n'
)


def _found(root: Path, name: str, text: str, deps: str) -> list[Suggestion]:
    (root / "pyproject.toml").write_text(f'[project]\nname = "x"\ndependencies = [{deps}]\n')
    (root / name).write_text(text, encoding="utf-8")
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD305"]


def test_a_fastapi_raw_body_decoded_unguarded_answers_400(tmp_path: Path) -> None:
    (found,) = _found(tmp_path, "main.py", FASTAPI, '"fastapi"')
    new = apply_suggestion(found)[str(tmp_path / "main.py")]
    ast.parse(new)
    assert (
        "    try:\n"
        "        event = json.loads(raw)\n"
        "    except (json.JSONDecodeError, UnicodeDecodeError) as exc:\n"
        "        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, "
        'detail="invalid JSON") from exc\n'
    ) in new
    assert _found(tmp_path, "main.py", new, '"fastapi"') == []


def test_a_flask_raw_body_through_a_local_answers_400(tmp_path: Path) -> None:
    (found,) = _found(tmp_path, "app.py", FLASK, '"flask"')
    new = apply_suggestion(found)[str(tmp_path / "app.py")]
    assert 'except json.JSONDecodeError:\n        return jsonify(error="invalid JSON"), 400' in new


@pytest.mark.parametrize(
    "text",
    [
        # guarded already
        FASTAPI.replace(
            "    event = json.loads(raw)\n",
            "    try:\n"
            "        event = json.loads(raw)\n"
            "    except ValueError:\n"
            '        raise HTTPException(400, "invalid JSON")\n',
        ),
        # not the body: a local bound to something else
        FASTAPI.replace("raw = await request.body()", 'raw = b"{}"'),
        # the name is bound twice: which one reaches the decode is not told
        FASTAPI.replace(
            "    event = json.loads(raw)\n", '    raw = raw or b"{}"\n    event = json.loads(raw)\n'
        ),
    ],
)
def test_a_guarded_or_other_decode_is_left_alone(tmp_path: Path, text: str) -> None:
    assert _found(tmp_path, "main.py", text, '"fastapi"') == []
