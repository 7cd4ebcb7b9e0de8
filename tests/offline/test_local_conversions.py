"""BKD202 for a conversion inside a call whose argument is a local read from the request a
few lines before (a password-reset link: ``uid = request.args.get("uid")``, then
``User.query.get(int(uid))``). It was silent: the inline fix wanted a fresh local named after
the key, and the key's name was the local's. The read itself now takes ``type=int`` and the
check follows it; a local used later as text (``"user-" + uid``) keeps its string and gets no
fix, as before."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

RESET = """\
from flask import Flask, flash, redirect, request, session, url_for
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)


@app.route("/reset")
def reset_password():
    token = request.args.get("token")
    uid = request.args.get("uid")

    u = User.query.get(int(uid))
    if not u or token != "x":
        flash("invalid")
        return redirect(url_for("index"))

    session["reset_user_id"] = uid
    return redirect(url_for("index"))
"""


def _found(root: Path, text: str) -> list[Suggestion]:
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["flask", "flask-sqlalchemy"]\n'
    )
    (root / "app.py").write_text(text, encoding="utf-8")
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"]


def test_a_local_read_then_converted_inside_a_call_takes_type_int(tmp_path: Path) -> None:
    (found,) = _found(tmp_path, RESET)
    assert "`uid` is read with `type=int` and answers 400 when None" in found.rationale
    new = apply_suggestion(found)[str(tmp_path / "app.py")]
    ast.parse(new)
    assert (
        '    uid = request.args.get("uid", type=int)\n'
        "    if uid is None:\n"
        "        abort(400)\n"
        "\n"
        "    u = User.query.get(uid)\n"
    ) in new
    assert "from flask import Flask, abort," in new
    assert _found(tmp_path, new) == []


def test_a_check_between_read_and_conversion_rebinds_there(tmp_path: Path) -> None:
    text = RESET.replace(
        "    u = User.query.get(int(uid))\n",
        '    if not uid:\n        return redirect(url_for("index"))\n    u = User.query.get(int(uid))\n',
    )
    (found,) = _found(tmp_path, text)
    new = apply_suggestion(found)[str(tmp_path / "app.py")]
    assert (
        '        return redirect(url_for("index"))\n'
        '    uid = request.args.get("uid", type=int)\n'
        "    if uid is None:\n"
        "        abort(400)\n"
        "    u = User.query.get(uid)\n"
    ) in new


@pytest.mark.parametrize(
    "text",
    [
        # used as text after: an int there would raise TypeError
        RESET.replace('session["reset_user_id"] = uid', 'session["reset_key"] = "user-" + uid'),
        # checked before it is converted
        RESET.replace(
            "    u = User.query.get(int(uid))\n",
            "    if not uid.isdigit():\n        return redirect(url_for('index'))\n"
            "    u = User.query.get(int(uid))\n",
        ),
        # already read as a number
        RESET.replace('request.args.get("uid")', 'request.args.get("uid", type=int)').replace(
            "int(uid)", "uid"
        ),
    ],
)
def test_clean_twins_get_no_conversion_fix(tmp_path: Path, text: str) -> None:
    assert _found(tmp_path, text) == []
