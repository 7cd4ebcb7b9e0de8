"""BKD210: a Flask view's pydantic parse of the raw body, its ValidationError unanswered
(round 22: a v2 API's ``parse_obj(request.json)``, a 500 on every bad body)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

APP = """\
from flask import Flask, request
from pydantic import BaseModel

app = Flask(__name__)


class NewOrg(BaseModel):
    slug: str


@app.post("/v2/orgs")
def create_v2():
    body = NewOrg.model_validate(request.json)
    return {"slug": body.slug}, 201


@app.post("/v1/orgs")
def create_v1():
    data = request.get_json()
    body = NewOrg.parse_obj(data)
    return {"slug": body.slug}, 201


@app.post("/checked")
def checked():
    try:
        body = NewOrg.model_validate(request.json)
    except ValueError:
        return {"error": "bad body"}, 400
    return {"slug": body.slug}, 201
"""

HANDLER = """

@app.errorhandler(ValidationError)
def invalid(error):
    return {"errors": error.errors()}, 422
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "requirements.txt").write_text("flask\npydantic\n")
    (tmp_path / "app.py").write_text(text)
    return tmp_path / "app.py"


def _lines(tmp_path: Path) -> list[int]:
    found = collect([str(tmp_path)], ["validation"])
    return sorted(s.span.start.line + 1 for s in found if s.code == "BKD210")


def test_an_unanswered_model_parse_of_the_body_is_caught_and_answered_400(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, APP)
    assert _lines(tmp_path) == [13, 20]
    by_line = {
        s.span.start.line + 1: s
        for s in collect([str(tmp_path)], ["validation"])
        if s.code == "BKD210"
    }
    after = apply_suggestion(by_line[13])[str(path)]
    assert "    except ValidationError as exc:\n        return jsonify(\n" in after
    assert "details=exc.errors(include_url=False, include_context=False)," in after
    assert "from pydantic import BaseModel, ValidationError\n" in after
    compile(after, "app.py", "exec")
    path.write_text(APP)
    after = apply_suggestion(by_line[20])[str(path)]
    assert "details=json.loads(exc.json())," in after and "import json\n" in after
    compile(after, "app.py", "exec")


def test_a_handler_for_it_leaves_the_views_alone(tmp_path: Path) -> None:
    _write(tmp_path, APP.replace("BaseModel\n", "BaseModel, ValidationError\n") + HANDLER)
    assert _lines(tmp_path) == []


def test_another_librarys_validation_error_is_not_caught_for_pydantics(tmp_path: Path) -> None:
    # ``except ValidationError`` would name marshmallow's class, which pydantic never raises
    text = APP.replace(
        "from pydantic import BaseModel\n",
        "from marshmallow import ValidationError\nfrom pydantic import BaseModel\n",
    )
    _write(tmp_path, text)
    assert _lines(tmp_path) == []
    _write(tmp_path, APP)
    assert _lines(tmp_path) == [13, 20]
