"""BKD202 guards a request value's conversion only when nothing converts the same read before
it unguarded: a real admin API's ``if int(request.args.get('page_size')) < 1:`` raised first,
so the guard offered for the ``page_size = int(...)`` after it could never answer its 400
(blind round r39, judged so). Its twin with one conversion is still answered."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

APP = """\
from flask import Flask, request

app = Flask(__name__)


@app.get("/users")
def users():
    size = 10
    if "page_size" in request.args:
        if int(request.args.get("page_size")) < 1:
            size = 10
        else:
            size = int(request.args.get("page_size"))
    return {"size": size}


@app.get("/admins")
def admins():
    size = 10
    if "page_size" in request.args:
        size = int(request.args.get("page_size"))
    return {"size": size}
"""


def test_a_guard_an_earlier_conversion_would_outrun_is_not_offered(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "requirements.txt").write_text("flask\n")
    found = [s for s in collect([str(tmp_path)]) if s.code == "BKD202"]
    assert [s.span.start.line + 1 for s in found] == [21]  # admins only
    text = apply_suggestion(found[0])[str(tmp_path / "app.py")]
    ast.parse(text)
    assert 'size = request.args.get("page_size", type=int)' in text
