"""Twenty-first held-out round, after its measurement (a shape of our own): a row looked up
by the signed-in user's own key needs no 404, while one keyed by the client still does."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

APP = """\
from flask import Flask, render_template
from flask_login import current_user, login_required
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    login = db.Column(db.String(30), unique=True)


@app.get("/profile")
@login_required
def profile():
    user = User.query.filter(User.id == current_user.id).first()
    return render_template("profile.html", login=user.login)


@app.get("/users/<login>")
def public(login):
    user = User.query.filter(User.login == login).first()
    return render_template("user.html", login=user.login)
"""


def test_the_signed_in_users_row_needs_no_404(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("flask\nflask-login\nflask-sqlalchemy>=3\n")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    assert [s.span.start.line + 1 for s in found] == [23]
