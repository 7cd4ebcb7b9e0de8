"""``int(request.args.get("page", "1"))`` becomes ``request.args.get("page", 1, type=int)``:
Werkzeug hands a default back unconverted, so the string ``"1"`` kept as the default made
every plain visit of a paged view fail (judged on a blind planted set)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

VIEW = """\
from flask import Flask, request

app = Flask(__name__)


@app.get("/citations")
def citations():
    page = int(request.args.get("page", DEFAULT))
    return {"page": page}
"""


def _fixed(tmp_path: Path, default: str) -> str | None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    path = tmp_path / "app.py"
    path.write_text(VIEW.replace("DEFAULT", default))
    found = [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD202"]
    if not found:
        return None
    new = apply_suggestion(found[0])[str(path)]
    ast.parse(new)
    return new


def test_a_string_default_is_written_as_the_number(tmp_path: Path) -> None:
    new = _fixed(tmp_path, '"1"')
    assert new is not None
    assert 'request.args.get("page", 1, type=int)' in new
    assert '"1", type=int' not in new


def test_a_number_default_is_kept(tmp_path: Path) -> None:
    new = _fixed(tmp_path, "1")
    assert new is not None and 'request.args.get("page", 1, type=int)' in new


def test_a_default_that_is_no_number_is_not_handed_to_type(tmp_path: Path) -> None:
    new = _fixed(tmp_path, '"first"')
    assert new is None or '"first", type=int' not in new
